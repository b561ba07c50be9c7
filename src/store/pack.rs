//! Packs: many objects in one file plus a sorted index read through mmap
//! (format-spec/packs.md).

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::codec::{get_varint, put_varint};
use crate::error::{Error, IoContext, Result};
use crate::object::{hash_object, Object, ObjectType};
use crate::oid::ObjectId;
use crate::sys::fsync_dir;

const PACK_MAGIC: &[u8; 8] = b"HAKOPACK";
const IDX_MAGIC: &[u8; 8] = b"HAKOIDX\0";
/// The version writers write; readers also read version 1.
const VERSION: u32 = 2;
/// Deepest delta chain a reader follows (format-spec/packs.md).
pub const MAX_DELTA_DEPTH: usize = 16;
/// Kind byte of a delta record: this bit plus the object's type code.
pub const DELTA_BIT: u8 = 0x10;

/// The most bytes one record's zstd frame may take: its payload's limit
/// (objects.md) plus the frame's own overhead (a few bytes per 128 KiB block).
pub const MAX_FRAME: u64 =
    crate::object::MAX_OBJECT_SIZE + (crate::object::MAX_OBJECT_SIZE >> 7) + 4096;
const IDX_HEADER: usize = 16;
const FANOUT: usize = 256 * 4;

pub fn type_code(k: ObjectType) -> u8 {
    match k {
        ObjectType::Blob => 1,
        ObjectType::File => 2,
        ObjectType::Tree => 3,
        ObjectType::Commit => 4,
        ObjectType::Tag => 5,
    }
}

pub fn type_from_code(c: u8) -> Option<ObjectType> {
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
    pub pack_path: PathBuf,
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
pub fn parse_record(
    buf: &[u8],
    off: usize,
    limit: usize,
    version: u32,
) -> std::result::Result<RecordHead, String> {
    let bad = |why: &str| format!("bad record at offset {off}: {why}");
    if off >= limit {
        return Err(bad("past the end of the records"));
    }
    let code = buf[off];
    let delta = code & DELTA_BIT != 0;
    if delta && version < 2 {
        return Err(bad("delta record in a version 1 pack"));
    }
    let kind = type_from_code(code & !DELTA_BIT)
        .ok_or_else(|| bad(&format!("unknown kind {code:#04x}")))?;
    let mut pos = off + 1;
    let size = get_varint(&buf[..limit], &mut pos).map_err(|e| bad(&e.to_string()))?;
    if size > crate::object::MAX_OBJECT_SIZE {
        return Err(bad(&format!(
            "record declares {size} bytes, over the 64 MiB limit of one object"
        )));
    }
    let base = if delta {
        let b = buf
            .get(pos..pos + 32)
            .filter(|_| pos + 32 <= limit)
            .ok_or_else(|| bad("truncated base id"))?;
        pos += 32;
        Some(ObjectId::from_bytes(b).expect("32 bytes"))
    } else {
        None
    };
    let stored = get_varint(&buf[..limit], &mut pos).map_err(|e| bad(&e.to_string()))? as usize;
    let end = pos
        .checked_add(stored)
        .filter(|e| *e <= limit)
        .ok_or_else(|| bad("truncated frame"))?;
    Ok(RecordHead {
        kind,
        size,
        base,
        frame: pos..end,
    })
}

/// Decompress a record's frame (with the base's payload as reference prefix
/// for a delta) into exactly `size` bytes.
pub fn decode_frame(
    frame: &[u8],
    size: u64,
    base: Option<&[u8]>,
) -> std::result::Result<Vec<u8>, String> {
    let data = match base {
        Some(b) => {
            let mut data = Vec::with_capacity(size as usize);
            zstd::stream::Decoder::with_ref_prefix(frame, b)
                .and_then(|d| d.take(size + 1).read_to_end(&mut data))
                .map_err(|e| format!("cannot decompress: {e}"))?;
            data
        }
        None => crate::store::decompress_frame(frame, Some(size))?,
    };
    if data.len() as u64 != size {
        return Err(format!("record says {size} bytes, found {}", data.len()));
    }
    Ok(data)
}

fn corrupt(path: &Path, why: &str) -> Error {
    Error::Invalid(format!("corrupt pack {}: {why}", path.display()))
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
        if idx.len() < IDX_HEADER + FANOUT + 64 || &idx[..8] != IDX_MAGIC {
            return Err(corrupt(idx_path, "bad index header"));
        }
        let version = u32::from_be_bytes(idx[8..12].try_into().unwrap());
        if !(1..=VERSION).contains(&version) {
            return Err(corrupt(idx_path, "unknown index version"));
        }
        let count = u32::from_be_bytes(idx[12..16].try_into().unwrap()) as usize;
        if idx.len() != IDX_HEADER + FANOUT + count * idx_entry_bytes(version) + 64 {
            return Err(corrupt(idx_path, "index size does not match its count"));
        }
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

    pub fn len(&self) -> usize {
        self.count
    }

    /// Ids strictly ascending, each in its fanout bucket (a damaged index
    /// would otherwise make objects silently unfindable).
    fn check_order(&self) -> Result<()> {
        let ids = &self.idx[IDX_HEADER + FANOUT..IDX_HEADER + FANOUT + self.count * 32];
        let mut start = 0usize;
        for b in 0..256 {
            let end = self.fanout(b) as usize;
            if end < start || end > self.count {
                return Err(corrupt(&self.idx_path, "fanout is not ascending"));
            }
            if ids[start * 32..end * 32]
                .chunks_exact(32)
                .any(|id| id[0] as usize != b)
            {
                return Err(corrupt(
                    &self.idx_path,
                    "an id is outside its fanout bucket",
                ));
            }
            start = end;
        }
        for w in 1..self.count {
            if ids[(w - 1) * 32..w * 32] >= ids[w * 32..(w + 1) * 32] {
                return Err(corrupt(&self.idx_path, "ids not sorted"));
            }
        }
        Ok(())
    }

    /// Size of the pack file in bytes.
    pub fn pack_bytes(&self) -> u64 {
        self.data.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn fanout(&self, b: usize) -> u32 {
        let o = IDX_HEADER + b * 4;
        u32::from_be_bytes(self.idx[o..o + 4].try_into().unwrap())
    }

    pub fn id_at(&self, i: usize) -> ObjectId {
        let o = IDX_HEADER + FANOUT + i * 32;
        ObjectId::from_bytes(&self.idx[o..o + 32]).unwrap()
    }

    fn idx_u64(&self, table: usize, i: usize) -> u64 {
        let o = IDX_HEADER + FANOUT + self.count * 32 + table * self.count * 8 + i * 8;
        u64::from_be_bytes(self.idx[o..o + 8].try_into().unwrap())
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
        let b = id.0[0] as usize;
        let mut lo = if b == 0 {
            0
        } else {
            self.fanout(b - 1) as usize
        };
        let mut hi = self.fanout(b) as usize;
        while lo < hi {
            let mid = (lo + hi) / 2;
            let o = IDX_HEADER + FANOUT + mid * 32;
            match self.idx[o..o + 32].cmp(&id.0[..]) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
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
            .map_err(|why| corrupt(&self.pack_path, &why))
    }

    /// The record at index position `i` as stored (kind, sizes, base, zstd
    /// frame), for copying into another pack without recompressing.
    pub fn raw_record(&self, i: usize) -> Result<&[u8]> {
        let off = self.offset_at(i) as usize;
        let head = self.record(i)?;
        Ok(&self.data[off..head.frame.end])
    }

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
            why: format!("delta chain deeper than {MAX_DELTA_DEPTH} (or a cycle)"),
        }
    }

    fn missing_base(&self, i: usize, base: &ObjectId) -> Error {
        Error::Corrupt {
            id: self.id_at(i),
            path: self.pack_path.clone(),
            why: format!("delta base {base} is not in the pack"),
        }
    }

    /// Read the object at `i`, `depth` delta links below the object first
    /// asked for; also returns the length of `i`'s own chain. The whole
    /// chain (depth + own chain) may not exceed the maximum, cached or not.
    fn read_at_depth(&self, i: usize, depth: usize) -> Result<(Object, usize)> {
        let id = self.id_at(i);
        let head = self.record(i)?;
        let c = |why: String| Error::Corrupt {
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
            return Err(c(format!("hash mismatch (content hashes to {actual})")));
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

/// Bytes per id in an index of `version`: id, offset (and in version 2
/// record length and payload size).
fn idx_entry_bytes(version: u32) -> usize {
    if version >= 2 {
        56
    } else {
        40
    }
}

/// Payload bytes compressed per parallel round while a pack streams out.
const ROUND_BYTES: usize = 32 << 20;

/// A delta record: `data` compressed with `base_data` (the payload of
/// `base`) as zstd's reference prefix (format-spec/packs.md).
pub fn encode_delta(
    kind: ObjectType,
    data: &[u8],
    base: &ObjectId,
    base_data: &[u8],
) -> Result<Vec<u8>> {
    let z = delta_frame(data, base_data)?;
    let mut r = Vec::with_capacity(z.len() + 44);
    r.push(DELTA_BIT | type_code(kind));
    put_varint(&mut r, data.len() as u64);
    r.extend_from_slice(base.as_bytes());
    put_varint(&mut r, z.len() as u64);
    r.extend_from_slice(&z);
    Ok(r)
}

/// The zstd frame of a delta: `data` compressed with `base_data` as reference prefix.
pub fn delta_frame(data: &[u8], base_data: &[u8]) -> Result<Vec<u8>> {
    let zerr = |e: std::io::Error| Error::Invalid(format!("zstd: {e}"));
    let mut enc = zstd::stream::Encoder::with_ref_prefix(Vec::new(), 3, base_data).map_err(zerr)?;
    enc.write_all(data).map_err(zerr)?;
    enc.finish().map_err(zerr)
}

/// One full record (type, size, stored size, zstd frame).
pub fn encode_record(kind: ObjectType, data: &[u8]) -> Result<Vec<u8>> {
    let z = full_frame(kind, data)?;
    let mut r = Vec::with_capacity(z.len() + 12);
    r.push(type_code(kind));
    put_varint(&mut r, data.len() as u64);
    put_varint(&mut r, z.len() as u64);
    r.extend_from_slice(&z);
    Ok(r)
}

/// The zstd frame of a full record holding `data`.
pub fn full_frame(kind: ObjectType, data: &[u8]) -> Result<Vec<u8>> {
    crate::object::check_size(kind, data.len() as u64)?;
    thread_local! {
        // One compression context per thread (setting one up per record showed).
        static CCTX: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
            const { std::cell::RefCell::new(None) };
    }
    let z = CCTX
        .with(|c| {
            let mut c = c.borrow_mut();
            let ctx = match &mut *c {
                Some(ctx) => ctx,
                None => c.insert(zstd::bulk::Compressor::new(3)?),
            };
            ctx.compress(data)
        })
        .map_err(|e| Error::Invalid(format!("zstd: {e}")))?;
    Ok(z)
}

/// A pack being written: records stream to a temporary file; the index is
/// kept in memory (40 bytes per object) and written by `finish`.
pub struct PackBuilder {
    dir: PathBuf,
    tmp: PathBuf,
    out: Option<std::io::BufWriter<File>>,
    hasher: blake3::Hasher,
    pos: u64,
    count: u32,
    /// (id, offset, record length, payload size)
    entries: Vec<(ObjectId, u64, u64, u64)>,
}

impl PackBuilder {
    /// Start a pack of exactly `count` records in `pack_dir`.
    pub fn new(pack_dir: &Path, count: u32) -> Result<PackBuilder> {
        fs::create_dir_all(pack_dir).at(pack_dir)?;
        let (f, tmp) = crate::fsutil::create_tmp(pack_dir, "tmp_pack_", 0o666)?;
        let mut b = PackBuilder {
            dir: pack_dir.to_path_buf(),
            tmp,
            out: Some(std::io::BufWriter::with_capacity(1 << 20, f)),
            hasher: blake3::Hasher::new(),
            pos: 0,
            count,
            entries: Vec::with_capacity(count as usize),
        };
        let mut head = Vec::with_capacity(16);
        head.extend_from_slice(PACK_MAGIC);
        head.extend_from_slice(&VERSION.to_be_bytes());
        head.extend_from_slice(&count.to_be_bytes());
        b.put(&head)?;
        Ok(b)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.hasher.update(bytes);
        self.pos += bytes.len() as u64;
        let out = self.out.as_mut().expect("pack builder open");
        out.write_all(bytes).at(&self.tmp)
    }

    /// Append one record (as `encode_record`, `encode_delta` or
    /// `Pack::raw_record` gives it). A delta's base must already be in this
    /// pack unless the pack is thin (the caller's business).
    pub fn add(&mut self, id: ObjectId, record: &[u8]) -> Result<()> {
        if self.entries.len() as u32 == self.count {
            return Err(Error::Invalid(
                "pack builder: more records than announced".into(),
            ));
        }
        let head = parse_record(record, 0, record.len(), VERSION)
            .map_err(|why| Error::Invalid(format!("pack builder: {why}")))?;
        if head.frame.end != record.len() {
            return Err(Error::Invalid(
                "pack builder: bytes after the record".into(),
            ));
        }
        self.entries
            .push((id, self.pos, record.len() as u64, head.size));
        self.put(record)
    }

    /// Write the trailer, make the pack durable, then write its index and
    /// make that visible (a pack is visible only once its index exists).
    pub fn finish(mut self) -> Result<PathBuf> {
        if self.entries.len() as u32 != self.count {
            return Err(Error::Invalid(
                "pack builder: fewer records than announced".into(),
            ));
        }
        let sum = self.hasher.finalize();
        let mut out = self.out.take().expect("pack builder open");
        out.write_all(sum.as_bytes()).at(&self.tmp)?;
        let f = out.into_inner().map_err(|e| Error::Io {
            path: self.tmp.clone(),
            err: e.into_error(),
        })?;
        f.sync_all().at(&self.tmp)?;
        drop(f);
        publish_pack(&self.dir, &self.tmp, sum.as_bytes(), &mut self.entries)
    }
}

/// One index entry: (id, record offset, record length, payload size).
pub type IndexEntry = (ObjectId, u64, u64, u64);

/// Make the finished, fsynced pack at `tmp` visible: rename it to
/// `pack-<sum>.pack`, fsync the directory, then write, fsync and rename its
/// version 2 index and fsync the directory again. Returns the index's path.
pub fn publish_pack(
    dir: &Path,
    tmp: &Path,
    sum: &[u8; 32],
    entries: &mut [IndexEntry],
) -> Result<PathBuf> {
    publish_pack_as(dir, "pack", tmp, sum, entries)
}

/// `publish_pack` with another name prefix: `<prefix>-<hex>.pack` / `.idx`.
pub fn publish_pack_as(
    dir: &Path,
    prefix: &str,
    tmp: &Path,
    sum: &[u8; 32],
    entries: &mut [IndexEntry],
) -> Result<PathBuf> {
    let name = format!("{prefix}-{}", ObjectId(*sum).to_hex());
    entries.sort_by_key(|e| e.0);
    if let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(Error::Invalid(format!("pack holds {} twice", w[0].0)));
    }
    let pack_path = dir.join(format!("{name}.pack"));
    fs::rename(tmp, &pack_path).at(&pack_path)?;
    // The .pack's name must be durable before an index can point at it.
    fsync_dir(dir)?;
    let n = entries.len();
    let mut idx = Vec::with_capacity(IDX_HEADER + FANOUT + n * idx_entry_bytes(VERSION) + 64);
    idx.extend_from_slice(IDX_MAGIC);
    idx.extend_from_slice(&VERSION.to_be_bytes());
    idx.extend_from_slice(&(n as u32).to_be_bytes());
    let mut fan = [0u32; 256];
    for (id, ..) in entries.iter() {
        fan[id.0[0] as usize] += 1;
    }
    let mut acc = 0;
    for f in fan {
        acc += f;
        idx.extend_from_slice(&acc.to_be_bytes());
    }
    for (id, ..) in entries.iter() {
        idx.extend_from_slice(id.as_bytes());
    }
    for column in [1, 2, 3] {
        for e in entries.iter() {
            let v = match column {
                1 => e.1,
                2 => e.2,
                _ => e.3,
            };
            idx.extend_from_slice(&v.to_be_bytes());
        }
    }
    idx.extend_from_slice(sum);
    let isum = blake3::hash(&idx);
    idx.extend_from_slice(isum.as_bytes());
    let idx_path = dir.join(format!("{name}.idx"));
    crate::fsutil::write_atomic(&idx_path, &idx)?;
    Ok(idx_path)
}

impl Drop for PackBuilder {
    fn drop(&mut self) {
        // Unfinished: leave nothing behind (a no-op once renamed).
        let _ = fs::remove_file(&self.tmp);
    }
}

/// A pack written front to back to any writer (a pipe, say): the stream
/// form of format-spec/packs.md. No index is made.
pub struct PackStream<W: Write> {
    out: W,
    hasher: blake3::Hasher,
    /// Records not yet hashed and written: hashing them a batch at a time
    /// lets BLAKE3 hash many chunks at once (record by record it hashed
    /// one block at a time, several times slower: a repack's writer
    /// spent most of its time there).
    pending: Vec<u8>,
    left: u32,
    bytes: u64,
}

/// How many bytes of records `PackStream` gathers before hashing and writing them.
const STREAM_BATCH: usize = 256 << 10;

impl<W: Write> PackStream<W> {
    /// Write the header of a pack of exactly `count` records.
    pub fn new(out: W, count: u32) -> std::io::Result<PackStream<W>> {
        Self::with_version(out, VERSION, count)
    }

    /// `new` for a stream of another version (3: the compact stream).
    pub fn with_version(mut out: W, version: u32, count: u32) -> std::io::Result<PackStream<W>> {
        let mut head = Vec::with_capacity(16);
        head.extend_from_slice(PACK_MAGIC);
        head.extend_from_slice(&version.to_be_bytes());
        head.extend_from_slice(&count.to_be_bytes());
        out.write_all(&head)?;
        let mut hasher = blake3::Hasher::new();
        hasher.update(&head);
        Ok(PackStream {
            out,
            hasher,
            pending: Vec::new(),
            left: count,
            bytes: 16,
        })
    }

    /// Offset the next record will have.
    pub fn offset(&self) -> u64 {
        self.bytes
    }

    /// Append one record.
    pub fn add(&mut self, record: &[u8]) -> std::io::Result<()> {
        if self.left == 0 {
            return Err(std::io::Error::other("more records than announced"));
        }
        self.left -= 1;
        self.bytes += record.len() as u64;
        if self.pending.len() + record.len() > STREAM_BATCH {
            self.drain()?;
        }
        if record.len() >= STREAM_BATCH {
            self.hasher.update(record);
            return self.out.write_all(record);
        }
        if self.pending.capacity() == 0 {
            self.pending.reserve_exact(STREAM_BATCH);
        }
        self.pending.extend_from_slice(record);
        Ok(())
    }

    /// Hash and write what is pending.
    fn drain(&mut self) -> std::io::Result<()> {
        self.hasher.update(&self.pending);
        self.out.write_all(&self.pending)?;
        self.pending.clear();
        Ok(())
    }

    /// Write the trailer; returns (checksum, total bytes, the writer).
    pub fn finish(mut self) -> std::io::Result<(ObjectId, u64, W)> {
        if self.left != 0 {
            return Err(std::io::Error::other("fewer records than announced"));
        }
        self.drain()?;
        let sum = self.hasher.finalize();
        self.out.write_all(sum.as_bytes())?;
        self.out.flush()?;
        Ok((ObjectId(*sum.as_bytes()), self.bytes + 32, self.out))
    }
}

/// Write `objects` (deduplicated here) as a new pack in `pack_dir`; returns
/// the path of its index. Records are compressed in parallel, a round of
/// about 32 MiB at a time, and streamed out, so at most one round of
/// compressed records is held in memory.
pub fn write_pack(pack_dir: &Path, objects: &[(ObjectId, ObjectType, &[u8])]) -> Result<PathBuf> {
    let mut objs: Vec<&(ObjectId, ObjectType, &[u8])> = objects.iter().collect();
    objs.sort_by_key(|o| o.0);
    objs.dedup_by(|a, b| a.0 == b.0);
    let mut b = PackBuilder::new(pack_dir, objs.len() as u32)?;
    let mut i = 0;
    while i < objs.len() {
        let mut j = i;
        let mut bytes = 0;
        while j < objs.len() && (j == i || bytes < ROUND_BYTES) {
            bytes += objs[j].2.len();
            j += 1;
        }
        let records: Vec<Vec<u8>> = objs[i..j]
            .par_iter()
            .map(|(_, kind, data)| encode_record(*kind, data))
            .collect::<Result<_>>()?;
        for (o, r) in objs[i..j].iter().zip(&records) {
            b.add(o.0, r)?;
        }
        i = j;
    }
    b.finish()
}

/// Copy the objects of `packs` (each once) into one new pack, records as
/// stored (deltas stay deltas), without recompressing. Returns the new index's path.
pub fn merge_packs(pack_dir: &Path, packs: &[std::sync::Arc<Pack>]) -> Result<PathBuf> {
    let mut seen = std::collections::HashSet::new();
    let mut order = Vec::new();
    // Pack by pack, each in record order, but a delta's base (in its own
    // pack) always before the delta, whichever copy of it is kept: packs
    // stored before bases had to come first may hold one after its delta.
    for (pi, p) in packs.iter().enumerate() {
        for i in p.positions_by_offset() {
            let mut chain = vec![i];
            while let Some(&j) = chain.last() {
                let next = match p.record(j)?.base {
                    Some(b) if !seen.contains(&b) && chain.len() <= MAX_DELTA_DEPTH => p.find(&b),
                    _ => None,
                };
                match next {
                    Some(k) if !chain.contains(&k) => chain.push(k),
                    _ => break,
                }
            }
            for &j in chain.iter().rev() {
                if seen.insert(p.id_at(j)) {
                    order.push((p.id_at(j), pi, j));
                }
            }
        }
    }
    let mut b = PackBuilder::new(pack_dir, order.len() as u32)?;
    for (id, pi, i) in order {
        b.add(id, packs[pi].raw_record(i)?)?;
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(i: usize) -> Vec<u8> {
        format!("version {i} of a file that changes a little each time\n")
            .repeat(20)
            .into_bytes()
    }

    /// A stream gathering records into batches writes the bytes it was
    /// given, in order, and their BLAKE3 as the trailer, whatever the
    /// records' sizes against the batch.
    #[test]
    fn pack_stream_writes_every_byte_and_hashes_them() {
        let sizes = [
            1,
            STREAM_BATCH - 17,
            40,
            STREAM_BATCH,
            3,
            STREAM_BATCH + 5,
            9,
            0,
            2,
        ];
        let records: Vec<Vec<u8>> = sizes
            .iter()
            .enumerate()
            .map(|(i, n)| (0..*n).map(|j| (i * 31 + j * 7 + j / 251) as u8).collect())
            .collect();
        let mut s = PackStream::new(Vec::new(), records.len() as u32).unwrap();
        let mut offsets = Vec::new();
        for r in &records {
            offsets.push(s.offset());
            s.add(r).unwrap();
        }
        let (sum, total, out) = s.finish().unwrap();
        let body: Vec<u8> = records.concat();
        assert_eq!(out.len() as u64, total);
        assert_eq!(&out[16..out.len() - 32], &body[..]);
        assert_eq!(sum.0, *blake3::hash(&out[..out.len() - 32]).as_bytes());
        assert_eq!(&out[out.len() - 32..], &sum.0);
        let mut at = 16;
        for (o, r) in offsets.iter().zip(&records) {
            assert_eq!(*o, at);
            at += r.len() as u64;
        }
    }

    #[test]
    fn delta_chains_resolve_up_to_the_limit_and_no_further() {
        let dir = tempfile::tempdir().unwrap();
        let n = MAX_DELTA_DEPTH + 2;
        let ids: Vec<ObjectId> = (0..n)
            .map(|i| hash_object(ObjectType::Blob, &blob(i)))
            .collect();
        let mut b = PackBuilder::new(dir.path(), n as u32).unwrap();
        b.add(ids[0], &encode_record(ObjectType::Blob, &blob(0)).unwrap())
            .unwrap();
        for i in 1..n {
            let rec = encode_delta(ObjectType::Blob, &blob(i), &ids[i - 1], &blob(i - 1)).unwrap();
            b.add(ids[i], &rec).unwrap();
        }
        let p = Pack::open(&b.finish().unwrap()).unwrap();
        p.verify_checksums().unwrap();
        let at = |i: usize| p.find(&ids[i]).unwrap();
        assert_eq!(
            p.read(at(MAX_DELTA_DEPTH)).unwrap().data,
            blob(MAX_DELTA_DEPTH)
        );
        assert_eq!(p.depth(at(MAX_DELTA_DEPTH)).unwrap(), MAX_DELTA_DEPTH);
        let too_deep = p.read(at(MAX_DELTA_DEPTH + 1)).unwrap_err().to_string();
        assert!(too_deep.contains("deeper than 16"), "{too_deep}");
    }

    #[test]
    fn missing_bases_and_cycles_are_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let (x, y, z) = (
            hash_object(ObjectType::Blob, &blob(1)),
            hash_object(ObjectType::Blob, &blob(2)),
            hash_object(ObjectType::Blob, &blob(3)),
        );
        let mut b = PackBuilder::new(dir.path(), 2).unwrap();
        // x against y and y against x: a cycle; z is not in the pack.
        b.add(
            x,
            &encode_delta(ObjectType::Blob, &blob(1), &y, &blob(2)).unwrap(),
        )
        .unwrap();
        b.add(
            y,
            &encode_delta(ObjectType::Blob, &blob(2), &z, &blob(3)).unwrap(),
        )
        .unwrap();
        let p = Pack::open(&b.finish().unwrap()).unwrap();
        let e = p.read(p.find(&y).unwrap()).unwrap_err().to_string();
        assert!(e.contains("is not in the pack"), "{e}");
        let dir2 = tempfile::tempdir().unwrap();
        let mut b = PackBuilder::new(dir2.path(), 2).unwrap();
        b.add(
            x,
            &encode_delta(ObjectType::Blob, &blob(1), &y, &blob(2)).unwrap(),
        )
        .unwrap();
        b.add(
            y,
            &encode_delta(ObjectType::Blob, &blob(2), &x, &blob(1)).unwrap(),
        )
        .unwrap();
        let p = Pack::open(&b.finish().unwrap()).unwrap();
        let e = p.read(p.find(&x).unwrap()).unwrap_err().to_string();
        assert!(e.contains("deeper than 16 (or a cycle)"), "{e}");
    }

    #[test]
    fn a_base_after_its_delta_is_reported_and_a_merge_puts_it_first() {
        let dir = tempfile::tempdir().unwrap();
        let (x, y, z) = (
            hash_object(ObjectType::Blob, &blob(1)),
            hash_object(ObjectType::Blob, &blob(2)),
            hash_object(ObjectType::Blob, &blob(3)),
        );
        // As index-pack --fix-thin once stored them: deltas, then their base.
        let mut b = PackBuilder::new(dir.path(), 3).unwrap();
        b.add(
            y,
            &encode_delta(ObjectType::Blob, &blob(2), &z, &blob(3)).unwrap(),
        )
        .unwrap();
        b.add(
            x,
            &encode_delta(ObjectType::Blob, &blob(1), &y, &blob(2)).unwrap(),
        )
        .unwrap();
        b.add(z, &encode_record(ObjectType::Blob, &blob(3)).unwrap())
            .unwrap();
        let p = std::sync::Arc::new(Pack::open(&b.finish().unwrap()).unwrap());
        let e = p.verify_checksums().unwrap_err().to_string();
        assert!(
            e.contains(&format!("delta {y} comes before its base {z}")),
            "{e}"
        );
        let merged = Pack::open(&merge_packs(dir.path(), &[p]).unwrap()).unwrap();
        merged.verify_checksums().unwrap();
        let order: Vec<ObjectId> = merged
            .positions_by_offset()
            .into_iter()
            .map(|i| merged.id_at(i))
            .collect();
        assert_eq!(order, [z, y, x]);
        assert_eq!(merged.read(merged.find(&x).unwrap()).unwrap().data, blob(1));
    }
}
