//! The errors of the object store and of packs: reading, writing and
//! receiving them.
#![warn(missing_docs)]

use std::path::PathBuf;

use crate::oid::ObjectId;

/// Why a pack could not be read, written or received.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// A stored pack or its index does not hold what its format says.
    #[error("corrupt pack {}: {why}", path.display())]
    Corrupt {
        /// The pack or index file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A pack stream (received, or being indexed) breaks the format.
    #[error("bad pack: {0}")]
    Bad(String),
    /// The pack stream could not be read.
    #[error("{0}")]
    Read(std::io::Error),
    /// The pack could not be written out.
    #[error("cannot write the pack: {0}")]
    Write(std::io::Error),
    /// zstd refused to compress.
    #[error("zstd: {0}")]
    Zstd(std::io::Error),
    /// A pack builder was fed what its caller promised not to feed it.
    #[error("pack builder: {0}")]
    Builder(String),
    /// An object twice in one pack.
    #[error("pack holds {0} twice")]
    Duplicate(ObjectId),
    /// A pack path without a file name.
    #[error("bad pack basename '{}'", .0.display())]
    BadBasename(PathBuf),
    /// A received pack past `transfer.maxPackSize`.
    #[error("the pack is larger than transfer.maxPackSize ({max} bytes): record at offset {at} ends past it")]
    TooLarge {
        /// The limit in bytes.
        max: u64,
        /// The offset of the record that passes it.
        at: u64,
    },
    /// A received tree nests deeper than the tree depth limit.
    #[error("tree {tree} nests directories deeper than the limit of {limit}")]
    TooDeep {
        /// The tree.
        tree: ObjectId,
        /// The deepest nesting allowed.
        limit: usize,
    },
    /// An object a received pack needs is neither in it nor stored.
    #[error("missing objects: {kind} {id} is neither in the pack nor stored here")]
    Missing {
        /// The type it was linked as.
        kind: &'static str,
        /// The object.
        id: ObjectId,
    },
    /// An object linked as one type is another.
    #[error("{id} is a {actual}, not a {expected}")]
    WrongKind {
        /// The object.
        id: ObjectId,
        /// The type it has.
        actual: &'static str,
        /// The type it was linked as.
        expected: &'static str,
    },
    /// Something tried to write into a pack in quarantine.
    #[error("a quarantine is read-only")]
    ReadOnlyQuarantine,
}

/// Why the object store refused (besides its packs' errors).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `.hako/shallow` is malformed.
    #[error("{}: {why}", path.display())]
    BadShallow {
        /// The shallow file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// Another process holds `.hako/shallow.lock`.
    #[error("{} exists: another process is updating the shallow list", .0.display())]
    ShallowLocked(PathBuf),
    /// This process could not take its share of the writers' lock.
    #[error("cannot register as a writer: {0}")]
    WriterRegistration(String),
    /// `transfer.maxPackSize` is not a size (where it is set, and why).
    #[error("{0}")]
    BadMaxPackSize(String),
    /// Writers still hold the lock an exclusive step (a repack) needs.
    #[error("other hako processes are still writing objects ({} is held); try again later", .0.display())]
    WritersBusy(PathBuf),
}
