//! The runtime: serving trees to the host and to containers.
//!
//! `treefs` serves any tree read-only as a FUSE filesystem (`hako mount`);
//! `rwfs` serves a tree read-write, folding writes into a container's working
//! root (`hako run`, `hako mount --rw`); both stand on `fuse`, the mounting,
//! attributes and replies they share. `working` moves a container's working
//! root to a folded tree (for rwfs, overlay's fold and materialize alike);
//! `instance` keeps the state of running instances under `.hako/instances/`
//! (format-spec/runtime.md); `programs` keeps the plain content of the
//! programs `run` starts; `datapath` decides between overlay (`overlay`, over
//! the checkout cache), FUSE and `materialize`.
#![warn(missing_docs)]

pub mod datapath;
pub mod error;
pub mod fuse;
pub mod hostcheck;
pub(crate) mod hostroot;
pub mod instance;
pub mod materialize;
pub mod overlay;
pub(crate) mod profiles;
pub(crate) mod programs;
pub mod rwfs;
pub mod supervisor;
pub mod treefs;
pub(crate) mod working;

/// `sandbox::in_own_pool` with the crate's error: materialize, the fold
/// in a mapped namespace and the checkout cache's `prepare` run so.
pub(crate) fn in_own_pool<T: Send>(f: impl FnOnce() -> T + Send) -> crate::error::Result<T> {
    Ok(crate::sandbox::in_own_pool(f).map_err(error::RuntimeError::Workers)?)
}
