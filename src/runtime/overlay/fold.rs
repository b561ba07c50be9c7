//! The fold from an upper directory (format-spec/runtime.md, "The upper
//! directory, as the fold reads it"): walk only `upper/` and edit the base
//! tree with what it records; its cost follows the change, never the tree.
#![warn(missing_docs)]

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
use crate::runtime::error::{RuntimeError, UpperFault};
use crate::store::ObjectStore;

/// overlay's own attributes, never recorded.
const OVERLAY_PREFIX: &[u8] = b"user.overlay.";
const OPAQUE: &str = "user.overlay.opaque";
const WHITEOUT: &str = "user.overlay.whiteout";
const REDIRECT: &str = "user.overlay.redirect";
const METACOPY: &str = "user.overlay.metacopy";

pub use crate::sandbox::IdMap;

/// How the lower directories presented the base tree (the cache profile)
/// and how host ids of the upper directory translate.
#[derive(Clone, Debug)]
pub struct Presentation {
    /// The cache entries applied owners and xattrs (`owners 1`).
    pub owners: bool,
    /// Without owners: the host ids every lower entry showed (the caller's).
    pub host_uid: u32,
    /// The host gid every lower entry showed, without owners.
    pub host_gid: u32,
    /// How ids of the upper directory, as the fold sees them, translate to ids inside.
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

fn bad(path: &[Vec<u8>], why: UpperFault) -> Error {
    let shown = String::from_utf8_lossy(&path.join(&b'/')).into_owned();
    RuntimeError::Upper { path: shown, why }.into()
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
        return Err(bad(comps, UpperFault::Metacopy));
    }
    let fmt = m.mode() & S_IFMT;
    if fmt == S_IFCHR && m.rdev() == 0 {
        return Ok(Upper::Whiteout);
    }
    if get(x, WHITEOUT).is_some() {
        if fmt == S_IFREG && m.size() == 0 && parent_xwhiteouts {
            return Ok(Upper::Whiteout);
        }
        return Err(bad(comps, UpperFault::XattrWhiteout));
    }
    match fmt {
        S_IFDIR => {
            if get(x, REDIRECT).is_some() {
                return Err(bad(comps, UpperFault::Redirected));
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
                Some(_) => Err(bad(comps, UpperFault::BadOpaque)),
            }
        }
        S_IFREG | S_IFLNK | S_IFIFO | S_IFSOCK | S_IFCHR | S_IFBLK => Ok(Upper::Other),
        _ => Err(bad(comps, UpperFault::UnknownType)),
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
    let (mode, mut meta) = attributes(&root_m, visible(xattrs(upper)?), Some(&b), p);
    // Making or removing any top-level name moves the root's time: it is
    // kept from the base, as the FUSE servers keep it (runtime.md, "The fold").
    meta.mtime = b.meta.mtime;
    meta.mtime_nsec = b.meta.mtime_nsec;
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
        dir::check_name(&name).map_err(|_| bad(&comps, UpperFault::BadName))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemStore;
    use std::os::unix::fs::PermissionsExt;

    fn file(store: &MemStore, name: &str, text: &str, mode: u32) -> Entry {
        let id = store.write(ObjectType::Blob, text.as_bytes()).unwrap();
        Entry::new(name.as_bytes(), S_IFREG | mode, id)
    }

    fn build(store: &MemStore, mut entries: Vec<Entry>) -> ObjectId {
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        dir::build(store, entries).unwrap()
    }

    fn set_mtime(p: &Path, secs: i64) {
        let t = nix::sys::time::TimeSpec::new(secs, 0);
        nix::sys::stat::utimensat(
            nix::fcntl::AT_FDCWD,
            p,
            &t,
            &t,
            nix::sys::stat::UtimensatFlags::NoFollowSymlink,
        )
        .unwrap();
    }

    /// A fresh upper directory whose root presents the default root (0755, epoch).
    fn upper() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        fs::set_permissions(t.path(), fs::Permissions::from_mode(0o755)).unwrap();
        t
    }

    fn finish(u: &Path) {
        set_mtime(u, 0);
    }

    fn user_xattrs(p: &Path) -> bool {
        xattr::set(p, "user.hako-test", b"1").is_ok()
    }

    fn plain(uid: u32, gid: u32) -> Presentation {
        Presentation {
            owners: false,
            host_uid: uid,
            host_gid: gid,
            map: IdMap::single(uid, gid),
        }
    }

    fn host_ids() -> (u32, u32) {
        (
            nix::unistd::geteuid().as_raw(),
            nix::unistd::getegid().as_raw(),
        )
    }

    #[test]
    fn an_empty_upper_folds_to_the_base() {
        let store = MemStore::new();
        let base = build(&store, vec![file(&store, "a", "A", 0o644)]);
        let u = upper();
        finish(u.path());
        let (uid, gid) = host_ids();
        assert_eq!(
            fold_upper(&store, &base, u.path(), &plain(uid, gid)).unwrap(),
            base
        );
    }

    #[test]
    fn a_copy_up_that_changed_nothing_records_nothing_and_no_forced_owner() {
        // The base records uid 33 and no time; a rootless lower showed the
        // caller's ids and the epoch: a copy-up with those is no change.
        let store = MemStore::new();
        let mut a = file(&store, "a", "A", 0o644);
        a.meta.uid = 33;
        a.meta.gid = 33;
        let base = build(&store, vec![a]);
        let u = upper();
        fs::write(u.path().join("a"), "A").unwrap();
        fs::set_permissions(u.path().join("a"), fs::Permissions::from_mode(0o644)).unwrap();
        set_mtime(&u.path().join("a"), 0);
        finish(u.path());
        let (uid, gid) = host_ids();
        assert_eq!(
            fold_upper(&store, &base, u.path(), &plain(uid, gid)).unwrap(),
            base
        );
        // A chmod is recorded, the owner and the (absent) time kept.
        fs::set_permissions(u.path().join("a"), fs::Permissions::from_mode(0o600)).unwrap();
        set_mtime(&u.path().join("a"), 0);
        finish(u.path());
        let new = fold_upper(&store, &base, u.path(), &plain(uid, gid)).unwrap();
        let e = dir::get(&store, &new, b"a").unwrap().unwrap();
        assert_eq!(e.mode, S_IFREG | 0o600);
        assert_eq!((e.meta.uid, e.meta.gid, e.meta.mtime), (33, 33, None));
    }

    #[test]
    fn whiteouts_delete_opaque_directories_replace_new_files_are_added() {
        let store = MemStore::new();
        let sub = build(
            &store,
            vec![file(&store, "x", "X", 0o644), file(&store, "y", "Y", 0o644)],
        );
        let base = build(
            &store,
            vec![
                file(&store, "gone", "G", 0o644),
                file(&store, "keep", "K", 0o644),
                Entry::new(b"d", S_IFDIR | 0o755, sub),
                Entry::new(b"m", S_IFDIR | 0o755, sub),
            ],
        );
        let u = upper();
        if !user_xattrs(u.path()) {
            eprintln!("skipped: no user xattrs on {}", u.path().display());
            return;
        }
        xattr::remove(u.path(), "user.hako-test").unwrap();
        let wh = |p: &Path| {
            nix::sys::stat::mknod(
                p,
                nix::sys::stat::SFlag::S_IFCHR,
                nix::sys::stat::Mode::empty(),
                0,
            )
            .unwrap()
        };
        wh(&u.path().join("gone"));
        wh(&u.path().join("never-there"));
        // d: opaque, holding only z; m: merged, x removed and w added.
        fs::create_dir(u.path().join("d")).unwrap();
        xattr::set(u.path().join("d"), OPAQUE, b"y").unwrap();
        fs::write(u.path().join("d/z"), "Z").unwrap();
        fs::create_dir(u.path().join("m")).unwrap();
        wh(&u.path().join("m/x"));
        fs::write(u.path().join("m/w"), "W").unwrap();
        for d in ["d", "m"] {
            fs::set_permissions(u.path().join(d), fs::Permissions::from_mode(0o755)).unwrap();
            set_mtime(&u.path().join(d), 0);
        }
        // Hardlinks made inside stay one group.
        fs::write(u.path().join("h1"), "H").unwrap();
        fs::hard_link(u.path().join("h1"), u.path().join("m/h2")).unwrap();
        finish(u.path());
        let (uid, gid) = host_ids();
        let new = fold_upper(&store, &base, u.path(), &plain(uid, gid)).unwrap();
        let names = |t: &ObjectId| -> Vec<String> {
            dir::list(&store, t)
                .unwrap()
                .into_iter()
                .map(|e| String::from_utf8(e.name).unwrap())
                .collect()
        };
        assert_eq!(names(&new), ["d", "h1", "keep", "m"]);
        let d = dir::get(&store, &new, b"d").unwrap().unwrap();
        assert_eq!(names(&d.id), ["z"]);
        let m = dir::get(&store, &new, b"m").unwrap().unwrap();
        assert_eq!(names(&m.id), ["h2", "w", "y"]);
        let h1 = dir::get(&store, &new, b"h1").unwrap().unwrap();
        let h2 = dir::get(&store, &m.id, b"h2").unwrap().unwrap();
        assert_eq!(h1.meta.link, None);
        assert_eq!(h2.meta.link.as_deref(), Some(&b"../h1"[..]));
        assert_eq!(h1.id, h2.id);
        // A new entry made by the sandbox's root is owned by 0.
        assert_eq!((h1.meta.uid, h1.meta.gid), (0, 0));
        // The untouched file keeps its entry, and overlay's xattrs are never recorded.
        assert_eq!(
            dir::get(&store, &new, b"keep").unwrap(),
            dir::get(&store, &base, b"keep").unwrap()
        );
        assert!(d.meta.xattrs.is_empty());
    }

    #[test]
    fn what_overlay_does_not_make_is_refused_naming_the_path() {
        let store = MemStore::new();
        let base = build(&store, vec![]);
        let u = upper();
        if !user_xattrs(u.path()) {
            return;
        }
        fs::create_dir(u.path().join("r")).unwrap();
        xattr::set(u.path().join("r"), REDIRECT, b"/x").unwrap();
        let (uid, gid) = host_ids();
        let err = fold_upper(&store, &base, u.path(), &plain(uid, gid)).unwrap_err();
        assert!(
            err.to_string().contains("/r: redirected directory"),
            "{err}"
        );
        fs::remove_dir(u.path().join("r")).unwrap();
        fs::write(u.path().join("f"), "data").unwrap();
        xattr::set(u.path().join("f"), METACOPY, b"").unwrap();
        let err = fold_upper(&store, &base, u.path(), &plain(uid, gid)).unwrap_err();
        assert!(err.to_string().contains("/f: metacopy"), "{err}");
    }

    #[test]
    fn id_maps_translate_host_ids() {
        let m = IdMap {
            uids: vec![(0, 1000, 1), (1, 100000, 65536)],
            gids: vec![(0, 1000, 1)],
        };
        assert_eq!(m.uid_inside(1000), Some(0));
        assert_eq!(m.uid_inside(100032), Some(33));
        assert_eq!(m.uid_inside(5), None);
        assert_eq!(m.gid_inside(1001), None);
    }
}
