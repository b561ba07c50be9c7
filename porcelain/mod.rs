//! Porcelain: the everyday commands, each composed in-process from plumbing
//! functions and engine calls. Helpers shared by several commands live here.

pub mod branch;
pub mod cat;
pub mod cd;
pub mod checkout;
pub mod commit;
pub mod completions;
pub mod containers;
pub mod cp;
pub mod del;
pub mod del_container;
pub mod diff;
pub mod export;
pub mod images;
pub mod import;
pub mod init;
pub mod is;
pub mod log;
pub mod ls;
pub mod mkdir;
pub mod mv;
pub mod new_container;
pub mod pull;
pub mod pwd;
pub mod reflog;
pub mod reset;
pub mod status;
pub mod tag;
pub mod tree;
pub mod write;

use anyhow::bail;

use hako::container::{
    cwd, display_path, read_working, resolve_path, set_working_root, working_root,
};
use hako::prolly::dir::{self, Entry, S_IFDIR};
use hako::revparse::{peel_to_tree, rev_parse};
use hako::store::{BatchWriter, ObjectStore};
use hako::workspace::Workspace;
use hako::ObjectId;

/// A `[REF:]PATH` argument: split at the first `:` only when it comes before
/// any `/` and is not the first character.
pub fn split_ref_path(spec: &str) -> (Option<&str>, &str) {
    if let Some(i) = spec.find(':') {
        let slash = spec.find('/').unwrap_or(usize::MAX);
        if i > 0 && i < slash {
            return (Some(&spec[..i]), &spec[i + 1..]);
        }
    }
    (None, spec)
}

/// Where a `[REF:]PATH` points: the tree it is in and the path's components.
pub struct Located {
    pub root: ObjectId,
    pub comps: Vec<Vec<u8>>,
    /// "REF:" prefix for messages, or "".
    pub label: String,
}

impl Located {
    pub fn shown(&self) -> String {
        format!("{}{}", self.label, display_path(&self.comps))
    }
}

pub fn locate(ws: &Workspace, spec: &str) -> anyhow::Result<Located> {
    let (r, path) = split_ref_path(spec);
    let root = match r {
        Some(r) => peel_to_tree(ws, rev_parse(ws, r)?)?,
        None => working_root(ws)?,
    };
    let comps = resolve_path(&cwd(ws)?, path)?;
    Ok(Located {
        root,
        comps,
        label: r.map(|r| format!("{r}:")).unwrap_or_default(),
    })
}

/// The entry at a path; the root itself is a directory entry with an empty name.
pub fn lookup(
    store: &dyn ObjectStore,
    root: &ObjectId,
    comps: &[Vec<u8>],
) -> anyhow::Result<Option<Entry>> {
    if comps.is_empty() {
        return Ok(Some(Entry::new(b"", S_IFDIR | 0o755, *root)));
    }
    Ok(dir::lookup_path(store, root, comps)?)
}

/// The entry at a located path, or a fatal "no such file or directory".
pub fn must_lookup(store: &dyn ObjectStore, loc: &Located) -> anyhow::Result<Entry> {
    match lookup(store, &loc.root, &loc.comps)? {
        Some(e) => Ok(e),
        None => bail!("{}: no such file or directory", loc.shown()),
    }
}

/// Follow symlinks (inside the tree) at a path, up to 40 hops.
pub fn follow(
    store: &dyn ObjectStore,
    root: &ObjectId,
    comps: &[Vec<u8>],
) -> anyhow::Result<Option<(Vec<Vec<u8>>, Entry)>> {
    let mut comps = comps.to_vec();
    for _ in 0..40 {
        let Some(e) = lookup(store, root, &comps)? else {
            return Ok(None);
        };
        if !e.is_symlink() {
            return Ok(Some((comps, e)));
        }
        let target = String::from_utf8_lossy(&store.read(&e.id)?.data).to_string();
        let parent = display_path(&comps[..comps.len() - 1]);
        comps = resolve_path(&parent, &target)?;
    }
    bail!(
        "{}: too many levels of symbolic links",
        display_path(&comps)
    )
}

/// Run `f` on the working root and store its result as the new working root,
/// crash-safely: objects are flushed before the root moves, and the move is a
/// compare-and-swap against the root `f` started from.
pub fn edit_working<F>(ws: &Workspace, f: F) -> anyhow::Result<ObjectId>
where
    F: FnOnce(&BatchWriter, ObjectId) -> anyhow::Result<ObjectId>,
{
    let raw = read_working(ws)?;
    let old = working_root(ws)?;
    let batch = BatchWriter::new(&ws.odb);
    let new = f(&batch, old)?;
    batch.flush()?;
    test_pause("write");
    if new != old {
        set_working_root(ws, new, raw)?;
    }
    Ok(new)
}

/// Resolve several user paths against the current directory.
pub fn resolve_all(ws: &Workspace, paths: &[String]) -> anyhow::Result<Vec<Vec<Vec<u8>>>> {
    let cwd = cwd(ws)?;
    Ok(paths
        .iter()
        .map(|p| resolve_path(&cwd, p))
        .collect::<Result<_, _>>()?)
}

/// The last component of a path (for `cp a b/` into directories).
pub fn basename(comps: &[Vec<u8>]) -> anyhow::Result<Vec<u8>> {
    match comps.last() {
        Some(c) => Ok(c.clone()),
        None => bail!("the root directory has no name"),
    }
}

/// Set `path` to `entry`, refusing to create it inside a non-directory.
pub fn put(
    store: &dyn ObjectStore,
    root: &ObjectId,
    comps: &[Vec<u8>],
    entry: Option<Entry>,
) -> anyhow::Result<ObjectId> {
    Ok(dir::update_path(
        store,
        root,
        comps,
        entry,
        S_IFDIR | 0o755,
    )?)
}

/// For tests of concurrent commands: with `HAKO_TEST_PAUSE=POINT:PATH`, the
/// command reaching POINT creates `PATH.ready` and waits (up to 30 s) for
/// `PATH.go` to exist, so a test can run another command in between.
pub fn test_pause(point: &str) {
    let Ok(spec) = std::env::var("HAKO_TEST_PAUSE") else {
        return;
    };
    let Some((p, path)) = spec.split_once(':') else {
        return;
    };
    if p != point {
        return;
    }
    let _ = std::fs::write(format!("{path}.ready"), b"");
    let go = std::path::PathBuf::from(format!("{path}.go"));
    for _ in 0..3000 {
        if go.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
