//! One cache entry on disk (format-spec/runtime.md, "The entry record" and
//! "Stamps and the quick check").
#![warn(missing_docs)]

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::codec::Fields;
use crate::error::{Error, IoContext, Result};
use crate::oid::ObjectId;
use crate::sandbox::IdMap;

use super::error::CacheError;

/// What a checkout applies (runtime.md, "Profiles").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Profile {
    /// `owners 0`: files owned by the caller, no xattrs, no devices.
    Plain,
    /// `owners 1` (root): owners, xattrs and devices as recorded.
    Owners,
    /// `owners mapped` (`--map-users`): owners and xattrs through the map,
    /// written inside a user namespace with it; no devices.
    Mapped(IdMap),
}

impl Profile {
    /// The profile of a run: `--map-users`' map, else root's, else plain.
    pub fn of_caller(map: Option<IdMap>) -> Profile {
        match map {
            Some(m) => Profile::Mapped(m),
            None if nix::unistd::geteuid().is_root() => Profile::Owners,
            None => Profile::Plain,
        }
    }

    /// Owners and xattrs are applied (as seen by the writer).
    pub fn owners(&self) -> bool {
        !matches!(self, Profile::Plain)
    }

    /// The value of the records' `owners` line.
    pub fn field(&self) -> &'static str {
        match self {
            Profile::Plain => "0",
            Profile::Owners => "1",
            Profile::Mapped(_) => "mapped",
        }
    }

    /// The map of the mapped profile.
    pub fn map(&self) -> Option<&IdMap> {
        match self {
            Profile::Mapped(m) => Some(m),
            _ => None,
        }
    }

    /// The entry name's suffix: `plain`, `owners`, or `mapped-` and the
    /// first 16 hex digits of the BLAKE3 hash of the map's lines.
    pub fn suffix(&self) -> String {
        match self {
            Profile::Plain => "plain".into(),
            Profile::Owners => "owners".into(),
            Profile::Mapped(m) => {
                let h = blake3::hash(m.lines().as_bytes()).to_hex();
                format!("mapped-{}", &h[..16])
            }
        }
    }
}

/// Whether entry NAME is of the mapped profile (its files may hold
/// subordinate ids).
pub fn is_mapped_name(name: &str) -> bool {
    name.rsplit('.')
        .next()
        .is_some_and(|s| s.starts_with("mapped-"))
}

/// Full (the whole tree) or a layer over another entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    /// The whole tree, depth 0.
    Full,
    /// The paths where the tree differs from a base entry's.
    Layer {
        /// The base entry's name.
        base: String,
    },
}

/// The `entry` record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The tree checked out.
    pub tree: ObjectId,
    /// What the checkout applies.
    pub profile: Profile,
    /// Full or a layer.
    pub kind: Kind,
    /// 0 for full, the base's depth + 1 for a layer.
    pub depth: u32,
    /// Regular files in `root/`.
    pub files: u64,
    /// The sum of their sizes.
    pub bytes: u64,
}

/// The directory name of the entry of `tree` under `profile`.
pub(crate) fn name(tree: &ObjectId, profile: &Profile) -> String {
    format!("{tree}.{}", profile.suffix())
}

impl Record {
    /// The entry's directory name.
    pub fn name(&self) -> String {
        name(&self.tree, &self.profile)
    }

    /// The record as text.
    pub fn encode(&self) -> String {
        let (kind, base) = match &self.kind {
            Kind::Full => ("full", "-"),
            Kind::Layer { base } => ("layer", base.as_str()),
        };
        let mut s = format!(
            "version 1\ntree {}\nowners {}\nkind {kind}\nbase {base}\ndepth {}\nfiles {}\nbytes {}\n",
            self.tree,
            self.profile.field(),
            self.depth,
            self.files,
            self.bytes
        );
        if let Some(m) = self.profile.map() {
            s.push_str(&m.lines());
        }
        s
    }

    /// Parse a record read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Record> {
        let bad = || Error::Cache(CacheError::MalformedRecord(path.to_path_buf()));
        let mut fields = Fields::new(text);
        let mut field = |key: &str| fields.next(key).ok_or_else(bad);
        if field("version")? != "1" {
            return Err(bad());
        }
        let tree = ObjectId::from_hex(&field("tree")?).map_err(|_| bad())?;
        let owners = field("owners")?;
        let kind = field("kind")?;
        let base = field("base")?;
        let kind = match (kind.as_str(), base.as_str()) {
            ("full", "-") => Kind::Full,
            ("layer", b) if b != "-" && !b.contains('/') => Kind::Layer {
                base: b.to_string(),
            },
            _ => return Err(bad()),
        };
        let num = |v: String| v.parse::<u64>().map_err(|_| bad());
        let depth = num(field("depth")?)? as u32;
        let files = num(field("files")?)?;
        let bytes = num(field("bytes")?)?;
        if (depth == 0) != (kind == Kind::Full) {
            return Err(bad());
        }
        let map = parse_map(fields.rest()).ok_or_else(bad)?;
        let profile = match (owners.as_str(), map.uids.is_empty()) {
            ("1", true) if map.gids.is_empty() => Profile::Owners,
            ("0", true) if map.gids.is_empty() => Profile::Plain,
            ("mapped", false) if !map.gids.is_empty() => Profile::Mapped(map),
            _ => return Err(bad()),
        };
        Ok(Record {
            tree,
            profile,
            kind,
            depth,
            files,
            bytes,
        })
    }

    /// Read the record of the entry directory `dir`.
    pub fn load(dir: &Path) -> Result<Record> {
        let p = dir.join("entry");
        let text = fs::read_to_string(&p).at(&p)?;
        Record::parse(&text, &p)
    }
}

/// `uidmap`/`gidmap` lines (uid lines first), as `IdMap::lines` writes
/// them; None for any other line.
pub(crate) fn parse_map<'a>(lines: impl Iterator<Item = &'a str>) -> Option<IdMap> {
    let mut map = IdMap::default();
    for l in lines {
        let (key, rest) = l.split_once(' ')?;
        let nums: Vec<u32> = rest
            .split(' ')
            .map(|n| n.parse().ok())
            .collect::<Option<_>>()?;
        let [i, o, n] = nums[..] else {
            return None;
        };
        match key {
            "uidmap" if map.gids.is_empty() => map.uids.push((i, o, n)),
            "gidmap" => map.gids.push((i, o, n)),
            _ => return None,
        }
    }
    Some(map)
}

/// One stamp: what `lstat` of a path of `root/` gave when it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    /// Inode number.
    pub ino: u64,
    /// File type and permissions.
    pub mode: u32,
    /// Owner, as the host sees it.
    pub uid: u32,
    /// Group, as the host sees it.
    pub gid: u32,
    /// Size in bytes (0 for a directory).
    pub size: u64,
    /// Modification time: seconds and nanoseconds.
    pub mtime: (i64, i64),
    /// Path from `root/` ("." for root/ itself).
    pub path: Vec<u8>,
}

impl Stamp {
    /// The stamp of `m`, its owner as the host sees it (`view`: the maps of
    /// the user namespace `m` was seen from; an id it lacks stays as seen).
    fn of(m: &fs::Metadata, path: Vec<u8>, view: &IdMap) -> Stamp {
        Stamp {
            ino: m.ino(),
            mode: m.mode(),
            uid: view.uid_outside(m.uid()).unwrap_or(m.uid()),
            gid: view.gid_outside(m.gid()).unwrap_or(m.gid()),
            // A directory's size is the filesystem's business (it may shrink).
            size: if m.is_dir() { 0 } else { m.size() },
            mtime: (m.mtime(), m.mtime_nsec()),
            path,
        }
    }

    /// The stamp of `st` (from `fstatat`), its path left empty.
    fn of_stat(st: &nix::sys::stat::FileStat, view: &IdMap) -> Stamp {
        let is_dir = st.st_mode & libc::S_IFMT == libc::S_IFDIR;
        Stamp {
            ino: st.st_ino,
            mode: st.st_mode,
            uid: view.uid_outside(st.st_uid).unwrap_or(st.st_uid),
            gid: view.gid_outside(st.st_gid).unwrap_or(st.st_gid),
            size: if is_dir { 0 } else { st.st_size as u64 },
            mtime: (st.st_mtime, st.st_mtime_nsec),
            path: Vec::new(),
        }
    }

    /// Why `now` no longer matches this stamp, if it does not.
    fn differs(&self, now: &Stamp) -> Option<&'static str> {
        Some(if now.ino != self.ino {
            "inode changed"
        } else if now.mode != self.mode {
            "mode changed"
        } else if (now.uid, now.gid) != (self.uid, self.gid) {
            "owner changed"
        } else if now.size != self.size {
            "size changed"
        } else if now.mtime != self.mtime {
            "modification time changed"
        } else {
            return None;
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(
            format!(
                "{} {:o} {} {} {} {}.{:09} ",
                self.ino, self.mode, self.uid, self.gid, self.size, self.mtime.0, self.mtime.1
            )
            .as_bytes(),
        );
        out.extend_from_slice(&self.path);
        out.push(0);
    }

    /// Parse one record: its fields (path left empty) and its path, borrowed.
    fn parse(rec: &[u8]) -> Option<(Stamp, &[u8])> {
        let mut parts = rec.splitn(7, |&b| b == b' ');
        let mut field = || parts.next();
        let ino = decimal(field()?)?;
        let mode = u32::try_from(number(field()?, 8)?).ok()?;
        let uid = u32::try_from(decimal(field()?)?).ok()?;
        let gid = u32::try_from(decimal(field()?)?).ok()?;
        let size = decimal(field()?)?;
        let t = field()?;
        let dot = t.iter().position(|&b| b == b'.')?;
        let (secs, nanos) = (&t[..dot], &t[dot + 1..]);
        let secs = match secs.strip_prefix(b"-") {
            Some(digits) => -i64::try_from(decimal(digits)?).ok()?,
            None => i64::try_from(decimal(secs)?).ok()?,
        };
        let mtime = (secs, i64::try_from(decimal(nanos)?).ok()?);
        let path = parts.next()?;
        if path.is_empty() {
            return None;
        }
        let stamp = Stamp {
            ino,
            mode,
            uid,
            gid,
            size,
            mtime,
            path: Vec::new(),
        };
        Some((stamp, path))
    }
}

/// The unsigned decimal number `b` (digits only), None on anything else.
fn decimal(b: &[u8]) -> Option<u64> {
    number(b, 10)
}

/// The unsigned number `b` in `radix` (8 or 10; digits only, no sign), None
/// on anything else or an overflow.
fn number(b: &[u8], radix: u64) -> Option<u64> {
    if b.is_empty() {
        return None;
    }
    b.iter().try_fold(0u64, |n, &c| {
        let d = u64::from(c.wrapping_sub(b'0'));
        if d >= radix {
            return None;
        }
        n.checked_mul(radix)?.checked_add(d)
    })
}

/// What `stamp` found: the stamps, and the regular files with their bytes.
pub(crate) struct Stamped {
    /// The stamps' encoding.
    pub stamps: Vec<u8>,
    /// Regular files stamped.
    pub files: u64,
    /// The sum of their sizes.
    pub bytes: u64,
}

/// Stamp every path of `root` (itself first, then each directory's names together).
pub(crate) fn stamp(root: &Path) -> Result<Stamped> {
    let (mut files, mut bytes) = (0, 0);
    let mut out = Vec::new();
    let view = IdMap::of_this_process();
    let m = fs::symlink_metadata(root).at(root)?;
    Stamp::of(&m, b".".to_vec(), &view).encode(&mut out);
    let mut stack = vec![(root.to_path_buf(), Vec::<u8>::new())];
    while let Some((dir, rel)) = stack.pop() {
        let mut names: Vec<_> = fs::read_dir(&dir)
            .at(&dir)?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<std::io::Result<_>>()
            .at(&dir)?;
        names.sort();
        for n in names.iter().rev() {
            let p = dir.join(n);
            let m = fs::symlink_metadata(&p).at(&p)?;
            let mut r = rel.clone();
            if !r.is_empty() {
                r.push(b'/');
            }
            r.extend_from_slice(n.as_bytes());
            Stamp::of(&m, r.clone(), &view).encode(&mut out);
            if m.is_dir() {
                stack.push((p, r));
            } else if m.is_file() {
                files += 1;
                bytes += m.len();
            }
        }
    }
    Ok(Stamped {
        stamps: out,
        files,
        bytes,
    })
}

/// The quick check: a path whose stamp no longer holds, and why (None:
/// every stamp holds). The records are split into a few contiguous parts
/// checked by threads at once; within a part, each run of records of one
/// directory opens that directory once and `fstatat`s its names relative
/// to it (one lookup each, not a walk from the root), as the writer
/// stamps a directory's names together (runtime.md, "Stamps and the quick
/// check"). Records in any other order are checked as well, only slower.
pub(crate) fn check_stamps(root: &Path, stamps: &[u8]) -> Option<(String, &'static str)> {
    use std::sync::atomic::{AtomicBool, Ordering};
    if stamps.last() != Some(&0) {
        return Some(("stamps".into(), "malformed"));
    }
    let recs: Vec<&[u8]> = stamps[..stamps.len() - 1].split(|&b| b == 0).collect();
    let view = IdMap::of_this_process();
    let Ok(root_fd) = open_dir(None, root.as_os_str().as_bytes()) else {
        return Some((".".into(), "missing"));
    };
    let failed = AtomicBool::new(false);
    let check_part = |part: &[&[u8]]| -> Option<(String, &'static str)> {
        let mut dirs = OpenDirs {
            root: &root_fd,
            open: Vec::new(),
        };
        for rec in part {
            if failed.load(Ordering::Relaxed) {
                return None;
            }
            let Some((s, path)) = Stamp::parse(rec) else {
                failed.store(true, Ordering::Relaxed);
                return Some(("stamps".into(), "malformed"));
            };
            let (parent, name) = match path.iter().rposition(|&b| b == b'/') {
                _ if path == b"." => (None, &b""[..]),
                Some(k) => (Some(&path[..k]), &path[k + 1..]),
                None => (Some(&b"."[..]), path),
            };
            let seen = match parent {
                None => nix::sys::stat::fstat(&root_fd),
                Some(dir) => match dirs.at(dir) {
                    Some(fd) => nix::sys::stat::fstatat(
                        fd,
                        std::ffi::OsStr::from_bytes(name),
                        nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
                    ),
                    None => Err(nix::errno::Errno::ENOENT),
                },
            };
            let why = match seen {
                Ok(st) => s.differs(&Stamp::of_stat(&st, &view)),
                Err(_) => Some("missing"),
            };
            if let Some(why) = why {
                failed.store(true, Ordering::Relaxed);
                return Some((String::from_utf8_lossy(path).into_owned(), why));
            }
        }
        None
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
        .min(recs.len() / 512 + 1);
    if threads <= 1 {
        return check_part(&recs);
    }
    let per = recs.len().div_ceil(threads);
    std::thread::scope(|sc| {
        let workers: Vec<_> = recs
            .chunks(per)
            .map(|part| sc.spawn(|| check_part(part)))
            .collect();
        workers
            .into_iter()
            .filter_map(|w| w.join().ok().flatten())
            .next()
    })
}

/// The directories a part of the check has open: the root, and the chain
/// of directories down to the last one used (outermost first), so that the
/// next directory of a depth-first order is one lookup below an open one.
struct OpenDirs<'a, 'p> {
    root: &'a std::os::fd::OwnedFd,
    open: Vec<(&'p [u8], std::os::fd::OwnedFd)>,
}

impl<'p> OpenDirs<'_, 'p> {
    /// Directory `dir` of the root ("." for the root itself), opened; None
    /// if it cannot be.
    fn at(&mut self, dir: &'p [u8]) -> Option<std::os::fd::BorrowedFd<'_>> {
        use std::os::fd::AsFd;
        if dir == b"." {
            return Some(self.root.as_fd());
        }
        while let Some((open, _)) = self.open.last() {
            let below = dir.len() > open.len() && dir.starts_with(open) && dir[open.len()] == b'/';
            if *open == dir || below {
                break;
            }
            self.open.pop();
        }
        if self.open.last().is_none_or(|(open, _)| *open != dir) {
            let (from, rest) = match self.open.last() {
                Some((open, fd)) => (fd, &dir[open.len() + 1..]),
                None => (self.root, dir),
            };
            let fd = open_dir(Some(from), rest).ok()?;
            self.open.push((dir, fd));
        }
        self.open.last().map(|(_, fd)| fd.as_fd())
    }
}

/// Open directory `rel` (relative to `from`, else a path of its own) for
/// `fstatat`; its last component is never followed.
fn open_dir(from: Option<&std::os::fd::OwnedFd>, rel: &[u8]) -> nix::Result<std::os::fd::OwnedFd> {
    use nix::fcntl::{openat, OFlag};
    let flags = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let path = std::ffi::OsStr::from_bytes(rel);
    match from {
        Some(fd) => openat(fd, path, flags, nix::sys::stat::Mode::empty()),
        None => openat(
            nix::fcntl::AT_FDCWD,
            path,
            flags,
            nix::sys::stat::Mode::empty(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_reads_back_and_refuses_other_content() {
        let r = Record {
            tree: ObjectId::from_hex(&"cd".repeat(32)).unwrap(),
            profile: Profile::Owners,
            kind: Kind::Layer {
                base: format!("{}.owners", "ef".repeat(32)),
            },
            depth: 2,
            files: 3,
            bytes: 4,
        };
        let p = Path::new("entry");
        assert_eq!(Record::parse(&r.encode(), p).unwrap(), r);
        assert_eq!(r.name(), format!("{}.owners", "cd".repeat(32)));
        let text = r.encode();
        for bad in [
            text.replace("depth 2", "depth 0"),
            text.replace("kind layer", "kind full"),
            text.replace("version 1", "version 2"),
            text.replace("files 3", "files x"),
        ] {
            assert!(Record::parse(&bad, p).is_err(), "{bad}");
        }
        // The mapped profile: its map follows, and names the entry.
        let map = IdMap {
            uids: vec![(0, 1001, 1), (1, 165536, 65536)],
            gids: vec![(0, 1001, 1), (1, 165536, 65536)],
        };
        let m = Record {
            profile: Profile::Mapped(map.clone()),
            ..r.clone()
        };
        let text = m.encode();
        assert!(text.contains("owners mapped\n"));
        assert!(text.ends_with("bytes 4\nuidmap 0 1001 1\nuidmap 1 165536 65536\ngidmap 0 1001 1\ngidmap 1 165536 65536\n"));
        assert_eq!(Record::parse(&text, p).unwrap(), m);
        assert!(is_mapped_name(&m.name()) && !is_mapped_name(&r.name()));
        let other = Profile::Mapped(IdMap {
            uids: vec![(0, 1001, 1), (1, 231072, 65536)],
            ..map
        });
        assert_ne!(other.suffix(), m.profile.suffix());
        for bad in [
            text.replace("owners mapped", "owners 1"),
            text.replace("gidmap 0 1001 1\ngidmap 1 165536 65536\n", ""),
            r.encode() + "uidmap 0 0 1\ngidmap 0 0 1\n",
            text.replace("uidmap 0 1001 1", "uidmap 0 1001"),
        ] {
            assert!(Record::parse(&bad, p).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_stamp_record_reads_back_and_bad_numbers_are_refused() {
        let st = Stamp {
            ino: u64::MAX,
            mode: 0o100644,
            uid: 1001,
            gid: 4294967295,
            size: 12,
            mtime: (-5, 999_999_999),
            path: b"a b/c".to_vec(),
        };
        let mut rec = Vec::new();
        st.encode(&mut rec);
        let rec = &rec[..rec.len() - 1];
        let (back, path) = Stamp::parse(rec).unwrap();
        assert_eq!(path, b"a b/c");
        assert_eq!(
            Stamp {
                path: path.to_vec(),
                ..back
            },
            st
        );
        for bad in [
            "1 100644 0 0 1 1.0 ",
            "+1 100644 0 0 1 1.0 p",
            "1 100648 0 0 1 1.0 p",
            "1 100644 4294967296 0 1 1.0 p",
            "18446744073709551616 100644 0 0 1 1.0 p",
            "1 100644 0 0 1 1 p",
            "1 100644 0 0 1 --1.0 p",
            "1 100644 0 0 1.0 p",
        ] {
            assert!(Stamp::parse(bad.as_bytes()).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_grouped_parallel_check_finds_a_change_anywhere_in_a_large_root() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        for d in 0..40 {
            let dir = root.join(format!("d{d}/sub"));
            fs::create_dir_all(&dir).unwrap();
            for f in 0..50 {
                fs::write(dir.join(format!("f{f}")), format!("{d}/{f}")).unwrap();
            }
        }
        let stamps = stamp(&root).unwrap().stamps;
        assert_eq!(check_stamps(&root, &stamps), None);
        // Records in any order: reversed, the check still holds.
        let mut recs: Vec<&[u8]> = stamps[..stamps.len() - 1].split(|&b| b == 0).collect();
        recs.reverse();
        let mut reversed = recs.join(&0u8);
        reversed.push(0);
        assert_eq!(check_stamps(&root, &reversed), None);
        fs::write(root.join("d37/sub/f49"), "longer content").unwrap();
        assert_eq!(
            check_stamps(&root, &stamps),
            Some(("d37/sub/f49".to_string(), "size changed"))
        );
        let stamps = stamp(&root).unwrap().stamps;
        fs::set_permissions(root.join("d3/sub"), fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(
            check_stamps(&root, &stamps),
            Some(("d3/sub".to_string(), "mode changed"))
        );
        let stamps = stamp(&root).unwrap().stamps;
        fs::remove_dir_all(root.join("d20")).unwrap();
        let (p, _) = check_stamps(&root, &stamps).unwrap();
        assert!(p == "." || p.starts_with("d20"), "{p}");
    }

    #[test]
    fn stamps_catch_writes_chmods_and_new_names_but_not_new_links() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        fs::create_dir_all(root.join("d")).unwrap();
        fs::write(root.join("d/f"), "one").unwrap();
        fs::write(root.join("name with space"), "x").unwrap();
        let stamps = stamp(&root).unwrap().stamps;
        assert_eq!(check_stamps(&root, &stamps), None);
        // Another entry linking the same inode changes its ctime only.
        fs::hard_link(root.join("d/f"), t.path().join("elsewhere")).unwrap();
        assert_eq!(check_stamps(&root, &stamps), None);
        fs::set_permissions(root.join("d/f"), fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            check_stamps(&root, &stamps),
            Some(("d/f".to_string(), "mode changed"))
        );
        let stamps = stamp(&root).unwrap().stamps;
        fs::write(root.join("d/new"), "").unwrap();
        assert_eq!(
            check_stamps(&root, &stamps).map(|(p, _)| p),
            Some("d".to_string())
        );
        let stamps = stamp(&root).unwrap().stamps;
        fs::remove_file(root.join("name with space")).unwrap();
        let (p, why) = check_stamps(&root, &stamps).unwrap();
        assert!(p == "." || p == "name with space", "{p} {why}");
        assert_eq!(
            check_stamps(&root, b"garbage"),
            Some(("stamps".into(), "malformed"))
        );
    }
}
