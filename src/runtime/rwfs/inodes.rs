//! The inode table: nodes, open directories, lookup counts, inodes dropped once forgotten.
#![warn(missing_docs)]

use std::collections::{BTreeSet, HashMap};

use fuser::FileType;

use crate::oid::ObjectId;
use crate::prolly::dir::{Entry, Meta, S_IFDIR, S_IFMT};

use super::filebuf::FileBuf;

pub(super) enum Content {
    Dir {
        /// The tree as of the last fold (or the base).
        base: ObjectId,
        /// Names changed since: looked up in `State::names` at the fold.
        pending: BTreeSet<Vec<u8>>,
    },
    /// Files, symlinks (the target's blob) and special files (zero id).
    File {
        id: ObjectId,
        buf: Option<FileBuf>,
        size: Option<u64>,
    },
}

pub(super) struct Node {
    pub(super) mode: u32,
    pub(super) meta: Meta,
    pub(super) content: Content,
    /// The names of this inode: (directory inode, name).
    pub(super) links: Vec<(u64, Vec<u8>)>,
    /// Changed since the last fold (its entry must be rewritten).
    pub(super) dirty: bool,
    /// Open handles that may write.
    pub(super) writers: u32,
    /// The kernel's lookup count (entries replied, minus forgets): at zero
    /// the kernel has forgotten the inode and, once clean, it is dropped.
    pub(super) lookups: u64,
    /// Inodes named in this directory that are kept.
    pub(super) kids: u32,
}

impl Node {
    pub(super) fn from_entry(e: Entry, parent: u64) -> Node {
        let content = if e.is_dir() {
            Content::Dir {
                base: e.id,
                pending: BTreeSet::new(),
            }
        } else {
            Content::File {
                id: e.id,
                buf: None,
                size: None,
            }
        };
        let mut meta = e.meta;
        // Hardlink records are worked out again at each fold (`link_record`).
        meta.link = None;
        Node {
            mode: e.mode,
            meta,
            content,
            links: vec![(parent, e.name)],
            dirty: false,
            writers: 0,
            lookups: 0,
            kids: 0,
        }
    }

    pub(super) fn is_dir(&self) -> bool {
        self.mode & S_IFMT == S_IFDIR
    }
}

/// An open directory: a snapshot of a changed directory's listing, or the
/// position where a clean directory's streamed listing stopped.
pub(super) enum DirHandle {
    Snapshot(Vec<(Vec<u8>, u64, FileType)>),
    Stream {
        next_offset: u64,
        next_name: Option<Vec<u8>>,
    },
}

pub(super) struct State {
    pub(super) nodes: HashMap<u64, Node>,
    /// Every name looked up or changed: Some(inode), or None (absent).
    pub(super) names: HashMap<(u64, Vec<u8>), Option<u64>>,
    pub(super) next_ino: u64,
    pub(super) next_fh: u64,
    pub(super) dirs: HashMap<u64, DirHandle>,
    /// Open file handle → (inode, may write).
    pub(super) files: HashMap<u64, (u64, bool)>,
    /// The root tree the view was built from (at mount or at the last fold).
    pub(super) base_root: ObjectId,
    /// The root directory's own mode or metadata changed (its `.` record).
    pub(super) root_meta_dirty: bool,
    pub(super) last_error: Option<String>,
    /// The filesystem has been unmounted: the timer stops.
    pub(super) done: bool,
    /// Inodes the kernel forgot that could not be dropped yet (unfolded
    /// changes): tried again after each fold.
    pub(super) orphans: BTreeSet<u64>,
}

impl State {
    /// A new inode for `node`, counted as a child of the directory naming it.
    pub(super) fn insert_node(&mut self, node: Node) -> u64 {
        let ino = self.next_ino;
        self.next_ino += 1;
        for (p, _) in &node.links {
            if let Some(pn) = self.nodes.get_mut(p) {
                pn.kids += 1;
            }
        }
        self.nodes.insert(ino, node);
        ino
    }

    /// The kernel forgot `n` lookups of inode `ino`.
    pub(super) fn forget(&mut self, ino: u64, n: u64) {
        if let Some(node) = self.nodes.get_mut(&ino) {
            node.lookups = node.lookups.saturating_sub(n);
            if node.lookups == 0 {
                self.try_drop(ino);
            }
        }
    }

    /// Drop inode `ino` if nothing needs it any more: the kernel forgot it,
    /// no handle is open, nothing of it is waiting for a fold, and no kept
    /// inode is named in it. Its names are then looked up again in the
    /// folded trees when asked for. Else it waits in `orphans`.
    pub(super) fn try_drop(&mut self, ino: u64) {
        if ino == 1 {
            return;
        }
        let Some(n) = self.nodes.get(&ino) else {
            self.orphans.remove(&ino);
            return;
        };
        if n.lookups > 0 {
            self.orphans.remove(&ino);
            return;
        }
        let busy = n.kids > 0
            || n.dirty
            || n.writers > 0
            || match &n.content {
                Content::Dir { pending, .. } => !pending.is_empty(),
                Content::File { buf, .. } => buf.is_some(),
            }
            || n.links.iter().any(|(p, name)| {
                matches!(self.nodes.get(p), Some(Node { content: Content::Dir { pending, .. }, .. }) if pending.contains(name))
            })
            || self.files.values().any(|(i, _)| *i == ino);
        if busy {
            self.orphans.insert(ino);
            return;
        }
        self.orphans.remove(&ino);
        let n = self.nodes.remove(&ino).expect("present");
        for (p, name) in n.links {
            let key = (p, name);
            if self.names.get(&key) == Some(&Some(ino)) {
                self.names.remove(&key);
            }
            if let Some(pn) = self.nodes.get_mut(&p) {
                pn.kids = pn.kids.saturating_sub(1);
                if pn.kids == 0 && pn.lookups == 0 {
                    self.try_drop(p);
                }
            }
        }
    }

    /// Try the forgotten inodes kept back by unfolded changes again.
    pub(super) fn drop_orphans(&mut self) {
        for ino in std::mem::take(&mut self.orphans) {
            self.try_drop(ino);
        }
    }

    /// How many inodes are kept (the root included).
    #[cfg(test)]
    pub(super) fn inodes(&self) -> usize {
        self.nodes.len()
    }
}

/// The id of an inode's content as of its last fold.
pub(super) fn content_id(n: &Node) -> ObjectId {
    match &n.content {
        Content::Dir { base, .. } => *base,
        Content::File { id, .. } => *id,
    }
}
