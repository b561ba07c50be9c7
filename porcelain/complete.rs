//! The values shell completion offers (clap's dynamic completion: the shell
//! asks `hako` itself, through the script `hako completions SHELL` prints):
//! branches, tags, containers, remotes and instances of the workspace
//! around the current directory. Nothing is offered outside a workspace.

use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

use hako::workspace::Workspace;

/// The variable that makes `hako` answer a shell's completion request.
pub const ENV: &str = "HAKO_COMPLETE";

fn workspace() -> Option<Workspace> {
    let cwd = std::env::current_dir().ok()?;
    Workspace::discover(&cwd, None).ok()
}

fn candidate(value: String, help: &'static str) -> CompletionCandidate {
    CompletionCandidate::new(value).help(Some(help.into()))
}

/// Every container.
pub fn containers() -> Vec<CompletionCandidate> {
    let Some(ws) = workspace() else {
        return Vec::new();
    };
    ws.containers()
        .unwrap_or_default()
        .into_iter()
        .map(|c| candidate(c, "container"))
        .collect()
}

/// The remotes of the workspace's config.
pub fn remotes() -> Vec<CompletionCandidate> {
    let Some(ws) = workspace() else {
        return Vec::new();
    };
    hako::transport::sync::remotes(&ws)
        .into_iter()
        .map(|(name, _)| candidate(name, "remote"))
        .collect()
}

/// Branches, tags and remote-tracking branches of the selected container,
/// then the other containers as `CONTAINER:` (refs.md "Revisions").
pub fn revisions() -> Vec<CompletionCandidate> {
    let Some(ws) = workspace() else {
        return Vec::new();
    };
    let mut out = vec![candidate("HEAD".into(), "the current commit")];
    for (prefix, help) in [
        ("refs/heads/", "branch"),
        ("refs/tags/", "tag"),
        ("refs/remotes/", "remote-tracking branch"),
    ] {
        for (name, _) in ws.refs.list(prefix).unwrap_or_default() {
            if let Some(short) = name.strip_prefix(prefix) {
                out.push(candidate(short.to_string(), help));
            }
        }
    }
    for c in ws.containers().unwrap_or_default() {
        if c != ws.container {
            out.push(candidate(format!("{c}:"), "another container's HEAD"));
        }
    }
    out
}

/// Branches of the selected container.
pub fn branches() -> Vec<CompletionCandidate> {
    let Some(ws) = workspace() else {
        return Vec::new();
    };
    ws.refs
        .list("refs/heads/")
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(n, _)| {
            Some(candidate(
                n.strip_prefix("refs/heads/")?.to_string(),
                "branch",
            ))
        })
        .collect()
}

/// Containers first, then revisions: what `run` takes before its command.
pub fn run_targets() -> Vec<CompletionCandidate> {
    let mut out = containers();
    out.extend(
        revisions()
            .into_iter()
            .filter(|c| !c.get_value().to_str().is_some_and(|v| v.ends_with(':'))),
    );
    out
}

/// Instances by name, else by id.
pub fn instances() -> Vec<CompletionCandidate> {
    let Some(ws) = workspace() else {
        return Vec::new();
    };
    hako::runtime::instance::list(&ws)
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            let help = if i.name.is_some() {
                "instance"
            } else {
                "instance id"
            };
            candidate(i.name.clone().unwrap_or(i.id.clone()), help)
        })
        .collect()
}

/// The completer values for `#[arg(add = …)]`.
pub fn of(f: fn() -> Vec<CompletionCandidate>) -> ArgValueCandidates {
    ArgValueCandidates::new(f)
}

type Source = fn() -> Vec<CompletionCandidate>;

/// (command, argument id, what completes it).
const COMPLETED: &[(&str, &str, Source)] = &[
    ("checkout", "target", revisions),
    ("merge", "target", revisions),
    ("reset", "target", revisions),
    ("show", "object", revisions),
    ("log", "revs", revisions),
    ("diff", "revs", revisions),
    ("branch", "name", branches),
    ("branch", "start", revisions),
    ("tag", "target", revisions),
    ("new-container", "from", revisions),
    ("is", "name", containers),
    ("del-container", "name", containers),
    ("run", "args", run_targets),
    ("shell", "target", run_targets),
    ("fetch", "remote", remotes),
    ("push", "remote", remotes),
    ("exec", "id", instances),
    ("stop", "ids", instances),
    ("kill", "id", instances),
    ("logs", "id", instances),
    ("wait", "id", instances),
    ("rev-parse", "revs", revisions),
    ("merge-base", "a", revisions),
    ("merge-base", "b", revisions),
];

/// `cmd`, built, with its arguments' completers (and `-c NAME`'s, the
/// containers, in every command: a global option is copied into each when
/// the command is built, so the completer is added after the build).
pub fn with_completers(mut cmd: clap::Command) -> clap::Command {
    cmd.build();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    cmd = cmd.mut_arg("hako_container", |a| a.add(of(containers)));
    for n in &names {
        cmd = cmd.mut_subcommand(n, |c| {
            if c.get_arguments().any(|a| a.get_id() == "hako_container") {
                c.mut_arg("hako_container", |a| a.add(of(containers)))
            } else {
                c
            }
        });
    }
    for (sub, arg, source) in COMPLETED {
        cmd = cmd.mut_subcommand(sub, |c| c.mut_arg(arg, |a| a.add(of(*source))));
    }
    cmd
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_completed_argument_exists() {
        let mut root = crate::command();
        root.build();
        for (sub, arg, _) in super::COMPLETED {
            let c = root
                .find_subcommand(sub)
                .unwrap_or_else(|| panic!("{sub}: no such command"));
            assert!(
                c.get_arguments().any(|a| a.get_id() == *arg),
                "{sub} has no argument '{arg}'"
            );
        }
    }
}
