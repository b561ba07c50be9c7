//! The merge workflow (format-spec/merge.md): fast-forward, a strategy
//! merge, or a three-way merge that is committed at once or left in the
//! working root with its conflicts recorded until it is concluded (`merge
//! --continue`, `commit`) or aborted. Commands turn arguments into these
//! calls and print what they return.
#![warn(missing_docs)]

use super::state::{
    clear_state, read_conflicts, read_state, write_state, ConflictRecord, MergeState,
};
use super::{base_tree, merge_bases, merge_trees, MergeOptions, MergeOutcome};
use crate::commit::create_commit_as_user;
use crate::container::{
    commit_tree_of, head_commit, lock_working, move_head, read_working, working_root,
};
use crate::error::{MergeError, Result};
use crate::object::clean_message;
use crate::prolly::dir::diff_recursive;
use crate::revparse::peel_to_tree;
use crate::revwalk::is_ancestor;
use crate::store::ObjectStore;
use crate::workspace::Workspace;
use crate::ObjectId;

/// A whole-merge strategy: the result is one side's tree as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Keep our tree.
    Ours,
    /// Take their tree.
    Theirs,
}

impl Strategy {
    /// The name `--strategy` takes.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Ours => "ours",
            Strategy::Theirs => "theirs",
        }
    }

    /// The strategy `--strategy` names, if any.
    pub fn from_name(s: &str) -> Option<Strategy> {
        match s {
            "ours" => Some(Strategy::Ours),
            "theirs" => Some(Strategy::Theirs),
            _ => None,
        }
    }
}

/// How `merge` brings a commit in (the options of `hako merge REF`).
#[derive(Clone, Debug, Default)]
pub struct MergeRequest {
    /// The merge commit's message (default "Merge NAME").
    pub message: Option<String>,
    /// Make a merge commit even when a fast-forward is possible.
    pub no_ff: bool,
    /// Refuse unless the merge is a fast-forward.
    pub ff_only: bool,
    /// Leave the merged tree in the working root; concluding records one parent.
    pub squash: bool,
    /// `--strategy`: take one side's tree whole.
    pub strategy: Option<Strategy>,
    /// How conflicts are written or resolved.
    pub options: MergeOptions,
    /// Merge histories that share no commit.
    pub allow_unrelated: bool,
}

/// A commit made by the workflow and its message's first line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Made {
    /// The commit.
    pub id: ObjectId,
    /// Its message's first line.
    pub summary: String,
}

/// What `merge` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Merged {
    /// The commit is already in HEAD's history; nothing changed.
    UpToDate,
    /// HEAD moved from `from` to `to`.
    FastForward {
        /// Where HEAD was.
        from: ObjectId,
        /// Where it is now.
        to: ObjectId,
    },
    /// A merge commit whose tree is one side's (`--strategy`).
    Strategy {
        /// The merge commit.
        commit: ObjectId,
        /// The side whose tree it has.
        strategy: Strategy,
    },
    /// A clean three-way merge, committed.
    Committed(Made),
    /// A clean squash merge, left in the working root.
    Squashed,
    /// The merge stopped with these conflicts, recorded until it is concluded.
    Conflicts(Vec<ConflictRecord>),
}

/// The first line of a commit message, as summaries and reflogs show it.
fn summary_of(message: &str) -> String {
    clean_message(message)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

fn require_message(message: &str) -> Result<()> {
    if clean_message(message).is_empty() {
        return Err(MergeError::EmptyMessage.into());
    }
    Ok(())
}

/// Refuse while a merge is in progress.
pub fn refuse_in_progress(ws: &Workspace) -> Result<()> {
    if read_state(&ws.refs)?.is_some() {
        return Err(MergeError::InProgress.into());
    }
    Ok(())
}

/// Merge commit `theirs` into commit `ours` over their merge base(s),
/// touching no ref and no working root.
pub fn merge_commits(
    odb: &dyn ObjectStore,
    ours: ObjectId,
    theirs: ObjectId,
    allow_unrelated: bool,
    opts: &MergeOptions,
) -> Result<MergeOutcome> {
    let bases = merge_bases(odb, ours, theirs)?;
    let base = match base_tree(odb, &bases)? {
        Some(t) => t,
        None if allow_unrelated => crate::prolly::dir::empty(odb)?,
        None => return Err(MergeError::UnrelatedHistories.into()),
    };
    let (o, t) = (peel_to_tree(odb, ours)?, peel_to_tree(odb, theirs)?);
    merge_trees(odb, &base, &o, &t, opts)
}

/// Apply the uncommitted changes (HEAD's tree → working root) to `merged`,
/// refusing if the merge changes any path they touch.
fn carry(
    ws: &Workspace,
    head: &ObjectId,
    working: &ObjectId,
    merged: &ObjectId,
) -> Result<ObjectId> {
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
            return Err(MergeError::WouldOverwritePath(m.path.clone()).into());
        }
    }
    let r = merge_trees(&ws.odb, head, working, merged, &MergeOptions::default())?;
    if !r.is_clean() {
        return Err(MergeError::WouldOverwrite.into());
    }
    Ok(r.tree)
}

/// Merge commit `theirs` (named `name` in messages and the reflog) into the
/// current branch, carrying uncommitted changes along.
pub fn merge(ws: &Workspace, name: &str, theirs: ObjectId, req: &MergeRequest) -> Result<Merged> {
    refuse_in_progress(ws)?;
    let Some(head) = head_commit(ws)? else {
        return Err(MergeError::NoCommits.into());
    };
    let raw = read_working(ws)?;
    let working = working_root(ws)?;
    let head_tree = commit_tree_of(ws, &head)?;
    if is_ancestor(&ws.odb, theirs, head)? {
        return Ok(Merged::UpToDate);
    }
    if let Some(strategy) = req.strategy {
        let side = strategy.name();
        let tree = match strategy {
            Strategy::Ours => head_tree,
            Strategy::Theirs => commit_tree_of(ws, &theirs)?,
        };
        let new = carry(ws, &head_tree, &working, &tree)?;
        let message = req
            .message
            .clone()
            .unwrap_or_else(|| format!("Merge {name} (strategy {side})"));
        require_message(&message)?;
        let id = create_commit_as_user(ws, tree, &[head, theirs], &message)?;
        let reflog = format!("merge {name}: Merge made by the '{side}' strategy");
        move_head(ws, raw, Some(head), id, new, &reflog)?;
        return Ok(Merged::Strategy {
            commit: id,
            strategy,
        });
    }
    let ff = is_ancestor(&ws.odb, head, theirs)?;
    if req.ff_only && !ff {
        return Err(MergeError::NotFastForward(name.to_string()).into());
    }
    if ff && !req.no_ff && !req.squash {
        let new = carry(ws, &head_tree, &working, &commit_tree_of(ws, &theirs)?)?;
        let reflog = format!("merge {name}: Fast-forward");
        move_head(ws, raw, Some(head), theirs, new, &reflog)?;
        return Ok(Merged::FastForward {
            from: head,
            to: theirs,
        });
    }
    let m = merge_commits(&ws.odb, head, theirs, req.allow_unrelated, &req.options)?;
    let new = carry(ws, &head_tree, &working, &m.tree)?;
    let message = req
        .message
        .clone()
        .unwrap_or_else(|| format!("Merge {name}"));
    if m.is_clean() && !req.squash {
        require_message(&message)?;
        let id = create_commit_as_user(ws, m.tree, &[head, theirs], &message)?;
        let reflog = format!("merge {name}: Merge made");
        move_head(ws, raw, Some(head), id, new, &reflog)?;
        return Ok(Merged::Committed(Made {
            id,
            summary: summary_of(&message),
        }));
    }
    let st = MergeState {
        theirs,
        squash: req.squash,
        orig_head: head,
        orig_working: working,
        message,
    };
    let conflicts: Vec<ConflictRecord> = m
        .conflicts
        .iter()
        .map(|c| (c.kind, c.path.clone()))
        .collect();
    // The state is recorded before the working root moves, under its lock.
    let lock = lock_working(ws, raw)?;
    write_state(&ws.refs, &st, &conflicts)?;
    lock.commit(new)?;
    Ok(if conflicts.is_empty() {
        Merged::Squashed
    } else {
        Merged::Conflicts(conflicts)
    })
}

/// Record the merge in progress as a commit (`merge --continue`, `commit`),
/// with `message` or the one recorded: refused while a conflict is unresolved.
pub fn conclude(ws: &Workspace, st: &MergeState, message: Option<&str>) -> Result<Made> {
    let open = read_conflicts(&ws.refs)?;
    if let Some((_, first)) = open.first() {
        return Err(MergeError::Unresolved {
            count: open.len(),
            first: first.clone(),
        }
        .into());
    }
    let msg = message.unwrap_or(&st.message);
    require_message(msg)?;
    let raw = read_working(ws)?;
    let tree = working_root(ws)?;
    let mut parents = vec![st.orig_head];
    if !st.squash {
        parents.push(st.theirs);
    }
    let id = create_commit_as_user(ws, tree, &parents, msg)?;
    let summary = summary_of(msg);
    let reflog = format!("commit (merge): {summary}");
    move_head(ws, raw, Some(st.orig_head), id, tree, &reflog)?;
    clear_state(&ws.refs)?;
    Ok(Made { id, summary })
}

/// Conclude the merge in progress (`merge --continue`).
pub fn continue_merge(ws: &Workspace, message: Option<&str>) -> Result<Made> {
    let Some(st) = read_state(&ws.refs)? else {
        return Err(MergeError::NothingToContinue.into());
    };
    conclude(ws, &st, message)
}

/// Give up the merge in progress: HEAD and the working root as before it.
pub fn abort(ws: &Workspace) -> Result<()> {
    let Some(st) = read_state(&ws.refs)? else {
        return Err(MergeError::NothingToAbort.into());
    };
    if head_commit(ws)? != Some(st.orig_head) {
        return Err(MergeError::HeadMoved.into());
    }
    let lock = lock_working(ws, read_working(ws)?)?;
    lock.commit(st.orig_working)?;
    clear_state(&ws.refs)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commit::commit_working;
    use crate::container::set_working_root;
    use crate::object::ObjectType;
    use crate::prolly::dir::{self, Entry, S_IFREG};
    use crate::store::ObjectStore;

    fn workspace(root: &std::path::Path) -> Workspace {
        let ws = Workspace::init(root).unwrap();
        let cfg = ws.dir.join("config");
        let mut text = std::fs::read_to_string(&cfg).unwrap();
        text.push_str("[user]\n\tname = T\n\temail = t@x\n");
        std::fs::write(&cfg, text).unwrap();
        Workspace::open(&ws.dir).unwrap()
    }

    /// A tree holding one file `f` with `content`.
    fn tree_with(ws: &Workspace, content: &str) -> ObjectId {
        let blob = ws.odb.write(ObjectType::Blob, content.as_bytes()).unwrap();
        dir::build(&ws.odb, vec![Entry::new(b"f", S_IFREG | 0o644, blob)]).unwrap()
    }

    fn commit_file(ws: &Workspace, content: &str) -> ObjectId {
        let tree = tree_with(ws, content);
        set_working_root(ws, tree, read_working(ws).unwrap()).unwrap();
        commit_working(ws, content, "commit", false)
            .unwrap()
            .unwrap()
    }

    fn message(r: Result<impl std::fmt::Debug>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn conflicts_are_recorded_refused_and_aborted() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path());
        let req = MergeRequest::default();
        let base = commit_file(&ws, "a\n");
        let ours = commit_file(&ws, "b\n");
        let theirs_tree = tree_with(&ws, "c\n");
        let theirs = create_commit_as_user(&ws, theirs_tree, &[base], "c").unwrap();

        let ff_only = MergeRequest {
            ff_only: true,
            ..MergeRequest::default()
        };
        assert_eq!(
            message(merge(&ws, "side", theirs, &ff_only)),
            "not possible to fast-forward to 'side'"
        );
        let Merged::Conflicts(conflicts) = merge(&ws, "side", theirs, &req).unwrap() else {
            panic!("a conflicting merge stops");
        };
        assert_eq!(
            conflicts,
            vec![(super::super::ConflictKind::Content, b"f".to_vec())]
        );
        assert_eq!(
            message(merge(&ws, "side", theirs, &req)),
            "a merge is in progress: resolve it and 'hako merge --continue', or 'hako merge --abort'"
        );
        assert_eq!(
            message(continue_merge(&ws, None)),
            "cannot commit: 1 unresolved conflict(s), first '/f' ('hako add PATH' marks a path resolved)"
        );
        abort(&ws).unwrap();
        assert_eq!(head_commit(&ws).unwrap(), Some(ours));
        assert_eq!(
            working_root(&ws).unwrap(),
            commit_tree_of(&ws, &ours).unwrap()
        );
        assert_eq!(read_state(&ws.refs).unwrap(), None);
        assert_eq!(message(abort(&ws)), "there is no merge to abort");
        assert_eq!(
            message(continue_merge(&ws, None)),
            "there is no merge to continue"
        );
    }

    #[test]
    fn fast_forward_carries_changes_and_refuses_to_overwrite_them() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path());
        let req = MergeRequest::default();
        let base = commit_file(&ws, "a\n");
        let next_tree = tree_with(&ws, "b\n");
        let next = create_commit_as_user(&ws, next_tree, &[base], "b").unwrap();
        assert_eq!(merge(&ws, "next", base, &req).unwrap(), Merged::UpToDate);
        set_working_root(&ws, tree_with(&ws, "dirty\n"), read_working(&ws).unwrap()).unwrap();
        assert_eq!(
            message(merge(&ws, "next", next, &req)),
            "uncommitted changes to '/f' would be overwritten by the merge; commit them first"
        );
        assert_eq!(head_commit(&ws).unwrap(), Some(base));
        set_working_root(
            &ws,
            commit_tree_of(&ws, &base).unwrap(),
            read_working(&ws).unwrap(),
        )
        .unwrap();
        assert_eq!(
            merge(&ws, "next", next, &req).unwrap(),
            Merged::FastForward {
                from: base,
                to: next
            }
        );
        assert_eq!(working_root(&ws).unwrap(), next_tree);
    }

    #[test]
    fn messages_stay_as_users_see_them() {
        let e = |m: MergeError| crate::Error::from(m).to_string();
        assert_eq!(
            e(MergeError::WouldOverwritePath(b"a\tb".to_vec())),
            "uncommitted changes to '/\"a\\tb\"' would be overwritten by the merge; commit them first"
        );
        assert_eq!(
            e(MergeError::WouldOverwrite),
            "uncommitted changes would be overwritten by the merge; commit them first"
        );
        assert_eq!(e(MergeError::EmptyMessage), "empty commit message");
        assert_eq!(
            e(MergeError::HeadMoved),
            "HEAD moved since the merge started; nothing was restored"
        );
        assert_eq!(
            e(MergeError::NoCommits),
            "cannot merge into a branch with no commits"
        );
        assert_eq!(
            e(MergeError::UnrelatedHistories),
            "refusing to merge unrelated histories"
        );
        assert_eq!(
            e(MergeError::MalformedState("/w/MERGE".into())),
            "/w/MERGE: malformed merge state"
        );
        let tree = ObjectId::from_hex(&"ab".repeat(32)).unwrap();
        assert_eq!(
            e(MergeError::TooDeep { tree, limit: 2048 }),
            format!("tree {tree} nests directories deeper than the limit of 2048")
        );
    }
}
