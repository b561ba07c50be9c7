//! Directory entries and their node codec: modes, names, metadata, the
//! `Entry` encoding, the tree node schema and the node-level reading API.
#![warn(missing_docs)]

use super::super::{malformed, Node, Schema};
use crate::codec::{get_varint, put_varint, take, take_id};
use crate::error::{Error, Result};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::prolly::ProllyError;
use crate::store::ObjectStore;

/// The file type bits of a mode.
pub const S_IFMT: u32 = 0o170000;
/// A regular file.
pub const S_IFREG: u32 = 0o100000;
/// A directory.
pub const S_IFDIR: u32 = 0o040000;
/// A symbolic link.
pub const S_IFLNK: u32 = 0o120000;
/// A character device.
pub const S_IFCHR: u32 = 0o020000;
/// A block device.
pub const S_IFBLK: u32 = 0o060000;
/// A fifo.
pub const S_IFIFO: u32 = 0o010000;
/// A socket.
pub const S_IFSOCK: u32 = 0o140000;
/// The longest entry name, in bytes.
pub const MAX_NAME: usize = 255;
/// The largest metadata record of an entry, in bytes.
pub const MAX_META: usize = 8192;

/// Check a mode against format-spec/prolly-tree.md.
pub fn check_mode(mode: u32) -> Result<()> {
    let ok = match mode & S_IFMT {
        S_IFLNK => mode & 0o7777 == 0o777,
        S_IFREG | S_IFDIR | S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK => true,
        _ => false,
    };
    if ok && mode & !0o177777 == 0 {
        Ok(())
    } else {
        Err(ProllyError::UnknownMode(mode).into())
    }
}

/// Check an entry name: 1..=255 bytes, no '/', no NUL, not '.' or '..'.
pub fn check_name(name: &[u8]) -> Result<()> {
    let shown = || String::from_utf8_lossy(name).escape_debug().to_string();
    if name.is_empty() || name.len() > MAX_NAME {
        return Err(ProllyError::NameLength(shown()).into());
    }
    if name == b"." || name == b".." {
        return Err(ProllyError::DotName(shown()).into());
    }
    if name.contains(&b'/') || name.contains(&0) {
        return Err(ProllyError::NameChars(shown()).into());
    }
    Ok(())
}

/// The name of the root record: the tree's own directory mode and metadata.
pub const ROOT_RECORD: &[u8] = b".";

/// Check the name of a leaf entry of `mode`: a valid name, or the root record
/// `.` for a directory mode.
pub fn check_entry_name(name: &[u8], mode: u32) -> Result<()> {
    if name == ROOT_RECORD {
        if mode & S_IFMT != S_IFDIR {
            return Err(ProllyError::RootRecordMode.into());
        }
        return Ok(());
    }
    check_name(name)
}

/// Check a hardlink record: a relative path, `..` only as leading components.
pub fn check_link_path(p: &[u8]) -> Result<()> {
    let bad = || {
        Error::from(ProllyError::BadLinkPath(
            String::from_utf8_lossy(p).into_owned(),
        ))
    };
    if p.is_empty() || p.contains(&0) {
        return Err(bad());
    }
    let mut names = false;
    for c in p.split(|&b| b == b'/') {
        if c == b".." {
            if names {
                return Err(bad());
            }
        } else {
            check_name(c).map_err(|_| bad())?;
            names = true;
        }
    }
    if !names {
        return Err(bad());
    }
    Ok(())
}

/// Owner, device numbers, xattrs, mtime and hardlink group of an entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// The owner's uid.
    pub uid: u32,
    /// The owner's gid.
    pub gid: u32,
    /// A device's major and minor numbers.
    pub rdev: Option<(u32, u32)>,
    /// Extended attributes, as name and value.
    pub xattrs: Vec<(Vec<u8>, Vec<u8>)>,
    /// Seconds since the epoch.
    pub mtime: Option<u64>,
    /// Nanoseconds within the second (only with `mtime`).
    pub mtime_nsec: u32,
    /// The first member of the entry's hardlink group, relative to the
    /// entry's directory (format-spec/prolly-tree.md, Hardlinks).
    pub link: Option<Vec<u8>>,
}

impl Meta {
    /// Whether nothing is recorded (the record is left out).
    pub fn is_default(&self) -> bool {
        *self == Meta::default()
    }

    /// The metadata record's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let rec = |out: &mut Vec<u8>, tag: u8, val: &[u8]| {
            out.push(tag);
            put_varint(out, val.len() as u64);
            out.extend_from_slice(val);
        };
        let v = |x: u64| {
            let mut b = Vec::new();
            put_varint(&mut b, x);
            b
        };
        if self.uid != 0 {
            rec(&mut out, 1, &v(self.uid as u64));
        }
        if self.gid != 0 {
            rec(&mut out, 2, &v(self.gid as u64));
        }
        if let Some((ma, mi)) = self.rdev {
            let mut b = v(ma as u64);
            b.extend(v(mi as u64));
            rec(&mut out, 3, &b);
        }
        let mut xs = self.xattrs.clone();
        xs.sort();
        for (n, val) in &xs {
            let mut b = v(n.len() as u64);
            b.extend_from_slice(n);
            b.extend_from_slice(val);
            rec(&mut out, 4, &b);
        }
        if let Some(t) = self.mtime {
            rec(&mut out, 5, &v(t));
            if self.mtime_nsec != 0 {
                rec(&mut out, 6, &v(self.mtime_nsec as u64));
            }
        }
        if let Some(l) = &self.link {
            rec(&mut out, 7, l);
        }
        out
    }

    /// Parse a metadata record.
    pub fn decode(buf: &[u8]) -> Result<Meta> {
        let mut m = Meta::default();
        let mut pos = 0;
        let mut last_tag = 0u8;
        while pos < buf.len() {
            let tag = buf[pos];
            pos += 1;
            let len = get_varint(buf, &mut pos)? as usize;
            let val = take(buf, &mut pos, len)?;
            if tag < last_tag || (tag == last_tag && tag != 4) {
                return Err(malformed("metadata records out of order"));
            }
            last_tag = tag;
            let mut p = 0;
            match tag {
                1 => m.uid = get_varint(val, &mut p)? as u32,
                2 => m.gid = get_varint(val, &mut p)? as u32,
                3 => {
                    let ma = get_varint(val, &mut p)? as u32;
                    let mi = get_varint(val, &mut p)? as u32;
                    m.rdev = Some((ma, mi));
                }
                4 => {
                    let n = get_varint(val, &mut p)? as usize;
                    let name = take(val, &mut p, n)?.to_vec();
                    m.xattrs.push((name, val[p..].to_vec()));
                    p = val.len();
                }
                5 => m.mtime = Some(get_varint(val, &mut p)?),
                6 => {
                    let ns = get_varint(val, &mut p)?;
                    if m.mtime.is_none() || ns == 0 || ns > 999_999_999 {
                        return Err(malformed("bad mtime nanoseconds"));
                    }
                    m.mtime_nsec = ns as u32;
                }
                7 => {
                    check_link_path(val).map_err(|e| malformed(&e.to_string()))?;
                    m.link = Some(val.to_vec());
                    p = val.len();
                }
                _ => return Err(malformed("unknown metadata tag")),
            }
            if p != val.len() {
                return Err(malformed("bad metadata record"));
            }
        }
        if m.xattrs.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(malformed("xattr names not strictly ascending"));
        }
        Ok(m)
    }
}

#[cfg(test)]
mod meta_tests {
    use super::*;

    #[test]
    fn every_record_round_trips_in_tag_order() {
        let m = Meta {
            uid: 1000,
            gid: 42,
            rdev: Some((1, 3)),
            xattrs: vec![
                (b"user.a".to_vec(), b"1".to_vec()),
                (b"user.b".to_vec(), vec![]),
            ],
            mtime: Some(1_700_000_000),
            mtime_nsec: 123_456_789,
            link: Some(b"../usr/bin/perl".to_vec()),
        };
        let enc = m.encode();
        let tags: Vec<u8> = {
            let (mut pos, mut tags) = (0, Vec::new());
            while pos < enc.len() {
                tags.push(enc[pos]);
                pos += 1;
                let len = get_varint(&enc, &mut pos).unwrap() as usize;
                pos += len;
            }
            tags
        };
        assert_eq!(tags, [1, 2, 3, 4, 4, 5, 6, 7]);
        assert_eq!(Meta::decode(&enc).unwrap(), m);
        // Nanoseconds of zero are not written.
        let whole = Meta {
            mtime: Some(5),
            ..Meta::default()
        };
        assert_eq!(whole.encode(), [5, 1, 5]);
    }

    #[test]
    fn malformed_records_are_rejected() {
        for bad in [
            &[6u8, 1, 1][..],                                   // nanoseconds without mtime
            &[5, 1, 1, 6, 1, 0][..],                            // zero nanoseconds
            &[5, 1, 1, 6, 5, 0x80, 0x94, 0xeb, 0xdc, 0x03][..], // 10^9 nanoseconds
            &[7, 0][..],                                        // empty hardlink path
            &[7, 2, b'.', b'.'][..],                            // only `..`
            &[7, 4, b'a', b'/', b'.', b'.'][..],                // `..` after a name
            &[7, 3, b'/', b'a', b'b'][..],                      // absolute
            &[7, 3, b'a', b'/', b'.'][..],                      // `.` component
            &[8, 0][..],                                        // unknown tag
            &[4, 3, 1, b'b', b'x', 4, 3, 1, b'a', b'x'][..],    // xattr names descending
        ] {
            assert!(Meta::decode(bad).is_err(), "{bad:?}");
        }
        assert!(Meta::decode(&[7, 6, b'.', b'.', b'/', b'a', b'/', b'b']).is_ok());
    }

    #[test]
    fn the_root_record_is_a_directory_with_the_zero_id() {
        let rec = Entry::new(ROOT_RECORD, S_IFDIR | 0o700, ObjectId::ZERO);
        rec.validate().unwrap();
        assert!(!rec.is_dir());
        assert_eq!(rec.kind_name(), "none");
        assert!(Entry::new(ROOT_RECORD, S_IFREG | 0o644, ObjectId::ZERO)
            .validate()
            .is_err());
        assert!(check_name(b".").is_err());
    }
}

/// A directory entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The entry's name within its directory.
    pub name: Vec<u8>,
    /// File type and permission bits.
    pub mode: u32,
    /// Its content: a blob, file or tree (the zero id for a device, fifo, socket or the root record).
    pub id: ObjectId,
    /// Owner, devices, xattrs, mtime and hardlink group.
    pub meta: Meta,
}

impl Entry {
    /// An entry with no metadata.
    pub fn new(name: &[u8], mode: u32, id: ObjectId) -> Entry {
        Entry {
            name: name.to_vec(),
            mode,
            id,
            meta: Meta::default(),
        }
    }
    /// A subdirectory (not the `.` root record, which has no tree of its own).
    pub fn is_dir(&self) -> bool {
        self.mode & S_IFMT == S_IFDIR && self.name != ROOT_RECORD
    }
    /// A regular file.
    pub fn is_file(&self) -> bool {
        self.mode & S_IFMT == S_IFREG
    }
    /// A symbolic link.
    pub fn is_symlink(&self) -> bool {
        self.mode & S_IFMT == S_IFLNK
    }
    /// The object type `ls-tree` shows for the entry, from its mode.
    pub fn kind_name(&self) -> &'static str {
        match self.mode & S_IFMT {
            S_IFDIR if self.name == ROOT_RECORD => "none",
            S_IFDIR => "tree",
            S_IFREG | S_IFLNK => "blob",
            _ => "none",
        }
    }

    /// Check name, mode and id against format-spec/prolly-tree.md.
    pub fn validate(&self) -> Result<()> {
        check_entry_name(&self.name, self.mode)?;
        check_mode(self.mode)?;
        if self.name == ROOT_RECORD {
            if !self.id.is_zero() {
                return Err(ProllyError::RootRecordId.into());
            }
            return Ok(());
        }
        let special = matches!(self.mode & S_IFMT, S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK);
        if special && !self.id.is_zero() {
            return Err(ProllyError::SpecialWithId(
                String::from_utf8_lossy(&self.name).into_owned(),
            )
            .into());
        }
        if !special && self.id.is_zero() {
            return Err(
                ProllyError::MissingId(String::from_utf8_lossy(&self.name).into_owned()).into(),
            );
        }
        Ok(())
    }

    /// The entry's bytes in a leaf node.
    pub fn encode(&self) -> Vec<u8> {
        let meta = self.meta.encode();
        let mut out = Vec::with_capacity(self.name.len() + meta.len() + 44);
        put_varint(&mut out, self.name.len() as u64);
        out.extend_from_slice(&self.name);
        put_varint(&mut out, self.mode as u64);
        out.extend_from_slice(self.id.as_bytes());
        put_varint(&mut out, meta.len() as u64);
        out.extend_from_slice(&meta);
        out
    }

    /// Parse an entry from a leaf node's bytes.
    pub fn decode(buf: &[u8]) -> Result<Entry> {
        let mut pos = 0;
        let n = get_varint(buf, &mut pos)? as usize;
        let name = take(buf, &mut pos, n)?.to_vec();
        let mode = get_varint(buf, &mut pos)? as u32;
        let id = take_id(buf, &mut pos)?;
        let ml = get_varint(buf, &mut pos)? as usize;
        let meta = Meta::decode(take(buf, &mut pos, ml)?)?;
        Ok(Entry {
            name,
            mode,
            id,
            meta,
        })
    }
}

/// How the entries of tree nodes are framed: leaf entries, and internal
/// `(last_key, count, child_id)` entries (format-spec/prolly-tree.md).
pub struct TreeSchema;

impl Schema for TreeSchema {
    const KIND: ObjectType = ObjectType::Tree;
    const SORTED: bool = true;

    fn parse_entry(level: u8, buf: &[u8], pos: &mut usize) -> Result<std::ops::Range<usize>> {
        let n = get_varint(buf, pos)? as usize;
        let ks = *pos;
        let key = take(buf, pos, n)?;
        if level == 0 {
            let mode = get_varint(buf, pos)?;
            check_entry_name(key, mode as u32).map_err(|e| malformed(&e.to_string()))?;
            check_mode(mode as u32).map_err(|e| malformed(&e.to_string()))?;
            take(buf, pos, 32)?;
            let ml = get_varint(buf, pos)? as usize;
            if ml > MAX_META {
                return Err(malformed("metadata too large"));
            }
            take(buf, pos, ml)?;
        } else {
            get_varint(buf, pos)?;
            take(buf, pos, 32)?;
        }
        Ok(ks..ks + n)
    }

    /// The entry counts of an internal node's children add up within a u64
    /// (found by the tree_node fuzz target: their sum overflowed).
    fn check(node: &Node) -> Result<()> {
        if node.level > 0 {
            children(node)
                .try_fold(0u64, |sum, (_, count, _)| sum.checked_add(count))
                .ok_or_else(|| malformed("entry counts of the children overflow"))?;
        }
        Ok(())
    }

    fn parent_entry(child: &Node, child_id: ObjectId) -> (Vec<u8>, Vec<u8>) {
        let key = child.last_key().to_vec();
        let count = subtree_count(child);
        let mut e = Vec::with_capacity(key.len() + 44);
        put_varint(&mut e, key.len() as u64);
        e.extend_from_slice(&key);
        put_varint(&mut e, count);
        e.extend_from_slice(child_id.as_bytes());
        (key, e)
    }
}

// ---- the node-level API (for merge and sync, which walk nodes themselves) ----

/// Number of leaf entries under a node.
pub(super) fn subtree_count(node: &Node) -> u64 {
    if node.level == 0 {
        return node.len() as u64;
    }
    children(node).map(|(_, count, _)| count).sum()
}

/// Child `i` of an internal tree node (level > 0): the last name under it,
/// how many entries it holds, and its node id.
///
/// Panics if `node` is a leaf.
pub fn child(node: &Node, i: usize) -> (&[u8], u64, ObjectId) {
    assert!(node.level > 0, "a leaf node has entries, not children");
    let e = node.entry(i);
    let mut pos = 0;
    let n = get_varint(e, &mut pos).expect("validated") as usize;
    let key = &e[pos..pos + n];
    pos += n;
    let count = get_varint(e, &mut pos).expect("validated");
    let id = ObjectId::from_bytes(&e[pos..pos + 32]).expect("32");
    (key, count, id)
}

/// The children of an internal tree node, in order, as `(last_key, count,
/// child_id)` (see [`child`]).
///
/// Panics if `node` is a leaf.
pub fn children(node: &Node) -> impl Iterator<Item = (&[u8], u64, ObjectId)> {
    (0..node.len()).map(move |i| child(node, i))
}

/// The entries of a leaf tree node (level 0), in name order.
///
/// Panics if `node` is an internal node.
pub fn leaf_entries(node: &Node) -> Result<Vec<Entry>> {
    assert!(
        node.level == 0,
        "an internal node has children, not entries"
    );
    (0..node.len())
        .map(|i| Entry::decode(node.entry(i)))
        .collect()
}

/// Load the tree node `id` (a root or any node below one), checking its type
/// and framing.
pub fn load(store: &dyn ObjectStore, id: &ObjectId) -> Result<Node> {
    Node::load::<TreeSchema>(store, id)
}

#[cfg(test)]
mod node_tests {
    use super::*;
    use crate::prolly::dir::build;
    use crate::store::MemStore;

    #[test]
    fn children_cover_the_leaves_in_order() {
        let store = MemStore::new();
        let entries: Vec<Entry> = (0..3000u32)
            .map(|i| {
                let id = crate::object::hash_object(ObjectType::Blob, &i.to_be_bytes());
                Entry::new(format!("f{i:05}").as_bytes(), S_IFREG | 0o644, id)
            })
            .collect();
        let root = load(&store, &build(&store, entries.clone()).unwrap()).unwrap();
        assert!(root.level > 0, "3000 entries span more than one node");
        let mut leaves = Vec::new();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            if n.level == 0 {
                leaves.extend(leaf_entries(&n).unwrap());
                continue;
            }
            let kids: Vec<_> = children(&n).collect();
            for (last, count, id) in kids.into_iter().rev() {
                let c = load(&store, &id).unwrap();
                assert_eq!(c.last_key(), last);
                assert_eq!(subtree_count(&c), count);
                stack.push(c);
            }
        }
        assert_eq!(leaves, entries);
    }

    /// Found by the tree_node fuzz target (fuzz/regressions/tree_node/).
    #[test]
    fn child_counts_that_overflow_are_malformed() {
        let parent = |counts: &[u64]| {
            let entries: Vec<(Vec<u8>, Vec<u8>)> = counts
                .iter()
                .enumerate()
                .map(|(i, &n)| {
                    let key = format!("k{i}").into_bytes();
                    let mut e = Vec::new();
                    put_varint(&mut e, key.len() as u64);
                    e.extend_from_slice(&key);
                    put_varint(&mut e, n);
                    e.extend_from_slice(&[7; 32]);
                    (key, e)
                })
                .collect();
            crate::prolly::encode_node(1, &entries)
        };
        let parse = |data| Node::parse::<TreeSchema>(ObjectId([0; 32]), data);
        assert!(parse(parent(&[u64::MAX - 1, 1])).is_ok());
        let e = parse(parent(&[u64::MAX, 1])).unwrap_err().to_string();
        assert!(e.contains("entry counts of the children overflow"), "{e}");
    }
}
