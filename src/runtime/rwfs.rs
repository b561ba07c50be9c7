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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsStr;
use std::fs::File;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fuser::{
    AccessFlags, BsdFileFlags, Config, Errno, FileAttr, FileHandle, FileType, Filesystem,
    FopenFlags, Generation, INodeNo, KernelConfig, MountOption, OpenAccMode, OpenFlags,
    RenameFlags, ReplyAttr, ReplyCreate, ReplyData, ReplyDirectory, ReplyDirectoryPlus, ReplyEmpty,
    ReplyEntry, ReplyOpen, ReplyStatfs, ReplyWrite, ReplyXattr, Request, SessionACL, TimeOrNow,
    WriteFlags,
};

use crate::container::{lock_working, read_working, working_root};
use crate::error::{Error, Result};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::prolly::dir::{
    self, Entry, Meta, TreeCursor, ROOT_RECORD, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG,
};
use crate::prolly::file;
use crate::store::ObjectStore;
use crate::workspace::Workspace;

/// Attributes and entries change only through this filesystem, which the
/// kernel sees happen; a minute bounds staleness for anything else.
const TTL: Duration = Duration::from_secs(60);
const BLKSIZE: u32 = 128 * 1024;
/// Buffers of files being written move to a temporary file past this size.
pub const SPILL_AT: u64 = 8 << 20;
/// How often closed files' writes are folded into the working root.
pub const FOLD_EVERY: Duration = Duration::from_secs(5);
const XATTR_CREATE: i32 = 1;
const XATTR_REPLACE: i32 = 2;

/// Where folded writes go.
pub enum Target {
    /// The working root of the workspace's selected container.
    Working,
    /// Nowhere: the writes of a temporary instance are discarded.
    Discard,
}

/// The content of a file being written.
enum FileBuf {
    Mem(Vec<u8>),
    Spill {
        file: File,
        len: u64,
    },
    /// A new file of a working root, stored as it is written.
    Stream(Box<Stream>),
}

/// Bytes a `Stream` gathers before it chunks and stores them (in parallel).
const SETTLE_AT: usize = 8 << 20;
/// Bytes of out-of-order writes a `Stream` holds before it gives up.
const LATER_MAX: usize = 32 << 20;

/// A file written from its start (about) in order: the chunks that no later
/// append can change are stored as they complete, so a large new file is
/// never copied to a spill file and read back to be stored. A write before
/// the stored part turns it into a `Mem` or `Spill` buffer.
#[derive(Default)]
struct Stream {
    /// Stored chunks: (length, blob id), and the offset where each ends.
    chunks: Vec<(u64, ObjectId)>,
    ends: Vec<u64>,
    /// The bytes after the last stored chunk.
    tail: Vec<u8>,
    /// Writes past the end, held until the gap fills (concurrent requests
    /// arrive out of order): offset → bytes, never overlapping.
    later: BTreeMap<u64, Vec<u8>>,
    later_bytes: usize,
}

impl Stream {
    fn stored(&self) -> u64 {
        self.ends.last().copied().unwrap_or(0)
    }
    /// The end of the contiguous content.
    fn end(&self) -> u64 {
        self.stored() + self.tail.len() as u64
    }
    fn len(&self) -> u64 {
        let later = self
            .later
            .last_key_value()
            .map_or(0, |(k, v)| k + v.len() as u64);
        self.end().max(later)
    }

    /// Chunk the tail and store the chunks: all of them with `all`, else
    /// those no later byte can change (at least `CDC_MAX` bytes follow their
    /// start, so FastCDC cuts them as it would cut the whole file).
    fn cut(&self, all: bool) -> Vec<(usize, usize)> {
        let mut cuts = Vec::new();
        for (off, len) in file::chunks(&self.tail) {
            if !all && self.tail.len() - off < file::CDC_MAX as usize {
                break;
            }
            cuts.push((off, len));
        }
        cuts
    }

    fn settle(&mut self, store: &dyn ObjectStore) -> Result<()> {
        let cuts = self.cut(false);
        let Some(&(last, len)) = cuts.last() else {
            return Ok(());
        };
        let stored = store_chunks(store, &self.tail, &cuts)?;
        let mut end = self.stored();
        for c in stored {
            end += c.0;
            self.chunks.push(c);
            self.ends.push(end);
        }
        self.tail.drain(..last + len);
        Ok(())
    }

    /// Write `data` at `off`, which is within or at the end of the tail.
    fn put(&mut self, off: u64, data: &[u8]) {
        let at = (off - self.stored()) as usize;
        let over = data.len().min(self.tail.len() - at);
        self.tail[at..at + over].copy_from_slice(&data[..over]);
        self.tail.extend_from_slice(&data[over..]);
    }

    fn read(&self, store: &dyn ObjectStore, off: u64, out: &mut [u8]) -> Result<()> {
        let end = off + out.len() as u64;
        let first = self.ends.partition_point(|&e| e <= off);
        for i in first..self.chunks.len() {
            let (len, id) = self.chunks[i];
            let s = self.ends[i] - len;
            if s >= end {
                break;
            }
            let o = store.read(&id)?;
            let (from, to) = (off.max(s), end.min(self.ends[i]));
            out[(from - off) as usize..(to - off) as usize]
                .copy_from_slice(&o.data[(from - s) as usize..(to - s) as usize]);
        }
        let mut overlay = |s: u64, bytes: &[u8]| {
            let e = s + bytes.len() as u64;
            let (from, to) = (off.max(s), end.min(e));
            if from < to {
                out[(from - off) as usize..(to - off) as usize]
                    .copy_from_slice(&bytes[(from - s) as usize..(to - s) as usize]);
            }
        };
        overlay(self.stored(), &self.tail);
        for (k, v) in &self.later {
            overlay(*k, v);
        }
        Ok(())
    }
}

/// Store the chunks `cuts` of `data` in parallel; their (length, id).
fn store_chunks(
    store: &dyn ObjectStore,
    data: &[u8],
    cuts: &[(usize, usize)],
) -> Result<Vec<(u64, ObjectId)>> {
    use rayon::prelude::*;
    cuts.par_iter()
        .map(|&(o, l)| Ok((l as u64, store.write(ObjectType::Blob, &data[o..o + l])?)))
        .collect()
}

fn io_err(e: Error) -> std::io::Error {
    match e {
        Error::Io { err, .. } => err,
        e => std::io::Error::other(e.to_string()),
    }
}

impl FileBuf {
    fn len(&self) -> u64 {
        match self {
            FileBuf::Mem(v) => v.len() as u64,
            FileBuf::Spill { len, .. } => *len,
            FileBuf::Stream(s) => s.len(),
        }
    }

    fn read(&self, store: &dyn ObjectStore, off: u64, size: u32) -> std::io::Result<Vec<u8>> {
        let end = (off + size as u64).min(self.len());
        if off >= end {
            return Ok(Vec::new());
        }
        match self {
            FileBuf::Mem(v) => Ok(v[off as usize..end as usize].to_vec()),
            FileBuf::Spill { file, .. } => {
                let mut out = vec![0; (end - off) as usize];
                file.read_exact_at(&mut out, off)?;
                Ok(out)
            }
            FileBuf::Stream(s) => {
                let mut out = vec![0; (end - off) as usize];
                s.read(store, off, &mut out).map_err(io_err)?;
                Ok(out)
            }
        }
    }

    /// Move an in-memory buffer to a temporary file under `dir`.
    fn spill(&mut self, dir: &Path) -> std::io::Result<()> {
        if let FileBuf::Mem(v) = self {
            let file = spill_file(dir)?;
            file.write_all_at(v, 0)?;
            *self = FileBuf::Spill {
                file,
                len: v.len() as u64,
            };
        }
        Ok(())
    }

    /// Turn a `Stream` into a `Mem` or `Spill` buffer with the same content.
    fn unstream(&mut self, store: &dyn ObjectStore, dir: &Path) -> std::io::Result<()> {
        let FileBuf::Stream(s) = self else {
            return Ok(());
        };
        let s = std::mem::take(&mut **s);
        *self = if s.len() > SPILL_AT {
            FileBuf::Spill {
                file: spill_file(dir)?,
                len: 0,
            }
        } else {
            FileBuf::Mem(Vec::with_capacity(s.len() as usize))
        };
        let mut pos = 0;
        for (len, id) in &s.chunks {
            let o = store.read(id).map_err(io_err)?;
            self.write_plain(pos, &o.data, dir)?;
            pos += len;
        }
        self.write_plain(pos, &s.tail, dir)?;
        for (k, v) in &s.later {
            self.write_plain(*k, v, dir)?;
        }
        Ok(())
    }

    fn write(
        &mut self,
        store: &dyn ObjectStore,
        off: u64,
        data: &[u8],
        dir: &Path,
    ) -> std::io::Result<()> {
        let FileBuf::Stream(s) = self else {
            return self.write_plain(off, data, dir);
        };
        let end = off + data.len() as u64;
        let overlaps_later = s
            .later
            .range(..end)
            .next_back()
            .is_some_and(|(k, v)| k + v.len() as u64 > off);
        if off < s.stored() || overlaps_later {
            self.unstream(store, dir)?;
            return self.write_plain(off, data, dir);
        }
        if off > s.end() {
            s.later.insert(off, data.to_vec());
            s.later_bytes += data.len();
            if s.later_bytes > LATER_MAX {
                self.unstream(store, dir)?;
            }
            return Ok(());
        }
        s.put(off, data);
        // Held writes the gap no longer separates.
        while let Some((&k, _)) = s.later.first_key_value() {
            if k > s.end() {
                break;
            }
            let v = s.later.remove(&k).expect("present");
            s.later_bytes -= v.len();
            s.put(k, &v);
        }
        if s.tail.len() >= SETTLE_AT {
            s.settle(store).map_err(io_err)?;
        }
        Ok(())
    }

    fn write_plain(&mut self, off: u64, data: &[u8], dir: &Path) -> std::io::Result<()> {
        let end = off + data.len() as u64;
        if end > SPILL_AT {
            self.spill(dir)?;
        }
        match self {
            FileBuf::Mem(v) => {
                if v.len() < end as usize {
                    v.resize(end as usize, 0);
                }
                v[off as usize..end as usize].copy_from_slice(data);
            }
            FileBuf::Spill { file, len } => {
                file.write_all_at(data, off)?;
                *len = (*len).max(end);
            }
            FileBuf::Stream(_) => unreachable!("streams are written by write"),
        }
        Ok(())
    }

    fn truncate(&mut self, store: &dyn ObjectStore, size: u64, dir: &Path) -> std::io::Result<()> {
        if size == self.len() {
            return Ok(());
        }
        self.unstream(store, dir)?;
        match self {
            FileBuf::Mem(v) => v.resize(size as usize, 0),
            FileBuf::Spill { file, len } => {
                file.set_len(size)?;
                *len = size;
            }
            FileBuf::Stream(_) => unreachable!("unstreamed"),
        }
        Ok(())
    }

    /// Store the content: a blob, or chunks and a chunk list.
    fn store(&mut self, store: &dyn ObjectStore, dir: &Path) -> Result<ObjectId> {
        if matches!(self, FileBuf::Stream(s) if !s.later.is_empty()) {
            // A hole not filled yet: its bytes are zeros.
            self.unstream(store, dir)
                .map_err(|e| Error::Invalid(format!("{e}")))?;
        }
        match self {
            FileBuf::Mem(v) => file::store_content(store, v),
            FileBuf::Spill { file, len } => {
                let r = PositionedReader { file, pos: 0 }.take(*len);
                file::store_reader(store, r).map_err(|e| Error::Invalid(format!("{e}")))
            }
            FileBuf::Stream(s) => {
                if s.chunks.is_empty() {
                    return file::store_content(store, &s.tail);
                }
                let mut all = s.chunks.clone();
                all.extend(store_chunks(store, &s.tail, &s.cut(true))?);
                file::list_from_chunks(store, &all)
            }
        }
    }
}

/// A new unlinked file in `dir`.
fn spill_file(dir: &Path) -> std::io::Result<File> {
    std::fs::create_dir_all(dir)?;
    let path = crate::fsutil::tmp_path(dir, "spill-");
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    std::fs::remove_file(&path)?;
    Ok(f)
}

/// Reads a file from the start with `pread`, leaving its offset alone.
struct PositionedReader<'f> {
    file: &'f File,
    pos: u64,
}

impl Read for PositionedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

enum Content {
    Dir {
        /// The tree as of the last fold (or the base).
        base: ObjectId,
        /// Names changed since: looked up in `State::names` at the fold.
        pending: BTreeSet<Vec<u8>>,
    },
    /// Files, symlinks (the target's blob) and special files (zero id).
    File {
        id: ObjectId,
        buf: Option<FileBuf>,
        size: Option<u64>,
    },
}

struct Node {
    mode: u32,
    meta: Meta,
    content: Content,
    /// The names of this inode: (directory inode, name).
    links: Vec<(u64, Vec<u8>)>,
    /// Changed since the last fold (its entry must be rewritten).
    dirty: bool,
    /// Open handles that may write.
    writers: u32,
    /// The kernel's lookup count (entries replied, minus forgets): at zero
    /// the kernel has forgotten the inode and, once clean, it is dropped.
    lookups: u64,
    /// Inodes named in this directory that are kept.
    kids: u32,
}

impl Node {
    fn from_entry(e: Entry, parent: u64) -> Node {
        let content = if e.is_dir() {
            Content::Dir {
                base: e.id,
                pending: BTreeSet::new(),
            }
        } else {
            Content::File {
                id: e.id,
                buf: None,
                size: None,
            }
        };
        let mut meta = e.meta;
        // Hardlink records are worked out again at each fold (`link_record`).
        meta.link = None;
        Node {
            mode: e.mode,
            meta,
            content,
            links: vec![(parent, e.name)],
            dirty: false,
            writers: 0,
            lookups: 0,
            kids: 0,
        }
    }
    fn is_dir(&self) -> bool {
        self.mode & S_IFMT == S_IFDIR
    }
}

/// An open directory: a snapshot of a changed directory's listing, or the
/// position where a clean directory's streamed listing stopped.
enum DirHandle {
    Snapshot(Vec<(Vec<u8>, u64, FileType)>),
    Stream {
        next_offset: u64,
        next_name: Option<Vec<u8>>,
    },
}

struct State {
    nodes: HashMap<u64, Node>,
    /// Every name looked up or changed: Some(inode), or None (absent).
    names: HashMap<(u64, Vec<u8>), Option<u64>>,
    next_ino: u64,
    next_fh: u64,
    dirs: HashMap<u64, DirHandle>,
    /// Open file handle → (inode, may write).
    files: HashMap<u64, (u64, bool)>,
    /// The root tree the view was built from (at mount or at the last fold).
    base_root: ObjectId,
    /// The root directory's own mode or metadata changed (its `.` record).
    root_meta_dirty: bool,
    last_error: Option<String>,
    /// The filesystem has been unmounted: the timer stops.
    done: bool,
    /// Inodes the kernel forgot that could not be dropped yet (unfolded
    /// changes): tried again after each fold.
    orphans: BTreeSet<u64>,
}

impl State {
    /// A new inode for `node`, counted as a child of the directory naming it.
    fn insert_node(&mut self, node: Node) -> u64 {
        let ino = self.next_ino;
        self.next_ino += 1;
        for (p, _) in &node.links {
            if let Some(pn) = self.nodes.get_mut(p) {
                pn.kids += 1;
            }
        }
        self.nodes.insert(ino, node);
        ino
    }

    /// The names of a hardlink group's members all change when it gains or
    /// loses one: which member is first, and the records, may change.
    fn group_changed(&mut self, ino: u64, before: usize) {
        let Some(n) = self.nodes.get(&ino) else {
            return;
        };
        if n.is_dir() || (before < 2 && n.links.len() < 2) {
            return;
        }
        for (p, name) in n.links.clone() {
            WorkingFs::changed_name(self, p, name);
        }
    }

    /// Give inode `ino` the name `name` in directory `parent`.
    fn add_link(&mut self, ino: u64, parent: u64, name: &[u8]) {
        let Some(n) = self.nodes.get_mut(&ino) else {
            return;
        };
        let before = n.links.len();
        n.links.push((parent, name.to_vec()));
        if let Some(pn) = self.nodes.get_mut(&parent) {
            pn.kids += 1;
        }
        self.group_changed(ino, before);
    }

    /// Take the name `name` in directory `parent` from inode `ino`.
    fn drop_link(&mut self, ino: u64, parent: u64, name: &[u8]) {
        let Some(n) = self.nodes.get_mut(&ino) else {
            return;
        };
        let before = n.links.len();
        n.links.retain(|(p, nm)| !(*p == parent && nm == name));
        if n.links.len() < before {
            if let Some(pn) = self.nodes.get_mut(&parent) {
                pn.kids = pn.kids.saturating_sub(1);
            }
        }
        self.group_changed(ino, before);
    }

    /// The path of directory `ino` from the root, by components.
    fn dir_path(&self, mut ino: u64) -> Option<Vec<Vec<u8>>> {
        let mut comps = Vec::new();
        while ino != 1 {
            let (p, name) = self.nodes.get(&ino)?.links.first()?.clone();
            comps.push(name);
            ino = p;
        }
        comps.reverse();
        Some(comps)
    }

    /// The hardlink record (prolly-tree.md, Hardlinks) of the entry `name`
    /// of directory `dir`, a name of inode `ino`: none for a single name or
    /// for the group's first member in tree order, else the first member's
    /// path relative to `dir`.
    fn link_record(&self, ino: u64, dir: u64, name: &[u8]) -> Option<Vec<u8>> {
        let n = self.nodes.get(&ino)?;
        if n.is_dir() || n.links.len() < 2 {
            return None;
        }
        let first = n
            .links
            .iter()
            .filter_map(|(p, nm)| {
                let mut c = self.dir_path(*p)?;
                c.push(nm.clone());
                Some(c)
            })
            .min()?;
        let from = self.dir_path(dir)?;
        if first.len() == from.len() + 1
            && first[..from.len()] == from[..]
            && first[from.len()] == name
        {
            return None;
        }
        Some(crate::hostfs::relative_path(&from, &first))
    }

    /// The kernel forgot `n` lookups of inode `ino`.
    fn forget(&mut self, ino: u64, n: u64) {
        if let Some(node) = self.nodes.get_mut(&ino) {
            node.lookups = node.lookups.saturating_sub(n);
            if node.lookups == 0 {
                self.try_drop(ino);
            }
        }
    }

    /// Drop inode `ino` if nothing needs it any more: the kernel forgot it,
    /// no handle is open, nothing of it is waiting for a fold, and no kept
    /// inode is named in it. Its names are then looked up again in the
    /// folded trees when asked for. Else it waits in `orphans`.
    fn try_drop(&mut self, ino: u64) {
        if ino == 1 {
            return;
        }
        let Some(n) = self.nodes.get(&ino) else {
            self.orphans.remove(&ino);
            return;
        };
        if n.lookups > 0 {
            self.orphans.remove(&ino);
            return;
        }
        let busy = n.kids > 0
            || n.dirty
            || n.writers > 0
            || match &n.content {
                Content::Dir { pending, .. } => !pending.is_empty(),
                Content::File { buf, .. } => buf.is_some(),
            }
            || n.links.iter().any(|(p, name)| {
                matches!(self.nodes.get(p), Some(Node { content: Content::Dir { pending, .. }, .. }) if pending.contains(name))
            })
            || self.files.values().any(|(i, _)| *i == ino);
        if busy {
            self.orphans.insert(ino);
            return;
        }
        self.orphans.remove(&ino);
        let n = self.nodes.remove(&ino).expect("present");
        for (p, name) in n.links {
            let key = (p, name);
            if self.names.get(&key) == Some(&Some(ino)) {
                self.names.remove(&key);
            }
            if let Some(pn) = self.nodes.get_mut(&p) {
                pn.kids = pn.kids.saturating_sub(1);
                if pn.kids == 0 && pn.lookups == 0 {
                    self.try_drop(p);
                }
            }
        }
    }

    /// Try the forgotten inodes kept back by unfolded changes again.
    fn drop_orphans(&mut self) {
        for ino in std::mem::take(&mut self.orphans) {
            self.try_drop(ino);
        }
    }

    /// How many inodes are kept (the root included).
    #[cfg(test)]
    fn inodes(&self) -> usize {
        self.nodes.len()
    }
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

fn errno(e: &Error) -> Errno {
    match e {
        Error::Io { err, .. } => Errno::from_i32(err.raw_os_error().unwrap_or(libc::EIO)),
        _ => Errno::EIO,
    }
}

fn io_errno(e: &std::io::Error) -> Errno {
    Errno::from_i32(e.raw_os_error().unwrap_or(libc::EIO))
}

fn kind(mode: u32) -> FileType {
    match mode & S_IFMT {
        0o040000 => FileType::Directory,
        0o120000 => FileType::Symlink,
        0o020000 => FileType::CharDevice,
        0o060000 => FileType::BlockDevice,
        0o010000 => FileType::NamedPipe,
        0o140000 => FileType::Socket,
        _ => FileType::RegularFile,
    }
}

/// The kernel's `new_encode_dev` and `new_decode_dev`.
fn encode_dev(major: u32, minor: u32) -> u32 {
    (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & !0xff) << 12)
}
fn decode_dev(dev: u32) -> (u32, u32) {
    ((dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00))
}

type R<T> = std::result::Result<T, Errno>;

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

    /// Fold every write (open files included) and publish the result;
    /// returns the root of the view.
    pub fn fold(&self) -> Result<ObjectId> {
        let mut st = self.state();
        self.fold_locked(&mut st, true)
    }

    fn fold_locked(&self, st: &mut State, include_open: bool) -> Result<ObjectId> {
        // A temporary instance's writes go nowhere: nothing to store.
        if let Target::Discard = self.inner.target {
            return Ok(st.base_root);
        }
        let (mut root, _) = self.fold_node(st, 1, include_open)?;
        if st.root_meta_dirty {
            root = self.with_root_record(st, root)?;
        }
        // Every object the new root needs is durable before it is published.
        self.inner.flush_pending()?;
        if root != st.base_root {
            if let Target::Working = self.inner.target {
                publish(&self.inner.ws, st.base_root, root)?;
            }
            st.base_root = root;
        }
        st.root_meta_dirty = false;
        st.drop_orphans();
        Ok(root)
    }

    /// The tree `root` with its `.` record set from the root inode (which
    /// then has that tree as its base).
    fn with_root_record(&self, st: &mut State, root: ObjectId) -> Result<ObjectId> {
        let n = &st.nodes[&1];
        let mut entries: Vec<Entry> = dir::list(self.store(), &root)?
            .into_iter()
            .filter(|e| e.name != ROOT_RECORD)
            .collect();
        if let Some(rec) = crate::hostfs::root_record(n.mode, &n.meta) {
            let at = entries.partition_point(|e| e.name.as_slice() < ROOT_RECORD);
            entries.insert(at, rec);
        }
        let new = dir::build(self.store(), entries)?;
        if let Some(Node {
            content: Content::Dir { base, .. },
            ..
        }) = st.nodes.get_mut(&1)
        {
            *base = new;
        }
        Ok(new)
    }

    /// Fold inode `ino`: its content id now, and whether it stays dirty (an
    /// open file skipped by a timer fold).
    fn fold_node(&self, st: &mut State, ino: u64, include_open: bool) -> Result<(ObjectId, bool)> {
        let store = self.store();
        let node = st.nodes.get_mut(&ino).expect("known inode");
        if !node.dirty {
            return Ok((content_id(node), false));
        }
        match &mut node.content {
            Content::File { id, buf, size } => {
                let Some(b) = buf else {
                    node.dirty = false;
                    return Ok((*id, false));
                };
                if node.writers > 0 && !include_open {
                    return Ok((*id, true));
                }
                *id = self.inner.par(|| b.store(store, &self.inner.spill_dir))?;
                *size = Some(b.len());
                if node.writers == 0 {
                    *buf = None;
                }
                node.dirty = false;
                Ok((*id, false))
            }
            Content::Dir { base, pending } => {
                let base = *base;
                let pending: Vec<Vec<u8>> = std::mem::take(pending).into_iter().collect();
                let mut edits = Vec::with_capacity(pending.len());
                let mut still = BTreeSet::new();
                for name in pending {
                    match st.names.get(&(ino, name.clone())).copied().flatten() {
                        None => {
                            // Gone from the folded tree too: nothing to remember.
                            st.names.remove(&(ino, name.clone()));
                            edits.push((name, None))
                        }
                        Some(child) => {
                            let (id, dirty) = self.fold_node(st, child, include_open)?;
                            if dirty {
                                still.insert(name.clone());
                            }
                            let c = &st.nodes[&child];
                            let mut e = Entry::new(&name, c.mode, id);
                            e.meta = c.meta.clone();
                            e.meta.link = st.link_record(child, ino, &name);
                            edits.push((name, Some(e)));
                        }
                    }
                }
                let new = dir::edit(store, &base, edits)?;
                let node = st.nodes.get_mut(&ino).expect("known inode");
                let stays = !still.is_empty();
                node.content = Content::Dir {
                    base: new,
                    pending: still,
                };
                node.dirty = stays;
                Ok((new, stays))
            }
        }
    }

    /// Fold closed files' writes now and then, until unmounted.
    pub fn start_timer(&self) -> std::io::Result<std::thread::JoinHandle<()>> {
        let fs = self.clone();
        std::thread::Builder::new()
            .name("hako-fold".into())
            .spawn(move || {
                let mut st = fs.state();
                loop {
                    let (g, _) = fs
                        .inner
                        .wake
                        .wait_timeout(st, FOLD_EVERY)
                        .unwrap_or_else(|p| p.into_inner());
                    st = g;
                    if st.done {
                        return;
                    }
                    if st.nodes[&1].dirty || st.root_meta_dirty {
                        if let Err(e) = fs.fold_locked(&mut st, false) {
                            st.last_error = Some(e.to_string());
                        }
                    }
                }
            })
    }

    /// Stop the timer (after unmount).
    pub fn stop_timer(&self) {
        self.state().done = true;
        self.inner.wake.notify_all();
    }

    /// Mount at `mountpoint` and serve until unmounted (from outside, or on
    /// SIGINT/SIGTERM, which unmount lazily); then fold everything. `ready`
    /// runs once the mount is up.
    pub fn serve(self, mountpoint: &Path, fsname: &str, ready: impl FnOnce()) -> Result<()> {
        use nix::sys::signal::{SigSet, Signal};
        let mut sigs = SigSet::empty();
        sigs.add(Signal::SIGINT);
        sigs.add(Signal::SIGTERM);
        sigs.thread_block()
            .map_err(|e| Error::Invalid(format!("cannot block signals: {e}")))?;
        let cfg = config(
            fsname,
            self.inner.readonly,
            self.inner
                .permissions
                .load(std::sync::atomic::Ordering::Relaxed),
        );
        let session = fuser::Session::new(self.clone(), mountpoint, &cfg)
            .map_err(|e| super::fuse::mount_error(mountpoint, e))?;
        let _ = self.inner.notifier.set(session.notifier());
        super::fuse::widen_readahead(mountpoint);
        let warm = std::mem::take(&mut *self.inner.warm.lock().unwrap_or_else(|p| p.into_inner()));
        // Joined before the server exits, so that a program-cache entry is
        // written whole or not begun.
        let warming = (!warm.is_empty()).then(|| {
            let inner = self.inner.clone();
            let root = self.state().base_root;
            std::thread::Builder::new()
                .name("hako-warm".into())
                .spawn(move || {
                    for id in warm {
                        inner.warm_file(&root, &id, true);
                    }
                })
        });
        let mp = mountpoint.to_path_buf();
        std::thread::Builder::new()
            .name("hako-fuse-signals".into())
            .spawn(move || {
                if sigs.wait().is_ok() {
                    // Lazy: the mount goes even while the command still uses it.
                    let _ = super::instance::unmount_lazy(&mp);
                }
            })
            .map_err(|e| Error::Invalid(format!("cannot start signal thread: {e}")))?;
        let timer = self
            .start_timer()
            .map_err(|e| Error::Invalid(format!("cannot start fold timer: {e}")))?;
        ready();
        let r = session
            .run()
            .map_err(|e| Error::Invalid(format!("FUSE session failed: {e}")));
        self.stop_timer();
        let _ = timer.join();
        if let Some(Ok(w)) = warming {
            let _ = w.join();
        }
        let folded = self.fold();
        r?;
        folded?;
        Ok(())
    }
}

/// Decoded, verified objects by id, up to `READ_CACHE_BYTES`, oldest out
/// first; shared, so a read served from the cache copies nothing.
#[derive(Default)]
struct ReadCache {
    objects: HashMap<ObjectId, (ObjectType, Arc<Vec<u8>>)>,
    order: std::collections::VecDeque<ObjectId>,
    bytes: usize,
}

/// Where the chunks of a file's content end, and their ids (a blob is one chunk).
struct ChunkMap {
    ends: Vec<u64>,
    ids: Vec<ObjectId>,
    /// Where the last read ended: a read starting there is sequential.
    next: std::sync::atomic::AtomicU64,
}

/// How far ahead of a sequential reader chunks are decoded.
const READ_AHEAD: u64 = 4 << 20;

/// Bytes read from file content: part of a shared chunk, or a copy.
enum Bytes {
    Shared(Arc<Vec<u8>>, std::ops::Range<usize>),
    Mapped(Arc<memmap2::Mmap>, std::ops::Range<usize>),
    Owned(Vec<u8>),
}

impl Bytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Shared(d, r) => &d[r.clone()],
            Bytes::Mapped(m, r) => &m[r.clone()],
            Bytes::Owned(v) => v,
        }
    }
}

/// How many files' chunk maps are kept.
const CHUNK_MAPS: usize = 64;

const READ_CACHE_BYTES: usize = 64 << 20;

/// Largest program `warm` decodes ahead (a quarter of the cache).
const WARM_MAX: u64 = (READ_CACHE_BYTES / 4) as u64;

/// The PT_INTERP path of a 64-bit little-endian ELF image whose first bytes
/// are `head` (None for anything else, or when it lies beyond `head`).
fn elf_interpreter(head: &[u8]) -> Option<String> {
    let u16_at = |o: usize| Some(u16::from_le_bytes(head.get(o..o + 2)?.try_into().ok()?));
    let u32_at = |o: usize| Some(u32::from_le_bytes(head.get(o..o + 4)?.try_into().ok()?));
    let u64_at = |o: usize| Some(u64::from_le_bytes(head.get(o..o + 8)?.try_into().ok()?));
    if head.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let (phoff, phentsize, phnum) = (
        u64_at(0x20)? as usize,
        u16_at(0x36)? as usize,
        u16_at(0x38)?,
    );
    for i in 0..phnum as usize {
        let ph = phoff.checked_add(i.checked_mul(phentsize)?)?;
        if u32_at(ph)? == 3 {
            let (off, len) = (u64_at(ph + 8)? as usize, u64_at(ph + 32)? as usize);
            let raw = head.get(off..off.checked_add(len)?)?;
            let raw = raw.split(|&b| b == 0).next()?;
            return std::str::from_utf8(raw)
                .ok()
                .filter(|p| p.starts_with('/'))
                .map(String::from);
        }
    }
    None
}
const PENDING_BYTES: u64 = 128 << 20;
/// Packs this big are never merged by the filesystem (copying a GiB pack
/// again at every batch dominated large writes); `gc` repacks them.
const MERGE_PACKS_BELOW: u64 = 32 << 20;

impl Inner {
    /// An object's verified content, from the cache or the store.
    fn read_shared(&self, id: &ObjectId) -> Result<(ObjectType, Arc<Vec<u8>>)> {
        let lock = || self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((kind, data)) = lock().objects.get(id) {
            return Ok((*kind, data.clone()));
        }
        let o = match self.in_batches(|b| b.read(id)) {
            Some(o) => o,
            None => self.ws.odb.read(id)?,
        };
        let (kind, data) = (o.kind, Arc::new(o.data));
        if matches!(kind, ObjectType::Blob | ObjectType::File | ObjectType::Tree)
            && data.len() <= 1 << 20
        {
            let mut c = lock();
            if !c.objects.contains_key(id) {
                c.bytes += data.len();
                c.order.push_back(*id);
                c.objects.insert(*id, (kind, data.clone()));
                while c.bytes > READ_CACHE_BYTES {
                    let Some(old) = c.order.pop_front() else {
                        break;
                    };
                    if let Some((_, gone)) = c.objects.remove(&old) {
                        c.bytes -= gone.len();
                    }
                }
            }
        }
        Ok((kind, data))
    }

    /// The chunk map of file content `id`, kept for the next reads.
    fn chunk_map(&self, id: &ObjectId) -> Result<Arc<ChunkMap>> {
        let lock = || self.maps.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = lock().get(id) {
            return Ok(m.clone());
        }
        let (kind, len) = self.read_header(id)?;
        let map = if kind == ObjectType::Blob {
            ChunkMap {
                ends: vec![len],
                ids: vec![*id],
                next: 0.into(),
            }
        } else {
            let list = file::chunk_list(self, id)?;
            let mut end = 0;
            ChunkMap {
                ends: list
                    .iter()
                    .map(|(l, _)| {
                        end += l;
                        end
                    })
                    .collect(),
                ids: list.into_iter().map(|(_, i)| i).collect(),
                next: 0.into(),
            }
        };
        let map = Arc::new(map);
        let mut maps = lock();
        if maps.len() >= CHUNK_MAPS {
            maps.clear();
        }
        maps.insert(*id, map.clone());
        Ok(map)
    }

    /// `len` bytes at `off` of file content `id`: a slice of the cached
    /// chunk when one chunk holds them, else the chunks copied together once.
    /// A sequential reader's next chunks are decoded meanwhile on the pool
    /// (decoding a request's own chunks there too cost more in wake-ups than
    /// it saved, on two cores).
    fn read_content(self: &Arc<Self>, id: &ObjectId, off: u64, len: u64) -> Result<Bytes> {
        use std::sync::atomic::Ordering;
        let map = self.chunk_map(id)?;
        let total = map.ends.last().copied().unwrap_or(0);
        let end = off.saturating_add(len).min(total);
        if off >= end {
            return Ok(Bytes::Owned(Vec::new()));
        }
        if let Some(m) = self
            .programs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
        {
            return Ok(Bytes::Mapped(m.clone(), off as usize..end as usize));
        }
        let first = map.ends.partition_point(|&e| e <= off);
        let last = map.ends.partition_point(|&e| e < end);
        // Small files (a program's start) are read without: the pool's
        // threads would cost more than they save.
        if map.next.swap(end, Ordering::Relaxed) == off
            && total > 2 * READ_AHEAD
            && last + 1 < map.ids.len()
        {
            self.read_ahead(&map, last + 1);
        }
        let start_of = |i: usize| if i == 0 { 0 } else { map.ends[i - 1] };
        if first == last {
            let (_, d) = self.read_shared(&map.ids[first])?;
            let s = start_of(first);
            return Ok(Bytes::Shared(d, (off - s) as usize..(end - s) as usize));
        }
        let parts: Vec<Arc<Vec<u8>>> = (first..=last)
            .map(|i| Ok(self.read_shared(&map.ids[i])?.1))
            .collect::<Result<_>>()?;
        let mut out = Vec::with_capacity((end - off) as usize);
        for (i, d) in (first..=last).zip(&parts) {
            let s = start_of(i);
            let (from, to) = (off.max(s) - s, end.min(map.ends[i]) - s);
            out.extend_from_slice(&d[from as usize..to as usize]);
        }
        Ok(Bytes::Owned(out))
    }

    /// Decode file `id` into the cache (up to `WARM_MAX` bytes), and with
    /// `interp`, the ELF interpreter it names (looked up in tree `root`).
    fn warm_file(&self, root: &ObjectId, id: &ObjectId, interp: bool) {
        let Ok(map) = self.chunk_map(id) else {
            return;
        };
        let total = map.ends.last().copied().unwrap_or(0);
        if total == 0 || total > WARM_MAX {
            return;
        }
        // From the program cache when it holds this content (then reads are
        // served from its mapping), else decoded from the store into the
        // read cache and then kept in the program cache for the next start.
        let cache_dir = super::programs::dir(&self.ws.dir);
        let head = if let Some(m) = super::programs::load(&cache_dir, id, &map.ends, &map.ids) {
            let m = Arc::new(m);
            self.programs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(*id, m.clone());
            Bytes::Mapped(m, 0..map.ends[0] as usize)
        } else {
            let mut parts = Vec::with_capacity(map.ids.len());
            for chunk in &map.ids {
                match self.read_shared(chunk) {
                    Ok((_, d)) => parts.push(d),
                    Err(_) => return,
                }
            }
            let slices: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
            super::programs::store(&cache_dir, id, &slices);
            let n = parts[0].len();
            Bytes::Shared(parts.swap_remove(0), 0..n)
        };
        if interp {
            if let Some(path) = elf_interpreter(head.as_slice()) {
                let found = crate::container::resolve_path("/", &path)
                    .ok()
                    .and_then(|c| crate::worktree::follow(&self.ws.odb, root, &c).ok())
                    .flatten();
                if let Some((_, e)) = found.filter(|(_, e)| e.is_file()) {
                    self.warm_file(root, &e.id, false);
                }
            }
        }
    }

    /// Decode chunks from `from` on, `READ_AHEAD` bytes of them, into the
    /// cache on the pool, while the reader is served what it asked for.
    fn read_ahead(self: &Arc<Self>, map: &ChunkMap, from: usize) {
        let start = map.ends[from - 1];
        let mut want = Vec::new();
        {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            let mut busy = self.decoding.lock().unwrap_or_else(|p| p.into_inner());
            for i in from..map.ids.len() {
                if map.ends[i] - start > READ_AHEAD {
                    break;
                }
                let id = map.ids[i];
                if !cache.objects.contains_key(&id) && busy.insert(id) {
                    want.push(id);
                }
            }
        }
        if want.is_empty() {
            return;
        }
        let me = self.clone();
        self.par(move || {
            rayon::spawn(move || {
                for id in want {
                    let _ = me.read_shared(&id);
                    me.decoding
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .remove(&id);
                }
            })
        });
    }

    /// `f` of the first batch not yet in the store that answers it: the
    /// current one, then the sealed ones (an object moves from one to the
    /// next, and into the store, only after it is readable there).
    fn in_batches<T>(&self, f: impl Fn(&crate::store::MemStore) -> Result<T>) -> Option<T> {
        let cur = self
            .pending
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Ok(x) = f(&cur) {
            return Some(x);
        }
        let sealed: Vec<Arc<crate::store::MemStore>> =
            self.batches().iter().map(|b| b.objects.clone()).collect();
        sealed.iter().find_map(|b| f(b).ok())
    }

    fn batches(&self) -> MutexGuard<'_, Vec<Batch>> {
        self.sealed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Seal the current batch (if it holds anything) and start a new one.
    fn seal(&self) -> Option<Arc<crate::store::MemStore>> {
        self.seal_locked(&mut self.batches())
    }

    fn seal_locked(&self, sealed: &mut Vec<Batch>) -> Option<Arc<crate::store::MemStore>> {
        let mut cur = self.pending.write().unwrap_or_else(|p| p.into_inner());
        if cur.is_empty() {
            return None;
        }
        let old = std::mem::take(&mut *cur);
        sealed.push(Batch {
            objects: old.clone(),
            writing: true,
        });
        Some(old)
    }

    /// Write a sealed batch to the store (one pack, one sync) and retire it;
    /// on failure it stays, to be written again.
    fn write_batch(&self, b: &Arc<crate::store::MemStore>) -> Result<()> {
        let r = b.with_all(|refs| {
            self.par(|| {
                self.ws
                    .odb
                    .write_known_merging_below(refs, MERGE_PACKS_BELOW)
            })
        });
        let mut sealed = self.batches();
        match &r {
            Ok(_) => sealed.retain(|x| !Arc::ptr_eq(&x.objects, b)),
            Err(_) => {
                for x in sealed.iter_mut().filter(|x| Arc::ptr_eq(&x.objects, b)) {
                    x.writing = false;
                }
            }
        }
        self.batch_done.notify_all();
        r.map(|_| ())
    }

    /// The current batch is full: write it on the pool while writes go on,
    /// after the previous one (at most two batches are held in memory).
    fn flush_in_background(&self) {
        // Waiting and sealing under one lock: parallel writers that all
        // found the batch full seal it once, and batches are written one at
        // a time (two writers would race on the pack list).
        let b = {
            let mut sealed = self.batches();
            while sealed.iter().any(|b| b.writing) {
                sealed = self
                    .batch_done
                    .wait(sealed)
                    .unwrap_or_else(|p| p.into_inner());
            }
            let full = self
                .pending
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .bytes()
                > PENDING_BYTES;
            if !full {
                return;
            }
            self.seal_locked(&mut sealed)
        };
        let (Some(me), Some(b)) = (self.me.upgrade(), b) else {
            return;
        };
        self.par(move || {
            rayon::spawn(move || {
                // A failure leaves the batch for the next fold, which reports it.
                let _ = me.write_batch(&b);
            })
        });
    }

    /// Write every object not yet in the store to it, durably. Batches are
    /// written one at a time (the callers hold the state lock, the pool
    /// writes one batch at a time): two writers would race on the pack list.
    fn flush_pending(&self) -> Result<()> {
        loop {
            let again = {
                let mut sealed = self.batches();
                if sealed.iter().any(|b| b.writing) {
                    let _unused = self
                        .batch_done
                        .wait(sealed)
                        .unwrap_or_else(|p| p.into_inner());
                    continue;
                }
                match sealed.first_mut() {
                    Some(b) => {
                        b.writing = true;
                        b.objects.clone()
                    }
                    None => break,
                }
            };
            self.write_batch(&again)?;
        }
        match self.seal() {
            Some(b) => self.write_batch(&b),
            None => Ok(()),
        }
    }
}

/// A full batch of new objects.
struct Batch {
    objects: Arc<crate::store::MemStore>,
    /// Being written now (else its write failed).
    writing: bool,
}

impl ObjectStore for Inner {
    fn contains(&self, id: &ObjectId) -> Result<bool> {
        let held = |b: &crate::store::MemStore| match b.contains(id) {
            Ok(true) => Ok(()),
            _ => Err(Error::NotFound(*id)),
        };
        if self.in_batches(held).is_some() {
            return Ok(true);
        }
        self.ws.odb.contains(id)
    }
    fn read(&self, id: &ObjectId) -> Result<crate::object::Object> {
        let (kind, data) = self.read_shared(id)?;
        Ok(crate::object::Object {
            kind,
            data: Arc::unwrap_or_clone(data),
        })
    }
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
        let lock = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((kind, data)) = lock.objects.get(id) {
            return Ok((*kind, data.len() as u64));
        }
        drop(lock);
        match self.in_batches(|b| b.read_header(id)) {
            Some(h) => Ok(h),
            None => self.ws.odb.read_header(id),
        }
    }
    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId> {
        let (id, full) = {
            let cur = self.pending.read().unwrap_or_else(|p| p.into_inner());
            (cur.write(kind, data)?, cur.bytes() > PENDING_BYTES)
        };
        if full {
            self.flush_in_background();
        }
        Ok(id)
    }
}

/// The id of an inode's content as of its last fold.
fn content_id(n: &Node) -> ObjectId {
    match &n.content {
        Content::Dir { base, .. } => *base,
        Content::File { id, .. } => *id,
    }
}

/// Move `WORKING` from `base` to `new`: directly if it still is `base`,
/// else with the changes between the two applied onto what it is now.
pub fn publish(ws: &Workspace, base: ObjectId, new: ObjectId) -> Result<()> {
    for _ in 0..200 {
        let raw = read_working(ws)?;
        let lock = match lock_working(ws, raw) {
            Ok(l) => l,
            Err(Error::WorkingChanged) => continue,
            // Another command is moving it right now: wait a little.
            Err(Error::WorkingLocked(_)) => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            Err(e) => return Err(e),
        };
        let cur = working_root(ws)?;
        let target = if cur == base {
            new
        } else {
            rebase(&ws.odb, &base, &new, &cur)?
        };
        return lock.commit(target);
    }
    Err(Error::WorkingChanged)
}

/// Apply the changes from tree `base` to tree `new` onto tree `cur`,
/// descending into directories both sides still have.
pub fn rebase(
    store: &dyn ObjectStore,
    base: &ObjectId,
    new: &ObjectId,
    cur: &ObjectId,
) -> Result<ObjectId> {
    let mut edits = Vec::new();
    for c in dir::diff(store, base, new)? {
        let entry = match (&c.old, &c.new) {
            (Some(o), Some(n)) if o.is_dir() && n.is_dir() => {
                match dir::get(store, cur, &c.name)? {
                    Some(here) if here.is_dir() => {
                        let mut e = n.clone();
                        e.id = rebase(store, &o.id, &n.id, &here.id)?;
                        Some(e)
                    }
                    _ => Some(n.clone()),
                }
            }
            _ => c.new.clone(),
        };
        edits.push((c.name.clone(), entry));
    }
    dir::edit(store, cur, edits)
}

fn config(fsname: &str, readonly: bool, permissions: bool) -> Config {
    let mut c = Config::default();
    c.mount_options = vec![
        if readonly {
            MountOption::RO
        } else {
            MountOption::RW
        },
        MountOption::Dev,
        MountOption::Suid,
        MountOption::NoAtime,
        MountOption::FSName(fsname.to_string()),
        MountOption::Subtype("hako".to_string()),
    ];
    if permissions {
        c.mount_options.push(MountOption::DefaultPermissions);
    }
    // Root may let every uid in: a container's users other than root.
    if nix::unistd::geteuid().is_root() {
        c.acl = SessionACL::All;
    } else {
        c.mount_options
            .retain(|o| *o != MountOption::Dev && *o != MountOption::Suid);
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    c.n_threads = Some(cores.clamp(2, 8));
    c
}

// ---- the view ----

impl WorkingFs {
    /// The inode named `name` in directory `parent`, looked up in the base tree once.
    fn resolve(&self, st: &mut State, parent: u64, name: &[u8]) -> R<Option<u64>> {
        let key = (parent, name.to_vec());
        if let Some(v) = st.names.get(&key) {
            return Ok(*v);
        }
        let p = st.nodes.get(&parent).ok_or(Errno::ENOENT)?;
        let Content::Dir { base, .. } = &p.content else {
            return Err(Errno::ENOTDIR);
        };
        if name == ROOT_RECORD || name == b".." {
            return Ok(None);
        }
        // Absent names are not remembered: the kernel asks again anyway.
        let Some(e) = dir::get(self.store(), base, name).map_err(|e| errno(&e))? else {
            return Ok(None);
        };
        if let Some(link) = e.meta.link.clone().filter(|_| !e.is_dir()) {
            if let Some(first) = self.group_first(st, parent, &e, &link)? {
                st.names.insert(key, Some(first));
                st.add_link(first, parent, name);
                return Ok(Some(first));
            }
        }
        let ino = st.insert_node(Node::from_entry(e, parent));
        st.names.insert(key, Some(ino));
        Ok(Some(ino))
    }

    /// The inode of the first member of the hardlink group that entry `e` of
    /// directory `parent` names in its record `link`, if that member precedes
    /// it in tree order, carries no record and has the same mode, content and
    /// metadata (as checkout requires); `e` then joins that inode.
    fn group_first(&self, st: &mut State, parent: u64, e: &Entry, link: &[u8]) -> R<Option<u64>> {
        let Some(mut at) = st.dir_path(parent) else {
            return Ok(None);
        };
        let mut me = at.clone();
        me.push(e.name.clone());
        for c in link.split(|&b| b == b'/') {
            if c == b".." {
                if at.pop().is_none() {
                    return Ok(None);
                }
            } else {
                at.push(c.to_vec());
            }
        }
        if at >= me {
            return Ok(None);
        }
        let mut ino = 1;
        for (k, c) in at.iter().enumerate() {
            match self.resolve(st, ino, c)? {
                Some(i) if k + 1 == at.len() || st.nodes.get(&i).is_some_and(|n| n.is_dir()) => {
                    // Kept only while the kernel or a change needs it.
                    st.orphans.insert(i);
                    ino = i
                }
                _ => return Ok(None),
            }
        }
        let Some(n) = st.nodes.get(&ino) else {
            return Ok(None);
        };
        let mut want = e.meta.clone();
        want.link = None;
        let same =
            !n.is_dir() && !n.dirty && n.mode == e.mode && content_id(n) == e.id && n.meta == want;
        Ok(same.then_some(ino))
    }

    fn attr(&self, st: &mut State, ino: u64) -> R<FileAttr> {
        let store = self.store();
        let n = st.nodes.get_mut(&ino).ok_or(Errno::ENOENT)?;
        let size = match &mut n.content {
            Content::Dir { .. } => 0,
            Content::File { id, buf, size } => match (buf, *size) {
                (Some(b), _) => b.len(),
                (None, Some(s)) => s,
                (None, None) => {
                    let s = if id.is_zero() {
                        0
                    } else {
                        file::size(store, id).map_err(|e| errno(&e))?
                    };
                    *size = Some(s);
                    s
                }
            },
        };
        let mtime = n
            .meta
            .mtime
            .map(|s| UNIX_EPOCH + Duration::new(s, n.meta.mtime_nsec))
            .unwrap_or(UNIX_EPOCH);
        let k = kind(n.mode);
        Ok(FileAttr {
            ino: INodeNo(ino),
            size,
            blocks: size.div_ceil(512),
            atime: mtime,
            mtime,
            ctime: mtime,
            crtime: mtime,
            kind: k,
            perm: (n.mode & 0o7777) as u16,
            nlink: if k == FileType::Directory {
                2
            } else {
                n.links.len().max(1) as u32
            },
            uid: n.meta.uid,
            gid: n.meta.gid,
            rdev: n.meta.rdev.map(|(a, b)| encode_dev(a, b)).unwrap_or(0),
            blksize: BLKSIZE,
            flags: 0,
        })
    }

    /// Record that inode `ino`'s entry changed, up to the root.
    fn touch(st: &mut State, ino: u64) {
        let Some(n) = st.nodes.get_mut(&ino) else {
            return;
        };
        n.meta.link = None;
        if n.dirty {
            return;
        }
        n.dirty = true;
        for (p, name) in n.links.clone() {
            Self::changed_name(st, p, name);
        }
    }

    /// Record that `name` in directory `dir` changed.
    fn changed_name(st: &mut State, dir: u64, name: Vec<u8>) {
        if let Some(Node {
            content: Content::Dir { pending, .. },
            ..
        }) = st.nodes.get_mut(&dir)
        {
            pending.insert(name);
        }
        if let Some(n) = st.nodes.get_mut(&dir) {
            if n.dirty {
                return;
            }
            n.dirty = true;
            for (p, pname) in n.links.clone() {
                Self::changed_name(st, p, pname);
            }
        }
    }

    /// The kernel was handed an entry for `ino`: one more lookup to forget.
    fn looked_up(st: &mut State, ino: u64) {
        if let Some(n) = st.nodes.get_mut(&ino) {
            n.lookups += 1;
        }
    }

    fn set_mtime(st: &mut State, ino: u64) {
        if let Some(n) = st.nodes.get_mut(&ino) {
            let (s, ns) = now();
            n.meta.mtime = Some(s);
            n.meta.mtime_nsec = ns;
        }
    }

    fn check_writable(&self) -> R<()> {
        if self.inner.readonly {
            Err(Errno::EROFS)
        } else {
            Ok(())
        }
    }

    /// Make a new inode `name` in `parent` (which must not have it).
    #[allow(clippy::too_many_arguments)]
    fn make(
        &self,
        st: &mut State,
        req: &Request,
        parent: u64,
        name: &OsStr,
        mode: u32,
        id: ObjectId,
        rdev: Option<(u32, u32)>,
    ) -> R<u64> {
        self.check_writable()?;
        let name = name.as_bytes();
        dir::check_name(name).map_err(|_| Errno::EINVAL)?;
        if self.resolve(st, parent, name)?.is_some() {
            return Err(Errno::EEXIST);
        }
        let pnode = st.nodes.get(&parent).ok_or(Errno::ENOENT)?;
        // setgid directories pass their group on.
        let gid = if pnode.mode & 0o2000 != 0 {
            pnode.meta.gid
        } else {
            req.gid()
        };
        let mut e = Entry::new(name, mode, id);
        e.meta.uid = req.uid();
        e.meta.gid = gid;
        e.meta.rdev = rdev;
        let (s, ns) = now();
        e.meta.mtime = Some(s);
        e.meta.mtime_nsec = ns;
        let mut n = Node::from_entry(e, parent);
        if let Content::File { size, .. } = &mut n.content {
            *size = Some(0);
        }
        let ino = st.insert_node(n);
        st.names.insert((parent, name.to_vec()), Some(ino));
        Self::touch(st, ino);
        Self::set_mtime(st, parent);
        Self::touch(st, parent);
        Ok(ino)
    }

    /// Make a file's content empty: a new buffer, nothing copied up (and, in
    /// a working root, one that stores what is written next as it comes).
    fn empty_buffer(&self, st: &mut State, ino: u64) -> R<()> {
        let stream = matches!(self.inner.target, Target::Working);
        let n = st.nodes.get_mut(&ino).ok_or(Errno::ENOENT)?;
        let Content::File { buf, .. } = &mut n.content else {
            return Err(Errno::EISDIR);
        };
        *buf = Some(if stream {
            FileBuf::Stream(Box::default())
        } else {
            FileBuf::Mem(Vec::new())
        });
        Ok(())
    }

    /// Give a file its own writable buffer (copied up from the store).
    fn buffer<'a>(&self, st: &'a mut State, ino: u64) -> R<&'a mut FileBuf> {
        let store = self.store();
        let spill = &self.inner.spill_dir;
        let n = st.nodes.get_mut(&ino).ok_or(Errno::ENOENT)?;
        let Content::File { id, buf, .. } = &mut n.content else {
            return Err(Errno::EISDIR);
        };
        if buf.is_none() {
            let size = if id.is_zero() {
                0
            } else {
                file::size(store, id).map_err(|e| errno(&e))?
            };
            let mut b = if size > SPILL_AT {
                let f = spill_file(spill).map_err(|e| io_errno(&e))?;
                let mut r = file::Reader::new(store, id).map_err(|e| errno(&e))?;
                let mut w = std::io::BufWriter::new(&f);
                std::io::copy(&mut r, &mut w).map_err(|e| io_errno(&e))?;
                drop(w);
                FileBuf::Spill { file: f, len: size }
            } else if size == 0 && matches!(self.inner.target, Target::Working) {
                FileBuf::Stream(Box::default())
            } else if size == 0 {
                FileBuf::Mem(Vec::new())
            } else {
                FileBuf::Mem(file::read_range(store, id, 0, size).map_err(|e| errno(&e))?)
            };
            if b.len() != size {
                b.truncate(store, size, spill).map_err(|e| io_errno(&e))?;
            }
            *buf = Some(b);
        }
        Ok(buf.as_mut().expect("just set"))
    }

    /// Remove the name `name` from `parent`.
    fn remove_name(st: &mut State, parent: u64, name: &[u8], ino: u64) {
        st.names.insert((parent, name.to_vec()), None);
        st.drop_link(ino, parent, name);
        Self::changed_name(st, parent, name.to_vec());
        Self::set_mtime(st, parent);
    }

    /// Whether directory `ino` has no entries: every name changed since the
    /// last fold is gone, and so is every name of its base tree.
    fn dir_is_empty(&self, st: &mut State, ino: u64) -> R<bool> {
        let (base, pending) = match &st.nodes.get(&ino).ok_or(Errno::ENOENT)?.content {
            Content::Dir { base, pending } => (*base, pending.clone()),
            _ => return Err(Errno::ENOTDIR),
        };
        if pending
            .iter()
            .any(|n| st.names.get(&(ino, n.clone())).copied().flatten().is_some())
        {
            return Ok(false);
        }
        let cursor = TreeCursor::new(self.store(), &base).map_err(|e| errno(&e))?;
        for e in cursor {
            let e = e.map_err(|e| errno(&e))?;
            if e.name == ROOT_RECORD {
                continue;
            }
            if st.names.get(&(ino, e.name.clone())) != Some(&None) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The inode number to list for the name `name` of directory `parent`:
    /// its inode if known (None if deleted), else a number of its own. A
    /// listing makes no inodes: the kernel counts (and forgets) only lookups.
    fn listed_ino(st: &mut State, parent: u64, name: &[u8]) -> Option<u64> {
        if let Some(v) = st.names.get(&(parent, name.to_vec())) {
            return *v;
        }
        st.next_ino += 1;
        Some(st.next_ino - 1)
    }

    /// Walk directory `ino`'s listing (open handle `fh`) from `offset`:
    /// `emit(state, inode, offset of the next entry, kind, name)` for each
    /// entry, `.` and `..` first, until it says the reply is full. Offsets:
    /// 1 after ".", 2 after "..", 2 + k after the k-th entry. A streamed
    /// listing remembers where it stopped, so the next call resumes by name.
    fn list_dir(
        &self,
        st: &mut State,
        ino: u64,
        fh: u64,
        offset: u64,
        mut emit: impl FnMut(&mut State, u64, u64, FileType, &[u8]) -> bool,
    ) -> R<()> {
        let parent = st
            .nodes
            .get(&ino)
            .and_then(|n| n.links.first().map(|(p, _)| *p))
            .unwrap_or(1);
        let mut off = offset;
        for (at, dot, name) in [(0, ino, &b"."[..]), (1, parent, &b".."[..])] {
            if off == at {
                if emit(st, dot, at + 1, FileType::Directory, name) {
                    return Ok(());
                }
                off = at + 1;
            }
        }
        // Taken out while entries are emitted (emit needs the state).
        let handle = st.dirs.remove(&fh).ok_or(Errno::EBADF)?;
        let (next_offset, next_name) = match handle {
            DirHandle::Snapshot(list) => {
                for (i, (name, child, k)) in list.iter().enumerate().skip((off - 2) as usize) {
                    if emit(st, *child, i as u64 + 3, *k, name) {
                        break;
                    }
                }
                st.dirs.insert(fh, DirHandle::Snapshot(list));
                return Ok(());
            }
            DirHandle::Stream {
                next_offset,
                next_name,
            } => (next_offset, next_name),
        };
        let resume = next_name.filter(|_| next_offset == offset);
        let walked = (|| -> R<(u64, Option<Vec<u8>>)> {
            let base = match &st.nodes.get(&ino).ok_or(Errno::ENOENT)?.content {
                Content::Dir { base, .. } => *base,
                _ => return Err(Errno::ENOTDIR),
            };
            let cursor = match &resume {
                Some(n) => TreeCursor::seek(self.store(), &base, n),
                None => TreeCursor::new(self.store(), &base),
            }
            .map_err(|e| errno(&e))?;
            let mut skip = if resume.is_some() { 0 } else { off - 2 };
            for item in cursor {
                let e = item.map_err(|e| errno(&e))?;
                if e.name == ROOT_RECORD {
                    continue;
                }
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let Some(child) = Self::listed_ino(st, ino, &e.name) else {
                    continue;
                };
                if emit(st, child, off + 1, kind(e.mode), &e.name) {
                    return Ok((off, Some(e.name)));
                }
                off += 1;
            }
            Ok((off, None))
        })();
        // A failed walk leaves the handle where it was.
        let (next_offset, next_name, done) = match walked {
            Ok((o, n)) => (o, n, Ok(())),
            Err(e) => (next_offset, resume, Err(e)),
        };
        st.dirs.insert(
            fh,
            DirHandle::Stream {
                next_offset,
                next_name,
            },
        );
        done
    }

    /// The full listing of a directory with unfolded changes.
    fn snapshot(&self, st: &mut State, ino: u64) -> R<Vec<(Vec<u8>, u64, FileType)>> {
        let (base, pending) = match &st.nodes.get(&ino).ok_or(Errno::ENOENT)?.content {
            Content::Dir { base, pending } => (*base, pending.clone()),
            _ => return Err(Errno::ENOTDIR),
        };
        let mut all: BTreeMap<Vec<u8>, (u64, FileType)> = BTreeMap::new();
        let listed = dir::list(self.store(), &base).map_err(|e| errno(&e))?;
        for e in listed {
            if e.name == ROOT_RECORD {
                continue;
            }
            if let Some(c) = Self::listed_ino(st, ino, &e.name) {
                let k = st.nodes.get(&c).map_or(kind(e.mode), |n| kind(n.mode));
                all.insert(e.name, (c, k));
            }
        }
        for name in pending {
            match st.names.get(&(ino, name.clone())).copied().flatten() {
                Some(c) => {
                    let k = st
                        .nodes
                        .get(&c)
                        .map_or(FileType::RegularFile, |n| kind(n.mode));
                    all.insert(name, (c, k));
                }
                None => {
                    all.remove(&name);
                }
            }
        }
        Ok(all.into_iter().map(|(name, (c, k))| (name, c, k)).collect())
    }
}

impl Filesystem for WorkingFs {
    fn init(&mut self, _req: &Request, config: &mut KernelConfig) -> std::io::Result<()> {
        let _ = config.set_max_readahead(1 << 20);
        let _ = config.set_max_write(1 << 20);
        // Writes gather in the page cache and come in large batches; the
        // kernel keeps size and mtime meanwhile.
        if !self.inner.readonly {
            let _ = config.add_capabilities(fuser::InitFlags::FUSE_WRITEBACK_CACHE);
        }
        // Listings carry attributes when lookups follow them (find, ls -l):
        // one request per batch of entries instead of one per name.
        let _ = config.add_capabilities(
            fuser::InitFlags::FUSE_DO_READDIRPLUS | fuser::InitFlags::FUSE_READDIRPLUS_AUTO,
        );
        Ok(())
    }

    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let mut st = self.state();
        let r = self
            .resolve(&mut st, parent.0, name.as_bytes())
            .and_then(|v| v.ok_or(Errno::ENOENT))
            .and_then(|ino| {
                let a = self.attr(&mut st, ino)?;
                Self::looked_up(&mut st, ino);
                Ok(a)
            });
        match r {
            Ok(a) => reply.entry(&TTL, &a, Generation(0)),
            Err(e) => reply.error(e),
        }
    }

    // `batch_forget` is fuser's default: one `forget` per inode (fuser 0.18
    // does not export the type of its argument).
    fn forget(&self, _req: &Request, ino: INodeNo, nlookup: u64) {
        self.state().forget(ino.0, nlookup);
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        let mut st = self.state();
        match self.attr(&mut st, ino.0) {
            Ok(a) => reply.attr(&TTL, &a),
            Err(e) => reply.error(e),
        }
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
        size: Option<u64>,
        _atime: Option<TimeOrNow>,
        mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let mut st = self.state();
        let r = (|| -> R<FileAttr> {
            self.check_writable()?;
            let ino = ino.0;
            if let Some(size) = size {
                if size == 0 {
                    self.empty_buffer(&mut st, ino)?;
                } else {
                    let spill = &self.inner.spill_dir;
                    self.buffer(&mut st, ino)?
                        .truncate(self.store(), size, spill)
                        .map_err(|e| io_errno(&e))?;
                }
                Self::set_mtime(&mut st, ino);
            }
            let n = st.nodes.get_mut(&ino).ok_or(Errno::ENOENT)?;
            if let Some(m) = mode {
                n.mode = (n.mode & S_IFMT) | (m & 0o7777);
            }
            if let Some(u) = uid {
                n.meta.uid = u;
            }
            if let Some(g) = gid {
                n.meta.gid = g;
            }
            match mtime {
                Some(TimeOrNow::SpecificTime(t)) => {
                    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
                    n.meta.mtime = Some(d.as_secs());
                    n.meta.mtime_nsec = d.subsec_nanos();
                }
                Some(TimeOrNow::Now) => {
                    let (s, ns) = now();
                    n.meta.mtime = Some(s);
                    n.meta.mtime_nsec = ns;
                }
                None => {}
            }
            if ino == 1 {
                st.root_meta_dirty = true;
            }
            Self::touch(&mut st, ino);
            self.attr(&mut st, ino)
        })();
        match r {
            Ok(a) => reply.attr(&TTL, &a),
            Err(e) => reply.error(e),
        }
    }

    fn readlink(&self, _req: &Request, ino: INodeNo, reply: ReplyData) {
        let id = {
            let st = self.state();
            match st.nodes.get(&ino.0) {
                Some(n) if n.mode & S_IFMT == S_IFLNK => content_id(n),
                Some(_) => return reply.error(Errno::EINVAL),
                None => return reply.error(Errno::ENOENT),
            }
        };
        match file::read_range(self.store(), &id, 0, u64::MAX) {
            Ok(t) => reply.data(&t),
            Err(e) => reply.error(errno(&e)),
        }
    }

    fn mknod(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        rdev: u32,
        reply: ReplyEntry,
    ) {
        let mut st = self.state();
        let mode = mode & !umask;
        let r = (|| -> R<FileAttr> {
            let (id, dev) = match mode & S_IFMT {
                S_IFREG => (
                    self.store()
                        .write(ObjectType::Blob, b"")
                        .map_err(|e| errno(&e))?,
                    None,
                ),
                0o010000 | 0o140000 => (ObjectId::ZERO, None),
                0o020000 | 0o060000 => (ObjectId::ZERO, Some(decode_dev(rdev))),
                _ => return Err(Errno::EINVAL),
            };
            let ino = self.make(&mut st, req, parent.0, name, mode, id, dev)?;
            let a = self.attr(&mut st, ino)?;
            Self::looked_up(&mut st, ino);
            Ok(a)
        })();
        match r {
            Ok(a) => reply.entry(&TTL, &a, Generation(0)),
            Err(e) => reply.error(e),
        }
    }

    fn mkdir(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        reply: ReplyEntry,
    ) {
        let mut st = self.state();
        let r = (|| -> R<FileAttr> {
            let empty = dir::empty(self.store()).map_err(|e| errno(&e))?;
            let mode = S_IFDIR | (mode & !umask & 0o7777);
            let ino = self.make(&mut st, req, parent.0, name, mode, empty, None)?;
            let a = self.attr(&mut st, ino)?;
            Self::looked_up(&mut st, ino);
            Ok(a)
        })();
        match r {
            Ok(a) => reply.entry(&TTL, &a, Generation(0)),
            Err(e) => reply.error(e),
        }
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let mut st = self.state();
        let r = (|| -> R<()> {
            self.check_writable()?;
            let ino = self
                .resolve(&mut st, parent.0, name.as_bytes())?
                .ok_or(Errno::ENOENT)?;
            if st.nodes[&ino].is_dir() {
                return Err(Errno::EISDIR);
            }
            Self::remove_name(&mut st, parent.0, name.as_bytes(), ino);
            Ok(())
        })();
        match r {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let mut st = self.state();
        let r = (|| -> R<()> {
            self.check_writable()?;
            let ino = self
                .resolve(&mut st, parent.0, name.as_bytes())?
                .ok_or(Errno::ENOENT)?;
            if !st.nodes[&ino].is_dir() {
                return Err(Errno::ENOTDIR);
            }
            if !self.dir_is_empty(&mut st, ino)? {
                return Err(Errno::ENOTEMPTY);
            }
            Self::remove_name(&mut st, parent.0, name.as_bytes(), ino);
            Ok(())
        })();
        match r {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn symlink(
        &self,
        req: &Request,
        parent: INodeNo,
        link_name: &OsStr,
        target: &Path,
        reply: ReplyEntry,
    ) {
        let mut st = self.state();
        let r = (|| -> R<FileAttr> {
            let t = target.as_os_str().as_bytes();
            let id = self
                .store()
                .write(ObjectType::Blob, t)
                .map_err(|e| errno(&e))?;
            let ino = self.make(&mut st, req, parent.0, link_name, S_IFLNK | 0o777, id, None)?;
            if let Some(Node {
                content: Content::File { size, .. },
                ..
            }) = st.nodes.get_mut(&ino)
            {
                *size = Some(t.len() as u64);
            }
            let a = self.attr(&mut st, ino)?;
            Self::looked_up(&mut st, ino);
            Ok(a)
        })();
        match r {
            Ok(a) => reply.entry(&TTL, &a, Generation(0)),
            Err(e) => reply.error(e),
        }
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        let mut st = self.state();
        let r = (|| -> R<()> {
            self.check_writable()?;
            let (name, newname) = (name.as_bytes(), newname.as_bytes());
            dir::check_name(newname).map_err(|_| Errno::EINVAL)?;
            if flags.bits() & libc::RENAME_EXCHANGE != 0 {
                return Err(Errno::EINVAL);
            }
            let src = self
                .resolve(&mut st, parent.0, name)?
                .ok_or(Errno::ENOENT)?;
            // Moving a directory into itself or below it.
            if st.nodes[&src].is_dir() {
                let mut at = newparent.0;
                while at != 1 {
                    if at == src {
                        return Err(Errno::EINVAL);
                    }
                    at = st.nodes[&at].links.first().map_or(1, |(p, _)| *p);
                }
            }
            if let Some(dst) = self.resolve(&mut st, newparent.0, newname)? {
                if dst == src {
                    return Ok(());
                }
                if flags.bits() & libc::RENAME_NOREPLACE != 0 {
                    return Err(Errno::EEXIST);
                }
                match (st.nodes[&src].is_dir(), st.nodes[&dst].is_dir()) {
                    (true, true) => {
                        if !self.dir_is_empty(&mut st, dst)? {
                            return Err(Errno::ENOTEMPTY);
                        }
                    }
                    (true, false) => return Err(Errno::ENOTDIR),
                    (false, true) => return Err(Errno::EISDIR),
                    (false, false) => {}
                }
                Self::remove_name(&mut st, newparent.0, newname, dst);
            }
            Self::remove_name(&mut st, parent.0, name, src);
            st.names.insert((newparent.0, newname.to_vec()), Some(src));
            st.add_link(src, newparent.0, newname);
            Self::changed_name(&mut st, newparent.0, newname.to_vec());
            Self::set_mtime(&mut st, newparent.0);
            Ok(())
        })();
        match r {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn link(
        &self,
        _req: &Request,
        ino: INodeNo,
        newparent: INodeNo,
        newname: &OsStr,
        reply: ReplyEntry,
    ) {
        let mut st = self.state();
        let r = (|| -> R<FileAttr> {
            self.check_writable()?;
            let newname = newname.as_bytes();
            dir::check_name(newname).map_err(|_| Errno::EINVAL)?;
            if st.nodes.get(&ino.0).ok_or(Errno::ENOENT)?.is_dir() {
                return Err(Errno::EPERM);
            }
            if self.resolve(&mut st, newparent.0, newname)?.is_some() {
                return Err(Errno::EEXIST);
            }
            st.names
                .insert((newparent.0, newname.to_vec()), Some(ino.0));
            st.add_link(ino.0, newparent.0, newname);
            Self::changed_name(&mut st, newparent.0, newname.to_vec());
            Self::set_mtime(&mut st, newparent.0);
            let a = self.attr(&mut st, ino.0)?;
            Self::looked_up(&mut st, ino.0);
            Ok(a)
        })();
        match r {
            Ok(a) => reply.entry(&TTL, &a, Generation(0)),
            Err(e) => reply.error(e),
        }
    }

    fn open(&self, _req: &Request, ino: INodeNo, flags: OpenFlags, reply: ReplyOpen) {
        let mut st = self.state();
        let r = (|| -> R<u64> {
            let n = st.nodes.get(&ino.0).ok_or(Errno::ENOENT)?;
            if n.is_dir() {
                return Err(Errno::EISDIR);
            }
            let write = flags.acc_mode() != OpenAccMode::O_RDONLY;
            if write || flags.0 & libc::O_TRUNC != 0 {
                self.check_writable()?;
            }
            if flags.0 & libc::O_TRUNC != 0 {
                self.empty_buffer(&mut st, ino.0)?;
                Self::set_mtime(&mut st, ino.0);
                Self::touch(&mut st, ino.0);
            }
            if write {
                st.nodes.get_mut(&ino.0).expect("checked").writers += 1;
            }
            let fh = st.next_fh;
            st.next_fh += 1;
            st.files.insert(fh, (ino.0, write));
            Ok(fh)
        })();
        match r {
            Ok(fh) => reply.opened(FileHandle(fh), FopenFlags::FOPEN_KEEP_CACHE),
            Err(e) => reply.error(e),
        }
    }

    fn create(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        flags: i32,
        reply: ReplyCreate,
    ) {
        let mut st = self.state();
        let r = (|| -> R<(FileAttr, u64)> {
            let id = self
                .store()
                .write(ObjectType::Blob, b"")
                .map_err(|e| errno(&e))?;
            let mode = S_IFREG | (mode & !umask & 0o7777);
            let ino = self.make(&mut st, req, parent.0, name, mode, id, None)?;
            let write = flags & libc::O_ACCMODE != libc::O_RDONLY;
            if write {
                st.nodes.get_mut(&ino).expect("made").writers += 1;
            }
            let fh = st.next_fh;
            st.next_fh += 1;
            st.files.insert(fh, (ino, write));
            let a = self.attr(&mut st, ino)?;
            Self::looked_up(&mut st, ino);
            Ok((a, fh))
        })();
        match r {
            Ok((a, fh)) => reply.created(
                &TTL,
                &a,
                Generation(0),
                FileHandle(fh),
                FopenFlags::FOPEN_KEEP_CACHE,
            ),
            Err(e) => reply.error(e),
        }
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<fuser::LockOwner>,
        reply: ReplyData,
    ) {
        let id = {
            let st = self.state();
            match st.nodes.get(&ino.0).map(|n| &n.content) {
                Some(Content::File { buf: Some(b), .. }) => {
                    return match b.read(self.store(), offset, size) {
                        Ok(d) => reply.data(&d),
                        Err(e) => reply.error(io_errno(&e)),
                    }
                }
                Some(Content::File { id, .. }) => *id,
                Some(Content::Dir { .. }) => return reply.error(Errno::EISDIR),
                None => return reply.error(Errno::ENOENT),
            }
        };
        if id.is_zero() {
            return reply.data(&[]);
        }
        match self.inner.read_content(&id, offset, size as u64) {
            Ok(b) => reply.data(b.as_slice()),
            Err(e) => reply.error(errno(&e)),
        }
    }

    fn write(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        data: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<fuser::LockOwner>,
        reply: ReplyWrite,
    ) {
        let mut st = self.state();
        let r = (|| -> R<()> {
            self.check_writable()?;
            let b = self.buffer(&mut st, ino.0)?;
            let (store, spill) = (self.store(), &self.inner.spill_dir);
            self.inner
                .par(|| b.write(store, offset, data, spill))
                .map_err(|e| io_errno(&e))?;
            Self::set_mtime(&mut st, ino.0);
            Self::touch(&mut st, ino.0);
            Ok(())
        })();
        match r {
            Ok(()) => reply.written(data.len() as u32),
            Err(e) => reply.error(e),
        }
    }

    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: fuser::LockOwner,
        reply: ReplyEmpty,
    ) {
        // Nothing to do at close(2) (writes fold on fsync, on the timer and
        // at unmount): ENOSYS tells the kernel to stop sending FLUSH, which
        // saves a round trip at every close. The kernel still writes the
        // file's dirty pages back before close returns.
        reply.error(Errno::ENOSYS);
    }

    fn release(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        _lock_owner: Option<fuser::LockOwner>,
        _flush: bool,
        reply: ReplyEmpty,
    ) {
        let mut st = self.state();
        if let Some((_, true)) = st.files.remove(&fh.0) {
            if let Target::Discard = self.inner.target {
                // Kept until unmount, on disk unless small.
                let spill = self.inner.spill_dir.clone();
                if let Some(n) = st.nodes.get_mut(&ino.0) {
                    n.writers = n.writers.saturating_sub(1);
                    if let Content::File { buf: Some(b), .. } = &mut n.content {
                        if b.len() > file::INLINE_MAX {
                            if let Err(e) = b.spill(&spill) {
                                st.last_error = Some(format!("spill: {e}"));
                            }
                        }
                    }
                }
                return reply.ok();
            }
            let store = self.store();
            let mut failed = None;
            if let Some(n) = st.nodes.get_mut(&ino.0) {
                n.writers = n.writers.saturating_sub(1);
                // The last writer gone: store the content, drop the buffer.
                if n.writers == 0 {
                    if let Content::File { id, buf, size } = &mut n.content {
                        if let Some(b) = buf {
                            match self.inner.par(|| b.store(store, &self.inner.spill_dir)) {
                                Ok(new) => {
                                    *id = new;
                                    *size = Some(b.len());
                                    *buf = None;
                                }
                                Err(e) => failed = Some(e.to_string()),
                            }
                        }
                    }
                }
            }
            if failed.is_some() {
                st.last_error = failed;
            }
        }
        reply.ok();
    }

    fn fsync(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        match self.fold() {
            Ok(_) => reply.ok(),
            Err(e) => reply.error(errno(&e)),
        }
    }

    fn fsyncdir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        match self.fold() {
            Ok(_) => reply.ok(),
            Err(e) => reply.error(errno(&e)),
        }
    }

    fn opendir(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        let mut st = self.state();
        let r = (|| -> R<u64> {
            let n = st.nodes.get(&ino.0).ok_or(Errno::ENOENT)?;
            let Content::Dir { pending, .. } = &n.content else {
                return Err(Errno::ENOTDIR);
            };
            let h = if !pending.is_empty() {
                DirHandle::Snapshot(self.snapshot(&mut st, ino.0)?)
            } else {
                DirHandle::Stream {
                    next_offset: 0,
                    next_name: None,
                }
            };
            let fh = st.next_fh;
            st.next_fh += 1;
            st.dirs.insert(fh, h);
            Ok(fh)
        })();
        match r {
            Ok(fh) => reply.opened(FileHandle(fh), FopenFlags::empty()),
            Err(e) => reply.error(e),
        }
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let mut st = self.state();
        // Not a lookup: the kernel makes no inode of a plain listing.
        let r = self.list_dir(&mut st, ino.0, fh.0, offset, |_, child, off, k, name| {
            reply.add(INodeNo(child), off, k, OsStr::from_bytes(name))
        });
        match r {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    /// A listing whose entries come with their attributes: each one added
    /// (but `.` and `..`) is a lookup, as the kernel counts it.
    fn readdirplus(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectoryPlus,
    ) {
        let mut st = self.state();
        let r = self.list_dir(&mut st, ino.0, fh.0, offset, |st, child, off, _k, name| {
            let dots = matches!(name, b"." | b"..");
            let child = if dots {
                Some(child)
            } else {
                self.resolve(st, ino.0, name).ok().flatten()
            };
            let Some(attr) = child.and_then(|c| self.attr(st, c).ok()) else {
                // Gone meanwhile: left out of the listing.
                return false;
            };
            let full = reply.add(
                INodeNo(attr.ino.0),
                off,
                OsStr::from_bytes(name),
                &TTL,
                &attr,
                Generation(0),
            );
            if !full && !dots {
                Self::looked_up(st, attr.ino.0);
            }
            full
        });
        match r {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn releasedir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        reply: ReplyEmpty,
    ) {
        self.state().dirs.remove(&fh.0);
        reply.ok();
    }

    fn statfs(&self, _req: &Request, _ino: INodeNo, reply: ReplyStatfs) {
        // The space the store has: where written content ends up.
        match nix::sys::statvfs::statvfs(&self.inner.ws.dir) {
            Ok(s) => reply.statfs(
                s.blocks(),
                s.blocks_free(),
                s.blocks_available(),
                s.files(),
                s.files_free(),
                s.block_size() as u32,
                255,
                s.fragment_size() as u32,
            ),
            Err(_) => reply.statfs(0, 0, 0, 0, 0, BLKSIZE, 255, BLKSIZE),
        }
    }

    fn setxattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        name: &OsStr,
        value: &[u8],
        flags: i32,
        _position: u32,
        reply: ReplyEmpty,
    ) {
        let mut st = self.state();
        let mut mode_changed = false;
        let r = (|| -> R<()> {
            self.check_writable()?;
            let n = st.nodes.get_mut(&ino.0).ok_or(Errno::ENOENT)?;
            let name = name.as_bytes();
            let at = n
                .meta
                .xattrs
                .binary_search_by(|(k, _)| k.as_slice().cmp(name));
            // An access ACL sets the permission bits, as on ext4 and tmpfs
            // (sed -i, cp -p and install give a file its mode this way);
            // one that says no more than the mode is not kept.
            let mut keep = true;
            if name == ACL_ACCESS {
                mode_changed = true;
                let (perms, extended) = acl_mode(value).ok_or(Errno::EINVAL)?;
                n.mode = (n.mode & !0o777) | perms;
                keep = extended;
            }
            match at {
                Ok(_) if flags & XATTR_CREATE != 0 => return Err(Errno::EEXIST),
                Err(_) if flags & XATTR_REPLACE != 0 && keep => return Err(Errno::ENODATA),
                Ok(i) if !keep => {
                    n.meta.xattrs.remove(i);
                }
                Ok(i) => n.meta.xattrs[i].1 = value.to_vec(),
                Err(_) if !keep => {}
                Err(i) => n.meta.xattrs.insert(i, (name.to_vec(), value.to_vec())),
            }
            if ino.0 == 1 {
                st.root_meta_dirty = true;
            }
            Self::touch(&mut st, ino.0);
            Ok(())
        })();
        drop(st);
        match r {
            Ok(()) => reply.ok(),
            Err(e) => return reply.error(e),
        }
        // Without FUSE_POSIX_ACL the kernel keeps its cached mode after
        // an ACL is set: drop it (attributes only, no pages).
        if mode_changed {
            if let Some(n) = self.inner.notifier.get() {
                let _ = n.inval_inode(ino, -1, 0);
            }
        }
    }

    fn getxattr(&self, _req: &Request, ino: INodeNo, name: &OsStr, size: u32, reply: ReplyXattr) {
        let st = self.state();
        let Some(n) = st.nodes.get(&ino.0) else {
            return reply.error(Errno::ENOENT);
        };
        let Some((_, v)) = n.meta.xattrs.iter().find(|(k, _)| k == name.as_bytes()) else {
            return reply.error(Errno::ENODATA);
        };
        if size == 0 {
            reply.size(v.len() as u32)
        } else if (size as usize) < v.len() {
            reply.error(Errno::ERANGE)
        } else {
            reply.data(v)
        }
    }

    fn listxattr(&self, _req: &Request, ino: INodeNo, size: u32, reply: ReplyXattr) {
        let st = self.state();
        let Some(n) = st.nodes.get(&ino.0) else {
            return reply.error(Errno::ENOENT);
        };
        let mut list = Vec::new();
        for (k, _) in &n.meta.xattrs {
            list.extend_from_slice(k);
            list.push(0);
        }
        if size == 0 {
            reply.size(list.len() as u32)
        } else if (size as usize) < list.len() {
            reply.error(Errno::ERANGE)
        } else {
            reply.data(&list)
        }
    }

    fn removexattr(&self, _req: &Request, ino: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let mut st = self.state();
        let r = (|| -> R<()> {
            self.check_writable()?;
            let n = st.nodes.get_mut(&ino.0).ok_or(Errno::ENOENT)?;
            let before = n.meta.xattrs.len();
            n.meta.xattrs.retain(|(k, _)| k != name.as_bytes());
            if n.meta.xattrs.len() == before {
                return Err(Errno::ENODATA);
            }
            if ino.0 == 1 {
                st.root_meta_dirty = true;
            }
            Self::touch(&mut st, ino.0);
            Ok(())
        })();
        match r {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn access(&self, _req: &Request, ino: INodeNo, mask: AccessFlags, reply: ReplyEmpty) {
        let attr = {
            let mut st = self.state();
            if !st.nodes.contains_key(&ino.0) {
                return reply.error(Errno::ENOENT);
            }
            self.attr(&mut st, ino.0)
        };
        if mask.contains(AccessFlags::W_OK) && self.inner.readonly {
            return reply.error(Errno::EROFS);
        }
        // Nobody, root included, may execute a file without an execute bit.
        if mask.contains(AccessFlags::X_OK)
            && attr.is_ok_and(|a| a.kind == FileType::RegularFile && a.perm & 0o111 == 0)
        {
            return reply.error(Errno::EACCES);
        }
        reply.ok();
    }
}

/// The extended attribute holding a file's POSIX access ACL.
const ACL_ACCESS: &[u8] = b"system.posix_acl_access";

/// The permission bits an access ACL (the kernel's xattr form: a 4-byte
/// version 2, then 8-byte entries of tag, perm, id, little-endian) gives,
/// and whether it holds more than the mode can say (named users or groups,
/// a mask). The group bits are the mask's when there is one, as POSIX says.
fn acl_mode(value: &[u8]) -> Option<(u32, bool)> {
    const USER_OBJ: u16 = 0x01;
    const GROUP_OBJ: u16 = 0x04;
    const MASK: u16 = 0x10;
    const OTHER: u16 = 0x20;
    let (version, entries) = value.split_at_checked(4)?;
    if u32::from_le_bytes(version.try_into().ok()?) != 2 || entries.len() % 8 != 0 {
        return None;
    }
    let (mut user, mut group, mut mask, mut other) = (None, None, None, None);
    let mut extended = false;
    for e in entries.chunks_exact(8) {
        let tag = u16::from_le_bytes([e[0], e[1]]);
        let perm = u32::from(u16::from_le_bytes([e[2], e[3]]) & 0o7);
        match tag {
            USER_OBJ => user = Some(perm),
            GROUP_OBJ => group = Some(perm),
            MASK => mask = Some(perm),
            OTHER => other = Some(perm),
            _ => {}
        }
        extended |= !matches!(tag, USER_OBJ | GROUP_OBJ | OTHER);
    }
    let g = mask.or(group)?;
    Some((user? << 6 | g << 3 | other?, extended))
}

#[cfg(test)]
mod tests {
    #[test]
    fn access_acls_give_the_mode() {
        let acl = |entries: &[(u16, u16, u32)]| {
            let mut v = 2u32.to_le_bytes().to_vec();
            for (tag, perm, id) in entries {
                v.extend_from_slice(&tag.to_le_bytes());
                v.extend_from_slice(&perm.to_le_bytes());
                v.extend_from_slice(&id.to_le_bytes());
            }
            v
        };
        let minimal = acl(&[(1, 7, !0), (4, 5, !0), (0x20, 5, !0)]);
        assert_eq!(super::acl_mode(&minimal), Some((0o755, false)));
        let named = acl(&[
            (1, 6, !0),
            (2, 7, 1000),
            (4, 4, !0),
            (0x10, 6, !0),
            (0x20, 0, !0),
        ]);
        assert_eq!(super::acl_mode(&named), Some((0o660, true)));
        assert_eq!(super::acl_mode(&minimal[..10]), None);
        assert_eq!(super::acl_mode(b"\x01\0\0\0"), None);
    }

    use super::*;
    use crate::store::MemStore;

    fn file(store: &MemStore, name: &str, body: &[u8]) -> Entry {
        Entry::new(
            name.as_bytes(),
            S_IFREG | 0o644,
            store.write(ObjectType::Blob, body).unwrap(),
        )
    }

    /// A 64-bit little-endian ELF header with one program header of `ptype`
    /// whose segment is `seg`, placed after the headers.
    fn elf(ptype: u32, seg: &[u8]) -> Vec<u8> {
        let mut h = vec![0u8; 64 + 56];
        h[..6].copy_from_slice(b"\x7fELF\x02\x01");
        h[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        h[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        h[0x38..0x3a].copy_from_slice(&1u16.to_le_bytes());
        h[64..68].copy_from_slice(&ptype.to_le_bytes());
        h[72..80].copy_from_slice(&120u64.to_le_bytes());
        h[96..104].copy_from_slice(&(seg.len() as u64).to_le_bytes());
        h.extend_from_slice(seg);
        h
    }

    #[test]
    fn elf_interpreter_reads_pt_interp_and_refuses_the_rest() {
        let image = elf(3, b"/lib64/ld-linux-x86-64.so.2\0");
        assert_eq!(
            elf_interpreter(&image).as_deref(),
            Some("/lib64/ld-linux-x86-64.so.2")
        );
        // No PT_INTERP (a static program), a relative path, a 32-bit or
        // truncated image, a script: nothing.
        assert_eq!(elf_interpreter(&elf(1, b"/lib/x\0")), None);
        assert_eq!(elf_interpreter(&elf(3, b"lib/x\0")), None);
        let mut c32 = image.clone();
        c32[4] = 1;
        assert_eq!(elf_interpreter(&c32), None);
        assert_eq!(elf_interpreter(&image[..100]), None);
        assert_eq!(elf_interpreter(b"#!/bin/sh\n"), None);
        // A segment reaching past what was read, or an absurd header count.
        let mut far = image.clone();
        far[96..104].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(elf_interpreter(&far), None);
        let mut many = image;
        many[0x38..0x3a].copy_from_slice(&u16::MAX.to_le_bytes());
        assert_eq!(
            elf_interpreter(&many).as_deref(),
            Some("/lib64/ld-linux-x86-64.so.2")
        );
    }

    #[test]
    fn rebase_applies_our_changes_onto_theirs() {
        let s = MemStore::new();
        let sub = dir::build(&s, vec![file(&s, "x", b"1")]).unwrap();
        let base = dir::build(
            &s,
            vec![file(&s, "a", b"a"), Entry::new(b"d", S_IFDIR | 0o755, sub)],
        )
        .unwrap();
        // Ours: change a, add d/y. Theirs: add b, add d/z.
        let our_sub =
            dir::edit(&s, &sub, vec![(b"y".to_vec(), Some(file(&s, "y", b"y")))]).unwrap();
        let ours = dir::edit(
            &s,
            &base,
            vec![
                (b"a".to_vec(), Some(file(&s, "a", b"A"))),
                (
                    b"d".to_vec(),
                    Some(Entry::new(b"d", S_IFDIR | 0o755, our_sub)),
                ),
            ],
        )
        .unwrap();
        let their_sub =
            dir::edit(&s, &sub, vec![(b"z".to_vec(), Some(file(&s, "z", b"z")))]).unwrap();
        let theirs = dir::edit(
            &s,
            &base,
            vec![
                (b"b".to_vec(), Some(file(&s, "b", b"b"))),
                (
                    b"d".to_vec(),
                    Some(Entry::new(b"d", S_IFDIR | 0o755, their_sub)),
                ),
            ],
        )
        .unwrap();
        let got = rebase(&s, &base, &ours, &theirs).unwrap();
        let want_sub = dir::build(
            &s,
            vec![
                file(&s, "x", b"1"),
                file(&s, "y", b"y"),
                file(&s, "z", b"z"),
            ],
        )
        .unwrap();
        let want = dir::build(
            &s,
            vec![
                file(&s, "a", b"A"),
                file(&s, "b", b"b"),
                Entry::new(b"d", S_IFDIR | 0o755, want_sub),
            ],
        )
        .unwrap();
        assert_eq!(got, want);
        // Nobody else moved: the result is ours.
        assert_eq!(rebase(&s, &base, &ours, &base).unwrap(), ours);
    }

    #[test]
    fn file_buffers_spill_and_store_like_store_content() {
        let dir = tempfile::tempdir().unwrap();
        let s = MemStore::new();
        let mut b = FileBuf::Mem(Vec::new());
        let data: Vec<u8> = (0..(SPILL_AT as usize + 300_000))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        for (i, c) in data.chunks(1 << 20).enumerate() {
            b.write(&s, (i << 20) as u64, c, dir.path()).unwrap();
        }
        assert!(matches!(b, FileBuf::Spill { .. }));
        assert_eq!(b.read(&s, 5, 10).unwrap(), data[5..15].to_vec());
        assert_eq!(
            b.store(&s, dir.path()).unwrap(),
            file::store_content(&s, &data).unwrap()
        );
        b.truncate(&s, 10, dir.path()).unwrap();
        assert_eq!(
            b.store(&s, dir.path()).unwrap(),
            file::store_content(&s, &data[..10]).unwrap()
        );
    }

    fn noise(n: usize, seed: u64) -> Vec<u8> {
        file::xorshift_bytes(n, seed | 1)
    }

    #[test]
    fn streamed_buffers_store_what_store_content_stores() {
        let dir = tempfile::tempdir().unwrap();
        let s = MemStore::new();
        for (n, piece) in [
            (100, 7),
            (70_000, 4096),
            (3 * SETTLE_AT + 12_345, 131_072),
            (SETTLE_AT + 1, 1 << 20),
        ] {
            let data = noise(n, n as u64);
            let mut b = FileBuf::Stream(Box::default());
            // Pieces in pairs, the second of each pair first (out of order).
            let pieces: Vec<(usize, &[u8])> = data
                .chunks(piece)
                .enumerate()
                .map(|(i, c)| (i * piece, c))
                .collect();
            for pair in pieces.chunks(2) {
                for &(off, c) in pair.iter().rev() {
                    b.write(&s, off as u64, c, dir.path()).unwrap();
                }
            }
            assert!(matches!(b, FileBuf::Stream(_)), "{n}");
            assert_eq!(b.len(), n as u64);
            let at = n as u64 / 3;
            let got = b.read(&s, at, 70_000).unwrap();
            assert_eq!(got, data[at as usize..(at as usize + 70_000).min(n)]);
            let want = file::store_content(&s, &data).unwrap();
            assert_eq!(b.store(&s, dir.path()).unwrap(), want, "{n}");
            // Stored while open, then written on: still the same content.
            let more = noise(5000, 3);
            b.write(&s, n as u64, &more, dir.path()).unwrap();
            let mut all = data.clone();
            all.extend_from_slice(&more);
            assert_eq!(
                b.store(&s, dir.path()).unwrap(),
                file::store_content(&s, &all).unwrap()
            );
            // A write into the stored part: a plain buffer, same content.
            b.write(&s, 1, b"xy", dir.path()).unwrap();
            all[1..3].copy_from_slice(b"xy");
            assert_eq!(b.read(&s, 0, 4).unwrap(), all[..4].to_vec());
            assert_eq!(
                b.store(&s, dir.path()).unwrap(),
                file::store_content(&s, &all).unwrap()
            );
        }
        // A hole left by a write past the end reads, and stores, as zeros.
        let mut b = FileBuf::Stream(Box::default());
        b.write(&s, 10, b"abc", dir.path()).unwrap();
        assert_eq!(
            b.read(&s, 0, 20).unwrap(),
            b"\0\0\0\0\0\0\0\0\0\0abc".to_vec()
        );
        let mut want = vec![0u8; 10];
        want.extend_from_slice(b"abc");
        assert_eq!(
            b.store(&s, dir.path()).unwrap(),
            file::store_content(&s, &want).unwrap()
        );
    }
    /// A working filesystem over a tree of `dirs` directories of `files`
    /// files each, plus `a` and `b` at the root, in a new workspace.
    fn working_fs(dirs: usize, files: usize) -> (tempfile::TempDir, WorkingFs) {
        let tmp = tempfile::tempdir().unwrap();
        let ws = Workspace::init(tmp.path()).unwrap();
        let mut top = vec![file_in(&ws.odb, "a", b"A"), file_in(&ws.odb, "b", b"B")];
        for d in 0..dirs {
            let entries: Vec<Entry> = (0..files)
                .map(|f| file_in(&ws.odb, &format!("f{f:04}"), format!("{d}/{f}").as_bytes()))
                .collect();
            let sub = dir::build(&ws.odb, entries).unwrap();
            top.push(Entry::new(
                format!("d{d:03}").as_bytes(),
                S_IFDIR | 0o755,
                sub,
            ));
        }
        top.sort_by(|x, y| x.name.cmp(&y.name));
        let root = dir::build(&ws.odb, top).unwrap();
        crate::container::set_working_root(&ws, root, None).unwrap();
        let spill = tmp.path().join("spill");
        let fs = WorkingFs::new(ws, root, Target::Working, spill, false).unwrap();
        (tmp, fs)
    }

    /// A second, discarding filesystem over `root` in `fs`'s workspace.
    fn discard_view(fs: &WorkingFs, root: ObjectId) -> WorkingFs {
        WorkingFs::new(
            fs.inner.ws.reopen(),
            root,
            Target::Discard,
            PathBuf::from("/nonexistent"),
            false,
        )
        .unwrap()
    }

    fn file_in(store: &dyn ObjectStore, name: &str, body: &[u8]) -> Entry {
        Entry::new(
            name.as_bytes(),
            S_IFREG | 0o644,
            store.write(ObjectType::Blob, body).unwrap(),
        )
    }

    /// Look `path` up as the kernel does: each component once, counted.
    fn lookup(fs: &WorkingFs, st: &mut State, path: &str) -> u64 {
        let mut ino = 1;
        for c in path.split('/') {
            ino = fs.resolve(st, ino, c.as_bytes()).unwrap().unwrap();
            WorkingFs::looked_up(st, ino);
        }
        ino
    }

    /// Forget `path` as the kernel does: each component once, deepest first.
    fn forget(st: &mut State, inos: &[u64]) {
        for &i in inos.iter().rev() {
            st.forget(i, 1);
        }
    }

    #[test]
    fn forgotten_inodes_are_dropped_and_found_again() {
        let (_tmp, fs) = working_fs(20, 50);
        let mut st = fs.state();
        let mut seen = Vec::new();
        for d in 0..20 {
            for f in 0..50 {
                let dir = lookup(&fs, &mut st, &format!("d{d:03}"));
                let file = fs
                    .resolve(&mut st, dir, format!("f{f:04}").as_bytes())
                    .unwrap()
                    .unwrap();
                WorkingFs::looked_up(&mut st, file);
                seen.push((dir, file));
            }
        }
        assert_eq!(st.inodes(), 1 + 20 + 20 * 50);
        for (dir, file) in seen {
            forget(&mut st, &[dir, file]);
        }
        assert_eq!(st.inodes(), 1, "every forgotten inode is dropped");
        assert!(st.names.is_empty());
        // Found again, with the same content.
        let f = lookup(&fs, &mut st, "d007/f0042");
        let id = content_id(&st.nodes[&f]);
        drop(st);
        assert_eq!(fs.store().read(&id).unwrap().data, b"7/42".to_vec());
    }

    #[test]
    fn changed_inodes_are_kept_until_folded() {
        let (_tmp, fs) = working_fs(2, 3);
        let mut st = fs.state();
        let d = lookup(&fs, &mut st, "d001");
        let f = lookup(&fs, &mut st, "d001/f0002");
        let spill = fs.inner.spill_dir.clone();
        let store = fs.store();
        fs.buffer(&mut st, f)
            .unwrap()
            .write(store, 0, b"new", &spill)
            .unwrap();
        WorkingFs::touch(&mut st, f);
        // d was looked up twice (once on the way to f).
        forget(&mut st, &[d, d, f]);
        assert!(st.nodes.contains_key(&f), "unfolded content is kept");
        assert!(st.nodes.contains_key(&d), "so is its directory");
        let root = fs.fold_locked(&mut st, true).unwrap();
        assert!(!st.nodes.contains_key(&f), "dropped once folded");
        assert!(!st.nodes.contains_key(&d));
        assert_eq!(st.inodes(), 1);
        let f = lookup(&fs, &mut st, "d001/f0002");
        let id = content_id(&st.nodes[&f]);
        drop(st);
        assert_eq!(fs.store().read(&id).unwrap().data, b"new".to_vec());
        let e = dir::get(fs.store(), &root, b"d001").unwrap().unwrap();
        assert!(dir::get(fs.store(), &e.id, b"f0002").unwrap().is_some());
    }

    #[test]
    fn links_fold_into_a_hardlink_group_and_are_joined_again() {
        let (_tmp, fs) = working_fs(2, 1);
        let mut st = fs.state();
        let b = lookup(&fs, &mut st, "b");
        let d = lookup(&fs, &mut st, "d001");
        // link b → d001/x and → a-link (at the root, after "a", before "b").
        for (parent, name) in [(d, "x"), (1, "a-link")] {
            st.names.insert((parent, name.as_bytes().to_vec()), Some(b));
            st.add_link(b, parent, name.as_bytes());
            WorkingFs::changed_name(&mut st, parent, name.as_bytes().to_vec());
        }
        let root = fs.fold_locked(&mut st, true).unwrap();
        drop(st);
        let store = fs.store();
        let get =
            |dir: &ObjectId, name: &str| dir::get(store, dir, name.as_bytes()).unwrap().unwrap();
        // Tree order: a-link < b < d001/x; the first carries no record.
        assert_eq!(get(&root, "a-link").meta.link, None);
        assert_eq!(get(&root, "b").meta.link, Some(b"a-link".to_vec()));
        let sub = get(&root, "d001").id;
        assert_eq!(get(&sub, "x").meta.link, Some(b"../a-link".to_vec()));
        assert_eq!(get(&sub, "x").id, get(&root, "b").id);
        // A new view joins the members into one inode as they are looked up.
        let fs2 = discard_view(&fs, root);
        let mut st = fs2.state();
        let x = lookup(&fs2, &mut st, "d001/x");
        let b2 = lookup(&fs2, &mut st, "b");
        let a = lookup(&fs2, &mut st, "a-link");
        assert_eq!(x, b2);
        assert_eq!(x, a);
        assert_eq!(st.nodes[&x].links.len(), 3);
        assert_eq!(fs2.attr(&mut st, x).unwrap().nlink, 3);
        // A member edited since is no longer joined.
        let other = file_in(store, "a-link", b"other");
        let root2 = dir::edit(store, &root, vec![(b"a-link".to_vec(), Some(other))]).unwrap();
        fs.inner.flush_pending().unwrap();
        let fs3 = discard_view(&fs, root2);
        let mut st = fs3.state();
        let b3 = lookup(&fs3, &mut st, "b");
        let a3 = lookup(&fs3, &mut st, "a-link");
        assert_ne!(b3, a3);
        assert_eq!(fs3.attr(&mut st, b3).unwrap().nlink, 1);
    }
}
