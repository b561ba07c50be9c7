//! The errors of upkeep: gc, repack, prune and fsck's refusals.
#![warn(missing_docs)]

use std::path::PathBuf;

use crate::oid::ObjectId;

/// Why gc, repack or prune refused to run.
#[derive(Debug, thiserror::Error)]
pub enum MaintError {
    /// A root (a ref, the working root, a merge state) cannot be read, so
    /// what it names cannot be judged unreachable.
    #[error("{0}")]
    BrokenRoot(String),
    /// Another gc holds the gc lock.
    #[error("another gc is running ({} is held; if none is running, remove it)", .0.display())]
    GcRunning(PathBuf),
    /// Reachable objects cannot be read.
    #[error("refusing to collect garbage: {count} reachable objects cannot be read (first: {first}: {why}); run fsck")]
    Unreadable {
        /// How many cannot be read.
        count: usize,
        /// The first of them.
        first: ObjectId,
        /// Why it cannot be read.
        why: String,
    },
    /// Objects that reachable ones link to are missing.
    #[error("refusing to collect garbage: {count} referenced objects are missing (first: {kind} {id} from {from}); run fsck")]
    Missing {
        /// How many are missing.
        count: usize,
        /// The type of the first.
        kind: &'static str,
        /// The first.
        id: ObjectId,
        /// The object that links to it.
        from: String,
    },
    /// An expiry that is not now, never, SECONDS or N.days.ago.
    #[error("invalid expiry '{0}' (use now, never, SECONDS, or N.days.ago)")]
    BadExpiry(String),
}
