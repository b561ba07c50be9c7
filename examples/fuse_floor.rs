//! The FUSE floor for bench/runtime.sh: one file of `SIZE` bytes served from
//! memory (a 1 MiB pattern repeated; no store, no decompression, no hashing),
//! with the runtime's mount settings. What a `cat` of it costs is the least
//! any FUSE filesystem here can cost for the same bytes.
//!
//!   fuse_floor MOUNTPOINT SIZE     (serves until unmounted)

use std::ffi::OsStr;
use std::time::{Duration, UNIX_EPOCH};

use fuser::{
    Config, Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags, Generation, INodeNo,
    KernelConfig, MountOption, OpenFlags, ReplyAttr, ReplyData, ReplyEntry, ReplyOpen, Request,
};

struct Floor {
    size: u64,
    buf: Vec<u8>,
}

const BUF: usize = 1 << 20;

impl Floor {
    fn attr(&self, ino: u64) -> FileAttr {
        let dir = ino == 1;
        FileAttr {
            ino: INodeNo(ino),
            size: if dir { 0 } else { self.size },
            blocks: self.size.div_ceil(512),
            atime: UNIX_EPOCH,
            mtime: UNIX_EPOCH,
            ctime: UNIX_EPOCH,
            crtime: UNIX_EPOCH,
            kind: if dir {
                FileType::Directory
            } else {
                FileType::RegularFile
            },
            perm: if dir { 0o755 } else { 0o644 },
            nlink: 1,
            uid: 0,
            gid: 0,
            rdev: 0,
            blksize: 128 * 1024,
            flags: 0,
        }
    }
}

impl Filesystem for Floor {
    fn init(&mut self, _req: &Request, config: &mut KernelConfig) -> std::io::Result<()> {
        let _ = config.set_max_readahead(1 << 20);
        let _ = config.set_max_write(1 << 20);
        Ok(())
    }
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        if parent.0 == 1 && name == "f" {
            reply.entry(&Duration::from_secs(60), &self.attr(2), Generation(0))
        } else {
            reply.error(Errno::ENOENT)
        }
    }
    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        reply.attr(&Duration::from_secs(60), &self.attr(ino.0))
    }
    fn open(&self, _req: &Request, _ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        reply.opened(FileHandle(0), FopenFlags::FOPEN_KEEP_CACHE)
    }
    fn read(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<fuser::LockOwner>,
        reply: ReplyData,
    ) {
        let end = (offset + size as u64).min(self.size);
        if offset >= end {
            return reply.data(&[]);
        }
        // The buffer holds the pattern twice: a request (at most 1 MiB) that
        // starts anywhere in the first copy is one slice, never short (a
        // short reply would read as the end of the file).
        let at = (offset % BUF as u64) as usize;
        let n = ((end - offset) as usize).min(BUF);
        reply.data(&self.buf[at..at + n])
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: fuse_floor MOUNTPOINT SIZE");
        std::process::exit(2);
    }
    let size: u64 = args[2].parse().expect("SIZE in bytes");
    let mut buf = hako::prolly::file::xorshift_bytes(BUF, 0x9e3779b97f4a7c15);
    buf.extend_from_within(..);
    let mut c = Config::default();
    c.mount_options = vec![
        MountOption::RO,
        MountOption::FSName("floor".into()),
        MountOption::Subtype("hako".into()),
    ];
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    c.n_threads = Some(cores.clamp(2, 8));
    let s = fuser::Session::new(Floor { size, buf }, &args[1], &c).expect("mount");
    // The same readahead as hako's servers (4 MiB as root), so that the
    // floor differs from them only in what serving a read costs.
    hako::runtime::fuse::widen_readahead(std::path::Path::new(&args[1]));
    s.run().expect("serve");
}
