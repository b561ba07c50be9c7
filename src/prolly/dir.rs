//! Directories as prolly trees: entries, lookups, ordered iteration, point
//! edits that rewrite O(depth) nodes, and top-down diff that skips equal subtrees.

use std::collections::BTreeMap;

use super::{malformed, Builder, LevelChunker, Node, Schema};
use crate::codec::{get_varint, put_varint, take, take_id};
use crate::error::{Error, Result};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::store::ObjectStore;

pub const S_IFMT: u32 = 0o170000;
pub const S_IFREG: u32 = 0o100000;
pub const S_IFDIR: u32 = 0o040000;
pub const S_IFLNK: u32 = 0o120000;
pub const S_IFCHR: u32 = 0o020000;
pub const S_IFBLK: u32 = 0o060000;
pub const S_IFIFO: u32 = 0o010000;
pub const S_IFSOCK: u32 = 0o140000;
pub const MAX_NAME: usize = 255;
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
        Err(Error::Invalid(format!("unknown mode {mode:06o}")))
    }
}

/// Check an entry name: 1..=255 bytes, no '/', no NUL, not '.' or '..'.
pub fn check_name(name: &[u8]) -> Result<()> {
    let shown = || String::from_utf8_lossy(name).escape_debug().to_string();
    if name.is_empty() || name.len() > MAX_NAME {
        return Err(Error::Invalid(format!(
            "invalid entry name '{}': must be 1 to 255 bytes",
            shown()
        )));
    }
    if name == b"." || name == b".." {
        return Err(Error::Invalid(format!("invalid entry name '{}'", shown())));
    }
    if name.contains(&b'/') || name.contains(&0) {
        return Err(Error::Invalid(format!(
            "invalid entry name '{}': contains '/' or NUL",
            shown()
        )));
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
            return Err(Error::Invalid(
                "invalid entry name '.': only the root record, a directory mode, has it".into(),
            ));
        }
        return Ok(());
    }
    check_name(name)
}

/// Check a hardlink record: a relative path, `..` only as leading components.
pub fn check_link_path(p: &[u8]) -> Result<()> {
    let bad = || {
        Error::Invalid(format!(
            "bad hardlink path '{}'",
            String::from_utf8_lossy(p)
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
    pub uid: u32,
    pub gid: u32,
    pub rdev: Option<(u32, u32)>,
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
    pub fn is_default(&self) -> bool {
        *self == Meta::default()
    }

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
    pub name: Vec<u8>,
    pub mode: u32,
    pub id: ObjectId,
    pub meta: Meta,
}

impl Entry {
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
    pub fn is_file(&self) -> bool {
        self.mode & S_IFMT == S_IFREG
    }
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

    pub fn validate(&self) -> Result<()> {
        check_entry_name(&self.name, self.mode)?;
        check_mode(self.mode)?;
        if self.name == ROOT_RECORD {
            if !self.id.is_zero() {
                return Err(Error::Invalid(
                    "the root record '.' carries the zero id".into(),
                ));
            }
            return Ok(());
        }
        let special = matches!(self.mode & S_IFMT, S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK);
        if special && !self.id.is_zero() {
            return Err(Error::Invalid(format!(
                "entry '{}': device, fifo and socket records carry the zero id",
                String::from_utf8_lossy(&self.name)
            )));
        }
        if !special && self.id.is_zero() {
            return Err(Error::Invalid(format!(
                "entry '{}': missing object id",
                String::from_utf8_lossy(&self.name)
            )));
        }
        Ok(())
    }

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

/// Number of leaf entries under a node.
fn subtree_count(node: &Node) -> u64 {
    if node.level == 0 {
        return node.len() as u64;
    }
    (0..node.len()).map(|i| internal_entry(node, i).1).sum()
}

/// (key, count, child) of an internal entry.
fn internal_entry(node: &Node, i: usize) -> (&[u8], u64, ObjectId) {
    let e = node.entry(i);
    let mut pos = 0;
    let n = get_varint(e, &mut pos).expect("validated") as usize;
    let key = &e[pos..pos + n];
    pos += n;
    let count = get_varint(e, &mut pos).expect("validated");
    let id = ObjectId::from_bytes(&e[pos..pos + 32]).expect("32");
    (key, count, id)
}

pub fn load(store: &dyn ObjectStore, id: &ObjectId) -> Result<Node> {
    Node::load::<TreeSchema>(store, id)
}

/// Build a tree from entries sorted by name (one pass). Fails on unsorted or
/// duplicate names and invalid entries.
pub fn build(
    store: &dyn ObjectStore,
    entries: impl IntoIterator<Item = Entry>,
) -> Result<ObjectId> {
    let mut b = Builder::<TreeSchema>::new(store, 0);
    let mut prev: Option<Vec<u8>> = None;
    for e in entries {
        e.validate()?;
        if let Some(p) = &prev {
            if *p >= e.name {
                return Err(Error::Invalid(format!(
                    "entries not sorted or duplicated at '{}'",
                    String::from_utf8_lossy(&e.name)
                )));
            }
        }
        let enc = e.encode();
        prev = Some(e.name.clone());
        b.push(e.name, enc)?;
    }
    b.finish()
}

/// Number of entries in a tree (from the root's subtree counts).
pub fn count(store: &dyn ObjectStore, root: &ObjectId) -> Result<u64> {
    Ok(subtree_count(&load(store, root)?))
}

/// Find the entry `name` in the tree `root`.
pub fn get(store: &dyn ObjectStore, root: &ObjectId, name: &[u8]) -> Result<Option<Entry>> {
    let mut node = load(store, root)?;
    loop {
        if node.is_empty() {
            return Ok(None);
        }
        let i = node.lower_bound(name);
        if node.level == 0 {
            if i < node.len() && node.key(i) == name {
                return Ok(Some(Entry::decode(node.entry(i))?));
            }
            return Ok(None);
        }
        if i == node.len() {
            return Ok(None);
        }
        let child = internal_entry(&node, i).2;
        node = load(store, &child)?;
    }
}

/// Ordered iteration over a tree's entries, optionally starting at a key.
pub struct TreeCursor<'s> {
    store: &'s dyn ObjectStore,
    stack: Vec<(Node, usize)>,
}

impl<'s> TreeCursor<'s> {
    pub fn new(store: &'s dyn ObjectStore, root: &ObjectId) -> Result<TreeCursor<'s>> {
        Self::seek(store, root, b"")
    }

    /// Position at the first entry whose name is >= `key`.
    pub fn seek(store: &'s dyn ObjectStore, root: &ObjectId, key: &[u8]) -> Result<TreeCursor<'s>> {
        let mut stack = Vec::new();
        let mut node = load(store, root)?;
        loop {
            let i = node.lower_bound(key);
            if node.level == 0 || i >= node.len() {
                let leaf = node.level == 0;
                stack.push((node, i));
                if !leaf {
                    // key beyond this subtree: the cursor is exhausted here
                }
                break;
            }
            let child = internal_entry(&node, i).2;
            stack.push((node, i));
            node = load(store, &child)?;
        }
        Ok(TreeCursor { store, stack })
    }

    fn advance(&mut self) -> Result<Option<Entry>> {
        loop {
            let Some((node, i)) = self.stack.last_mut() else {
                return Ok(None);
            };
            if *i >= node.len() {
                self.stack.pop();
                if let Some((_, pi)) = self.stack.last_mut() {
                    *pi += 1;
                }
                continue;
            }
            if node.level == 0 {
                let e = Entry::decode(node.entry(*i))?;
                *i += 1;
                return Ok(Some(e));
            }
            let child = internal_entry(node, *i).2;
            let n = load(self.store, &child)?;
            self.stack.push((n, 0));
        }
    }
}

impl Iterator for TreeCursor<'_> {
    type Item = Result<Entry>;
    fn next(&mut self) -> Option<Self::Item> {
        self.advance().transpose()
    }
}

/// All entries of a tree, in order.
pub fn list(store: &dyn ObjectStore, root: &ObjectId) -> Result<Vec<Entry>> {
    TreeCursor::new(store, root)?.collect()
}

// ---- point edits ----

/// A path of nodes from the root down to one node at a target level.
struct LevelPath<'s> {
    store: &'s dyn ObjectStore,
    frames: Vec<(Node, usize)>,
    level: u8,
}

impl<'s> LevelPath<'s> {
    fn seek(
        store: &'s dyn ObjectStore,
        root: &Node,
        level: u8,
        key: &[u8],
    ) -> Result<LevelPath<'s>> {
        let mut frames = Vec::new();
        let mut node = root.clone();
        while node.level > level {
            let i = node.lower_bound(key).min(node.len() - 1);
            let child = internal_entry(&node, i).2;
            frames.push((node, i));
            node = load(store, &child)?;
        }
        frames.push((node, 0));
        Ok(LevelPath {
            store,
            frames,
            level,
        })
    }

    fn current(&self) -> &Node {
        &self.frames.last().unwrap().0
    }

    fn has_next(&self) -> bool {
        self.frames[..self.frames.len() - 1]
            .iter()
            .any(|(n, i)| *i + 1 < n.len())
    }

    fn has_prev(&self) -> bool {
        self.frames[..self.frames.len() - 1]
            .iter()
            .any(|(_, i)| *i > 0)
    }

    /// Move to the previous node at this level; false at the start.
    fn prev(&mut self) -> Result<bool> {
        self.frames.pop();
        loop {
            let Some((_, i)) = self.frames.last_mut() else {
                return Ok(false);
            };
            if *i > 0 {
                *i -= 1;
                break;
            }
            self.frames.pop();
        }
        loop {
            let (node, i) = self.frames.last().unwrap();
            let child = internal_entry(node, *i).2;
            let n = load(self.store, &child)?;
            if n.level == self.level {
                self.frames.push((n, 0));
                return Ok(true);
            }
            let last = n.len() - 1;
            self.frames.push((n, last));
        }
    }

    /// Move to the next node at this level; false at the end.
    fn next(&mut self) -> Result<bool> {
        self.frames.pop();
        loop {
            let Some((node, i)) = self.frames.last_mut() else {
                return Ok(false);
            };
            if *i + 1 < node.len() {
                *i += 1;
                break;
            }
            self.frames.pop();
        }
        loop {
            let (node, i) = self.frames.last().unwrap();
            let child = internal_entry(node, *i).2;
            let n = load(self.store, &child)?;
            if n.level == self.level {
                self.frames.push((n, 0));
                return Ok(true);
            }
            self.frames.push((n, 0));
        }
    }
}

/// Apply edits (name → new entry, or None to delete) to the tree `root`.
/// Only the nodes holding edited names, and their ancestors, are rewritten;
/// the result is the same tree `build` gives for the edited entry set.
pub fn edit(
    store: &dyn ObjectStore,
    root: &ObjectId,
    edits: Vec<(Vec<u8>, Option<Entry>)>,
) -> Result<ObjectId> {
    let mut level_edits: BTreeMap<Vec<u8>, Option<Vec<u8>>> = BTreeMap::new();
    for (name, e) in edits {
        check_name(&name)?;
        let enc = match e {
            Some(e) => {
                if e.name != name {
                    return Err(Error::Invalid("edit name does not match entry".into()));
                }
                e.validate()?;
                Some(e.encode())
            }
            None => None,
        };
        level_edits.insert(name, enc);
    }
    if level_edits.is_empty() {
        return Ok(*root);
    }
    let root_node = load(store, root)?;
    let mut level = 0u8;
    loop {
        let (removed, added) = edit_level(store, &root_node, level, &level_edits)?;
        if level == root_node.level {
            // `added` replaces the root.
            return finish_root(store, level, added);
        }
        let mut next: BTreeMap<Vec<u8>, Option<Vec<u8>>> = BTreeMap::new();
        for k in removed {
            next.insert(k, None);
        }
        for (k, e) in added {
            next.insert(k, Some(e));
        }
        level_edits = next;
        level += 1;
    }
}

type EntryList = Vec<(Vec<u8>, Vec<u8>)>;

/// Re-chunk the regions of `level` touched by `edits`. Returns the last keys of
/// the old nodes replaced and the parent entries of the new nodes.
fn edit_level(
    store: &dyn ObjectStore,
    root: &Node,
    level: u8,
    edits: &BTreeMap<Vec<u8>, Option<Vec<u8>>>,
) -> Result<(Vec<Vec<u8>>, EntryList)> {
    let mut removed = Vec::new();
    let mut added = Vec::new();
    let mut pending = edits.iter().peekable();
    while let Some((first, _)) = pending.peek() {
        let mut path = LevelPath::seek(store, root, level, first)?;
        // A node closed by the MAX clause depends on the entry after it, which
        // this edit may change: re-chunk from that node too (one node back is
        // enough, since its own first entry is unchanged). A node the previous
        // region already re-chunked ended on a hash cut and stays.
        if path.has_prev() {
            path.prev()?;
            let p = path.current();
            let done = removed
                .last()
                .is_some_and(|k: &Vec<u8>| p.last_key() <= k.as_slice());
            if done || closed_by_hash(p) {
                path.next()?;
            }
        }
        let mut chunker = LevelChunker::new(level);
        loop {
            let node = path.current().clone();
            let is_last = !path.has_next();
            if !node.is_empty() {
                removed.push(node.last_key().to_vec());
            }
            // Merge the node's entries with the edits that fall inside it.
            let mut merged: EntryList = Vec::with_capacity(node.len() + 1);
            let mut i = 0;
            loop {
                let ek = pending.peek().map(|(k, _)| k.as_slice());
                let in_node = |k: &[u8]| is_last || (!node.is_empty() && k <= node.last_key());
                match (i < node.len(), ek.filter(|k| in_node(k))) {
                    (false, None) => break,
                    (true, None) => {
                        merged.push((node.key(i).to_vec(), node.entry(i).to_vec()));
                        i += 1;
                    }
                    (have, Some(k)) => {
                        if have && node.key(i) < k {
                            merged.push((node.key(i).to_vec(), node.entry(i).to_vec()));
                            i += 1;
                            continue;
                        }
                        if have && node.key(i) == k {
                            i += 1; // replaced or deleted
                        }
                        let (k, v) = pending.next().unwrap();
                        if let Some(v) = v {
                            merged.push((k.clone(), v.clone()));
                        }
                    }
                }
            }
            for (k, e) in merged {
                for closed in chunker.push(k, e) {
                    added.push(close::<TreeSchema>(store, level, &closed)?);
                }
            }
            if is_last {
                if let Some(rest) = chunker.finish() {
                    added.push(close::<TreeSchema>(store, level, &rest)?);
                }
                break;
            }
            if chunker.is_empty() {
                break; // a new boundary lines up with an old one: synced
            }
            path.next()?;
        }
    }
    Ok((removed, added))
}

/// Whether the boundary rule's hash clause closed `node` after its last entry
/// (so the cut does not depend on what follows), rather than the MAX clause.
fn closed_by_hash(node: &Node) -> bool {
    let size: usize = (0..node.len()).map(|i| node.entry(i).len()).sum();
    let last = node.len() - 1;
    super::cut_after(node.level, node.key(last), node.entry(last).len(), size)
}

fn close<S: Schema>(
    store: &dyn ObjectStore,
    level: u8,
    entries: &EntryList,
) -> Result<(Vec<u8>, Vec<u8>)> {
    let node = super::write_node::<S>(store, level, entries)?;
    Ok(S::parent_entry(&node, node.id))
}

/// Turn the replacement nodes of the root level into the new root.
fn finish_root(store: &dyn ObjectStore, level: u8, added: EntryList) -> Result<ObjectId> {
    match added.len() {
        0 => Ok(super::write_node::<TreeSchema>(store, 0, &[])?.id),
        1 => {
            // Collapse internal roots with a single child.
            let mut id = ObjectId::from_bytes(&added[0].1[added[0].1.len() - 32..]).unwrap();
            loop {
                let n = load(store, &id)?;
                if n.level == 0 || n.len() > 1 {
                    return Ok(id);
                }
                id = internal_entry(&n, 0).2;
            }
        }
        _ => {
            let mut b = Builder::<TreeSchema>::new(store, level + 1);
            for (k, e) in added {
                b.push(k, e)?;
            }
            b.finish()
        }
    }
}

// ---- diff ----

/// One changed name between two trees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub name: Vec<u8>,
    pub old: Option<Entry>,
    pub new: Option<Entry>,
}

impl Change {
    /// A change named by whichever side exists.
    fn of(old: Option<Entry>, new: Option<Entry>) -> Change {
        let name = old
            .as_ref()
            .or(new.as_ref())
            .map(|e| e.name.clone())
            .unwrap_or_default();
        Change { name, old, new }
    }
}

enum Item {
    Sub { level: u8, id: ObjectId },
    Leaf(Entry),
}

struct DiffSide<'s> {
    store: &'s dyn ObjectStore,
    /// Items in reverse order (the next item is last).
    stack: Vec<Item>,
}

impl DiffSide<'_> {
    fn push_node(&mut self, id: &ObjectId) -> Result<()> {
        let n = load(self.store, id)?;
        for i in (0..n.len()).rev() {
            if n.level == 0 {
                self.stack.push(Item::Leaf(Entry::decode(n.entry(i))?));
            } else {
                let (_, _, c) = internal_entry(&n, i);
                self.stack.push(Item::Sub {
                    level: n.level - 1,
                    id: c,
                });
            }
        }
        Ok(())
    }

    /// Take the next item, known to be a leaf entry.
    fn pop_leaf(&mut self) -> Entry {
        match self.stack.pop() {
            Some(Item::Leaf(e)) => e,
            _ => unreachable!("caller checked the top is a leaf"),
        }
    }

    fn expand_top(&mut self) -> Result<()> {
        if let Some(Item::Sub { id, .. }) = self.stack.pop() {
            self.push_node(&id)?;
        }
        Ok(())
    }
}

/// Changed entries between trees `a` and `b` (one directory level), in name
/// order. Subtrees with equal ids are skipped without being read.
pub fn diff(store: &dyn ObjectStore, a: &ObjectId, b: &ObjectId) -> Result<Vec<Change>> {
    let mut out = Vec::new();
    if a == b {
        return Ok(out);
    }
    let root = |id: &ObjectId| -> Result<Item> {
        // The roots' levels are unknown until read; treat them as subtrees at a high level.
        Ok(Item::Sub {
            level: u8::MAX,
            id: *id,
        })
    };
    let mut sa = DiffSide {
        store,
        stack: vec![root(a)?],
    };
    let mut sb = DiffSide {
        store,
        stack: vec![root(b)?],
    };
    loop {
        match (sa.stack.last(), sb.stack.last()) {
            (None, None) => break,
            (Some(Item::Sub { id: x, .. }), Some(Item::Sub { id: y, .. })) if x == y => {
                sa.stack.pop();
                sb.stack.pop();
            }
            (Some(Item::Sub { level: la, .. }), Some(Item::Sub { level: lb, .. })) => {
                let (la, lb) = (*la, *lb);
                if la >= lb {
                    sa.expand_top()?;
                }
                if lb >= la {
                    sb.expand_top()?;
                }
            }
            (Some(Item::Sub { .. }), _) => sa.expand_top()?,
            (_, Some(Item::Sub { .. })) => sb.expand_top()?,
            (Some(Item::Leaf(x)), Some(Item::Leaf(y))) => match x.name.cmp(&y.name) {
                std::cmp::Ordering::Less => out.push(Change::of(Some(sa.pop_leaf()), None)),
                std::cmp::Ordering::Greater => out.push(Change::of(None, Some(sb.pop_leaf()))),
                std::cmp::Ordering::Equal => {
                    let (x, y) = (sa.pop_leaf(), sb.pop_leaf());
                    if x != y {
                        out.push(Change::of(Some(x), Some(y)));
                    }
                }
            },
            (Some(Item::Leaf(_)), None) => out.push(Change::of(Some(sa.pop_leaf()), None)),
            (None, Some(Item::Leaf(_))) => out.push(Change::of(None, Some(sb.pop_leaf()))),
        }
    }
    Ok(out)
}

/// Apply a diff to a tree (used to check diff(A,B) applied to A gives B).
pub fn apply(store: &dyn ObjectStore, root: &ObjectId, changes: &[Change]) -> Result<ObjectId> {
    edit(
        store,
        root,
        changes
            .iter()
            .map(|c| (c.name.clone(), c.new.clone()))
            .collect(),
    )
}

// ---- paths ----

/// Split a slash-separated path into validated components ("" and "/" = root).
pub fn split_path(path: &str) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for c in path.split('/') {
        if c.is_empty() {
            continue;
        }
        check_name(c.as_bytes())?;
        out.push(c.as_bytes().to_vec());
    }
    Ok(out)
}

/// The entry at `path` below `root` (None if it does not exist).
pub fn lookup_path(
    store: &dyn ObjectStore,
    root: &ObjectId,
    path: &[Vec<u8>],
) -> Result<Option<Entry>> {
    let mut tree = *root;
    for (i, comp) in path.iter().enumerate() {
        let Some(e) = get(store, &tree, comp)? else {
            return Ok(None);
        };
        if i + 1 == path.len() {
            return Ok(Some(e));
        }
        if !e.is_dir() {
            return Err(Error::NotADirectory(
                path[..=i]
                    .iter()
                    .map(|c| String::from_utf8_lossy(c))
                    .collect::<Vec<_>>()
                    .join("/"),
            ));
        }
        tree = e.id;
    }
    Ok(None)
}

/// Set (or delete, with None) the entry at `path`, creating missing parent
/// directories with `dir_mode`. Rewrites O(depth) nodes per directory level.
pub fn update_path(
    store: &dyn ObjectStore,
    root: &ObjectId,
    path: &[Vec<u8>],
    new: Option<Entry>,
    dir_mode: u32,
) -> Result<ObjectId> {
    let Some((last, parents)) = path.split_last() else {
        return Err(Error::Invalid(
            "cannot replace the root directory itself".into(),
        ));
    };
    // Walk down, remembering each directory entry on the way.
    let mut chain: Vec<(ObjectId, Option<Entry>)> = Vec::with_capacity(parents.len());
    let mut tree = *root;
    for (i, comp) in parents.iter().enumerate() {
        let e = get(store, &tree, comp)?;
        chain.push((tree, e.clone()));
        tree = match e {
            Some(e) if e.is_dir() => e.id,
            Some(_) => {
                return Err(Error::NotADirectory(
                    path[..=i]
                        .iter()
                        .map(|c| String::from_utf8_lossy(c))
                        .collect::<Vec<_>>()
                        .join("/"),
                ))
            }
            None if new.is_none() => return Ok(*root),
            None => empty(store)?,
        };
    }
    let mut child = edit(
        store,
        &tree,
        vec![(
            last.clone(),
            new.map(|mut e| {
                e.name = last.clone();
                e
            }),
        )],
    )?;
    for (i, (parent_tree, old)) in chain.into_iter().enumerate().rev() {
        let name = parents[i].clone();
        let mut e = old.unwrap_or_else(|| Entry::new(&name, dir_mode, child));
        e.id = child;
        child = edit(store, &parent_tree, vec![(name, Some(e))])?;
    }
    Ok(child)
}

/// The empty tree (stored).
pub fn empty(store: &dyn ObjectStore) -> Result<ObjectId> {
    Ok(super::write_node::<TreeSchema>(store, 0, &[])?.id)
}

/// A change with its full path, for recursive diffs.
#[derive(Clone, Debug)]
pub struct PathChange {
    pub path: Vec<u8>,
    pub old: Option<Entry>,
    pub new: Option<Entry>,
}

/// Diff two trees; with `recursive`, descend into directories present on both
/// sides (and into added/removed ones), reporting only non-directories.
pub fn diff_recursive(
    store: &dyn ObjectStore,
    a: &ObjectId,
    b: &ObjectId,
    recursive: bool,
    prefix: &[u8],
    out: &mut Vec<PathChange>,
) -> Result<()> {
    for c in diff(store, a, b)? {
        let mut path = prefix.to_vec();
        if !path.is_empty() {
            path.push(b'/');
        }
        path.extend_from_slice(&c.name);
        let od = c.old.as_ref().filter(|e| e.is_dir());
        let nd = c.new.as_ref().filter(|e| e.is_dir());
        if recursive && (od.is_some() || nd.is_some()) {
            let ea = match od {
                Some(e) => e.id,
                None => empty(store)?,
            };
            let eb = match nd {
                Some(e) => e.id,
                None => empty(store)?,
            };
            // A non-directory replaced by a directory (or the reverse) is reported too.
            if od.is_none() && c.old.is_some() {
                out.push(PathChange {
                    path: path.clone(),
                    old: c.old.clone(),
                    new: None,
                });
            }
            diff_recursive(store, &ea, &eb, true, &path, out)?;
            if nd.is_none() && c.new.is_some() {
                out.push(PathChange {
                    path,
                    old: None,
                    new: c.new.clone(),
                });
            }
        } else {
            out.push(PathChange {
                path,
                old: c.old,
                new: c.new,
            });
        }
    }
    Ok(())
}
