//! `hako reset [--hard] REF`: move the current branch (or detached HEAD) to REF.

use hako::container::{commit_tree_of, lock_working, read_working, working_root};
use hako::refs::Expect;
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
    let commit = peel_to_commit(&ws, rev_parse(&ws, &a.target)?)?;
    let raw = read_working(&ws)?;
    let old_working = working_root(&ws)?;
    let old = ws.refs.resolve("HEAD")?;
    let expect = match old {
        Some(o) => Expect::Value(o),
        None => Expect::Absent,
    };
    let working = lock_working(&ws, raw)?;
    ws.refs.update(
        "HEAD",
        commit,
        expect,
        &ws.committer()?,
        &format!("reset: moving to {}", a.target),
    )?;
    if a.hard {
        working.commit(commit_tree_of(&ws, &commit)?)?;
        eprintln!("HEAD is now at {}", commit.short());
    } else {
        // Keep the working root as it was: it now shows as changes against REF.
        working.commit(old_working)?;
    }
    Ok(0)
}
