//! `hako status`: the working root against HEAD.

use std::io::Write;

use hako::container::{head_tree, working_root};
use hako::prolly::dir::{diff_recursive, PathChange};
use hako::workspace::Workspace;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Stable output: `A path`, `M path`, `D path`, `T path` (`-s`, `--short`: the same).
    #[arg(long, short = 's', visible_alias = "short")]
    porcelain: bool,
    /// NUL-terminated entries (implies --porcelain).
    #[arg(short = 'z')]
    nul: bool,
}

/// Changes between HEAD's tree and the working root, file by file.
pub fn changes(ws: &Workspace) -> anyhow::Result<Vec<PathChange>> {
    let mut out = Vec::new();
    diff_recursive(
        &ws.odb,
        &head_tree(ws)?,
        &working_root(ws)?,
        true,
        b"",
        &mut out,
    )?;
    Ok(out)
}

/// "On branch main" or "HEAD detached at <id>".
pub fn where_line(ws: &Workspace) -> anyhow::Result<String> {
    Ok(match ws.refs.head_target()? {
        Some(t) => format!("On branch {}", t.trim_start_matches("refs/heads/")),
        None => match ws.refs.resolve("HEAD")? {
            Some(id) => format!("HEAD detached at {}", id.short()),
            None => "No commits yet".into(),
        },
    })
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    // Writes of running overlay instances, folded now (runtime.md).
    hako::runtime::overlay::fold_running(&ws)?;
    let changes = changes(&ws)?;
    let merging = hako::merge::state::read_state(&ws.refs)?;
    let conflicts = hako::merge::state::read_conflicts(&ws.refs)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.porcelain || a.nul {
        for (kind, path) in &conflicts {
            if a.nul {
                let p = String::from_utf8_lossy(path);
                plumbing::out(write!(out, "U {p}\0{}\0", kind.name()))?;
            } else {
                let p = plumbing::quote_path(path);
                plumbing::out(writeln!(out, "U {p} {}", kind.name()))?;
            }
        }
        for c in &changes {
            let st = c.status();
            if a.nul {
                plumbing::out(write!(out, "{st} {}\0", String::from_utf8_lossy(&c.path)))?;
            } else {
                plumbing::out(writeln!(out, "{st} {}", plumbing::quote_path(&c.path)))?;
            }
        }
        plumbing::out(out.flush())?;
        return Ok(0);
    }
    plumbing::out(writeln!(
        out,
        "{} (container {})",
        where_line(&ws)?,
        ws.container
    ))?;
    if let Some((up, counts)) = hako::transport::sync::ahead_behind(&ws)? {
        let s = |n: usize| if n == 1 { "" } else { "s" };
        let line = match counts {
            None => format!("Your branch is based on '{up}', but the upstream is gone."),
            Some((0, 0)) => format!("Your branch is up to date with '{up}'."),
            Some((a, 0)) => format!("Your branch is ahead of '{up}' by {a} commit{}.", s(a)),
            Some((0, b)) => format!("Your branch is behind '{up}' by {b} commit{}.", s(b)),
            Some((a, b)) => format!(
                "Your branch and '{up}' have diverged, and have {a} and {b} different commits each."
            ),
        };
        plumbing::out(writeln!(out, "{line}"))?;
    }
    if let Some(st) = &merging {
        plumbing::out(writeln!(
            out,
            "Merging {} ('hako merge --continue' records it, 'hako merge --abort' gives it up)",
            st.theirs.short()
        ))?;
    }
    if !conflicts.is_empty() {
        plumbing::out(writeln!(
            out,
            "Unmerged paths ('hako add PATH' marks one resolved):"
        ))?;
        for (kind, path) in &conflicts {
            let p = plumbing::quote_path(path);
            plumbing::out(writeln!(out, "  {}: /{p}", kind.name()))?;
        }
    }
    if changes.is_empty() {
        plumbing::out(writeln!(out, "nothing to commit, working root clean"))?;
    } else {
        plumbing::out(writeln!(out, "Changes not committed:"))?;
        for c in &changes {
            let label = match c.status() {
                'A' => "added:   ",
                'D' => "deleted: ",
                'T' => "typechange:",
                _ => "modified:",
            };
            plumbing::out(writeln!(
                out,
                "  {label} /{}",
                plumbing::quote_path(&c.path)
            ))?;
        }
    }
    plumbing::out(out.flush())?;
    Ok(0)
}
