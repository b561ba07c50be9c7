//! Answers both filesystems give alike: the errno of an error, a directory listing walked from
//! an offset, extended attributes sized as the caller asked.
#![warn(missing_docs)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use fuser::{Errno, ReplyEmpty, ReplyXattr};

use crate::error::Error;
use crate::oid::ObjectId;
use crate::prolly::dir::{Entry, TreeCursor, ROOT_RECORD};
use crate::store::ObjectStore;

pub fn errno(e: &Error) -> Errno {
    match e {
        Error::Io { err, .. } => Errno::from_i32(err.raw_os_error().unwrap_or(libc::EIO)),
        _ => Errno::EIO,
    }
}

/// Answer an empty reply with `r`: done, or its error.
pub(crate) fn reply_empty(reply: ReplyEmpty, r: std::result::Result<(), Errno>) {
    match r {
        Ok(()) => reply.ok(),
        Err(e) => reply.error(e),
    }
}

pub(crate) fn io_errno(e: &std::io::Error) -> Errno {
    Errno::from_i32(e.raw_os_error().unwrap_or(libc::EIO))
}

// Offsets in a listing: 1 after ".", 2 after "..", 2 + k after the k-th entry.

/// List `.` (inode `ino`) and `..` (inode `parent`) where a listing at `offset` still wants
/// them: `emit(inode, offset of the next entry, name)` says whether the reply is full. The
/// offset to go on from, or None when the reply is full.
pub(crate) fn list_dots(
    offset: u64,
    ino: u64,
    parent: u64,
    mut emit: impl FnMut(u64, u64, &[u8]) -> bool,
) -> Option<u64> {
    let mut off = offset;
    for (at, dot, name) in [(0, ino, &b"."[..]), (1, parent, &b".."[..])] {
        if off == at {
            if emit(dot, at + 1, name) {
                return None;
            }
            off = at + 1;
        }
    }
    Some(off)
}

/// What `emit` made of an entry of a listing.
pub enum Listed {
    Added,
    /// Not added: the reply is full.
    Full,
    /// Left out of the listing (and not counted).
    Skipped,
}

/// Where a listing stopped: the offset of the next entry, and its name when the reply was full.
pub type Stop = (u64, Option<Vec<u8>>);

/// Walk the entries of tree `dir` for a listing at offset `off` (2 or more): from the name
/// `resume` when given (where the previous reply stopped), else past the first `off - 2`.
/// `emit(offset of the next entry, entry)` for each; returns where the listing stopped.
pub(crate) fn list_tree(
    store: &dyn ObjectStore,
    dir: &ObjectId,
    mut off: u64,
    resume: Option<&[u8]>,
    mut emit: impl FnMut(u64, &Entry) -> Listed,
) -> std::result::Result<Stop, Errno> {
    let cursor = match resume {
        Some(name) => TreeCursor::seek(store, dir, name),
        None => TreeCursor::new(store, dir),
    }
    .map_err(|e| errno(&e))?;
    // Entries already returned (when not resuming at a saved name).
    let mut skip = if resume.is_some() { 0 } else { off - 2 };
    for item in cursor {
        let e = item.map_err(|e| errno(&e))?;
        if e.name == ROOT_RECORD {
            continue;
        }
        if skip > 0 {
            skip -= 1;
            continue;
        }
        match emit(off + 1, &e) {
            Listed::Added => off += 1,
            Listed::Full => return Ok((off, Some(e.name))),
            Listed::Skipped => {}
        }
    }
    Ok((off, None))
}

/// Answer `getxattr` of `name` from `xattrs`; `size` 0 asks for the value's size.
pub(crate) fn xattr_value(
    reply: ReplyXattr,
    xattrs: &[(Vec<u8>, Vec<u8>)],
    name: &OsStr,
    size: u32,
) {
    match xattrs.iter().find(|(k, _)| k == name.as_bytes()) {
        Some((_, v)) => sized(reply, v, size),
        None => reply.error(Errno::ENODATA),
    }
}

/// Answer `listxattr` from `xattrs`: their names, each ended by a NUL.
pub(crate) fn xattr_names(reply: ReplyXattr, xattrs: &[(Vec<u8>, Vec<u8>)], size: u32) {
    let mut list = Vec::new();
    for (k, _) in xattrs {
        list.extend_from_slice(k);
        list.push(0);
    }
    sized(reply, &list, size)
}

/// `data`, or its size when `size` is 0, or ERANGE when it does not fit in `size`.
fn sized(reply: ReplyXattr, data: &[u8], size: u32) {
    if size == 0 {
        reply.size(data.len() as u32)
    } else if (size as usize) < data.len() {
        reply.error(Errno::ERANGE)
    } else {
        reply.data(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::ObjectType;
    use crate::prolly::dir::{self, S_IFDIR, S_IFREG};
    use crate::store::MemStore;

    /// Walk `tree` at `off` (resuming at `resume`), taking `room` entries and leaving out
    /// `left_out`: the names listed with their next offsets, and where the walk stopped.
    fn walk(
        s: &MemStore,
        tree: &ObjectId,
        off: u64,
        resume: Option<&[u8]>,
        room: usize,
        left_out: &[u8],
    ) -> (Vec<(String, u64)>, Stop) {
        let mut got = Vec::new();
        let stop = list_tree(s, tree, off, resume, |next, e| {
            if e.name == left_out {
                return Listed::Skipped;
            }
            if got.len() == room {
                return Listed::Full;
            }
            got.push((String::from_utf8_lossy(&e.name).into_owned(), next));
            Listed::Added
        })
        .unwrap();
        (got, stop)
    }

    #[test]
    fn listings_keep_their_offsets_and_resume_by_name() {
        let s = MemStore::new();
        let blob = s.write(ObjectType::Blob, b"x").unwrap();
        let mut entries = vec![Entry::new(ROOT_RECORD, S_IFDIR | 0o755, ObjectId::ZERO)];
        for n in ["a", "b", "c", "d"] {
            entries.push(Entry::new(n.as_bytes(), S_IFREG | 0o644, blob));
        }
        entries.sort_by(|x, y| x.name.cmp(&y.name));
        let tree = dir::build(&s, entries).unwrap();
        // `.` and `..` first, then the entries (the tree's `.` record is never listed).
        let mut dots = Vec::new();
        let off = list_dots(0, 7, 1, |ino, next, name| {
            dots.push((ino, next, name.to_vec()));
            false
        });
        assert_eq!(off, Some(2));
        assert_eq!(dots, vec![(7, 1, b".".to_vec()), (1, 2, b"..".to_vec())]);
        assert_eq!(
            list_dots(1, 7, 1, |_, _, _| true),
            None,
            "a full reply stops"
        );
        let (got, stop) = walk(&s, &tree, 2, None, 2, b"");
        assert_eq!(got, vec![("a".into(), 3), ("b".into(), 4)]);
        assert_eq!(stop, (4, Some(b"c".to_vec())));
        // The next reply resumes at the saved name, or skips by offset without one.
        let (got, stop) = walk(&s, &tree, 4, Some(b"c"), 9, b"");
        assert_eq!(got, vec![("c".into(), 5), ("d".into(), 6)]);
        assert_eq!(stop, (6, None));
        assert_eq!(walk(&s, &tree, 4, None, 9, b"").0, got);
        // A name left out takes no offset.
        let (got, _) = walk(&s, &tree, 2, None, 9, b"b");
        assert_eq!(got, vec![("a".into(), 3), ("c".into(), 4), ("d".into(), 5)]);
    }
}
