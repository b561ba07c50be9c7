//! Why the checkout cache refused a tree or found an entry damaged: each
//! message is the one-line text users see.
#![warn(missing_docs)]

use std::path::PathBuf;

use crate::error::Error;
use crate::oid::ObjectId;

/// Why the checkout cache refused a tree or an entry could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// An entry's or instance's record file that does not parse.
    #[error("{}: malformed", .0.display())]
    MalformedRecord(PathBuf),
    /// `cache.maxSize` in the configuration is not a size.
    #[error("{at}: cache.maxSize: '{value}' is not a size")]
    BadMaxSize {
        /// The configuration file.
        at: String,
        /// The value it holds.
        value: String,
    },
    /// Tree TREE holds at PATH an entry overlay cannot present.
    #[error("tree {tree}: {path}: {why}; overlay cannot present it")]
    NotPresentable {
        /// The tree.
        tree: ObjectId,
        /// The entry's path in it.
        path: String,
        /// What overlay cannot present.
        why: Unpresentable,
    },
    /// A file has too many hard links in the cache to add another.
    #[error("{}: too many links", .0.display())]
    TooManyLinks(PathBuf),
    /// An entry could not be completed (its sync finished).
    #[error(transparent)]
    Damaged(EntryDamage),
    /// The quick check failed on an entry just written.
    #[error("cache entry {name} damaged as it was written: {damage}")]
    DamagedAsWritten {
        /// The entry.
        name: String,
        /// What the check found.
        damage: EntryDamage,
    },
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
    /// An extended attribute in the `user.overlay.` namespace, which overlay reads itself.
    #[error("an xattr user.overlay.*")]
    OverlayXattr,
    /// An owner that the `--map-users` map does not cover.
    #[error("owner {uid}:{gid} outside the --map-users map")]
    OwnerOutsideMap {
        /// The user id.
        uid: u32,
        /// The group id.
        gid: u32,
    },
    /// An extended attribute a user namespace cannot set.
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
    /// What is wrong with it.
    pub why: DamageKind,
}

/// What is wrong with a damaged cache entry.
#[derive(Debug, thiserror::Error)]
pub enum DamageKind {
    /// Its record cannot be read.
    #[error("{0}")]
    Record(Box<Error>),
    /// Its record names another tree than the entry's name.
    #[error("entry names another tree")]
    NamesAnotherTree,
    /// Its chain of layers is deeper than allowed.
    #[error("stacked too deep")]
    StackedTooDeep,
    /// Its `unsynced` marker does not parse.
    #[error("unsynced: malformed")]
    UnsyncedMalformed,
    /// Its `unsynced` marker cannot be read.
    #[error("unsynced: {0}")]
    UnsyncedUnreadable(std::io::Error),
    /// Its sync was left to its next use, and the system restarted since.
    #[error("written before the system restarted, and never synced")]
    NeverSynced,
    /// Its stamps file cannot be read.
    #[error("stamps: {0}")]
    StampsUnreadable(std::io::Error),
    /// PATH of its root differs from its stamp.
    #[error("{path}: {why}")]
    Stamp {
        /// The path from the entry's root.
        path: String,
        /// What differs.
        why: &'static str,
    },
    /// Its directory cannot be opened, or `unsynced` removed.
    #[error("{0}")]
    Io(std::io::Error),
    /// Syncing its filesystem failed.
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
