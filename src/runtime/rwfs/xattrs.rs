//! Extended attributes: set, get, list, remove; an access ACL sets the permission bits.
#![warn(missing_docs)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use fuser::{Errno, INodeNo, ReplyEmpty, ReplyXattr};

use crate::runtime::fuse::reply::{reply_empty, xattr_names, xattr_value};

use super::{WorkingFs, R};

pub(super) fn setxattr(
    fs: &WorkingFs,
    ino: INodeNo,
    name: &OsStr,
    value: &[u8],
    flags: i32,
    reply: ReplyEmpty,
) {
    let mut st = fs.state();
    let mut mode_changed = false;
    let r = (|| -> R<()> {
        fs.check_writable()?;
        let n = st.nodes.get_mut(&ino.0).ok_or(Errno::ENOENT)?;
        let name = name.as_bytes();
        let at = n
            .meta
            .xattrs
            .binary_search_by(|(k, _)| k.as_slice().cmp(name));
        // An access ACL sets the permission bits, as on ext4 and tmpfs
        // (sed -i, cp -p and install give a file its mode this way);
        // one that says no more than the mode is not kept.
        let mut keep = true;
        if name == ACL_ACCESS {
            mode_changed = true;
            let (perms, extended) = acl_mode(value).ok_or(Errno::EINVAL)?;
            n.mode = (n.mode & !0o777) | perms;
            keep = extended;
        }
        match at {
            Ok(_) if flags & XATTR_CREATE != 0 => return Err(Errno::EEXIST),
            Err(_) if flags & XATTR_REPLACE != 0 && keep => return Err(Errno::ENODATA),
            Ok(i) if !keep => {
                n.meta.xattrs.remove(i);
            }
            Ok(i) => n.meta.xattrs[i].1 = value.to_vec(),
            Err(_) if !keep => {}
            Err(i) => n.meta.xattrs.insert(i, (name.to_vec(), value.to_vec())),
        }
        if ino.0 == 1 {
            st.root_meta_dirty = true;
        }
        WorkingFs::touch(&mut st, ino.0);
        Ok(())
    })();
    drop(st);
    match r {
        Ok(()) => reply.ok(),
        Err(e) => return reply.error(e),
    }
    // Without FUSE_POSIX_ACL the kernel keeps its cached mode after
    // an ACL is set: drop it (attributes only, no pages).
    if mode_changed {
        if let Some(n) = fs.inner.notifier.get() {
            let _ = n.inval_inode(ino, -1, 0);
        }
    }
}

pub(super) fn getxattr(fs: &WorkingFs, ino: INodeNo, name: &OsStr, size: u32, reply: ReplyXattr) {
    let st = fs.state();
    let Some(n) = st.nodes.get(&ino.0) else {
        return reply.error(Errno::ENOENT);
    };
    xattr_value(reply, &n.meta.xattrs, name, size)
}

pub(super) fn listxattr(fs: &WorkingFs, ino: INodeNo, size: u32, reply: ReplyXattr) {
    let st = fs.state();
    let Some(n) = st.nodes.get(&ino.0) else {
        return reply.error(Errno::ENOENT);
    };
    xattr_names(reply, &n.meta.xattrs, size)
}

pub(super) fn removexattr(fs: &WorkingFs, ino: INodeNo, name: &OsStr, reply: ReplyEmpty) {
    let mut st = fs.state();
    let r = (|| -> R<()> {
        fs.check_writable()?;
        let n = st.nodes.get_mut(&ino.0).ok_or(Errno::ENOENT)?;
        let before = n.meta.xattrs.len();
        n.meta.xattrs.retain(|(k, _)| k != name.as_bytes());
        if n.meta.xattrs.len() == before {
            return Err(Errno::ENODATA);
        }
        if ino.0 == 1 {
            st.root_meta_dirty = true;
        }
        WorkingFs::touch(&mut st, ino.0);
        Ok(())
    })();
    reply_empty(reply, r)
}

const XATTR_CREATE: i32 = 1;
const XATTR_REPLACE: i32 = 2;

/// The extended attribute holding a file's POSIX access ACL.
const ACL_ACCESS: &[u8] = b"system.posix_acl_access";

/// The permission bits an access ACL (the kernel's xattr form: a 4-byte
/// version 2, then 8-byte entries of tag, perm, id, little-endian) gives,
/// and whether it holds more than the mode can say (named users or groups,
/// a mask). The group bits are the mask's when there is one, as POSIX says.
fn acl_mode(value: &[u8]) -> Option<(u32, bool)> {
    const USER_OBJ: u16 = 0x01;
    const GROUP_OBJ: u16 = 0x04;
    const MASK: u16 = 0x10;
    const OTHER: u16 = 0x20;
    let (version, entries) = value.split_at_checked(4)?;
    if u32::from_le_bytes(version.try_into().ok()?) != 2 || entries.len() % 8 != 0 {
        return None;
    }
    let (mut user, mut group, mut mask, mut other) = (None, None, None, None);
    let mut extended = false;
    for e in entries.chunks_exact(8) {
        let tag = u16::from_le_bytes([e[0], e[1]]);
        let perm = u32::from(u16::from_le_bytes([e[2], e[3]]) & 0o7);
        match tag {
            USER_OBJ => user = Some(perm),
            GROUP_OBJ => group = Some(perm),
            MASK => mask = Some(perm),
            OTHER => other = Some(perm),
            _ => {}
        }
        extended |= !matches!(tag, USER_OBJ | GROUP_OBJ | OTHER);
    }
    let g = mask.or(group)?;
    Some((user? << 6 | g << 3 | other?, extended))
}

#[cfg(test)]
mod tests {

    #[test]
    fn access_acls_give_the_mode() {
        let acl = |entries: &[(u16, u16, u32)]| {
            let mut v = 2u32.to_le_bytes().to_vec();
            for (tag, perm, id) in entries {
                v.extend_from_slice(&tag.to_le_bytes());
                v.extend_from_slice(&perm.to_le_bytes());
                v.extend_from_slice(&id.to_le_bytes());
            }
            v
        };
        let minimal = acl(&[(1, 7, !0), (4, 5, !0), (0x20, 5, !0)]);
        assert_eq!(super::acl_mode(&minimal), Some((0o755, false)));
        let named = acl(&[
            (1, 6, !0),
            (2, 7, 1000),
            (4, 4, !0),
            (0x10, 6, !0),
            (0x20, 0, !0),
        ]);
        assert_eq!(super::acl_mode(&named), Some((0o660, true)));
        assert_eq!(super::acl_mode(&minimal[..10]), None);
        assert_eq!(super::acl_mode(b"\x01\0\0\0"), None);
    }
}
