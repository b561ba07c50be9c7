//! Crash-safe file writes: temp file, fsync, rename, fsync the directory.
#![warn(missing_docs)]

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{IoContext, Result};
use crate::sys::fsync_dir;

/// A fresh path `dir/PREFIX<pid>-<nanoseconds>`, for a name the format
/// specifies (runtime.md's `hako-host-…`) or a rename target; new files and
/// directories come from `tmp_file` and `tmp_dir`.
pub(crate) fn tmp_path(dir: &Path, prefix: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    dir.join(format!("{prefix}{}-{nanos}", std::process::id()))
}

/// A new file `dir/PREFIX<random>` with mode `mode` less the umask, made
/// as every temporary file of hako is (tempfile's names: random, created
/// with O_EXCL, another name tried on a clash). Removed when dropped unless
/// persisted or kept.
pub(crate) fn tmp_file(dir: &Path, prefix: &str, mode: u32) -> Result<NamedTempFile> {
    tempfile::Builder::new()
        .prefix(prefix)
        .permissions(fs::Permissions::from_mode(mode))
        .tempfile_in(dir)
        .at(dir)
}

/// A new file `dir/PREFIX<random>` as `tmp_file` makes it, which the caller
/// renames or removes.
pub(crate) fn create_tmp(dir: &Path, prefix: &str, mode: u32) -> Result<(File, PathBuf)> {
    tmp_file(dir, prefix, mode)?
        .keep()
        .map_err(|e| e.error)
        .at(dir)
}

/// A new directory `dir/PREFIX<random>` with mode `mode` less the umask,
/// named as `tmp_file` names files. Removed with its content when dropped
/// unless kept.
pub(crate) fn tmp_dir(dir: &Path, prefix: &str, mode: u32) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(prefix)
        .permissions(fs::Permissions::from_mode(mode))
        .tempdir_in(dir)
        .at(dir)
}

/// A new temporary file beside `path`, `.NAME.tmp…` with mode 0666 less
/// the umask (as `File::create` makes it), to be persisted over `path`.
pub(crate) fn tmp_beside(path: &Path) -> Result<NamedTempFile> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    tmp_file(parent_dir(path), &format!(".{name}.tmp"), 0o666)
}

/// The directory holding `path` (`.` for a bare name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Rename the temporary file `tmp` over `path` (no sync; a failed rename
/// removes `tmp`).
pub(crate) fn persist(tmp: NamedTempFile, path: &Path) -> Result<File> {
    tmp.persist(path).map_err(|e| e.error).at(path)
}

/// The file `path` opened to hold a `flock` on: created if missing, never
/// truncated (what it holds, if anything, stays).
pub(crate) fn open_lock_file(path: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .at(path)
}

/// The paths of the entries of directory `dir`, unsorted; none when `dir`
/// does not exist (a store's directory not made yet).
pub(crate) fn dir_paths(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).at(dir),
    };
    rd.map(|e| e.map(|e| e.path()).at(dir)).collect()
}

/// Replace `path` with `bytes` atomically and durably; on failure nothing is
/// left behind but the old `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = replace(path, bytes, true)?;
    fsync_dir(dir)
}

/// Replace `path` with `bytes` atomically, syncing nothing: for files whose
/// loss or tearing costs only a recomputation.
pub(crate) fn write_replace_unsynced(path: &Path, bytes: &[u8]) -> Result<()> {
    replace(path, bytes, false).map(|_| ())
}

/// Write `bytes` into a temporary file beside `path`, fsync it if `sync`,
/// rename it over `path`; returns the directory.
fn replace<'p>(path: &'p Path, bytes: &[u8], sync: bool) -> Result<&'p Path> {
    let dir = parent_dir(path);
    let mut tmp = tmp_beside(path)?;
    tmp.write_all(bytes).at(tmp.path())?;
    if sync {
        tmp.as_file().sync_all().at(tmp.path())?;
    }
    persist(tmp, path)?;
    Ok(dir)
}

/// `<target>.lock`, created with O_EXCL: whoever holds it may replace
/// `target`. Removed on drop unless committed. The holder also keeps an
/// advisory `flock` on it, which the kernel drops when the holder dies: a lock
/// file nobody has locked was left by a killed process and is taken over.
pub struct LockFile {
    path: PathBuf,
    file: Option<File>,
    done: bool,
}

/// Whether `path` still names the file open as `f` (same device and inode).
fn same_file(f: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

impl LockFile {
    /// Take the lock for `target`; `busy` makes the error when a live process
    /// holds it. A lock file whose owner has died is removed (with a warning)
    /// and the lock taken.
    pub fn acquire(target: &Path, busy: impl FnOnce(PathBuf) -> crate::Error) -> Result<LockFile> {
        let path = PathBuf::from(format!("{}.lock", target.display()));
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).at(parent)?;
        }
        for _ in 0..2 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    // Nobody else can have this new file open yet.
                    let _ = file.try_lock();
                    return Ok(LockFile {
                        path,
                        file: Some(file),
                        done: false,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let Ok(stale) = File::open(&path) else {
                        continue; // released meanwhile: try again
                    };
                    if stale.try_lock().is_err() {
                        break; // a live holder
                    }
                    // Unlocked, so its writer is gone; remove it only if the
                    // path still names the file we locked (not a new lock).
                    if same_file(&stale, &path) {
                        fs::remove_file(&path).at(&path)?;
                        crate::warnings::warn(format!(
                            "removed {}, left by a hako process that is no longer running",
                            path.display()
                        ));
                    }
                }
                Err(e) => return Err(e).at(&path),
            }
        }
        Err(busy(path))
    }

    /// Write the new content into the lock file and make it durable.
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.write_unsynced(bytes)?;
        let f = self.file.as_mut().expect("lock open");
        f.sync_all().at(&self.path)
    }

    /// Write the new content; the caller syncs the filesystem before `commit`.
    pub fn write_unsynced(&mut self, bytes: &[u8]) -> Result<()> {
        let f = self.file.as_mut().expect("lock open");
        f.write_all(bytes).at(&self.path)
    }

    /// Rename the lock file over `dest` and sync the directory.
    pub fn commit(self, dest: &Path) -> Result<()> {
        self.commit_unsynced(dest)?;
        fsync_dir(dest.parent().unwrap_or(Path::new(".")))
    }

    /// Rename the lock file over `dest`; the caller syncs the directory.
    pub fn commit_unsynced(mut self, dest: &Path) -> Result<()> {
        // Keep the flock until the rename is done: released earlier, another
        // process could take the still-named lock file for a dead holder's.
        fs::rename(&self.path, dest).at(dest)?;
        self.done = true;
        self.file.take();
        Ok(())
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Paths to remove if the process is stopped by SIGINT, SIGTERM or SIGHUP
/// (a spool, a quarantined pack, a half-made clone): left behind they would
/// only be garbage. A path is removed at most once, by whoever gets it first.
static REMOVE_ON_SIGNAL: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Remove `path` (a file, or a directory with everything below it) if a
/// signal stops the process before `keep_on_signal(path)`.
pub fn remove_on_signal(path: &Path) {
    if let Ok(mut v) = REMOVE_ON_SIGNAL.lock() {
        v.push(path.to_path_buf());
    }
}

/// Forget `path` (published, kept, or already removed).
pub fn keep_on_signal(path: &Path) {
    if let Ok(mut v) = REMOVE_ON_SIGNAL.lock() {
        v.retain(|p| p != path);
    }
}

/// Route SIGINT, SIGTERM and SIGHUP to a thread that removes the paths given
/// to `remove_on_signal`, then dies of the same signal. Call it before any
/// other thread starts (threads inherit the blocked mask; children started
/// with `std::process::Command` get an empty one).
pub fn clean_up_on_signal() {
    use nix::sys::signal::{SigSet, Signal};
    let mut set = SigSet::empty();
    for s in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        set.add(s);
    }
    if set.thread_block().is_err() {
        return;
    }
    std::thread::spawn(move || {
        let Ok(sig) = set.wait() else {
            return;
        };
        if let Ok(paths) = REMOVE_ON_SIGNAL.lock() {
            for p in paths.iter() {
                if p.is_dir() {
                    let _ = fs::remove_dir_all(p);
                } else {
                    let _ = fs::remove_file(p);
                }
            }
        }
        // Die of the signal itself, as if it had not been caught.
        let _ = set.thread_unblock();
        let _ = nix::sys::signal::raise(sig);
        std::process::exit(128 + sig as i32);
    });
}

/// Give the owner rwx on every directory below `dir` (and `dir`), so that a
/// tree whose directories were made read-only can be removed.
pub(crate) fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    // Its own stack: a command may nest directories without limit.
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(meta) = fs::symlink_metadata(&dir) else {
            continue;
        };
        if !meta.is_dir() {
            continue;
        }
        let mode = meta.permissions().mode();
        if mode & 0o700 != 0o700 {
            let _ = fs::set_permissions(&dir, fs::Permissions::from_mode(mode | 0o700));
        }
        if let Ok(rd) = fs::read_dir(&dir) {
            for e in rd.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(e.path());
                }
            }
        }
    }
}

/// Remove `path` and everything below it, read-only directories included;
/// a missing path is not an error.
pub fn remove_tree(path: &Path) -> Result<()> {
    make_writable(path);
    let r = match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).at(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn write_atomic_replaces_with_the_mode_file_create_gives() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("f");
        fs::write(t.path().join("probe"), b"").unwrap();
        let created = fs::metadata(t.path().join("probe")).unwrap().mode() & 0o7777;
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::metadata(&p).unwrap().mode() & 0o7777, created);
        assert_eq!(names(t.path()), ["f", "probe"]);
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file_behind() {
        let t = tempfile::tempdir().unwrap();
        // A rename over a non-empty directory fails after the bytes are written.
        let p = t.path().join("target");
        fs::create_dir(&p).unwrap();
        fs::write(p.join("inside"), b"kept").unwrap();
        assert!(write_atomic(&p, b"new").is_err());
        assert!(write_replace_unsynced(&p, b"new").is_err());
        assert_eq!(names(t.path()), ["target"]);
        assert_eq!(fs::read(p.join("inside")).unwrap(), b"kept");
        // Two writers of one path in one process use two temporary names.
        let a = tmp_file(t.path(), ".target.tmp", 0o666).unwrap();
        let b = tmp_file(t.path(), ".target.tmp", 0o666).unwrap();
        assert_ne!(a.path(), b.path());
        drop((a, b));
        assert_eq!(names(t.path()), ["target"]);
    }
}
