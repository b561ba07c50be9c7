//! Object storage. Everything above this module talks to `ObjectStore`, so
//! packs and remote stores slot in behind the same narrow trait.
#![warn(missing_docs)]

pub mod error;
pub mod loose;
pub mod mem;
pub mod pack;
pub mod packwrite;
pub mod shallow;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::error::{Error, IoContext, Result};
use crate::object::{Object, ObjectType};
use crate::oid::ObjectId;
use crate::sys::fsync_dir;

pub use error::{BadMaxPackSize, Damage, PackError, StoreError};
pub use loose::LooseStore;
pub use mem::{BatchWriter, HashOnly, MemStore};

/// What every object store offers (local, in memory, or later remote):
/// presence, verified reads, and writes, one at a time or in batches.
pub trait ObjectStore: Send + Sync {
    /// Whether the object is present (not verified). An error means the
    /// store could not tell (an unreadable directory, say), not "absent".
    fn contains(&self, id: &ObjectId) -> Result<bool>;
    /// Read an object, verified against its id.
    fn read(&self, id: &ObjectId) -> Result<Object>;
    /// Type and payload size, without reading the whole object where possible.
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)>;
    /// Read an object that must be of type `kind`.
    fn read_typed(&self, id: &ObjectId, kind: ObjectType) -> Result<Object> {
        let o = self.read(id)?;
        if o.kind != kind {
            return Err(Error::WrongType {
                id: *id,
                expected: kind.name(),
                actual: o.kind.name(),
            });
        }
        Ok(o)
    }
    /// Store an object; returns its id. Idempotent.
    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId>;
    /// Read several objects (in the order asked); stores that can fetch in
    /// bulk override this.
    fn read_many(&self, ids: &[ObjectId]) -> Result<Vec<Object>> {
        ids.iter().map(|id| self.read(id)).collect()
    }
    /// Store several objects; stores that can write in bulk (one pack, one
    /// sync) override this.
    fn write_many(&self, objects: &[(ObjectType, &[u8])]) -> Result<Vec<ObjectId>> {
        objects.iter().map(|(k, d)| self.write(*k, d)).collect()
    }
    /// Whether `id` is a shallow commit here (its parents are not stored and
    /// history walks treat it as having none; layout.md).
    fn is_shallow(&self, _id: &ObjectId) -> Result<bool> {
        Ok(false)
    }
}

/// What only a store on this machine offers: looking ids up by prefix,
/// listing, deleting loose objects, and its packs.
pub trait LocalStore: ObjectStore {
    /// All stored ids starting with `prefix` (lowercase hex, at least 2
    /// digits), at most `limit`.
    fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<ObjectId>>;
    /// Every stored id (loose and packed, each once), sorted.
    fn list_ids(&self) -> Result<Vec<ObjectId>>;
    /// Remove the loose copy of an object; false if there was none.
    fn remove_loose(&self, id: &ObjectId) -> Result<bool>;
    /// The store's packs (none for stores without packs).
    fn packs(&self) -> Result<Vec<Arc<pack::Pack>>> {
        Ok(Vec::new())
    }
    /// The object's full (non-delta) pack record as stored, if a pack whose
    /// whole-file checksum verifies holds one: a writer of another pack may
    /// copy it instead of decompressing, hashing and recompressing.
    fn full_record(&self, _id: &ObjectId) -> Result<Option<Vec<u8>>> {
        Ok(None)
    }
}

/// Batches with at least this many new objects are written as a pack.
pub const PACK_THRESHOLD: usize = 128;

/// A bulk write's merge leaves packs of at least this many bytes apart
/// (packs.md, "How many packs"): copying a big pack again at every flush
/// made an import of 1 GiB write 3 GiB; `gc` (and `gc --auto` past
/// `gc.autoPackLimit` packs) repacks them.
pub const BULK_MERGE_BELOW: u64 = 32 << 20;

/// The object database of a workspace: loose objects and packs.
pub struct Odb {
    /// The loose objects.
    pub loose: LooseStore,
    packs: RwLock<Option<Vec<Arc<pack::Pack>>>>,
    /// The shared `flock` on `objects/writers.lock` this process holds from
    /// its first write on, so that gc (which takes it exclusively) never
    /// prunes objects a running writer has stored but not yet made reachable.
    writer: std::sync::OnceLock<std::result::Result<std::fs::File, Arc<std::io::Error>>>,
    /// Set while this process holds the lock exclusively (it is gc).
    exclusive: std::sync::atomic::AtomicBool,
    /// `.hako/shallow`, read on first use.
    shallow: RwLock<Option<Arc<shallow::ShallowSet>>>,
    /// The most bytes one received pack may take (`transfer.maxPackSize`),
    /// or why the configured value is not a size (said when a pack comes).
    max_pack_bytes: std::result::Result<u64, BadMaxPackSize>,
}

/// The default of `transfer.maxPackSize` (layout.md): what one received pack
/// may take in its spool before it is refused.
pub(crate) const DEFAULT_MAX_PACK_BYTES: u64 = 8 << 30;

/// The file writers lock shared and gc exclusively (format-spec/gc.md).
pub const WRITERS_LOCK: &str = "writers.lock";

impl Odb {
    /// The object database in `objects_dir` (packs are read on first use).
    pub fn open(objects_dir: &Path) -> Odb {
        Odb {
            loose: LooseStore::new(objects_dir),
            packs: RwLock::new(None),
            writer: std::sync::OnceLock::new(),
            exclusive: std::sync::atomic::AtomicBool::new(false),
            shallow: RwLock::new(None),
            max_pack_bytes: Ok(DEFAULT_MAX_PACK_BYTES),
        }
    }

    /// This store, refusing a received pack over `n` bytes (or every
    /// received pack, with the error, when the configured limit is bad).
    pub fn with_max_pack_bytes(mut self, n: std::result::Result<u64, BadMaxPackSize>) -> Odb {
        self.max_pack_bytes = n;
        self
    }

    /// The most bytes one received pack may take.
    pub fn max_pack_bytes(&self) -> Result<u64> {
        self.max_pack_bytes
            .clone()
            .map_err(|bad| StoreError::BadMaxPackSize(bad).into())
    }

    /// `.hako/shallow`: beside the objects directory.
    pub fn shallow_path(&self) -> PathBuf {
        let dir = self.loose.dir();
        dir.parent().unwrap_or(dir).join("shallow")
    }

    /// The shallow commits (empty for a complete workspace).
    pub fn shallow(&self) -> Result<Arc<shallow::ShallowSet>> {
        if let Some(s) = self.shallow.read().unwrap().as_ref() {
            return Ok(s.clone());
        }
        let s = Arc::new(shallow::read(&self.shallow_path())?);
        *self.shallow.write().unwrap() = Some(s.clone());
        Ok(s)
    }

    /// Replace the shallow list (crash-safe, under its lock).
    pub fn set_shallow(&self, set: shallow::ShallowSet) -> Result<()> {
        shallow::write(&self.shallow_path(), &set)?;
        *self.shallow.write().unwrap() = Some(Arc::new(set));
        Ok(())
    }

    /// Another handle on the same objects, with the packs this one has
    /// loaded already (opening every pack again showed in `run`'s start).
    pub fn reopen(&self) -> Odb {
        let o = Odb::open(self.loose.dir()).with_max_pack_bytes(self.max_pack_bytes.clone());
        *o.packs.write().unwrap() = self.packs.read().unwrap().clone();
        o
    }

    /// Register this process as a writer (once; held until it exits).
    pub fn writing(&self) -> Result<()> {
        if self.exclusive.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(());
        }
        let path = || self.loose.dir().join(WRITERS_LOCK);
        let r = self.writer.get_or_init(|| {
            std::fs::create_dir_all(self.loose.dir())
                .and_then(|_| {
                    std::fs::OpenOptions::new()
                        .read(true)
                        .write(true)
                        .create(true)
                        .truncate(false)
                        .open(path())
                })
                .and_then(|f| f.lock_shared().map(|_| f))
                .map_err(Arc::new)
        });
        // The path is joined only when needed: this runs before every write.
        r.as_ref().map(|_| ()).map_err(|err| {
            StoreError::WriterRegistration {
                path: path(),
                err: err.clone(),
            }
            .into()
        })
    }

    /// Take the writers' lock exclusively (gc), waiting up to `wait` for
    /// running writers to finish. The returned file holds the lock.
    pub fn lock_writers_out(&self, wait: std::time::Duration) -> Result<std::fs::File> {
        let path = self.loose.dir().join(WRITERS_LOCK);
        std::fs::create_dir_all(self.loose.dir()).at(self.loose.dir())?;
        // A process that has written already converts its own shared lock
        // (a second descriptor would wait for itself).
        let f = match self.writer.get() {
            Some(Ok(own)) => own.try_clone().at(&path)?,
            _ => std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .at(&path)?,
        };
        let start = std::time::Instant::now();
        loop {
            match f.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(StoreError::WritersBusy(path).into())
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(e).at(&path),
            }
        }
        self.exclusive
            .store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(f)
    }

    /// `objects/pack`.
    pub fn pack_dir(&self) -> PathBuf {
        self.loose.dir().join("pack")
    }

    /// Scan `objects/pack/` for indexes.
    fn scan_packs(&self) -> Result<Vec<Arc<pack::Pack>>> {
        let d = self.pack_dir();
        let mut out = Vec::new();
        let rd = match std::fs::read_dir(&d) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e).at(&d),
        };
        let mut names: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "idx")
                    && p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("pack-"))
            })
            .collect();
        names.sort();
        for p in names {
            match pack::Pack::open(&p) {
                Ok(pack) => out.push(Arc::new(pack)),
                // Merged into another pack and removed since the listing.
                Err(Error::Io { err, .. }) if err.kind() == std::io::ErrorKind::NotFound => {}
                // One damaged pack must not hide every other object.
                Err(e) => crate::warnings::warn(format!("skipping pack {}: {e}", p.display())),
            }
        }
        Ok(out)
    }

    /// The packs, loaded on first use.
    pub fn packs(&self) -> Result<Vec<Arc<pack::Pack>>> {
        if let Some(p) = self.packs.read().unwrap().as_ref() {
            return Ok(p.clone());
        }
        let scanned = self.scan_packs()?;
        *self.packs.write().unwrap() = Some(scanned.clone());
        Ok(scanned)
    }

    /// Forget loaded packs (another process may have written new ones).
    pub fn rescan(&self) {
        *self.packs.write().unwrap() = None;
    }

    /// Which pack holds `id`, and where. Looks under the read lock, without
    /// copying the pack list (this runs once per object on bulk writes).
    fn find_packed(&self, id: &ObjectId) -> Result<Option<(Arc<pack::Pack>, usize)>> {
        let find =
            |list: &[Arc<pack::Pack>]| list.iter().find_map(|p| p.find(id).map(|i| (p.clone(), i)));
        if let Some(list) = self.packs.read().unwrap().as_ref() {
            return Ok(find(list));
        }
        Ok(find(&self.packs()?))
    }

    /// Resolve a full id or a unique prefix of at least 4 hex digits.
    pub fn resolve_prefix(&self, s: &str) -> Result<ObjectId> {
        if !crate::oid::is_hex_prefix(s) {
            return Err(Error::BadObjectName(s.to_string()));
        }
        let lower = s.to_ascii_lowercase();
        if lower.len() == crate::oid::HEX_LEN {
            let id = ObjectId::from_hex(&lower)?;
            return if self.find_packed(&id)?.is_some() || self.loose.contains(&id)? {
                Ok(id)
            } else {
                Err(Error::NotFound(id))
            };
        }
        let ids = self.ids_with_prefix(&lower, 2)?;
        match ids.len() {
            0 => Err(Error::BadObjectName(s.to_string())),
            1 => Ok(ids[0]),
            _ => Err(Error::Ambiguous(s.to_string())),
        }
    }

    /// Store objects whose ids are already known (from `BatchWriter`), skipping
    /// those present: as one pack when there are many, else as loose objects
    /// with one filesystem sync. Returns how many were new. Only packs
    /// smaller than [`BULK_MERGE_BELOW`] are merged afterwards (packs.md).
    pub fn write_known(&self, objects: &[(ObjectId, ObjectType, &[u8])]) -> Result<usize> {
        use rayon::prelude::*;
        let fresh: Vec<(ObjectId, ObjectType, &[u8])> = objects
            .par_iter()
            .map(|o| Ok((!self.contains(&o.0)?).then_some(*o)))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        if fresh.is_empty() {
            return Ok(0);
        }
        self.writing()?;
        if fresh.len() < PACK_THRESHOLD {
            let small: Vec<(ObjectType, &[u8])> = fresh.iter().map(|(_, k, d)| (*k, *d)).collect();
            self.loose.write_batch(&small)?;
        } else {
            let idx = packwrite::write_pack(&self.pack_dir(), &fresh)?;
            let p = Arc::new(pack::Pack::open(&idx)?);
            if let Some(list) = self.packs.write().unwrap().as_mut() {
                list.push(p);
            }
            self.consolidate_packs_below(BULK_MERGE_BELOW)?;
        }
        Ok(fresh.len())
    }

    /// Keep the number of packs logarithmic in the number of objects: merge
    /// the smallest packs whenever one is not at least twice as big as all the
    /// smaller ones together (geometric repacking, as git does). Records are
    /// copied as stored; the old packs are removed only once the merged one is
    /// durable and visible.
    pub fn consolidate_packs(&self) -> Result<()> {
        self.consolidate_packs_below(u64::MAX)
    }

    /// `consolidate_packs` among the packs smaller than `limit` bytes.
    fn consolidate_packs_below(&self, limit: u64) -> Result<()> {
        let all = self.packs()?;
        let (mut list, big): (Vec<_>, Vec<_>) =
            all.into_iter().partition(|p| p.pack_bytes() < limit);
        list.sort_by_key(|p| p.pack_bytes());
        let mut merge = 0;
        let mut below = 0u64;
        for (i, p) in list.iter().enumerate() {
            if i > 0 && p.pack_bytes() < 2 * below {
                merge = i + 1;
            }
            below += p.pack_bytes();
        }
        if merge < 2 {
            return Ok(());
        }
        let victims = &list[..merge];
        let idx = packwrite::merge_packs(&self.pack_dir(), victims)?;
        let merged = Arc::new(pack::Pack::open(&idx)?);
        for v in victims {
            if v.idx_path == merged.idx_path {
                continue;
            }
            for path in [&v.idx_path, &v.pack_path] {
                match std::fs::remove_file(path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(e).at(path);
                    }
                    _ => {}
                }
            }
        }
        fsync_dir(&self.pack_dir())?;
        let mut kept: Vec<Arc<pack::Pack>> = list[merge..].to_vec();
        kept.extend(big);
        kept.push(merged);
        *self.packs.write().unwrap() = Some(kept);
        Ok(())
    }

    /// Hash and store many objects durably (see `write_known`); returns their ids.
    pub fn write_batch(&self, objects: &[(ObjectType, &[u8])]) -> Result<Vec<ObjectId>> {
        use rayon::prelude::*;
        let known: Vec<(ObjectId, ObjectType, &[u8])> = objects
            .par_iter()
            .map(|(k, d)| (crate::object::hash_object(*k, d), *k, *d))
            .collect();
        self.write_known(&known)?;
        Ok(known.into_iter().map(|(id, _, _)| id).collect())
    }
}

impl ObjectStore for Odb {
    fn contains(&self, id: &ObjectId) -> Result<bool> {
        Ok(self.find_packed(id)?.is_some() || self.loose.contains(id)?)
    }
    fn read(&self, id: &ObjectId) -> Result<Object> {
        if let Some((p, i)) = self.find_packed(id)? {
            return p.read(i);
        }
        match self.loose.read(id) {
            Err(Error::NotFound(_)) => {
                // Another process may have packed it since we looked.
                self.rescan();
                match self.find_packed(id)? {
                    Some((p, i)) => p.read(i),
                    None => Err(Error::NotFound(*id)),
                }
            }
            r => r,
        }
    }
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
        if let Some((p, i)) = self.find_packed(id)? {
            return p.read_header(i);
        }
        self.loose.read_header(id)
    }
    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId> {
        let id = crate::object::hash_object(kind, data);
        if self.find_packed(&id)?.is_some() {
            return Ok(id);
        }
        self.writing()?;
        self.loose.write(kind, data)
    }
    fn write_many(&self, objects: &[(ObjectType, &[u8])]) -> Result<Vec<ObjectId>> {
        self.write_batch(objects)
    }
    fn is_shallow(&self, id: &ObjectId) -> Result<bool> {
        Ok(self.shallow()?.contains(id))
    }
}

impl LocalStore for Odb {
    fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<ObjectId>> {
        let mut v = self.loose.ids_with_prefix(prefix, limit)?;
        for p in Odb::packs(self)? {
            p.ids_with_prefix(prefix, limit, &mut v);
        }
        v.sort();
        v.dedup();
        Ok(v)
    }

    fn list_ids(&self) -> Result<Vec<ObjectId>> {
        let mut v = self.loose.list_ids()?;
        for p in Odb::packs(self)? {
            v.extend((0..p.len()).map(|i| p.id_at(i)));
        }
        v.sort();
        v.dedup();
        Ok(v)
    }

    fn remove_loose(&self, id: &ObjectId) -> Result<bool> {
        self.loose.remove_loose(id)
    }

    fn packs(&self) -> Result<Vec<Arc<pack::Pack>>> {
        Odb::packs(self)
    }

    fn full_record(&self, id: &ObjectId) -> Result<Option<Vec<u8>>> {
        let Some((p, i)) = self.find_packed(id)? else {
            return Ok(None);
        };
        if p.record(i)?.base.is_some() || !p.trailer_verified() {
            return Ok(None);
        }
        Ok(Some(p.raw_record(i)?.to_vec()))
    }
}

thread_local! {
    /// One zstd decompression context per thread: creating one per object
    /// (about 100 KiB to set up) dominated bulk reads.
    static DCTX: std::cell::RefCell<zstd::zstd_safe::DCtx<'static>> =
        std::cell::RefCell::new(zstd::zstd_safe::DCtx::create());
}

/// Decompress one whole zstd frame whose content is `size` bytes (or, with
/// `None`, at most an object's header plus `MAX_OBJECT_SIZE`). A declared or
/// actual content over that is refused before anything is allocated for it.
pub(crate) fn decompress_frame(
    frame: &[u8],
    size: Option<u64>,
) -> std::result::Result<Vec<u8>, Damage> {
    let max = size.unwrap_or(crate::object::MAX_OBJECT_SIZE + 32);
    if max > crate::object::MAX_OBJECT_SIZE + 32 {
        return Err(Damage::OverObjectLimit(max));
    }
    let declared = zstd::zstd_safe::get_frame_content_size(frame)
        .ok()
        .flatten();
    match declared {
        Some(n) if n > max => Err(match size {
            Some(_) => Damage::FrameOverExpected {
                declared: n,
                expected: max,
            },
            None => Damage::FrameOverObjectLimit(n),
        }),
        Some(n) => {
            let mut out: Vec<u8> = Vec::with_capacity(n as usize);
            DCTX.with(|c| c.borrow_mut().decompress(&mut out, frame))
                .map_err(|code| Damage::Zstd(zstd::zstd_safe::get_error_name(code)))?;
            Ok(out)
        }
        None => {
            let mut out = Vec::new();
            zstd::stream::Decoder::with_buffer(frame)
                .and_then(|d| std::io::Read::take(d, max + 1).read_to_end(&mut out))
                .map_err(Damage::Decompress)?;
            if out.len() as u64 > max {
                return Err(Damage::FrameTooLong(max));
            }
            Ok(out)
        }
    }
}

/// Figures of `count-objects`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ObjectCounts {
    /// Loose objects.
    pub loose: usize,
    /// Their bytes on disk.
    pub loose_bytes: u64,
    /// Objects in packs.
    pub in_pack: usize,
    /// Packs.
    pub packs: usize,
    /// Bytes of `.pack` and `.idx` files.
    pub pack_bytes: u64,
    /// Loose objects that a pack also holds.
    pub prune_packable: usize,
    /// Files in the object directory that are neither objects nor packs
    /// (temporary files left by killed writers, strays).
    pub garbage: usize,
    /// Their bytes.
    pub garbage_bytes: u64,
}

/// Count loose objects, packs and garbage in `odb`.
pub fn count_objects(odb: &Odb) -> Result<ObjectCounts> {
    let mut c = ObjectCounts::default();
    let packs = Odb::packs(odb)?;
    let packed = |id: &ObjectId| packs.iter().any(|p| p.find(id).is_some());
    let dir = odb.loose.dir().to_path_buf();
    let rd = match std::fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(c),
        Err(e) => return Err(e).at(&dir),
    };
    for ent in rd {
        let ent = ent.at(&dir)?;
        let name = ent.file_name().to_string_lossy().to_string();
        let path = ent.path();
        let meta = ent.metadata().at(&path)?;
        if name == "pack" && meta.is_dir() {
            for f in std::fs::read_dir(&path).at(&path)? {
                let f = f.at(&path)?;
                let n = f.file_name().to_string_lossy().to_string();
                let len = f.metadata().at(f.path())?.len();
                let is_pack =
                    n.starts_with("pack-") && (n.ends_with(".pack") || n.ends_with(".idx"));
                if is_pack {
                    c.pack_bytes += len;
                } else {
                    c.garbage += 1;
                    c.garbage_bytes += len;
                }
            }
            continue;
        }
        let fan = name.len() == 2 && name.bytes().all(|b| b.is_ascii_hexdigit()) && meta.is_dir();
        // objects/info/ holds a dumb-HTTP mirror's packs list (dumb-http.md).
        if name == WRITERS_LOCK || (name == "info" && meta.is_dir()) {
            continue;
        }
        if !fan {
            c.garbage += 1;
            c.garbage_bytes += meta.len();
            continue;
        }
        for f in std::fs::read_dir(&path).at(&path)? {
            let f = f.at(&path)?;
            let n = f.file_name().to_string_lossy().to_string();
            let len = f.metadata().at(f.path())?.len();
            match ObjectId::from_hex(&format!("{name}{n}")) {
                Ok(id) => {
                    c.loose += 1;
                    c.loose_bytes += len;
                    if packed(&id) {
                        c.prune_packable += 1;
                    }
                }
                Err(_) => {
                    c.garbage += 1;
                    c.garbage_bytes += len;
                }
            }
        }
    }
    c.packs = packs.len();
    c.in_pack = packs.iter().map(|p| p.len()).sum();
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_store_lists_prefixes_and_removes_loose_copies() {
        let t = tempfile::tempdir().unwrap();
        let odb = Odb::open(t.path());
        let loose = odb.write(ObjectType::Blob, b"loose one").unwrap();
        let many: Vec<Vec<u8>> = (0..PACK_THRESHOLD + 5)
            .map(|i| format!("packed {i}").into_bytes())
            .collect();
        let objs: Vec<(ObjectType, &[u8])> = many
            .iter()
            .map(|d| (ObjectType::Blob, d.as_slice()))
            .collect();
        let packed = odb.write_many(&objs).unwrap();
        assert_eq!(LocalStore::packs(&odb).unwrap().len(), 1);
        let all = odb.list_ids().unwrap();
        assert_eq!(all.len(), packed.len() + 1);
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert!(odb.contains(&loose).unwrap() && odb.contains(&packed[3]).unwrap());
        let hex = packed[3].to_hex();
        assert!(odb
            .ids_with_prefix(&hex[..6], 10)
            .unwrap()
            .contains(&packed[3]));
        assert!(odb.remove_loose(&loose).unwrap());
        assert!(!odb.remove_loose(&loose).unwrap());
        assert!(!odb.contains(&loose).unwrap());
        assert_eq!(odb.read_many(&packed[..2]).unwrap()[1].data, many[1]);
    }
}
