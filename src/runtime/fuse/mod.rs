//! What the two FUSE filesystems (`treefs`, read-only, and `rwfs`, read-write) share: mounting
//! and unmounting (`mount`), attributes of tree entries (`attr`), and answers both give alike
//! (`reply`: directory listings, extended attributes, errors).
#![warn(missing_docs)]

pub(crate) mod attr;
pub mod mount;
pub(crate) mod reply;

pub use mount::{widen_readahead, READAHEAD_KB};
