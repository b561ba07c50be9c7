//! The runtime: serving trees to the host and to containers.
//!
//! `fuse` serves any tree read-only as a FUSE filesystem (the first slice of
//! the container runtime; `hako mount` uses it).

pub mod fuse;
