//! The dumb-HTTP object walk (format-spec/dumb-http.md, section 5): remote
//! pack indexes (cached), then rounds of range requests (or whole small
//! packs) for the objects the local store lacks, each verified, stored
//! bottom-up so that a present object always has its closure present.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use super::files::{cache_dir, parse_packs_file, PackEntry};
use super::http::{HttpClient, MirrorReader};
use super::{DumbError, PackDefect};
use crate::error::{Error, IoContext, Result};
use crate::links::{children, Requires};
use crate::object::{hash_object, ObjectType};
use crate::oid::ObjectId;
use crate::prolly::dir::MAX_TREE_DEPTH;
use crate::store::pack::{decode_frame, parse_record, IndexTables, MAX_FRAME, PACK_MAGIC};
use crate::store::{ObjectStore, Odb};
use std::sync::atomic::AtomicU64;

/// What a dumb-HTTP fetch did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DumbFetchStats {
    /// HTTP GET requests made.
    pub gets: u64,
    /// Body bytes downloaded.
    pub bytes: u64,
    /// Objects verified and stored.
    pub objects: u64,
    /// Pack indexes downloaded (not found in the cache).
    pub indexes: u64,
    /// Packs downloaded whole (or resumed).
    pub whole_packs: u64,
    /// Range requests.
    pub ranges: u64,
    /// Walk rounds (tree levels and history depth).
    pub rounds: u64,
}

/// Packs of at most this size are downloaded whole.
const SMALL_PACK: u64 = 64 << 10;
/// Neighbouring ranges closer than this are fetched as one.
const RANGE_GAP: u64 = 16 << 10;
/// Byte ranges asked for in one request.
const RANGES_PER_GET: usize = 64;
/// Record bytes fetched and decoded at a time within a round.
const CHUNK_BYTES: u64 = 32 << 20;
/// Payload bytes held before a batch is stored.
const BATCH_BYTES: usize = 64 << 20;
/// Test hook: stop (with an error) once this many objects are stored.
const STOP_AFTER_ENV: &str = "HAKO_TEST_DUMB_HTTP_STOP_AFTER";

/// A remote pack's index, checked.
struct RemoteIndex {
    entry: PackEntry,
    data: Vec<u8>,
    version: u32,
    count: usize,
    /// Version 1 (dumb-http.md): record lengths derived from the offsets,
    /// payload sizes unknown.
    v1_lengths: Option<Vec<u64>>,
}

impl RemoteIndex {
    fn parse(entry: PackEntry, data: Vec<u8>, url: &str) -> Result<RemoteIndex> {
        let bad = |why: &str| {
            Error::from(DumbError::BadIndex {
                url: url.into(),
                why: why.into(),
            })
        };
        let (version, count) = IndexTables::parse(&data)
            .map(|t| (t.version, t.count))
            .map_err(|fault| bad(&fault.to_string()))?;
        let m = data.len();
        if blake3::hash(&data[..m - 32]).as_bytes() != &data[m - 32..] {
            return Err(bad("index checksum mismatch"));
        }
        if data[m - 64..m - 32] != entry.checksum.0 {
            return Err(bad("it names another pack"));
        }
        let mut ix = RemoteIndex {
            entry,
            data,
            version,
            count,
            v1_lengths: None,
        };
        if version == 1 {
            // Each record ends where the next one (by offset) begins.
            let mut by_offset: Vec<(u64, usize)> = (0..count).map(|i| (ix.offset(i), i)).collect();
            by_offset.sort_unstable();
            if by_offset.first().is_some_and(|f| f.0 != 16) {
                return Err(bad("the first record is not at offset 16"));
            }
            let trailer = ix.entry.pack_bytes.saturating_sub(32);
            let mut lengths = vec![0u64; count];
            for (k, &(off, i)) in by_offset.iter().enumerate() {
                let end = by_offset.get(k + 1).map_or(trailer, |n| n.0);
                if end <= off {
                    return Err(bad("two records at one offset"));
                }
                lengths[i] = end - off;
            }
            ix.v1_lengths = Some(lengths);
        }
        ix.tables()
            .check_order()
            .map_err(|fault| bad(&fault.to_string()))?;
        let limit = ix.entry.pack_bytes.saturating_sub(32);
        for i in 0..count {
            let (off, len) = (ix.offset(i), ix.len(i));
            if off < 16 || len == 0 || off.checked_add(len).is_none_or(|e| e > limit) {
                return Err(bad(&format!(
                    "record of {} is outside the pack",
                    ix.id_at(i)
                )));
            }
        }
        Ok(ix)
    }

    /// The index's tables (its header and length were checked by `parse`).
    fn tables(&self) -> IndexTables<'_> {
        IndexTables {
            bytes: &self.data,
            version: self.version,
            count: self.count,
        }
    }

    fn id_at(&self, i: usize) -> ObjectId {
        self.tables().id_at(i)
    }

    fn table(&self, t: usize, i: usize) -> u64 {
        self.tables().table(t, i)
    }

    fn offset(&self, i: usize) -> u64 {
        self.table(0, i)
    }

    fn len(&self, i: usize) -> u64 {
        match &self.v1_lengths {
            Some(l) => l[i],
            None => self.table(1, i),
        }
    }

    /// The payload size, when the index records it (version 2).
    fn size(&self, i: usize) -> Option<u64> {
        self.v1_lengths.is_none().then(|| self.table(2, i))
    }

    fn find(&self, id: &ObjectId) -> Option<usize> {
        self.tables().find(id)
    }
}

/// A decoded, verified object; `None` while a delta's base is missing.
type Decoded = Option<(ObjectType, Vec<u8>)>;
/// A byte range of a pack (start, end) and the records (id, index position) in it.
type RangeGroup = (u64, u64, Vec<(ObjectId, usize)>);

/// A downloaded object waiting for the objects it names to be stored.
struct Pending {
    kind: ObjectType,
    data: Vec<u8>,
    missing: usize,
}

/// One record to decode: which pack, which index position, its bytes.
struct Record {
    id: ObjectId,
    pack: usize,
    pos: usize,
    bytes: Vec<u8>,
    /// Fetched only as a delta base: verified and kept, not stored.
    base_only: bool,
}

struct Fetch<'a> {
    odb: &'a Odb,
    http: Box<dyn MirrorReader>,
    cache: PathBuf,
    indexes: Vec<RemoteIndex>,
    /// Per pack: downloaded whole (the mapped file) or not (ranges).
    whole: HashMap<usize, Option<memmap2::Mmap>>,
    whole_files: Vec<PathBuf>,
    requested: HashSet<ObjectId>,
    stored: HashSet<ObjectId>,
    pending: HashMap<ObjectId, Pending>,
    waiters: HashMap<ObjectId, Vec<ObjectId>>,
    /// Objects fetched only to resolve deltas.
    bases: HashMap<ObjectId, (ObjectType, Arc<Vec<u8>>)>,
    batch: Vec<(ObjectId, ObjectType, Vec<u8>)>,
    batch_pos: HashMap<ObjectId, usize>,
    batch_bytes: usize,
    stats: DumbFetchStats,
    stop_after: Option<u64>,
    /// What each requested object must be and its directory level (as its
    /// first referrer says; protocol.md section 7a).
    required: HashMap<ObjectId, (Requires, usize)>,
}

/// The object ids a pack index lists, after checking it as a fetch does
/// (`entry` names the pack and gives its size).
pub fn index_ids(entry: PackEntry, data: Vec<u8>, url: &str) -> Result<Vec<ObjectId>> {
    let ix = RemoteIndex::parse(entry, data, url)?;
    Ok((0..ix.count).map(|i| ix.id_at(i)).collect())
}

/// See `super::files::http_fetch`.
pub fn fetch(
    odb: &Odb,
    url: &str,
    wants: &[ObjectId],
    progress: &mut dyn FnMut(&str),
    received: Option<Arc<AtomicU64>>,
) -> Result<DumbFetchStats> {
    fetch_from(
        odb,
        Box::new(HttpClient::new(url)?),
        wants,
        progress,
        received,
    )
}

/// The walk of `fetch` over any mirror reader (HTTP, an object store).
pub fn fetch_from(
    odb: &Odb,
    mut http: Box<dyn MirrorReader>,
    wants: &[ObjectId],
    progress: &mut dyn FnMut(&str),
    received: Option<Arc<AtomicU64>>,
) -> Result<DumbFetchStats> {
    let url = http.base().to_string();
    let mut wanted = Vec::new();
    for id in wants {
        if !id.is_zero() && !wanted.contains(id) && !odb.contains(id)? {
            wanted.push(*id);
        }
    }
    if wanted.is_empty() {
        return Ok(DumbFetchStats::default());
    }
    let cache = cache_dir(odb);
    for d in ["idx", "pack"] {
        std::fs::create_dir_all(cache.join(d)).at(cache.join(d))?;
    }
    let _lock = lock_cache(&cache)?;
    http.set_counter(received);
    let mut f = Fetch {
        odb,
        http,
        cache,
        indexes: Vec::new(),
        whole: HashMap::new(),
        whole_files: Vec::new(),
        requested: HashSet::new(),
        stored: HashSet::new(),
        pending: HashMap::new(),
        waiters: HashMap::new(),
        bases: HashMap::new(),
        batch: Vec::new(),
        batch_pos: HashMap::new(),
        batch_bytes: 0,
        stats: DumbFetchStats::default(),
        stop_after: std::env::var(STOP_AFTER_ENV)
            .ok()
            .and_then(|s| s.parse().ok()),
        required: HashMap::new(),
    };
    f.load_indexes(progress)?;
    let result = f.walk(wanted, progress);
    // Whatever happened, what is verified and complete is kept.
    let flushed = f.flush();
    result?;
    flushed?;
    if !f.pending.is_empty() {
        return Err(DumbError::Incomplete {
            url,
            count: f.pending.len(),
        }
        .into());
    }
    for p in &f.whole_files {
        let _ = std::fs::remove_file(p);
    }
    (f.stats.gets, f.stats.bytes) = f.http.counts();
    Ok(f.stats)
}

/// One fetch at a time per workspace (they share the cache's files).
fn lock_cache(cache: &std::path::Path) -> Result<std::fs::File> {
    let path = cache.join("lock");
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .at(&path)?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => Err(DumbError::FetchRunning(path).into()),
        Err(std::fs::TryLockError::Error(e)) => Err(e).at(&path),
    }
}

/// The ids an object names, as the reachability walk follows them, each
/// with the type it must have and whether it starts a directory level.
fn references(
    id: ObjectId,
    kind: ObjectType,
    data: &[u8],
) -> Result<Vec<(ObjectId, Requires, bool)>> {
    let mut out = Vec::new();
    let o = crate::object::Object {
        kind,
        data: data.to_vec(),
    };
    children(&id, o, false, &mut |c, want, dir_root| {
        if !c.is_zero() {
            out.push((c, want, dir_root))
        }
    })?;
    out.sort_by_key(|c| c.0);
    out.dedup_by_key(|c| c.0);
    Ok(out)
}

impl Fetch<'_> {
    fn pack_url(&self, p: usize) -> String {
        self.http
            .url(&format!("objects/pack/{}.pack", self.indexes[p].entry.name))
    }

    /// Every listed pack's index: from the cache, or downloaded and cached.
    fn load_indexes(&mut self, progress: &mut dyn FnMut(&str)) -> Result<()> {
        let body = self.http.mirror_file("objects/info/packs")?;
        let list_url = self.http.url("objects/info/packs");
        let packs = parse_packs_file(&body, &list_url)?;
        // Partial downloads of packs the mirror no longer lists never finish.
        let listed: HashSet<String> = packs.iter().map(|p| p.name.clone()).collect();
        let pack_cache = self.cache.join("pack");
        for ent in std::fs::read_dir(&pack_cache).at(&pack_cache)?.flatten() {
            let name = ent.file_name().to_string_lossy().to_string();
            let stem = name.split('.').next().unwrap_or_default();
            if name.ends_with(".part") && !listed.contains(stem) {
                let _ = std::fs::remove_file(ent.path());
            }
        }
        for entry in packs {
            let path = self.cache.join("idx").join(format!("{}.idx", entry.name));
            let rel = format!("objects/pack/{}.idx", entry.name);
            let url = self.http.url(&rel);
            let cached = std::fs::read(&path)
                .ok()
                .and_then(|d| RemoteIndex::parse(entry.clone(), d, &url).ok());
            let ix = match cached {
                Some(ix) => ix,
                None => {
                    progress(&format!("fetching index {}", entry.name));
                    // A bucket's gc may retire a pack between the listing and
                    // here (object-store.md section 7): what it held is in
                    // the packs that stay.
                    let Some(data) = self.http.get_index(&rel)? else {
                        continue;
                    };
                    if data.len() as u64 != entry.idx_bytes {
                        return Err(DumbError::IndexSize {
                            url,
                            got: data.len() as u64,
                            listed: entry.idx_bytes,
                        }
                        .into());
                    }
                    let ix = RemoteIndex::parse(entry, data, &url)?;
                    crate::fsutil::write_atomic(&path, &ix.data)?;
                    self.stats.indexes += 1;
                    ix
                }
            };
            self.indexes.push(ix);
        }
        Ok(())
    }

    fn present(&self, id: &ObjectId) -> Result<bool> {
        Ok(self.stored.contains(id) || self.odb.contains(id)?)
    }

    fn locate(&self, id: &ObjectId) -> Option<(usize, usize)> {
        self.indexes
            .iter()
            .enumerate()
            .find_map(|(p, ix)| ix.find(id).map(|i| (p, i)))
    }

    fn walk(&mut self, wants: Vec<ObjectId>, progress: &mut dyn FnMut(&str)) -> Result<()> {
        let mut frontier = wants;
        for id in &frontier {
            self.requested.insert(*id);
        }
        while !frontier.is_empty() {
            self.stats.rounds += 1;
            progress(&format!(
                "round {}: {} objects ({} stored so far)",
                self.stats.rounds,
                frontier.len(),
                self.stats.objects + self.batch.len() as u64
            ));
            let mut next = Vec::new();
            self.round(frontier, &mut next)?;
            frontier = next;
        }
        Ok(())
    }

    /// Fetch, verify and take in `ids`; the ids they name that are still
    /// missing go to `next`.
    fn round(&mut self, ids: Vec<ObjectId>, next: &mut Vec<ObjectId>) -> Result<()> {
        let mut located = Vec::new();
        for id in ids {
            if let Some((kind, data)) = self.bases.remove(&id) {
                let data = Arc::try_unwrap(data).unwrap_or_else(|a| (*a).clone());
                self.arrived(id, kind, data, next)?;
                continue;
            }
            let (p, i) = self.locate(&id).ok_or_else(|| DumbError::NotInMirror {
                base: self.http.base().into(),
                id,
            })?;
            // A record no object fits in is never downloaded (objects.md).
            let len = self.indexes[p].len(i);
            if len > MAX_FRAME + 64 {
                return Err(DumbError::RecordTooLarge {
                    base: self.http.base().into(),
                    id,
                    len,
                }
                .into());
            }
            located.push((id, p, i));
        }
        // By pack and offset, in chunks of bounded size.
        located.sort_by_key(|&(_, p, i)| (p, self.indexes[p].offset(i)));
        let mut start = 0;
        while start < located.len() {
            let mut end = start;
            let mut bytes = 0;
            while end < located.len() && (end == start || bytes < CHUNK_BYTES) {
                bytes += self.indexes[located[end].1].len(located[end].2);
                end += 1;
            }
            let records = self.fetch_records(&located[start..end], false)?;
            self.take_records(records, next)?;
            if self.batch_bytes >= BATCH_BYTES {
                self.flush()?;
            }
            start = end;
        }
        Ok(())
    }

    /// Decode records (fetching missing delta bases), verify each, take them in.
    fn take_records(&mut self, mut todo: Vec<Record>, next: &mut Vec<ObjectId>) -> Result<()> {
        while !todo.is_empty() {
            let decoded: Vec<Result<Decoded>> = todo.par_iter().map(|r| self.decode(r)).collect();
            let mut deferred = Vec::new();
            let mut progressed = false;
            for (r, d) in todo.into_iter().zip(decoded) {
                match d? {
                    Some((kind, data)) => {
                        progressed = true;
                        if r.base_only {
                            self.bases.insert(r.id, (kind, Arc::new(data)));
                        } else {
                            self.arrived(r.id, kind, data, next)?;
                        }
                    }
                    None => deferred.push(r),
                }
            }
            if deferred.is_empty() {
                break;
            }
            // Bases neither here nor being decoded: fetch them.
            let waiting: HashSet<ObjectId> = deferred.iter().map(|r| r.id).collect();
            let mut need = Vec::new();
            for r in &deferred {
                let base = self.record_base(r)?;
                if !waiting.contains(&base) && !need.iter().any(|(b, _, _)| *b == base) {
                    let (p, i) = self.locate(&base).ok_or_else(|| DumbError::MissingBase {
                        pack: self.pack_url(r.pack),
                        base,
                        id: r.id,
                    })?;
                    need.push((base, p, i));
                }
            }
            if need.is_empty() && !progressed {
                return Err(DumbError::DeltaCycle {
                    pack: self.pack_url(deferred[0].pack),
                    id: deferred[0].id,
                }
                .into());
            }
            let mut more = self.fetch_records(&need, true)?;
            deferred.append(&mut more);
            todo = deferred;
        }
        Ok(())
    }

    fn record_base(&self, r: &Record) -> Result<ObjectId> {
        let head =
            parse_record(&r.bytes, 0, r.bytes.len(), 2).map_err(|why| DumbError::BadRecord {
                url: self.pack_url(r.pack),
                why: why.to_string(),
            })?;
        Ok(head.base.expect("only deltas are deferred"))
    }

    /// A base's payload, if this side has it.
    fn base_payload(&self, id: &ObjectId) -> Result<Option<Arc<Vec<u8>>>> {
        if let Some((_, d)) = self.bases.get(id) {
            return Ok(Some(d.clone()));
        }
        if let Some(p) = self.pending.get(id) {
            return Ok(Some(Arc::new(p.data.clone())));
        }
        if let Some(&i) = self.batch_pos.get(id) {
            return Ok(Some(Arc::new(self.batch[i].2.clone())));
        }
        if self.odb.contains(id)? {
            return Ok(Some(Arc::new(self.odb.read(id)?.data)));
        }
        Ok(None)
    }

    /// Decode and verify one record; `None` if it is a delta whose base is
    /// not available yet.
    fn decode(&self, r: &Record) -> Result<Decoded> {
        let url = self.pack_url(r.pack);
        let ix = &self.indexes[r.pack];
        let bad = |why: String| {
            Error::from(DumbError::BadObject {
                url: url.clone(),
                id: r.id,
                start: ix.offset(r.pos),
                end: ix.offset(r.pos) + ix.len(r.pos),
                why,
            })
        };
        let head = parse_record(&r.bytes, 0, r.bytes.len(), 2).map_err(|e| bad(e.to_string()))?;
        if head.frame.end != r.bytes.len() {
            return Err(bad("record length does not match the index".into()));
        }
        if let Some(size) = ix.size(r.pos).filter(|s| *s != head.size) {
            return Err(bad(format!(
                "record says {} bytes, the index {size}",
                head.size
            )));
        }
        let base = match head.base {
            Some(b) => match self.base_payload(&b)? {
                Some(d) => Some(d),
                None => return Ok(None),
            },
            None => None,
        };
        let data = decode_frame(
            &r.bytes[head.frame.clone()],
            head.size,
            base.as_deref().map(|v| v.as_slice()),
        )
        .map_err(|e| bad(e.to_string()))?;
        let actual = hash_object(head.kind, &data);
        if actual != r.id {
            return Err(bad(format!("id mismatch: the content hashes to {actual}")));
        }
        Ok(Some((head.kind, data)))
    }

    /// A verified object: store it once everything it names is stored.
    fn arrived(
        &mut self,
        id: ObjectId,
        kind: ObjectType,
        data: Vec<u8>,
        next: &mut Vec<ObjectId>,
    ) -> Result<()> {
        if self.stored.contains(&id) || self.pending.contains_key(&id) {
            return Ok(());
        }
        let mut missing = 0;
        let named = references(id, kind, &data).map_err(|e| DumbError::BadNames {
            base: self.http.base().into(),
            kind: kind.name(),
            id,
            why: e.to_string(),
        })?;
        let (want, depth) = self
            .required
            .get(&id)
            .copied()
            .unwrap_or((Requires::Any, 0));
        if !want.admits(kind) {
            return Err(DumbError::WrongKind {
                base: self.http.base().into(),
                id,
                kind,
                want: want.name(),
            }
            .into());
        }
        for (c, want, dir_root) in named {
            let depth = depth + usize::from(dir_root);
            if depth > MAX_TREE_DEPTH {
                return Err(DumbError::TooDeep {
                    base: self.http.base().into(),
                    id: c,
                    limit: MAX_TREE_DEPTH,
                }
                .into());
            }
            if self.present(&c)? {
                let known = match self.odb.read_header(&c) {
                    Ok((k, _)) => Some(k),
                    Err(_) => self.batch_pos.get(&c).map(|&at| self.batch[at].1),
                };
                if let Some(k) = known.filter(|k| !want.admits(*k)) {
                    return Err(DumbError::WrongKind {
                        base: self.http.base().into(),
                        id: c,
                        kind: k,
                        want: want.name(),
                    }
                    .into());
                }
                continue;
            }
            self.required.entry(c).or_insert((want, depth));
            self.waiters.entry(c).or_default().push(id);
            missing += 1;
            if self.requested.insert(c) {
                next.push(c);
            }
        }
        if missing > 0 {
            self.pending.insert(
                id,
                Pending {
                    kind,
                    data,
                    missing,
                },
            );
            return Ok(());
        }
        // Ready: it and every waiter it completes, children first.
        let mut stack = vec![(id, kind, data)];
        while let Some((id, kind, data)) = stack.pop() {
            self.batch_pos.insert(id, self.batch.len());
            self.batch_bytes += data.len();
            self.batch.push((id, kind, data));
            self.stored.insert(id);
            for w in self.waiters.remove(&id).unwrap_or_default() {
                let p = self.pending.get_mut(&w).expect("a waiter is pending");
                p.missing -= 1;
                if p.missing == 0 {
                    let p = self.pending.remove(&w).unwrap();
                    stack.push((w, p.kind, p.data));
                }
            }
            if let Some(n) = self.stop_after {
                if self.stats.objects + self.batch.len() as u64 >= n {
                    self.flush()?;
                    return Err(DumbError::Stopped {
                        base: self.http.base().into(),
                        var: STOP_AFTER_ENV,
                        objects: self.stats.objects,
                    }
                    .into());
                }
            }
        }
        Ok(())
    }

    /// Store the batch (children before parents; as one pack when large).
    fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let objs: Vec<(ObjectId, ObjectType, &[u8])> = self
            .batch
            .iter()
            .map(|(id, k, d)| (*id, *k, d.as_slice()))
            .collect();
        self.odb.write_known(&objs)?;
        self.stats.objects += self.batch.len() as u64;
        self.batch.clear();
        self.batch_pos.clear();
        self.batch_bytes = 0;
        Ok(())
    }

    /// Whether pack `p` is worth downloading whole: small, or mostly missing here.
    fn wants_whole(&self, p: usize) -> Result<bool> {
        let ix = &self.indexes[p];
        if ix.entry.pack_bytes <= SMALL_PACK {
            return Ok(true);
        }
        let mut missing = 0u64;
        for i in 0..ix.count {
            if !self.present(&ix.id_at(i))? {
                missing += ix.len(i);
            }
        }
        Ok(missing * 2 >= ix.entry.pack_bytes)
    }

    /// Download pack `p` whole into the cache (resuming a partial copy),
    /// check it and map it.
    fn download_whole(&mut self, p: usize) -> Result<memmap2::Mmap> {
        let entry = self.indexes[p].entry.clone();
        let url = self.pack_url(p);
        let path = self.cache.join("pack").join(format!("{}.pack", entry.name));
        let part = path.with_extension("pack.part");
        let check = |bytes: &[u8]| -> std::result::Result<(), PackDefect> {
            let n = bytes.len();
            if n as u64 != entry.pack_bytes || n < 48 || &bytes[..8] != PACK_MAGIC {
                return Err(PackDefect::Size(n));
            }
            let mut h = blake3::Hasher::new();
            h.update_rayon(&bytes[..n - 32]);
            if h.finalize().as_bytes() != &bytes[n - 32..] || bytes[n - 32..] != entry.checksum.0 {
                return Err(PackDefect::Checksum);
            }
            Ok(())
        };
        if !path.exists() {
            self.http.download(
                &format!("objects/pack/{}.pack", entry.name),
                &part,
                entry.pack_bytes,
            )?;
            self.stats.whole_packs += 1;
            let f = std::fs::File::open(&part).at(&part)?;
            let map = crate::sys::map_file(&f).at(&part)?;
            if let Err(why) = check(&map) {
                drop(map);
                let _ = std::fs::remove_file(&part);
                return Err(DumbError::BadPack { url, defect: why }.into());
            }
            std::fs::rename(&part, &path).at(&path)?;
        }
        self.whole_files.push(path.clone());
        let f = std::fs::File::open(&path).at(&path)?;
        let map = crate::sys::map_file(&f).at(&path)?;
        check(&map).map_err(|why| {
            let _ = std::fs::remove_file(&path);
            DumbError::BadPack {
                url: path.display().to_string(),
                defect: why,
            }
        })?;
        Ok(map)
    }

    /// The records of `located` (sorted by pack and offset within a pack).
    fn fetch_records(
        &mut self,
        located: &[(ObjectId, usize, usize)],
        base_only: bool,
    ) -> Result<Vec<Record>> {
        let mut out = Vec::with_capacity(located.len());
        let mut by_pack: Vec<(usize, Vec<(ObjectId, usize)>)> = Vec::new();
        for &(id, p, i) in located {
            match by_pack.last_mut() {
                Some((q, v)) if *q == p => v.push((id, i)),
                _ => by_pack.push((p, vec![(id, i)])),
            }
        }
        for (p, mut items) in by_pack {
            if !self.whole.contains_key(&p) {
                let w = if self.wants_whole(p)? {
                    Some(self.download_whole(p)?)
                } else {
                    None
                };
                self.whole.insert(p, w);
            }
            let ix = &self.indexes[p];
            if let Some(map) = &self.whole[&p] {
                for (id, i) in items {
                    let (o, l) = (ix.offset(i) as usize, ix.len(i) as usize);
                    out.push(Record {
                        id,
                        pack: p,
                        pos: i,
                        bytes: map[o..o + l].to_vec(),
                        base_only,
                    });
                }
                continue;
            }
            items.sort_by_key(|&(_, i)| ix.offset(i));
            // Coalesce neighbouring records into ranges.
            let mut groups: Vec<RangeGroup> = Vec::new();
            for (id, i) in items {
                let (o, e) = (ix.offset(i), ix.offset(i) + ix.len(i));
                match groups.last_mut() {
                    Some((_, end, v)) if o <= *end + RANGE_GAP => {
                        *end = (*end).max(e);
                        v.push((id, i));
                    }
                    _ => groups.push((o, e, vec![(id, i)])),
                }
            }
            let name = format!("objects/pack/{}.pack", ix.entry.name);
            let total = ix.entry.pack_bytes;
            // Several ranges per request (multipart/byteranges).
            for batch in groups.chunks(RANGES_PER_GET) {
                let spans: Vec<(u64, u64)> = batch.iter().map(|g| (g.0, g.1)).collect();
                let parts = self.http.get_ranges(&name, &spans, total)?;
                self.stats.ranges += spans.len() as u64;
                let ix = &self.indexes[p];
                for ((start, _, members), bytes) in batch.iter().zip(parts) {
                    for &(id, i) in members {
                        let o = (ix.offset(i) - start) as usize;
                        out.push(Record {
                            id,
                            pack: p,
                            pos: i,
                            bytes: bytes[o..o + ix.len(i) as usize].to_vec(),
                            base_only,
                        });
                    }
                }
            }
        }
        Ok(out)
    }
}
