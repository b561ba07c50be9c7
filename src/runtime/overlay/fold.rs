//! The fold from an upper directory (format-spec/runtime.md, "The upper
//! directory, as the fold reads it"): walk only `upper/` and edit the base
//! tree with what it records; its cost follows the change, never the tree.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, IoContext, Result};
use crate::hostfs::{relative_path, root_record, store_file};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::prolly::dir::hardlinks::{repair_edit, LinkFree};
use crate::prolly::dir::{
    self, Entry, Meta, ROOT_RECORD, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG,
    S_IFSOCK,
};
use crate::store::ObjectStore;

/// overlay's own attributes, never recorded.
const OVERLAY_PREFIX: &[u8] = b"user.overlay.";
const OPAQUE: &str = "user.overlay.opaque";
const WHITEOUT: &str = "user.overlay.whiteout";
const REDIRECT: &str = "user.overlay.redirect";
const METACOPY: &str = "user.overlay.metacopy";

/// Id ranges of a user namespace: (inside, outside, count), as in `/proc/PID/uid_map`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdMap {
    pub uids: Vec<(u32, u32, u32)>,
    pub gids: Vec<(u32, u32, u32)>,
}

fn inside(ranges: &[(u32, u32, u32)], host: u32) -> Option<u32> {
    ranges.iter().find_map(|&(i, o, n)| {
        (host >= o && u64::from(host) < u64::from(o) + u64::from(n)).then(|| i + (host - o))
    })
}

impl IdMap {
    /// The one-id map of a rootless sandbox: 0 inside is (uid, gid) outside.
    pub fn single(uid: u32, gid: u32) -> IdMap {
        IdMap {
            uids: vec![(0, uid, 1)],
            gids: vec![(0, gid, 1)],
        }
    }

    /// Ids 0..count mapped to themselves (root's sandbox).
    pub fn identity(count: u32) -> IdMap {
        IdMap {
            uids: vec![(0, 0, count)],
            gids: vec![(0, 0, count)],
        }
    }

    pub fn uid_inside(&self, host: u32) -> Option<u32> {
        inside(&self.uids, host)
    }

    pub fn gid_inside(&self, host: u32) -> Option<u32> {
        inside(&self.gids, host)
    }
}

/// How the lower directories presented the base tree (the cache profile)
/// and how host ids of the upper directory translate.
#[derive(Clone, Debug)]
pub struct Presentation {
    /// The cache entries applied owners and xattrs (`owners 1`).
    pub owners: bool,
    /// Without owners: the host ids every lower entry showed (the caller's).
    pub host_uid: u32,
    pub host_gid: u32,
    pub map: IdMap,
}

/// What one upper path means.
enum Upper {
    Whiteout,
    /// A directory: opaque (content is the upper's alone), and whether its
    /// xattr whiteouts count (`opaque` = `x`).
    Dir {
        opaque: bool,
        xwhiteouts: bool,
    },
    Other,
}

fn bad(path: &[Vec<u8>], why: &str) -> Error {
    let shown = String::from_utf8_lossy(&path.join(&b'/')).into_owned();
    Error::Invalid(format!("upper directory: /{shown}: {why}"))
}

/// Extended attributes of `p` (not following a symlink), sorted; none where unsupported.
fn xattrs(p: &Path) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let names = match xattr::list(p) {
        Ok(n) => n,
        Err(e) if e.raw_os_error() == Some(libc::ENOTSUP) => return Ok(Vec::new()),
        Err(e) => return Err(e).at(p),
    };
    let mut out = Vec::new();
    for n in names {
        if let Some(v) = xattr::get(p, &n).at(p)? {
            out.push((n.as_bytes().to_vec(), v));
        }
    }
    out.sort();
    Ok(out)
}

fn get<'a>(x: &'a [(Vec<u8>, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
    x.iter()
        .find(|(n, _)| n == name.as_bytes())
        .map(|(_, v)| v.as_slice())
}

fn classify(
    m: &fs::Metadata,
    x: &[(Vec<u8>, Vec<u8>)],
    parent_xwhiteouts: bool,
    comps: &[Vec<u8>],
) -> Result<Upper> {
    if get(x, METACOPY).is_some() {
        return Err(bad(
            comps,
            "metacopy entry (its content is in the lower directory)",
        ));
    }
    let fmt = m.mode() & S_IFMT;
    if fmt == S_IFCHR && m.rdev() == 0 {
        return Ok(Upper::Whiteout);
    }
    if get(x, WHITEOUT).is_some() {
        if fmt == S_IFREG && m.size() == 0 && parent_xwhiteouts {
            return Ok(Upper::Whiteout);
        }
        return Err(bad(
            comps,
            "xattr whiteout that is not an empty file in an opaque=x directory",
        ));
    }
    match fmt {
        S_IFDIR => {
            if get(x, REDIRECT).is_some() {
                return Err(bad(comps, "redirected directory (user.overlay.redirect)"));
            }
            match get(x, OPAQUE) {
                None => Ok(Upper::Dir {
                    opaque: false,
                    xwhiteouts: false,
                }),
                Some(b"y") => Ok(Upper::Dir {
                    opaque: true,
                    xwhiteouts: false,
                }),
                Some(b"x") => Ok(Upper::Dir {
                    opaque: false,
                    xwhiteouts: true,
                }),
                Some(_) => Err(bad(comps, "user.overlay.opaque is neither 'y' nor 'x'")),
            }
        }
        S_IFREG | S_IFLNK | S_IFIFO | S_IFSOCK | S_IFCHR | S_IFBLK => Ok(Upper::Other),
        _ => Err(bad(comps, "unknown file type")),
    }
}

/// The mode bits and metadata to record for an upper entry `m` (xattrs `x`,
/// overlay's own removed) at a path the base held as `b` (same file type).
fn attributes(
    m: &fs::Metadata,
    x: Vec<(Vec<u8>, Vec<u8>)>,
    b: Option<&Entry>,
    p: &Presentation,
) -> (u32, Meta) {
    let fmt = m.mode() & S_IFMT;
    let perm = if fmt == S_IFLNK {
        0o777
    } else {
        m.mode() & 0o7777
    };
    let (mtime, nsec) = if m.mtime() >= 0 {
        (m.mtime() as u64, m.mtime_nsec() as u32)
    } else {
        (0, 0)
    };
    let mut meta = Meta::default();
    if matches!(fmt, S_IFCHR | S_IFBLK) {
        meta.rdev = Some((libc::major(m.rdev()), libc::minor(m.rdev())));
    }
    let Some(b) = b else {
        meta.uid = p.map.uid_inside(m.uid()).unwrap_or(0);
        meta.gid = p.map.gid_inside(m.gid()).unwrap_or(0);
        meta.xattrs = x;
        meta.mtime = Some(mtime);
        meta.mtime_nsec = nsec;
        return (fmt | perm, meta);
    };
    let shown_perm = if p.owners {
        b.mode & 0o7777
    } else {
        b.mode & 0o1777
    };
    let mode = if fmt == S_IFLNK || perm == shown_perm {
        fmt | (b.mode & 0o7777)
    } else {
        fmt | perm
    };
    let (shown_uid, shown_gid) = if p.owners {
        (b.meta.uid, b.meta.gid)
    } else {
        (p.host_uid, p.host_gid)
    };
    meta.uid = if m.uid() == shown_uid {
        b.meta.uid
    } else {
        p.map.uid_inside(m.uid()).unwrap_or(b.meta.uid)
    };
    meta.gid = if m.gid() == shown_gid {
        b.meta.gid
    } else {
        p.map.gid_inside(m.gid()).unwrap_or(b.meta.gid)
    };
    let shown_x: &[(Vec<u8>, Vec<u8>)] = if p.owners { &b.meta.xattrs } else { &[] };
    meta.xattrs = if x == shown_x {
        b.meta.xattrs.clone()
    } else {
        x
    };
    let shown_time = match b.meta.mtime {
        Some(s) => (s, b.meta.mtime_nsec),
        None => (0, 0),
    };
    if (mtime, nsec) == shown_time {
        meta.mtime = b.meta.mtime;
        meta.mtime_nsec = b.meta.mtime_nsec;
    } else {
        meta.mtime = Some(mtime);
        meta.mtime_nsec = nsec;
    }
    (mode, meta)
}

/// One non-directory upper entry waiting for its content to be stored.
struct Pending {
    /// Its directory (index into the walk's directories) and name.
    dir: usize,
    name: Vec<u8>,
    path: PathBuf,
    mode: u32,
    meta: Meta,
    /// A hardlink group: the (device, inode) it belongs to.
    inode: Option<(u64, u64)>,
}

/// A hardlink group's first member in tree order: its path and entry.
type FirstMember = (Vec<Vec<u8>>, Entry);

/// A directory of the upper walk.
struct DirJob {
    comps: Vec<Vec<u8>>,
    /// The base's directory here, when merged (None: opaque or new).
    base: Option<ObjectId>,
    parent: Option<usize>,
    /// This directory's own entry (None for the root).
    entry: Option<Entry>,
    /// Edits (merged) or entries (opaque/new), name → entry or deleted.
    edits: Vec<(Vec<u8>, Option<Entry>)>,
}

/// Fold the upper directory `upper` onto tree `base`; returns the new tree
/// (its objects stored in `store`; nothing published).
pub fn fold_upper(
    store: &dyn ObjectStore,
    base: &ObjectId,
    upper: &Path,
    p: &Presentation,
) -> Result<ObjectId> {
    let root_m = fs::symlink_metadata(upper).at(upper)?;
    if !root_m.is_dir() {
        return Err(Error::NotADirectory(upper.display().to_string()));
    }
    let mut dirs = vec![DirJob {
        comps: Vec::new(),
        base: Some(*base),
        parent: None,
        entry: None,
        edits: Vec::new(),
    }];
    let mut paths = vec![upper.to_path_buf()];
    let mut xw = vec![false];
    let mut pending: Vec<Pending> = Vec::new();
    // Depth-first in name order: the first member of a hardlink group met
    // is the first in tree order.
    walk(store, p, 0, &mut dirs, &mut paths, &mut xw, &mut pending)?;
    // Content of files in parallel; symlink targets and others are cheap.
    let ids: Vec<ObjectId> = pending
        .par_iter()
        .map(|f| match f.mode & S_IFMT {
            S_IFREG => store_file(store, &f.path),
            S_IFLNK => {
                let t = fs::read_link(&f.path).at(&f.path)?;
                store.write(ObjectType::Blob, t.as_os_str().as_bytes())
            }
            _ => Ok(ObjectId::ZERO),
        })
        .collect::<Result<_>>()?;
    // Hardlink groups: every member takes the first member's entry.
    let mut firsts: HashMap<(u64, u64), FirstMember> = HashMap::new();
    for (f, id) in pending.into_iter().zip(ids) {
        let mut e = Entry::new(&f.name, f.mode, id);
        e.meta = f.meta;
        if let Some(ino) = f.inode {
            let mut comps = dirs[f.dir].comps.clone();
            comps.push(f.name.clone());
            match firsts.get(&ino) {
                Some((first, fe)) => {
                    e = fe.clone();
                    e.name = f.name.clone();
                    e.meta.link = Some(relative_path(&dirs[f.dir].comps, first));
                }
                None => {
                    firsts.insert(ino, (comps, e.clone()));
                }
            }
        }
        dirs[f.dir].edits.push((f.name, Some(e)));
    }
    // Directories bottom-up (children always follow their parent in `dirs`).
    let mut root = *base;
    for j in (0..dirs.len()).rev() {
        let edits = std::mem::take(&mut dirs[j].edits);
        let id = match dirs[j].base {
            Some(b) => dir::edit(store, &b, edits)?,
            None => {
                let mut entries: Vec<Entry> = edits.into_iter().filter_map(|(_, e)| e).collect();
                entries.sort_unstable_by(|a, b| a.name.cmp(&b.name));
                dir::build(store, entries)?
            }
        };
        match dirs[j].parent {
            Some(pj) => {
                let mut e = dirs[j].entry.take().expect("a subdirectory's entry");
                e.id = id;
                let name = e.name.clone();
                dirs[pj].edits.push((name, Some(e)));
            }
            None => root = id,
        }
    }
    // The root's own attributes, in its `.` record.
    let b = dir::get(store, base, ROOT_RECORD)?
        .unwrap_or_else(|| Entry::new(ROOT_RECORD, S_IFDIR | 0o755, ObjectId::ZERO));
    let (mode, meta) = attributes(&root_m, visible(xattrs(upper)?), Some(&b), p);
    let rec = root_record(mode, &meta);
    if dir::get(store, &root, ROOT_RECORD)? != rec {
        // `.` is no name an edit takes: the root level is rebuilt with it.
        let mut entries: Vec<Entry> = dir::list(store, &root)?
            .into_iter()
            .filter(|e| e.name != ROOT_RECORD)
            .collect();
        if let Some(rec) = rec {
            let at = entries.partition_point(|e| e.name.as_slice() < ROOT_RECORD);
            entries.insert(at, rec);
        }
        root = dir::build(store, entries)?;
    }
    // Members copied up alone leave their groups.
    repair_edit(store, base, &root, &LinkFree::at(None))
}

/// The xattrs a tree records: overlay's own removed.
fn visible(x: Vec<(Vec<u8>, Vec<u8>)>) -> Vec<(Vec<u8>, Vec<u8>)> {
    x.into_iter()
        .filter(|(n, _)| !n.starts_with(OVERLAY_PREFIX))
        .collect()
}

fn walk(
    store: &dyn ObjectStore,
    p: &Presentation,
    j: usize,
    dirs: &mut Vec<DirJob>,
    paths: &mut Vec<PathBuf>,
    xw: &mut Vec<bool>,
    pending: &mut Vec<Pending>,
) -> Result<()> {
    let here = paths[j].clone();
    let mut names: Vec<Vec<u8>> = fs::read_dir(&here)
        .at(&here)?
        .map(|e| e.map(|e| e.file_name().as_bytes().to_vec()))
        .collect::<std::io::Result<_>>()
        .at(&here)?;
    names.sort();
    for name in names {
        let path = here.join(OsStr::from_bytes(&name));
        let mut comps = dirs[j].comps.clone();
        comps.push(name.clone());
        dir::check_name(&name).map_err(|_| bad(&comps, "not a valid name"))?;
        let m = fs::symlink_metadata(&path).at(&path)?;
        let x = xattrs(&path)?;
        let kind = classify(&m, &x, xw[j], &comps)?;
        let b = match dirs[j].base {
            Some(t) => dir::get(store, &t, &name)?,
            None => None,
        };
        let same_type = |b: &Entry| b.mode & S_IFMT == m.mode() & S_IFMT;
        match kind {
            Upper::Whiteout => {
                if b.is_some() {
                    dirs[j].edits.push((name, None));
                }
            }
            Upper::Dir { opaque, xwhiteouts } => {
                let bdir = b.as_ref().filter(|b| b.is_dir());
                let (mode, meta) = attributes(&m, visible(x), bdir, p);
                let mut e = Entry::new(&name, mode, ObjectId::ZERO);
                e.meta = meta;
                dirs.push(DirJob {
                    comps,
                    base: bdir.filter(|_| !opaque).map(|b| b.id),
                    parent: Some(j),
                    entry: Some(e),
                    edits: Vec::new(),
                });
                paths.push(path);
                xw.push(xwhiteouts);
                let k = dirs.len() - 1;
                walk(store, p, k, dirs, paths, xw, pending)?;
            }
            Upper::Other => {
                let b = b.as_ref().filter(|b| same_type(b));
                let (mode, meta) = attributes(&m, visible(x), b, p);
                pending.push(Pending {
                    dir: j,
                    name,
                    path,
                    mode,
                    meta,
                    inode: (m.nlink() > 1).then_some((m.dev(), m.ino())),
                });
            }
        }
    }
    Ok(())
}
