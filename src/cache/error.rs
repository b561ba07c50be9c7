//! Why the checkout cache refused a tree or found an entry damaged: each
//! message is the one-line text users see.

use std::path::PathBuf;

use crate::error::Error;
use crate::oid::ObjectId;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// An entry's or instance's record file that does not parse.
    #[error("{}: malformed", .0.display())]
    MalformedRecord(PathBuf),
    #[error("{at}: cache.maxSize: '{value}' is not a size")]
    BadMaxSize { at: String, value: String },
    /// Tree TREE holds at PATH an entry overlay cannot present.
    #[error("tree {tree}: {path}: {why}; overlay cannot present it")]
    NotPresentable {
        tree: ObjectId,
        path: String,
        why: Unpresentable,
    },
    #[error("{}: too many links", .0.display())]
    TooManyLinks(PathBuf),
    /// An entry could not be completed (its sync finished).
    #[error(transparent)]
    Damaged(EntryDamage),
    /// The quick check failed on an entry just written.
    #[error("cache entry {name} damaged as it was written: {damage}")]
    DamagedAsWritten { name: String, damage: EntryDamage },
    /// The worker threads an entry is written with could not start.
    #[error("{0}")]
    Workers(crate::sandbox::Error),
}

/// What an entry holds that overlay cannot present.
#[derive(Debug, thiserror::Error)]
pub enum Unpresentable {
    /// A whiteout to overlay.
    #[error("a character device 0:0")]
    WhiteoutDevice,
    #[error("an xattr user.overlay.*")]
    OverlayXattr,
    #[error("owner {uid}:{gid} outside the --map-users map")]
    OwnerOutsideMap { uid: u32, gid: u32 },
    #[error("an xattr {0} (a user namespace cannot set it)")]
    UnsettableXattr(String),
}

/// An entry of the checkout cache that failed its quick check or could not
/// be completed: it is removed and written again.
#[derive(Debug, thiserror::Error)]
#[error("{entry}: {why}")]
pub struct EntryDamage {
    /// The entry's name.
    pub entry: String,
    pub why: DamageKind,
}

#[derive(Debug, thiserror::Error)]
pub enum DamageKind {
    /// Its record cannot be read.
    #[error("{0}")]
    Record(Box<Error>),
    #[error("entry names another tree")]
    NamesAnotherTree,
    #[error("stacked too deep")]
    StackedTooDeep,
    #[error("unsynced: malformed")]
    UnsyncedMalformed,
    #[error("unsynced: {0}")]
    UnsyncedUnreadable(std::io::Error),
    /// Its sync was left to its next use, and the system restarted since.
    #[error("written before the system restarted, and never synced")]
    NeverSynced,
    #[error("stamps: {0}")]
    StampsUnreadable(std::io::Error),
    /// PATH of its root differs from its stamp.
    #[error("{path}: {why}")]
    Stamp { path: String, why: &'static str },
    /// Its directory cannot be opened, or `unsynced` removed.
    #[error("{0}")]
    Io(std::io::Error),
    #[error("syncfs: {0}")]
    Syncfs(nix::errno::Errno),
}

impl DamageKind {
    /// This damage, of entry NAME.
    pub fn of(self, name: &str) -> EntryDamage {
        EntryDamage {
            entry: name.to_string(),
            why: self,
        }
    }
}

impl From<EntryDamage> for Error {
    fn from(d: EntryDamage) -> Error {
        Error::Cache(CacheError::Damaged(d))
    }
}
