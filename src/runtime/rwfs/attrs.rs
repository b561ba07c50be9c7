//! Requests on attributes: getattr, setattr, access, statfs.
#![warn(missing_docs)]

use std::time::UNIX_EPOCH;

use fuser::{
    AccessFlags, Errno, FileAttr, FileType, INodeNo, ReplyAttr, ReplyEmpty, ReplyStatfs, TimeOrNow,
};

use crate::prolly::dir::S_IFMT;
use crate::runtime::fuse::attr::{check_access, BLKSIZE};
use crate::runtime::fuse::reply::{io_errno, reply_empty};

use super::{now, WorkingFs, R, TTL};

pub(super) fn getattr(fs: &WorkingFs, ino: INodeNo, reply: ReplyAttr) {
    let mut st = fs.state();
    match fs.attr(&mut st, ino.0) {
        Ok(a) => reply.attr(&TTL, &a),
        Err(e) => reply.error(e),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn setattr(
    fs: &WorkingFs,
    ino: INodeNo,
    mode: Option<u32>,
    uid: Option<u32>,
    gid: Option<u32>,
    size: Option<u64>,
    mtime: Option<TimeOrNow>,
    reply: ReplyAttr,
) {
    let mut st = fs.state();
    let r = (|| -> R<FileAttr> {
        fs.check_writable()?;
        let ino = ino.0;
        if let Some(size) = size {
            if size == 0 {
                fs.empty_buffer(&mut st, ino)?;
            } else {
                let spill = &fs.inner.spill_dir;
                fs.buffer(&mut st, ino)?
                    .truncate(fs.store(), size, spill)
                    .map_err(|e| io_errno(&e))?;
            }
            WorkingFs::set_mtime(&mut st, ino);
        }
        let n = st.nodes.get_mut(&ino).ok_or(Errno::ENOENT)?;
        if let Some(m) = mode {
            n.mode = (n.mode & S_IFMT) | (m & 0o7777);
        }
        if let Some(u) = uid {
            n.meta.uid = u;
        }
        if let Some(g) = gid {
            n.meta.gid = g;
        }
        match mtime {
            Some(TimeOrNow::SpecificTime(t)) => {
                let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
                n.meta.mtime = Some(d.as_secs());
                n.meta.mtime_nsec = d.subsec_nanos();
            }
            Some(TimeOrNow::Now) => {
                let (s, ns) = now();
                n.meta.mtime = Some(s);
                n.meta.mtime_nsec = ns;
            }
            None => {}
        }
        if ino == 1 {
            st.root_meta_dirty = true;
        }
        WorkingFs::touch(&mut st, ino);
        fs.attr(&mut st, ino)
    })();
    match r {
        Ok(a) => reply.attr(&TTL, &a),
        Err(e) => reply.error(e),
    }
}

pub(super) fn statfs(fs: &WorkingFs, reply: ReplyStatfs) {
    // The space the store has: where written content ends up.
    match nix::sys::statvfs::statvfs(&fs.inner.ws.dir) {
        Ok(s) => reply.statfs(
            s.blocks(),
            s.blocks_free(),
            s.blocks_available(),
            s.files(),
            s.files_free(),
            s.block_size() as u32,
            255,
            s.fragment_size() as u32,
        ),
        Err(_) => reply.statfs(0, 0, 0, 0, 0, BLKSIZE, 255, BLKSIZE),
    }
}

pub(super) fn access(fs: &WorkingFs, ino: INodeNo, mask: AccessFlags, reply: ReplyEmpty) {
    let attr = {
        let mut st = fs.state();
        if !st.nodes.contains_key(&ino.0) {
            return reply.error(Errno::ENOENT);
        }
        fs.attr(&mut st, ino.0)
    };
    let file_mode = attr
        .ok()
        .filter(|a| a.kind == FileType::RegularFile)
        .map(|a| a.perm.into());
    reply_empty(reply, check_access(mask, fs.inner.readonly, file_mode))
}
