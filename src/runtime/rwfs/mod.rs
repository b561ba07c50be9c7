//! A read-write FUSE filesystem over a tree: a container's working root
//! (writes folded into `WORKING`, format-spec/runtime.md) or any tree whose
//! writes are thrown away at the end (a temporary instance).
//!
//! The view is the base tree plus what changed: every directory the kernel
//! has looked into keeps its base tree id and the names changed since the
//! last fold (`pending`); every known name maps to an inode or to nothing
//! (deleted). A file being written keeps its new content in a buffer (in
//! memory, past `SPILL_AT` in an unlinked temporary file), copied up from the
//! store on its first write. A fold stores changed content (FastCDC chunked),
//! rewrites the changed directories bottom-up with the prolly edit and, for a
//! working root, moves `WORKING` under its lock with compare-and-swap.
#![warn(missing_docs)]

mod attrs;
mod batches;
mod dirs;
mod filebuf;
mod files;
mod filesystem;
mod fold;
mod hardlinks;
mod inodes;
mod names;
mod readcache;
mod serve;
mod server;
#[cfg(test)]
mod tests;
mod view;
mod xattrs;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fuser::Errno;

use crate::error::Result;
use crate::oid::ObjectId;
use crate::prolly::dir::{self, Entry, ROOT_RECORD, S_IFDIR};
use crate::store::ObjectStore;
use crate::workspace::Workspace;

pub use server::{start_fuse_server, FuseServer};
// Where they were before `working` held them.
pub use crate::runtime::working::{publish, rebase};

use batches::Batch;
use inodes::{Node, State};
use readcache::{ChunkMap, ReadCache};

/// Attributes and entries change only through this filesystem, which the
/// kernel sees happen; a minute bounds staleness for anything else.
const TTL: Duration = Duration::from_secs(60);
/// Buffers of files being written move to a temporary file past this size.
pub const SPILL_AT: u64 = 8 << 20;
/// How often closed files' writes are folded into the working root.
pub const FOLD_EVERY: Duration = Duration::from_secs(5);

/// Where folded writes go.
pub enum Target {
    /// The working root of the workspace's selected container.
    Working,
    /// Nowhere: the writes of a temporary instance are discarded.
    Discard,
}

/// A read-write filesystem; cheap to clone (shared state).
#[derive(Clone)]
pub struct WorkingFs {
    inner: Arc<Inner>,
}

struct Inner {
    ws: Workspace,
    /// Recently read chunks, chunk lists and tree nodes: a program's pages
    /// fault in 4 KiB at a time, and each read would otherwise decompress and
    /// verify its whole chunk again; each lookup walks tree nodes.
    cache: Mutex<ReadCache>,
    /// Chunk maps of files read lately.
    maps: Mutex<HashMap<ObjectId, Arc<ChunkMap>>>,
    /// Chunks being read ahead.
    decoding: Mutex<std::collections::HashSet<ObjectId>>,
    /// Programs mapped from the program cache (verified), by content id:
    /// their reads are slices of the mapping.
    programs: Mutex<HashMap<ObjectId, Arc<memmap2::Mmap>>>,
    /// New objects, held until a fold (or `PENDING_BYTES`) writes them in one
    /// batch (a pack, one sync) instead of a loose object and fsync each.
    /// Writers hold it shared while they add to the batch, so that sealing
    /// it (exclusively) leaves no write behind.
    pending: std::sync::RwLock<Arc<crate::store::MemStore>>,
    /// Full batches being written to the store on the pool while writes go
    /// on into the next: still read from here until their pack is in the
    /// store's list. A failed one waits for the next fold to write it.
    sealed: Mutex<Vec<Batch>>,
    batch_done: Condvar,
    me: std::sync::Weak<Inner>,
    /// Tells the kernel when an attribute changed behind its cache.
    notifier: std::sync::OnceLock<fuser::Notifier>,
    target: Target,
    spill_dir: PathBuf,
    readonly: bool,
    /// Mount with `default_permissions` (see `check_permissions`).
    permissions: std::sync::atomic::AtomicBool,
    state: Mutex<State>,
    wake: Condvar,
    /// Threads for parallel hashing and compression, made on first use. The
    /// server is a forked child: if the parent had started rayon's global
    /// pool, its workers do not exist here and a parallel call from a FUSE
    /// thread would wait for them forever.
    pool: std::sync::OnceLock<Option<rayon::ThreadPool>>,
    /// Files to decode into the cache as soon as the mount is up.
    warm: Mutex<Vec<ObjectId>>,
}

impl Inner {
    /// Run `f` with its parallel work on the filesystem's own pool.
    fn par<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        let pool = self
            .pool
            .get_or_init(|| rayon::ThreadPoolBuilder::new().build().ok());
        match pool {
            Some(p) => p.install(f),
            None => f(),
        }
    }
}

fn now() -> (u64, u32) {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (d.as_secs(), d.subsec_nanos())
}

type R<T> = std::result::Result<T, Errno>;

/// Answer with the entry `r` (a lookup, as the kernel counts it), or its error.
fn reply_entry(reply: fuser::ReplyEntry, r: R<fuser::FileAttr>) {
    match r {
        Ok(a) => reply.entry(&TTL, &a, fuser::Generation(0)),
        Err(e) => reply.error(e),
    }
}

impl WorkingFs {
    /// The filesystem of tree `root` of `ws`'s store; with `Target::Working`
    /// it must be the container's working root. Large files being written
    /// spill into `spill_dir`.
    pub fn new(
        ws: Workspace,
        root: ObjectId,
        target: Target,
        spill_dir: PathBuf,
        readonly: bool,
    ) -> Result<WorkingFs> {
        let mut rec = match dir::get(&ws.odb, &root, ROOT_RECORD)? {
            Some(e) => e,
            None => Entry::new(ROOT_RECORD, S_IFDIR | 0o755, root),
        };
        rec.id = root;
        rec.name = Vec::new();
        let mut nodes = HashMap::new();
        let mut node = Node::from_entry(rec, 1);
        node.links.clear();
        nodes.insert(1, node);
        let state = State {
            nodes,
            names: HashMap::new(),
            next_ino: 2,
            next_fh: 1,
            dirs: HashMap::new(),
            files: HashMap::new(),
            base_root: root,
            root_meta_dirty: false,
            last_error: None,
            done: false,
            orphans: BTreeSet::new(),
        };
        Ok(WorkingFs {
            inner: Arc::new_cyclic(|me| Inner {
                ws,
                target,
                spill_dir,
                readonly,
                permissions: false.into(),
                state: Mutex::new(state),
                wake: Condvar::new(),
                cache: Mutex::new(ReadCache::default()),
                maps: Mutex::new(HashMap::new()),
                decoding: Mutex::new(std::collections::HashSet::new()),
                programs: Mutex::new(HashMap::new()),
                pending: std::sync::RwLock::new(Arc::default()),
                sealed: Mutex::new(Vec::new()),
                batch_done: Condvar::new(),
                me: me.clone(),
                notifier: std::sync::OnceLock::new(),
                pool: std::sync::OnceLock::new(),
                warm: Mutex::new(Vec::new()),
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn store(&self) -> &dyn ObjectStore {
        &*self.inner
    }

    /// Decode the content of `files` (a program about to start, by its file
    /// id) into the read cache on a thread of its own once the mount is up,
    /// while the sandbox is still being set up: its page faults then find
    /// the chunks decoded. An ELF program's interpreter is warmed too.
    pub fn warm(&self, files: Vec<ObjectId>) {
        *self.inner.warm.lock().unwrap_or_else(|p| p.into_inner()) = files;
    }

    /// Have the kernel check permissions (`default_permissions`) against
    /// the owners and modes the filesystem reports: right when the command's
    /// ids are the host's (a sandbox started by root maps them one to one)
    /// and it is not root (root, without capabilities, would be refused its
    /// own tree's files owned by others, and chown). Before `serve`.
    pub fn check_permissions(&self, on: bool) {
        self.inner
            .permissions
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// The last fold error (a fold on the timer has no caller to tell).
    pub fn take_error(&self) -> Option<String> {
        self.state().last_error.take()
    }
}
