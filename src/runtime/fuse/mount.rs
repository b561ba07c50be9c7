//! Mounting a FUSE filesystem and unmounting it: the kernel handshake, mount options, serving
//! until a signal, readahead, mountinfo, and the errors that say why a mount failed.
#![warn(missing_docs)]

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use fuser::{Config, Filesystem, KernelConfig, MountOption, Session};
use nix::sys::signal::{SigSet, Signal};

use crate::error::{Error, Result};
use crate::runtime::error::RuntimeError;

/// Check that FUSE can work here, with the one-line reason if not.
pub fn check_fuse() -> Result<()> {
    if !Path::new("/dev/fuse").exists() {
        return Err(RuntimeError::NoFuseDevice.into());
    }
    if crate::sandbox::find_in_path(std::ffi::OsStr::new("fusermount3")).is_none() {
        return Err(RuntimeError::NoFusermount.into());
    }
    Ok(())
}

/// The options both filesystems mount with, after `access` (read-only or not, devices, setuid),
/// and as many threads as are worth having.
pub fn config(fsname: &str, access: [MountOption; 3]) -> Config {
    let mut c = Config::default();
    c.mount_options = access
        .into_iter()
        .chain([
            MountOption::NoAtime,
            MountOption::FSName(fsname.to_string()),
            MountOption::Subtype("hako".to_string()),
        ])
        .collect();
    // Requests are served in parallel: the inode map's lock is held only for
    // map updates, never across a read of file content.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    c.n_threads = Some(cores.clamp(2, 8));
    c
}

/// What both filesystems ask of the kernel at the handshake.
pub fn init(config: &mut KernelConfig) {
    let _ = config.set_max_readahead(1 << 20);
    // Listings carry attributes when lookups follow them (find, ls -l,
    // diff -r): one request per batch of entries instead of one per name.
    let _ = config.add_capabilities(
        fuser::InitFlags::FUSE_DO_READDIRPLUS | fuser::InitFlags::FUSE_READDIRPLUS_AUTO,
    );
}

/// Block SIGINT and SIGTERM in this thread and every thread it starts from now on (the FUSE
/// session's included): one thread waits for them (`unmount_on_signal`).
pub(crate) fn block_stop_signals() -> Result<SigSet> {
    let mut sigs = SigSet::empty();
    sigs.add(Signal::SIGINT);
    sigs.add(Signal::SIGTERM);
    sigs.thread_block().map_err(|errno| RuntimeError::Sys {
        step: "cannot block signals",
        errno,
    })?;
    Ok(sigs)
}

/// Mount `fs` at `mountpoint` (not served yet) and widen its readahead.
pub fn mount<FS: Filesystem>(fs: FS, mountpoint: &Path, config: &Config) -> Result<Session<FS>> {
    let session = Session::new(fs, mountpoint, config).map_err(|e| mount_error(mountpoint, e))?;
    widen_readahead(mountpoint);
    Ok(session)
}

/// Unmount `mountpoint` lazily when one of `sigs` arrives, from a thread of its own.
pub(crate) fn unmount_on_signal(sigs: SigSet, mountpoint: &Path) -> Result<()> {
    let mp = mountpoint.to_path_buf();
    std::thread::Builder::new()
        .name("hako-fuse-signals".into())
        .spawn(move || {
            if sigs.wait().is_ok() {
                // Lazily: the mount goes even while the command still uses
                // it, and a plain unmount fails with EBUSY while a copy of the
                // mount in another namespace is still held (the server would
                // serve on).
                let _ = unmount_lazy(&mp);
            }
        })
        .map_err(|err| RuntimeError::Os {
            step: "cannot start signal thread",
            err,
        })?;
    Ok(())
}

/// Serve `session` until the filesystem is unmounted.
pub fn serve<FS: Filesystem>(session: Session<FS>) -> Result<()> {
    Ok(session.run().map_err(|err| RuntimeError::Os {
        step: "FUSE session failed",
        err,
    })?)
}

/// Kernel readahead for this mount, in KiB.
pub const READAHEAD_KB: u32 = 4096;

/// Raise the mount's readahead from the kernel's 128 KiB to `READAHEAD_KB`
/// (the FUSE handshake can only lower it; its bdi in sysfs, named after the
/// mount's device, can raise it): a sequential reader then keeps several
/// 1 MiB reads in flight, and a program's page faults read its text in a few
/// requests instead of one per 128 KiB. Needs root in the initial user
/// namespace; without, the default stays.
pub fn widen_readahead(mountpoint: &Path) {
    // Not stat(2): the server is not serving yet, a GETATTR would wait forever.
    let Some(dev) = mount_device(mountpoint) else {
        return;
    };
    let _ = std::fs::write(
        format!("/sys/class/bdi/{dev}/read_ahead_kb"),
        format!("{READAHEAD_KB}\n"),
    );
}

pub(crate) fn mount_error(mountpoint: &Path, e: std::io::Error) -> Error {
    let dev = Path::new("/dev/fuse");
    let hint = if !dev.exists() {
        " (/dev/fuse is missing: load the fuse module or install fuse3)"
    } else if nix::unistd::access(
        dev,
        nix::unistd::AccessFlags::R_OK | nix::unistd::AccessFlags::W_OK,
    )
    .is_err()
    {
        " (/dev/fuse is not readable and writable by this user: it is usually mode 0666)"
    } else {
        ""
    };
    RuntimeError::Mount {
        mountpoint: mountpoint.to_path_buf(),
        err: e,
        hint,
    }
    .into()
}

/// Whether `mp` is a mount point now (listed in /proc/self/mountinfo).
pub fn is_mounted(mp: &Path) -> bool {
    mount_device(mp).is_some()
}

/// `MAJOR:MINOR` of the newest mount on `mp`, from /proc/self/mountinfo
/// (never a `stat`: a FUSE mount not served yet would make it wait).
pub fn mount_device(mp: &Path) -> Option<String> {
    let want = fs::canonicalize(mp.parent()?).ok()?.join(mp.file_name()?);
    let want = want.as_os_str().as_bytes();
    let info = fs::read("/proc/self/mountinfo").ok()?;
    info.split(|&b| b == b'\n').rev().find_map(|line| {
        let mut f = line.split(|&b| b == b' ');
        let dev = f.nth(2)?;
        let point = f.nth(1)?;
        (unescape_octal(point) == want).then(|| String::from_utf8_lossy(dev).into_owned())
    })
}

/// A mountinfo field: `\NNN` is the byte with octal value NNN.
fn unescape_octal(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let oct = field
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match (field[i], oct) {
            (b'\\', Some(d)) => {
                out.push(((d[0] - b'0') << 6) | ((d[1] - b'0') << 3) | (d[2] - b'0'));
                i += 4;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Unmount a FUSE mount lazily (it goes as soon as nothing uses it):
/// directly as root, else through fusermount3.
pub fn unmount_lazy(mp: &Path) -> Result<()> {
    if nix::unistd::geteuid().is_root()
        && nix::mount::umount2(mp, nix::mount::MntFlags::MNT_DETACH).is_ok()
    {
        return Ok(());
    }
    let out = std::process::Command::new("fusermount3")
        .arg("-u")
        .arg("-z")
        .arg("--")
        .arg(mp)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|err| RuntimeError::Os {
            step: "cannot run fusermount3",
            err,
        })?;
    if out.status.success() || !is_mounted(mp) {
        return Ok(());
    }
    Err(RuntimeError::Unmount {
        mountpoint: mp.to_path_buf(),
        said: String::from_utf8_lossy(&out.stderr).trim().to_string(),
    }
    .into())
}

/// Whether `mp` (canonical) is the mountpoint of a `hako mount`.
pub fn is_hako_mount(mp: &Path) -> Result<bool> {
    let proc = Path::new("/proc/self/mounts");
    let mounts = fs::read_to_string(proc).map_err(|err| Error::Io {
        path: proc.to_path_buf(),
        err,
    })?;
    // Fields are octal-escaped (space as \040).
    let want: String = mp
        .to_string_lossy()
        .chars()
        .map(|c| match c {
            ' ' => "\\040".to_string(),
            '\t' => "\\011".to_string(),
            '\n' => "\\012".to_string(),
            '\\' => "\\134".to_string(),
            c => c.to_string(),
        })
        .collect();
    Ok(mounts.lines().any(|l| {
        let f: Vec<&str> = l.split(' ').collect();
        // fusermount3 records fstype "fuse.hako"; a direct mount (as root) "fuse".
        f.len() > 2 && f[0] == "hako" && f[1] == want && f[2].starts_with("fuse")
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_fields_unescape_octal() {
        assert_eq!(
            unescape_octal(br"/t/trash\040directory/mnt"),
            b"/t/trash directory/mnt"
        );
        assert_eq!(unescape_octal(br"a\134b\011c\012"), b"a\\b\tc\n");
        // Not an escape: kept as it is.
        assert_eq!(unescape_octal(br"a\9b\04"), br"a\9b\04");
    }
}
