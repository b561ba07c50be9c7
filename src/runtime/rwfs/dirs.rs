//! Directory requests: open, list (streamed from the tree, or a snapshot), release, fsync.
#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use fuser::{
    Errno, FileHandle, FileType, FopenFlags, Generation, INodeNo, ReplyDirectory,
    ReplyDirectoryPlus, ReplyEmpty, ReplyOpen,
};

use crate::prolly::dir::{self, ROOT_RECORD};
use crate::runtime::fuse::attr::kind;
use crate::runtime::fuse::reply::{errno, list_dots, list_tree, Listed};

use super::inodes::{Content, DirHandle, State};
use super::{WorkingFs, R, TTL};

impl WorkingFs {
    /// The inode number to list for the name `name` of directory `parent`:
    /// its inode if known (None if deleted), else a number of its own. A
    /// listing makes no inodes: the kernel counts (and forgets) only lookups.
    pub(super) fn listed_ino(st: &mut State, parent: u64, name: &[u8]) -> Option<u64> {
        if let Some(v) = st.names.get(&(parent, name.to_vec())) {
            return *v;
        }
        st.next_ino += 1;
        Some(st.next_ino - 1)
    }

    /// Walk directory `ino`'s listing (open handle `fh`) from `offset`:
    /// `emit(state, inode, offset of the next entry, kind, name)` for each
    /// entry, `.` and `..` first, until it says the reply is full. Offsets:
    /// 1 after ".", 2 after "..", 2 + k after the k-th entry. A streamed
    /// listing remembers where it stopped, so the next call resumes by name.
    pub(super) fn list_dir(
        &self,
        st: &mut State,
        ino: u64,
        fh: u64,
        offset: u64,
        mut emit: impl FnMut(&mut State, u64, u64, FileType, &[u8]) -> bool,
    ) -> R<()> {
        let parent = st
            .nodes
            .get(&ino)
            .and_then(|n| n.links.first().map(|(p, _)| *p))
            .unwrap_or(1);
        let dots = list_dots(offset, ino, parent, |dot, next, name| {
            emit(st, dot, next, FileType::Directory, name)
        });
        let Some(off) = dots else {
            return Ok(());
        };
        // Taken out while entries are emitted (emit needs the state).
        let handle = st.dirs.remove(&fh).ok_or(Errno::EBADF)?;
        let (next_offset, next_name) = match handle {
            DirHandle::Snapshot(list) => {
                for (i, (name, child, k)) in list.iter().enumerate().skip((off - 2) as usize) {
                    if emit(st, *child, i as u64 + 3, *k, name) {
                        break;
                    }
                }
                st.dirs.insert(fh, DirHandle::Snapshot(list));
                return Ok(());
            }
            DirHandle::Stream {
                next_offset,
                next_name,
            } => (next_offset, next_name),
        };
        let resume = next_name.filter(|_| next_offset == offset);
        let walked = (|| -> R<(u64, Option<Vec<u8>>)> {
            let base = match &st.nodes.get(&ino).ok_or(Errno::ENOENT)?.content {
                Content::Dir { base, .. } => *base,
                _ => return Err(Errno::ENOTDIR),
            };
            list_tree(self.store(), &base, off, resume.as_deref(), |next, e| {
                let Some(child) = Self::listed_ino(st, ino, &e.name) else {
                    return Listed::Skipped;
                };
                match emit(st, child, next, kind(e.mode), &e.name) {
                    true => Listed::Full,
                    false => Listed::Added,
                }
            })
        })();
        // A failed walk leaves the handle where it was.
        let (next_offset, next_name, done) = match walked {
            Ok((o, n)) => (o, n, Ok(())),
            Err(e) => (next_offset, resume, Err(e)),
        };
        st.dirs.insert(
            fh,
            DirHandle::Stream {
                next_offset,
                next_name,
            },
        );
        done
    }

    /// The full listing of a directory with unfolded changes.
    pub(super) fn snapshot(&self, st: &mut State, ino: u64) -> R<Vec<(Vec<u8>, u64, FileType)>> {
        let (base, pending) = match &st.nodes.get(&ino).ok_or(Errno::ENOENT)?.content {
            Content::Dir { base, pending } => (*base, pending.clone()),
            _ => return Err(Errno::ENOTDIR),
        };
        let mut all: BTreeMap<Vec<u8>, (u64, FileType)> = BTreeMap::new();
        let listed = dir::list(self.store(), &base).map_err(|e| errno(&e))?;
        for e in listed {
            if e.name == ROOT_RECORD {
                continue;
            }
            if let Some(c) = Self::listed_ino(st, ino, &e.name) {
                let k = st.nodes.get(&c).map_or(kind(e.mode), |n| kind(n.mode));
                all.insert(e.name, (c, k));
            }
        }
        for name in pending {
            match st.names.get(&(ino, name.clone())).copied().flatten() {
                Some(c) => {
                    let k = st
                        .nodes
                        .get(&c)
                        .map_or(FileType::RegularFile, |n| kind(n.mode));
                    all.insert(name, (c, k));
                }
                None => {
                    all.remove(&name);
                }
            }
        }
        Ok(all.into_iter().map(|(name, (c, k))| (name, c, k)).collect())
    }
}

pub(super) fn fsyncdir(fs: &WorkingFs, reply: ReplyEmpty) {
    match fs.fold() {
        Ok(_) => reply.ok(),
        Err(e) => reply.error(errno(&e)),
    }
}

pub(super) fn opendir(fs: &WorkingFs, ino: INodeNo, reply: ReplyOpen) {
    let mut st = fs.state();
    let r = (|| -> R<u64> {
        let n = st.nodes.get(&ino.0).ok_or(Errno::ENOENT)?;
        let Content::Dir { pending, .. } = &n.content else {
            return Err(Errno::ENOTDIR);
        };
        let h = if !pending.is_empty() {
            DirHandle::Snapshot(fs.snapshot(&mut st, ino.0)?)
        } else {
            DirHandle::Stream {
                next_offset: 0,
                next_name: None,
            }
        };
        let fh = st.next_fh;
        st.next_fh += 1;
        st.dirs.insert(fh, h);
        Ok(fh)
    })();
    match r {
        Ok(fh) => reply.opened(FileHandle(fh), FopenFlags::empty()),
        Err(e) => reply.error(e),
    }
}

pub(super) fn readdir(
    fs: &WorkingFs,
    ino: INodeNo,
    fh: FileHandle,
    offset: u64,
    mut reply: ReplyDirectory,
) {
    let mut st = fs.state();
    // Not a lookup: the kernel makes no inode of a plain listing.
    let r = fs.list_dir(&mut st, ino.0, fh.0, offset, |_, child, off, k, name| {
        reply.add(INodeNo(child), off, k, OsStr::from_bytes(name))
    });
    match r {
        Ok(()) => reply.ok(),
        Err(e) => reply.error(e),
    }
}

/// A listing whose entries come with their attributes: each one added
/// (but `.` and `..`) is a lookup, as the kernel counts it.
pub(super) fn readdirplus(
    fs: &WorkingFs,
    ino: INodeNo,
    fh: FileHandle,
    offset: u64,
    mut reply: ReplyDirectoryPlus,
) {
    let mut st = fs.state();
    let r = fs.list_dir(&mut st, ino.0, fh.0, offset, |st, child, off, _k, name| {
        let dots = matches!(name, b"." | b"..");
        let child = if dots {
            Some(child)
        } else {
            fs.resolve(st, ino.0, name).ok().flatten()
        };
        let Some(attr) = child.and_then(|c| fs.attr(st, c).ok()) else {
            // Gone meanwhile: left out of the listing.
            return false;
        };
        let full = reply.add(
            INodeNo(attr.ino.0),
            off,
            OsStr::from_bytes(name),
            &TTL,
            &attr,
            Generation(0),
        );
        if !full && !dots {
            WorkingFs::looked_up(st, attr.ino.0);
        }
        full
    });
    match r {
        Ok(()) => reply.ok(),
        Err(e) => reply.error(e),
    }
}

pub(super) fn releasedir(fs: &WorkingFs, fh: FileHandle, reply: ReplyEmpty) {
    fs.state().dirs.remove(&fh.0);
    reply.ok();
}
