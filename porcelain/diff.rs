//! `hako diff [A [B]] [-- PATH…]`: unified diffs between commits, branches,
//! tags and the working root (default: HEAD against the working root).

use std::io::Write;

use hako::container::{cwd, head_tree, resolve_path, working_root};
use hako::prolly::dir::diff_recursive;
use hako::revparse::rev_parse_tree;
use hako::workspace::Workspace;
use hako::ObjectId;

use super::patch::{filter, write_patch, write_stat};
use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Print a diffstat instead of the patch.
    #[arg(long)]
    stat: bool,
    /// Print `<status>\t<path>` per change.
    #[arg(long)]
    name_status: bool,
    /// Print changed paths only.
    #[arg(long)]
    name_only: bool,
    /// Exit 1 if there are differences.
    #[arg(long)]
    exit_code: bool,
    /// Old and new: commits, branches, tags, trees or WORKING.
    revs: Vec<String>,
    /// Limit to these paths.
    #[arg(last = true)]
    paths: Vec<String>,
}

fn tree_of(ws: &Workspace, rev: &str) -> anyhow::Result<ObjectId> {
    Ok(rev_parse_tree(ws.repo(), rev)?)
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    // Writes of running overlay instances, folded now (runtime.md).
    hako::runtime::overlay::fold_running(&ws)?;
    let (ta, tb) = match a.revs.as_slice() {
        [] => (head_tree(&ws)?, working_root(&ws)?),
        [x] => (tree_of(&ws, x)?, working_root(&ws)?),
        [x, y] => (tree_of(&ws, x)?, tree_of(&ws, y)?),
        _ => return Err(plumbing::usage("hako diff [A [B]] [-- PATH…]")),
    };
    let cwd = cwd(&ws)?;
    let prefixes: Vec<Vec<Vec<u8>>> = a
        .paths
        .iter()
        .map(|p| resolve_path(&cwd, p))
        .collect::<Result<_, _>>()?;
    let mut changes = Vec::new();
    diff_recursive(&ws.odb, &ta, &tb, true, b"", &mut changes)?;
    let changes = filter(changes, &prefixes);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.name_only || a.name_status {
        for c in &changes {
            let p = plumbing::quote_path(&c.path);
            if a.name_status {
                plumbing::out(writeln!(out, "{}\t{p}", c.status()))?;
            } else {
                plumbing::out(writeln!(out, "{p}"))?;
            }
        }
    } else if a.stat {
        write_stat(&ws.odb, &changes, &mut out)?;
    } else {
        write_patch(&ws.odb, &changes, &mut out)?;
    }
    plumbing::out(out.flush())?;
    Ok(if a.exit_code && !changes.is_empty() {
        1
    } else {
        0
    })
}
