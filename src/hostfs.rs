//! Host directories in and out of trees: `write-tree` (import, hashing files
//! in parallel) and `checkout-tree` (materialise a tree, preserving modes,
//! symlinks, empty directories and, as root, owners and device nodes).

use std::fs;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, IoContext, Result};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::prolly::dir::{
    self, Entry, Meta, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK,
};
use crate::prolly::file;
use crate::store::ObjectStore;

#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Record uid/gid and extended attributes of every entry.
    pub owners: bool,
}

/// Files at least this big are mapped instead of read.
const MMAP_MIN: u64 = 1 << 20;

struct DirJob {
    path: PathBuf,
    /// Index of the parent directory job and this directory's name in it.
    parent: Option<(usize, Vec<u8>)>,
    meta: fs::Metadata,
    entries: Vec<Entry>,
}

struct FileJob {
    dir: usize,
    path: PathBuf,
    name: Vec<u8>,
    meta: fs::Metadata,
}

fn entry_meta(path: &Path, m: &fs::Metadata, opts: &ImportOptions) -> Result<Meta> {
    let mut meta = Meta::default();
    if opts.owners {
        meta.uid = m.uid();
        meta.gid = m.gid();
        meta.xattrs = read_xattrs(path)?;
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
        return Err(Error::Invalid(format!(
            "{}: extended attributes too large to record ({total} bytes)",
            path.display()
        )));
    }
    Ok(out)
}

/// Apply recorded owner and extended attributes to a created path.
fn apply_meta(p: &Path, m: &Meta) -> Result<()> {
    let _ = std::os::unix::fs::lchown(p, Some(m.uid), Some(m.gid));
    for (n, v) in &m.xattrs {
        xattr::set(p, std::ffi::OsStr::from_bytes(n), v).at(p)?;
    }
    Ok(())
}

/// Read a file's bytes and store them (blob, or chunks plus a file list).
pub fn store_file(store: &dyn ObjectStore, path: &Path, len: u64) -> Result<ObjectId> {
    let f = fs::File::open(path).at(path)?;
    if len >= MMAP_MIN {
        let map = crate::sandbox::mmap::map_file(&f).at(path)?;
        return file::store_content(store, &map);
    }
    let mut buf = Vec::with_capacity(len as usize);
    (&f).read_to_end(&mut buf).at(path)?;
    file::store_content(store, &buf)
}

/// Import the host directory `root` as a tree; returns its id.
pub fn write_tree(store: &dyn ObjectStore, root: &Path, opts: &ImportOptions) -> Result<ObjectId> {
    let meta = fs::symlink_metadata(root).at(root)?;
    if !meta.is_dir() {
        return Err(Error::Invalid(format!(
            "'{}' is not a directory",
            root.display()
        )));
    }
    let mut dirs = vec![DirJob {
        path: root.to_path_buf(),
        parent: None,
        meta,
        entries: Vec::new(),
    }];
    let mut files = Vec::new();
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
                dirs.push(DirJob {
                    path: p,
                    parent: Some((i, name)),
                    meta: m,
                    entries: Vec::new(),
                });
            } else if ft.is_file() {
                files.push(FileJob {
                    dir: i,
                    path: p,
                    name,
                    meta: m,
                });
            } else if ft.is_symlink() {
                let target = fs::read_link(&p).at(&p)?;
                let id = store.write(ObjectType::Blob, target.as_os_str().as_bytes())?;
                let mut e = Entry::new(&name, S_IFLNK | 0o777, id);
                e.meta = entry_meta(&p, &m, opts)?;
                dirs[i].entries.push(e);
            } else {
                // Device, fifo or socket: a record without content.
                let mode = m.mode() & (S_IFMT | 0o7777);
                let mut e = Entry::new(&name, mode, ObjectId::ZERO);
                e.meta = entry_meta(&p, &m, opts)?;
                if matches!(mode & S_IFMT, S_IFCHR | S_IFBLK) {
                    let rdev = m.rdev();
                    e.meta.rdev = Some((libc::major(rdev), libc::minor(rdev)));
                }
                dirs[i].entries.push(e);
            }
        }
        i += 1;
    }
    // Hash and store file contents in parallel.
    let ids: Vec<ObjectId> = files
        .par_iter()
        .map(|f| store_file(store, &f.path, f.meta.len()))
        .collect::<Result<_>>()?;
    for (f, id) in files.into_iter().zip(ids) {
        let mut e = Entry::new(&f.name, S_IFREG | (f.meta.mode() & 0o7777), id);
        e.meta = entry_meta(&f.path, &f.meta, opts)?;
        dirs[f.dir].entries.push(e);
    }
    // Build trees children-first.
    let mut root_id = None;
    for j in (0..dirs.len()).rev() {
        let mut entries = std::mem::take(&mut dirs[j].entries);
        entries.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        let id = dir::build(store, entries)?;
        match dirs[j].parent.clone() {
            Some((p, name)) => {
                let mut e = Entry::new(&name, S_IFDIR | (dirs[j].meta.mode() & 0o7777), id);
                e.meta = entry_meta(&dirs[j].path, &dirs[j].meta, opts)?;
                dirs[p].entries.push(e);
            }
            None => root_id = Some(id),
        }
    }
    Ok(root_id.expect("root visited"))
}

#[derive(Clone, Debug, Default)]
pub struct CheckoutOptions {
    /// Apply recorded owners (needs privilege).
    pub owners: bool,
}

/// What a checkout could not reproduce (e.g. device nodes without privilege).
#[derive(Clone, Debug, Default)]
pub struct CheckoutReport {
    pub files: u64,
    pub dirs: u64,
    pub skipped: Vec<String>,
}

/// Materialise tree `root` into the host directory `dest` (created if missing;
/// it must be empty).
pub fn checkout_tree(
    store: &dyn ObjectStore,
    root: &ObjectId,
    dest: &Path,
    opts: &CheckoutOptions,
) -> Result<CheckoutReport> {
    match fs::read_dir(dest) {
        Ok(mut rd) => {
            if rd.next().is_some() {
                return Err(Error::Invalid(format!(
                    "'{}' exists and is not empty",
                    dest.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => fs::create_dir_all(dest).at(dest)?,
        Err(e) => return Err(e).at(dest),
    }
    let mut report = CheckoutReport::default();
    let mut dirs: Vec<(PathBuf, Entry)> = Vec::new();
    let mut files: Vec<(PathBuf, Entry)> = Vec::new();
    let mut stack = vec![(dest.to_path_buf(), *root)];
    while let Some((dir_path, tree)) = stack.pop() {
        for e in dir::TreeCursor::new(store, &tree)? {
            let e = e?;
            let p = dir_path.join(std::ffi::OsStr::from_bytes(&e.name));
            match e.mode & S_IFMT {
                S_IFDIR => {
                    fs::create_dir(&p).at(&p)?;
                    stack.push((p.clone(), e.id));
                    dirs.push((p, e));
                }
                S_IFREG => files.push((p, e)),
                S_IFLNK => {
                    let o = store.read(&e.id)?;
                    std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(&o.data), &p).at(&p)?;
                    if opts.owners {
                        let _ = std::os::unix::fs::lchown(&p, Some(e.meta.uid), Some(e.meta.gid));
                    }
                }
                S_IFIFO => {
                    nix::unistd::mkfifo(
                        &p,
                        nix::sys::stat::Mode::from_bits_truncate(e.mode & 0o7777),
                    )
                    .map_err(|err| Error::Io {
                        path: p.clone(),
                        err: err.into(),
                    })?;
                }
                S_IFCHR | S_IFBLK | S_IFSOCK => {
                    let kind = match e.mode & S_IFMT {
                        S_IFCHR => nix::sys::stat::SFlag::S_IFCHR,
                        S_IFBLK => nix::sys::stat::SFlag::S_IFBLK,
                        _ => nix::sys::stat::SFlag::S_IFSOCK,
                    };
                    let (ma, mi) = e.meta.rdev.unwrap_or((0, 0));
                    let r = nix::sys::stat::mknod(
                        &p,
                        kind,
                        nix::sys::stat::Mode::from_bits_truncate(e.mode & 0o7777),
                        nix::sys::stat::makedev(ma as u64, mi as u64),
                    );
                    if let Err(err) = r {
                        report
                            .skipped
                            .push(format!("{} (device node: {err})", p.display()));
                    }
                }
                _ => report.skipped.push(p.display().to_string()),
            }
        }
    }
    // File contents in parallel.
    files
        .par_iter()
        .map(|(p, e)| -> Result<()> {
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(p)
                .at(p)?;
            file::write_to(store, &e.id, &mut f).map_err(|err| err.on_output(p))?;
            if opts.owners {
                apply_meta(p, &e.meta)?;
            }
            // After chown, which clears setuid and setgid bits.
            f.set_permissions(fs::Permissions::from_mode(e.mode & 0o7777))
                .at(p)?;
            Ok(())
        })
        .collect::<Result<Vec<()>>>()?;
    report.files = files.len() as u64;
    report.dirs = dirs.len() as u64;
    // Directory modes last, deepest first, so read-only directories do not block writes.
    for (p, e) in dirs.iter().rev() {
        if opts.owners {
            apply_meta(p, &e.meta)?;
        }
        fs::set_permissions(p, fs::Permissions::from_mode(e.mode & 0o7777)).at(p)?;
    }
    Ok(report)
}
