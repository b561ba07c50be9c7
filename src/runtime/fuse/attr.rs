//! File attributes from tree entries: file kinds, device numbers, `FileAttr`, the access check.
#![warn(missing_docs)]

use std::time::{Duration, UNIX_EPOCH};

use fuser::{AccessFlags, Errno, FileAttr, FileType, INodeNo};

use crate::prolly::dir::{Meta, S_IFMT};

/// The block size reported (`st_blksize`, `statfs`).
pub(crate) const BLKSIZE: u32 = 128 * 1024;

pub fn kind(mode: u32) -> FileType {
    match mode & S_IFMT {
        0o040000 => FileType::Directory,
        0o120000 => FileType::Symlink,
        0o020000 => FileType::CharDevice,
        0o060000 => FileType::BlockDevice,
        0o010000 => FileType::NamedPipe,
        0o140000 => FileType::Socket,
        _ => FileType::RegularFile,
    }
}

/// The kernel's `new_encode_dev` and `new_decode_dev`.
pub fn encode_dev(major: u32, minor: u32) -> u32 {
    (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & !0xff) << 12)
}
pub(crate) fn decode_dev(dev: u32) -> (u32, u32) {
    ((dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00))
}

/// The attributes of inode `ino` of mode `mode` and metadata `meta`, `size` bytes long;
/// `links` is the number of names of anything but a directory.
pub(crate) fn file_attr(ino: u64, mode: u32, meta: &Meta, size: u64, links: u32) -> FileAttr {
    let mtime = meta
        .mtime
        .map(|s| UNIX_EPOCH + Duration::new(s, meta.mtime_nsec))
        .unwrap_or(UNIX_EPOCH);
    let k = kind(mode);
    FileAttr {
        ino: INodeNo(ino),
        size,
        blocks: size.div_ceil(512),
        atime: mtime,
        mtime,
        ctime: mtime,
        crtime: mtime,
        kind: k,
        perm: (mode & 0o7777) as u16,
        nlink: if k == FileType::Directory { 2 } else { links },
        uid: meta.uid,
        gid: meta.gid,
        rdev: meta.rdev.map(|(a, b)| encode_dev(a, b)).unwrap_or(0),
        blksize: BLKSIZE,
        flags: 0,
    }
}

/// Answer `access(2)` for `mask`: writes are refused on a read-only mount; `file_mode` is
/// the mode of a regular file (None for anything else).
pub(crate) fn check_access(
    mask: AccessFlags,
    readonly: bool,
    file_mode: Option<u32>,
) -> std::result::Result<(), Errno> {
    if mask.contains(AccessFlags::W_OK) && readonly {
        return Err(Errno::EROFS);
    }
    // Nobody, root included, may execute a file without an execute bit.
    if mask.contains(AccessFlags::X_OK) && file_mode.is_some_and(|m| m & 0o111 == 0) {
        return Err(Errno::EACCES);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_numbers_round_trip_and_access_follows_the_mode() {
        for (major, minor) in [(1, 3), (8, 17), (259, 300_000)] {
            assert_eq!(decode_dev(encode_dev(major, minor)), (major, minor));
        }
        assert_eq!(encode_dev(1, 3), 0x103);
        let meta = Meta::default();
        assert_eq!(file_attr(5, 0o040755, &meta, 0, 3).nlink, 2);
        let a = file_attr(5, 0o100644, &meta, 513, 3);
        assert_eq!(
            (a.kind, a.perm, a.nlink, a.blocks),
            (FileType::RegularFile, 0o644, 3, 2)
        );
        assert_eq!(
            check_access(AccessFlags::W_OK, true, None),
            Err(Errno::EROFS)
        );
        assert_eq!(check_access(AccessFlags::W_OK, false, Some(0o644)), Ok(()));
        assert_eq!(
            check_access(AccessFlags::X_OK, false, Some(0o644)),
            Err(Errno::EACCES)
        );
        assert_eq!(check_access(AccessFlags::X_OK, false, Some(0o744)), Ok(()));
        // A directory without x bits is the kernel's to refuse, not ours.
        assert_eq!(check_access(AccessFlags::X_OK, true, None), Ok(()));
    }
}
