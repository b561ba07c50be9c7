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
        why: ShallowFault,
    },
    /// Another process holds `.hako/shallow.lock`.
    #[error("{} exists: another process is updating the shallow list", .0.display())]
    ShallowLocked(PathBuf),
    /// This process could not take its share of the writers' lock.
    #[error("cannot register as a writer: {}: {err}", path.display())]
    WriterRegistration {
        /// The writers' lock file.
        path: PathBuf,
        /// What the system reported (kept for every later write).
        err: std::sync::Arc<std::io::Error>,
    },
    /// `transfer.maxPackSize` is not a size.
    #[error(transparent)]
    BadMaxPackSize(#[from] BadMaxPackSize),
    /// Writers still hold the lock an exclusive step (a repack) needs.
    #[error("other hako processes are still writing objects ({} is held); try again later", .0.display())]
    WritersBusy(PathBuf),
}

/// What is wrong with a stored or received object, record or frame, said
/// without the file (the caller names it: `Error::Corrupt`, `PackError`).
#[derive(Debug, thiserror::Error)]
pub enum Damage {
    /// A record's head breaks the format.
    #[error("bad record at offset {at}: {why}")]
    Record {
        /// The record's offset.
        at: usize,
        /// What is wrong with its head.
        why: RecordFault,
    },
    /// zstd refused a frame.
    #[error("cannot decompress: {0}")]
    Zstd(&'static str),
    /// A zstd stream could not be read.
    #[error("cannot decompress: {0}")]
    Decompress(std::io::Error),
    /// A frame was to hold more than one object may.
    #[error("declares {0} bytes, over the 64 MiB limit of one object")]
    OverObjectLimit(u64),
    /// A frame declares more than its record says it holds.
    #[error("frame declares {declared} bytes, over the {expected} expected")]
    FrameOverExpected {
        /// What the frame declares.
        declared: u64,
        /// What its record says.
        expected: u64,
    },
    /// A frame declares more than one object may hold.
    #[error("frame declares {0} bytes, over the 64 MiB limit of one object")]
    FrameOverObjectLimit(u64),
    /// A frame without a declared size holds more than it may.
    #[error("frame holds more than the {0} bytes expected")]
    FrameTooLong(u64),
    /// The object header does not parse.
    #[error(transparent)]
    Header(Box<crate::error::Error>),
    /// A loose object's payload is not as long as its header says.
    #[error("header says {said} bytes, found {found}")]
    HeaderLength {
        /// The length in the header.
        said: u64,
        /// The payload's length.
        found: usize,
    },
    /// A record's payload is not as long as the record says.
    #[error("record says {said} bytes, found {found}")]
    RecordLength {
        /// The size in the record.
        said: u64,
        /// The payload's length.
        found: usize,
    },
    /// The content does not hash to the id it is stored under.
    #[error("hash mismatch (content hashes to {0})")]
    HashMismatch(ObjectId),
    /// Following delta bases went past the depth limit.
    #[error(
        "delta chain deeper than {} (or a cycle)",
        crate::store::pack::MAX_DELTA_DEPTH
    )]
    DeltaTooDeep,
    /// A delta record's base is not in its pack.
    #[error("delta base {0} is not in the pack")]
    BaseNotInPack(ObjectId),
    /// An ops body with no base to copy from.
    #[error("ops without a base")]
    OpsWithoutBase,
    /// An op's instructions break the ops format.
    #[error(transparent)]
    Ops(#[from] OpsFault),
}

/// What is wrong with a record's head (format-spec/packs.md, "Records").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordFault {
    /// The offset is past the last record.
    #[error("past the end of the records")]
    PastEnd,
    /// A version 1 pack holds no deltas.
    #[error("delta record in a version 1 pack")]
    DeltaInVersion1,
    /// The type code is none of the known ones.
    #[error("unknown kind {0:#04x}")]
    UnknownKind(u8),
    /// A compact record's head byte is not a valid one.
    #[error("bad head byte {0:#04x}")]
    BadHeadByte(u8),
    /// A varint field does not decode.
    #[error("{0}")]
    Varint(crate::codec::DecodeError),
    /// The record declares more than one object may hold.
    #[error("record declares {0} bytes, over the 64 MiB limit of one object")]
    OverObjectLimit(u64),
    /// The base id runs past the records.
    #[error("truncated base id")]
    TruncatedBase,
    /// The frame runs past the records.
    #[error("truncated frame")]
    TruncatedFrame,
    /// A compact record's ops body names no base.
    #[error("ops without a base")]
    OpsWithoutBase,
    /// A compact record's raw body names a base.
    #[error("a raw body with a base")]
    RawWithBase,
    /// A compact record's body is longer than one object may be.
    #[error("a body of {0} bytes, over the limit of one object")]
    BodyOverLimit(u64),
    /// A compact record's body runs past the records.
    #[error("truncated body")]
    TruncatedBody,
}

/// What is wrong with an ops body (format-spec/packs.md, compact packs);
/// AT is the op's byte offset in the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpsFault {
    /// A varint of the ops does not decode.
    #[error("ops: {0}")]
    Varint(crate::codec::DecodeError),
    /// An op would build more than the record declares.
    #[error("the op at byte {at} builds more than the {size} bytes declared")]
    Overflow {
        /// The op's offset.
        at: usize,
        /// The declared size.
        size: u64,
    },
    /// An insert of nothing.
    #[error("an empty insert at op byte {0}")]
    EmptyInsert(usize),
    /// An insert runs past the ops.
    #[error("a truncated insert at op byte {0}")]
    TruncatedInsert(usize),
    /// A copy of nothing.
    #[error("an empty copy at op byte {0}")]
    EmptyCopy(usize),
    /// A copy reaches past the base.
    #[error("a copy at op byte {at} reaches past the base's {len} bytes")]
    CopyPastBase {
        /// The op's offset.
        at: usize,
        /// The base's length.
        len: usize,
    },
    /// A base-id op of an unknown form.
    #[error("a bad base id op at op byte {0}")]
    BadBaseIdOp(usize),
    /// The ops built another size than the record declares.
    #[error("ops build {built} bytes, the record says {size}")]
    WrongSize {
        /// What the ops built.
        built: usize,
        /// The declared size.
        size: u64,
    },
}

/// What is wrong with `.hako/shallow` (format-spec/layout.md, "Shallow
/// workspaces"); N is a line number from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShallowFault {
    /// The file does not end with LF.
    #[error("the last line has no LF")]
    NoFinalNewline,
    /// A line is not UTF-8.
    #[error("line {0}: not text")]
    NotText(usize),
    /// A line is not 64 lowercase hex digits.
    #[error("line {n}: not a lowercase 64-hex object id: '{line}'")]
    NotLowercaseHex {
        /// The line number.
        n: usize,
        /// The line.
        line: String,
    },
    /// A line is not an object id.
    #[error("line {n}: not an object id: '{line}'")]
    NotAnId {
        /// The line number.
        n: usize,
        /// The line.
        line: String,
    },
    /// A line is not greater than the one before.
    #[error("line {0}: ids not sorted or repeated")]
    NotSorted(usize),
}

/// A configured `transfer.maxPackSize` that is not a size: AT names where
/// it is set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: transfer.maxPackSize is '{value}', not a size (bytes, or with k, m, g, t)")]
pub struct BadMaxPackSize {
    /// Where the value is set.
    pub at: String,
    /// The value.
    pub value: String,
}
