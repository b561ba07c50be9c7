//! Reading trees: point lookups, ordered iteration and entry counts.
#![warn(missing_docs)]

use super::entry::{child, load, subtree_count, Entry};
use crate::error::Result;
use crate::oid::ObjectId;
use crate::prolly::Node;
use crate::store::ObjectStore;

/// Number of entries in a tree (from the root's subtree counts).
pub fn count(store: &dyn ObjectStore, root: &ObjectId) -> Result<u64> {
    Ok(subtree_count(&load(store, root)?))
}

/// Find the entry `name` in the tree `root`.
pub fn get(store: &dyn ObjectStore, root: &ObjectId, name: &[u8]) -> Result<Option<Entry>> {
    let mut node = load(store, root)?;
    loop {
        if node.is_empty() {
            return Ok(None);
        }
        let i = node.lower_bound(name);
        if node.level == 0 {
            if i < node.len() && node.key(i) == name {
                return Ok(Some(Entry::decode(node.entry(i))?));
            }
            return Ok(None);
        }
        if i == node.len() {
            return Ok(None);
        }
        let child_id = child(&node, i).2;
        node = load(store, &child_id)?;
    }
}

/// Ordered iteration over a tree's entries, optionally starting at a key.
pub struct TreeCursor<'s> {
    store: &'s dyn ObjectStore,
    stack: Vec<(Node, usize)>,
}

impl<'s> TreeCursor<'s> {
    /// A cursor at the first entry of tree `root`.
    pub fn new(store: &'s dyn ObjectStore, root: &ObjectId) -> Result<TreeCursor<'s>> {
        Self::seek(store, root, b"")
    }

    /// Position at the first entry whose name is >= `key`.
    pub fn seek(store: &'s dyn ObjectStore, root: &ObjectId, key: &[u8]) -> Result<TreeCursor<'s>> {
        let mut stack = Vec::new();
        let mut node = load(store, root)?;
        loop {
            let i = node.lower_bound(key);
            if node.level == 0 || i >= node.len() {
                let leaf = node.level == 0;
                stack.push((node, i));
                if !leaf {
                    // key beyond this subtree: the cursor is exhausted here
                }
                break;
            }
            let child_id = child(&node, i).2;
            stack.push((node, i));
            node = load(store, &child_id)?;
        }
        Ok(TreeCursor { store, stack })
    }

    fn advance(&mut self) -> Result<Option<Entry>> {
        loop {
            let Some((node, i)) = self.stack.last_mut() else {
                return Ok(None);
            };
            if *i >= node.len() {
                self.stack.pop();
                if let Some((_, pi)) = self.stack.last_mut() {
                    *pi += 1;
                }
                continue;
            }
            if node.level == 0 {
                let e = Entry::decode(node.entry(*i))?;
                *i += 1;
                return Ok(Some(e));
            }
            let child_id = child(node, *i).2;
            let n = load(self.store, &child_id)?;
            self.stack.push((n, 0));
        }
    }
}

impl Iterator for TreeCursor<'_> {
    type Item = Result<Entry>;
    fn next(&mut self) -> Option<Self::Item> {
        self.advance().transpose()
    }
}

/// All entries of a tree, in order.
pub fn list(store: &dyn ObjectStore, root: &ObjectId) -> Result<Vec<Entry>> {
    TreeCursor::new(store, root)?.collect()
}
