//! Packs: many objects in one file plus a sorted index read through mmap
//! (format-spec/packs.md).
#![warn(missing_docs)]

use crate::store::error::RecordFault;
use crate::store::{Damage, PackError};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::codec::get_varint;
use crate::error::{Error, IoContext, Result};
use crate::object::{hash_object, Object, ObjectType};
use crate::oid::ObjectId;

pub(crate) const PACK_MAGIC: &[u8; 8] = b"HAKOPACK";
pub(crate) const IDX_MAGIC: &[u8; 8] = b"HAKOIDX\0";
/// The version writers write; readers also read version 1.
pub(crate) const VERSION: u32 = 2;
/// Deepest delta chain a reader follows (format-spec/packs.md).
pub(crate) const MAX_DELTA_DEPTH: usize = 16;
/// Kind byte of a delta record: this bit plus the object's type code.
pub(crate) const DELTA_BIT: u8 = 0x10;

/// The most bytes one record's zstd frame may take: its payload's limit
/// (objects.md) plus the frame's own overhead (a few bytes per 128 KiB block).
pub(crate) const MAX_FRAME: u64 =
    crate::object::MAX_OBJECT_SIZE + (crate::object::MAX_OBJECT_SIZE >> 7) + 4096;
pub(crate) const IDX_HEADER: usize = 16;
pub(crate) const FANOUT: usize = 256 * 4;

pub(crate) fn type_code(k: ObjectType) -> u8 {
    match k {
        ObjectType::Blob => 1,
        ObjectType::File => 2,
        ObjectType::Tree => 3,
        ObjectType::Commit => 4,
        ObjectType::Tag => 5,
    }
}

pub(crate) fn type_from_code(c: u8) -> Option<ObjectType> {
    Some(match c {
        1 => ObjectType::Blob,
        2 => ObjectType::File,
        3 => ObjectType::Tree,
        4 => ObjectType::Commit,
        5 => ObjectType::Tag,
        _ => return None,
    })
}

/// An opened pack: its index and data, both mapped.
pub struct Pack {
    /// The `.pack` file.
    pub pack_path: PathBuf,
    /// The `.idx` file.
    pub idx_path: PathBuf,
    idx: memmap2::Mmap,
    data: memmap2::Mmap,
    count: usize,
    version: u32,
    /// Whether the pack's trailer matches its bytes (computed once, on demand).
    trailer_ok: std::sync::OnceLock<bool>,
    /// Payloads recently decoded as delta bases, by index position: reading
    /// a chain then decodes each base once, not once per reader.
    bases: std::sync::Mutex<BaseCache>,
}

/// A small, bounded cache of decoded base payloads.
#[derive(Default)]
struct BaseCache {
    /// index position -> (payload, length of its own delta chain)
    map: std::collections::HashMap<usize, (std::sync::Arc<Vec<u8>>, usize)>,
    bytes: usize,
}

/// Bytes of decoded bases a pack keeps.
const BASE_CACHE_BYTES: usize = 32 << 20;

/// A record's header, parsed (format-spec/packs.md, "Records").
#[derive(Clone, Debug)]
pub struct RecordHead {
    /// The object's type.
    pub kind: ObjectType,
    /// Payload size of the (reconstructed) object.
    pub size: u64,
    /// The base object of a delta record.
    pub base: Option<ObjectId>,
    /// Where the zstd frame lies in the buffer.
    pub frame: std::ops::Range<usize>,
}

/// Parse the record at `buf[off..]`; `limit` is where records must end (the
/// trailer). Errors say what is wrong, without the file.
pub(crate) fn parse_record(
    buf: &[u8],
    off: usize,
    limit: usize,
    version: u32,
) -> std::result::Result<RecordHead, Damage> {
    let bad = |why: RecordFault| Damage::Record { at: off, why };
    if off >= limit {
        return Err(bad(RecordFault::PastEnd));
    }
    let code = buf[off];
    let delta = code & DELTA_BIT != 0;
    if delta && version < 2 {
        return Err(bad(RecordFault::DeltaInVersion1));
    }
    let kind =
        type_from_code(code & !DELTA_BIT).ok_or_else(|| bad(RecordFault::UnknownKind(code)))?;
    let mut pos = off + 1;
    let size = get_varint(&buf[..limit], &mut pos).map_err(|e| bad(RecordFault::Varint(e)))?;
    if size > crate::object::MAX_OBJECT_SIZE {
        return Err(bad(RecordFault::OverObjectLimit(size)));
    }
    let base = if delta {
        let b = buf
            .get(pos..pos + 32)
            .filter(|_| pos + 32 <= limit)
            .ok_or_else(|| bad(RecordFault::TruncatedBase))?;
        pos += 32;
        Some(ObjectId::from_bytes(b).expect("32 bytes"))
    } else {
        None
    };
    let stored =
        get_varint(&buf[..limit], &mut pos).map_err(|e| bad(RecordFault::Varint(e)))? as usize;
    let end = pos
        .checked_add(stored)
        .filter(|e| *e <= limit)
        .ok_or_else(|| bad(RecordFault::TruncatedFrame))?;
    Ok(RecordHead {
        kind,
        size,
        base,
        frame: pos..end,
    })
}

/// Decompress a record's frame (with the base's payload as reference prefix
/// for a delta) into exactly `size` bytes.
pub(crate) fn decode_frame(
    frame: &[u8],
    size: u64,
    base: Option<&[u8]>,
) -> std::result::Result<Vec<u8>, Damage> {
    let data = match base {
        Some(b) => {
            let mut data = Vec::with_capacity(size as usize);
            zstd::stream::Decoder::with_ref_prefix(frame, b)
                .and_then(|d| d.take(size + 1).read_to_end(&mut data))
                .map_err(Damage::Decompress)?;
            data
        }
        None => crate::store::decompress_frame(frame, Some(size))?,
    };
    if data.len() as u64 != size {
        return Err(Damage::RecordLength {
            said: size,
            found: data.len(),
        });
    }
    Ok(data)
}

pub(crate) fn corrupt(path: &Path, why: &str) -> Error {
    PackError::Corrupt {
        path: path.to_path_buf(),
        why: why.to_string(),
    }
    .into()
}

impl Pack {
    /// Open `pack-X.idx` and its `.pack`, checking headers and sizes (not checksums).
    pub fn open(idx_path: &Path) -> Result<Pack> {
        let pack_path = idx_path.with_extension("pack");
        let fi = File::open(idx_path).at(idx_path)?;
        let fp = File::open(&pack_path).at(&pack_path)?;
        let idx = crate::sys::map_file(&fi).at(idx_path)?;
        let data = crate::sys::map_file(&fp).at(&pack_path)?;
        Pack::from_maps(idx_path.to_path_buf(), pack_path, idx, data)
    }

    /// A pack read from bytes in memory (named `mem.idx`/`mem.pack` in
    /// errors): the decoders' fuzz targets open untrusted bytes this way.
    pub fn from_bytes(idx: &[u8], pack: &[u8]) -> Result<Pack> {
        let anon = |bytes: &[u8], name: &str| -> Result<memmap2::Mmap> {
            let mut m = memmap2::MmapMut::map_anon(bytes.len().max(1)).at(name)?;
            m[..bytes.len()].copy_from_slice(bytes);
            let m = m.make_read_only().at(name)?;
            Ok(m)
        };
        let (idx_map, data_map) = (anon(idx, "mem.idx")?, anon(pack, "mem.pack")?);
        // A zero-length map is not possible: an empty input maps one byte,
        // which no header check accepts.
        if idx.is_empty() || pack.is_empty() {
            return Err(corrupt(Path::new("mem.pack"), "empty"));
        }
        Pack::from_maps("mem.idx".into(), "mem.pack".into(), idx_map, data_map)
    }

    fn from_maps(
        idx_path: PathBuf,
        pack_path: PathBuf,
        idx: memmap2::Mmap,
        data: memmap2::Mmap,
    ) -> Result<Pack> {
        let idx_path = idx_path.as_path();
        let (version, count) = match IndexTables::parse(&idx) {
            Ok(t) => (t.version, t.count),
            Err(IndexFault::Header) => return Err(corrupt(idx_path, "bad index header")),
            Err(IndexFault::Version(_)) => return Err(corrupt(idx_path, "unknown index version")),
            Err(_) => return Err(corrupt(idx_path, "index size does not match its count")),
        };
        if data.len() < 16 + 32 || &data[..8] != PACK_MAGIC {
            return Err(corrupt(&pack_path, "bad pack header"));
        }
        if u32::from_be_bytes(data[8..12].try_into().unwrap()) != version {
            return Err(corrupt(&pack_path, "pack and index versions differ"));
        }
        let p = Pack {
            pack_path,
            idx_path: idx_path.to_path_buf(),
            idx,
            data,
            count,
            version,
            trailer_ok: std::sync::OnceLock::new(),
            bases: Default::default(),
        };
        if p.fanout(255) as usize != count {
            return Err(corrupt(idx_path, "fanout does not match count"));
        }
        p.check_order()?;
        Ok(p)
    }

    /// How many objects it holds.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Ids strictly ascending, each in its fanout bucket (a damaged index
    /// would otherwise make objects silently unfindable).
    fn check_order(&self) -> Result<()> {
        self.tables()
            .check_order()
            .map_err(|fault| corrupt(&self.idx_path, &fault.to_string()))
    }

    /// The index's tables.
    fn tables(&self) -> IndexTables<'_> {
        IndexTables {
            bytes: &self.idx,
            version: self.version,
            count: self.count,
        }
    }

    /// Size of the pack file in bytes.
    pub fn pack_bytes(&self) -> u64 {
        self.data.len() as u64
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn fanout(&self, b: usize) -> u32 {
        self.tables().fanout(b)
    }

    /// The id at position `i` of the index (ids ascend).
    pub fn id_at(&self, i: usize) -> ObjectId {
        self.tables().id_at(i)
    }

    fn idx_u64(&self, table: usize, i: usize) -> u64 {
        self.tables().table(table, i)
    }

    /// Offset of the record at index position `i`.
    pub fn offset_at(&self, i: usize) -> u64 {
        self.idx_u64(0, i)
    }

    /// Whether the whole pack hashes to its trailer (checked once per process,
    /// in parallel): then its records are the bytes their writer verified,
    /// and may be copied into another pack without decoding each.
    pub fn trailer_verified(&self) -> bool {
        *self.trailer_ok.get_or_init(|| {
            let n = self.data.len();
            let mut h = blake3::Hasher::new();
            h.update_rayon(&self.data[..n - 32]);
            h.finalize().as_bytes() == &self.data[n - 32..]
        })
    }

    /// The pack's format version (1 or 2).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Position of `id` in the index.
    pub fn find(&self, id: &ObjectId) -> Option<usize> {
        self.tables().find(id)
    }

    /// The parsed header of the record at index position `i`.
    pub fn record(&self, i: usize) -> Result<RecordHead> {
        let off = self.offset_at(i) as usize;
        if off < 16 {
            return Err(corrupt(
                &self.pack_path,
                &format!("bad record at offset {off}"),
            ));
        }
        parse_record(&self.data, off, self.data.len() - 32, self.version)
            .map_err(|why| corrupt(&self.pack_path, &why.to_string()))
    }

    /// The record at index position `i` as stored (kind, sizes, base, zstd
    /// frame), for copying into another pack without recompressing.
    pub fn raw_record(&self, i: usize) -> Result<&[u8]> {
        let off = self.offset_at(i) as usize;
        let head = self.record(i)?;
        Ok(&self.data[off..head.frame.end])
    }

    /// Type and size of the object at index position `i`.
    pub fn read_header(&self, i: usize) -> Result<(ObjectType, u64)> {
        let h = self.record(i)?;
        Ok((h.kind, h.size))
    }

    /// Read and verify the object at index position `i`, resolving deltas.
    pub fn read(&self, i: usize) -> Result<Object> {
        Ok(self.read_at_depth(i, 0)?.0)
    }

    /// The delta depth of the record at `i` (0 for a full record).
    pub fn depth(&self, i: usize) -> Result<usize> {
        let mut depth = 0;
        let mut at = i;
        while let Some(base) = self.record(at)?.base {
            depth += 1;
            if depth > MAX_DELTA_DEPTH {
                return Err(self.chain_error(i));
            }
            at = self
                .find(&base)
                .ok_or_else(|| self.missing_base(i, &base))?;
        }
        Ok(depth)
    }

    fn chain_error(&self, i: usize) -> Error {
        Error::Corrupt {
            id: self.id_at(i),
            path: self.pack_path.clone(),
            why: Damage::DeltaTooDeep,
        }
    }

    fn missing_base(&self, i: usize, base: &ObjectId) -> Error {
        Error::Corrupt {
            id: self.id_at(i),
            path: self.pack_path.clone(),
            why: Damage::BaseNotInPack(*base),
        }
    }

    /// Read the object at `i`, `depth` delta links below the object first
    /// asked for; also returns the length of `i`'s own chain. The whole
    /// chain (depth + own chain) may not exceed the maximum, cached or not.
    fn read_at_depth(&self, i: usize, depth: usize) -> Result<(Object, usize)> {
        let id = self.id_at(i);
        let head = self.record(i)?;
        let c = |why: Damage| Error::Corrupt {
            id,
            path: self.pack_path.clone(),
            why,
        };
        let (base, chain) = match head.base {
            None => (None, 0),
            Some(b) => {
                if depth >= MAX_DELTA_DEPTH {
                    return Err(self.chain_error(i));
                }
                let bi = self.find(&b).ok_or_else(|| self.missing_base(i, &b))?;
                let cached = self.bases.lock().unwrap().map.get(&bi).cloned();
                let (data, base_chain) = match cached {
                    Some(hit) => hit,
                    None => {
                        let (o, bc) = self.read_at_depth(bi, depth + 1)?;
                        let d = std::sync::Arc::new(o.data);
                        let mut cache = self.bases.lock().unwrap();
                        if cache.bytes + d.len() > BASE_CACHE_BYTES {
                            cache.map.clear();
                            cache.bytes = 0;
                        }
                        cache.bytes += d.len();
                        cache.map.insert(bi, (d.clone(), bc));
                        (d, bc)
                    }
                };
                if depth + 1 + base_chain > MAX_DELTA_DEPTH {
                    return Err(self.chain_error(i));
                }
                (Some(data), 1 + base_chain)
            }
        };
        let data = decode_frame(
            &self.data[head.frame.clone()],
            head.size,
            base.as_deref().map(|v| v.as_slice()),
        )
        .map_err(c)?;
        let actual = hash_object(head.kind, &data);
        if actual != id {
            return Err(c(Damage::HashMismatch(actual)));
        }
        Ok((
            Object {
                kind: head.kind,
                data,
            },
            chain,
        ))
    }

    /// Ids in this pack starting with the hex `prefix`.
    pub fn ids_with_prefix(&self, prefix: &str, limit: usize, out: &mut Vec<ObjectId>) {
        let Some(first) = crate::oid::from_hex_bytes(&prefix[..2]) else {
            return;
        };
        let b = first[0] as usize;
        let lo = if b == 0 {
            0
        } else {
            self.fanout(b - 1) as usize
        };
        let hi = self.fanout(b) as usize;
        for i in lo..hi {
            let id = self.id_at(i);
            if id.to_hex().starts_with(prefix) {
                out.push(id);
                if out.len() >= limit {
                    return;
                }
            }
        }
    }

    /// Check both checksums (fsck and tests).
    pub fn verify_checksums(&self) -> Result<()> {
        let n = self.data.len();
        if blake3::hash(&self.data[..n - 32]).as_bytes() != &self.data[n - 32..] {
            return Err(corrupt(&self.pack_path, "pack checksum mismatch"));
        }
        let m = self.idx.len();
        if self.idx[m - 64..m - 32] != self.data[n - 32..] {
            return Err(corrupt(&self.idx_path, "index names another pack"));
        }
        if blake3::hash(&self.idx[..m - 32]).as_bytes() != &self.idx[m - 32..] {
            return Err(corrupt(&self.idx_path, "index checksum mismatch"));
        }
        for i in 1..self.count {
            if self.id_at(i - 1) >= self.id_at(i) {
                return Err(corrupt(&self.idx_path, "ids not sorted"));
            }
        }
        if self.version >= 2 {
            for i in 0..self.count {
                let head = self.record(i)?;
                let len = (head.frame.end - self.offset_at(i) as usize) as u64;
                if self.record_len(i) != Some(len) || self.size_at(i) != Some(head.size) {
                    return Err(corrupt(
                        &self.idx_path,
                        &format!(
                            "length or size of {} does not match its record",
                            self.id_at(i)
                        ),
                    ));
                }
                // packs.md, Order: one front-to-back pass resolves every delta.
                if let Some(base) = head.base {
                    match self.find(&base) {
                        Some(b) if self.offset_at(b) < self.offset_at(i) => {}
                        Some(_) => {
                            return Err(corrupt(
                                &self.pack_path,
                                &format!("delta {} comes before its base {base}", self.id_at(i)),
                            ))
                        }
                        None => {
                            return Err(corrupt(
                                &self.pack_path,
                                &format!(
                                    "delta {} has its base {base} outside the pack",
                                    self.id_at(i)
                                ),
                            ))
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Length of the whole record at `i`, from the index (version 2).
    pub fn record_len(&self, i: usize) -> Option<u64> {
        (self.version >= 2).then(|| self.idx_u64(1, i))
    }

    /// Payload size of the object at `i`, from the index (version 2).
    pub fn size_at(&self, i: usize) -> Option<u64> {
        (self.version >= 2).then(|| self.idx_u64(2, i))
    }

    /// Index positions in record order (by offset): the order in which a
    /// copy keeps every delta after its base.
    pub fn positions_by_offset(&self) -> Vec<usize> {
        let mut v: Vec<usize> = (0..self.count).collect();
        v.sort_by_key(|&i| self.offset_at(i));
        v
    }
}

/// What is wrong with the layout of a pack index; the reader of a stored
/// pack and that of a dumb-HTTP mirror word the header faults each their way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum IndexFault {
    /// Too short for a header, or not an index.
    #[error("bad header")]
    Header,
    /// A version other than 1 or 2.
    #[error("version {0} (1 or 2 expected)")]
    Version(u32),
    /// The length is not what the count makes it.
    #[error("size does not match its count")]
    Size,
    /// A fanout entry below the one before, or past the count.
    #[error("fanout is not ascending")]
    FanoutNotAscending,
    /// An id in a bucket its first byte does not name.
    #[error("an id is outside its fanout bucket")]
    OutsideBucket,
    /// The last fanout entry is not the count.
    #[error("fanout does not match count")]
    FanoutCount,
    /// Two ids out of order, or one twice.
    #[error("ids not sorted")]
    NotSorted,
}

/// The tables of a pack index (format-spec/packs.md, "Index"), read the
/// same way for a stored pack and for one fetched from a dumb-HTTP mirror.
#[derive(Clone, Copy)]
pub(crate) struct IndexTables<'a> {
    /// The whole index file.
    pub(crate) bytes: &'a [u8],
    /// The index's version (1 or 2).
    pub(crate) version: u32,
    /// How many ids it holds.
    pub(crate) count: usize,
}

impl<'a> IndexTables<'a> {
    /// The index in `bytes`, its header and length checked (not its
    /// checksum, nor its order: `check_order`).
    pub(crate) fn parse(bytes: &'a [u8]) -> std::result::Result<Self, IndexFault> {
        if bytes.len() < IDX_HEADER + FANOUT + 64 || &bytes[..8] != IDX_MAGIC {
            return Err(IndexFault::Header);
        }
        let version = u32::from_be_bytes(bytes[8..12].try_into().unwrap());
        if !(1..=VERSION).contains(&version) {
            return Err(IndexFault::Version(version));
        }
        let count = u32::from_be_bytes(bytes[12..16].try_into().unwrap()) as usize;
        if bytes.len() != IDX_HEADER + FANOUT + count * idx_entry_bytes(version) + 64 {
            return Err(IndexFault::Size);
        }
        Ok(IndexTables {
            bytes,
            version,
            count,
        })
    }

    /// How many ids sort below those whose first byte is above `b`.
    pub(crate) fn fanout(&self, b: usize) -> u32 {
        let o = IDX_HEADER + b * 4;
        u32::from_be_bytes(self.bytes[o..o + 4].try_into().unwrap())
    }

    /// The bytes of the id at position `i`.
    pub(crate) fn id_bytes(&self, i: usize) -> &'a [u8] {
        let o = IDX_HEADER + FANOUT + i * 32;
        &self.bytes[o..o + 32]
    }

    /// The id at position `i`.
    pub(crate) fn id_at(&self, i: usize) -> ObjectId {
        ObjectId::from_bytes(self.id_bytes(i)).unwrap()
    }

    /// Entry `i` of table `t` after the ids (0 offsets; in version 2, 1
    /// record lengths and 2 payload sizes).
    pub(crate) fn table(&self, t: usize, i: usize) -> u64 {
        let o = IDX_HEADER + FANOUT + self.count * 32 + t * self.count * 8 + i * 8;
        u64::from_be_bytes(self.bytes[o..o + 8].try_into().unwrap())
    }

    /// Position of `id`.
    pub(crate) fn find(&self, id: &ObjectId) -> Option<usize> {
        let b = id.0[0] as usize;
        let mut lo = if b == 0 {
            0
        } else {
            self.fanout(b - 1) as usize
        };
        let mut hi = self.fanout(b) as usize;
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.id_bytes(mid).cmp(&id.0[..]) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Fanout ascending and ending at the count, each id in its bucket,
    /// ids strictly ascending.
    pub(crate) fn check_order(&self) -> std::result::Result<(), IndexFault> {
        let mut start = 0usize;
        for b in 0..256 {
            let end = self.fanout(b) as usize;
            if end < start || end > self.count {
                return Err(IndexFault::FanoutNotAscending);
            }
            if (start..end).any(|i| self.id_bytes(i)[0] as usize != b) {
                return Err(IndexFault::OutsideBucket);
            }
            start = end;
        }
        if start != self.count {
            return Err(IndexFault::FanoutCount);
        }
        if (1..self.count).any(|i| self.id_bytes(i - 1) >= self.id_bytes(i)) {
            return Err(IndexFault::NotSorted);
        }
        Ok(())
    }
}

/// Bytes per id in an index of `version`: id, offset (and in version 2
/// record length and payload size).
pub(crate) fn idx_entry_bytes(version: u32) -> usize {
    if version >= 2 {
        56
    } else {
        40
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version 2 index of `ids` (in the order given), fanout counted from
    /// their first bytes, zero tables and trailer.
    fn index(ids: &[[u8; 32]]) -> Vec<u8> {
        let mut idx = IDX_MAGIC.to_vec();
        idx.extend_from_slice(&2u32.to_be_bytes());
        idx.extend_from_slice(&(ids.len() as u32).to_be_bytes());
        for b in 0..256 {
            let n = ids.iter().filter(|id| (id[0] as usize) <= b).count() as u32;
            idx.extend_from_slice(&n.to_be_bytes());
        }
        for id in ids {
            idx.extend_from_slice(id);
        }
        idx.resize(idx.len() + ids.len() * 24 + 64, 0);
        idx
    }

    #[test]
    fn index_tables_find_ids_and_name_each_fault() {
        let (a, b) = ([1u8; 32], [2u8; 32]);
        let good = index(&[a, b]);
        let t = IndexTables::parse(&good).unwrap();
        assert_eq!((t.version, t.count), (2, 2));
        assert_eq!(t.check_order(), Ok(()));
        assert_eq!(t.find(&ObjectId(b)), Some(1));
        assert_eq!(t.find(&ObjectId([3u8; 32])), None);
        let fault = |bytes: &[u8]| IndexTables::parse(bytes).and_then(|t| t.check_order());
        assert_eq!(fault(&good[..100]), Err(IndexFault::Header));
        let mut v = good.clone();
        v[11] = 3;
        assert_eq!(fault(&v), Err(IndexFault::Version(3)));
        assert_eq!(fault(&good[..good.len() - 1]), Err(IndexFault::Size));
        assert_eq!(fault(&index(&[b, a])), Err(IndexFault::OutsideBucket));
        assert_eq!(fault(&index(&[b, b])), Err(IndexFault::NotSorted));
        let mut f = good.clone();
        f[16 + 4..16 + 8].copy_from_slice(&3u32.to_be_bytes());
        assert_eq!(fault(&f), Err(IndexFault::FanoutNotAscending));
        let mut c = good;
        for b in 2..256 {
            c[16 + b * 4..16 + b * 4 + 4].copy_from_slice(&1u32.to_be_bytes());
        }
        assert_eq!(fault(&c), Err(IndexFault::FanoutCount));
    }
}
