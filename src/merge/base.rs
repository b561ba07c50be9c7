//! Merge bases over the commit DAG (format-spec/merge.md, Merge bases): the
//! best common ancestors of two sets of commits, and the base tree merged
//! from several of them for criss-cross histories.
#![warn(missing_docs)]

use std::collections::{HashMap, HashSet};

use super::tree::{merge_trees, MergeOptions};
use crate::error::Result;
use crate::object::CommitRef;
use crate::oid::ObjectId;
use crate::revparse::tree_of_commit;
use crate::store::ObjectStore;

/// Reads commits once each.
struct Commits<'s> {
    store: &'s dyn ObjectStore,
    cache: HashMap<ObjectId, (Vec<ObjectId>, i64)>,
}

impl Commits<'_> {
    fn get(&mut self, id: ObjectId) -> Result<&(Vec<ObjectId>, i64)> {
        if !self.cache.contains_key(&id) {
            let o = crate::revparse::read_commit(self.store, &id)?;
            let c = CommitRef::parse(&o.data)?;
            let parents = crate::revparse::visible_parents(self.store, &id, &c)?;
            let v = (parents, c.committer_sig().seconds);
            self.cache.insert(id, v);
        }
        Ok(&self.cache[&id])
    }

    /// Every commit reachable from `tips` (tips included).
    fn ancestors(&mut self, tips: &[ObjectId]) -> Result<HashSet<ObjectId>> {
        let mut seen = HashSet::new();
        let mut stack = tips.to_vec();
        while let Some(id) = stack.pop() {
            if seen.insert(id) {
                stack.extend(self.get(id)?.0.iter().copied());
            }
        }
        Ok(seen)
    }
}

/// The best common ancestors of the commit sets `a` and `b`: commits
/// reachable from both that are not an ancestor of another such commit.
/// Newest committer time first, ties by id.
pub fn merge_bases_of(
    store: &dyn ObjectStore,
    a: &[ObjectId],
    b: &[ObjectId],
) -> Result<Vec<ObjectId>> {
    let mut c = Commits {
        store,
        cache: HashMap::new(),
    };
    let from_a = c.ancestors(a)?;
    let from_b = c.ancestors(b)?;
    let common: HashSet<ObjectId> = from_a.intersection(&from_b).copied().collect();
    // Proper ancestors of common commits are common and never best.
    let mut dominated: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<ObjectId> = Vec::new();
    for id in &common {
        stack.extend(c.get(*id)?.0.iter().copied());
    }
    while let Some(id) = stack.pop() {
        if dominated.insert(id) {
            stack.extend(c.get(id)?.0.iter().copied());
        }
    }
    let mut best: Vec<(i64, ObjectId)> = Vec::new();
    for id in common.difference(&dominated) {
        best.push((c.get(*id)?.1, *id));
    }
    best.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    Ok(best.into_iter().map(|(_, id)| id).collect())
}

/// The best common ancestors of commits `a` and `b` (`merge-base --all`).
pub fn merge_bases(store: &dyn ObjectStore, a: ObjectId, b: ObjectId) -> Result<Vec<ObjectId>> {
    merge_bases_of(store, &[a], &[b])
}

/// The tree to use as the base when `bases` are the best common ancestors:
/// the one base's tree, or for several, the first merged with each next one
/// in turn, each step using their own merge base the same way (conflicts
/// stay in that virtual base as markers). None for no bases.
pub fn base_tree(store: &dyn ObjectStore, bases: &[ObjectId]) -> Result<Option<ObjectId>> {
    let Some((first, rest)) = bases.split_first() else {
        return Ok(None);
    };
    let mut tree = tree_of_commit(store, first)?;
    let mut merged = vec![*first];
    for next in rest {
        let inner = merge_bases_of(store, &merged, &[*next])?;
        let inner_tree = match base_tree(store, &inner)? {
            Some(t) => t,
            None => crate::prolly::dir::empty(store)?,
        };
        let theirs = tree_of_commit(store, next)?;
        tree = merge_trees(store, &inner_tree, &tree, &theirs, &MergeOptions::default())?.tree;
        merged.push(*next);
    }
    Ok(Some(tree))
}
