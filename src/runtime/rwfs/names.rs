//! Requests on names: lookup, mknod, mkdir, unlink, rmdir, symlink, rename, link.
#![warn(missing_docs)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use fuser::{Errno, FileAttr, INodeNo, RenameFlags, ReplyEmpty, ReplyEntry, Request};

use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::prolly::dir::{self, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG};
use crate::runtime::fuse::attr::decode_dev;
use crate::runtime::fuse::reply::{errno, reply_empty};

use super::inodes::{Content, Node};
use super::{reply_entry, WorkingFs, R};

pub(super) fn lookup(fs: &WorkingFs, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
    let mut st = fs.state();
    let r = fs
        .resolve(&mut st, parent.0, name.as_bytes())
        .and_then(|v| v.ok_or(Errno::ENOENT))
        .and_then(|ino| fs.entry(&mut st, ino));
    reply_entry(reply, r)
}

/// Make NAME in PARENT with MODE (the umask applied, as for `mkdir` and
/// `create`): a file, fifo, socket or device node.
pub(super) fn mknod(
    fs: &WorkingFs,
    req: &Request,
    parent: INodeNo,
    name: &OsStr,
    mode: u32,
    rdev: u32,
    reply: ReplyEntry,
) {
    let mut st = fs.state();
    let r = (|| -> R<FileAttr> {
        let (id, dev) = match mode & S_IFMT {
            S_IFREG => (
                fs.store()
                    .write(ObjectType::Blob, b"")
                    .map_err(|e| errno(&e))?,
                None,
            ),
            0o010000 | 0o140000 => (ObjectId::ZERO, None),
            0o020000 | 0o060000 => (ObjectId::ZERO, Some(decode_dev(rdev))),
            _ => return Err(Errno::EINVAL),
        };
        let ino = fs.make(&mut st, req, parent.0, name, mode, id, dev)?;
        fs.entry(&mut st, ino)
    })();
    reply_entry(reply, r)
}

pub(super) fn mkdir(
    fs: &WorkingFs,
    req: &Request,
    parent: INodeNo,
    name: &OsStr,
    mode: u32,
    reply: ReplyEntry,
) {
    let mut st = fs.state();
    let r = (|| -> R<FileAttr> {
        let empty = dir::empty(fs.store()).map_err(|e| errno(&e))?;
        let mode = S_IFDIR | (mode & 0o7777);
        let ino = fs.make(&mut st, req, parent.0, name, mode, empty, None)?;
        fs.entry(&mut st, ino)
    })();
    reply_entry(reply, r)
}

/// Remove NAME of PARENT: with `dir` an empty directory (rmdir), else
/// anything but a directory (unlink).
pub(super) fn remove(fs: &WorkingFs, parent: INodeNo, name: &OsStr, dir: bool, reply: ReplyEmpty) {
    let mut st = fs.state();
    let r = (|| -> R<()> {
        fs.check_writable()?;
        let ino = fs
            .resolve(&mut st, parent.0, name.as_bytes())?
            .ok_or(Errno::ENOENT)?;
        match (dir, st.nodes[&ino].is_dir()) {
            (false, true) => return Err(Errno::EISDIR),
            (true, false) => return Err(Errno::ENOTDIR),
            (true, true) if !fs.dir_is_empty(&mut st, ino)? => return Err(Errno::ENOTEMPTY),
            _ => {}
        }
        WorkingFs::remove_name(&mut st, parent.0, name.as_bytes(), ino);
        Ok(())
    })();
    reply_empty(reply, r)
}

pub(super) fn symlink(
    fs: &WorkingFs,
    req: &Request,
    parent: INodeNo,
    link_name: &OsStr,
    target: &Path,
    reply: ReplyEntry,
) {
    let mut st = fs.state();
    let r = (|| -> R<FileAttr> {
        let t = target.as_os_str().as_bytes();
        let id = fs
            .store()
            .write(ObjectType::Blob, t)
            .map_err(|e| errno(&e))?;
        let ino = fs.make(&mut st, req, parent.0, link_name, S_IFLNK | 0o777, id, None)?;
        if let Some(Node {
            content: Content::File { size, .. },
            ..
        }) = st.nodes.get_mut(&ino)
        {
            *size = Some(t.len() as u64);
        }
        fs.entry(&mut st, ino)
    })();
    reply_entry(reply, r)
}

pub(super) fn rename(
    fs: &WorkingFs,
    parent: INodeNo,
    name: &OsStr,
    newparent: INodeNo,
    newname: &OsStr,
    flags: RenameFlags,
    reply: ReplyEmpty,
) {
    let mut st = fs.state();
    let r = (|| -> R<()> {
        fs.check_writable()?;
        let (name, newname) = (name.as_bytes(), newname.as_bytes());
        dir::check_name(newname).map_err(|_| Errno::EINVAL)?;
        if flags.bits() & libc::RENAME_EXCHANGE != 0 {
            return Err(Errno::EINVAL);
        }
        let src = fs.resolve(&mut st, parent.0, name)?.ok_or(Errno::ENOENT)?;
        // Moving a directory into itself or below it.
        if st.nodes[&src].is_dir() {
            let mut at = newparent.0;
            while at != 1 {
                if at == src {
                    return Err(Errno::EINVAL);
                }
                at = st.nodes[&at].links.first().map_or(1, |(p, _)| *p);
            }
        }
        if let Some(dst) = fs.resolve(&mut st, newparent.0, newname)? {
            if dst == src {
                return Ok(());
            }
            if flags.bits() & libc::RENAME_NOREPLACE != 0 {
                return Err(Errno::EEXIST);
            }
            match (st.nodes[&src].is_dir(), st.nodes[&dst].is_dir()) {
                (true, true) => {
                    if !fs.dir_is_empty(&mut st, dst)? {
                        return Err(Errno::ENOTEMPTY);
                    }
                }
                (true, false) => return Err(Errno::ENOTDIR),
                (false, true) => return Err(Errno::EISDIR),
                (false, false) => {}
            }
            WorkingFs::remove_name(&mut st, newparent.0, newname, dst);
        }
        WorkingFs::remove_name(&mut st, parent.0, name, src);
        st.names.insert((newparent.0, newname.to_vec()), Some(src));
        st.add_link(src, newparent.0, newname);
        WorkingFs::changed_name(&mut st, newparent.0, newname.to_vec());
        WorkingFs::set_mtime(&mut st, newparent.0);
        Ok(())
    })();
    reply_empty(reply, r)
}

pub(super) fn link(
    fs: &WorkingFs,
    ino: INodeNo,
    newparent: INodeNo,
    newname: &OsStr,
    reply: ReplyEntry,
) {
    let mut st = fs.state();
    let r = (|| -> R<FileAttr> {
        fs.check_writable()?;
        let newname = newname.as_bytes();
        dir::check_name(newname).map_err(|_| Errno::EINVAL)?;
        if st.nodes.get(&ino.0).ok_or(Errno::ENOENT)?.is_dir() {
            return Err(Errno::EPERM);
        }
        if fs.resolve(&mut st, newparent.0, newname)?.is_some() {
            return Err(Errno::EEXIST);
        }
        st.names
            .insert((newparent.0, newname.to_vec()), Some(ino.0));
        st.add_link(ino.0, newparent.0, newname);
        WorkingFs::changed_name(&mut st, newparent.0, newname.to_vec());
        WorkingFs::set_mtime(&mut st, newparent.0);
        fs.entry(&mut st, ino.0)
    })();
    reply_entry(reply, r)
}
