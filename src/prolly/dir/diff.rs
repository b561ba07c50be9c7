//! Top-down diff of two trees that skips every subtree whose ids match.
#![warn(missing_docs)]

use super::edit::{edit, empty};
use super::entry::{child, load, Entry};
use crate::error::Result;
use crate::oid::ObjectId;
use crate::store::ObjectStore;

/// One changed name between two trees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The name in its directory.
    pub name: Vec<u8>,
    /// The entry in the old tree (None: added).
    pub old: Option<Entry>,
    /// The entry in the new tree (None: removed).
    pub new: Option<Entry>,
}

impl Change {
    /// A change named by whichever side exists.
    fn of(old: Option<Entry>, new: Option<Entry>) -> Change {
        let name = old
            .as_ref()
            .or(new.as_ref())
            .map(|e| e.name.clone())
            .unwrap_or_default();
        Change { name, old, new }
    }
}

enum Item {
    Sub { level: u8, id: ObjectId },
    Leaf(Entry),
}

struct DiffSide<'s> {
    store: &'s dyn ObjectStore,
    /// Items in reverse order (the next item is last).
    stack: Vec<Item>,
}

impl DiffSide<'_> {
    fn push_node(&mut self, id: &ObjectId) -> Result<()> {
        let n = load(self.store, id)?;
        for i in (0..n.len()).rev() {
            if n.level == 0 {
                self.stack.push(Item::Leaf(Entry::decode(n.entry(i))?));
            } else {
                let (_, _, c) = child(&n, i);
                self.stack.push(Item::Sub {
                    level: n.level - 1,
                    id: c,
                });
            }
        }
        Ok(())
    }

    /// Take the next item, known to be a leaf entry.
    fn pop_leaf(&mut self) -> Entry {
        match self.stack.pop() {
            Some(Item::Leaf(e)) => e,
            _ => unreachable!("caller checked the top is a leaf"),
        }
    }

    fn expand_top(&mut self) -> Result<()> {
        if let Some(Item::Sub { id, .. }) = self.stack.pop() {
            self.push_node(&id)?;
        }
        Ok(())
    }
}

/// One step of the top-down walk of two trees, in name order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffStep {
    /// Both sides hold the node `id` here: everything under it is equal, and
    /// it was not read.
    Same(ObjectId),
    /// One name whose entries differ (absent on one side, or unequal).
    Changed(Box<Change>),
}

/// The top-down walk of two trees (one directory level) that merge and sync
/// drive step by step; `diff` collects its changes.
pub struct TreeDiff<'s> {
    a: DiffSide<'s>,
    b: DiffSide<'s>,
}

impl<'s> TreeDiff<'s> {
    /// A diff of tree `a` (old) against tree `b` (new).
    pub fn new(store: &'s dyn ObjectStore, a: &ObjectId, b: &ObjectId) -> TreeDiff<'s> {
        // The roots' levels are unknown until read; treat them as subtrees at a high level.
        let side = |id: &ObjectId| DiffSide {
            store,
            stack: vec![Item::Sub {
                level: u8::MAX,
                id: *id,
            }],
        };
        TreeDiff {
            a: side(a),
            b: side(b),
        }
    }

    /// The next equal subtree skipped or changed name; None at the end of both trees.
    pub fn step(&mut self) -> Result<Option<DiffStep>> {
        let (sa, sb) = (&mut self.a, &mut self.b);
        let changed = |old, new| Ok(Some(DiffStep::Changed(Box::new(Change::of(old, new)))));
        loop {
            match (sa.stack.last(), sb.stack.last()) {
                (None, None) => return Ok(None),
                (Some(Item::Sub { id: x, .. }), Some(Item::Sub { id: y, .. })) if x == y => {
                    let id = *x;
                    sa.stack.pop();
                    sb.stack.pop();
                    return Ok(Some(DiffStep::Same(id)));
                }
                (Some(Item::Sub { level: la, .. }), Some(Item::Sub { level: lb, .. })) => {
                    let (la, lb) = (*la, *lb);
                    if la >= lb {
                        sa.expand_top()?;
                    }
                    if lb >= la {
                        sb.expand_top()?;
                    }
                }
                (Some(Item::Sub { .. }), _) => sa.expand_top()?,
                (_, Some(Item::Sub { .. })) => sb.expand_top()?,
                (Some(Item::Leaf(x)), Some(Item::Leaf(y))) => match x.name.cmp(&y.name) {
                    std::cmp::Ordering::Less => return changed(Some(sa.pop_leaf()), None),
                    std::cmp::Ordering::Greater => return changed(None, Some(sb.pop_leaf())),
                    std::cmp::Ordering::Equal => {
                        let (x, y) = (sa.pop_leaf(), sb.pop_leaf());
                        if x != y {
                            return changed(Some(x), Some(y));
                        }
                    }
                },
                (Some(Item::Leaf(_)), None) => return changed(Some(sa.pop_leaf()), None),
                (None, Some(Item::Leaf(_))) => return changed(None, Some(sb.pop_leaf())),
            }
        }
    }
}

impl Iterator for TreeDiff<'_> {
    type Item = Result<DiffStep>;
    fn next(&mut self) -> Option<Self::Item> {
        self.step().transpose()
    }
}

/// Changed entries between trees `a` and `b` (one directory level), in name
/// order. Subtrees with equal ids are skipped without being read.
pub fn diff(store: &dyn ObjectStore, a: &ObjectId, b: &ObjectId) -> Result<Vec<Change>> {
    let mut out = Vec::new();
    if a == b {
        return Ok(out);
    }
    let mut walk = TreeDiff::new(store, a, b);
    while let Some(step) = walk.step()? {
        if let DiffStep::Changed(c) = step {
            out.push(*c);
        }
    }
    Ok(out)
}

/// Apply a diff to a tree (used to check diff(A,B) applied to A gives B).
pub fn apply(store: &dyn ObjectStore, root: &ObjectId, changes: &[Change]) -> Result<ObjectId> {
    edit(
        store,
        root,
        changes
            .iter()
            .map(|c| (c.name.clone(), c.new.clone()))
            .collect(),
    )
}

/// A change with its full path, for recursive diffs.
#[derive(Clone, Debug)]
pub struct PathChange {
    /// The path from the root.
    pub path: Vec<u8>,
    /// The entry in the old tree (None: added).
    pub old: Option<Entry>,
    /// The entry in the new tree (None: removed).
    pub new: Option<Entry>,
}

impl PathChange {
    /// The status letter: `A`dded, `D`eleted, `T`ype changed, `M`odified.
    pub fn status(&self) -> char {
        match (&self.old, &self.new) {
            (None, Some(_)) => 'A',
            (Some(_), None) => 'D',
            (Some(o), Some(n)) if o.mode & super::S_IFMT != n.mode & super::S_IFMT => 'T',
            _ => 'M',
        }
    }
}

/// Diff two trees; with `recursive`, descend into directories present on both
/// sides (and into added/removed ones), reporting only non-directories. The
/// walk keeps its own stack: directories may nest arbitrarily deep.
pub fn diff_recursive(
    store: &dyn ObjectStore,
    a: &ObjectId,
    b: &ObjectId,
    recursive: bool,
    prefix: &[u8],
    out: &mut Vec<PathChange>,
) -> Result<()> {
    /// A pending step: a pair of directories to diff, or a change to report.
    enum Step {
        Dirs(ObjectId, ObjectId, Vec<u8>),
        Report(Box<PathChange>),
    }
    let mut work = vec![Step::Dirs(*a, *b, prefix.to_vec())];
    while let Some(step) = work.pop() {
        let (a, b, prefix) = match step {
            Step::Report(c) => {
                out.push(*c);
                continue;
            }
            Step::Dirs(a, b, prefix) => (a, b, prefix),
        };
        let mut steps = Vec::new();
        for c in diff(store, &a, &b)? {
            let mut path = prefix.clone();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(&c.name);
            let od = c.old.as_ref().filter(|e| e.is_dir());
            let nd = c.new.as_ref().filter(|e| e.is_dir());
            if recursive && (od.is_some() || nd.is_some()) {
                let ea = match od {
                    Some(e) => e.id,
                    None => empty(store)?,
                };
                let eb = match nd {
                    Some(e) => e.id,
                    None => empty(store)?,
                };
                // A non-directory replaced by a directory (or the reverse) is reported too.
                if od.is_none() && c.old.is_some() {
                    steps.push(Step::Report(Box::new(PathChange {
                        path: path.clone(),
                        old: c.old.clone(),
                        new: None,
                    })));
                }
                steps.push(Step::Dirs(ea, eb, path.clone()));
                if nd.is_none() && c.new.is_some() {
                    steps.push(Step::Report(Box::new(PathChange {
                        path,
                        old: None,
                        new: c.new.clone(),
                    })));
                }
            } else {
                steps.push(Step::Report(Box::new(PathChange {
                    path,
                    old: c.old,
                    new: c.new,
                })));
            }
        }
        work.extend(steps.into_iter().rev());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::{hash_object, ObjectType};
    use crate::prolly::dir::{build, S_IFREG};
    use crate::store::MemStore;

    #[test]
    fn the_walk_skips_equal_subtrees_and_yields_each_change() {
        let store = MemStore::new();
        let file = |i: u32, v: &[u8]| {
            let id = hash_object(ObjectType::Blob, &[&i.to_be_bytes()[..], v].concat());
            Entry::new(format!("f{i:05}").as_bytes(), S_IFREG | 0o644, id)
        };
        let old: Vec<Entry> = (0..3000).map(|i| file(i, b"")).collect();
        let mut new = old.clone();
        new[1500] = file(1500, b"edited");
        new.remove(10);
        let (a, b) = (
            build(&store, old.clone()).unwrap(),
            build(&store, new.clone()).unwrap(),
        );
        let steps: Vec<DiffStep> = TreeDiff::new(&store, &a, &b)
            .collect::<Result<_>>()
            .unwrap();
        let changes: Vec<&Change> = steps
            .iter()
            .filter_map(|s| match s {
                DiffStep::Changed(c) => Some(c.as_ref()),
                DiffStep::Same(_) => None,
            })
            .collect();
        assert_eq!(
            changes,
            [
                &Change::of(Some(old[10].clone()), None),
                &Change::of(Some(old[1500].clone()), Some(new[1499].clone())),
            ]
        );
        assert!(steps.iter().any(|s| matches!(s, DiffStep::Same(_))));
        assert_eq!(
            diff(&store, &a, &b).unwrap(),
            changes.into_iter().cloned().collect::<Vec<_>>()
        );
        let same: Vec<DiffStep> = TreeDiff::new(&store, &a, &a).map(|s| s.unwrap()).collect();
        assert_eq!(same, [DiffStep::Same(a)]);
    }
}
