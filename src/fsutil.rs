//! Crash-safe file writes: temp file, fsync, rename, fsync the directory.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{IoContext, Result};
use crate::sys::fsync_dir;

/// A fresh temporary path `dir/PREFIX<pid>-<nanoseconds>`, unique to this
/// process and moment (created by the caller with `create_new`).
pub fn tmp_path(dir: &Path, prefix: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    dir.join(format!("{prefix}{}-{nanos}", std::process::id()))
}

/// Replace `path` with `bytes` atomically and durably.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp: PathBuf = dir.join(format!(
        ".{}.tmp{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .at(&tmp)?;
    f.write_all(bytes).at(&tmp)?;
    f.sync_all().at(&tmp)?;
    drop(f);
    fs::rename(&tmp, path).at(path)?;
    fsync_dir(dir)
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
pub fn make_writable(dir: &Path) {
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
