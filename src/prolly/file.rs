//! Chunked files: FastCDC chunks stored as blobs, listed by a prolly list of
//! `file` nodes (format-spec/prolly-tree.md, "Chunked files").

use super::{get_varint, put_varint, take, Builder, Node, Schema};
use crate::error::{Error, Result};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::store::ObjectStore;

pub const INLINE_MAX: u64 = 65536;
pub const CDC_MIN: u32 = 16384;
pub const CDC_AVG: u32 = 65536;
pub const CDC_MAX: u32 = 262144;

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
pub fn read_range(
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
    range_into(store, id, 0, offset, end, &mut out)?;
    Ok(out)
}

fn range_into(
    store: &dyn ObjectStore,
    id: &ObjectId,
    base: u64,
    start: u64,
    end: u64,
    out: &mut Vec<u8>,
) -> Result<()> {
    let node = Node::load::<FileSchema>(store, id)?;
    let mut pos = base;
    for i in 0..node.len() {
        let (bytes, _, child) = entry_totals(&node, i);
        let (s, e) = (pos, pos + bytes);
        pos = e;
        if e <= start {
            continue;
        }
        if s >= end {
            break;
        }
        if node.level > 0 {
            range_into(store, &child, s, start, end, out)?;
        } else {
            let o = store.read(&child)?;
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
        ObjectType::File => {
            let node = Node::parse::<FileSchema>(*id, o.data)?;
            for i in 0..node.len() {
                let (_, _, child) = entry_totals(&node, i);
                if node.level > 0 {
                    write_to(store, &child, w)?;
                } else {
                    let c = store.read(&child)?;
                    w.write_all(&c.data).map_err(Error::Output)?;
                }
            }
            Ok(())
        }
        k => Err(Error::WrongType {
            id: *id,
            expected: "blob",
            actual: k.name(),
        }),
    }
}
