//! Writing picked objects as a pack stream: deltas against the suggested
//! bases where they are smaller (and allowed: in the pack and earlier, or,
//! for a thin pack, on the receiving side), compressed in parallel rounds.
#![warn(missing_docs)]

use crate::store::PackError;
use std::collections::HashMap;
use std::io::Write;

use rayon::prelude::*;

use super::select::Pick;
use crate::error::{Error, Result};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::store::pack::MAX_DELTA_DEPTH;
use crate::store::packwrite::{encode_delta, encode_record, IndexEntry, PackStream};
use crate::store::{LocalStore, ObjectStore};

/// What a written pack holds.
#[derive(Debug, Default)]
pub struct Written {
    /// Objects written.
    pub objects: usize,
    /// Of them, stored as deltas.
    pub deltas: usize,
    /// Deltas against objects not in the pack (thin).
    pub external: usize,
    /// The pack's size in bytes.
    pub bytes: u64,
    /// The pack's trailing checksum.
    pub checksum: ObjectId,
    /// Index entries (id, offset, record length, payload size).
    pub entries: Vec<IndexEntry>,
}

/// The payload size a full record declares.
fn record_size(rec: &[u8]) -> Option<u64> {
    let head = crate::store::pack::parse_record(rec, 0, rec.len(), 2).ok()?;
    (head.base.is_none() && head.frame.end == rec.len()).then_some(head.size)
}

/// Payload bytes compressed per parallel round.
const ROUND_BYTES: u64 = 32 << 20;

/// The delta base of each pick, taken in `order`: its suggested base if that
/// comes earlier (a base later in the pack is not allowed: bases come
/// first) within the depth limit or, `thin`, lies outside the pack; commits
/// get none unless `commit_bases`. Returns the bases in `order`'s order and
/// each id's position in it.
pub(crate) fn plan_bases(
    picks: &[Pick],
    order: &[usize],
    thin: bool,
    commit_bases: bool,
) -> (Vec<Option<ObjectId>>, HashMap<ObjectId, usize>) {
    let all: std::collections::HashSet<ObjectId> = picks.iter().map(|p| p.id).collect();
    let mut pos: HashMap<ObjectId, usize> = HashMap::with_capacity(picks.len());
    let mut depth = vec![0usize; order.len()];
    let mut bases: Vec<Option<ObjectId>> = Vec::with_capacity(order.len());
    for (i, &k) in order.iter().enumerate() {
        let p = &picks[k];
        let base = p
            .base
            .filter(|b| *b != p.id && (commit_bases || p.kind != ObjectType::Commit))
            .and_then(|b| match pos.get(&b) {
                Some(&j) if depth[j] < MAX_DELTA_DEPTH => {
                    depth[i] = depth[j] + 1;
                    Some(b)
                }
                Some(_) => None,
                None if thin && !all.contains(&b) => {
                    depth[i] = 1;
                    Some(b)
                }
                None => None,
            });
        bases.push(base);
        pos.insert(p.id, i);
    }
    (bases, pos)
}

/// Where the round of parallel compression that starts at position `i` of
/// `order` ends: after about `ROUND_BYTES` of payload, one pick at least.
pub(crate) fn round_end(
    store: &dyn ObjectStore,
    order: &[usize],
    picks: &[Pick],
    i: usize,
) -> Result<usize> {
    let mut j = i;
    let mut bytes = 0u64;
    while j < order.len() && (j == i || bytes < ROUND_BYTES) {
        bytes += store.read_header(&picks[order[j]].id)?.1;
        j += 1;
    }
    Ok(j)
}

/// Write `picks`, in order, as a pack to `out`. With `thin`, a base outside
/// the pack is allowed (the receiver has it); otherwise only bases earlier in
/// the pack are used. Chains never exceed the format's maximum depth.
pub fn write_pack<W: Write>(
    store: &dyn ObjectStore,
    reuse: Option<&dyn LocalStore>,
    picks: &[Pick],
    thin: bool,
    out: W,
    progress: &dyn crate::progress::Progress,
) -> Result<(Written, W)> {
    let order: Vec<usize> = (0..picks.len()).collect();
    let (bases, pos) = plan_bases(picks, &order, thin, false);
    let oerr = |e: std::io::Error| Error::Output(e);
    let mut stream = PackStream::new(out, picks.len() as u32).map_err(oerr)?;
    let mut w = Written {
        objects: picks.len(),
        ..Written::default()
    };
    let mut i = 0;
    while i < picks.len() {
        let j = round_end(store, &order, picks, i)?;
        let records: Vec<(Vec<u8>, u64, bool)> = (i..j)
            .into_par_iter()
            .map(|k| -> Result<(Vec<u8>, u64, bool)> {
                // No delta wanted: copy a full record from a pack whose
                // checksum verified (its writer verified every object).
                if let (None, Some(r)) = (bases[k], reuse) {
                    if let Some(rec) = r.full_record(&picks[k].id)? {
                        if let Some(size) = record_size(&rec) {
                            return Ok((rec, size, false));
                        }
                    }
                }
                let o = store.read(&picks[k].id)?;
                let full = encode_record(o.kind, &o.data)?;
                if let Some(b) = bases[k] {
                    let base = store.read(&b)?;
                    let delta = encode_delta(o.kind, &o.data, &b, &base.data)?;
                    if delta.len() < full.len() {
                        return Ok((delta, o.data.len() as u64, true));
                    }
                }
                Ok((full, o.data.len() as u64, false))
            })
            .collect::<Result<_>>()?;
        for (k, (rec, size, is_delta)) in (i..j).zip(records) {
            if is_delta {
                w.deltas += 1;
                if pos.get(&bases[k].unwrap()).is_none_or(|&b| b >= k) {
                    w.external += 1;
                }
            }
            w.entries
                .push((picks[k].id, stream.offset(), rec.len() as u64, size));
            stream.add(&rec).map_err(oerr)?;
        }
        progress.advance((j - i) as u64);
        i = j;
    }
    let (sum, total, out) = stream.finish().map_err(oerr)?;
    w.bytes = total;
    w.checksum = sum;
    Ok((w, out))
}

/// Write `picks` as `BASENAME-<checksum>.pack` and `.idx` (crash-safely, the
/// index last); returns the checksum and what was written.
pub fn write_pack_files(
    store: &dyn ObjectStore,
    reuse: Option<&dyn LocalStore>,
    picks: &[Pick],
    thin: bool,
    basename: &std::path::Path,
) -> Result<(ObjectId, Written)> {
    use crate::error::IoContext;
    let dir = match basename.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let prefix = basename
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .ok_or_else(|| PackError::BadBasename(basename.to_path_buf()))?;
    std::fs::create_dir_all(&dir).at(&dir)?;
    let (f, tmp) = crate::fsutil::create_tmp(&dir, "tmp_pack_", 0o666)?;
    let result = (|| {
        let (mut w, out) = write_pack(
            store,
            reuse,
            picks,
            thin,
            std::io::BufWriter::new(f),
            &crate::progress::Silent,
        )?;
        let f = out.into_inner().map_err(|e| Error::Io {
            path: tmp.clone(),
            err: e.into_error(),
        })?;
        f.sync_all().at(&tmp)?;
        crate::store::packwrite::publish_pack_as(
            &dir,
            &prefix,
            &tmp,
            &w.checksum.0,
            &mut w.entries,
        )?;
        Ok((w.checksum, w))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
