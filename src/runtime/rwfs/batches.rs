//! New objects batched and written a pack at a time; `Inner` as the store the view uses.
#![warn(missing_docs)]

use std::sync::{Arc, MutexGuard};

use crate::error::{Error, Result};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::store::ObjectStore;

use super::Inner;

const PENDING_BYTES: u64 = 128 << 20;

impl Inner {
    /// `f` of the first batch not yet in the store that answers it: the
    /// current one, then the sealed ones (an object moves from one to the
    /// next, and into the store, only after it is readable there).
    pub(super) fn in_batches<T>(
        &self,
        f: impl Fn(&crate::store::MemStore) -> Result<T>,
    ) -> Option<T> {
        let cur = self
            .pending
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Ok(x) = f(&cur) {
            return Some(x);
        }
        let sealed: Vec<Arc<crate::store::MemStore>> =
            self.batches().iter().map(|b| b.objects.clone()).collect();
        sealed.iter().find_map(|b| f(b).ok())
    }

    pub(super) fn batches(&self) -> MutexGuard<'_, Vec<Batch>> {
        self.sealed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Seal the current batch (if it holds anything) and start a new one.
    pub(super) fn seal(&self) -> Option<Arc<crate::store::MemStore>> {
        self.seal_locked(&mut self.batches())
    }

    pub(super) fn seal_locked(
        &self,
        sealed: &mut Vec<Batch>,
    ) -> Option<Arc<crate::store::MemStore>> {
        let mut cur = self.pending.write().unwrap_or_else(|p| p.into_inner());
        if cur.is_empty() {
            return None;
        }
        let old = std::mem::take(&mut *cur);
        sealed.push(Batch {
            objects: old.clone(),
            writing: true,
        });
        Some(old)
    }

    /// Write a sealed batch to the store (one pack, one sync) and retire it;
    /// on failure it stays, to be written again.
    pub(super) fn write_batch(&self, b: &Arc<crate::store::MemStore>) -> Result<()> {
        let r = b.with_all(|refs| {
            // A bulk write: packs of 32 MiB and more are left apart (packs.md).
            self.par(|| self.ws.odb.write_known(refs))
        });
        let mut sealed = self.batches();
        match &r {
            Ok(_) => sealed.retain(|x| !Arc::ptr_eq(&x.objects, b)),
            Err(_) => {
                for x in sealed.iter_mut().filter(|x| Arc::ptr_eq(&x.objects, b)) {
                    x.writing = false;
                }
            }
        }
        self.batch_done.notify_all();
        r.map(|_| ())
    }

    /// The current batch is full: write it on the pool while writes go on,
    /// after the previous one (at most two batches are held in memory).
    pub(super) fn flush_in_background(&self) {
        // Waiting and sealing under one lock: parallel writers that all
        // found the batch full seal it once, and batches are written one at
        // a time (two writers would race on the pack list).
        let b = {
            let mut sealed = self.batches();
            while sealed.iter().any(|b| b.writing) {
                sealed = self
                    .batch_done
                    .wait(sealed)
                    .unwrap_or_else(|p| p.into_inner());
            }
            let full = self
                .pending
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .bytes()
                > PENDING_BYTES;
            if !full {
                return;
            }
            self.seal_locked(&mut sealed)
        };
        let (Some(me), Some(b)) = (self.me.upgrade(), b) else {
            return;
        };
        self.par(move || {
            rayon::spawn(move || {
                // A failure leaves the batch for the next fold, which reports it.
                let _ = me.write_batch(&b);
            })
        });
    }

    /// Write every object not yet in the store to it, durably. Batches are
    /// written one at a time (the callers hold the state lock, the pool
    /// writes one batch at a time): two writers would race on the pack list.
    pub(super) fn flush_pending(&self) -> Result<()> {
        loop {
            let again = {
                let mut sealed = self.batches();
                if sealed.iter().any(|b| b.writing) {
                    let _unused = self
                        .batch_done
                        .wait(sealed)
                        .unwrap_or_else(|p| p.into_inner());
                    continue;
                }
                match sealed.first_mut() {
                    Some(b) => {
                        b.writing = true;
                        b.objects.clone()
                    }
                    None => break,
                }
            };
            self.write_batch(&again)?;
        }
        match self.seal() {
            Some(b) => self.write_batch(&b),
            None => Ok(()),
        }
    }
}

/// A full batch of new objects.
pub(super) struct Batch {
    pub(super) objects: Arc<crate::store::MemStore>,
    /// Being written now (else its write failed).
    pub(super) writing: bool,
}

impl ObjectStore for Inner {
    fn contains(&self, id: &ObjectId) -> Result<bool> {
        let held = |b: &crate::store::MemStore| match b.contains(id) {
            Ok(true) => Ok(()),
            _ => Err(Error::NotFound(*id)),
        };
        if self.in_batches(held).is_some() {
            return Ok(true);
        }
        self.ws.odb.contains(id)
    }
    fn read(&self, id: &ObjectId) -> Result<crate::object::Object> {
        let (kind, data) = self.read_shared(id)?;
        Ok(crate::object::Object {
            kind,
            data: Arc::unwrap_or_clone(data),
        })
    }
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
        let lock = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((kind, data)) = lock.objects.get(id) {
            return Ok((*kind, data.len() as u64));
        }
        drop(lock);
        match self.in_batches(|b| b.read_header(id)) {
            Some(h) => Ok(h),
            None => self.ws.odb.read_header(id),
        }
    }
    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId> {
        let (id, full) = {
            let cur = self.pending.read().unwrap_or_else(|p| p.into_inner());
            (cur.write(kind, data)?, cur.bytes() > PENDING_BYTES)
        };
        if full {
            self.flush_in_background();
        }
        Ok(id)
    }
}
