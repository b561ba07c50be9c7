//! Host roots (format-spec/runtime.md, "Host instances"): the host's own
//! directories as a container's root for `run --host`. The kernel refuses
//! a lower directory with a mount point below it in a user namespace, so
//! the directories holding mount points (the spine) are copied without
//! their contents and every other directory gets an overlay of its own;
//! `--keep-as` grafts the upper directories into one and folds it onto a
//! base read from the host (only the paths the upper directory names).
#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};
use crate::hostfs::{entry_meta, import_entry, root_record, ImportOptions};
use crate::oid::ObjectId;
use crate::prolly::dir::{self, Entry, ROOT_RECORD, S_IFDIR};
use crate::runtime::error::RuntimeError;
use crate::runtime::overlay::{self, IdMap, Presentation, Probe};
use crate::store::ObjectStore;

/// Paths the sandbox mounts fresh (or, /sys, leaves empty).
const FRESH: [&str; 5] = ["/proc", "/dev", "/sys", "/tmp", "/run"];

/// Filesystems with no files of their own: never a lower directory (nor
/// FUSE's: an overlay over one keeps its server alive after the host
/// unmounts it, and hako's own instances wait for their server's end).
const PSEUDO: [&str; 21] = [
    "proc",
    "sysfs",
    "devtmpfs",
    "devpts",
    "cgroup",
    "cgroup2",
    "securityfs",
    "debugfs",
    "tracefs",
    "pstore",
    "bpf",
    "mqueue",
    "hugetlbfs",
    "configfs",
    "fusectl",
    "binfmt_misc",
    "autofs",
    "efivarfs",
    "nsfs",
    "rpc_pipefs",
    "selinuxfs",
];

/// Regular files of the spine up to this size are copied; larger ones bound read-only.
const COPY_MAX: u64 = 1 << 20;

/// The mount points of this mount namespace, with their filesystem types.
#[derive(Debug, Default)]
pub struct MountTable {
    points: Vec<(PathBuf, String)>,
}

impl MountTable {
    /// Parse `/proc/self/mountinfo` text.
    pub fn parse(text: &str) -> MountTable {
        MountTable {
            points: crate::sandbox::mountinfo::parse(text),
        }
    }

    /// The mount table of this process's mount namespace.
    pub fn read() -> Result<MountTable> {
        let p = Path::new("/proc/self/mountinfo");
        Ok(MountTable::parse(&fs::read_to_string(p).at(p)?))
    }

    /// Whether a mount point lies strictly below P.
    fn has_below(&self, p: &Path) -> bool {
        crate::sandbox::mountinfo::has_below(&self.points, p)
    }

    /// The type of the topmost filesystem mounted at P, if P is a mount point.
    fn fstype_at(&self, p: &Path) -> Option<&str> {
        self.points
            .iter()
            .rev()
            .find(|(m, _)| m == p)
            .map(|(_, t)| t.as_str())
    }
}

fn is_fresh(p: &Path) -> bool {
    FRESH.iter().any(|f| p.starts_with(f))
}

/// Whether the run keeps the host's /tmp (overlaid like any directory)
/// instead of a fresh one: when it starts in a directory under /tmp, whose
/// parents and neighbours the command may name (`../lib`).
pub(crate) fn keeps_host_tmp(cwd: &Path) -> bool {
    cwd.starts_with("/tmp")
}

/// `is_fresh`, with /tmp the host's when KEEP_TMP.
fn is_fresh_here(p: &Path, keep_tmp: bool) -> bool {
    is_fresh(p) && !(keep_tmp && p.starts_with("/tmp"))
}

/// A directory of nested overlay N: its target (absolute, inside and on
/// the host) and its upper and work directories.
#[derive(Debug, Clone)]
pub struct Nested {
    /// Where the overlay is mounted (absolute, the same inside and on the host).
    pub target: PathBuf,
    /// Its upper directory.
    pub upper: PathBuf,
    /// Its work directory.
    pub work: PathBuf,
    /// The upper directory's root as made: nothing changed while it is so.
    made: RootAttrs,
}

/// What the fold reads of a directory itself: mode, owner, time, xattrs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RootAttrs {
    mode: u32,
    owner: (u32, u32),
    mtime: (i64, i64),
    xattrs: Vec<(OsString, Vec<u8>)>,
}

impl RootAttrs {
    fn of(p: &Path) -> Result<RootAttrs> {
        let m = fs::symlink_metadata(p).at(p)?;
        Ok(RootAttrs {
            mode: m.mode(),
            owner: (m.uid(), m.gid()),
            mtime: (m.mtime(), m.mtime_nsec()),
            xattrs: xattr_pairs(p),
        })
    }
}

/// A host root ready for the sandbox.
#[derive(Debug)]
pub struct HostRoot {
    /// The root overlay's lower directory (the spine).
    pub spine: PathBuf,
    /// The directory of mount points stacked under the lower (`OverlayRoot::skeleton`).
    pub skeleton: PathBuf,
    /// ROOTFS: the root overlay's mount point.
    pub mnt: PathBuf,
    /// The root overlay's upper and work directories (None: --ro).
    pub root_upper: Option<(PathBuf, PathBuf)>,
    /// Nested overlays (with --ro: only their targets matter, bound read-only).
    pub nested: Vec<Nested>,
    /// Host paths bound read-only at their place.
    pub ro_binds: Vec<PathBuf>,
}

/// Build the host root in the private directory DIR: the spine, the
/// root overlay's and each nested overlay's directories. CWD, when under
/// /tmp or /run, gets a nested overlay of its own.
/// The mount table is read again afterwards: when it changed meanwhile
/// (a mount made or removed below a directory planned as a lower), the
/// plan is made again, up to three times.
pub fn prepare(dir: &Path, readonly: bool, cwd: &Path) -> Result<HostRoot> {
    let mut table = MountTable::read()?;
    for _ in 0..3 {
        let hr = prepare_with(&table, dir, readonly, cwd)?;
        let now = MountTable::read()?;
        if now.points == table.points {
            return Ok(hr);
        }
        clear(dir)?;
        table = now;
    }
    prepare_with(&table, dir, readonly, cwd)
}

/// Remove what `prepare` made in DIR (the skeleton too), to plan again.
pub fn clear(dir: &Path) -> Result<()> {
    for d in ["spine", "root", "o", "skel"] {
        crate::fsutil::remove_tree(&dir.join(d))?;
    }
    Ok(())
}

fn prepare_with(table: &MountTable, dir: &Path, readonly: bool, cwd: &Path) -> Result<HostRoot> {
    let owners = nix::unistd::geteuid().is_root();
    let spine = dir.join("spine");
    let mut hr = HostRoot {
        spine: spine.clone(),
        skeleton: dir.join("skel"),
        mnt: dir.join("root/mnt"),
        root_upper: None,
        nested: Vec::new(),
        ro_binds: Vec::new(),
    };
    let mut targets = Vec::new();
    let root_m = fs::symlink_metadata("/").at("/")?;
    fs::create_dir(&spine).at(&spine)?;
    let keep_tmp = keeps_host_tmp(cwd);
    fill_spine(
        table,
        Path::new("/"),
        &spine,
        owners,
        keep_tmp,
        &mut targets,
        &mut hr.ro_binds,
    )?;
    copy_attrs(Path::new("/"), &root_m, &spine, owners)?;
    if is_fresh_here(cwd, keep_tmp)
        && !FRESH[..3].iter().any(|f| cwd.starts_with(f))
        && cwd.is_dir()
    {
        if table.has_below(cwd) {
            hr.ro_binds.push(cwd.to_path_buf());
        } else {
            targets.push(cwd.to_path_buf());
        }
    }
    if readonly {
        fs::create_dir_all(&hr.mnt).at(&hr.mnt)?;
        hr.ro_binds.extend(targets);
        return Ok(hr);
    }
    let d = overlay::make_dirs(&dir.join("root"), Path::new("/"))?;
    hr.root_upper = Some((d.upper, d.work));
    for (i, t) in targets.into_iter().enumerate() {
        // upper/ with the host directory's attributes (overlay shows the
        // upper root's), and work/; no mount point: the target is one.
        let o = dir.join("o").join(i.to_string());
        let (upper, work) = (o.join("upper"), o.join("work"));
        fs::create_dir_all(&upper).at(&upper)?;
        fs::create_dir(&work).at(&work)?;
        copy_attrs(&t, &fs::symlink_metadata(&t).at(&t)?, &upper, owners)?;
        hr.nested.push(Nested {
            target: t,
            made: RootAttrs::of(&upper)?,
            upper,
            work,
        });
    }
    Ok(hr)
}

/// Copy host directory HOST's entries into the spine directory AT (see
/// runtime.md: spine directories recursively, placeholders for the rest).
fn fill_spine(
    table: &MountTable,
    host: &Path,
    at: &Path,
    owners: bool,
    keep_tmp: bool,
    targets: &mut Vec<PathBuf>,
    ro_binds: &mut Vec<PathBuf>,
) -> Result<()> {
    for ent in fs::read_dir(host).at(host)? {
        let ent = ent.at(host)?;
        let p = ent.path();
        let dst = at.join(ent.file_name());
        let Ok(m) = fs::symlink_metadata(&p) else {
            continue; // another user's FUSE mount, or gone meanwhile
        };
        let ft = m.file_type();
        if ft.is_dir() {
            fs::create_dir(&dst).at(&dst)?;
            let pseudo = table.fstype_at(&p).is_some_and(|t| {
                PSEUDO.contains(&t) || t == "fuseblk" || t.split('.').next() == Some("fuse")
            });
            if is_fresh_here(&p, keep_tmp) || pseudo {
                // A placeholder.
            } else if table.has_below(&p) {
                if fs::read_dir(&p).is_ok() {
                    fill_spine(table, &p, &dst, owners, keep_tmp, targets, ro_binds)?;
                } else {
                    ro_binds.push(p.clone());
                }
            } else {
                targets.push(p.clone());
            }
            copy_attrs(&p, &m, &dst, owners)?;
        } else if ft.is_symlink() {
            let t = fs::read_link(&p).at(&p)?;
            std::os::unix::fs::symlink(&t, &dst).at(&dst)?;
            copy_attrs(&p, &m, &dst, owners)?;
        } else if ft.is_file() {
            let copied = m.len() <= COPY_MAX
                && fs::File::open(&p)
                    .and_then(|mut f| {
                        let mut v = Vec::new();
                        f.read_to_end(&mut v)?;
                        fs::write(&dst, v)
                    })
                    .is_ok();
            if copied {
                copy_attrs(&p, &m, &dst, owners)?;
            } else {
                let _ = fs::remove_file(&dst);
                ro_binds.push(p.clone());
            }
        }
    }
    Ok(())
}

/// Give DST the attributes of host path SRC (metadata M): mode and
/// modification time, and as root owner and xattrs.
fn copy_attrs(src: &Path, m: &fs::Metadata, dst: &Path, owners: bool) -> Result<()> {
    let link = m.file_type().is_symlink();
    if owners {
        std::os::unix::fs::lchown(dst, Some(m.uid()), Some(m.gid())).at(dst)?;
        for (n, v) in xattr_pairs(src) {
            let _ = xattr::set(dst, &n, &v);
        }
    }
    if !link {
        fs::set_permissions(dst, fs::Permissions::from_mode(m.mode() & 0o7777)).at(dst)?;
    }
    set_mtime(dst, m.mtime(), m.mtime_nsec())
}

fn set_mtime(p: &Path, secs: i64, nsec: i64) -> Result<()> {
    let t = nix::sys::time::TimeSpec::new(secs, nsec);
    nix::sys::stat::utimensat(
        nix::fcntl::AT_FDCWD,
        p,
        &nix::sys::time::TimeSpec::UTIME_OMIT,
        &t,
        nix::sys::stat::UtimensatFlags::NoFollowSymlink,
    )
    .map_err(|e| Error::Io {
        path: p.to_path_buf(),
        err: e.into(),
    })
}

/// The private directory of a host run (runtime.md, "The private
/// directory"): made in `$TMPDIR`, else `$XDG_RUNTIME_DIR`, else /tmp,
/// locked while the run lives, removed when dropped.
pub struct Private {
    /// The directory.
    pub dir: PathBuf,
    /// Where it is made.
    pub base: PathBuf,
    _lock: fs::File,
    /// Removed when dropped, unless kept (a failed fold).
    kept: bool,
}

impl Drop for Private {
    fn drop(&mut self) {
        if !self.kept {
            let _ = crate::fsutil::remove_tree(&self.dir);
        }
    }
}

const PRIVATE_PREFIX: &str = "hako-host-";

impl Private {
    /// Make a new private directory, first removing those of dead runs.
    pub fn create() -> Result<Private> {
        let base = ["TMPDIR", "XDG_RUNTIME_DIR"]
            .iter()
            .filter_map(std::env::var_os)
            .map(PathBuf::from)
            .find(|p| p.is_absolute() && p.is_dir())
            .unwrap_or_else(|| PathBuf::from("/tmp"));
        remove_stale(&base);
        let dir = crate::fsutil::tmp_path(&base, PRIVATE_PREFIX);
        fs::DirBuilder::new().mode(0o700).create(&dir).at(&dir)?;
        let lock_path = dir.join("lock");
        let lock = fs::File::create(&lock_path).at(&lock_path)?;
        lock.lock().at(&lock_path)?;
        Ok(Private {
            dir,
            base,
            _lock: lock,
            kept: false,
        })
    }

    /// Whether overlay works in the private directory: the answer
    /// remembered in `BASE/hako-host-probe.<euid>` (owned by the caller,
    /// for this host, kernel, user and filesystem), else probed now.
    pub fn probe(&self) -> Result<Probe> {
        let me = nix::unistd::geteuid().as_raw();
        let dev = fs::metadata(&self.dir).at(&self.dir)?.dev();
        let u = nix::sys::utsname::uname().map_err(|errno| RuntimeError::Sys {
            step: "uname",
            errno,
        })?;
        let prefix = format!(
            "{} {} {me} {dev} ",
            u.nodename().to_string_lossy(),
            u.release().to_string_lossy()
        );
        let file = self.base.join(format!("hako-host-probe.{me}"));
        let mine = fs::symlink_metadata(&file).is_ok_and(|m| m.is_file() && m.uid() == me);
        if mine {
            if let Some(ans) = fs::read_to_string(&file).ok().and_then(|t| {
                let l = t.strip_suffix('\n')?.strip_prefix(&prefix)?.to_string();
                Some(l)
            }) {
                if ans == "yes" {
                    return Ok(Probe::Yes);
                }
                if let Some(why) = ans.strip_prefix("no ") {
                    return Ok(Probe::No(why.to_string()));
                }
            }
        }
        let ans = overlay::probe_now(&self.dir.join("probe"))?;
        let line = match &ans {
            Probe::Yes => format!("{prefix}yes\n"),
            Probe::No(why) => format!("{prefix}no {}\n", why.replace('\n', " ")),
        };
        // Not fsynced: losing it costs one probe.
        let tmp = self.dir.join("probe-answer");
        if fs::write(&tmp, line).is_ok() && fs::rename(&tmp, &file).is_err() {
            let _ = fs::remove_file(&tmp);
        }
        Ok(ans)
    }

    /// Remove the directory (the upper directories with it), saying why not.
    pub fn remove(mut self) -> Result<()> {
        self.kept = true;
        crate::fsutil::remove_tree(&self.dir)
    }

    /// Keep the directory (a fold failed): its path.
    pub fn keep(mut self) -> PathBuf {
        self.kept = true;
        self.dir.clone()
    }
}

/// Remove the private directories in BASE of this user's dead runs (their
/// lock is free).
fn remove_stale(base: &Path) {
    let me = nix::unistd::geteuid().as_raw();
    let Ok(rd) = fs::read_dir(base) else { return };
    for ent in rd.flatten() {
        if !ent
            .file_name()
            .as_bytes()
            .starts_with(PRIVATE_PREFIX.as_bytes())
        {
            continue;
        }
        let p = ent.path();
        let mine = fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir() && m.uid() == me);
        if !mine {
            continue;
        }
        let free = fs::File::open(p.join("lock")).is_ok_and(|f| f.try_lock().is_ok());
        if free {
            let _ = crate::fsutil::remove_tree(&p);
        }
    }
}

/// Graft every nested overlay's upper directory into the root upper
/// directory at its target (runtime.md, "`--keep-as`", step 1).
pub(crate) fn graft(root_upper: &Path, nested: &[Nested]) -> Result<()> {
    let owners = nix::unistd::geteuid().is_root();
    // Parent directories touched, and the modification time each must keep.
    let mut times: BTreeMap<PathBuf, (i64, i64)> = BTreeMap::new();
    for n in nested {
        if untouched(n)? {
            continue;
        }
        let rel = n.target.strip_prefix("/").unwrap_or(&n.target);
        let dst = root_upper.join(rel);
        let mut host = PathBuf::from("/");
        let mut here = root_upper.to_path_buf();
        let parts: Vec<_> = rel.components().collect();
        for c in &parts[..parts.len().saturating_sub(1)] {
            host.push(c);
            here.push(c);
            match fs::symlink_metadata(&here) {
                Ok(m) => {
                    times
                        .entry(here.clone())
                        .or_insert((m.mtime(), m.mtime_nsec()));
                }
                Err(_) => {
                    fs::create_dir(&here).at(&here)?;
                    let hm = fs::symlink_metadata(&host).at(&host)?;
                    copy_attrs(&host, &hm, &here, owners)?;
                    times.insert(here.clone(), (hm.mtime(), hm.mtime_nsec()));
                }
            }
        }
        if fs::symlink_metadata(&dst).is_ok() {
            return Err(RuntimeError::NestedOverlayMount(dst.clone()).into());
        }
        // Moving a directory to another parent writes its `..`: it must be writable.
        let m = fs::symlink_metadata(&n.upper).at(&n.upper)?;
        let mode = m.mode() & 0o7777;
        fs::set_permissions(&n.upper, fs::Permissions::from_mode(mode | 0o700)).at(&n.upper)?;
        let parent = dst.parent().unwrap_or(root_upper);
        let pm = fs::symlink_metadata(parent).at(parent)?;
        let pmode = pm.mode() & 0o7777;
        fs::set_permissions(parent, fs::Permissions::from_mode(pmode | 0o700)).at(parent)?;
        fs::rename(&n.upper, &dst).at(&dst)?;
        fs::set_permissions(parent, fs::Permissions::from_mode(pmode)).at(parent)?;
        fs::set_permissions(&dst, fs::Permissions::from_mode(mode)).at(&dst)?;
        set_mtime(&dst, m.mtime(), m.mtime_nsec())?;
    }
    for (p, (s, ns)) in times {
        set_mtime(&p, s, ns)?;
    }
    Ok(())
}

/// Whether nested overlay N's upper directory records nothing: empty, its
/// root as it was made (the host directory may have changed meanwhile).
fn untouched(n: &Nested) -> Result<bool> {
    let empty = fs::read_dir(&n.upper).at(&n.upper)?.next().is_none();
    Ok(empty && RootAttrs::of(&n.upper)? == n.made)
}

/// A path's extended attributes, sorted (none where unreadable).
fn xattr_pairs(p: &Path) -> Vec<(OsString, Vec<u8>)> {
    let mut out: Vec<_> = xattr::list(p)
        .map(|names| {
            names
                .filter_map(|n| xattr::get(p, &n).ok().flatten().map(|v| (n, v)))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// What the base needs of a host path.
#[derive(Debug)]
enum Need {
    /// The directory's attributes and these names below it.
    Dir(BTreeMap<Vec<u8>, Need>),
    /// The whole entry (a directory with everything below it).
    Whole,
}

/// Walk the upper directory UPPER into the needs of the base.
fn needs(upper: &Path) -> Result<BTreeMap<Vec<u8>, Need>> {
    let mut out = BTreeMap::new();
    for ent in fs::read_dir(upper).at(upper)? {
        let ent = ent.at(upper)?;
        let p = ent.path();
        let m = fs::symlink_metadata(&p).at(&p)?;
        let name = ent.file_name().as_bytes().to_vec();
        let need = if m.is_dir() {
            let opaque = xattr::get(&p, "user.overlay.opaque")
                .ok()
                .flatten()
                .is_some_and(|v| v == b"y");
            if opaque {
                Need::Whole
            } else {
                Need::Dir(needs(&p)?)
            }
        } else {
            // A whiteout, or a new or changed entry: the host's, whole.
            Need::Whole
        };
        out.insert(name, need);
    }
    Ok(out)
}

/// The base entry NAME for host path P: None when the host lacks it.
fn base_entry(
    store: &dyn ObjectStore,
    p: &Path,
    name: &[u8],
    need: &Need,
    opts: &ImportOptions,
) -> Result<Option<Entry>> {
    let m = match fs::symlink_metadata(p) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).at(p),
    };
    match need {
        Need::Dir(children) if m.is_dir() => {
            let entries = base_entries(store, p, children, opts)?;
            let id = dir::build(store, entries)?;
            let mut e = Entry::new(name, S_IFDIR | (m.mode() & 0o7777), id);
            e.meta = entry_meta(p, &m, opts)?;
            Ok(Some(e))
        }
        _ => import_entry(store, p, name, opts).map(Some),
    }
}

fn base_entries(
    store: &dyn ObjectStore,
    p: &Path,
    children: &BTreeMap<Vec<u8>, Need>,
    opts: &ImportOptions,
) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for (name, need) in children {
        let cp = p.join(OsStr::from_bytes(name));
        if let Some(e) = base_entry(store, &cp, name, need, opts)? {
            entries.push(e);
        }
    }
    entries.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

/// The base tree (runtime.md, "`--keep-as`", step 2): the host's versions
/// of what the grafted upper directory UPPER names, and their parents,
/// recorded with owners; directories of EXCLUDE (device, inode) left out.
pub fn base_tree(
    store: &dyn ObjectStore,
    upper: &Path,
    exclude: Vec<(u64, u64)>,
) -> Result<ObjectId> {
    let opts = ImportOptions {
        owners: true,
        exclude,
    };
    let children = needs(upper)?;
    let mut entries = base_entries(store, Path::new("/"), &children, &opts)?;
    let m = fs::symlink_metadata("/").at("/")?;
    if let Some(rec) = root_record(
        S_IFDIR | (m.mode() & 0o7777),
        &entry_meta(Path::new("/"), &m, &opts)?,
    ) {
        let at = entries.partition_point(|e| e.name.as_slice() < ROOT_RECORD);
        entries.insert(at, rec);
    }
    dir::build(store, entries)
}

/// How the lower directories presented the host (runtime.md, "`--keep-as`", step 3).
pub fn presentation() -> Presentation {
    let (uid, gid) = (
        nix::unistd::geteuid().as_raw(),
        nix::unistd::getegid().as_raw(),
    );
    if uid == 0 {
        Presentation {
            owners: true,
            host_uid: 0,
            host_gid: 0,
            map: IdMap::identity(65536),
        }
    } else {
        Presentation {
            owners: false,
            host_uid: uid,
            host_gid: gid,
            map: IdMap {
                uids: vec![(uid, uid, 1)],
                gids: vec![(gid, gid, 1)],
            },
        }
    }
}

/// Graft, read the base (EXCLUDE as `base_tree`) and fold: (base,
/// folded) trees, stored in STORE.
pub fn fold(
    store: &dyn ObjectStore,
    root_upper: &Path,
    nested: &[Nested],
    exclude: Vec<(u64, u64)>,
) -> Result<(ObjectId, ObjectId)> {
    graft(root_upper, nested)?;
    let base = base_tree(store, root_upper, exclude)?;
    let new = overlay::fold_upper(store, &base, root_upper, &presentation())?;
    Ok((base, new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_lines_give_mount_points_and_types() {
        let t = MountTable::parse(
            "22 27 0:21 / /proc rw,relatime - proc proc rw\n\
             27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n\
             40 27 0:40 / /mnt/my\\040disk rw - ext4 /dev/vdb rw\n\
             41 40 0:41 / /mnt/my\\040disk/in rw shared:1 - tmpfs t rw\n",
        );
        assert!(t.has_below(Path::new("/")));
        assert!(t.has_below(Path::new("/mnt")));
        assert!(t.has_below(Path::new("/mnt/my disk")));
        assert!(!t.has_below(Path::new("/mnt/my disk/in")));
        assert!(!t.has_below(Path::new("/etc")));
        assert_eq!(t.fstype_at(Path::new("/proc")), Some("proc"));
        assert_eq!(t.fstype_at(Path::new("/mnt/my disk/in")), Some("tmpfs"));
        assert_eq!(t.fstype_at(Path::new("/usr")), None);
    }

    #[test]
    fn fresh_paths() {
        assert!(is_fresh(Path::new("/proc/1")));
        assert!(is_fresh(Path::new("/tmp")));
        assert!(!is_fresh(Path::new("/tmpx")));
        assert!(!is_fresh(Path::new("/etc")));
    }
}
