//! index-pack: a pack read front to back (from a file or a pipe) becomes a
//! stored, indexed, never-thin pack — or nothing at all (format-spec/packs.md,
//! "index-pack").
#![warn(missing_docs)]

use crate::store::PackError;
use std::collections::HashMap;
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use super::{ObjectVisitor, Seen};
use crate::error::{Error, IoContext, Result};
use crate::object::{hash_object, ObjectType, MAX_OBJECT_SIZE};
use crate::oid::ObjectId;
use crate::store::pack::{decode_frame, parse_record, DELTA_BIT, MAX_DELTA_DEPTH, MAX_FRAME};
use crate::store::packwrite::{encode_record, publish_pack_as, IndexEntry};
use crate::store::{ObjectStore, Odb};

/// What `index_pack` stored.
#[derive(Debug)]
pub struct Indexed {
    /// The stored pack's index.
    pub idx_path: PathBuf,
    /// The pack's checksum (its name).
    pub checksum: ObjectId,
    /// Objects in the stored pack.
    pub objects: usize,
    /// External bases `fix_thin` put in front of the received records.
    pub thin_bases: usize,
}

/// Payloads kept for resolving later deltas, bounded in bytes.
struct PayloadCache {
    map: HashMap<ObjectId, std::sync::Arc<Vec<u8>>>,
    bytes: usize,
}

const CACHE_BYTES: usize = 256 << 20;

impl PayloadCache {
    fn put(&mut self, id: ObjectId, data: std::sync::Arc<Vec<u8>>) {
        if self.bytes + data.len() > CACHE_BYTES {
            self.map.clear();
            self.bytes = 0;
        }
        self.bytes += data.len();
        self.map.insert(id, data);
    }
}

/// A temporary pack file removed on drop unless published.
struct TmpPack {
    path: PathBuf,
    keep: bool,
}

impl Drop for TmpPack {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
        }
        crate::fsutil::keep_on_signal(&self.path);
    }
}

/// Register as a writer and copy `input` into a new temporary file in `dir`
/// (removed on drop unless kept).
fn spool(
    odb: &Odb,
    dir: &std::path::Path,
    prefix: &str,
    input: &mut dyn Read,
) -> Result<(TmpPack, std::fs::File)> {
    let max_bytes = odb.max_pack_bytes()?;
    let (tmp, mut file) = new_tmp_pack(odb, dir, prefix)?;
    copy_pack(input, &mut std::io::BufWriter::new(&mut file), max_bytes)?;
    Ok((tmp, file))
}

/// A new, empty temporary pack file in DIR (removed on drop and on a signal).
fn new_tmp_pack(
    odb: &Odb,
    dir: &std::path::Path,
    prefix: &str,
) -> Result<(TmpPack, std::fs::File)> {
    odb.writing()?;
    fs::create_dir_all(dir).at(dir)?;
    let (file, path) = crate::fsutil::create_tmp(dir, prefix, 0o666)?;
    crate::fsutil::remove_on_signal(&path);
    Ok((TmpPack { path, keep: false }, file))
}

/// Copy one pack from `input` to `out`: its header, the records it declares
/// and its trailer, and nothing more (packs.md, "index-pack"). A stream that
/// goes on past the trailer is refused without being read further, and a
/// record declaring more than an object may hold is refused before its bytes
/// are copied, so a hostile sender cannot make the spool grow without end;
/// nor past `max_bytes` (`transfer.maxPackSize`) in all.
pub(crate) fn copy_pack(input: &mut dyn Read, out: &mut dyn Write, max_bytes: u64) -> Result<u64> {
    let bad = |why: String| Error::from(PackError::Bad(why));
    let mut r = std::io::BufReader::with_capacity(64 << 10, input);
    let mut copied = 0u64;
    let exact = |r: &mut dyn Read, buf: &mut [u8], what: &str, at: u64| -> Result<()> {
        r.read_exact(buf).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                bad(format!("truncated in the {what} at byte {at}"))
            }
            _ => PackError::Read(e).into(),
        })
    };
    let mut head = [0u8; 16];
    exact(&mut r, &mut head, "header", 0)?;
    if &head[..8] != b"HAKOPACK" {
        return Err(bad("not a hako pack (bad magic)".into()));
    }
    let count = u32::from_be_bytes(head[12..16].try_into().expect("4 bytes"));
    let compact = head[8..12] == super::compact::VERSION.to_be_bytes();
    out.write_all(&head).at("pack spool")?;
    copied += 16;
    for _ in 0..count {
        let at = copied;
        let mut rec: Vec<u8> = Vec::with_capacity(64);
        let mut byte = [0u8; 1];
        let mut varint = |r: &mut dyn Read, rec: &mut Vec<u8>| -> Result<u64> {
            let mut v = 0u64;
            for shift in (0..70).step_by(7) {
                exact(r, &mut byte, "record header", at)?;
                rec.push(byte[0]);
                v |= u64::from(byte[0] & 0x7f).checked_shl(shift).unwrap_or(0);
                if byte[0] & 0x80 == 0 {
                    return Ok(v);
                }
            }
            Err(bad(format!("bad record at offset {at}: varint overflow")))
        };
        let mut code = [0u8; 1];
        exact(&mut r, &mut code, "record header", at)?;
        rec.push(code[0]);
        let too_big = |size: u64| {
            bad(format!(
                "bad record at offset {at}: record declares {size} bytes, over the 64 MiB limit of one object"
            ))
        };
        let stored = if compact {
            // packs.md, "The compact stream": head, base, size, length.
            let form = code[0] >> 3 & 3;
            if form == 1 {
                let mut base = [0u8; 32];
                exact(&mut r, &mut base, "record header", at)?;
                rec.extend_from_slice(&base);
            }
            for _ in 0..form.saturating_sub(1) {
                varint(&mut r, &mut rec)?;
            }
            let size = varint(&mut r, &mut rec)?;
            if size > MAX_OBJECT_SIZE {
                return Err(too_big(size));
            }
            if code[0] >> 5 & 3 == 0 {
                size
            } else {
                varint(&mut r, &mut rec)?
            }
        } else {
            let size = varint(&mut r, &mut rec)?;
            if size > MAX_OBJECT_SIZE {
                return Err(too_big(size));
            }
            if code[0] & DELTA_BIT != 0 {
                let mut base = [0u8; 32];
                exact(&mut r, &mut base, "record header", at)?;
                rec.extend_from_slice(&base);
            }
            varint(&mut r, &mut rec)?
        };
        if stored > MAX_FRAME {
            return Err(bad(format!(
                "bad record at offset {at}: a frame of {stored} bytes, over the limit of one object"
            )));
        }
        if copied + rec.len() as u64 + stored + 32 > max_bytes {
            return Err(PackError::TooLarge { max: max_bytes, at }.into());
        }
        out.write_all(&rec).at("pack spool")?;
        let n = std::io::copy(&mut (&mut r).take(stored), out).map_err(PackError::Read)?;
        if n != stored {
            return Err(bad(format!("truncated in the record at offset {at}")));
        }
        copied += rec.len() as u64 + stored;
    }
    let mut trailer = [0u8; 32];
    exact(&mut r, &mut trailer, "trailer", copied)?;
    out.write_all(&trailer).at("pack spool")?;
    copied += 32;
    out.flush().at("pack spool")?;
    // Anything after the trailer is not part of the pack.
    let mut more = [0u8; 1];
    if !r.buffer().is_empty() || r.read(&mut more).map_err(PackError::Read)? != 0 {
        return Err(bad(format!("data after the trailer (at byte {copied})")));
    }
    Ok(copied)
}

/// Read a pack from `input`, verify it entirely and store it in `odb`'s pack
/// directory. With `fix_thin`, deltas against objects the store has are
/// completed by putting those bases in front; without it a thin pack is refused.
/// On any error nothing becomes visible.
pub fn index_pack(odb: &Odb, input: &mut dyn Read, fix_thin: bool) -> Result<Indexed> {
    let indexed = index_pack_as(odb, input, fix_thin, "pack")?;
    odb.rescan();
    Ok(indexed)
}

/// `index_pack`, publishing the pack as `<prefix>-<sum>.pack`/`.idx` in the
/// pack directory. Readers only load `pack-*` indexes, so any other prefix
/// (`incoming`: a quarantine) stores the pack without making it visible.
pub(crate) fn index_pack_as(
    odb: &Odb,
    input: &mut dyn Read,
    fix_thin: bool,
    prefix: &str,
) -> Result<Indexed> {
    let dir = odb.pack_dir();
    let (tmp, mut file) = spool(odb, &dir, "tmp_pack_", input)?;
    let map = crate::sys::map_file(&file).at(&tmp.path)?;
    let n = map.len();
    if map.get(8..12) == Some(&super::compact::VERSION.to_be_bytes()[..]) {
        // A compact stream is always rewritten as version 2.
        let (body, mut body_file) = new_tmp_pack(odb, &dir, "tmp_pack_")?;
        let mut w = std::io::BufWriter::new(&mut body_file);
        let dec =
            super::compact::decode_compact(&map, odb, fix_thin, &mut w, &mut |_, _, _| Ok(()))?;
        w.flush().at(&body.path)?;
        drop(w);
        check_order(&dec.seen, &dec.external_used)?;
        drop(map);
        drop((tmp, file));
        let len = dec.seen.iter().map(|s| s.len).sum();
        let (tmp, checksum, seen) = assemble(
            odb,
            &dir,
            &dec.external_stored,
            &body_file,
            0,
            len,
            dec.seen,
        )?;
        drop(body);
        return publish(
            &dir,
            prefix,
            tmp,
            checksum,
            &seen,
            dec.external_stored.len(),
        );
    }
    let (version, mut seen, external) = decode_pack(&map, odb, fix_thin, &mut |_, _, _| Ok(()))?;
    check_order(&seen, &external)?;
    drop(map);
    if external.is_empty() && version == 2 {
        let mut t = [0u8; 32];
        file.seek(SeekFrom::Start(n as u64 - 32)).at(&tmp.path)?;
        file.read_exact(&mut t).at(&tmp.path)?;
        file.sync_all().at(&tmp.path)?;
        drop(file);
        return publish(&dir, prefix, tmp, ObjectId(t), &seen, 0);
    }
    // Complete a thin pack or lift a version 1 pack to version 2 (its full
    // records are the same bytes).
    for s in &mut seen {
        s.offset -= 16;
    }
    let (fixed, checksum, seen) = assemble(odb, &dir, &external, &file, 16, n as u64 - 48, seen)?;
    drop((tmp, file));
    publish(&dir, prefix, fixed, checksum, &seen, external.len())
}

/// packs.md, Order: a base the pack holds must come before its deltas.
fn check_order(seen: &[Seen], external: &[ObjectId]) -> Result<()> {
    let by_id: std::collections::HashSet<ObjectId> = seen.iter().map(|s| s.id).collect();
    match external.iter().find(|b| by_id.contains(b)) {
        Some(b) => {
            Err(PackError::Bad(format!("delta base {b} comes after a delta against it")).into())
        }
        None => Ok(()),
    }
}

/// A new version 2 pack file: the external bases as full records *first*
/// (so every base precedes its deltas), then `len` bytes of records from
/// `src` at `start`, whose `seen` offsets are relative to `start`; returns
/// the file, its checksum, and every record's place in it.
fn assemble(
    odb: &Odb,
    dir: &std::path::Path,
    external: &[ObjectId],
    src: &std::fs::File,
    start: u64,
    len: u64,
    mut seen: Vec<Seen>,
) -> Result<(TmpPack, ObjectId, Vec<Seen>)> {
    let (fixed, mut out) = new_tmp_pack(odb, dir, "tmp_pack_")?;
    let mut head = Vec::with_capacity(16);
    head.extend_from_slice(b"HAKOPACK");
    head.extend_from_slice(&2u32.to_be_bytes());
    head.extend_from_slice(&((seen.len() + external.len()) as u32).to_be_bytes());
    let mut h = blake3::Hasher::new();
    let mut put = |out: &mut std::fs::File, bytes: &[u8]| -> Result<()> {
        h.update(bytes);
        out.write_all(bytes).at(&fixed.path)
    };
    put(&mut out, &head)?;
    let mut at = 16u64;
    let mut bases = Vec::with_capacity(external.len());
    for base in external {
        let o = odb.read(base)?;
        let rec = encode_record(o.kind, &o.data)?;
        put(&mut out, &rec)?;
        bases.push(Seen {
            id: *base,
            offset: at,
            len: rec.len() as u64,
            size: o.data.len() as u64,
            depth: 0,
        });
        at += rec.len() as u64;
    }
    let mut body = std::io::BufReader::new(src);
    body.seek(SeekFrom::Start(start)).at(&fixed.path)?;
    let mut body = body.take(len);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let k = body.read(&mut buf).at(&fixed.path)?;
        if k == 0 {
            break;
        }
        put(&mut out, &buf[..k])?;
    }
    let sum = h.finalize();
    out.write_all(sum.as_bytes()).at(&fixed.path)?;
    out.sync_all().at(&fixed.path)?;
    for s in &mut seen {
        s.offset += at;
    }
    bases.append(&mut seen);
    Ok((fixed, ObjectId(*sum.as_bytes()), bases))
}

/// Publish the finished pack file `tmp` as `<prefix>-<checksum>`.
fn publish(
    dir: &std::path::Path,
    prefix: &str,
    mut tmp: TmpPack,
    checksum: ObjectId,
    seen: &[Seen],
    thin_bases: usize,
) -> Result<Indexed> {
    let mut entries: Vec<IndexEntry> = seen
        .iter()
        .map(|s| (s.id, s.offset, s.len, s.size))
        .collect();
    let objects = entries.len();
    let idx_path = publish_pack_as(dir, prefix, &tmp.path, &checksum.0, &mut entries)?;
    tmp.keep = true;
    Ok(Indexed {
        idx_path,
        checksum,
        objects,
        thin_bases,
    })
}

/// Decode every record of the pack in `map` front to back, checking the
/// header, the trailer, every id, the depth limit and that nothing follows
/// the last record; `each` sees every object. Deltas against objects not in
/// the pack are resolved from `odb` with `fix_thin` (their ids returned).
pub(crate) fn decode_pack(
    map: &[u8],
    odb: &Odb,
    fix_thin: bool,
    each: &mut ObjectVisitor,
) -> Result<(u32, Vec<Seen>, Vec<ObjectId>)> {
    let bad = |why: String| Error::from(PackError::Bad(why));
    let n = map.len();
    if n < 48 {
        return Err(bad(format!("truncated ({n} bytes)")));
    }
    if &map[..8] != b"HAKOPACK" {
        return Err(bad("not a hako pack (bad magic)".into()));
    }
    let version = u32::from_be_bytes(map[8..12].try_into().unwrap());
    if !(1..=2).contains(&version) {
        return Err(bad(format!("unknown version {version}")));
    }
    let count = u32::from_be_bytes(map[12..16].try_into().unwrap()) as usize;
    if blake3::hash(&map[..n - 32]).as_bytes() != &map[n - 32..] {
        return Err(bad("checksum mismatch (truncated or corrupt)".into()));
    }
    let mut seen: Vec<Seen> = Vec::with_capacity(count.min(1 << 20));
    let mut by_id: HashMap<ObjectId, usize> = HashMap::new();
    let mut cache = PayloadCache {
        map: HashMap::new(),
        bytes: 0,
    };
    let mut external: Vec<ObjectId> = Vec::new();
    let mut pos = 16usize;
    for _ in 0..count {
        let head = parse_record(map, pos, n - 32, version).map_err(|e| bad(e.to_string()))?;
        let (base_data, depth) = match head.base {
            None => (None, 0),
            Some(base) => match by_id.get(&base) {
                Some(&bi) => {
                    let depth = seen[bi].depth + 1;
                    if depth > MAX_DELTA_DEPTH {
                        return Err(bad(format!(
                            "delta chain deeper than {MAX_DELTA_DEPTH} at offset {pos}"
                        )));
                    }
                    let data = match cache.map.get(&base) {
                        Some(d) => d.clone(),
                        None => std::sync::Arc::new(reread(map, version, &seen, &by_id, bi)?),
                    };
                    (Some(data), depth)
                }
                None if fix_thin => {
                    let o = odb.read(&base).map_err(|e| match e {
                        Error::NotFound(_) => bad(format!(
                            "delta base {base} (offset {pos}) is neither in the pack nor stored here"
                        )),
                        e => e,
                    })?;
                    if !external.contains(&base) {
                        external.push(base);
                    }
                    (Some(std::sync::Arc::new(o.data)), 1)
                }
                None => {
                    return Err(bad(format!(
                        "delta base {base} (offset {pos}) is not in the pack (a thin pack needs --fix-thin)"
                    )))
                }
            },
        };
        let data = decode_frame(
            &map[head.frame.clone()],
            head.size,
            base_data.as_deref().map(|v| v.as_slice()),
        )
        .map_err(|why| bad(format!("record at offset {pos}: {why}")))?;
        let id = hash_object(head.kind, &data);
        if by_id.insert(id, seen.len()).is_some() {
            return Err(bad(format!("object {id} appears twice")));
        }
        seen.push(Seen {
            id,
            offset: pos as u64,
            len: (head.frame.end - pos) as u64,
            size: head.size,
            depth,
        });
        each(seen.last().expect("pushed"), head.kind, &data)?;
        if head.kind != crate::ObjectType::Blob || data.len() <= 1 << 20 {
            cache.put(id, std::sync::Arc::new(data));
        }
        pos = head.frame.end;
    }
    if pos != n - 32 {
        return Err(bad(format!(
            "{} bytes after the last of {count} records",
            n - 32 - pos
        )));
    }
    if pos != n - 32 {
        return Err(bad(format!(
            "{} bytes after the last of {count} records",
            n - 32 - pos
        )));
    }
    Ok((version, seen, external))
}

/// Decode the record at position `i` of `seen` again (its payload left the
/// cache), resolving its own base the same way.
fn reread(
    map: &[u8],
    version: u32,
    seen: &[Seen],
    by_id: &HashMap<ObjectId, usize>,
    i: usize,
) -> Result<Vec<u8>> {
    let s = &seen[i];
    let head = parse_record(map, s.offset as usize, map.len() - 32, version)
        .map_err(|e| PackError::Bad(e.to_string()))?;
    let base = match head.base {
        None => None,
        Some(b) => {
            let bi = *by_id
                .get(&b)
                .ok_or_else(|| PackError::Bad(format!("delta base {b} missing")))?;
            Some(reread(map, version, seen, by_id, bi)?)
        }
    };
    decode_frame(&map[head.frame.clone()], head.size, base.as_deref())
        .map_err(|why| PackError::Bad(why.to_string()).into())
}

/// Read a pack from `input` and store its objects as loose objects (deltas
/// against stored objects allowed). The whole pack is checked (trailer,
/// every id) before any object is written; returns how many were written.
pub fn unpack_objects(odb: &Odb, input: &mut dyn Read) -> Result<usize> {
    let dir = odb.loose.dir().to_path_buf();
    let (tmp, file) = spool(odb, &dir, "tmp_unpack_", input)?;
    let map = crate::sys::map_file(&file).at(&tmp.path)?;
    let compact = map.get(8..12) == Some(&super::compact::VERSION.to_be_bytes()[..]);
    let decode = |each: &mut ObjectVisitor| -> Result<()> {
        if compact {
            super::compact::decode_compact(&map, odb, true, &mut std::io::sink(), each)?;
        } else {
            decode_pack(&map, odb, true, each)?;
        }
        Ok(())
    };
    // First pass: verify everything; second: write.
    decode(&mut |_, _, _| Ok(()))?;
    let mut batch: Vec<(ObjectType, Vec<u8>)> = Vec::new();
    let mut pending = 0usize;
    let mut written = 0usize;
    let flush = |batch: &mut Vec<(ObjectType, Vec<u8>)>| -> Result<()> {
        let refs: Vec<(ObjectType, &[u8])> =
            batch.iter().map(|(k, d)| (*k, d.as_slice())).collect();
        odb.loose.write_batch(&refs)?;
        batch.clear();
        Ok(())
    };
    decode(&mut |_, kind, data| {
        batch.push((kind, data.to_vec()));
        pending += data.len();
        written += 1;
        if pending > 64 << 20 {
            flush(&mut batch)?;
            pending = 0;
        }
        Ok(())
    })?;
    flush(&mut batch)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::packwrite::{encode_delta, PackBuilder};

    #[test]
    fn a_base_after_its_delta_is_refused_even_with_fix_thin() {
        let blob = |i: usize| format!("version {i} of a line\n").repeat(30).into_bytes();
        let (y, z) = (
            hash_object(ObjectType::Blob, &blob(2)),
            hash_object(ObjectType::Blob, &blob(3)),
        );
        let scratch = tempfile::tempdir().unwrap();
        let mut b = PackBuilder::new(scratch.path(), 2).unwrap();
        b.add(
            y,
            &encode_delta(ObjectType::Blob, &blob(2), &z, &blob(3)).unwrap(),
        )
        .unwrap();
        b.add(z, &encode_record(ObjectType::Blob, &blob(3)).unwrap())
            .unwrap();
        let idx = b.finish().unwrap();
        let bytes = std::fs::read(idx.with_extension("pack")).unwrap();
        let t = tempfile::tempdir().unwrap();
        let odb = Odb::open(t.path());
        odb.write(ObjectType::Blob, &blob(3)).unwrap();
        let e = index_pack(&odb, &mut bytes.as_slice(), true)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!("delta base {z} comes after a delta against it")),
            "{e}"
        );
        assert!(crate::store::LocalStore::packs(&odb).unwrap().is_empty());
    }
}
