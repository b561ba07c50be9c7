//! Requests on file content: readlink, open, create, read, write, release, fsync.
#![warn(missing_docs)]

use std::ffi::OsStr;

use fuser::{
    Errno, FileAttr, FileHandle, FopenFlags, Generation, INodeNo, OpenAccMode, OpenFlags,
    ReplyCreate, ReplyData, ReplyEmpty, ReplyOpen, ReplyWrite, Request,
};

use crate::object::ObjectType;
use crate::prolly::dir::{S_IFLNK, S_IFMT, S_IFREG};
use crate::prolly::file;
use crate::runtime::fuse::reply::{errno, io_errno};

use super::inodes::{content_id, Content};
use super::{Target, WorkingFs, R, TTL};

pub(super) fn readlink(fs: &WorkingFs, ino: INodeNo, reply: ReplyData) {
    let id = {
        let st = fs.state();
        match st.nodes.get(&ino.0) {
            Some(n) if n.mode & S_IFMT == S_IFLNK => content_id(n),
            Some(_) => return reply.error(Errno::EINVAL),
            None => return reply.error(Errno::ENOENT),
        }
    };
    match file::read_range(fs.store(), &id, 0, u64::MAX) {
        Ok(t) => reply.data(&t),
        Err(e) => reply.error(errno(&e)),
    }
}

pub(super) fn open(fs: &WorkingFs, ino: INodeNo, flags: OpenFlags, reply: ReplyOpen) {
    let mut st = fs.state();
    let r = (|| -> R<u64> {
        let n = st.nodes.get(&ino.0).ok_or(Errno::ENOENT)?;
        if n.is_dir() {
            return Err(Errno::EISDIR);
        }
        let write = flags.acc_mode() != OpenAccMode::O_RDONLY;
        if write || flags.0 & libc::O_TRUNC != 0 {
            fs.check_writable()?;
        }
        if flags.0 & libc::O_TRUNC != 0 {
            fs.empty_buffer(&mut st, ino.0)?;
            WorkingFs::set_mtime(&mut st, ino.0);
            WorkingFs::touch(&mut st, ino.0);
        }
        if write {
            st.nodes.get_mut(&ino.0).expect("checked").writers += 1;
        }
        let fh = st.next_fh;
        st.next_fh += 1;
        st.files.insert(fh, (ino.0, write));
        Ok(fh)
    })();
    match r {
        Ok(fh) => reply.opened(FileHandle(fh), FopenFlags::FOPEN_KEEP_CACHE),
        Err(e) => reply.error(e),
    }
}

/// Make and open the file NAME in PARENT with MODE (the umask applied).
pub(super) fn create(
    fs: &WorkingFs,
    req: &Request,
    parent: INodeNo,
    name: &OsStr,
    mode: u32,
    flags: i32,
    reply: ReplyCreate,
) {
    let mut st = fs.state();
    let r = (|| -> R<(FileAttr, u64)> {
        let id = fs
            .store()
            .write(ObjectType::Blob, b"")
            .map_err(|e| errno(&e))?;
        let mode = S_IFREG | (mode & 0o7777);
        let ino = fs.make(&mut st, req, parent.0, name, mode, id, None)?;
        let write = flags & libc::O_ACCMODE != libc::O_RDONLY;
        if write {
            st.nodes.get_mut(&ino).expect("made").writers += 1;
        }
        let fh = st.next_fh;
        st.next_fh += 1;
        st.files.insert(fh, (ino, write));
        let a = fs.entry(&mut st, ino)?;
        Ok((a, fh))
    })();
    match r {
        Ok((a, fh)) => reply.created(
            &TTL,
            &a,
            Generation(0),
            FileHandle(fh),
            FopenFlags::FOPEN_KEEP_CACHE,
        ),
        Err(e) => reply.error(e),
    }
}

pub(super) fn read(fs: &WorkingFs, ino: INodeNo, offset: u64, size: u32, reply: ReplyData) {
    let id = {
        let st = fs.state();
        match st.nodes.get(&ino.0).map(|n| &n.content) {
            Some(Content::File { buf: Some(b), .. }) => {
                return match b.read(fs.store(), offset, size) {
                    Ok(d) => reply.data(&d),
                    Err(e) => reply.error(io_errno(&e)),
                }
            }
            Some(Content::File { id, .. }) => *id,
            Some(Content::Dir { .. }) => return reply.error(Errno::EISDIR),
            None => return reply.error(Errno::ENOENT),
        }
    };
    if id.is_zero() {
        return reply.data(&[]);
    }
    match fs.inner.read_content(&id, offset, size as u64) {
        Ok(b) => reply.data(b.as_slice()),
        Err(e) => reply.error(errno(&e)),
    }
}

pub(super) fn write(fs: &WorkingFs, ino: INodeNo, offset: u64, data: &[u8], reply: ReplyWrite) {
    let mut st = fs.state();
    let r = (|| -> R<()> {
        fs.check_writable()?;
        let b = fs.buffer(&mut st, ino.0)?;
        let (store, spill) = (fs.store(), &fs.inner.spill_dir);
        fs.inner
            .par(|| b.write(store, offset, data, spill))
            .map_err(|e| io_errno(&e))?;
        WorkingFs::set_mtime(&mut st, ino.0);
        WorkingFs::touch(&mut st, ino.0);
        Ok(())
    })();
    match r {
        Ok(()) => reply.written(data.len() as u32),
        Err(e) => reply.error(e),
    }
}

pub(super) fn release(fs: &WorkingFs, ino: INodeNo, fh: FileHandle, reply: ReplyEmpty) {
    let mut st = fs.state();
    if let Some((_, true)) = st.files.remove(&fh.0) {
        if let Target::Discard = fs.inner.target {
            // Kept until unmount, on disk unless small.
            let spill = fs.inner.spill_dir.clone();
            if let Some(n) = st.nodes.get_mut(&ino.0) {
                n.writers = n.writers.saturating_sub(1);
                if let Content::File { buf: Some(b), .. } = &mut n.content {
                    if b.len() > file::INLINE_MAX {
                        if let Err(e) = b.spill(&spill) {
                            st.last_error = Some(format!("spill: {e}"));
                        }
                    }
                }
            }
            return reply.ok();
        }
        let store = fs.store();
        let mut failed = None;
        if let Some(n) = st.nodes.get_mut(&ino.0) {
            n.writers = n.writers.saturating_sub(1);
            // The last writer gone: store the content, drop the buffer.
            if n.writers == 0 {
                if let Content::File { id, buf, size } = &mut n.content {
                    if let Some(b) = buf {
                        match fs.inner.par(|| b.store(store, &fs.inner.spill_dir)) {
                            Ok(new) => {
                                *id = new;
                                *size = Some(b.len());
                                *buf = None;
                            }
                            Err(e) => failed = Some(e.to_string()),
                        }
                    }
                }
            }
        }
        if failed.is_some() {
            st.last_error = failed;
        }
    }
    reply.ok();
}

pub(super) fn fsync(fs: &WorkingFs, reply: ReplyEmpty) {
    match fs.fold() {
        Ok(_) => reply.ok(),
        Err(e) => reply.error(errno(&e)),
    }
}
