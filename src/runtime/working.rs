//! Publishing a new root into a container's `WORKING` (compare-and-swap, rebased if it moved).
#![warn(missing_docs)]

use std::time::Duration;

use crate::container::{lock_working, read_working, working_root};
use crate::error::{Error, Result};
use crate::oid::ObjectId;
use crate::prolly::dir;
use crate::store::ObjectStore;
use crate::workspace::Workspace;

/// Move `WORKING` from `base` to `new`: directly if it still is `base`,
/// else with the changes between the two applied onto what it is now.
pub fn publish(ws: &Workspace, base: ObjectId, new: ObjectId) -> Result<()> {
    for _ in 0..200 {
        let raw = read_working(ws)?;
        let lock = match lock_working(ws, raw) {
            Ok(l) => l,
            Err(Error::WorkingChanged) => continue,
            // Another command is moving it right now: wait a little.
            Err(Error::WorkingLocked(_)) => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            Err(e) => return Err(e),
        };
        let cur = working_root(ws)?;
        let target = if cur == base {
            new
        } else {
            rebase(&ws.odb, &base, &new, &cur)?
        };
        return lock.commit(target);
    }
    Err(Error::WorkingChanged)
}

/// Apply the changes from tree `base` to tree `new` onto tree `cur`,
/// descending into directories both sides still have.
pub fn rebase(
    store: &dyn ObjectStore,
    base: &ObjectId,
    new: &ObjectId,
    cur: &ObjectId,
) -> Result<ObjectId> {
    let mut edits = Vec::new();
    for c in dir::diff(store, base, new)? {
        let entry = match (&c.old, &c.new) {
            (Some(o), Some(n)) if o.is_dir() && n.is_dir() => {
                match dir::get(store, cur, &c.name)? {
                    Some(here) if here.is_dir() => {
                        let mut e = n.clone();
                        e.id = rebase(store, &o.id, &n.id, &here.id)?;
                        Some(e)
                    }
                    _ => Some(n.clone()),
                }
            }
            _ => c.new.clone(),
        };
        edits.push((c.name.clone(), entry));
    }
    dir::edit(store, cur, edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::ObjectType;
    use crate::prolly::dir::{Entry, S_IFDIR, S_IFREG};
    use crate::store::MemStore;

    fn file(store: &MemStore, name: &str, body: &[u8]) -> Entry {
        Entry::new(
            name.as_bytes(),
            S_IFREG | 0o644,
            store.write(ObjectType::Blob, body).unwrap(),
        )
    }

    #[test]
    fn rebase_applies_our_changes_onto_theirs() {
        let s = MemStore::new();
        let sub = dir::build(&s, vec![file(&s, "x", b"1")]).unwrap();
        let base = dir::build(
            &s,
            vec![file(&s, "a", b"a"), Entry::new(b"d", S_IFDIR | 0o755, sub)],
        )
        .unwrap();
        // Ours: change a, add d/y. Theirs: add b, add d/z.
        let our_sub =
            dir::edit(&s, &sub, vec![(b"y".to_vec(), Some(file(&s, "y", b"y")))]).unwrap();
        let ours = dir::edit(
            &s,
            &base,
            vec![
                (b"a".to_vec(), Some(file(&s, "a", b"A"))),
                (
                    b"d".to_vec(),
                    Some(Entry::new(b"d", S_IFDIR | 0o755, our_sub)),
                ),
            ],
        )
        .unwrap();
        let their_sub =
            dir::edit(&s, &sub, vec![(b"z".to_vec(), Some(file(&s, "z", b"z")))]).unwrap();
        let theirs = dir::edit(
            &s,
            &base,
            vec![
                (b"b".to_vec(), Some(file(&s, "b", b"b"))),
                (
                    b"d".to_vec(),
                    Some(Entry::new(b"d", S_IFDIR | 0o755, their_sub)),
                ),
            ],
        )
        .unwrap();
        let got = rebase(&s, &base, &ours, &theirs).unwrap();
        let want_sub = dir::build(
            &s,
            vec![
                file(&s, "x", b"1"),
                file(&s, "y", b"y"),
                file(&s, "z", b"z"),
            ],
        )
        .unwrap();
        let want = dir::build(
            &s,
            vec![
                file(&s, "a", b"A"),
                file(&s, "b", b"b"),
                Entry::new(b"d", S_IFDIR | 0o755, want_sub),
            ],
        )
        .unwrap();
        assert_eq!(got, want);
        // Nobody else moved: the result is ours.
        assert_eq!(rebase(&s, &base, &ours, &base).unwrap(), ours);
    }
}
