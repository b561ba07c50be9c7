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

pub mod datapath;
pub mod fuse;
pub mod hostcheck;
pub mod hostroot;
pub mod instance;
pub mod materialize;
pub mod overlay;
pub mod profiles;
pub mod programs;
pub mod rwfs;
pub mod supervisor;
pub mod treefs;
pub mod working;

/// Run `f` (which may use rayon) on a worker pool of its own whose threads
/// are gone when this returns. The caller may be a forked supervisor (where
/// the parent's global pool has no threads), the workers must never take
/// the signals the supervisor waits for, and the sandbox is cloned next: a
/// thread holding a lock (malloc's, libc's) at that moment would leave the
/// lock held forever in the child. Materialize and the checkout cache's
/// `prepare` run so.
pub fn in_own_pool<T: Send>(f: impl FnOnce() -> T + Send) -> crate::error::Result<T> {
    let threads = || std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count());
    let before = threads();
    let pool = rayon::ThreadPoolBuilder::new()
        .start_handler(|_| crate::sandbox::block_supervised_signals())
        .build()
        .map_err(|e| crate::error::Error::Invalid(format!("cannot start worker threads: {e}")))?;
    let out = pool.install(f);
    drop(pool);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while threads() > before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    Ok(out)
}
