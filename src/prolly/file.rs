//! Chunked files: FastCDC chunks stored as blobs, listed by a prolly list of
//! `file` nodes (format-spec/prolly-tree.md, "Chunked files").
#![warn(missing_docs)]

use crate::prolly::ProllyError;
use std::io::Read;

use super::{Builder, Node, Schema};
use crate::codec::{get_varint, put_varint, take};
use crate::error::{Error, Result};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::store::ObjectStore;

/// A file of at most this many bytes is stored as one blob.
pub const INLINE_MAX: u64 = 65536;
/// FastCDC's smallest chunk, in bytes.
pub const CDC_MIN: u32 = 16384;
/// FastCDC's target chunk size, in bytes.
pub const CDC_AVG: u32 = 65536;
/// FastCDC's largest chunk, in bytes.
pub const CDC_MAX: u32 = 262144;

/// The node schema of chunked files (`file` objects).
pub struct FileSchema;

impl Schema for FileSchema {
    const KIND: ObjectType = ObjectType::File;
    const SORTED: bool = false;

    fn parse_entry(level: u8, buf: &[u8], pos: &mut usize) -> Result<std::ops::Range<usize>> {
        get_varint(buf, pos)?;
        if level > 0 {
            get_varint(buf, pos)?;
        }
        let ks = *pos;
        take(buf, pos, 32)?;
        Ok(ks..ks + 32)
    }

    /// The byte and chunk totals of the entries add up within a u64 (found
    /// by the chunk_list fuzz target: their sum overflowed).
    fn check(node: &Node) -> Result<()> {
        (0..node.len())
            .try_fold((0u64, 0u64), |(b, c), i| {
                let (eb, ec, _) = entry_totals(node, i);
                Some((b.checked_add(eb)?, c.checked_add(ec)?))
            })
            .ok_or_else(|| super::malformed("byte or chunk totals of the entries overflow"))?;
        Ok(())
    }

    fn parent_entry(child: &Node, child_id: ObjectId) -> (Vec<u8>, Vec<u8>) {
        let (bytes, chunks) = totals(child);
        let mut e = Vec::with_capacity(48);
        put_varint(&mut e, bytes);
        put_varint(&mut e, chunks);
        e.extend_from_slice(child_id.as_bytes());
        (child_id.as_bytes().to_vec(), e)
    }
}

/// (bytes, chunks) of a node's entry `i`.
fn entry_totals(node: &Node, i: usize) -> (u64, u64, ObjectId) {
    let e = node.entry(i);
    let mut pos = 0;
    let bytes = get_varint(e, &mut pos).expect("validated");
    let chunks = if node.level > 0 {
        get_varint(e, &mut pos).expect("validated")
    } else {
        1
    };
    (
        bytes,
        chunks,
        ObjectId::from_bytes(&e[pos..pos + 32]).unwrap(),
    )
}

fn totals(node: &Node) -> (u64, u64) {
    (0..node.len()).fold((0, 0), |(b, c), i| {
        let (eb, ec, _) = entry_totals(node, i);
        (b + eb, c + ec)
    })
}

fn leaf_entry(len: u64, id: ObjectId) -> (Vec<u8>, Vec<u8>) {
    let mut e = Vec::with_capacity(40);
    put_varint(&mut e, len);
    e.extend_from_slice(id.as_bytes());
    (id.as_bytes().to_vec(), e)
}

/// Chunk boundaries of `data` (offset, length), by FastCDC v2020.
pub fn chunks(data: &[u8]) -> Vec<(usize, usize)> {
    fastcdc::v2020::FastCDC::new(data, CDC_MIN, CDC_AVG, CDC_MAX)
        .map(|c| (c.offset, c.length))
        .collect()
}

/// Store a file's content: a blob if small, else chunks plus a `file` list.
/// Returns the id to put in a tree entry.
pub fn store_content(store: &dyn ObjectStore, data: &[u8]) -> Result<ObjectId> {
    if (data.len() as u64) <= INLINE_MAX {
        return store.write(ObjectType::Blob, data);
    }
    let mut b = Builder::<FileSchema>::new(store, 0);
    for (off, len) in chunks(data) {
        let id = store.write(ObjectType::Blob, &data[off..off + len])?;
        let (k, e) = leaf_entry(len as u64, id);
        b.push(k, e)?;
    }
    b.finish()
}

/// Store a file's content as `store_content` does, reading it from `r` (a
/// host file, say) one chunk at a time: every chunk is hashed and stored from
/// the one buffer it was read into, so a file that changes while it is read
/// still yields objects whose bytes are the bytes hashed (a snapshot of some
/// moment, never a torn object), and memory stays bounded by a chunk.
pub fn store_reader(store: &dyn ObjectStore, r: impl std::io::Read) -> std::io::Result<ObjectId> {
    let mut head = Vec::new();
    let mut r = r;
    std::io::Read::by_ref(&mut r)
        .take(INLINE_MAX + 1)
        .read_to_end(&mut head)?;
    if head.len() as u64 <= INLINE_MAX {
        return store
            .write(ObjectType::Blob, &head)
            .map_err(std::io::Error::other);
    }
    let source = std::io::Read::chain(&head[..], r);
    let mut b = Builder::<FileSchema>::new(store, 0);
    for chunk in fastcdc::v2020::StreamCDC::new(source, CDC_MIN, CDC_AVG, CDC_MAX) {
        let chunk = chunk.map_err(std::io::Error::from)?;
        let id = store
            .write(ObjectType::Blob, &chunk.data)
            .map_err(std::io::Error::other)?;
        let (k, e) = leaf_entry(chunk.length as u64, id);
        b.push(k, e).map_err(std::io::Error::other)?;
    }
    b.finish().map_err(std::io::Error::other)
}

/// Total size of a file's content (blob or chunked).
pub fn size(store: &dyn ObjectStore, id: &ObjectId) -> Result<u64> {
    let (kind, len) = store.read_header(id)?;
    match kind {
        ObjectType::Blob => Ok(len),
        ObjectType::File => Ok(totals(&Node::load::<FileSchema>(store, id)?).0),
        k => Err(Error::WrongType {
            id: *id,
            expected: "blob",
            actual: k.name(),
        }),
    }
}

/// Read `len` bytes at `offset` without loading the rest of the file.
pub(crate) fn read_range(
    store: &dyn ObjectStore,
    id: &ObjectId,
    offset: u64,
    len: u64,
) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let (kind, _) = store.read_header(id)?;
    if kind == ObjectType::Blob {
        let o = store.read(id)?;
        let s = (offset as usize).min(o.data.len());
        let e = (offset.saturating_add(len) as usize).min(o.data.len());
        return Ok(o.data[s..e].to_vec());
    }
    let end = offset.saturating_add(len);
    range_into(store, &load_node(store, id)?, 0, offset, end, &mut out)?;
    Ok(out)
}

/// The child `id` of the list node `parent` (level > 0): a list node one
/// level lower (prolly-tree.md), so that every walk down a list ends within
/// 256 levels, whatever a hostile store chains together.
fn load_child(store: &dyn ObjectStore, id: &ObjectId, parent: &Node) -> Result<Node> {
    let node = load_node(store, id)?;
    if node.level + 1 != parent.level {
        return Err(super::malformed(&format!(
            "list node {} of level {} has a child {id} of level {}",
            parent.id, parent.level, node.level
        )));
    }
    Ok(node)
}

fn range_into(
    store: &dyn ObjectStore,
    node: &Node,
    base: u64,
    start: u64,
    end: u64,
    out: &mut Vec<u8>,
) -> Result<()> {
    let mut pos = base;
    for i in 0..node.len() {
        let (bytes, _, child) = entry_totals(node, i);
        // A child's own totals are its claim, not its parent's: checked here.
        let (s, e) = (
            pos,
            pos.checked_add(bytes)
                .ok_or_else(|| super::malformed("byte totals overflow"))?,
        );
        pos = e;
        if e <= start {
            continue;
        }
        if s >= end {
            break;
        }
        if node.level > 0 {
            range_into(store, &load_child(store, &child, node)?, s, start, end, out)?;
        } else {
            let o = store.read(&child)?;
            if o.data.len() as u64 != bytes {
                return Err(super::malformed(&format!(
                    "chunk {child} holds {} bytes, its list says {bytes}",
                    o.data.len()
                )));
            }
            let from = (start.max(s) - s) as usize;
            let to = (end.min(e) - s) as usize;
            out.extend_from_slice(&o.data[from..to]);
        }
    }
    Ok(())
}

/// Stream a whole file (blob or chunked) into `w`, chunk by chunk.
pub fn write_to(store: &dyn ObjectStore, id: &ObjectId, w: &mut dyn std::io::Write) -> Result<()> {
    let o = store.read(id)?;
    match o.kind {
        ObjectType::Blob => w.write_all(&o.data).map_err(Error::Output),
        ObjectType::File => write_node(store, &Node::parse::<FileSchema>(*id, o.data)?, w),
        k => Err(Error::WrongType {
            id: *id,
            expected: "blob",
            actual: k.name(),
        }),
    }
}

fn write_node(store: &dyn ObjectStore, node: &Node, w: &mut dyn std::io::Write) -> Result<()> {
    for i in 0..node.len() {
        let (_, _, child) = entry_totals(node, i);
        if node.level > 0 {
            write_node(store, &load_child(store, &child, node)?, w)?;
        } else {
            let c = store.read(&child)?;
            w.write_all(&c.data).map_err(Error::Output)?;
        }
    }
    Ok(())
}

/// Every node of a chunked file's list, top-down, each with its level and
/// its position among that level's nodes (reads list nodes, never chunks).
pub(crate) fn list_nodes(
    store: &dyn ObjectStore,
    id: &ObjectId,
) -> Result<Vec<(ObjectId, u8, usize)>> {
    let mut out = Vec::new();
    let mut level_pos: Vec<usize> = Vec::new();
    fn rec(
        store: &dyn ObjectStore,
        node: &Node,
        out: &mut Vec<(ObjectId, u8, usize)>,
        level_pos: &mut Vec<usize>,
    ) -> Result<()> {
        let l = node.level as usize;
        if level_pos.len() <= l {
            level_pos.resize(l + 1, 0);
        }
        out.push((node.id, node.level, level_pos[l]));
        level_pos[l] += 1;
        if node.level > 0 {
            for i in 0..node.len() {
                let child = load_child(store, &entry_totals(node, i).2, node)?;
                rec(store, &child, out, level_pos)?;
            }
        }
        Ok(())
    }
    rec(store, &load_node(store, id)?, &mut out, &mut level_pos)?;
    Ok(out)
}

/// The leaf entries (chunk length, chunk id) of a chunked file, in order.
/// Reads the list nodes only, never the chunks.
pub fn chunk_list(store: &dyn ObjectStore, id: &ObjectId) -> Result<Vec<(u64, ObjectId)>> {
    let mut out = Vec::new();
    list_into(store, &load_node(store, id)?, &mut out)?;
    Ok(out)
}

fn list_into(store: &dyn ObjectStore, node: &Node, out: &mut Vec<(u64, ObjectId)>) -> Result<()> {
    for i in 0..node.len() {
        let (bytes, _, child) = entry_totals(node, i);
        if node.level > 0 {
            list_into(store, &load_child(store, &child, node)?, out)?;
        } else {
            out.push((bytes, child));
        }
    }
    Ok(())
}

/// The bytes of a file after the splice point: the tail of the old chunk
/// holding it, then whole old chunks, read one at a time as the chunker asks.
struct OldTail<'a> {
    store: &'a dyn ObjectStore,
    chunks: &'a [(u64, ObjectId)],
    next: usize,
    buf: Vec<u8>,
    pos: usize,
}

impl std::io::Read for OldTail<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.buf.len() {
            let Some((_, id)) = self.chunks.get(self.next) else {
                return Ok(0);
            };
            self.next += 1;
            self.buf = self.store.read(id).map_err(std::io::Error::other)?.data;
            self.pos = 0;
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Replace `remove` bytes at `offset` of file `id` with `insert`, returning the
/// new file's id. Only the chunks from the one holding `offset` up to the first
/// new cut that lines up with an old one are read and re-chunked; the result
/// is the id `store_content` gives for the whole new content.
pub fn splice(
    store: &dyn ObjectStore,
    id: &ObjectId,
    offset: u64,
    remove: u64,
    insert: &[u8],
) -> Result<ObjectId> {
    let (kind, _) = store.read_header(id)?;
    let size = self::size(store, id)?;
    if offset > size {
        return Err(ProllyError::SplicePastEnd { offset, size }.into());
    }
    let remove = remove.min(size - offset);
    let new_size = size - remove + insert.len() as u64;
    if kind == ObjectType::Blob || new_size <= INLINE_MAX {
        let mut data = read_range(store, id, 0, offset)?;
        data.extend_from_slice(insert);
        data.extend(read_range(store, id, offset + remove, u64::MAX)?);
        return store_content(store, &data);
    }
    let old = chunk_list(store, id)?;
    // Ends of the old chunks, ascending.
    let ends: Vec<u64> = old
        .iter()
        .scan(0u64, |pos, (len, _)| {
            *pos += len;
            Some(*pos)
        })
        .collect();
    // The chunk holding `offset` (the last one when appending at the end).
    let first = ends.partition_point(|&e| e <= offset).min(old.len() - 1);
    let start = ends[first] - old[first].0;
    let prefix = read_range(store, id, start, offset - start)?;
    let resume = offset + remove;
    let tail_chunk = ends.partition_point(|&e| e <= resume);
    let mut tail = OldTail {
        store,
        chunks: &old,
        next: tail_chunk,
        buf: Vec::new(),
        pos: 0,
    };
    if tail_chunk < old.len() {
        let skip = resume - (ends[tail_chunk] - old[tail_chunk].0);
        tail.buf = store.read(&old[tail_chunk].1)?.data;
        tail.pos = skip as usize;
        tail.next = tail_chunk + 1;
    }
    let source = std::io::Read::chain(std::io::Read::chain(&prefix[..], insert), tail);
    let edit_end = offset + insert.len() as u64;
    let mut b = Builder::<FileSchema>::new(store, 0);
    for (len, cid) in &old[..first] {
        let (k, e) = leaf_entry(*len, *cid);
        b.push(k, e)?;
    }
    let mut resumed_after = None;
    for chunk in fastcdc::v2020::StreamCDC::new(source, CDC_MIN, CDC_AVG, CDC_MAX) {
        let chunk = chunk.map_err(|e| ProllyError::Rechunk(e.to_string()))?;
        let cid = store.write(ObjectType::Blob, &chunk.data)?;
        let (k, e) = leaf_entry(chunk.length as u64, cid);
        b.push(k, e)?;
        let end = start + chunk.offset + chunk.length as u64;
        // Past the edit, a cut at an old cut means the old chunks follow unchanged.
        if end >= edit_end {
            let old_pos = end + remove - insert.len() as u64;
            if let Ok(k) = ends.binary_search(&old_pos) {
                resumed_after = Some(k + 1);
                break;
            }
        }
    }
    if let Some(k) = resumed_after {
        for (len, cid) in &old[k..] {
            let (key, e) = leaf_entry(*len, *cid);
            b.push(key, e)?;
        }
    }
    b.finish()
}

/// A chunk-list node's children: list nodes (level > 0) or chunk blobs (level 0),
/// with the byte totals its entries claim.
pub(crate) fn node_children(node: &Node) -> Vec<(u64, u64, ObjectId)> {
    (0..node.len()).map(|i| entry_totals(node, i)).collect()
}

/// Load a chunk-list node.
fn load_node(store: &dyn ObjectStore, id: &ObjectId) -> Result<Node> {
    Node::load::<FileSchema>(store, id)
}

/// The chunk list (a `file` object) for chunks given as (length, blob id).
pub(crate) fn list_from_chunks(
    store: &dyn ObjectStore,
    chunks: &[(u64, ObjectId)],
) -> Result<ObjectId> {
    let mut b = Builder::<FileSchema>::new(store, 0);
    for (len, id) in chunks {
        let (k, e) = leaf_entry(*len, *id);
        b.push(k, e)?;
    }
    b.finish()
}

/// A chunked file's (or blob's) content as a reader, one chunk in memory.
pub struct Reader<'s> {
    store: &'s dyn ObjectStore,
    chunks: std::vec::IntoIter<(u64, ObjectId)>,
    buf: Vec<u8>,
    pos: usize,
}

impl<'s> Reader<'s> {
    /// A reader of file content `id` (a blob or a `file` root).
    pub fn new(store: &'s dyn ObjectStore, id: &ObjectId) -> Result<Reader<'s>> {
        let (kind, _) = store.read_header(id)?;
        let (buf, chunks) = if kind == ObjectType::Blob {
            (store.read(id)?.data, Vec::new())
        } else {
            (Vec::new(), chunk_list(store, id)?)
        };
        Ok(Reader {
            store,
            chunks: chunks.into_iter(),
            buf,
            pos: 0,
        })
    }
}

impl std::io::Read for Reader<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.buf.len() {
            let Some((_, id)) = self.chunks.next() else {
                return Ok(0);
            };
            self.buf = self.store.read(&id).map_err(std::io::Error::other)?.data;
            self.pos = 0;
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// `bytes:N:SEED` of the test vectors (prolly-tree.md, vectors/files.tsv):
/// N bytes of the xorshift64 stream from SEED (x ^= x<<13; x ^= x>>7;
/// x ^= x<<17; emit the low byte). Tests, benches and examples use it as
/// incompressible, reproducible content.
pub fn xorshift_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemStore;

    /// Found by the chunk_list fuzz target (fuzz/regressions/chunk_list/).
    #[test]
    fn totals_that_overflow_are_malformed() {
        let list = |sizes: &[u64]| {
            let entries: Vec<(Vec<u8>, Vec<u8>)> = sizes
                .iter()
                .map(|&n| leaf_entry(n, ObjectId([n as u8; 32])))
                .collect();
            crate::prolly::encode_node(0, &entries)
        };
        let store = MemStore::new();
        let ok = store
            .write(ObjectType::File, &list(&[u64::MAX - 1, 1]))
            .unwrap();
        assert_eq!(size(&store, &ok).unwrap(), u64::MAX);
        let bad = store
            .write(ObjectType::File, &list(&[u64::MAX, 1]))
            .unwrap();
        let e = size(&store, &bad).unwrap_err().to_string();
        assert!(e.contains("totals of the entries overflow"), "{e}");
    }

    /// A chain of list nodes each claiming level 1 was walked one recursion
    /// per node: a long enough chain overflowed the stack.
    #[test]
    fn a_child_not_one_level_below_its_parent_is_malformed() {
        let store = MemStore::new();
        let chunk = store.write(ObjectType::Blob, b"data").unwrap();
        let (k, e) = leaf_entry(4, chunk);
        let mut id = store
            .write(ObjectType::File, &crate::prolly::encode_node(0, &[(k, e)]))
            .unwrap();
        let parent = |level: u8, child: ObjectId| {
            let mut e = Vec::new();
            put_varint(&mut e, 4);
            put_varint(&mut e, 1);
            e.extend_from_slice(child.as_bytes());
            crate::prolly::encode_node(level, &[(child.as_bytes().to_vec(), e)])
        };
        let good = store.write(ObjectType::File, &parent(1, id)).unwrap();
        assert_eq!(read_range(&store, &good, 0, 4).unwrap(), b"data");
        for _ in 0..200_000 {
            id = store.write(ObjectType::File, &parent(1, id)).unwrap();
        }
        let mut sink = Vec::new();
        let e = write_to(&store, &id, &mut sink).unwrap_err().to_string();
        assert!(e.contains("of level 1 has a child"), "{e}");
        assert!(read_range(&store, &id, 0, 4).is_err());
        assert!(chunk_list(&store, &id).is_err());
        assert!(list_nodes(&store, &id).is_err());
    }

    #[test]
    fn a_chunk_shorter_than_its_list_says_is_malformed() {
        let store = MemStore::new();
        let chunk = store.write(ObjectType::Blob, b"short").unwrap();
        let (k, e) = leaf_entry(100, chunk);
        let id = store
            .write(ObjectType::File, &crate::prolly::encode_node(0, &[(k, e)]))
            .unwrap();
        let e = read_range(&store, &id, 0, 100).unwrap_err().to_string();
        assert!(e.contains("holds 5 bytes, its list says 100"), "{e}");
    }
}
