//! The runtime: serving trees to the host and to containers.
//!
//! `fuse` serves any tree read-only as a FUSE filesystem (`hako mount`);
//! `rwfs` serves a tree read-write, folding writes into a container's working
//! root (`hako run`, `hako mount --rw`); `instance` keeps the state of running
//! instances under `.hako/instances/` (format-spec/runtime.md); `programs`
//! keeps the plain content of the programs `run` starts.

pub mod fuse;
pub mod instance;
pub mod materialize;
pub mod overlay;
pub mod profiles;
pub mod programs;
pub mod rwfs;
