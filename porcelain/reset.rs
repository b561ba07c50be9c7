//! `hako reset [--hard] REF`: move the current branch (or detached HEAD) to REF.

use hako::container::{commit_tree_of, move_head, read_working, working_root};
use hako::revparse::{peel_to_commit, rev_parse};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Also reset the working root to REF's tree (uncommitted changes are dropped).
    #[arg(long)]
    hard: bool,
    /// The commit to move to.
    target: String,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let commit = peel_to_commit(&ws.odb, rev_parse(ws.repo(), &a.target)?)?;
    if a.hard {
        crate::porcelain::refuse_if_running(&ws, "reset --hard", false)?;
    }
    let raw = read_working(&ws)?;
    let old = ws.refs.resolve("HEAD")?;
    // --hard: REF's tree; else the working root as it was, which now shows
    // as changes against REF.
    let tree = match a.hard {
        true => commit_tree_of(&ws, &commit)?,
        false => working_root(&ws)?,
    };
    let msg = format!("reset: moving to {}", a.target);
    move_head(&ws, raw, old, commit, tree, &msg)?;
    // As git's reset: a merge in progress is given up (HEAD moved under it).
    hako::merge::state::clear_state(&ws.refs)?;
    if a.hard {
        eprintln!("HEAD is now at {}", commit.short());
    }
    Ok(0)
}
