//! The view: names resolved into inodes, attributes, changes recorded up to the root, buffers.
#![warn(missing_docs)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use fuser::{Errno, FileAttr, Request};

use crate::oid::ObjectId;
use crate::prolly::dir::{self, Entry, TreeCursor, ROOT_RECORD};
use crate::prolly::file;
use crate::runtime::fuse::attr::file_attr;
use crate::runtime::fuse::reply::{errno, io_errno};

use super::filebuf::{spill_file, FileBuf};
use super::inodes::{Content, Node, State};
use super::{now, Target, WorkingFs, R, SPILL_AT};

impl WorkingFs {
    /// The inode named `name` in directory `parent`, looked up in the base tree once.
    pub(super) fn resolve(&self, st: &mut State, parent: u64, name: &[u8]) -> R<Option<u64>> {
        let key = (parent, name.to_vec());
        if let Some(v) = st.names.get(&key) {
            return Ok(*v);
        }
        let p = st.nodes.get(&parent).ok_or(Errno::ENOENT)?;
        let Content::Dir { base, .. } = &p.content else {
            return Err(Errno::ENOTDIR);
        };
        if name == ROOT_RECORD || name == b".." {
            return Ok(None);
        }
        // Absent names are not remembered: the kernel asks again anyway.
        let Some(e) = dir::get(self.store(), base, name).map_err(|e| errno(&e))? else {
            return Ok(None);
        };
        if let Some(link) = e.meta.link.clone().filter(|_| !e.is_dir()) {
            if let Some(first) = self.group_first(st, parent, &e, &link)? {
                st.names.insert(key, Some(first));
                st.add_link(first, parent, name);
                return Ok(Some(first));
            }
        }
        let ino = st.insert_node(Node::from_entry(e, parent));
        st.names.insert(key, Some(ino));
        Ok(Some(ino))
    }

    pub(super) fn attr(&self, st: &mut State, ino: u64) -> R<FileAttr> {
        let store = self.store();
        let n = st.nodes.get_mut(&ino).ok_or(Errno::ENOENT)?;
        let size = match &mut n.content {
            Content::Dir { .. } => 0,
            Content::File { id, buf, size } => match (buf, *size) {
                (Some(b), _) => b.len(),
                (None, Some(s)) => s,
                (None, None) => {
                    let s = if id.is_zero() {
                        0
                    } else {
                        file::size(store, id).map_err(|e| errno(&e))?
                    };
                    *size = Some(s);
                    s
                }
            },
        };
        let links = n.links.len().max(1) as u32;
        Ok(file_attr(ino, n.mode, &n.meta, size, links))
    }

    /// Record that inode `ino`'s entry changed, up to the root.
    pub(super) fn touch(st: &mut State, ino: u64) {
        let Some(n) = st.nodes.get_mut(&ino) else {
            return;
        };
        n.meta.link = None;
        if n.dirty {
            return;
        }
        n.dirty = true;
        for (p, name) in n.links.clone() {
            Self::changed_name(st, p, name);
        }
    }

    /// Record that `name` in directory `dir` changed.
    pub(super) fn changed_name(st: &mut State, dir: u64, name: Vec<u8>) {
        if let Some(Node {
            content: Content::Dir { pending, .. },
            ..
        }) = st.nodes.get_mut(&dir)
        {
            pending.insert(name);
        }
        if let Some(n) = st.nodes.get_mut(&dir) {
            if n.dirty {
                return;
            }
            n.dirty = true;
            for (p, pname) in n.links.clone() {
                Self::changed_name(st, p, pname);
            }
        }
    }

    /// The kernel was handed an entry for `ino`: one more lookup to forget.
    pub(super) fn looked_up(st: &mut State, ino: u64) {
        if let Some(n) = st.nodes.get_mut(&ino) {
            n.lookups += 1;
        }
    }

    /// The attributes of `ino` for an entry handed to the kernel (a lookup it counts).
    pub(super) fn entry(&self, st: &mut State, ino: u64) -> R<FileAttr> {
        let a = self.attr(st, ino)?;
        Self::looked_up(st, ino);
        Ok(a)
    }

    pub(super) fn set_mtime(st: &mut State, ino: u64) {
        if let Some(n) = st.nodes.get_mut(&ino) {
            let (s, ns) = now();
            n.meta.mtime = Some(s);
            n.meta.mtime_nsec = ns;
        }
    }

    pub(super) fn check_writable(&self) -> R<()> {
        if self.inner.readonly {
            Err(Errno::EROFS)
        } else {
            Ok(())
        }
    }

    /// Make a new inode `name` in `parent` (which must not have it).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn make(
        &self,
        st: &mut State,
        req: &Request,
        parent: u64,
        name: &OsStr,
        mode: u32,
        id: ObjectId,
        rdev: Option<(u32, u32)>,
    ) -> R<u64> {
        self.check_writable()?;
        let name = name.as_bytes();
        dir::check_name(name).map_err(|_| Errno::EINVAL)?;
        if self.resolve(st, parent, name)?.is_some() {
            return Err(Errno::EEXIST);
        }
        let pnode = st.nodes.get(&parent).ok_or(Errno::ENOENT)?;
        // setgid directories pass their group on.
        let gid = if pnode.mode & 0o2000 != 0 {
            pnode.meta.gid
        } else {
            req.gid()
        };
        let mut e = Entry::new(name, mode, id);
        e.meta.uid = req.uid();
        e.meta.gid = gid;
        e.meta.rdev = rdev;
        let (s, ns) = now();
        e.meta.mtime = Some(s);
        e.meta.mtime_nsec = ns;
        let mut n = Node::from_entry(e, parent);
        if let Content::File { size, .. } = &mut n.content {
            *size = Some(0);
        }
        let ino = st.insert_node(n);
        st.names.insert((parent, name.to_vec()), Some(ino));
        Self::touch(st, ino);
        Self::set_mtime(st, parent);
        Self::touch(st, parent);
        Ok(ino)
    }

    /// Make a file's content empty: a new buffer, nothing copied up (and, in
    /// a working root, one that stores what is written next as it comes).
    pub(super) fn empty_buffer(&self, st: &mut State, ino: u64) -> R<()> {
        let stream = matches!(self.inner.target, Target::Working);
        let n = st.nodes.get_mut(&ino).ok_or(Errno::ENOENT)?;
        let Content::File { buf, .. } = &mut n.content else {
            return Err(Errno::EISDIR);
        };
        *buf = Some(if stream {
            FileBuf::Stream(Box::default())
        } else {
            FileBuf::Mem(Vec::new())
        });
        Ok(())
    }

    /// Give a file its own writable buffer (copied up from the store).
    pub(super) fn buffer<'a>(&self, st: &'a mut State, ino: u64) -> R<&'a mut FileBuf> {
        let store = self.store();
        let spill = &self.inner.spill_dir;
        let n = st.nodes.get_mut(&ino).ok_or(Errno::ENOENT)?;
        let Content::File { id, buf, .. } = &mut n.content else {
            return Err(Errno::EISDIR);
        };
        if buf.is_none() {
            let size = if id.is_zero() {
                0
            } else {
                file::size(store, id).map_err(|e| errno(&e))?
            };
            let mut b = if size > SPILL_AT {
                let f = spill_file(spill).map_err(|e| io_errno(&e))?;
                let mut r = file::Reader::new(store, id).map_err(|e| errno(&e))?;
                let mut w = std::io::BufWriter::new(&f);
                std::io::copy(&mut r, &mut w).map_err(|e| io_errno(&e))?;
                drop(w);
                FileBuf::Spill { file: f, len: size }
            } else if size == 0 && matches!(self.inner.target, Target::Working) {
                FileBuf::Stream(Box::default())
            } else if size == 0 {
                FileBuf::Mem(Vec::new())
            } else {
                FileBuf::Mem(file::read_range(store, id, 0, size).map_err(|e| errno(&e))?)
            };
            if b.len() != size {
                b.truncate(store, size, spill).map_err(|e| io_errno(&e))?;
            }
            *buf = Some(b);
        }
        Ok(buf.as_mut().expect("just set"))
    }

    /// Remove the name `name` from `parent`.
    pub(super) fn remove_name(st: &mut State, parent: u64, name: &[u8], ino: u64) {
        st.names.insert((parent, name.to_vec()), None);
        st.drop_link(ino, parent, name);
        Self::changed_name(st, parent, name.to_vec());
        Self::set_mtime(st, parent);
    }

    /// Whether directory `ino` has no entries: every name changed since the
    /// last fold is gone, and so is every name of its base tree.
    pub(super) fn dir_is_empty(&self, st: &mut State, ino: u64) -> R<bool> {
        let (base, pending) = match &st.nodes.get(&ino).ok_or(Errno::ENOENT)?.content {
            Content::Dir { base, pending } => (*base, pending.clone()),
            _ => return Err(Errno::ENOTDIR),
        };
        if pending
            .iter()
            .any(|n| st.names.get(&(ino, n.clone())).copied().flatten().is_some())
        {
            return Ok(false);
        }
        let cursor = TreeCursor::new(self.store(), &base).map_err(|e| errno(&e))?;
        for e in cursor {
            let e = e.map_err(|e| errno(&e))?;
            if e.name == ROOT_RECORD {
                continue;
            }
            if st.names.get(&(ino, e.name.clone())) != Some(&None) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}
