//! The fold: changed content stored, directories rewritten bottom-up, the new root published.
#![warn(missing_docs)]

use std::collections::BTreeSet;

use crate::error::Result;
use crate::oid::ObjectId;
use crate::prolly::dir::{self, Entry, ROOT_RECORD};
use crate::runtime::working::publish;

use super::inodes::{content_id, Content, Node, State};
use super::{Target, WorkingFs, FOLD_EVERY};

impl WorkingFs {
    /// Fold every write (open files included) and publish the result;
    /// returns the root of the view.
    pub fn fold(&self) -> Result<ObjectId> {
        let mut st = self.state();
        self.fold_locked(&mut st, true)
    }

    pub(super) fn fold_locked(&self, st: &mut State, include_open: bool) -> Result<ObjectId> {
        // A temporary instance's writes go nowhere: nothing to store.
        if let Target::Discard = self.inner.target {
            return Ok(st.base_root);
        }
        let (mut root, _) = self.fold_node(st, 1, include_open)?;
        if st.root_meta_dirty {
            root = self.with_root_record(st, root)?;
        }
        // Every object the new root needs is durable before it is published.
        self.inner.flush_pending()?;
        if root != st.base_root {
            if let Target::Working = self.inner.target {
                publish(&self.inner.ws, st.base_root, root)?;
            }
            st.base_root = root;
        }
        st.root_meta_dirty = false;
        st.drop_orphans();
        Ok(root)
    }

    /// The tree `root` with its `.` record set from the root inode (which
    /// then has that tree as its base).
    pub(super) fn with_root_record(&self, st: &mut State, root: ObjectId) -> Result<ObjectId> {
        let n = &st.nodes[&1];
        let mut entries: Vec<Entry> = dir::list(self.store(), &root)?
            .into_iter()
            .filter(|e| e.name != ROOT_RECORD)
            .collect();
        if let Some(rec) = crate::hostfs::root_record(n.mode, &n.meta) {
            let at = entries.partition_point(|e| e.name.as_slice() < ROOT_RECORD);
            entries.insert(at, rec);
        }
        let new = dir::build(self.store(), entries)?;
        if let Some(Node {
            content: Content::Dir { base, .. },
            ..
        }) = st.nodes.get_mut(&1)
        {
            *base = new;
        }
        Ok(new)
    }

    /// Fold inode `ino`: its content id now, and whether it stays dirty (an
    /// open file skipped by a timer fold).
    pub(super) fn fold_node(
        &self,
        st: &mut State,
        ino: u64,
        include_open: bool,
    ) -> Result<(ObjectId, bool)> {
        let store = self.store();
        let node = st.nodes.get_mut(&ino).expect("known inode");
        if !node.dirty {
            return Ok((content_id(node), false));
        }
        match &mut node.content {
            Content::File { id, buf, size } => {
                let Some(b) = buf else {
                    node.dirty = false;
                    return Ok((*id, false));
                };
                if node.writers > 0 && !include_open {
                    return Ok((*id, true));
                }
                *id = self.inner.par(|| b.store(store, &self.inner.spill_dir))?;
                *size = Some(b.len());
                if node.writers == 0 {
                    *buf = None;
                }
                node.dirty = false;
                Ok((*id, false))
            }
            Content::Dir { base, pending } => {
                let base = *base;
                let pending: Vec<Vec<u8>> = std::mem::take(pending).into_iter().collect();
                let mut edits = Vec::with_capacity(pending.len());
                let mut still = BTreeSet::new();
                for name in pending {
                    match st.names.get(&(ino, name.clone())).copied().flatten() {
                        None => {
                            // Gone from the folded tree too: nothing to remember.
                            st.names.remove(&(ino, name.clone()));
                            edits.push((name, None))
                        }
                        Some(child) => {
                            let (id, dirty) = self.fold_node(st, child, include_open)?;
                            if dirty {
                                still.insert(name.clone());
                            }
                            let c = &st.nodes[&child];
                            let mut e = Entry::new(&name, c.mode, id);
                            e.meta = c.meta.clone();
                            e.meta.link = st.link_record(child, ino, &name);
                            edits.push((name, Some(e)));
                        }
                    }
                }
                let new = dir::edit(store, &base, edits)?;
                let node = st.nodes.get_mut(&ino).expect("known inode");
                let stays = !still.is_empty();
                node.content = Content::Dir {
                    base: new,
                    pending: still,
                };
                node.dirty = stays;
                Ok((new, stays))
            }
        }
    }

    /// Fold closed files' writes now and then, until unmounted.
    pub fn start_timer(&self) -> std::io::Result<std::thread::JoinHandle<()>> {
        let fs = self.clone();
        std::thread::Builder::new()
            .name("hako-fold".into())
            .spawn(move || {
                let mut st = fs.state();
                loop {
                    let (g, _) = fs
                        .inner
                        .wake
                        .wait_timeout(st, FOLD_EVERY)
                        .unwrap_or_else(|p| p.into_inner());
                    st = g;
                    if st.done {
                        return;
                    }
                    if st.nodes[&1].dirty || st.root_meta_dirty {
                        if let Err(e) = fs.fold_locked(&mut st, false) {
                            st.last_error = Some(e.to_string());
                        }
                    }
                }
            })
    }

    /// Stop the timer (after unmount).
    pub fn stop_timer(&self) {
        self.state().done = true;
        self.inner.wake.notify_all();
    }
}
