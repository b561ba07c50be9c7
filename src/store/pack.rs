//! Packs: many objects in one file plus a sorted index read through mmap
//! (format-spec/packs.md).

use std::fs::{self, File, OpenOptions};
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
const VERSION: u32 = 1;
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

fn type_from_code(c: u8) -> Option<ObjectType> {
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
        if idx.len() < IDX_HEADER + FANOUT + 64 || &idx[..8] != IDX_MAGIC {
            return Err(corrupt(idx_path, "bad index header"));
        }
        if u32::from_be_bytes(idx[8..12].try_into().unwrap()) != VERSION {
            return Err(corrupt(idx_path, "unknown index version"));
        }
        let count = u32::from_be_bytes(idx[12..16].try_into().unwrap()) as usize;
        if idx.len() != IDX_HEADER + FANOUT + count * 40 + 64 {
            return Err(corrupt(idx_path, "index size does not match its count"));
        }
        if data.len() < 16 + 32 || &data[..8] != PACK_MAGIC {
            return Err(corrupt(&pack_path, "bad pack header"));
        }
        let p = Pack {
            pack_path,
            idx_path: idx_path.to_path_buf(),
            idx,
            data,
            count,
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

    fn offset_at(&self, i: usize) -> u64 {
        let o = IDX_HEADER + FANOUT + self.count * 32 + i * 8;
        u64::from_be_bytes(self.idx[o..o + 8].try_into().unwrap())
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
            match self.id_at(mid).cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// (type, size, data range) of the record at index position `i`.
    fn record(&self, i: usize) -> Result<(ObjectType, u64, std::ops::Range<usize>)> {
        let off = self.offset_at(i) as usize;
        let bad = || corrupt(&self.pack_path, &format!("bad record at offset {off}"));
        if off < 16 || off >= self.data.len().saturating_sub(32) {
            return Err(bad());
        }
        let kind = type_from_code(self.data[off]).ok_or_else(bad)?;
        let mut pos = off + 1;
        let size = get_varint(&self.data, &mut pos).map_err(|_| bad())?;
        let stored = get_varint(&self.data, &mut pos).map_err(|_| bad())? as usize;
        let end = pos.checked_add(stored).ok_or_else(bad)?;
        if end > self.data.len() - 32 {
            return Err(bad());
        }
        Ok((kind, size, pos..end))
    }

    /// The record at index position `i` as stored (type, sizes, zstd frame),
    /// for copying into another pack without recompressing.
    pub fn raw_record(&self, i: usize) -> Result<&[u8]> {
        let off = self.offset_at(i) as usize;
        let (_, _, range) = self.record(i)?;
        Ok(&self.data[off..range.end])
    }

    pub fn read_header(&self, i: usize) -> Result<(ObjectType, u64)> {
        let (k, s, _) = self.record(i)?;
        Ok((k, s))
    }

    /// Read and verify the object at index position `i`.
    pub fn read(&self, i: usize) -> Result<Object> {
        let id = self.id_at(i);
        let (kind, size, range) = self.record(i)?;
        let c = |why: String| Error::Corrupt {
            id,
            path: self.pack_path.clone(),
            why,
        };
        let mut data = Vec::with_capacity(size.min(1 << 30) as usize);
        zstd::stream::Decoder::new(&self.data[range])
            .and_then(|d| d.take(size + 1).read_to_end(&mut data))
            .map_err(|e| c(format!("cannot decompress: {e}")))?;
        if data.len() as u64 != size {
            return Err(c(format!("record says {size} bytes, found {}", data.len())));
        }
        let actual = hash_object(kind, &data);
        if actual != id {
            return Err(c(format!("hash mismatch (content hashes to {actual})")));
        }
        Ok(Object { kind, data })
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
        Ok(())
    }
}

/// Payload bytes compressed per parallel round while a pack streams out.
const ROUND_BYTES: usize = 32 << 20;

/// One compressed record (type, size, stored size, zstd frame).
fn encode_record(kind: ObjectType, data: &[u8]) -> Result<Vec<u8>> {
    let z = zstd::bulk::compress(data, 3).map_err(|e| Error::Invalid(format!("zstd: {e}")))?;
    let mut r = Vec::with_capacity(z.len() + 12);
    r.push(type_code(kind));
    put_varint(&mut r, data.len() as u64);
    put_varint(&mut r, z.len() as u64);
    r.extend_from_slice(&z);
    Ok(r)
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
    entries: Vec<(ObjectId, u64)>,
}

impl PackBuilder {
    /// Start a pack of exactly `count` records in `pack_dir`.
    pub fn new(pack_dir: &Path, count: u32) -> Result<PackBuilder> {
        fs::create_dir_all(pack_dir).at(pack_dir)?;
        let nonce = format!(
            "{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        );
        let tmp = pack_dir.join(format!("tmp_pack_{nonce}"));
        let f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .at(&tmp)?;
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

    /// Append one record (as `encode_record` or `Pack::raw_record` gives it).
    pub fn add(&mut self, id: ObjectId, record: &[u8]) -> Result<()> {
        if self.entries.len() as u32 == self.count {
            return Err(Error::Invalid(
                "pack builder: more records than announced".into(),
            ));
        }
        self.entries.push((id, self.pos));
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
        let name = format!("pack-{}", sum.to_hex());
        let pack_path = self.dir.join(format!("{name}.pack"));
        fs::rename(&self.tmp, &pack_path).at(&pack_path)?;
        // The .pack's name must be durable before an index can point at it.
        fsync_dir(&self.dir)?;
        self.entries.sort_by_key(|e| e.0);
        if self.entries.windows(2).any(|w| w[0].0 == w[1].0) {
            let _ = fs::remove_file(&pack_path);
            return Err(Error::Invalid("pack builder: duplicate object".into()));
        }
        let n = self.entries.len();
        let mut idx = Vec::with_capacity(IDX_HEADER + FANOUT + n * 40 + 64);
        idx.extend_from_slice(IDX_MAGIC);
        idx.extend_from_slice(&VERSION.to_be_bytes());
        idx.extend_from_slice(&(n as u32).to_be_bytes());
        let mut fan = [0u32; 256];
        for (id, _) in &self.entries {
            fan[id.0[0] as usize] += 1;
        }
        let mut acc = 0;
        for f in fan {
            acc += f;
            idx.extend_from_slice(&acc.to_be_bytes());
        }
        for (id, _) in &self.entries {
            idx.extend_from_slice(id.as_bytes());
        }
        for (_, off) in &self.entries {
            idx.extend_from_slice(&off.to_be_bytes());
        }
        idx.extend_from_slice(sum.as_bytes());
        let isum = blake3::hash(&idx);
        idx.extend_from_slice(isum.as_bytes());
        let idx_path = self.dir.join(format!("{name}.idx"));
        let tmp_idx = self.dir.join(format!(
            "tmp_idx_{}",
            self.tmp.file_name().unwrap().to_string_lossy()
        ));
        {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp_idx)
                .at(&tmp_idx)?;
            f.write_all(&idx).at(&tmp_idx)?;
            f.sync_all().at(&tmp_idx)?;
        }
        fs::rename(&tmp_idx, &idx_path).at(&idx_path)?;
        fsync_dir(&self.dir)?;
        Ok(idx_path)
    }
}

impl Drop for PackBuilder {
    fn drop(&mut self) {
        // Unfinished: leave nothing behind (a no-op once renamed).
        let _ = fs::remove_file(&self.tmp);
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
/// stored, without recompressing. Returns the new index's path.
pub fn merge_packs(pack_dir: &Path, packs: &[std::sync::Arc<Pack>]) -> Result<PathBuf> {
    let mut seen = std::collections::HashSet::new();
    let mut order = Vec::new();
    for (pi, p) in packs.iter().enumerate() {
        for i in 0..p.len() {
            if seen.insert(p.id_at(i)) {
                order.push((p.id_at(i), pi, i));
            }
        }
    }
    order.sort_by_key(|o| o.0);
    let mut b = PackBuilder::new(pack_dir, order.len() as u32)?;
    for (id, pi, i) in order {
        b.add(id, packs[pi].raw_record(i)?)?;
    }
    b.finish()
}
