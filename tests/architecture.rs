//! The rules of ARCHITECTURE.md that a program can check, checked on the
//! source: each engine module sits on one layer and imports only its own
//! layer and those below, with no circle between modules; and a command
//! file never reaches into another command file.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The layers of ARCHITECTURE.md, bottom first. A module may import
/// modules of its own layer (without a circle) and of the layers below.
const LAYERS: &[&[&str]] = &[
    &[
        "error", "oid", "quote", "warnings", "sys", "codec", "identity", "fsutil", "config",
        "http", "sandbox", "userns", "progress",
    ],
    &["object", "store", "refs", "prolly"],
    &["links", "revparse", "revwalk", "workspace"],
    &["hostfs", "container", "commit", "worktree", "apply"],
    &["merge", "pack", "cache", "oci"],
    &["transport", "runtime"],
    &["maint"],
    &["facade", "fuzzing"],
];

/// Command files that still reach into another command file, each with
/// what it takes. Issue 26 (items 1 and 2) moves these into the engine; the
/// list may only shrink: a new entry fails the test as any other breach.
const COMMAND_DEBT: &[(&str, &str)] = &[];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments, string literals' contents, or its
/// unit tests (a `#[cfg(test)] mod tests` at the end of a file).
fn code_of(path: &Path) -> String {
    strip(&fs::read_to_string(path).unwrap())
}

fn strip(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'"' {
            out.push('"');
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            out.push('"');
            i += 1;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// The first path segments `code` takes after each `prefix` (`crate::`,
/// `super::`), including those inside `use prefix{a::x, b}` groups.
fn segments_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices(prefix) {
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &code[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The top level of the group: its items' first segments.
            let (mut depth, mut item_start) = (0usize, true);
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        let name = ident(&group[j..]);
                        if !name.is_empty() {
                            out.insert(name);
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// The engine's modules as lib.rs declares them.
fn engine_modules() -> BTreeSet<String> {
    let lib = fs::read_to_string(root().join("src/lib.rs")).unwrap();
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect()
}

/// Module → the engine modules its files import.
fn engine_graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = engine_modules();
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(root().join("src")).unwrap();
        let first = rel.iter().next().unwrap().to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if !modules.contains(&module) {
            continue; // lib.rs, main.rs
        }
        let used = segments_after(&code_of(&f), "crate::");
        let entry = graph.entry(module.clone()).or_default();
        for m in used {
            if m != module && modules.contains(&m) {
                entry.insert(m);
            }
        }
    }
    graph
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

#[test]
fn every_engine_module_has_a_layer() {
    for m in engine_modules() {
        assert!(
            layer_of(&m).is_some(),
            "src/{m}: not on a layer: place it in ARCHITECTURE.md and in LAYERS here"
        );
    }
}

#[test]
fn engine_modules_import_only_their_layer_and_below() {
    let mut breaches = Vec::new();
    for (m, used) in engine_graph() {
        // The crate's error names each area's error type (item 3 of issue
        // 26): its arrows to the areas are the one sanctioned way up.
        if m == "error" {
            continue;
        }
        let own = layer_of(&m).unwrap();
        for u in used {
            if layer_of(&u).unwrap() > own {
                breaches.push(format!(
                    "{m} (layer {own}) imports {u} (layer {})",
                    layer_of(&u).unwrap()
                ));
            }
        }
    }
    assert!(
        breaches.is_empty(),
        "imports up the layers:\n{}",
        breaches.join("\n")
    );
}

#[test]
fn no_circle_between_engine_modules() {
    let mut graph = engine_graph();
    graph.remove("error");
    // Depth-first search for a back edge.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(m) {
            Some(1) => {
                let start = path.iter().position(|p| p == m).unwrap();
                let mut circle = path[start..].to_vec();
                circle.push(m.to_string());
                return Some(circle);
            }
            Some(_) => return None,
            None => {}
        }
        state.insert(m.to_string(), 1);
        path.push(m.to_string());
        for n in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(n, graph, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in graph.keys() {
        let found = visit(m, &graph, &mut state, &mut Vec::new());
        assert!(
            found.is_none(),
            "a circle of modules: {}",
            found.unwrap().join(" -> ")
        );
    }
}

/// The command files: what main.rs dispatches to (`porcelain::X::run`).
fn command_files() -> BTreeSet<(String, String)> {
    let main = fs::read_to_string(root().join("src/main.rs")).unwrap();
    let mut out = BTreeSet::new();
    for area in ["porcelain", "plumbing"] {
        let pat = format!("=> {area}::");
        for (i, _) in main.match_indices(&pat) {
            let rest = &main[i + pat.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if rest[name.len()..].starts_with("::run(") {
                out.insert((area.to_string(), name));
            }
        }
    }
    out
}

#[test]
fn a_command_file_never_reaches_into_another() {
    let commands = command_files();
    assert!(commands.len() > 80, "main.rs dispatch not found");
    let names: BTreeSet<&str> = commands.iter().map(|(_, n)| n.as_str()).collect();
    let mut breaches = BTreeSet::new();
    for (area, name) in &commands {
        let file = format!("{area}/{name}.rs");
        let code = code_of(&root().join(&file));
        let mut used = segments_after(&code, "super::");
        for prefix in [
            "crate::porcelain::",
            "crate::plumbing::",
            "porcelain::",
            "plumbing::",
        ] {
            used.extend(segments_after(&code, prefix));
        }
        for u in used {
            if u != *name && names.contains(u.as_str()) {
                breaches.insert((file.clone(), u));
            }
        }
    }
    let debt: BTreeSet<(String, String)> = COMMAND_DEBT
        .iter()
        .map(|(f, u)| (f.to_string(), u.to_string()))
        .collect();
    let new: Vec<_> = breaches.difference(&debt).collect();
    assert!(
        new.is_empty(),
        "command files reaching into others: {new:?}"
    );
    let paid: Vec<_> = debt.difference(&breaches).collect();
    assert!(
        paid.is_empty(),
        "no longer reached (remove from COMMAND_DEBT): {paid:?}"
    );
}

#[test]
fn the_checks_see_what_they_check() {
    let code = "use crate::{error::{Error, Result},\n oid::ObjectId};\nlet x = crate::store::pack::f(); // crate::nope\nlet s = \"crate::text\";\nlet y = hako::crate::no;\n#[cfg(test)]\nmod tests { use crate::tested; }";
    let seen = segments_after(&strip(code), "crate::");
    let want: BTreeSet<String> = ["error", "oid", "store"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(seen, want);
    let graph = engine_graph();
    assert!(
        graph["transport"].contains("pack"),
        "{:?}",
        graph["transport"]
    );
    assert!(graph["maint"].contains("links"), "{:?}", graph["maint"]);
}
