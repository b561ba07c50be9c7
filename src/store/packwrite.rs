//! Writing packs (format-spec/packs.md): records encoded (full or delta),
//! a pack and its index built in a temporary file and published under
//! their checksum, streamed packs for the wire, and the merging of small
//! packs.
#![warn(missing_docs)]

use crate::store::PackError;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::codec::put_varint;
use crate::error::{Error, IoContext, Result};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::sys::fsync_dir;

use super::pack::*;

/// Payload bytes compressed per parallel round while a pack streams out.
const ROUND_BYTES: usize = 32 << 20;

/// A delta record: `data` compressed with `base_data` (the payload of
/// `base`) as zstd's reference prefix (format-spec/packs.md).
pub(crate) fn encode_delta(
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
    let zerr = PackError::Zstd;
    let mut enc = zstd::stream::Encoder::with_ref_prefix(Vec::new(), 3, base_data).map_err(zerr)?;
    enc.write_all(data).map_err(zerr)?;
    Ok(enc.finish().map_err(zerr)?)
}

/// One full record (type, size, stored size, zstd frame).
pub(crate) fn encode_record(kind: ObjectType, data: &[u8]) -> Result<Vec<u8>> {
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
        .map_err(PackError::Zstd)?;
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
            return Err(PackError::Builder("more records than announced".into()).into());
        }
        let head = parse_record(record, 0, record.len(), VERSION)
            .map_err(|e| PackError::Builder(e.to_string()))?;
        if head.frame.end != record.len() {
            return Err(PackError::Builder("bytes after the record".into()).into());
        }
        self.entries
            .push((id, self.pos, record.len() as u64, head.size));
        self.put(record)
    }

    /// Write the trailer, make the pack durable, then write its index and
    /// make that visible (a pack is visible only once its index exists).
    pub fn finish(mut self) -> Result<PathBuf> {
        if self.entries.len() as u32 != self.count {
            return Err(PackError::Builder("fewer records than announced".into()).into());
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
pub(crate) fn publish_pack(
    dir: &Path,
    tmp: &Path,
    sum: &[u8; 32],
    entries: &mut [IndexEntry],
) -> Result<PathBuf> {
    publish_pack_as(dir, "pack", tmp, sum, entries)
}

/// `publish_pack` with another name prefix: `<prefix>-<hex>.pack` / `.idx`.
pub(crate) fn publish_pack_as(
    dir: &Path,
    prefix: &str,
    tmp: &Path,
    sum: &[u8; 32],
    entries: &mut [IndexEntry],
) -> Result<PathBuf> {
    let name = format!("{prefix}-{}", ObjectId(*sum).to_hex());
    entries.sort_by_key(|e| e.0);
    if let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(PackError::Duplicate(w[0].0).into());
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
pub(crate) fn merge_packs(pack_dir: &Path, packs: &[std::sync::Arc<Pack>]) -> Result<PathBuf> {
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
    use crate::object::hash_object;

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
