//! A received pack in quarantine (format-spec/protocol.md, "Receiving a
//! pack"): stored and fully verified by `index-pack`, but under the name
//! `incoming-<sum>` that readers never load, until a connectivity check has
//! shown that everything the new ref values need is present. Only then is
//! it renamed to `pack-<sum>` (the `.pack` first, then its `.idx`), which
//! makes its objects visible; dropped without `admit`, it is removed.
#![warn(missing_docs)]

use crate::store::PackError;
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use crate::error::{Error, IoContext, Result};
use crate::links::Requires;
use crate::object::{Object, ObjectType};
use crate::oid::ObjectId;
use crate::prolly::dir::MAX_TREE_DEPTH;
use crate::store::pack::Pack;
use crate::store::shallow::ShallowSet;
use crate::store::{ObjectStore, Odb};

/// The file name prefix of a pack in quarantine.
pub const PREFIX: &str = "incoming";

/// A verified pack waiting to join the store.
pub struct Quarantine<'a> {
    odb: &'a Odb,
    pack: Pack,
    idx_path: PathBuf,
    pack_path: PathBuf,
    admitted: bool,
    /// External bases appended to complete a thin pack.
    pub thin_bases: usize,
}

/// Read a pack from `input` into quarantine: every record decoded and its
/// id checked, deltas against stored objects completed (`fix_thin`).
pub fn receive<'a>(odb: &'a Odb, input: &mut dyn Read, fix_thin: bool) -> Result<Quarantine<'a>> {
    let indexed = super::ingest::index_pack_as(odb, input, fix_thin, PREFIX)?;
    let pack_path = indexed.idx_path.with_extension("pack");
    crate::fsutil::remove_on_signal(&indexed.idx_path);
    crate::fsutil::remove_on_signal(&pack_path);
    let pack = match Pack::open(&indexed.idx_path) {
        Ok(p) => p,
        Err(e) => {
            let _ = std::fs::remove_file(&indexed.idx_path);
            let _ = std::fs::remove_file(&pack_path);
            return Err(e);
        }
    };
    Ok(Quarantine {
        odb,
        pack,
        idx_path: indexed.idx_path,
        pack_path,
        admitted: false,
        thin_bases: indexed.thin_bases,
    })
}

impl Quarantine<'_> {
    /// Objects in the quarantined pack.
    pub fn len(&self) -> usize {
        self.pack.len()
    }

    /// Whether the quarantined pack holds no object.
    pub fn is_empty(&self) -> bool {
        self.pack.is_empty()
    }

    /// Check that every object reachable from `tips` is present, either in
    /// the quarantined pack or in the store, and has the type its referrer
    /// says. The walk descends only through objects of the pack: an object
    /// already stored was complete when it was stored (every writer stores
    /// children before their parents), so the cost is that of the pack.
    ///
    /// `shallow` is the shallow set the workspace will have once the pack is
    /// admitted (protocol.md section 6a): its commits need no parents.
    pub fn check_connected(&self, tips: &[ObjectId], shallow: &ShallowSet) -> Result<()> {
        self.check_connected_as(
            &tips.iter().map(|t| (*t, Requires::Any)).collect::<Vec<_>>(),
            shallow,
        )
    }

    /// `check_connected`, each tip with what it must be (a branch: a
    /// commit). Also refuses a directory nested deeper than
    /// `MAX_TREE_DEPTH` below a commit (prolly-tree.md).
    pub fn check_connected_as(
        &self,
        tips: &[(ObjectId, Requires)],
        shallow: &ShallowSet,
    ) -> Result<()> {
        // The deepest directory level each object was reached at: one
        // reached again deeper is walked again, so no path escapes the limit.
        let mut seen: HashMap<ObjectId, usize> = HashMap::new();
        let mut stack: Vec<(ObjectId, Requires, usize)> =
            tips.iter().map(|(t, w)| (*t, *w, 0)).collect();
        while let Some((id, want, depth)) = stack.pop() {
            if id.is_zero() || seen.get(&id).is_some_and(|d| *d >= depth) {
                continue;
            }
            seen.insert(id, depth);
            if depth > MAX_TREE_DEPTH {
                return Err(PackError::TooDeep {
                    tree: id,
                    limit: MAX_TREE_DEPTH,
                }
                .into());
            }
            let Some(i) = self.pack.find(&id) else {
                let (kind, _) = self.odb.read_header(&id).map_err(|e| match e {
                    Error::NotFound(_) => PackError::Missing {
                        kind: want.name(),
                        id,
                    }
                    .into(),
                    e => e,
                })?;
                check_kind(&id, kind, want)?;
                continue;
            };
            let o = self.pack.read(i)?;
            check_kind(&id, o.kind, want)?;
            let cut = o.kind == ObjectType::Commit && shallow.contains(&id);
            crate::links::children(&id, o, cut, &mut |child, want, dir_root| {
                stack.push((child, want, depth + usize::from(dir_root)))
            })?;
        }
        Ok(())
    }

    /// Make the pack's objects part of the store.
    pub fn admit(mut self) -> Result<()> {
        let dir = self.odb.pack_dir();
        let name = |p: &PathBuf| -> PathBuf {
            let file = p.file_name().unwrap().to_string_lossy();
            dir.join(file.replacen(PREFIX, "pack", 1))
        };
        let pack_to = name(&self.pack_path);
        let idx_to = name(&self.idx_path);
        std::fs::rename(&self.pack_path, &pack_to).at(&pack_to)?;
        crate::sys::fsync_dir(&dir)?;
        std::fs::rename(&self.idx_path, &idx_to).at(&idx_to)?;
        crate::sys::fsync_dir(&dir)?;
        self.admitted = true;
        crate::fsutil::keep_on_signal(&self.idx_path);
        crate::fsutil::keep_on_signal(&self.pack_path);
        self.odb.rescan();
        Ok(())
    }
}

impl ObjectStore for Quarantine<'_> {
    fn contains(&self, id: &ObjectId) -> Result<bool> {
        Ok(self.pack.find(id).is_some() || self.odb.contains(id)?)
    }
    fn read(&self, id: &ObjectId) -> Result<Object> {
        match self.pack.find(id) {
            Some(i) => self.pack.read(i),
            None => self.odb.read(id),
        }
    }
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
        match self.pack.find(id) {
            Some(i) => self.pack.read_header(i),
            None => self.odb.read_header(id),
        }
    }
    fn write(&self, _kind: ObjectType, _data: &[u8]) -> Result<ObjectId> {
        Err(PackError::ReadOnlyQuarantine.into())
    }
}

impl Drop for Quarantine<'_> {
    fn drop(&mut self) {
        if !self.admitted {
            let _ = std::fs::remove_file(&self.idx_path);
            let _ = std::fs::remove_file(&self.pack_path);
            crate::fsutil::keep_on_signal(&self.idx_path);
            crate::fsutil::keep_on_signal(&self.pack_path);
        }
    }
}

fn check_kind(id: &ObjectId, kind: ObjectType, want: Requires) -> Result<()> {
    if want.admits(kind) {
        return Ok(());
    }
    Err(PackError::WrongKind {
        id: *id,
        actual: kind.name(),
        expected: want.name(),
    }
    .into())
}
