//! In-memory stores: `MemStore` for tests and scratch work, and `BatchWriter`,
//! which gathers new objects in memory and stores them all with one durable sync.
#![warn(missing_docs)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

use crate::error::{Error, Result};
use crate::object::{hash_object, Object, ObjectType};
use crate::oid::ObjectId;
use crate::store::{LocalStore, ObjectStore, Odb};

type Shard = RwLock<HashMap<ObjectId, (ObjectType, Vec<u8>)>>;

/// Objects in memory, sharded by the id's first byte so parallel writers
/// rarely contend.
pub struct MemStore {
    shards: Vec<Shard>,
    bytes: AtomicU64,
}

impl Default for MemStore {
    fn default() -> Self {
        MemStore {
            shards: (0..64).map(|_| RwLock::new(HashMap::new())).collect(),
            bytes: AtomicU64::new(0),
        }
    }
}

impl MemStore {
    /// An empty store.
    pub fn new() -> MemStore {
        MemStore::default()
    }
    fn shard(&self, id: &ObjectId) -> &Shard {
        &self.shards[(id.0[0] & 63) as usize]
    }
    /// How many objects it holds.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().unwrap().len()).sum()
    }
    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Bytes of payload held.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
    /// Call `f` with every object, borrowed; the store is read-locked meanwhile.
    pub fn with_all<R>(&self, f: impl FnOnce(&[(ObjectId, ObjectType, &[u8])]) -> R) -> R {
        let guards: Vec<_> = self.shards.iter().map(|s| s.read().unwrap()).collect();
        let refs: Vec<(ObjectId, ObjectType, &[u8])> = guards
            .iter()
            .flat_map(|g| g.iter().map(|(id, (k, d))| (*id, *k, d.as_slice())))
            .collect();
        f(&refs)
    }

    /// Take every object out, leaving the store empty.
    pub fn drain(&self) -> Vec<(ObjectId, ObjectType, Vec<u8>)> {
        self.bytes.store(0, Ordering::Relaxed);
        let mut out = Vec::new();
        for s in &self.shards {
            out.extend(s.write().unwrap().drain().map(|(id, (k, d))| (id, k, d)));
        }
        out
    }
}

impl ObjectStore for MemStore {
    fn contains(&self, id: &ObjectId) -> Result<bool> {
        Ok(self.shard(id).read().unwrap().contains_key(id))
    }
    fn read(&self, id: &ObjectId) -> Result<Object> {
        self.shard(id)
            .read()
            .unwrap()
            .get(id)
            .map(|(k, d)| Object::new(*k, d.clone()))
            .ok_or(Error::NotFound(*id))
    }
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
        self.shard(id)
            .read()
            .unwrap()
            .get(id)
            .map(|(k, d)| (*k, d.len() as u64))
            .ok_or(Error::NotFound(*id))
    }
    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId> {
        let id = hash_object(kind, data);
        let mut map = self.shard(&id).write().unwrap();
        if let std::collections::hash_map::Entry::Vacant(v) = map.entry(id) {
            v.insert((kind, data.to_vec()));
            self.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
        }
        Ok(id)
    }
}

impl LocalStore for MemStore {
    fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<ObjectId>> {
        let mut out = Vec::new();
        for s in &self.shards {
            out.extend(
                s.read()
                    .unwrap()
                    .keys()
                    .filter(|k| k.to_hex().starts_with(prefix))
                    .copied(),
            );
        }
        out.truncate(limit);
        Ok(out)
    }

    fn list_ids(&self) -> Result<Vec<ObjectId>> {
        let mut out: Vec<ObjectId> = self
            .shards
            .iter()
            .flat_map(|s| s.read().unwrap().keys().copied().collect::<Vec<_>>())
            .collect();
        out.sort();
        Ok(out)
    }

    fn remove_loose(&self, id: &ObjectId) -> Result<bool> {
        let gone = self.shard(id).write().unwrap().remove(id);
        if let Some((_, d)) = &gone {
            self.bytes.fetch_sub(d.len() as u64, Ordering::Relaxed);
        }
        Ok(gone.is_some())
    }
}

/// A bulk writer flushes once it holds more payload bytes than this
/// (format-spec/packs.md, Bulk writes).
pub const BATCH_BYTES: u64 = 256 << 20;

/// New objects are held in memory (and readable) until `flush`, which writes
/// those the database lacks with a single filesystem sync.
pub struct BatchWriter<'a> {
    /// The database flushed to.
    pub odb: &'a Odb,
    pending: MemStore,
    /// Flush automatically when this many payload bytes are pending.
    limit: u64,
}

impl<'a> BatchWriter<'a> {
    /// A writer that flushes past `BATCH_BYTES` pending.
    pub fn new(odb: &'a Odb) -> BatchWriter<'a> {
        BatchWriter::with_limit(odb, BATCH_BYTES)
    }

    /// A writer that flushes whenever `limit` payload bytes are pending (a
    /// stream of unknown size, such as an image's layers, stays bounded).
    pub fn with_limit(odb: &'a Odb, limit: u64) -> BatchWriter<'a> {
        BatchWriter {
            odb,
            pending: MemStore::new(),
            limit,
        }
    }

    /// Store everything pending; returns how many objects were new.
    pub fn flush(&self) -> Result<usize> {
        let items = self.pending.drain();
        let refs: Vec<(ObjectId, ObjectType, &[u8])> = items
            .iter()
            .map(|(i, k, d)| (*i, *k, d.as_slice()))
            .collect();
        self.odb.write_known(&refs)
    }
}

impl ObjectStore for BatchWriter<'_> {
    fn contains(&self, id: &ObjectId) -> Result<bool> {
        Ok(self.pending.contains(id)? || self.odb.contains(id)?)
    }
    fn read(&self, id: &ObjectId) -> Result<Object> {
        match self.pending.read(id) {
            Ok(o) => Ok(o),
            Err(_) => self.odb.read(id),
        }
    }
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
        match self.pending.read_header(id) {
            Ok(h) => Ok(h),
            Err(_) => self.odb.read_header(id),
        }
    }
    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId> {
        let id = self.pending.write(kind, data)?;
        if self.pending.bytes() > self.limit {
            self.flush()?;
        }
        Ok(id)
    }
}

/// A store that only computes ids: `write` hashes and discards, reads fail.
/// Used to compute ids of trees and chunked files without storing them.
#[derive(Default)]
pub struct HashOnly;

impl ObjectStore for HashOnly {
    fn contains(&self, _id: &ObjectId) -> Result<bool> {
        Ok(false)
    }
    fn read(&self, id: &ObjectId) -> Result<Object> {
        Err(Error::NotFound(*id))
    }
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
        Err(Error::NotFound(*id))
    }
    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId> {
        Ok(hash_object(kind, data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{LocalStore, PACK_THRESHOLD};

    #[test]
    fn a_batch_flushes_past_its_limit_as_packs_and_a_small_rest_as_loose() {
        let t = tempfile::tempdir().unwrap();
        let odb = Odb::open(t.path());
        let batch = BatchWriter::with_limit(&odb, 150 * 200);
        for i in 0..400u32 {
            let data = format!("{i:0200}");
            batch.write(ObjectType::Blob, data.as_bytes()).unwrap();
        }
        batch.flush().unwrap();
        let c = crate::store::count_objects(&odb).unwrap();
        // Two flushes of 151 objects (more than 30000 bytes) became packs,
        // merged into one; the last 98 (fewer than 128) are loose.
        const { assert!(98 < PACK_THRESHOLD) };
        assert_eq!((c.in_pack, c.loose, c.packs), (302, 98, 1));
        assert_eq!(odb.list_ids().unwrap().len(), 400);
    }
}
