//! Plain copies (format-spec/runtime.md, "Plain copies"): one regular file
//! per file key under `.hako/cache/files/`, hardlinked into every cached
//! tree that holds that content with those attributes.
#![warn(missing_docs)]

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{IoContext, Result};
use crate::hostfs::{apply_presented_attrs, FileSource};
use crate::prolly::dir::{Entry, Meta};
use crate::prolly::file;
use crate::store::ObjectStore;

use super::entry::Profile;
use super::error::CacheError;

/// The mode and metadata a cache entry of `profile` gives a file (what its
/// inode carries, as the writer sees it: a mapped entry's writer is inside
/// the namespace): setuid/setgid, owners and xattrs only with owners, the
/// modification time always (the epoch where none is recorded).
pub fn presented(e: &Entry, profile: &Profile) -> (u32, Meta) {
    let mut m = Meta {
        mtime: Some(e.meta.mtime.unwrap_or(0)),
        mtime_nsec: if e.meta.mtime.is_some() {
            e.meta.mtime_nsec
        } else {
            0
        },
        ..Meta::default()
    };
    if profile.owners() {
        m.uid = e.meta.uid;
        m.gid = e.meta.gid;
        m.xattrs = e.meta.xattrs.clone();
        (e.mode, m)
    } else {
        (e.mode & !0o6000, m)
    }
}

/// The key of a regular file's plain copy: hex BLAKE3 of the leaf-entry
/// encoding of an entry named `f` with what the profile applies to the
/// inode, a mapped profile's owner as the host sees it (through the map).
pub fn key(e: &Entry, profile: &Profile) -> String {
    let (mode, mut meta) = presented(e, profile);
    if let Some(map) = profile.map() {
        meta.uid = map.uid_outside(meta.uid).unwrap_or(meta.uid);
        meta.gid = map.gid_outside(meta.gid).unwrap_or(meta.gid);
    }
    let mut f = Entry::new(b"f", mode, e.id);
    f.meta = meta;
    blake3::hash(&f.encode()).to_hex().to_string()
}

/// The name in `files/` (`dir`) of copy `n` of `key` (`<key>`, then `<key>.1`, …).
pub(crate) fn copy_path(dir: &Path, key: &str, n: u32) -> PathBuf {
    let name = if n == 0 {
        key.to_string()
    } else {
        format!("{key}.{n}")
    };
    dir.join(&key[..2]).join(name)
}

/// The plain copies of one cache directory, for one profile.
#[derive(Debug)]
pub(crate) struct SharedFiles {
    dir: PathBuf,
    tmp: PathBuf,
    profile: Profile,
    /// Copies past the link limit: key → the suffix to link from.
    next: Mutex<HashMap<String, u32>>,
    /// Copies written by this process (for the report).
    pub written: std::sync::atomic::AtomicU64,
    /// fsync each copy written and name it in `files/` at once (a layer's
    /// few); otherwise a copy is written where the checkout wants the file
    /// (in its own directory, as a checkout writes: no one directory all
    /// writers lock) and named in `files/` only by `publish`, after the
    /// caller's sync, so `files/` never names a copy a crash can tear.
    pub sync_each: bool,
    /// Copies written and not yet named in `files/`: key → (suffix, the
    /// file of the checkout holding it).
    pending: Mutex<HashMap<String, (u32, PathBuf)>>,
}

impl SharedFiles {
    /// The plain copies under `cache` for `profile`.
    pub fn new(cache: &Path, profile: Profile) -> SharedFiles {
        SharedFiles {
            dir: cache.join("files"),
            tmp: cache.join("tmp"),
            profile,
            next: Mutex::new(HashMap::new()),
            written: 0.into(),
            sync_each: false,
            pending: Mutex::new(HashMap::new()),
        }
    }

    fn path(&self, key: &str, n: u32) -> PathBuf {
        copy_path(&self.dir, key, n)
    }

    /// Write the content and attributes of `e` into a new file `copy-…` of
    /// `tmp/`.
    fn write_tmp(&self, store: &dyn ObjectStore, e: &Entry) -> Result<PathBuf> {
        let (f, tmp) = crate::fsutil::create_tmp(&self.tmp, "copy-", 0o600)?;
        self.fill(store, e, f, &tmp)?;
        Ok(tmp)
    }

    /// Write the content and attributes of `e` into the new file `tmp`
    /// (removed again on failure).
    fn write_new(&self, store: &dyn ObjectStore, e: &Entry, tmp: &Path) -> Result<()> {
        let f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(tmp)
            .at(tmp)?;
        self.fill(store, e, f, tmp)
    }

    /// Write the content and attributes of `e` into `f`, the new file `tmp`
    /// (removed again on failure).
    fn fill(&self, store: &dyn ObjectStore, e: &Entry, mut f: fs::File, tmp: &Path) -> Result<()> {
        let written = file::write_to(store, &e.id, &mut f)
            .map_err(|err| err.on_output(tmp))
            .and_then(|()| match self.sync_each {
                true => f.sync_all().at(tmp),
                false => Ok(()),
            });
        drop(f);
        let (mode, meta) = presented(e, &self.profile);
        let owners = self.profile.owners();
        let done = written.and_then(|()| apply_presented_attrs(tmp, mode, &meta, owners));
        if let Err(err) = done {
            let _ = fs::remove_file(tmp);
            return Err(err);
        }
        self.written
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// Write the copy of `e`, synced, and name it `dest` unless a copy is
    /// there (another writer's wins).
    fn write_copy(&self, store: &dyn ObjectStore, e: &Entry, dest: &Path) -> Result<()> {
        let parent = dest.parent().expect("a fan-out directory");
        fs::create_dir_all(parent).at(parent)?;
        let tmp = self.write_tmp(store, e)?;
        let done = match fs::hard_link(&tmp, dest) {
            Err(err) if err.kind() != std::io::ErrorKind::AlreadyExists => Err(err).at(dest),
            _ => Ok(()),
        };
        let _ = fs::remove_file(&tmp);
        done
    }

    /// Name in `files/` the copies written since the last call (the caller
    /// made them durable).
    pub fn publish(&self) -> Result<()> {
        for (key, n, first) in self.take_pending() {
            let dest = self.path(&key, n);
            let parent = dest.parent().expect("a fan-out directory");
            fs::create_dir_all(parent).at(parent)?;
            match fs::hard_link(&first, &dest) {
                // A name taken, or a copy at its link limit, stays private
                // to the entries linking it.
                Err(err)
                    if err.kind() != std::io::ErrorKind::AlreadyExists
                        && err.raw_os_error() != Some(libc::EMLINK) =>
                {
                    return Err(err).at(&dest)
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The copies written and not yet named in `files/`, as (key, suffix,
    /// the file of the checkout holding it), forgotten here: a caller that
    /// names them later (after its sync) names them from the checkout.
    pub fn take_pending(&self) -> Vec<(String, u32, PathBuf)> {
        match self.pending.lock() {
            Ok(mut p) => p.drain().map(|(key, (n, first))| (key, n, first)).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Whether the copy at `p` still carries the attributes of its key (a
    /// file written or chmod-ed behind hako's back does not).
    fn intact(&self, p: &Path, e: &Entry) -> bool {
        let Ok(m) = fs::symlink_metadata(p) else {
            return true; // gone: the caller writes it again
        };
        let (mode, meta) = presented(e, &self.profile);
        let owners = self.profile.owners();
        let bits = if owners { 0o7777 } else { 0o1777 };
        m.is_file()
            && m.mode() & 0o7777 == mode & bits
            && m.mtime() == meta.mtime.unwrap_or(0) as i64
            && m.mtime_nsec() == i64::from(meta.mtime_nsec)
            && (!owners || (m.uid() == meta.uid && m.gid() == meta.gid))
    }
}

impl FileSource for SharedFiles {
    fn create(&self, store: &dyn ObjectStore, e: &Entry, dest: &Path) -> Result<()> {
        let key = key(e, &self.profile);
        // A copy this checkout wrote and has not named in `files/` yet.
        let mine = self.pending.lock().ok().and_then(|p| p.get(&key).cloned());
        if let Some((_, first)) = mine {
            match fs::hard_link(&first, dest) {
                Ok(()) => return Ok(()),
                Err(err) if err.raw_os_error() == Some(libc::EMLINK) => {}
                Err(err) => return Err(err).at(dest),
            }
        }
        let mut n = self
            .next
            .lock()
            .map(|m| *m.get(&key).unwrap_or(&0))
            .unwrap_or(0);
        let mut checked = false;
        loop {
            let src = self.path(&key, n);
            if !checked {
                if !self.intact(&src, e) {
                    // Damaged: the entries linking it are damaged too and rebuilt.
                    let _ = fs::remove_file(&src);
                }
                checked = true;
            }
            match fs::hard_link(&src, dest) {
                Ok(()) => return Ok(()),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound && self.sync_each => {
                    self.write_copy(store, e, &src)?;
                }
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    // Written in place; another thread's copy of the same
                    // key meanwhile stays a file of its own.
                    self.write_new(store, e, dest)?;
                    if let Ok(mut p) = self.pending.lock() {
                        p.entry(key.clone()).or_insert((n, dest.to_path_buf()));
                    }
                    return Ok(());
                }
                Err(err) if err.raw_os_error() == Some(libc::EMLINK) => {
                    n += 1;
                    checked = false;
                    if let Ok(mut m) = self.next.lock() {
                        m.insert(key.clone(), n);
                    }
                    if n > 1 << 20 {
                        return Err(CacheError::TooManyLinks(src.to_path_buf()).into());
                    }
                }
                Err(err) => return Err(err).at(dest),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oid::ObjectId;

    #[test]
    fn the_key_follows_what_the_profile_applies() {
        let id = ObjectId::from_hex(&"12".repeat(32)).unwrap();
        let mut e = Entry::new(b"name", S_IFREG_TEST | 0o4755, id);
        let k = key(&e, &Profile::Owners);
        // The name and the hardlink record are not part of it.
        let mut other = e.clone();
        other.name = b"other".to_vec();
        other.meta.link = Some(b"x".to_vec());
        assert_eq!(key(&other, &Profile::Owners), k);
        // Owners count with owners only; setuid without owners is dropped.
        e.meta.uid = 33;
        assert_ne!(key(&e, &Profile::Owners), k);
        let plain = key(&e, &Profile::Plain);
        e.meta.uid = 0;
        e.mode = S_IFREG_TEST | 0o755;
        assert_eq!(key(&e, &Profile::Plain), plain);
        // A missing time is the epoch.
        let mut t = e.clone();
        t.meta.mtime = Some(0);
        assert_eq!(key(&t, &Profile::Plain), key(&e, &Profile::Plain));
        t.meta.mtime = Some(1);
        assert_ne!(key(&t, &Profile::Plain), key(&e, &Profile::Plain));
    }

    const S_IFREG_TEST: u32 = crate::prolly::dir::S_IFREG;
}

#[cfg(test)]
mod link_limit_tests {
    use super::*;
    use crate::object::ObjectType;
    use crate::store::MemStore;

    #[test]
    fn a_copy_at_the_link_limit_is_followed_by_a_new_one() {
        let t = tempfile::tempdir().unwrap();
        let cache = t.path().join("cache");
        fs::create_dir_all(cache.join("tmp")).unwrap();
        let store = MemStore::new();
        let id = store.write(ObjectType::Blob, b"shared").unwrap();
        let e = Entry::new(b"f", crate::prolly::dir::S_IFREG | 0o644, id);
        let files = SharedFiles::new(&cache, Profile::Plain);
        let out = t.path().join("out");
        fs::create_dir(&out).unwrap();
        files.create(&store, &e, &out.join("first")).unwrap();
        // Not named in files/ before it is published (after the caller's sync).
        let src = files.path(&key(&e, &Profile::Plain), 0);
        assert!(!src.exists());
        files.publish().unwrap();
        assert_eq!(fs::read(&src).unwrap(), b"shared");
        // Fill the copy's links up to the filesystem's limit.
        let fill = t.path().join("fill");
        fs::create_dir(&fill).unwrap();
        let mut n = 0u32;
        loop {
            match fs::hard_link(&src, fill.join(n.to_string())) {
                Ok(()) => n += 1,
                Err(err) if err.raw_os_error() == Some(libc::EMLINK) => break,
                Err(err) => panic!("{err}"),
            }
            if n > 200_000 {
                eprintln!("skipped: no link limit on this filesystem");
                return;
            }
        }
        files.create(&store, &e, &out.join("second")).unwrap();
        let (a, b) = (
            fs::metadata(out.join("first")).unwrap(),
            fs::metadata(out.join("second")).unwrap(),
        );
        assert_ne!(a.ino(), b.ino(), "a new copy past the limit");
        assert_eq!(fs::read(out.join("second")).unwrap(), b"shared");
        files.publish().unwrap();
        assert!(files.path(&key(&e, &Profile::Plain), 1).exists());
        assert_eq!(fs::read_dir(t.path().join("cache/tmp")).unwrap().count(), 0);
        // The next one links the new copy directly.
        files.create(&store, &e, &out.join("third")).unwrap();
        assert_eq!(fs::metadata(out.join("third")).unwrap().ino(), b.ino());
    }
}
