//! `hako merge REF`: bring another branch's history into the current one
//! (format-spec/merge.md): fast-forward where possible, else a three-way
//! merge committed with two parents, or left in the working root with its
//! conflicts recorded until `add` resolves them and `merge --continue` (or
//! `commit`) records it.

use anyhow::bail;

use hako::commit::create_commit_as_user;
use hako::container::{
    commit_tree_of, head_commit, lock_working, move_head, read_working, working_root,
};
use hako::merge::state::{clear_state, read_conflicts, read_state, write_state, MergeState};
use hako::merge::{merge_trees, MergeOptions};
use hako::object::clean_message;
use hako::prolly::dir::diff_recursive;
use hako::revparse::{peel_to_commit, rev_parse};
use hako::revwalk::is_ancestor;
use hako::workspace::Workspace;
use hako::ObjectId;

use crate::plumbing;
use crate::plumbing::merge_tree::{merge_commits, options};

#[derive(clap::Args)]
pub struct Args {
    /// The branch, tag or commit to merge into the current branch.
    #[arg(required_unless_present_any = ["abort", "continue_"])]
    target: Option<String>,
    /// The merge commit's message (default "Merge REF").
    #[arg(short = 'm', value_name = "MSG")]
    message: Option<String>,
    /// Make a merge commit even when a fast-forward is possible.
    #[arg(long, conflicts_with = "ff_only")]
    no_ff: bool,
    /// Refuse unless the merge is a fast-forward.
    #[arg(long)]
    ff_only: bool,
    /// Put the merged tree in the working root without committing or recording a second parent.
    #[arg(long, conflicts_with_all = ["no_ff", "ff_only"])]
    squash: bool,
    /// Whole-merge strategy: the result is one side's tree as it is (`ours`
    /// records the other history as merged without taking any of it),
    /// always as a merge commit.
    #[arg(short = 's', long, value_name = "ours|theirs", value_parser = ["ours", "theirs"],
          conflicts_with_all = ["squash", "ff_only", "favor"])]
    strategy: Option<String>,
    /// Resolve conflicts in favour of one side.
    #[arg(short = 'X', value_name = "ours|theirs", value_parser = ["ours", "theirs"])]
    favor: Option<String>,
    /// Conflict markers include the base section.
    #[arg(long)]
    diff3: bool,
    /// Merge a history that shares no commit with the current one.
    #[arg(long)]
    allow_unrelated_histories: bool,
    /// Give up the merge in progress: HEAD and the working root as before it.
    #[arg(long, conflicts_with_all = ["target", "continue_"])]
    abort: bool,
    /// Record the merge in progress once every conflict is resolved (`hako add`).
    #[arg(long = "continue", id = "continue_", conflicts_with = "target")]
    continue_: bool,
}

/// Apply the uncommitted changes (HEAD's tree → working root) to `merged`,
/// refusing if the merge changes any path they touch.
fn carry(
    ws: &Workspace,
    head: &ObjectId,
    working: &ObjectId,
    merged: &ObjectId,
) -> anyhow::Result<ObjectId> {
    if working == head {
        return Ok(*merged);
    }
    let (mut mine, mut theirs) = (Vec::new(), Vec::new());
    diff_recursive(&ws.odb, head, working, true, b"", &mut mine)?;
    diff_recursive(&ws.odb, head, merged, true, b"", &mut theirs)?;
    let overlaps = |a: &[u8], b: &[u8]| {
        let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        l.starts_with(s) && (l.len() == s.len() || l[s.len()] == b'/')
    };
    for m in &mine {
        if theirs.iter().any(|t| overlaps(&m.path, &t.path)) {
            bail!(
                "uncommitted changes to '/{}' would be overwritten by the merge; commit them first",
                plumbing::quote_path(&m.path)
            );
        }
    }
    let r = merge_trees(&ws.odb, head, working, merged, &MergeOptions::default())?;
    if !r.is_clean() {
        bail!("uncommitted changes would be overwritten by the merge; commit them first");
    }
    Ok(r.tree)
}

/// Record the merge in progress as a commit (`merge --continue`, `commit`):
/// refused while a conflict is unresolved.
pub fn conclude(
    ws: &Workspace,
    st: &MergeState,
    message: Option<&str>,
    quiet: bool,
) -> anyhow::Result<i32> {
    let open = read_conflicts(&ws.refs)?;
    if let Some((_, first)) = open.first() {
        bail!(
            "cannot commit: {} unresolved conflict(s), first '/{}' ('hako add PATH' marks a path resolved)",
            open.len(),
            plumbing::quote_path(first)
        );
    }
    let msg = message.unwrap_or(&st.message);
    if clean_message(msg).is_empty() {
        bail!("empty commit message");
    }
    let raw = read_working(ws)?;
    let tree = working_root(ws)?;
    let mut parents = vec![st.orig_head];
    if !st.squash {
        parents.push(st.theirs);
    }
    let id = create_commit_as_user(ws, tree, &parents, msg)?;
    let summary = clean_message(msg).lines().next().unwrap_or("").to_string();
    move_head(
        ws,
        raw,
        Some(st.orig_head),
        id,
        tree,
        &format!("commit (merge): {summary}"),
    )?;
    clear_state(&ws.refs)?;
    if !quiet {
        println!("{} {summary}", id.short());
    }
    Ok(0)
}

fn abort(ws: &Workspace) -> anyhow::Result<i32> {
    let Some(st) = read_state(&ws.refs)? else {
        bail!("there is no merge to abort");
    };
    if head_commit(ws)? != Some(st.orig_head) {
        bail!("HEAD moved since the merge started; nothing was restored");
    }
    let lock = lock_working(ws, read_working(ws)?)?;
    lock.commit(st.orig_working)?;
    clear_state(&ws.refs)?;
    Ok(0)
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    if a.abort {
        return abort(&ws);
    }
    let state = read_state(&ws.refs)?;
    if a.continue_ {
        let Some(st) = state else {
            bail!("there is no merge to continue");
        };
        return conclude(&ws, &st, a.message.as_deref(), false);
    }
    if state.is_some() {
        bail!("a merge is in progress: resolve it and 'hako merge --continue', or 'hako merge --abort'");
    }
    let target = a.target.expect("clap requires it");
    crate::porcelain::refuse_if_running(&ws, "merge", false)?;
    let theirs = peel_to_commit(&ws.odb, rev_parse(ws.repo(), &target)?)?;
    let Some(head) = head_commit(&ws)? else {
        bail!("cannot merge into a branch with no commits");
    };
    let raw = read_working(&ws)?;
    let working = working_root(&ws)?;
    let head_tree = commit_tree_of(&ws, &head)?;
    if is_ancestor(&ws.odb, theirs, head)? {
        println!("Already up to date.");
        return Ok(0);
    }
    if let Some(side) = &a.strategy {
        let tree = if side == "ours" {
            head_tree
        } else {
            commit_tree_of(&ws, &theirs)?
        };
        let new = carry(&ws, &head_tree, &working, &tree)?;
        let message = a
            .message
            .clone()
            .unwrap_or_else(|| format!("Merge {target} (strategy {side})"));
        if clean_message(&message).is_empty() {
            bail!("empty commit message");
        }
        let id = create_commit_as_user(&ws, tree, &[head, theirs], &message)?;
        move_head(
            &ws,
            raw,
            Some(head),
            id,
            new,
            &format!("merge {target}: Merge made by the '{side}' strategy"),
        )?;
        println!("{} Merge made by the '{side}' strategy.", id.short());
        return Ok(0);
    }
    let ff = is_ancestor(&ws.odb, head, theirs)?;
    if a.ff_only && !ff {
        bail!("not possible to fast-forward to '{target}'");
    }
    if ff && !a.no_ff && !a.squash {
        let new = carry(&ws, &head_tree, &working, &commit_tree_of(&ws, &theirs)?)?;
        move_head(
            &ws,
            raw,
            Some(head),
            theirs,
            new,
            &format!("merge {target}: Fast-forward"),
        )?;
        println!(
            "Updating {}..{}\nFast-forward",
            head.short(),
            theirs.short()
        );
        return Ok(0);
    }
    let opts = options(a.favor.as_deref(), a.diff3);
    let m = merge_commits(&ws, head, theirs, a.allow_unrelated_histories, &opts)?;
    let new = carry(&ws, &head_tree, &working, &m.tree)?;
    let message = a
        .message
        .clone()
        .unwrap_or_else(|| format!("Merge {target}"));
    if m.is_clean() && !a.squash {
        if clean_message(&message).is_empty() {
            bail!("empty commit message");
        }
        let id = create_commit_as_user(&ws, m.tree, &[head, theirs], &message)?;
        let summary = clean_message(&message)
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        move_head(
            &ws,
            raw,
            Some(head),
            id,
            new,
            &format!("merge {target}: Merge made"),
        )?;
        println!("{} {summary}", id.short());
        return Ok(0);
    }
    let st = MergeState {
        theirs,
        squash: a.squash,
        orig_head: head,
        orig_working: working,
        message,
    };
    let conflicts: Vec<_> = m
        .conflicts
        .iter()
        .map(|c| (c.kind, c.path.clone()))
        .collect();
    // The state is recorded before the working root moves, under its lock.
    let lock = lock_working(&ws, raw)?;
    write_state(&ws.refs, &st, &conflicts)?;
    lock.commit(new)?;
    for c in &m.conflicts {
        println!(
            "CONFLICT ({}): /{}",
            c.kind.name(),
            plumbing::quote_path(&c.path)
        );
    }
    if m.is_clean() {
        println!(
            "Squash merge: the working root holds the result; 'hako merge --continue' commits it"
        );
        return Ok(0);
    }
    println!("Automatic merge failed: fix the conflicts, 'hako add' each path, then 'hako merge --continue'.");
    Ok(1)
}
