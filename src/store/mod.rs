//! Object storage. Everything above this module talks to `ObjectStore`, so
//! packs and remote stores slot in behind the same narrow trait.

pub mod loose;
pub mod mem;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::object::{Object, ObjectType};
use crate::oid::ObjectId;

pub use loose::LooseStore;
pub use mem::{BatchWriter, HashOnly, MemStore};

pub trait ObjectStore: Send + Sync {
    /// True if the object is present (not verified).
    fn contains(&self, id: &ObjectId) -> bool;
    /// Read an object, verified against its id.
    fn read(&self, id: &ObjectId) -> Result<Object>;
    /// Type and payload size, without reading the whole object where possible.
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)>;
    /// Store an object; returns its id. Idempotent.
    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId>;
    /// All stored ids starting with `prefix` (lowercase hex), at most `limit`.
    fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<ObjectId>>;
}

/// The object database of a workspace: loose objects (packs join later).
pub struct Odb {
    pub loose: LooseStore,
}

impl Odb {
    pub fn open(objects_dir: &Path) -> Odb {
        Odb {
            loose: LooseStore::new(objects_dir),
        }
    }

    pub fn objects_dir(&self) -> &Path {
        self.loose.dir()
    }

    /// Resolve a full id or a unique prefix of at least 4 hex digits.
    pub fn resolve_prefix(&self, s: &str) -> Result<ObjectId> {
        if !crate::oid::is_hex_prefix(s) {
            return Err(Error::BadObjectName(s.to_string()));
        }
        let lower = s.to_ascii_lowercase();
        if lower.len() == crate::oid::HEX_LEN {
            let id = ObjectId::from_hex(&lower)?;
            return if self.contains(&id) {
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

    /// Read and check the type.
    pub fn read_typed(&self, id: &ObjectId, kind: ObjectType) -> Result<Object> {
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

    /// Write many objects with one durable sync instead of one fsync each.
    pub fn write_batch(&self, objects: &[(ObjectType, &[u8])]) -> Result<Vec<ObjectId>> {
        self.loose.write_batch(objects)
    }

    pub fn loose_path(&self, id: &ObjectId) -> PathBuf {
        self.loose.path_of(id)
    }
}

impl ObjectStore for Odb {
    fn contains(&self, id: &ObjectId) -> bool {
        self.loose.contains(id)
    }
    fn read(&self, id: &ObjectId) -> Result<Object> {
        self.loose.read(id)
    }
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
        self.loose.read_header(id)
    }
    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId> {
        self.loose.write(kind, data)
    }
    fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<ObjectId>> {
        self.loose.ids_with_prefix(prefix, limit)
    }
}
