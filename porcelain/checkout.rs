//! `hako checkout REF`: switch HEAD to a branch (or detach at a commit).

use anyhow::bail;

use hako::container::{commit_tree_of, is_dirty, lock_working, read_working};
use hako::refs::{check_short_name, Expect};
use hako::revparse::{peel_to_commit, rev_parse};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Discard uncommitted changes in the working root.
    #[arg(short = 'f', long)]
    force: bool,
    /// Create branch NEW at REF and switch to it.
    #[arg(short = 'b', value_name = "NEW")]
    new_branch: Option<String>,
    /// A branch, tag or commit (default HEAD, with -b).
    #[arg(required_unless_present = "new_branch", default_value = "HEAD")]
    target: String,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let commit = peel_to_commit(&ws.odb, rev_parse(ws.repo(), &a.target)?)?;
    if hako::merge::state::read_state(&ws.refs)?.is_some() {
        bail!("a merge is in progress: finish it ('hako merge --continue') or give it up ('hako merge --abort') first");
    }
    crate::porcelain::refuse_if_running(&ws, "checkout", a.force)?;
    if is_dirty(&ws)? && !a.force {
        bail!(
            "the working root has uncommitted changes; commit them or use --force to discard them"
        );
    }
    let who = ws.committer()?;
    let from = ws
        .refs
        .head_target()?
        .map(|t| t.trim_start_matches("refs/heads/").to_string())
        .or_else(|| ws.refs.resolve("HEAD").ok().flatten().map(|i| i.short()))
        .unwrap_or_default();
    let raw = read_working(&ws)?;
    let full = format!("refs/heads/{}", a.target);
    let branch = if let Some(nb) = &a.new_branch {
        check_short_name("heads", nb)?;
        Some(format!("refs/heads/{nb}"))
    } else if check_short_name("heads", &a.target).is_ok() && ws.refs.resolve(&full)?.is_some() {
        Some(full)
    } else {
        None
    };
    let msg = format!(
        "checkout: moving from {from} to {}",
        a.new_branch.as_deref().unwrap_or(&a.target)
    );
    // HEAD and the working root move together, under the working root's lock:
    // no write can land on the old branch's tree after HEAD has moved.
    let working = lock_working(&ws, raw)?;
    let mut t = ws.refs.transaction();
    if let (Some(nb), Some(full)) = (&a.new_branch, &branch) {
        t.update(
            full,
            commit,
            Expect::Absent,
            &format!("branch: created from {}", a.target),
        );
        let _ = nb;
    }
    match &branch {
        Some(full) => t.set_symbolic("HEAD", full, &msg),
        // Detach: HEAD holds the commit itself.
        None => t.update_no_deref("HEAD", commit, &msg),
    };
    t.commit(&who)?;
    working.commit(commit_tree_of(&ws, &commit)?)?;
    match branch {
        Some(b) => eprintln!(
            "Switched to branch '{}'",
            b.trim_start_matches("refs/heads/")
        ),
        None => eprintln!("HEAD is now at {} (detached)", commit.short()),
    }
    Ok(0)
}
