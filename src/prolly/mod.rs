//! Prolly trees (format-spec/prolly-tree.md): content-defined, history-
//! independent B-trees. This module holds what directories (`tree`) and
//! chunked files (`file`) share: node framing, the boundary rule and
//! the one-pass multi-level builder.
#![warn(missing_docs)]

pub mod dir;
pub mod error;
pub mod file;

use std::sync::atomic::{AtomicU64, Ordering};

use crate::codec::{get_varint, put_varint, DecodeError};
use crate::error::{Error, Result};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::store::ObjectStore;

pub use error::ProllyError;

/// The version byte every node starts with.
const NODE_VERSION: u8 = 1;
/// No node closes below this many bytes.
const MIN_NODE: usize = 512;
/// A node closes before it would pass this many bytes.
pub(crate) const MAX_NODE: usize = 16384;
/// The boundary rule's constant (format-spec/prolly-tree.md).
const K2: u128 = 8_179_600;

/// An object store that counts the prolly nodes (tree and file nodes) read
/// and written through it, for `diff-tree --count-nodes` and benchmarks.
/// The count belongs to this wrapper, not to the process: two workspaces
/// used at once each count their own.
pub struct NodeCounter<'a> {
    inner: &'a dyn ObjectStore,
    read: AtomicU64,
    written: AtomicU64,
}

impl<'a> NodeCounter<'a> {
    /// Count what goes through `inner`.
    pub fn new(inner: &'a dyn ObjectStore) -> NodeCounter<'a> {
        NodeCounter {
            inner,
            read: AtomicU64::new(0),
            written: AtomicU64::new(0),
        }
    }

    /// Nodes loaded so far.
    pub fn nodes_read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    /// Nodes written so far (new or already stored).
    pub fn nodes_written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }
}

fn is_node(kind: ObjectType) -> bool {
    matches!(kind, ObjectType::Tree | ObjectType::File)
}

impl ObjectStore for NodeCounter<'_> {
    fn contains(&self, id: &ObjectId) -> Result<bool> {
        self.inner.contains(id)
    }
    fn read(&self, id: &ObjectId) -> Result<crate::object::Object> {
        let o = self.inner.read(id)?;
        if is_node(o.kind) {
            self.read.fetch_add(1, Ordering::Relaxed);
        }
        Ok(o)
    }
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
        self.inner.read_header(id)
    }
    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId> {
        if is_node(kind) {
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        self.inner.write(kind, data)
    }
    fn read_many(&self, ids: &[ObjectId]) -> Result<Vec<crate::object::Object>> {
        let objects = self.inner.read_many(ids)?;
        let nodes = objects.iter().filter(|o| is_node(o.kind)).count();
        self.read.fetch_add(nodes as u64, Ordering::Relaxed);
        Ok(objects)
    }
    fn write_many(&self, objects: &[(ObjectType, &[u8])]) -> Result<Vec<ObjectId>> {
        let nodes = objects.iter().filter(|(k, _)| is_node(*k)).count();
        self.written.fetch_add(nodes as u64, Ordering::Relaxed);
        self.inner.write_many(objects)
    }
    fn is_shallow(&self, id: &ObjectId) -> Result<bool> {
        self.inner.is_shallow(id)
    }
}

/// A malformed-node error saying why.
pub(crate) fn malformed(why: &str) -> Error {
    Error::Malformed {
        kind: "prolly node",
        why: why.to_string(),
    }
}

/// Codec errors inside prolly code are malformed nodes.
impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Error {
        malformed(e.0)
    }
}

// ---- nodes ----

/// How entries of one kind of prolly node are framed.
pub trait Schema {
    /// The object type of its nodes.
    const KIND: ObjectType;
    /// Parse the entry at `buf[*pos..]`; advance `pos`; return the key range.
    fn parse_entry(level: u8, buf: &[u8], pos: &mut usize) -> Result<std::ops::Range<usize>>;
    /// Whether keys must be strictly ascending.
    const SORTED: bool;
    /// The parent entry describing a closed child node.
    fn parent_entry(child: &Node, child_id: ObjectId) -> (Vec<u8>, Vec<u8>);
    /// Checks of a whole parsed node beyond its entries' framing.
    fn check(_node: &Node) -> Result<()> {
        Ok(())
    }
}

/// A decoded node: owned payload plus entry offsets (keys and entries are slices of it).
#[derive(Clone, Debug)]
pub struct Node {
    /// The node's object id.
    pub id: ObjectId,
    /// 0 for a leaf, one more per level above.
    pub level: u8,
    /// The payload.
    pub data: Vec<u8>,
    /// (entry start, key start, key end, entry end) offsets into `data`.
    pub spans: Vec<(u32, u32, u32, u32)>,
}

impl Node {
    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    /// Whether it holds no entry.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
    /// The key of entry `i`.
    pub fn key(&self, i: usize) -> &[u8] {
        let s = self.spans[i];
        &self.data[s.1 as usize..s.2 as usize]
    }
    /// The whole bytes of entry `i`.
    pub fn entry(&self, i: usize) -> &[u8] {
        let s = self.spans[i];
        &self.data[s.0 as usize..s.3 as usize]
    }
    /// The key of its last entry (it must have one).
    pub fn last_key(&self) -> &[u8] {
        self.key(self.len() - 1)
    }
    /// Index of the first entry whose key is >= `key` (sorted nodes only).
    pub fn lower_bound(&self, key: &[u8]) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.key(mid) < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Parse and check a payload as a node of schema `S`.
    pub fn parse<S: Schema>(id: ObjectId, data: Vec<u8>) -> Result<Node> {
        if data.len() < 3 || data[0] != NODE_VERSION {
            return Err(malformed("bad node header or version"));
        }
        let level = data[1];
        let mut pos = 2;
        let count = get_varint(&data, &mut pos)? as usize;
        let mut spans = Vec::with_capacity(count.min(data.len()));
        for _ in 0..count {
            let start = pos;
            let k = S::parse_entry(level, &data, &mut pos)?;
            spans.push((start as u32, k.start as u32, k.end as u32, pos as u32));
        }
        if pos != data.len() {
            return Err(malformed("trailing bytes after entries"));
        }
        if level > 0 && count == 0 {
            return Err(malformed("empty internal node"));
        }
        let node = Node {
            id,
            level,
            data,
            spans,
        };
        if S::SORTED {
            for i in 1..node.len() {
                if node.key(i - 1) >= node.key(i) {
                    return Err(malformed("entries not strictly sorted"));
                }
            }
        }
        S::check(&node)?;
        Ok(node)
    }

    /// Read node `id` from `store`, checking its type and framing.
    pub fn load<S: Schema>(store: &dyn ObjectStore, id: &ObjectId) -> Result<Node> {
        let o = store.read(id)?;
        if o.kind != S::KIND {
            return Err(Error::WrongType {
                id: *id,
                expected: S::KIND.name(),
                actual: o.kind.name(),
            });
        }
        Node::parse::<S>(*id, o.data)
    }
}

/// Encode a node payload from entry bytes.
pub(crate) fn encode_node(level: u8, entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let body: usize = entries.iter().map(|e| e.1.len()).sum();
    let mut out = Vec::with_capacity(body + 12);
    out.push(NODE_VERSION);
    out.push(level);
    put_varint(&mut out, entries.len() as u64);
    for (_, e) in entries {
        out.extend_from_slice(e);
    }
    out
}

// ---- the boundary rule ----

/// True if the node should be closed after appending an entry of `e` bytes
/// with key `key`, the node now holding `s` bytes.
pub(crate) fn cut_after(level: u8, key: &[u8], e: usize, s: usize) -> bool {
    if s < MIN_NODE {
        return false;
    }
    let mut h = blake3::Hasher::new();
    h.update(&[level]);
    h.update(key);
    let x = u32::from_le_bytes(h.finalize().as_bytes()[..4].try_into().unwrap()) as u128;
    x * K2 < ((e as u128) * ((s - MIN_NODE) as u128)) << 32
}

/// One level's chunker: accumulates entries and closes nodes by the rule.
pub(crate) struct LevelChunker {
    pub level: u8,
    pub entries: Vec<(Vec<u8>, Vec<u8>)>,
    size: usize,
}

impl LevelChunker {
    pub fn new(level: u8) -> LevelChunker {
        LevelChunker {
            level,
            entries: Vec::new(),
            size: 0,
        }
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Append an entry; returns the nodes (entry lists) closed by it (0, 1 or 2).
    pub fn push(&mut self, key: Vec<u8>, entry: Vec<u8>) -> Vec<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut closed = Vec::new();
        let e = entry.len();
        if !self.entries.is_empty() && self.size + e > MAX_NODE {
            closed.push(std::mem::take(&mut self.entries));
            self.size = 0;
        }
        self.size += e;
        let cut = cut_after(self.level, &key, e, self.size);
        self.entries.push((key, entry));
        if cut {
            closed.push(std::mem::take(&mut self.entries));
            self.size = 0;
        }
        closed
    }
    pub fn finish(&mut self) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
        self.size = 0;
        if self.entries.is_empty() {
            None
        } else {
            Some(std::mem::take(&mut self.entries))
        }
    }
}

/// Write a node of entries; returns the decoded node (for its parent entry).
pub(crate) fn write_node<S: Schema>(
    store: &dyn ObjectStore,
    level: u8,
    entries: &[(Vec<u8>, Vec<u8>)],
) -> Result<Node> {
    let data = encode_node(level, entries);
    let id = store.write(S::KIND, &data)?;
    Node::parse::<S>(id, data)
}

/// One-pass multi-level builder: feed entries of `base_level` in order.
pub struct Builder<'s, S: Schema> {
    store: &'s dyn ObjectStore,
    base: u8,
    levels: Vec<LevelChunker>,
    emitted: Vec<usize>,
    last: Vec<Option<ObjectId>>,
    _s: std::marker::PhantomData<S>,
}

impl<'s, S: Schema> Builder<'s, S> {
    /// A builder whose entries are of level `base_level`.
    pub fn new(store: &'s dyn ObjectStore, base_level: u8) -> Self {
        Builder {
            store,
            base: base_level,
            levels: Vec::new(),
            emitted: Vec::new(),
            last: Vec::new(),
            _s: std::marker::PhantomData,
        }
    }

    fn ensure(&mut self, i: usize) {
        while self.levels.len() <= i {
            let lvl = self.base + self.levels.len() as u8;
            self.levels.push(LevelChunker::new(lvl));
            self.emitted.push(0);
            self.last.push(None);
        }
    }

    fn close(&mut self, i: usize, entries: Vec<(Vec<u8>, Vec<u8>)>) -> Result<()> {
        let level = self.base + i as u8;
        let node = write_node::<S>(self.store, level, &entries)?;
        self.emitted[i] += 1;
        self.last[i] = Some(node.id);
        let (k, e) = S::parent_entry(&node, node.id);
        self.push_at(i + 1, k, e)
    }

    fn push_at(&mut self, i: usize, key: Vec<u8>, entry: Vec<u8>) -> Result<()> {
        self.ensure(i);
        for closed in self.levels[i].push(key, entry) {
            self.close(i, closed)?;
        }
        Ok(())
    }

    /// Feed the next entry.
    pub fn push(&mut self, key: Vec<u8>, entry: Vec<u8>) -> Result<()> {
        self.push_at(0, key, entry)
    }

    /// Close every level; returns the root id (the empty node if nothing was pushed).
    pub fn finish(mut self) -> Result<ObjectId> {
        let mut i = 0;
        loop {
            self.ensure(i);
            match self.levels[i].finish() {
                // The level's only node: it is the root.
                Some(rest) if self.emitted[i] == 0 => {
                    return Ok(write_node::<S>(self.store, self.base + i as u8, &rest)?.id);
                }
                Some(rest) => self.close(i, rest)?,
                None if self.emitted[i] == 0 => {
                    return Ok(write_node::<S>(self.store, self.base + i as u8, &[])?.id);
                }
                None => {}
            }
            if self.emitted[i] == 1 {
                return Ok(self.last[i].expect("emitted"));
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunker_respects_max() {
        let mut c = LevelChunker::new(0);
        let mut sizes = Vec::new();
        for i in 0..20000u32 {
            for n in c.push(i.to_be_bytes().to_vec(), vec![0u8; 300]) {
                sizes.push(n.len() * 300);
            }
        }
        assert!(sizes.iter().all(|s| *s <= MAX_NODE));
        let mean = sizes.iter().sum::<usize>() / sizes.len();
        assert!((2000..8000).contains(&mean), "mean node size {mean}");
    }
}

#[cfg(test)]
mod props;
