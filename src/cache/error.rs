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
/// be completed: it is removed and written again. Serialized as JSON when
/// found in a user namespace (`--map-users` entries); its system errors
/// keep their number, so they read the same on the way back.
#[derive(Debug, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("{entry}: {why}")]
pub struct EntryDamage {
    /// The entry's name.
    pub entry: String,
    /// What is wrong with it.
    pub why: DamageKind,
}

/// What is wrong with a damaged cache entry.
#[derive(Debug, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum DamageKind {
    /// Its record cannot be read: the error, as its text.
    #[error("{0}")]
    Record(String),
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
    UnsyncedUnreadable(#[serde(with = "os_error")] std::io::Error),
    /// Its sync was left to its next use, and the system restarted since.
    #[error("written before the system restarted, and never synced")]
    NeverSynced,
    /// Its stamps file cannot be read.
    #[error("stamps: {0}")]
    StampsUnreadable(#[serde(with = "os_error")] std::io::Error),
    /// PATH of its root differs from its stamp.
    #[error("{path}: {why}")]
    Stamp {
        /// The path from the entry's root.
        path: String,
        /// What differs.
        why: std::borrow::Cow<'static, str>,
    },
    /// Its directory cannot be opened, or `unsynced` removed.
    #[error("{0}")]
    Io(#[serde(with = "os_error")] std::io::Error),
    /// Syncing its filesystem failed.
    #[error("syncfs: {0}")]
    Syncfs(#[serde(with = "errno")] nix::errno::Errno),
}

/// A system error as its number (or, for another error, its text).
mod os_error {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    enum Wire {
        Os(i32),
        Other(String),
    }

    pub fn serialize<S: Serializer>(e: &std::io::Error, s: S) -> Result<S::Ok, S::Error> {
        match e.raw_os_error() {
            Some(n) => Wire::Os(n),
            None => Wire::Other(e.to_string()),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<std::io::Error, D::Error> {
        Ok(match Wire::deserialize(d)? {
            Wire::Os(n) => std::io::Error::from_raw_os_error(n),
            Wire::Other(text) => std::io::Error::other(text),
        })
    }
}

/// An errno as its number.
mod errno {
    use nix::errno::Errno;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(e: &Errno, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(*e as i32)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Errno, D::Error> {
        Ok(Errno::from_raw(i32::deserialize(d)?))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damage_reads_the_same_after_a_round_trip_through_json() {
        let damages = [
            DamageKind::Io(std::io::Error::from_raw_os_error(libc::ENOENT)),
            DamageKind::StampsUnreadable(std::io::Error::other("short read")),
            DamageKind::Syncfs(nix::errno::Errno::EIO),
            DamageKind::Stamp {
                path: "etc/group".into(),
                why: "size changed".into(),
            },
            DamageKind::NeverSynced,
        ];
        for d in damages {
            let d = d.of("abc.plain");
            let text = d.to_string();
            let json = serde_json::to_string(&d).unwrap();
            let back: EntryDamage = serde_json::from_str(&json).unwrap();
            assert_eq!(back.to_string(), text);
        }
    }
}
