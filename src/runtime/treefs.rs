//! A read-only FUSE filesystem over a prolly tree (`fuser`, mounted through
//! the `fusermount3` helper, no libfuse).
//!
//! Inode numbers are assigned on lookup: inode 1 is the tree's root, every
//! other inode maps to its parent inode, its path in the tree and its `Entry`,
//! until the kernel forgets it (then a later lookup assigns a new number).
//! Content is immutable, so attributes and entries are cached by the kernel
//! for a long time and open files keep the page cache
//! (`FOPEN_KEEP_CACHE`). Directories are listed through `TreeCursor`, resuming
//! at the next name rather than materialising the listing; files are read by
//! byte range (`file::read_range`), so a read of a chunked file loads only the
//! chunks it covers. The mount is read-only: the kernel answers every
//! write-type operation with `EROFS` itself.
#![warn(missing_docs)]

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use fuser::{
    AccessFlags, Config, Errno, FileAttr, FileHandle, Filesystem, FopenFlags, Generation, INodeNo,
    KernelConfig, MountOption, OpenAccMode, OpenFlags, ReplyAttr, ReplyData, ReplyDirectory,
    ReplyDirectoryPlus, ReplyEmpty, ReplyEntry, ReplyOpen, ReplyStatfs, ReplyXattr, Request,
};

use crate::error::Result;
use crate::oid::ObjectId;
use crate::prolly::dir::{self, Entry, ROOT_RECORD};
use crate::prolly::file;
use crate::runtime::error::RuntimeError;
use crate::store::ObjectStore;

use super::fuse::attr::{check_access, file_attr, kind, BLKSIZE};
use super::fuse::mount::{self, mount_error};
use super::fuse::reply::{
    errno, list_dots, list_tree, reply_empty, xattr_names, xattr_value, Listed,
};

/// How long the kernel may cache attributes and entries: content never changes.
const TTL: Duration = Duration::from_secs(24 * 3600);
const S_IFMT: u32 = 0o170000;

/// One known inode.
struct Node {
    parent: u64,
    /// Slash-separated path from the root (empty for the root).
    path: Vec<u8>,
    entry: Entry,
    /// Content size, computed on first `getattr`.
    size: Option<u64>,
    /// The kernel's lookup count (entries replied, minus forgets).
    lookups: u64,
    /// Inodes kept whose parent this is.
    kids: u32,
}

/// Where an open directory's listing stopped: the offset of the next entry
/// and its name, so the next `readdir` seeks there instead of rescanning.
struct DirPos {
    next_offset: u64,
    next_name: Option<Vec<u8>>,
}

#[derive(Default)]
struct State {
    nodes: HashMap<u64, Node>,
    by_name: HashMap<(u64, Vec<u8>), u64>,
    next_ino: u64,
    dirs: HashMap<u64, DirPos>,
    next_fh: u64,
}

/// A read-only filesystem over the tree `root` of `store`.
pub struct TreeFs<S: ObjectStore + Send + Sync + 'static> {
    store: S,
    state: Mutex<State>,
}

impl<S: ObjectStore + Send + Sync + 'static> TreeFs<S> {
    /// The filesystem of tree `root`. The root directory's own mode and
    /// metadata come from the tree's `.` record, else 040755.
    pub fn new(store: S, root: ObjectId) -> Result<TreeFs<S>> {
        let mut entry = match dir::get(&store, &root, ROOT_RECORD)? {
            Some(e) => e,
            None => Entry::new(ROOT_RECORD, 0o040755, root),
        };
        entry.id = root;
        entry.name = Vec::new();
        let mut state = State {
            next_ino: 2,
            next_fh: 1,
            ..State::default()
        };
        state.nodes.insert(
            1,
            Node {
                parent: 1,
                path: Vec::new(),
                entry,
                size: Some(0),
                lookups: 0,
                kids: 0,
            },
        );
        Ok(TreeFs {
            store,
            state: Mutex::new(state),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Mount read-only at `mountpoint` and serve until unmounted: by
    /// `fusermount3 -u` (or `umount`) from outside, or on SIGINT/SIGTERM,
    /// which unmount lazily. `ready` runs once the mount is up (the kernel
    /// handshake is done), before the first request is served.
    pub fn serve(self, mountpoint: &Path, fsname: &str, ready: impl FnOnce()) -> Result<()> {
        let sigs = mount::block_stop_signals()?;
        let session = mount::mount(self, mountpoint, &config(fsname))?;
        mount::unmount_on_signal(sigs, mountpoint)?;
        ready();
        mount::serve(session)
    }

    /// Mount read-only at `mountpoint` and serve from a background thread.
    pub fn spawn(self, mountpoint: &Path, fsname: &str) -> Result<Mounted> {
        let s = mount::mount(self, mountpoint, &config(fsname))?;
        Ok(Mounted(s.spawn().map_err(|e| mount_error(mountpoint, e))?))
    }
}

/// A filesystem served from a background thread; `unmount` (or drop) ends it.
pub struct Mounted(fuser::BackgroundSession);

impl Mounted {
    /// Unmount and wait for the serving thread.
    pub fn unmount(self) -> Result<()> {
        Ok(self.0.umount_and_join().map_err(|err| RuntimeError::Os {
            step: "unmount failed",
            err,
        })?)
    }
    /// Wait until the filesystem is unmounted from outside (`umount`).
    pub fn join(self) -> Result<()> {
        Ok(self.0.join().map_err(|err| RuntimeError::Os {
            step: "FUSE session failed",
            err,
        })?)
    }
}

fn config(fsname: &str) -> Config {
    mount::config(
        fsname,
        [MountOption::RO, MountOption::NoDev, MountOption::NoSuid],
    )
}

impl<S: ObjectStore + Send + Sync + 'static> TreeFs<S> {
    /// The inode of `entry` named in directory `parent`, assigned on first use.
    fn intern(st: &mut State, parent: u64, entry: Entry) -> u64 {
        let key = (parent, entry.name.clone());
        if let Some(&ino) = st.by_name.get(&key) {
            return ino;
        }
        let ino = st.next_ino;
        st.next_ino += 1;
        let mut path = st
            .nodes
            .get(&parent)
            .map(|n| n.path.clone())
            .unwrap_or_default();
        if !path.is_empty() {
            path.push(b'/');
        }
        path.extend_from_slice(&entry.name);
        st.nodes.insert(
            ino,
            Node {
                parent,
                path,
                entry,
                size: None,
                lookups: 0,
                kids: 0,
            },
        );
        if let Some(p) = st.nodes.get_mut(&parent) {
            p.kids += 1;
        }
        st.by_name.insert(key, ino);
        ino
    }

    /// The kernel forgot `n` lookups of `ino`: at zero, and with no kept
    /// inode below it, the inode is dropped (found again by name if asked).
    fn forget_ino(st: &mut State, ino: u64, n: u64) {
        let Some(node) = st.nodes.get_mut(&ino) else {
            return;
        };
        node.lookups = node.lookups.saturating_sub(n);
        let mut at = ino;
        while at != 1 {
            match st.nodes.get(&at) {
                Some(node) if node.lookups == 0 && node.kids == 0 => {}
                _ => return,
            }
            let node = st.nodes.remove(&at).expect("present");
            st.by_name.remove(&(node.parent, node.entry.name));
            match st.nodes.get_mut(&node.parent) {
                Some(p) => p.kids = p.kids.saturating_sub(1),
                None => return,
            }
            at = node.parent;
        }
    }

    fn attr(&self, st: &mut State, ino: u64) -> Result<FileAttr> {
        let node = st.nodes.get_mut(&ino).ok_or(RuntimeError::StaleInode)?;
        let e = &node.entry;
        let size = match node.size {
            Some(s) => s,
            None => {
                let s = match e.mode & S_IFMT {
                    0o100000 | 0o120000 if !e.id.is_zero() => file::size(&self.store, &e.id)?,
                    _ => 0,
                };
                node.size = Some(s);
                s
            }
        };
        let e = &node.entry;
        Ok(file_attr(ino, e.mode, &e.meta, size, 1))
    }

    /// Walk directory `ino`'s listing (open handle `fh`) from `offset`:
    /// `emit(inode, offset of the next entry, entry)` for each, `.` and `..`
    /// first (with their inode; the others with None), until it says the
    /// reply is full. Offsets: 1 after ".", 2 after "..", 2 + k after the
    /// k-th entry; the handle remembers the name to resume at.
    fn list_dir(
        &self,
        ino: u64,
        fh: u64,
        offset: u64,
        mut emit: impl FnMut(Option<u64>, u64, &Entry) -> bool,
    ) -> std::result::Result<(), Errno> {
        let (dir, parent, resume) = {
            let st = self.state();
            let n = st.nodes.get(&ino).ok_or(Errno::ENOENT)?;
            let resume = st
                .dirs
                .get(&fh)
                .filter(|p| p.next_offset == offset && offset >= 2)
                .and_then(|p| p.next_name.clone());
            (n.entry.clone(), n.parent, resume)
        };
        let dots = list_dots(offset, ino, parent, |dot, next, name| {
            let e = Entry {
                name: name.to_vec(),
                ..dir.clone()
            };
            emit(Some(dot), next, &e)
        });
        let Some(off) = dots else {
            return Ok(());
        };
        let (off, next) =
            list_tree(
                &self.store,
                &dir.id,
                off,
                resume.as_deref(),
                |next, e| match emit(None, next, e) {
                    true => Listed::Full,
                    false => Listed::Added,
                },
            )?;
        if let Some(p) = self.state().dirs.get_mut(&fh) {
            p.next_offset = off;
            p.next_name = next;
        }
        Ok(())
    }

    fn entry_of(&self, ino: u64) -> std::result::Result<Entry, Errno> {
        self.state()
            .nodes
            .get(&ino)
            .map(|n| n.entry.clone())
            .ok_or(Errno::ENOENT)
    }
}

impl<S: ObjectStore + Send + Sync + 'static> Filesystem for TreeFs<S> {
    fn init(&mut self, _req: &Request, config: &mut KernelConfig) -> std::io::Result<()> {
        mount::init(config);
        Ok(())
    }

    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let dir_entry = match self.entry_of(parent.0) {
            Ok(e) => e,
            Err(e) => return reply.error(e),
        };
        if dir_entry.mode & S_IFMT != 0o040000 {
            return reply.error(Errno::ENOTDIR);
        }
        let name = name.as_bytes();
        if name == ROOT_RECORD {
            return reply.error(Errno::ENOENT);
        }
        let found = match dir::get(&self.store, &dir_entry.id, name) {
            Ok(Some(e)) => e,
            Ok(None) => return reply.error(Errno::ENOENT),
            Err(e) => return reply.error(errno(&e)),
        };
        let mut st = self.state();
        let ino = Self::intern(&mut st, parent.0, found);
        match self.attr(&mut st, ino) {
            Ok(a) => {
                if let Some(n) = st.nodes.get_mut(&ino) {
                    n.lookups += 1;
                }
                reply.entry(&TTL, &a, Generation(0))
            }
            Err(e) => {
                Self::forget_ino(&mut st, ino, 0);
                reply.error(errno(&e))
            }
        }
    }

    // fuser's default `batch_forget` calls this for each inode.
    fn forget(&self, _req: &Request, ino: INodeNo, nlookup: u64) {
        Self::forget_ino(&mut self.state(), ino.0, nlookup);
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        let mut st = self.state();
        if !st.nodes.contains_key(&ino.0) {
            return reply.error(Errno::ENOENT);
        }
        match self.attr(&mut st, ino.0) {
            Ok(a) => reply.attr(&TTL, &a),
            Err(e) => reply.error(errno(&e)),
        }
    }

    fn readlink(&self, _req: &Request, ino: INodeNo, reply: ReplyData) {
        let e = match self.entry_of(ino.0) {
            Ok(e) => e,
            Err(e) => return reply.error(e),
        };
        if !e.is_symlink() {
            return reply.error(Errno::EINVAL);
        }
        match file::read_range(&self.store, &e.id, 0, u64::MAX) {
            Ok(t) => reply.data(&t),
            Err(err) => reply.error(errno(&err)),
        }
    }

    fn open(&self, _req: &Request, ino: INodeNo, flags: OpenFlags, reply: ReplyOpen) {
        let e = match self.entry_of(ino.0) {
            Ok(e) => e,
            Err(e) => return reply.error(e),
        };
        if flags.acc_mode() != OpenAccMode::O_RDONLY || flags.0 & libc::O_TRUNC != 0 {
            return reply.error(Errno::EROFS);
        }
        if e.mode & S_IFMT == 0o040000 {
            return reply.error(Errno::EISDIR);
        }
        reply.opened(FileHandle(0), FopenFlags::FOPEN_KEEP_CACHE);
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<fuser::LockOwner>,
        reply: ReplyData,
    ) {
        let e = match self.entry_of(ino.0) {
            Ok(e) => e,
            Err(e) => return reply.error(e),
        };
        if !e.is_file() {
            return reply.error(Errno::EINVAL);
        }
        match file::read_range(&self.store, &e.id, offset, size as u64) {
            Ok(d) => reply.data(&d),
            Err(err) => reply.error(errno(&err)),
        }
    }

    fn opendir(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        let mut st = self.state();
        match st.nodes.get(&ino.0) {
            Some(n) if n.entry.mode & S_IFMT == 0o040000 => {}
            Some(_) => return reply.error(Errno::ENOTDIR),
            None => return reply.error(Errno::ENOENT),
        }
        let fh = st.next_fh;
        st.next_fh += 1;
        st.dirs.insert(
            fh,
            DirPos {
                next_offset: 0,
                next_name: None,
            },
        );
        reply.opened(FileHandle(fh), FopenFlags::FOPEN_KEEP_CACHE);
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let r = self.list_dir(ino.0, fh.0, offset, |child, off, e| {
            // A listing makes no inode (the kernel counts only lookups).
            let child = child.unwrap_or_else(|| {
                let mut st = self.state();
                match st.by_name.get(&(ino.0, e.name.clone())) {
                    Some(&i) => i,
                    None => {
                        st.next_ino += 1;
                        st.next_ino - 1
                    }
                }
            });
            reply.add(
                INodeNo(child),
                off,
                kind(e.mode),
                OsStr::from_bytes(&e.name),
            )
        });
        match r {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    /// A listing whose entries come with their attributes: each entry added
    /// (but `.` and `..`) is a lookup, as the kernel counts it.
    fn readdirplus(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectoryPlus,
    ) {
        let r = self.list_dir(ino.0, fh.0, offset, |child, off, e| {
            let mut st = self.state();
            let (child, dots) = match child {
                Some(c) => (c, true),
                None => (Self::intern(&mut st, ino.0, e.clone()), false),
            };
            let Ok(attr) = self.attr(&mut st, child) else {
                if !dots {
                    Self::forget_ino(&mut st, child, 0);
                }
                return false;
            };
            let full = reply.add(
                INodeNo(child),
                off,
                OsStr::from_bytes(&e.name),
                &TTL,
                &attr,
                Generation(0),
            );
            if !dots {
                if full {
                    Self::forget_ino(&mut st, child, 0);
                } else if let Some(n) = st.nodes.get_mut(&child) {
                    n.lookups += 1;
                }
            }
            full
        });
        match r {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn releasedir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        reply: ReplyEmpty,
    ) {
        self.state().dirs.remove(&fh.0);
        reply.ok();
    }

    fn statfs(&self, _req: &Request, _ino: INodeNo, reply: ReplyStatfs) {
        let files = self.state().nodes.len() as u64;
        reply.statfs(0, 0, 0, files, 0, BLKSIZE, 255, BLKSIZE);
    }

    fn getxattr(&self, _req: &Request, ino: INodeNo, name: &OsStr, size: u32, reply: ReplyXattr) {
        let e = match self.entry_of(ino.0) {
            Ok(e) => e,
            Err(e) => return reply.error(e),
        };
        xattr_value(reply, &e.meta.xattrs, name, size)
    }

    fn listxattr(&self, _req: &Request, ino: INodeNo, size: u32, reply: ReplyXattr) {
        let e = match self.entry_of(ino.0) {
            Ok(e) => e,
            Err(e) => return reply.error(e),
        };
        xattr_names(reply, &e.meta.xattrs, size)
    }

    fn access(&self, _req: &Request, ino: INodeNo, mask: AccessFlags, reply: ReplyEmpty) {
        let Ok(e) = self.entry_of(ino.0) else {
            return reply.error(Errno::ENOENT);
        };
        reply_empty(
            reply,
            check_access(mask, true, e.is_file().then_some(e.mode)),
        )
    }

    // The write-type operations are fuser's defaults: the mount is
    // read-only (`MountOption::RO`), so the kernel answers them with EROFS
    // before they reach the server.
}
