//! Making commits and annotated tags: check what they point at, clean the
//! message, encode and store.
#![warn(missing_docs)]

use crate::error::{Error, Result};
use crate::identity::Signature;
use crate::object::{clean_message, Commit, ObjectType, Tag};
use crate::oid::ObjectId;
use crate::store::ObjectStore;
use crate::workspace::Workspace;

/// The identity of the seed commit when none is configured: `init` works
/// before the user has set one, and the commit says who made it.
pub const SEED_NAME: &str = "hako init";
const SEED_EMAIL: &str = "init@hako.invalid";

/// Give a container with no commits its first commit: the seed root
/// filesystem (`container::seed_rootfs`). Returns the commit and whether
/// busybox was found for it.
pub fn seed_container(ws: &Workspace) -> Result<(ObjectId, bool)> {
    let batch = crate::store::BatchWriter::new(&ws.odb);
    let (tree, found) = crate::container::seed_rootfs(&batch)?;
    batch.flush()?;
    let who = ws.author_or(SEED_NAME, SEED_EMAIL)?;
    let commit = create_commit(
        &ws.odb,
        tree,
        &[],
        who.clone(),
        who,
        "initial root filesystem",
    )?;
    ws.refs.update(
        "HEAD",
        commit,
        crate::refs::Expect::Absent,
        &ws.committer()?,
        "init: initial root filesystem",
    )?;
    Ok((commit, found))
}

/// The type of the object `id` names.
fn kind_of(store: &dyn ObjectStore, id: &ObjectId) -> Result<ObjectType> {
    Ok(store.read_header(id)?.0)
}

/// Create and store a commit of `tree` with `parents` (order kept) by
/// AUTHOR and COMMITTER; the message is cleaned as `commit` does.
pub fn create_commit(
    store: &dyn ObjectStore,
    tree: ObjectId,
    parents: &[ObjectId],
    author: Signature,
    committer: Signature,
    message: &str,
) -> Result<ObjectId> {
    match kind_of(store, &tree)? {
        ObjectType::Tree => {}
        k => {
            return Err(Error::CommitTreeNotTree {
                id: tree,
                actual: k.name(),
            })
        }
    }
    for p in parents {
        match kind_of(store, p)? {
            ObjectType::Commit => {}
            k => {
                return Err(Error::ParentNotCommit {
                    id: *p,
                    actual: k.name(),
                })
            }
        }
    }
    let c = Commit {
        tree,
        parents: parents.to_vec(),
        author,
        committer,
        message: clean_message(message).into_bytes(),
    };
    store.write(ObjectType::Commit, &c.encode())
}

/// Create and store a commit by the configured author and committer
/// (`Error::NoIdentity` when none is set).
pub fn create_commit_as_user(
    ws: &Workspace,
    tree: ObjectId,
    parents: &[ObjectId],
    message: &str,
) -> Result<ObjectId> {
    let (author, committer) = (ws.commit_author()?, ws.commit_committer()?);
    create_commit(&ws.odb, tree, parents, author, committer, message)
}

/// Commit the selected container's working root on its HEAD by the
/// configured identity, and move HEAD (reflog: `REFLOG_PREFIX: subject`).
/// `None` when the working root equals HEAD's tree, unless `allow_empty`.
pub fn commit_working(
    ws: &Workspace,
    message: &str,
    reflog_prefix: &str,
    allow_empty: bool,
) -> Result<Option<ObjectId>> {
    let how = WorkingCommit {
        message,
        reflog_prefix,
        mark_initial: false,
        allow_empty,
    };
    commit_working_with(ws, &how, || {})
}

/// How `commit_working_with` records the working root.
pub struct WorkingCommit<'a> {
    /// The commit message.
    pub message: &'a str,
    /// The reflog entry reads `PREFIX: subject`.
    pub reflog_prefix: &'a str,
    /// A branch's first commit is logged as `PREFIX (initial): subject`.
    pub mark_initial: bool,
    /// Commit even when the working root equals HEAD's tree.
    pub allow_empty: bool,
}

/// `commit_working`, with `before_move` run between storing the commit and
/// moving HEAD (under the working root's lock a racing write is refused, not
/// lost; tests pause there).
pub fn commit_working_with(
    ws: &Workspace,
    how: &WorkingCommit,
    before_move: impl FnOnce(),
) -> Result<Option<ObjectId>> {
    use crate::container::{commit_tree_of, head_commit, move_head, read_working, working_root};
    let raw = read_working(ws)?;
    let tree = working_root(ws)?;
    let parent = head_commit(ws)?;
    if let Some(p) = parent {
        if !how.allow_empty && commit_tree_of(ws, &p)? == tree {
            return Ok(None);
        }
    }
    let parents: Vec<_> = parent.into_iter().collect();
    let id = create_commit_as_user(ws, tree, &parents, how.message)?;
    let cleaned = clean_message(how.message);
    let subject = cleaned.lines().next().unwrap_or("");
    let prefix = how.reflog_prefix;
    let reflog = if how.mark_initial && parent.is_none() {
        format!("{prefix} (initial): {subject}")
    } else {
        format!("{prefix}: {subject}")
    };
    before_move();
    move_head(ws, raw, parent, id, tree, &reflog)?;
    Ok(Some(id))
}

/// Create and store an annotated tag NAME of `target` by TAGGER.
pub fn create_tag(
    store: &dyn ObjectStore,
    target: ObjectId,
    name: &str,
    tagger: Signature,
    message: &str,
) -> Result<ObjectId> {
    let t = Tag {
        object: target,
        target_type: kind_of(store, &target)?,
        name: name.to_string(),
        tagger,
        message: clean_message(message).into_bytes(),
    };
    store.write(ObjectType::Tag, &t.encode())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::EMPTY_TREE_PAYLOAD;
    use crate::store::MemStore;

    /// HEAD moves after `before_move` runs; an unchanged root commits nothing.
    #[test]
    fn commit_working_with_runs_its_hook_before_head_moves() {
        use crate::container::head_commit;
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path()).unwrap();
        let cfg = ws.dir.join("config");
        let mut text = std::fs::read_to_string(&cfg).unwrap();
        text.push_str("[user]\n\tname = T\n\temail = t@x\n");
        std::fs::write(&cfg, text).unwrap();
        let ws = Workspace::open(&ws.dir).unwrap();
        // The working root of a new workspace: the empty tree, stored.
        ws.odb.write(ObjectType::Tree, EMPTY_TREE_PAYLOAD).unwrap();
        let how = WorkingCommit {
            message: "first",
            reflog_prefix: "commit",
            mark_initial: true,
            allow_empty: false,
        };
        let mut head_at_hook = Some(None);
        let id = commit_working_with(&ws, &how, || {
            head_at_hook = Some(head_commit(&ws).unwrap());
        })
        .unwrap()
        .unwrap();
        assert_eq!(head_at_hook, Some(None));
        assert_eq!(head_commit(&ws).unwrap(), Some(id));
        assert_eq!(commit_working_with(&ws, &how, || {}).unwrap(), None);
    }

    #[test]
    fn refuses_a_blob_as_tree_or_parent() {
        let s = MemStore::default();
        let who = Signature::new("A", "a@example.com", 0, 0).unwrap();
        let tree = s.write(ObjectType::Tree, EMPTY_TREE_PAYLOAD).unwrap();
        let blob = s.write(ObjectType::Blob, b"x").unwrap();
        assert!(matches!(
            create_commit(&s, blob, &[], who.clone(), who.clone(), "m"),
            Err(Error::CommitTreeNotTree { .. })
        ));
        let c = create_commit(&s, tree, &[], who.clone(), who.clone(), "m\n\n").unwrap();
        assert!(matches!(
            create_commit(&s, tree, &[blob], who.clone(), who.clone(), "m"),
            Err(Error::ParentNotCommit { .. })
        ));
        create_commit(&s, tree, &[c], who.clone(), who, "m").unwrap();
    }
}
