//! What a push is asked and what it did: shared by the push over the
//! protocol (`sync`) and the push to an object store (`s3_remote`).
#![warn(missing_docs)]

use crate::oid::ObjectId;

/// One ref a push concerns.
#[derive(Clone, Debug)]
pub struct PushRef {
    /// The container the ref belongs to.
    pub container: String,
    /// Local ref name (or empty for a delete).
    pub src: String,
    /// The remote ref name within the container.
    pub dst: String,
    /// The remote ref's id before the push (zero if it did not exist).
    pub old: ObjectId,
    /// The id pushed (zero for a delete).
    pub new: ObjectId,
    /// `None`: pushed (or would be, with `dry_run`); else why not.
    pub error: Option<String>,
    /// Nothing to do: the remote already has it.
    pub up_to_date: bool,
    /// The update is not a fast-forward and was forced.
    pub forced: bool,
}

/// Options of `push`.
#[derive(Clone, Debug, Default)]
pub struct PushOpts {
    /// Allow updates that are not fast-forwards.
    pub force: bool,
    /// Push only if the remote ref still is what our remote-tracking ref
    /// says (`Some(None)`), or the given id (`Some(Some(id))`).
    pub force_with_lease: Option<Option<ObjectId>>,
    /// Delete the named remote refs.
    pub delete: bool,
    /// Push every branch of every container.
    pub all: bool,
    /// Push every tag of every container.
    pub tags: bool,
    /// Update all refs or none.
    pub atomic: bool,
    /// Report what would be pushed, without pushing.
    pub dry_run: bool,
    /// Report less.
    pub quiet: bool,
    /// Make each pushed branch track the remote ref it was pushed to.
    pub set_upstream: bool,
    /// The remote's receive-pack program, instead of the default.
    pub program: Option<String>,
}

/// What `push` did.
#[derive(Debug, Default)]
pub struct PushReport {
    /// One entry for each ref the push concerns.
    pub refs: Vec<PushRef>,
    /// Objects sent.
    pub objects: usize,
    /// Bytes of the pack sent.
    pub pack_bytes: u64,
    /// The remote's report on unpacking, when it failed.
    pub unpack_error: Option<String>,
}

impl PushReport {
    /// Whether every ref was pushed or up to date.
    pub fn ok(&self) -> bool {
        self.unpack_error.is_none() && self.refs.iter().all(|r| r.error.is_none())
    }
}
