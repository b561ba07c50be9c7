//! Writing trees: one-pass builds and point edits that rewrite only the
//! O(depth) nodes around each edited name.
#![warn(missing_docs)]

use crate::prolly::ProllyError;
use std::collections::BTreeMap;

use super::entry::{check_name, child, load, Entry, TreeSchema, ROOT_RECORD};
use crate::error::Result;
use crate::oid::ObjectId;
use crate::prolly::{cut_after, write_node, Builder, LevelChunker, Node, Schema};
use crate::store::ObjectStore;

/// Build a tree from entries sorted by name (one pass). Fails on unsorted or
/// duplicate names and invalid entries.
pub fn build(
    store: &dyn ObjectStore,
    entries: impl IntoIterator<Item = Entry>,
) -> Result<ObjectId> {
    let mut b = Builder::<TreeSchema>::new(store, 0);
    let mut prev: Option<Vec<u8>> = None;
    for e in entries {
        e.validate()?;
        if let Some(p) = &prev {
            if *p >= e.name {
                return Err(
                    ProllyError::Unsorted(String::from_utf8_lossy(&e.name).into_owned()).into(),
                );
            }
        }
        let enc = e.encode();
        prev = Some(e.name.clone());
        b.push(e.name, enc)?;
    }
    b.finish()
}

/// A path of nodes from the root down to one node at a target level.
struct LevelPath<'s> {
    store: &'s dyn ObjectStore,
    frames: Vec<(Node, usize)>,
    level: u8,
}

impl<'s> LevelPath<'s> {
    fn seek(
        store: &'s dyn ObjectStore,
        root: &Node,
        level: u8,
        key: &[u8],
    ) -> Result<LevelPath<'s>> {
        let mut frames = Vec::new();
        let mut node = root.clone();
        while node.level > level {
            let i = node.lower_bound(key).min(node.len() - 1);
            let child_id = child(&node, i).2;
            frames.push((node, i));
            node = load(store, &child_id)?;
        }
        frames.push((node, 0));
        Ok(LevelPath {
            store,
            frames,
            level,
        })
    }

    fn current(&self) -> &Node {
        &self.frames.last().unwrap().0
    }

    fn has_next(&self) -> bool {
        self.frames[..self.frames.len() - 1]
            .iter()
            .any(|(n, i)| *i + 1 < n.len())
    }

    fn has_prev(&self) -> bool {
        self.frames[..self.frames.len() - 1]
            .iter()
            .any(|(_, i)| *i > 0)
    }

    /// Move to the previous node at this level; false at the start.
    fn prev(&mut self) -> Result<bool> {
        self.step(false)
    }

    /// Move to the next node at this level; false at the end.
    fn next(&mut self) -> Result<bool> {
        self.step(true)
    }

    /// Move to the neighbouring node at this level: up to the nearest
    /// ancestor with a sibling that way, then down its nearest edge.
    fn step(&mut self, forward: bool) -> Result<bool> {
        self.frames.pop();
        loop {
            let Some((node, i)) = self.frames.last_mut() else {
                return Ok(false);
            };
            if forward && *i + 1 < node.len() {
                *i += 1;
                break;
            }
            if !forward && *i > 0 {
                *i -= 1;
                break;
            }
            self.frames.pop();
        }
        loop {
            let (node, i) = self.frames.last().unwrap();
            let n = load(self.store, &child(node, *i).2)?;
            let edge = if forward || n.level == self.level {
                0
            } else {
                n.len() - 1
            };
            let at_level = n.level == self.level;
            self.frames.push((n, edge));
            if at_level {
                return Ok(true);
            }
        }
    }
}

/// Apply edits (name → new entry, or None to delete) to the tree `root`.
/// Only the nodes holding edited names, and their ancestors, are rewritten;
/// the result is the same tree `build` gives for the edited entry set.
pub fn edit(
    store: &dyn ObjectStore,
    root: &ObjectId,
    edits: Vec<(Vec<u8>, Option<Entry>)>,
) -> Result<ObjectId> {
    let mut level_edits: BTreeMap<Vec<u8>, Option<Vec<u8>>> = BTreeMap::new();
    for (name, e) in edits {
        // The root record `.` is edited like any entry (a rebase carries it).
        if name != ROOT_RECORD {
            check_name(&name)?;
        }
        let enc = match e {
            Some(e) => {
                if e.name != name {
                    return Err(ProllyError::EditMismatch.into());
                }
                e.validate()?;
                Some(e.encode())
            }
            None => None,
        };
        level_edits.insert(name, enc);
    }
    if level_edits.is_empty() {
        return Ok(*root);
    }
    let root_node = load(store, root)?;
    let mut level = 0u8;
    loop {
        let (removed, added) = edit_level(store, &root_node, level, &level_edits)?;
        if level == root_node.level {
            // `added` replaces the root.
            return finish_root(store, level, added);
        }
        let mut next: BTreeMap<Vec<u8>, Option<Vec<u8>>> = BTreeMap::new();
        for k in removed {
            next.insert(k, None);
        }
        for (k, e) in added {
            next.insert(k, Some(e));
        }
        level_edits = next;
        level += 1;
    }
}

type EntryList = Vec<(Vec<u8>, Vec<u8>)>;

/// Re-chunk the regions of `level` touched by `edits`. Returns the last keys of
/// the old nodes replaced and the parent entries of the new nodes.
fn edit_level(
    store: &dyn ObjectStore,
    root: &Node,
    level: u8,
    edits: &BTreeMap<Vec<u8>, Option<Vec<u8>>>,
) -> Result<(Vec<Vec<u8>>, EntryList)> {
    let mut removed = Vec::new();
    let mut added = Vec::new();
    let mut pending = edits.iter().peekable();
    while let Some((first, _)) = pending.peek() {
        let mut path = LevelPath::seek(store, root, level, first)?;
        // A node closed by the MAX clause depends on the entry after it, which
        // this edit may change: re-chunk from that node too (one node back is
        // enough, since its own first entry is unchanged). A node the previous
        // region already re-chunked ended on a hash cut and stays.
        if path.has_prev() {
            path.prev()?;
            let p = path.current();
            let done = removed
                .last()
                .is_some_and(|k: &Vec<u8>| p.last_key() <= k.as_slice());
            if done || closed_by_hash(p) {
                path.next()?;
            }
        }
        let mut chunker = LevelChunker::new(level);
        loop {
            let node = path.current().clone();
            let is_last = !path.has_next();
            if !node.is_empty() {
                removed.push(node.last_key().to_vec());
            }
            // Merge the node's entries with the edits that fall inside it.
            let mut merged: EntryList = Vec::with_capacity(node.len() + 1);
            let mut i = 0;
            loop {
                let ek = pending.peek().map(|(k, _)| k.as_slice());
                let in_node = |k: &[u8]| is_last || (!node.is_empty() && k <= node.last_key());
                match (i < node.len(), ek.filter(|k| in_node(k))) {
                    (false, None) => break,
                    (true, None) => {
                        merged.push((node.key(i).to_vec(), node.entry(i).to_vec()));
                        i += 1;
                    }
                    (have, Some(k)) => {
                        if have && node.key(i) < k {
                            merged.push((node.key(i).to_vec(), node.entry(i).to_vec()));
                            i += 1;
                            continue;
                        }
                        if have && node.key(i) == k {
                            i += 1; // replaced or deleted
                        }
                        let (k, v) = pending.next().unwrap();
                        if let Some(v) = v {
                            merged.push((k.clone(), v.clone()));
                        }
                    }
                }
            }
            for (k, e) in merged {
                for closed in chunker.push(k, e) {
                    added.push(close::<TreeSchema>(store, level, &closed)?);
                }
            }
            if is_last {
                if let Some(rest) = chunker.finish() {
                    added.push(close::<TreeSchema>(store, level, &rest)?);
                }
                break;
            }
            if chunker.is_empty() {
                break; // a new boundary lines up with an old one: synced
            }
            path.next()?;
        }
    }
    Ok((removed, added))
}

/// Whether the boundary rule's hash clause closed `node` after its last entry
/// (so the cut does not depend on what follows), rather than the MAX clause.
fn closed_by_hash(node: &Node) -> bool {
    let size: usize = (0..node.len()).map(|i| node.entry(i).len()).sum();
    let last = node.len() - 1;
    cut_after(node.level, node.key(last), node.entry(last).len(), size)
}

fn close<S: Schema>(
    store: &dyn ObjectStore,
    level: u8,
    entries: &EntryList,
) -> Result<(Vec<u8>, Vec<u8>)> {
    let node = write_node::<S>(store, level, entries)?;
    Ok(S::parent_entry(&node, node.id))
}

/// Turn the replacement nodes of the root level into the new root.
fn finish_root(store: &dyn ObjectStore, level: u8, added: EntryList) -> Result<ObjectId> {
    match added.len() {
        0 => Ok(write_node::<TreeSchema>(store, 0, &[])?.id),
        1 => {
            // Collapse internal roots with a single child.
            let mut id = ObjectId::from_bytes(&added[0].1[added[0].1.len() - 32..]).unwrap();
            loop {
                let n = load(store, &id)?;
                if n.level == 0 || n.len() > 1 {
                    return Ok(id);
                }
                id = child(&n, 0).2;
            }
        }
        _ => {
            let mut b = Builder::<TreeSchema>::new(store, level + 1);
            for (k, e) in added {
                b.push(k, e)?;
            }
            b.finish()
        }
    }
}

/// The empty tree (stored).
pub fn empty(store: &dyn ObjectStore) -> Result<ObjectId> {
    Ok(write_node::<TreeSchema>(store, 0, &[])?.id)
}
