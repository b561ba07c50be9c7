//! `hako help [-a] [COMMAND]`: the everyday commands grouped by what they
//! are for, as `git help` prints them; `-a` adds the plumbing; with a
//! COMMAND, that command's whole help (as `hako COMMAND --help`).

#[derive(clap::Args)]
pub struct Args {
    /// List every command, plumbing included.
    #[arg(short = 'a', long)]
    all: bool,
    /// The command to describe.
    command: Option<String>,
}

/// The everyday commands, by what they are for (every visible porcelain
/// command is in exactly one group: a unit test checks).
pub const GROUPS: &[(&str, &[&str])] = &[
    ("start a workspace", &["bootstrap", "init", "clone"]),
    (
        "containers",
        &[
            "containers",
            "new-container",
            "del-container",
            "is",
            "pull",
            "images",
            "image",
        ],
    ),
    (
        "files of the working root",
        &[
            "ls", "cat", "write", "mkdir", "del", "cp", "mv", "tree", "pwd", "cd", "import",
            "export", "mount", "umount",
        ],
    ),
    (
        "run containers",
        &[
            "run", "shell", "exec", "ps", "logs", "stop", "kill", "wait", "reap", "apply",
        ],
    ),
    (
        "record and examine history",
        &[
            "status", "diff", "commit", "log", "show", "reflog", "tag", "reset",
        ],
    ),
    ("branch and merge", &["branch", "checkout", "merge", "add"]),
    ("share", &["remote", "fetch", "push"]),
    (
        "keep the workspace",
        &[
            "fsck",
            "gc",
            "repack",
            "prune",
            "config",
            "completions",
            "help",
        ],
    ),
];

/// The plumbing commands, as they are declared.
pub fn plumbing_names(root: &clap::Command) -> Vec<String> {
    let everyday: Vec<&str> = GROUPS.iter().flat_map(|(_, c)| c.iter().copied()).collect();
    root.get_subcommands()
        .filter(|c| !c.is_hide_set() && !everyday.contains(&c.get_name()))
        .map(|c| c.get_name().to_string())
        .collect()
}

/// The grouped list, with the plumbing when `all`.
pub fn grouped(root: &clap::Command, all: bool) -> String {
    let about = |name: &str| {
        root.find_subcommand(name)
            .and_then(|c| c.get_about())
            .map(|a| a.to_string())
            .unwrap_or_default()
    };
    let mut out = String::from(
        "usage: hako [-C DIR] [-c CONTAINER] [--no-pager] COMMAND [ARGS]\n\n\
         These are the everyday hako commands:\n",
    );
    let line = |out: &mut String, name: &str| {
        let a = about(name);
        let a = a.trim_end_matches('.');
        out.push_str(&format!("   {name:<18} {a}\n"));
    };
    for (title, names) in GROUPS {
        out.push_str(&format!("\n{title}\n"));
        for n in *names {
            line(&mut out, n);
        }
    }
    if all {
        out.push_str("\nplumbing (stable, for scripts; formats in format-spec/)\n");
        for n in plumbing_names(root) {
            line(&mut out, &n);
        }
        out.push_str("\nGlobal options: -C DIR (run as if started in DIR), -c NAME (act on container NAME), -P/--no-pager.\n");
    } else {
        out.push_str("\n'hako help -a' lists the plumbing commands too.\n");
    }
    out.push_str("'hako help COMMAND' or 'hako COMMAND --help' describes a command; 'man hako-COMMAND' too.\n");
    out
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let mut root = crate::command();
    match a.command {
        None => {
            print!("{}", grouped(&root, a.all));
            Ok(0)
        }
        Some(name) => {
            if root.find_subcommand(&name).is_none() {
                return Err(crate::plumbing::usage(format!(
                    "'{name}' is not a hako command (see 'hako help -a')"
                )));
            }
            // Exactly what `hako NAME --help` prints.
            match root.try_get_matches_from_mut(["hako", name.as_str(), "--help"]) {
                Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {
                    e.print()?;
                    Ok(0)
                }
                _ => Err(anyhow::anyhow!("cannot render the help of '{name}'")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_everyday_command_is_grouped_once_and_exists() {
        let root = crate::command();
        let mut seen = std::collections::HashSet::new();
        for (_, names) in GROUPS {
            for n in *names {
                assert!(seen.insert(*n), "{n} is in two groups");
                let c = root
                    .find_subcommand(n)
                    .unwrap_or_else(|| panic!("{n}: no such command"));
                assert!(!c.is_hide_set(), "{n} is hidden");
            }
        }
        // What is not grouped is listed as plumbing: exactly plumbing/'s
        // command files (those with a `run`; mod.rs and helpers have none).
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("plumbing");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("\npub fn run(")))
            .filter_map(|p| {
                let f = p.file_name()?.to_string_lossy().into_owned();
                f.strip_suffix(".rs").map(|n| n.replace('_', "-"))
            })
            .filter(|n| n != "mod")
            .collect();
        files.sort();
        let mut plumbing = plumbing_names(&root);
        plumbing.sort();
        assert_eq!(plumbing, files);
    }
}
