//! What a push is asked and what it did: shared by the push over the
//! protocol (`sync`) and the push to an object store (`s3_remote`).

use crate::oid::ObjectId;

/// One ref a push concerns.
#[derive(Clone, Debug)]
pub struct PushRef {
    pub container: String,
    /// Local ref name (or empty for a delete).
    pub src: String,
    /// The remote ref name within the container.
    pub dst: String,
    pub old: ObjectId,
    pub new: ObjectId,
    /// `None`: pushed (or would be, with `dry_run`); else why not.
    pub error: Option<String>,
    /// Nothing to do: the remote already has it.
    pub up_to_date: bool,
    pub forced: bool,
}

/// Options of `push`.
#[derive(Clone, Debug, Default)]
pub struct PushOpts {
    pub force: bool,
    /// Push only if the remote ref still is what our remote-tracking ref
    /// says (`Some(None)`), or the given id (`Some(Some(id))`).
    pub force_with_lease: Option<Option<ObjectId>>,
    pub delete: bool,
    pub all: bool,
    pub tags: bool,
    pub atomic: bool,
    pub dry_run: bool,
    pub quiet: bool,
    pub set_upstream: bool,
    pub program: Option<String>,
}

/// What `push` did.
#[derive(Debug, Default)]
pub struct PushReport {
    pub refs: Vec<PushRef>,
    pub objects: usize,
    pub pack_bytes: u64,
    pub unpack_error: Option<String>,
}

impl PushReport {
    /// Whether every ref was pushed or up to date.
    pub fn ok(&self) -> bool {
        self.unpack_error.is_none() && self.refs.iter().all(|r| r.error.is_none())
    }
}
