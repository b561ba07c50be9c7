//! Host directories in and out of trees: `write-tree` (import, hashing files
//! in parallel) and `checkout-tree` (materialise a tree, preserving modes,
//! symlinks, empty directories and, as root, owners and device nodes).
#![warn(missing_docs)]

use std::collections::HashMap;
use std::fs;

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, IoContext, Result};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::progress::{phase, Progress, Silent, Unit};
use crate::prolly::dir::{
    self, Entry, Meta, ROOT_RECORD, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG,
    S_IFSOCK,
};
use crate::prolly::file;
use crate::store::ObjectStore;

/// How a host directory is read into a tree.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Record uid/gid, extended attributes and modification times of every
    /// entry (and of the root, in its `.` record).
    pub owners: bool,
    /// Directories left out, by (device, inode): the workspace's own `.hako`.
    pub exclude: Vec<(u64, u64)>,
}

struct DirJob {
    path: PathBuf,
    /// Path from the root, one name per component (tree order compares these).
    comps: Vec<Vec<u8>>,
    /// Index of the parent directory job and this directory's name in it.
    parent: Option<(usize, Vec<u8>)>,
    meta: fs::Metadata,
    entries: Vec<Entry>,
}

/// An entry by its directory job and name.
type DirName = (usize, Vec<u8>);

struct FileJob {
    dir: usize,
    path: PathBuf,
    name: Vec<u8>,
    meta: fs::Metadata,
}

/// The metadata an import records for `path` (metadata `m`) under `opts`.
pub(crate) fn entry_meta(path: &Path, m: &fs::Metadata, opts: &ImportOptions) -> Result<Meta> {
    let mut meta = Meta::default();
    if opts.owners {
        meta.uid = m.uid();
        meta.gid = m.gid();
        meta.xattrs = read_xattrs(path)?;
        // Times before the epoch are recorded as the epoch.
        if m.mtime() >= 0 {
            meta.mtime = Some(m.mtime() as u64);
            meta.mtime_nsec = m.mtime_nsec() as u32;
        } else {
            meta.mtime = Some(0);
        }
    }
    Ok(meta)
}

/// Extended attributes of a path (not following symlinks); none where the
/// filesystem does not support them.
fn read_xattrs(path: &Path) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let names = match xattr::list(path) {
        Ok(n) => n,
        Err(e) if e.raw_os_error() == Some(libc::ENOTSUP) => return Ok(Vec::new()),
        Err(e) => return Err(e).at(path),
    };
    let mut out = Vec::new();
    for n in names {
        if let Some(v) = xattr::get(path, &n).at(path)? {
            out.push((n.as_bytes().to_vec(), v));
        }
    }
    out.sort();
    let total: usize = out.iter().map(|(n, v)| n.len() + v.len() + 8).sum();
    if total > crate::prolly::dir::MAX_META - 64 {
        return Err(Error::XattrsTooLarge {
            path: path.to_path_buf(),
            total,
        });
    }
    Ok(out)
}

/// Read a file's bytes and store them (blob, or chunks plus a file list),
/// streaming: never mapped (a file truncated meanwhile must not kill us with
/// SIGBUS) and never stored from bytes other than those hashed.
pub(crate) fn store_file(store: &dyn ObjectStore, path: &Path) -> Result<ObjectId> {
    let f = fs::File::open(path).at(path)?;
    file::store_reader(store, std::io::BufReader::with_capacity(1 << 20, f)).map_err(
        |err| match err.downcast::<Error>() {
            Ok(e) => e,
            Err(err) => Error::Io {
                path: path.to_path_buf(),
                err,
            },
        },
    )
}

/// The entry for a symlink, device, fifo or socket at `p` (no content to hash).
fn special_entry(
    store: &dyn ObjectStore,
    p: &Path,
    name: &[u8],
    m: &fs::Metadata,
    opts: &ImportOptions,
) -> Result<Entry> {
    let mut e = if m.file_type().is_symlink() {
        let target = fs::read_link(p).at(p)?;
        let id = store.write(ObjectType::Blob, target.as_os_str().as_bytes())?;
        Entry::new(name, S_IFLNK | 0o777, id)
    } else {
        Entry::new(name, m.mode() & (S_IFMT | 0o7777), ObjectId::ZERO)
    };
    e.meta = entry_meta(p, m, opts)?;
    if matches!(e.mode & S_IFMT, S_IFCHR | S_IFBLK) {
        let rdev = m.rdev();
        e.meta.rdev = Some((libc::major(rdev), libc::minor(rdev)));
    }
    Ok(e)
}

pub use crate::prolly::dir::hardlinks::relative_path;
use crate::prolly::dir::hardlinks::{link_target, same_but_link};

/// A host directory read into trees: the root's entries (without the `.`
/// record), mode and metadata.
struct WalkedRoot {
    entries: Vec<Entry>,
    mode: u32,
    meta: Meta,
}

fn walk(
    store: &dyn ObjectStore,
    root: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<WalkedRoot> {
    let meta = fs::symlink_metadata(root).at(root)?;
    if !meta.is_dir() {
        return Err(Error::NotADirectory(root.display().to_string()));
    }
    let mut dirs = vec![DirJob {
        path: root.to_path_buf(),
        comps: Vec::new(),
        parent: None,
        meta,
        entries: Vec::new(),
    }];
    let mut files = Vec::new();
    // Hardlink candidates: (device, inode) → (directory job, name).
    let mut inodes: HashMap<(u64, u64), Vec<DirName>> = HashMap::new();
    // Breadth-first walk: parents always precede their children in `dirs`.
    let mut i = 0;
    while i < dirs.len() {
        let path = dirs[i].path.clone();
        for ent in fs::read_dir(&path).at(&path)? {
            let ent = ent.at(&path)?;
            let p = ent.path();
            let name = ent.file_name().as_bytes().to_vec();
            let m = fs::symlink_metadata(&p).at(&p)?;
            let ft = m.file_type();
            if ft.is_dir() {
                if opts.exclude.contains(&(m.dev(), m.ino())) {
                    continue;
                }
                let mut comps = dirs[i].comps.clone();
                comps.push(name.clone());
                dirs.push(DirJob {
                    path: p,
                    comps,
                    parent: Some((i, name)),
                    meta: m,
                    entries: Vec::new(),
                });
                continue;
            }
            if m.nlink() > 1 {
                inodes
                    .entry((m.dev(), m.ino()))
                    .or_default()
                    .push((i, name.clone()));
            }
            if ft.is_file() {
                files.push(FileJob {
                    dir: i,
                    path: p,
                    name,
                    meta: m,
                });
            } else {
                let e = special_entry(store, &p, &name, &m, opts)?;
                dirs[i].entries.push(e);
            }
        }
        i += 1;
    }
    // Hash and store file contents in parallel.
    let ids: Vec<ObjectId> = phase(
        progress,
        "Importing files",
        Some(files.len() as u64),
        Unit::Items,
        || {
            files
                .par_iter()
                .map(|f| {
                    let id = store_file(store, &f.path);
                    progress.advance(1);
                    id
                })
                .collect::<Result<_>>()
        },
    )?;
    for (f, id) in files.into_iter().zip(ids) {
        let mut e = Entry::new(&f.name, S_IFREG | (f.meta.mode() & 0o7777), id);
        e.meta = entry_meta(&f.path, &f.meta, opts)?;
        dirs[f.dir].entries.push(e);
    }
    // Hardlink groups: every member but the first in tree order names the first.
    let mut links: HashMap<DirName, Vec<u8>> = HashMap::new();
    for members in inodes.into_values().filter(|m| m.len() > 1) {
        let mut paths: Vec<(Vec<Vec<u8>>, usize, Vec<u8>)> = members
            .into_iter()
            .map(|(d, name)| {
                let mut comps = dirs[d].comps.clone();
                comps.push(name.clone());
                (comps, d, name)
            })
            .collect();
        paths.sort();
        let first = paths[0].0.clone();
        for (_, d, name) in paths.into_iter().skip(1) {
            let rel = relative_path(&dirs[d].comps, &first);
            links.insert((d, name), rel);
        }
    }
    // Build trees children-first.
    for j in (1..dirs.len()).rev() {
        let mut entries = std::mem::take(&mut dirs[j].entries);
        set_links(&mut entries, j, &mut links);
        entries.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        let id = dir::build(store, entries)?;
        let (p, name) = dirs[j].parent.clone().expect("not the root");
        let mut e = Entry::new(&name, S_IFDIR | (dirs[j].meta.mode() & 0o7777), id);
        e.meta = entry_meta(&dirs[j].path, &dirs[j].meta, opts)?;
        dirs[p].entries.push(e);
    }
    let mut entries = std::mem::take(&mut dirs[0].entries);
    set_links(&mut entries, 0, &mut links);
    entries.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    Ok(WalkedRoot {
        entries,
        mode: S_IFDIR | (dirs[0].meta.mode() & 0o7777),
        meta: entry_meta(root, &dirs[0].meta, opts)?,
    })
}

fn set_links(entries: &mut [Entry], dir: usize, links: &mut HashMap<DirName, Vec<u8>>) {
    if links.is_empty() {
        return;
    }
    for e in entries.iter_mut() {
        if let Some(l) = links.remove(&(dir, e.name.clone())) {
            e.meta.link = Some(l);
        }
    }
}

/// The `.` record for a root directory of `mode` and `meta`, unless both are
/// the default (040755, no metadata).
pub fn root_record(mode: u32, meta: &Meta) -> Option<Entry> {
    if mode == S_IFDIR | 0o755 && meta.is_default() {
        return None;
    }
    let mut e = Entry::new(ROOT_RECORD, mode, ObjectId::ZERO);
    e.meta = meta.clone();
    e.meta.link = None;
    Some(e)
}

/// Import the host directory `root` as a tree; returns its id. The root's own
/// mode and metadata go in its `.` record.
pub fn write_tree(store: &dyn ObjectStore, root: &Path, opts: &ImportOptions) -> Result<ObjectId> {
    write_tree_with(store, root, opts, &Silent)
}

/// `write_tree`, reporting the files it stores to `progress`.
pub fn write_tree_with(
    store: &dyn ObjectStore,
    root: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ObjectId> {
    let w = walk(store, root, opts, progress)?;
    let mut entries = w.entries;
    if let Some(rec) = root_record(w.mode, &w.meta) {
        let at = entries.partition_point(|e| e.name.as_slice() < ROOT_RECORD);
        entries.insert(at, rec);
    }
    dir::build(store, entries)
}

/// Import any host path as one entry named `name`, not following a symlink at
/// `path` itself: a directory becomes a tree whose own mode and metadata are
/// the entry's (no `.` record), ready to graft into another tree.
pub(crate) fn import_entry(
    store: &dyn ObjectStore,
    path: &Path,
    name: &[u8],
    opts: &ImportOptions,
) -> Result<Entry> {
    import_entry_with(store, path, name, opts, &Silent)
}

/// `import_entry`, reporting the files it stores to `progress`.
pub fn import_entry_with(
    store: &dyn ObjectStore,
    path: &Path,
    name: &[u8],
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<Entry> {
    let m = fs::symlink_metadata(path).at(path)?;
    if m.is_dir() {
        let w = walk(store, path, opts, progress)?;
        let id = dir::build(store, w.entries)?;
        let mut e = Entry::new(name, w.mode, id);
        e.meta = w.meta;
        return Ok(e);
    }
    if m.is_file() {
        let id = store_file(store, path)?;
        let mut e = Entry::new(name, S_IFREG | (m.mode() & 0o7777), id);
        e.meta = entry_meta(path, &m, opts)?;
        return Ok(e);
    }
    special_entry(store, path, name, &m, opts)
}

/// Where a checkout takes its regular files from, instead of writing each
/// one: the checkout cache links them from shared plain copies that already
/// carry the entry's mode, owner, xattrs and time.
pub trait FileSource: std::fmt::Debug + Send + Sync {
    /// Create the regular file of entry `e` at `dest` (which does not exist).
    fn create(&self, store: &dyn ObjectStore, e: &Entry, dest: &Path) -> Result<()>;
}

/// How a tree is written out to a host directory.
#[derive(Clone, Debug, Default)]
pub struct CheckoutOptions {
    /// Apply recorded owners, xattrs and modification times (needs privilege).
    pub owners: bool,
    /// Create character and block devices (needs privilege; never for a tree
    /// nobody vetted: an image's `/dev/mem` 0666 would open the host's memory
    /// to every local user). Skipped, and reported, otherwise.
    pub devices: bool,
    /// Mode and metadata for the destination directory itself, instead of the
    /// tree's `.` record (a subdirectory's entry in its parent).
    pub root: Option<(u32, Meta)>,
    /// Apply every entry's modification time, the epoch where none is
    /// recorded, with or without `owners` (the checkout cache presents
    /// entries as the FUSE servers do).
    pub times: bool,
    /// Regular files come from here (already attributed) instead of being written.
    pub files: Option<std::sync::Arc<dyn FileSource>>,
}

/// What a checkout could not reproduce (e.g. device nodes without privilege).
#[derive(Clone, Debug, Default)]
pub struct CheckoutReport {
    /// Regular files written.
    pub files: u64,
    /// Directories written.
    pub dirs: u64,
    /// Entries not made, each with why.
    pub skipped: Vec<String>,
}

/// An entry to create: its host path, tree path and entry.
struct Item {
    path: PathBuf,
    comps: Vec<Vec<u8>>,
    entry: Entry,
}

fn nix_err(p: &Path) -> impl FnOnce(nix::errno::Errno) -> Error + '_ {
    move |err| Error::Io {
        path: p.to_path_buf(),
        err: err.into(),
    }
}

/// Owner, then xattrs (chown clears security.capability), then the exact
/// mode (chown clears setuid and setgid); never following a symlink. Without
/// owners, setuid and setgid are dropped: they would apply to whoever checks out.
fn apply_attrs(p: &Path, mode: u32, m: &Meta, owners: bool) -> Result<()> {
    if owners {
        // Without privilege the owner stays the caller's, as with tar.
        let _ = std::os::unix::fs::lchown(p, Some(m.uid), Some(m.gid));
        for (n, v) in &m.xattrs {
            xattr::set(p, std::ffi::OsStr::from_bytes(n), v).at(p)?;
        }
    }
    if mode & S_IFMT != S_IFLNK {
        let bits = if owners { 0o7777 } else { 0o1777 };
        fs::set_permissions(p, fs::Permissions::from_mode(mode & bits)).at(p)?;
    }
    Ok(())
}

/// Give a checked-out file at `p` its entry's mode and metadata as a
/// checkout does: owners, xattrs and the modification time only with `owners`.
pub fn apply_entry_attrs(p: &Path, mode: u32, m: &Meta, owners: bool) -> Result<()> {
    apply_attrs(p, mode, m, owners)?;
    if owners {
        apply_mtime(p, m)?;
    }
    Ok(())
}

/// Set the recorded modification time (not following a symlink); with
/// `epoch`, an entry recording none gets the epoch.
fn apply_mtime_or(p: &Path, m: &Meta, epoch: bool) -> Result<()> {
    let secs = match m.mtime {
        Some(s) => s,
        None if epoch => 0,
        None => return Ok(()),
    };
    use nix::sys::time::TimeSpec;
    let mtime = TimeSpec::new(secs as i64, m.mtime_nsec as i64);
    nix::sys::stat::utimensat(
        nix::fcntl::AT_FDCWD,
        p,
        &TimeSpec::UTIME_OMIT,
        &mtime,
        nix::sys::stat::UtimensatFlags::NoFollowSymlink,
    )
    .map_err(nix_err(p))
}

fn apply_mtime(p: &Path, m: &Meta) -> Result<()> {
    apply_mtime_or(p, m, false)
}

/// Give `p` the attributes a checkout with `times` gives entry mode `mode`
/// and metadata `m`: owners and xattrs with `owners`, the modification time
/// (the epoch where none is recorded) always.
pub(crate) fn apply_presented_attrs(p: &Path, mode: u32, m: &Meta, owners: bool) -> Result<()> {
    apply_attrs(p, mode, m, owners)?;
    apply_mtime_or(p, m, true)
}

/// Create the one non-directory entry `e` at `dest` as `checkout_tree` would
/// (its hardlink record ignored); false when it could not be made (a device
/// node without `devices`), with the reason in `report`.
pub(crate) fn checkout_entry(
    store: &dyn ObjectStore,
    e: &Entry,
    dest: &Path,
    opts: &CheckoutOptions,
    report: &mut CheckoutReport,
) -> Result<bool> {
    if e.mode & S_IFMT == S_IFREG {
        if let Some(src) = &opts.files {
            src.create(store, e, dest)?;
            report.files += 1;
            return Ok(true);
        }
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(dest)
            .at(dest)?;
        file::write_to(store, &e.id, &mut f).map_err(|err| err.on_output(dest))?;
        drop(f);
        report.files += 1;
    } else if !create_special(store, dest, e, opts.devices, report)? {
        return Ok(false);
    }
    apply_attrs(dest, e.mode, &e.meta, opts.owners)?;
    if opts.owners || opts.times {
        apply_mtime_or(dest, &e.meta, opts.times)?;
    }
    Ok(true)
}

/// Create a symlink, device, fifo or socket; false when it could not be made
/// (device nodes without privilege), with the reason in the report.
fn create_special(
    store: &dyn ObjectStore,
    p: &Path,
    e: &Entry,
    devices: bool,
    report: &mut CheckoutReport,
) -> Result<bool> {
    use nix::sys::stat::{makedev, mknod, Mode, SFlag};
    let perm = Mode::from_bits_truncate(e.mode & 0o7777);
    match e.mode & S_IFMT {
        S_IFLNK => {
            let o = store.read(&e.id)?;
            std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(&o.data), p).at(p)?;
        }
        S_IFIFO => nix::unistd::mkfifo(p, perm).map_err(nix_err(p))?,
        S_IFCHR | S_IFBLK | S_IFSOCK => {
            let kind = match e.mode & S_IFMT {
                S_IFCHR => SFlag::S_IFCHR,
                S_IFBLK => SFlag::S_IFBLK,
                _ => SFlag::S_IFSOCK,
            };
            let (ma, mi) = e.meta.rdev.unwrap_or((0, 0));
            if kind != SFlag::S_IFSOCK && !devices {
                report.skipped.push(format!(
                    "{} (device node {ma},{mi}: created only with --owners)",
                    p.display()
                ));
                return Ok(false);
            }
            if let Err(err) = mknod(p, kind, perm, makedev(ma as u64, mi as u64)) {
                report
                    .skipped
                    .push(format!("{} (device node: {err})", p.display()));
                return Ok(false);
            }
        }
        _ => {
            report.skipped.push(p.display().to_string());
            return Ok(false);
        }
    }
    Ok(true)
}

/// Hardlinks whose first member is created by this checkout, with the same
/// mode, id and metadata, as (first, link) pairs; the others become
/// independent entries of `files` or `specials`.
fn resolve_links(
    files: &mut Vec<Item>,
    specials: &mut Vec<Item>,
    linked: Vec<Item>,
) -> Vec<(PathBuf, PathBuf)> {
    let mut firsts: HashMap<&[Vec<u8>], &Item> = HashMap::new();
    for it in files.iter().chain(specials.iter()) {
        firsts.insert(&it.comps, it);
    }
    let mut links: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut unlinked: Vec<Item> = Vec::new();
    for it in linked {
        let e = &it.entry;
        let target = link_target(&it.comps, e.meta.link.as_deref().unwrap_or_default());
        let first = target.as_ref().and_then(|t| firsts.get(t.as_slice()));
        let ok = first.is_some_and(|f| {
            f.comps < it.comps && f.entry.meta.link.is_none() && same_but_link(&f.entry, e)
        });
        match first {
            Some(f) if ok => links.push((f.path.clone(), it.path)),
            _ => unlinked.push(it),
        }
    }
    drop(firsts);
    for it in unlinked {
        if it.entry.mode & S_IFMT == S_IFREG {
            files.push(it);
        } else {
            specials.push(it);
        }
    }
    links
}

/// Write the regular files' contents, in parallel, with their attributes.
fn write_files(store: &dyn ObjectStore, files: &[Item], opts: &CheckoutOptions) -> Result<()> {
    files
        .par_iter()
        .map(|it| -> Result<()> {
            let (p, e) = (&it.path, &it.entry);
            if let Some(src) = &opts.files {
                return src.create(store, e, p);
            }
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(p)
                .at(p)?;
            file::write_to(store, &e.id, &mut f).map_err(|err| err.on_output(p))?;
            drop(f);
            apply_attrs(p, e.mode, &e.meta, opts.owners)?;
            if opts.owners || opts.times {
                apply_mtime_or(p, &e.meta, opts.times)?;
            }
            Ok(())
        })
        .collect::<Result<Vec<()>>>()?;
    Ok(())
}

/// Materialise tree `root` into the host directory `dest` (created if missing;
/// it must be empty). Modes are applied exactly; with `owners`, also owners,
/// xattrs and times; hardlink groups are recreated.
pub fn checkout_tree(
    store: &dyn ObjectStore,
    root: &ObjectId,
    dest: &Path,
    opts: &CheckoutOptions,
) -> Result<CheckoutReport> {
    let created = match fs::read_dir(dest) {
        Ok(mut rd) => {
            if rd.next().is_some() {
                return Err(Error::NotEmpty(dest.to_path_buf()));
            }
            false
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(dest).at(dest)?;
            true
        }
        Err(e) => return Err(e).at(dest),
    };
    let mut report = CheckoutReport::default();
    let mut root_attrs = opts.root.clone();
    if created && root_attrs.is_none() {
        root_attrs = Some((S_IFDIR | 0o755, Meta::default()));
    }
    let mut dirs: Vec<Item> = Vec::new();
    let mut files: Vec<Item> = Vec::new();
    let mut specials: Vec<Item> = Vec::new();
    let mut linked: Vec<Item> = Vec::new();
    let mut stack = vec![(dest.to_path_buf(), Vec::<Vec<u8>>::new(), *root)];
    while let Some((dir_path, dir_comps, tree)) = stack.pop() {
        for e in dir::TreeCursor::new(store, &tree)? {
            let e = e?;
            if e.name == ROOT_RECORD {
                if dir_comps.is_empty() && opts.root.is_none() {
                    root_attrs = Some((e.mode, e.meta));
                }
                continue;
            }
            let p = dir_path.join(std::ffi::OsStr::from_bytes(&e.name));
            let mut comps = dir_comps.clone();
            comps.push(e.name.clone());
            let item = Item {
                path: p,
                comps,
                entry: e,
            };
            match item.entry.mode & S_IFMT {
                S_IFDIR => {
                    fs::create_dir(&item.path).at(&item.path)?;
                    stack.push((item.path.clone(), item.comps.clone(), item.entry.id));
                    dirs.push(item);
                }
                _ if item.entry.meta.link.is_some() => linked.push(item),
                S_IFREG => files.push(item),
                _ => specials.push(item),
            }
        }
    }
    let links = resolve_links(&mut files, &mut specials, linked);
    write_files(store, &files, opts)?;
    let mut made: Vec<&Item> = Vec::new();
    for it in &specials {
        if create_special(store, &it.path, &it.entry, opts.devices, &mut report)? {
            apply_attrs(&it.path, it.entry.mode, &it.entry.meta, opts.owners)?;
            made.push(it);
        }
    }
    for (first, p) in &links {
        if let Err(err) = fs::hard_link(first, p) {
            // The first member may be a device node that could not be made.
            if first.symlink_metadata().is_ok() {
                return Err(err).at(p);
            }
            report
                .skipped
                .push(format!("{} (hardlink to a missing entry)", p.display()));
        }
    }
    report.files = files.len() as u64;
    report.dirs = dirs.len() as u64;
    // Directory modes last, deepest first, so read-only directories do not block writes.
    for it in dirs.iter().rev() {
        apply_attrs(&it.path, it.entry.mode, &it.entry.meta, opts.owners)?;
    }
    if let Some((mode, meta)) = &root_attrs {
        apply_attrs(dest, *mode, meta, opts.owners)?;
    }
    // Times after every change to the entries and the directories holding them.
    if opts.owners || opts.times {
        for it in made {
            apply_mtime_or(&it.path, &it.entry.meta, opts.times)?;
        }
        for it in dirs.iter().rev() {
            apply_mtime_or(&it.path, &it.entry.meta, opts.times)?;
        }
        if let Some((_, meta)) = &root_attrs {
            apply_mtime_or(dest, meta, opts.times)?;
        }
    }
    Ok(report)
}
