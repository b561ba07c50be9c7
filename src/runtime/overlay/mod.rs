//! Overlay instances (format-spec/runtime.md, "Overlay instances"): the
//! probe, the mount options, the instance's `overlay` record and the fold
//! from its upper directory into `WORKING`.
#![warn(missing_docs)]

pub(crate) mod fold;

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::cache::Profile;
use crate::error::{Error, IoContext, Result};
use crate::oid::ObjectId;
use crate::runtime::error::RuntimeError;
use crate::workspace::Workspace;

pub use fold::{fold_upper, IdMap, Presentation};

/// The options besides the directories (runtime.md, "Mount options").
const FIXED_OPTIONS: &str = "userxattr,redirect_dir=nofollow,index=off,metacopy=off";

/// The `-o` data of an overlay mount.
pub fn mount_options(lowerdir: &str, upper: &Path, work: &Path) -> String {
    format!(
        "lowerdir={lowerdir},upperdir={},workdir={},{FIXED_OPTIONS}",
        escape(upper),
        escape(work)
    )
}

/// A path for overlay's option string: `\`, `:` and `,` escaped.
pub fn escape(p: &Path) -> String {
    crate::sandbox::escape_overlay_path(p)
}

/// The probe's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Probe {
    /// Overlay can be used.
    Yes,
    /// Overlay cannot be used, and why.
    No(String),
}

fn uname() -> (String, String) {
    match nix::sys::utsname::uname() {
        Ok(u) => (
            u.nodename().to_string_lossy().into_owned(),
            u.release().to_string_lossy().into_owned(),
        ),
        Err(_) => ("?".into(), "?".into()),
    }
}

/// Whether overlay instances work here: the answer remembered in
/// `.hako/cache/overlay-probe` for this host, kernel and user, else probed
/// now (and remembered); `force` probes again.
pub fn probe(ws: &Workspace, force: bool) -> Result<Probe> {
    let cache = crate::cache::dir(ws);
    let file = cache.join("overlay-probe");
    let (node, release) = uname();
    let euid = nix::unistd::geteuid().as_raw();
    let prefix = format!("{node} {release} {euid} ");
    if !force {
        if let Ok(text) = fs::read_to_string(&file) {
            if let Some(ans) = text
                .strip_suffix('\n')
                .and_then(|l| l.strip_prefix(&prefix))
            {
                if ans == "yes" {
                    return Ok(Probe::Yes);
                }
                if let Some(why) = ans.strip_prefix("no ") {
                    return Ok(Probe::No(why.to_string()));
                }
            }
        }
    }
    let ans = probe_now(&cache.join("tmp"))?;
    let line = match &ans {
        Probe::Yes => format!("{prefix}yes\n"),
        Probe::No(why) => format!("{prefix}no {}\n", why.replace('\n', " ")),
    };
    // Not fsynced: losing it costs one probe.
    crate::fsutil::write_replace_unsynced(&file, line.as_bytes())?;
    Ok(ans)
}

/// Probe in a fresh directory under `tmp` (on the workspace's filesystem).
pub(crate) fn probe_now(tmp: &Path) -> Result<Probe> {
    fs::create_dir_all(tmp).at(tmp)?;
    let d = tmp.join(format!("probe-{}", std::process::id()));
    let _ = crate::fsutil::remove_tree(&d);
    let (lower, upper, work, mnt) = (
        d.join("lower"),
        d.join("upper"),
        d.join("work"),
        d.join("mnt"),
    );
    for p in [&lower.join("d"), &upper, &work, &mnt] {
        fs::create_dir_all(p).at(p)?;
    }
    fs::write(lower.join("f"), b"f").at(&lower)?;
    fs::write(lower.join("d/g"), b"g").at(&lower)?;
    let opts = mount_options(&escape(&lower), &upper, &work);
    let ans = match crate::sandbox::probe_overlay(&mnt, &opts) {
        Err(why) => Probe::No(why.to_string()),
        Ok(()) => {
            let f = fs::symlink_metadata(upper.join("f"));
            let whiteout =
                f.is_ok_and(|m| m.mode() & libc::S_IFMT == libc::S_IFCHR && m.rdev() == 0);
            let opaque = xattr::get(upper.join("d"), "user.overlay.opaque")
                .ok()
                .flatten();
            if !whiteout {
                Probe::No("a removed file left no whiteout in the upper directory".into())
            } else if opaque.as_deref() != Some(b"y") {
                Probe::No("a replaced directory is not marked opaque".into())
            } else {
                Probe::Yes
            }
        }
    };
    crate::fsutil::remove_tree(&d)?;
    Ok(ans)
}

/// An instance's `overlay` record (runtime.md, "Instance layout").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The tree the instance started from.
    pub base: ObjectId,
    /// The profile of the cache entries the lower was made of (a mapped
    /// profile's map is the instance's).
    pub profile: Profile,
    /// The maps of the sandbox's user namespace.
    pub map: IdMap,
}

/// The record's file name in the instance directory.
pub const RECORD: &str = "overlay";

impl Record {
    /// The record as text.
    pub fn encode(&self) -> String {
        format!(
            "base {}\nowners {}\n{}",
            self.base,
            self.profile.field(),
            self.map.lines()
        )
    }

    /// Parse a record read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Record> {
        let bad = || Error::from(RuntimeError::MalformedRecord(path.to_path_buf()));
        let mut lines = text.lines().peekable();
        let base = lines
            .next()
            .and_then(|l| l.strip_prefix("base "))
            .and_then(|v| ObjectId::from_hex(v).ok())
            .ok_or_else(bad)?;
        let owners = lines.next().ok_or_else(bad)?;
        let map = crate::cache::entry::parse_map(lines).ok_or_else(bad)?;
        if map.uids.is_empty() || map.gids.is_empty() {
            return Err(bad());
        }
        let profile = match owners {
            "owners 1" => Profile::Owners,
            "owners 0" => Profile::Plain,
            "owners mapped" => Profile::Mapped(map.clone()),
            _ => return Err(bad()),
        };
        Ok(Record { base, profile, map })
    }

    /// Read the record of instance directory `dir`, if it has one.
    pub fn load(dir: &Path) -> Result<Option<Record>> {
        let p = dir.join(RECORD);
        match fs::read_to_string(&p) {
            Ok(t) => Record::parse(&t, &p).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).at(&p),
        }
    }

    /// How the instance's lower presented the base, for the fold (a mapped
    /// instance's fold runs inside its namespace, seeing the ids inside).
    pub fn presentation(&self) -> Presentation {
        if let Profile::Mapped(m) = &self.profile {
            return Presentation {
                owners: true,
                host_uid: 0,
                host_gid: 0,
                map: m.seen_inside(),
            };
        }
        Presentation {
            owners: self.profile.owners(),
            host_uid: nix::unistd::geteuid().as_raw(),
            host_gid: nix::unistd::getegid().as_raw(),
            map: self.map.clone(),
        }
    }
}

/// The directories of an overlay instance under its directory `dir`.
pub struct InstanceDirs {
    /// `upper/`: what the command wrote.
    pub upper: PathBuf,
    /// `work/`: overlay's work directory.
    pub work: PathBuf,
    /// `mnt/`: the mount point.
    pub mnt: PathBuf,
}

/// Make the instance's directories for a lower of `profile` (a mapped
/// lower's root may be owned by a subordinate id: they are made in its
/// namespace).
pub(crate) fn make_dirs_for(
    dir: &Path,
    top_lower: &Path,
    profile: &Profile,
) -> Result<InstanceDirs> {
    match profile.map() {
        Some(map) if !crate::userns::in_child_namespace() => {
            crate::userns::run_mapped(map, || make_dirs(dir, top_lower).map(drop))?;
            Ok(InstanceDirs {
                upper: dir.join("upper"),
                work: dir.join("work"),
                mnt: dir.join("mnt"),
            })
        }
        _ => make_dirs(dir, top_lower),
    }
}

/// Make `upper/`, `work/` and `mnt/` in the instance directory, `upper/`
/// with the attributes of the topmost lower root (overlay shows the upper
/// root's as the root's).
pub(crate) fn make_dirs(dir: &Path, top_lower: &Path) -> Result<InstanceDirs> {
    let d = InstanceDirs {
        upper: dir.join("upper"),
        work: dir.join("work"),
        mnt: dir.join("mnt"),
    };
    for p in [&d.upper, &d.work, &d.mnt] {
        fs::create_dir_all(p).at(p)?;
    }
    let m = fs::symlink_metadata(top_lower).at(top_lower)?;
    if nix::unistd::geteuid().is_root() {
        std::os::unix::fs::lchown(&d.upper, Some(m.uid()), Some(m.gid())).at(&d.upper)?;
        for n in xattr::list(top_lower).at(top_lower)? {
            if let Some(v) = xattr::get(top_lower, &n).at(top_lower)? {
                xattr::set(&d.upper, &n, &v).at(&d.upper)?;
            }
        }
    }
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&d.upper, fs::Permissions::from_mode(m.mode() & 0o7777)).at(&d.upper)?;
    let t = nix::sys::time::TimeSpec::new(m.mtime(), m.mtime_nsec());
    nix::sys::stat::utimensat(
        nix::fcntl::AT_FDCWD,
        &d.upper,
        &nix::sys::time::TimeSpec::UTIME_OMIT,
        &t,
        nix::sys::stat::UtimensatFlags::NoFollowSymlink,
    )
    .map_err(|e| Error::Io {
        path: d.upper.clone(),
        err: e.into(),
    })?;
    Ok(d)
}

/// Fold an instance's upper directory into `WORKING` (from the record's
/// base, rebased onto a working root that moved meanwhile); returns the
/// folded tree (before any rebase), or None when nothing changed.
pub fn fold_into_working(ws: &Workspace, rec: &Record, upper: &Path) -> Result<Option<ObjectId>> {
    let new = fold_stored(ws, rec, upper)?;
    if new == rec.base {
        return Ok(None);
    }
    crate::runtime::working::publish(ws, rec.base, new)?;
    Ok(Some(new))
}

/// Fold `upper` onto the record's base and make the objects durable; the
/// new tree. A mapped instance's upper directory holds files of its
/// subordinate ids: it is read inside a user namespace with its map (the
/// objects written there are the caller's).
fn fold_stored(ws: &Workspace, rec: &Record, upper: &Path) -> Result<ObjectId> {
    let fold = |ws: &Workspace| -> Result<ObjectId> {
        let batch = crate::store::BatchWriter::new(&ws.odb);
        let new = fold_upper(&batch, &rec.base, upper, &rec.presentation())?;
        batch.flush()?;
        Ok(new)
    };
    match rec.profile.map() {
        Some(map) if !crate::userns::in_child_namespace() => {
            let (wsdir, container) = (ws.dir.clone(), ws.container.clone());
            let hex = crate::userns::run_mapped(map, move || {
                // A fresh workspace and worker pool: the parent's may be mid-use.
                let ws = Workspace::open_with(&wsdir, Some(&container))?;
                crate::runtime::in_own_pool(|| fold(&ws))?.map(|id| id.to_string())
            })?;
            ObjectId::from_hex(&hex).map_err(|_| RuntimeError::FoldTreeId(hex.clone()).into())
        }
        _ => fold(ws),
    }
}

/// The file of an instance directory naming the tree its last fold
/// published (runtime.md, "Instance layout"); absent: the record's base.
const FOLDED: &str = "folded";

/// Fold an overlay instance's upper directory (`dir/upper`) into the
/// container's `WORKING`: the changes since the last fold are published
/// (so a file the command removed after an earlier fold is removed again).
/// The `overlay` record is locked (flock) while the fold runs, so two folds
/// of one instance never interleave. A fold while the command runs takes
/// the files as they are at that moment. Returns the folded tree, or None
/// when nothing changed since the last fold.
pub fn fold_instance(ws: &Workspace, dir: &Path) -> Result<Option<ObjectId>> {
    let p = dir.join(RECORD);
    let held = fs::File::open(&p).at(&p)?;
    held.lock().at(&p)?;
    let rec = Record::load(dir)?.ok_or_else(|| RuntimeError::MissingRecord(p.clone()))?;
    let folded = dir.join(FOLDED);
    let last = match fs::read_to_string(&folded) {
        Ok(t) => ObjectId::from_hex(t.trim())
            .map_err(|_| RuntimeError::MalformedRecord(folded.clone()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => rec.base,
        Err(e) => return Err(e).at(&folded),
    };
    let new = fold_stored(ws, &rec, &dir.join("upper"))?;
    if new == last {
        return Ok(None);
    }
    crate::runtime::working::publish(ws, last, new)?;
    crate::fsutil::write_replace_unsynced(&folded, format!("{new}\n").as_bytes())?;
    Ok(Some(new))
}

/// Fold the upper directories of the container's running persistent
/// overlay instances into its `WORKING` (runtime.md, "Folding on demand"),
/// so `status`, `diff` and `commit` see their writes as they would a FUSE
/// instance's. An instance that ends meanwhile has folded itself.
pub fn fold_running(ws: &Workspace) -> Result<()> {
    let dir = crate::runtime::instance::instances_dir(ws);
    if !dir.is_dir() {
        return Ok(());
    }
    for inst in crate::runtime::instance::list(ws)? {
        let live = matches!(
            inst.effective_status(),
            crate::runtime::instance::Status::Running | crate::runtime::instance::Status::Created
        );
        if !live
            || inst.fs != crate::runtime::instance::DataPath::Overlay
            || inst.container.as_deref() != Some(ws.container.as_str())
            || !holds_data(&inst.dir)
        {
            continue;
        }
        match fold_instance(ws, &inst.dir) {
            Ok(_) => {}
            // The supervisor's own last fold removed the record first.
            Err(Error::Io { err, .. }) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Whether `dir` is an overlay instance still holding its data (a record).
pub fn holds_data(dir: &Path) -> bool {
    dir.join(RECORD).exists()
}

/// Remove an overlay instance's data: upper, work and skeleton directories,
/// then the record (last: a crash before leaves something `reap` finds).
pub fn discard(dir: &Path) -> Result<()> {
    // A --map-users instance's upper directory holds files of subordinate ids.
    for d in ["upper", "work", "skel"] {
        crate::userns::remove_tree(&dir.join(d))?;
    }
    for f in [FOLDED, RECORD] {
        match fs::remove_file(dir.join(f)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e).at(dir.join(f)),
            _ => {}
        }
    }
    Ok(())
}

/// Write an instance's record (temporary name, rename) before its command starts.
pub(crate) fn save_record(dir: &Path, rec: &Record) -> Result<()> {
    crate::fsutil::write_replace_unsynced(&dir.join(RECORD), rec.encode().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_reads_back_and_refuses_other_content() {
        let r = Record {
            base: ObjectId::from_hex(&"ab".repeat(32)).unwrap(),
            profile: Profile::Plain,
            map: IdMap {
                uids: vec![(0, 1000, 1), (1, 100000, 65536)],
                gids: vec![(0, 1000, 1)],
            },
        };
        let text = r.encode();
        assert_eq!(
            text,
            format!(
                "base {}\nowners 0\nuidmap 0 1000 1\nuidmap 1 100000 65536\ngidmap 0 1000 1\n",
                "ab".repeat(32)
            )
        );
        let p = Path::new("overlay");
        assert_eq!(Record::parse(&text, p).unwrap(), r);
        let mapped = Record {
            profile: Profile::Mapped(r.map.clone()),
            ..r.clone()
        };
        let mtext = mapped.encode();
        assert_eq!(mtext, text.replace("owners 0", "owners mapped"));
        assert_eq!(Record::parse(&mtext, p).unwrap(), mapped);
        for bad in [
            "owners 0\n".to_string(),
            text.replace("owners 0", "owners 2"),
            text.replace("gidmap 0 1000 1\n", ""),
            text.replace("uidmap 0 1000 1", "uidmap 0 1000"),
            format!("{text}uidmap 2 2 2\n"),
        ] {
            assert!(Record::parse(&bad, p).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_probe_works_from_a_process_with_threads() {
        // The test harness runs threads: the probe forks before it unshares.
        let userns = std::process::Command::new("unshare")
            .args(["-Urm", "true"])
            .status()
            .is_ok_and(|s| s.success());
        if !userns {
            eprintln!("skipped: no user namespaces here");
            return;
        }
        let t = tempfile::tempdir().unwrap();
        let ans = probe_now(t.path()).unwrap();
        assert_eq!(ans, Probe::Yes);
        assert_eq!(
            fs::read_dir(t.path()).unwrap().count(),
            0,
            "probe directory left"
        );
    }

    #[test]
    fn paths_in_options_are_escaped() {
        assert_eq!(escape(Path::new("/a:b,c\\d")), "/a\\:b\\,c\\\\d");
        assert_eq!(
            mount_options("/l", Path::new("/u"), Path::new("/w")),
            "lowerdir=/l,upperdir=/u,workdir=/w,userxattr,redirect_dir=nofollow,index=off,metacopy=off"
        );
    }

    #[test]
    fn the_upper_root_takes_the_lower_root_attributes() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        let lower = t.path().join("lower");
        fs::create_dir(&lower).unwrap();
        fs::set_permissions(&lower, fs::Permissions::from_mode(0o750)).unwrap();
        let ts = nix::sys::time::TimeSpec::new(12345, 678);
        nix::sys::stat::utimensat(
            nix::fcntl::AT_FDCWD,
            &lower,
            &ts,
            &ts,
            nix::sys::stat::UtimensatFlags::NoFollowSymlink,
        )
        .unwrap();
        let inst = t.path().join("inst");
        let d = make_dirs(&inst, &lower).unwrap();
        let m = fs::metadata(&d.upper).unwrap();
        assert_eq!(m.mode() & 0o7777, 0o750);
        assert_eq!((m.mtime(), m.mtime_nsec()), (12345, 678));
        assert!(d.work.is_dir() && d.mnt.is_dir());
    }
}
