//! The sandbox's filesystem: ROOTFS bound onto itself, /proc, a minimal /dev,
//! tmpfs /tmp, the caller's binds and tmpfs mounts, then pivot_root into it.
//!
//! Runs in the sandbox's first process, inside the new user and mount
//! namespaces. Every mount target is resolved with openat2(RESOLVE_IN_ROOT)
//! beneath ROOTFS and mounted through /proc/self/fd, so a symlink inside
//! ROOTFS can never redirect a mount onto the host.
#![warn(missing_docs)]

use std::ffi::{CStr, CString};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use nix::errno::Errno;

use super::config::Config;
use super::error::{Error, Result};
use super::sys::{self, cstr};

const NOSUID_NODEV_NOEXEC: libc::c_ulong = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;

/// Device nodes bound from the host's /dev (a user namespace cannot mknod them).
const DEVICES: [&str; 6] = ["null", "zero", "full", "random", "urandom", "tty"];

/// A bind source, opened on the host before anything is mounted.
pub struct BindSource {
    pub path: PathBuf,
    pub is_dir: bool,
}

/// What kind of object a missing mount point should be created as.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Dir,
    File,
}

/// Build the whole tree and pivot_root into it; the process's root and cwd
/// are the new `/` after. Returns warnings for hako to pass on.
pub fn build(
    cfg: &Config,
    rootfs: &Path,
    sources: &[BindSource],
    overlay: Option<&OverlayMount>,
) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    let root_c = cstr(rootfs);
    // Nothing we mount may propagate back to the host.
    sys::mount(None, c"/", None, libc::MS_REC | libc::MS_PRIVATE, None)
        .map_err(|e| Error::sys("make / private (mount MS_REC|MS_PRIVATE)", e))?;
    // The mount table is ours now: a mount point below a nested overlay's
    // lower directory (made since the caller's plan) would make the kernel
    // refuse it; the caller plans again.
    if !cfg.nested_overlays.is_empty() {
        let points = super::mountinfo::read()
            .map_err(|e| Error::Setup(format!("read /proc/self/mountinfo: {e}")))?;
        if let Some(n) = cfg
            .nested_overlays
            .iter()
            .find(|n| super::mountinfo::has_below(&points, &n.lower))
        {
            return Err(Error::Setup(format!(
                "{}: a mount point appeared below {}",
                super::mountinfo::MOUNTS_CHANGED,
                n.lower.display()
            )));
        }
    }
    if let Some(o) = overlay {
        let flags = if o.readonly { libc::MS_RDONLY } else { 0 };
        sys::mount(
            Some(c"hako"),
            &root_c,
            Some(c"overlay"),
            flags,
            Some(&o.data),
        )
        .map_err(|e| Error::sys(format!("mount overlay on ROOTFS '{}'", rootfs.display()), e))?;
    }
    sys::mount(
        Some(&root_c),
        &root_c,
        None,
        libc::MS_BIND | libc::MS_REC,
        None,
    )
    .map_err(|e| Error::sys(format!("bind ROOTFS '{}' onto itself", rootfs.display()), e))?;
    let root = sys::open(&root_c, libc::O_PATH | libc::O_DIRECTORY)
        .map_err(|e| Error::sys(format!("open ROOTFS '{}'", rootfs.display()), e))?;
    let root = root.as_fd();
    // Nested overlays outside the tmpfs mounts below go on now; the others
    // once their tmpfs is there.
    let (late, early): (Vec<_>, Vec<_>) = cfg
        .nested_overlays
        .iter()
        .partition(|n| under_tmpfs(cfg, &n.target));
    for n in early {
        warnings.extend(mount_nested(root, n, false));
    }

    warnings.extend(mount_proc(root)?);
    mount_dev(root, cfg.pty)?;
    if cfg.fresh_tmp {
        let tmp = mountpoint(root, Path::new("/tmp"), Kind::Dir)?;
        sys::mount(
            Some(c"tmpfs"),
            &sys::fd_path(tmp.as_fd()),
            Some(c"tmpfs"),
            libc::MS_NOSUID | libc::MS_NODEV,
            Some(c"mode=1777"),
        )
        .map_err(|e| Error::sys("mount tmpfs on /tmp", e))?;
    }

    for dst in &cfg.tmpfs {
        let at = mountpoint(root, dst, Kind::Dir)?;
        sys::mount(
            Some(c"tmpfs"),
            &sys::fd_path(at.as_fd()),
            Some(c"tmpfs"),
            libc::MS_NOSUID | libc::MS_NODEV,
            Some(c"mode=0755"),
        )
        .map_err(|e| Error::sys(format!("--tmpfs: mount tmpfs on {}", dst.display()), e))?;
    }

    for n in late {
        warnings.extend(mount_nested(root, n, true));
    }

    for (bind, src) in cfg.binds.iter().zip(sources) {
        let kind = if src.is_dir { Kind::Dir } else { Kind::File };
        let at = mountpoint(root, &bind.dst, kind)?;
        let step = || format!("bind '{}' onto {}", src.path.display(), bind.dst.display());
        sys::mount(
            Some(&cstr(&src.path)),
            &sys::fd_path(at.as_fd()),
            None,
            libc::MS_BIND | libc::MS_REC,
            None,
        )
        .map_err(|e| Error::sys(step(), e))?;
        if bind.readonly {
            // Re-resolve: the descriptor names the directory under the new mount, not the mount.
            let mounted =
                resolve(root, &bind.dst, libc::O_PATH).map_err(|e| Error::sys(step(), e))?;
            make_readonly(mounted.as_fd(), true)
                .map_err(|e| Error::sys(format!("{}: make read-only", step()), e))?;
        }
    }

    if cfg.ro_root {
        make_readonly(root, false).map_err(|e| {
            Error::sys(
                format!("--ro-root: remount '{}' read-only", rootfs.display()),
                e,
            )
        })?;
    }

    sys::fchdir(root)
        .map_err(|e| Error::sys(format!("chdir to ROOTFS '{}'", rootfs.display()), e))?;
    sys::pivot_root_here()
        .map_err(|e| Error::sys(format!("pivot_root into '{}'", rootfs.display()), e))?;
    sys::chdir(c"/").map_err(|e| Error::sys("chdir to the new /", e))?;
    Ok(warnings)
}

/// Whether TARGET lies under /tmp or a --tmpfs (mounted fresh by `build`).
fn under_tmpfs(cfg: &Config, target: &Path) -> bool {
    (cfg.fresh_tmp && target.starts_with("/tmp")) || cfg.tmpfs.iter().any(|t| target.starts_with(t))
}

/// Mount nested overlay N at its target beneath ROOT (made when `create`:
/// in a fresh tmpfs). A refusal is a warning: the directory stays empty.
fn mount_nested(
    root: BorrowedFd,
    n: &super::config::NestedOverlay,
    create: bool,
) -> Option<String> {
    let at = if create {
        mountpoint(root, &n.target, Kind::Dir).map_err(|e| e.to_string())
    } else {
        resolve(root, &n.target, libc::O_PATH | libc::O_DIRECTORY).map_err(|e| e.to_string())
    };
    let esc = super::overlay::escape_overlay_path;
    let data = format!(
        "lowerdir={},upperdir={},workdir={},userxattr,redirect_dir=nofollow,index=off,metacopy=off,volatile",
        esc(&n.lower),
        esc(&n.upper),
        esc(&n.work)
    );
    let not_shown = |why: &str| format!("host directory {} not shown: {why}", n.target.display());
    let at = match at {
        Ok(at) => at,
        Err(why) => return Some(not_shown(&why)),
    };
    let Ok(data) = CString::new(data) else {
        return Some(not_shown("a path holds a NUL byte"));
    };
    let target = sys::fd_path(at.as_fd());
    let e = match sys::mount(Some(c"hako"), &target, Some(c"overlay"), 0, Some(&data)) {
        Ok(()) => return None,
        Err(e) => e,
    };
    // A lower filesystem overlay cannot use: show the directory read-only.
    let bound = sys::mount(
        Some(&cstr(&n.lower)),
        &target,
        None,
        libc::MS_BIND | libc::MS_REC,
        None,
    )
    .and_then(|()| {
        let mounted = resolve(root, &n.target, libc::O_PATH)?;
        make_readonly(mounted.as_fd(), true)
    });
    Some(match bound {
        Ok(()) => format!(
            "host directory {}: overlay refused ({e}); bound read-only instead",
            n.target.display()
        ),
        Err(b) => not_shown(&format!("mount overlay: {e}; bind: {b}")),
    })
}

/// An overlay root, ready for the mount in the sandbox (built on the host).
pub struct OverlayMount {
    /// The `-o` data: lowerdir (with the skeleton last), upperdir, workdir, fixed options.
    pub data: CString,
    pub readonly: bool,
}

/// On the host, before the sandbox exists: fill SKELETON afresh with the
/// mount points of CFG (directories 0755, an empty file 0644 for a file
/// bind), to be stacked under the lower directories of an overlay root.
pub fn make_skeleton(skeleton: &Path, cfg: &Config, sources: &[BindSource]) -> Result<()> {
    let fail = |p: &Path, e: std::io::Error| {
        Error::Setup(format!("overlay skeleton '{}': {e}", p.display()))
    };
    match std::fs::remove_dir_all(skeleton) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(fail(skeleton, e)),
        _ => {}
    }
    std::fs::create_dir_all(skeleton).map_err(|e| fail(skeleton, e))?;
    let file_binds: Vec<&PathBuf> = cfg
        .binds
        .iter()
        .zip(sources)
        .filter(|(_, s)| !s.is_dir)
        .map(|(b, _)| &b.dst)
        .collect();
    for t in targets(cfg) {
        let rel: PathBuf = t
            .components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .collect();
        if rel.as_os_str().is_empty() {
            continue;
        }
        let p = skeleton.join(&rel);
        if file_binds.contains(&&t) {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| fail(parent, e))?;
            }
            if !p.exists() {
                std::fs::File::create(&p).map_err(|e| fail(&p, e))?;
            }
        } else if !p.is_file() {
            std::fs::create_dir_all(&p).map_err(|e| fail(&p, e))?;
        }
    }
    Ok(())
}

/// The mount targets of CFG, in the order `build` mounts them.
fn targets(cfg: &Config) -> Vec<PathBuf> {
    ["/proc", "/dev", "/tmp"]
        .iter()
        .map(PathBuf::from)
        .chain(cfg.tmpfs.iter().cloned())
        .chain(cfg.binds.iter().map(|b| b.dst.clone()))
        .collect()
}

/// On the host, before the sandbox exists: the mount points (and their
/// parents) that ROOTFS lacks, parents first. `build` creates them; hako
/// removes them afterwards, so that ROOTFS is left as it was.
pub fn missing_mountpoints(rootfs: &Path, cfg: &Config) -> Vec<PathBuf> {
    let Ok(root) = sys::open(&cstr(rootfs), libc::O_PATH | libc::O_DIRECTORY) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = Vec::new();
    for t in targets(cfg) {
        let mut here = PathBuf::from("/");
        for c in t.components() {
            let Component::Normal(name) = c else { continue };
            here.push(name);
            match resolve(root.as_fd(), &here, libc::O_PATH) {
                Ok(_) => {}
                Err(Errno::ENOENT) => {
                    if !out.contains(&here) {
                        out.push(here.clone());
                    }
                }
                Err(_) => break,
            }
        }
    }
    out
}

/// After the run: remove PATHS (from `missing_mountpoints`) deepest first,
/// each only if it is still an empty directory or an empty file; returns
/// those that could not be removed, with why. A directory the command
/// filled is kept without a word.
pub fn remove_mountpoints(rootfs: &Path, paths: &[PathBuf]) -> Vec<(PathBuf, String)> {
    use nix::fcntl::AtFlags;
    use nix::sys::stat::{fstatat, SFlag};
    use nix::unistd::{unlinkat, UnlinkatFlags};
    let mut left = Vec::new();
    if paths.is_empty() {
        return left;
    }
    let root = match sys::open(&cstr(rootfs), libc::O_PATH | libc::O_DIRECTORY) {
        Ok(r) => r,
        Err(e) => {
            return paths
                .iter()
                .map(|p| (p.clone(), format!("open ROOTFS: {e}")))
                .collect()
        }
    };
    for p in paths.iter().rev() {
        let (Some(parent), Some(name)) = (p.parent(), p.file_name()) else {
            continue;
        };
        let Ok(dir) = resolve(root.as_fd(), parent, libc::O_PATH | libc::O_DIRECTORY) else {
            continue; // the command removed or replaced it
        };
        let Ok(st) = fstatat(dir.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW) else {
            continue;
        };
        let kind = SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT;
        let r = if kind == SFlag::S_IFDIR {
            unlinkat(dir.as_fd(), name, UnlinkatFlags::RemoveDir)
        } else if kind == SFlag::S_IFREG && st.st_size == 0 {
            unlinkat(dir.as_fd(), name, UnlinkatFlags::NoRemoveDir)
        } else {
            continue;
        };
        match r {
            Ok(()) | Err(Errno::ENOTEMPTY) | Err(Errno::EEXIST) | Err(Errno::ENOENT) => {}
            Err(e) => left.push((p.clone(), e.to_string())),
        }
    }
    left
}

/// Fresh procfs; where the kernel refuses (a masked /proc in a nested container),
/// bind the host's and say so (the returned warning).
fn mount_proc(root: BorrowedFd) -> Result<Option<String>> {
    let at = mountpoint(root, Path::new("/proc"), Kind::Dir)?;
    let target = sys::fd_path(at.as_fd());
    match sys::mount(
        Some(c"proc"),
        &target,
        Some(c"proc"),
        NOSUID_NODEV_NOEXEC,
        None,
    ) {
        Ok(()) => {
            // The mount's own root (`at` still names the directory beneath it).
            let proc = resolve(root, Path::new("/proc"), libc::O_PATH | libc::O_DIRECTORY)
                .map_err(|e| Error::sys("open the new /proc", e))?;
            mask_proc(&sys::fd_path(proc.as_fd()))?;
            Ok(None)
        }
        Err(e @ (Errno::EPERM | Errno::EACCES)) => {
            sys::mount(
                Some(c"/proc"),
                &target,
                None,
                libc::MS_BIND | libc::MS_REC,
                None,
            )
            .map_err(|e| Error::sys("bind the host's /proc on /proc (fallback)", e))?;
            Ok(Some(format!(
                "cannot mount a fresh /proc ({e}; mount too revealing?); binding the host's /proc instead"
            )))
        }
        Err(e) => Err(Error::sys("mount proc on /proc", e)),
    }
}

/// What runc and podman hide of a fresh procfs: host-wide knobs read-only
/// (with uid 0 mapped to the host's root, `/proc/sys` and
/// `/proc/sysrq-trigger` would otherwise reach the host: sysctls, a reboot),
/// kernel memory and timers behind /dev/null, hardware lists empty.
fn mask_proc(proc_path: &CStr) -> Result<()> {
    let base = proc_path.to_string_lossy();
    for name in ["sys", "sysrq-trigger", "bus", "fs", "irq"] {
        let p = CString::new(format!("{base}/{name}")).expect("no NUL");
        match sys::mount(Some(&p), &p, None, libc::MS_BIND | libc::MS_REC, None) {
            Ok(()) => {}
            Err(Errno::ENOENT) => continue,
            Err(e) => return Err(Error::sys(format!("bind /proc/{name} onto itself"), e)),
        }
        let fd =
            sys::open(&p, libc::O_PATH).map_err(|e| Error::sys(format!("open /proc/{name}"), e))?;
        sys::mount_setattr_rdonly(fd.as_fd(), true)
            .map_err(|e| Error::sys(format!("make /proc/{name} read-only"), e))?;
    }
    for name in [
        "kcore",
        "keys",
        "timer_list",
        "sched_debug",
        "latency_stats",
    ] {
        let p = CString::new(format!("{base}/{name}")).expect("no NUL");
        match sys::mount(Some(c"/dev/null"), &p, None, libc::MS_BIND, None) {
            Ok(()) | Err(Errno::ENOENT) => {}
            Err(e) => return Err(Error::sys(format!("mask /proc/{name} with /dev/null"), e)),
        }
    }
    for name in ["acpi", "scsi"] {
        let p = CString::new(format!("{base}/{name}")).expect("no NUL");
        match sys::mount(
            Some(c"tmpfs"),
            &p,
            Some(c"tmpfs"),
            libc::MS_RDONLY | NOSUID_NODEV_NOEXEC,
            None,
        ) {
            Ok(()) | Err(Errno::ENOENT) => {}
            Err(e) => {
                return Err(Error::sys(
                    format!("mask /proc/{name} with an empty tmpfs"),
                    e,
                ))
            }
        }
    }
    Ok(())
}

/// tmpfs /dev with the host's harmless devices bound in, a private devpts,
/// /dev/shm and the usual symlinks.
fn mount_dev(root: BorrowedFd, pty: bool) -> Result<()> {
    let at = mountpoint(root, Path::new("/dev"), Kind::Dir)?;
    sys::mount(
        Some(c"tmpfs"),
        &sys::fd_path(at.as_fd()),
        Some(c"tmpfs"),
        libc::MS_NOSUID | libc::MS_NOEXEC,
        Some(c"mode=0755,size=65536k"),
    )
    .map_err(|e| Error::sys("mount tmpfs on /dev", e))?;
    drop(at);
    // Our own fresh tmpfs from here on: plain *at calls are safe inside it.
    let dev = resolve(root, Path::new("/dev"), libc::O_DIRECTORY | libc::O_RDONLY)
        .map_err(|e| Error::sys("open the new /dev", e))?;
    let dev = dev.as_fd();
    let base = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&dev));
    for name in DEVICES {
        let n = CString::new(name).expect("no NUL");
        drop(
            sys::openat(dev, &n, libc::O_CREAT | libc::O_WRONLY, 0o666)
                .map_err(|e| Error::sys(format!("create /dev/{name}"), e))?,
        );
        let host = CString::new(format!("/dev/{name}")).expect("no NUL");
        let target = CString::new(format!("{base}/{name}")).expect("no NUL");
        sys::mount(Some(&host), &target, None, libc::MS_BIND, None)
            .map_err(|e| Error::sys(format!("bind /dev/{name}"), e))?;
    }
    sys::mkdirat(dev, c"pts", 0o755).map_err(|e| Error::sys("mkdir /dev/pts", e))?;
    let pts = CString::new(format!("{base}/pts")).expect("no NUL");
    sys::mount(
        Some(c"devpts"),
        &pts,
        Some(c"devpts"),
        libc::MS_NOSUID | libc::MS_NOEXEC,
        Some(c"newinstance,ptmxmode=0666,mode=620"),
    )
    .map_err(|e| Error::sys("mount devpts on /dev/pts", e))?;
    sys::mkdirat(dev, c"shm", 0o1777).map_err(|e| Error::sys("mkdir /dev/shm", e))?;
    for (name, target) in [
        (c"ptmx", c"pts/ptmx"),
        (c"fd", c"/proc/self/fd"),
        (c"stdin", c"/proc/self/fd/0"),
        (c"stdout", c"/proc/self/fd/1"),
        (c"stderr", c"/proc/self/fd/2"),
        (c"core", c"/proc/kcore"),
    ] {
        sys::symlinkat(target, dev, name)
            .map_err(|e| Error::sys(format!("symlink /dev/{}", name.to_string_lossy()), e))?;
    }
    // The caller's terminal, if any, as /dev/console (the host pts is not in
    // our devpts); with a pty of our own, that pty (bound after pivot_root).
    if let Some(tty) = (0..3)
        .filter(|_| !pty)
        .find(|&fd| sys::isatty(fd))
        .and_then(|fd| std::fs::read_link(format!("/proc/self/fd/{fd}")).ok())
    {
        drop(
            sys::openat(dev, c"console", libc::O_CREAT | libc::O_WRONLY, 0o600)
                .map_err(|e| Error::sys("create /dev/console", e))?,
        );
        let target = CString::new(format!("{base}/console")).expect("no NUL");
        sys::mount(Some(&cstr(&tty)), &target, None, libc::MS_BIND, None).map_err(|e| {
            Error::sys(
                format!("bind the terminal {} on /dev/console", tty.display()),
                e,
            )
        })?;
    }
    // mode= of tmpfs is subject to the umask of nobody; set /dev/shm's sticky mode explicitly.
    let _ = nix::sys::stat::fchmodat(
        dev,
        "shm",
        nix::sys::stat::Mode::from_bits_truncate(0o1777),
        nix::sys::stat::FchmodatFlags::FollowSymlink,
    );
    Ok(())
}

/// Read-only: mount_setattr where the kernel has it (recursive if asked),
/// a bind remount keeping the locked flags otherwise.
fn make_readonly(fd: BorrowedFd, recursive: bool) -> std::result::Result<(), Errno> {
    match sys::mount_setattr_rdonly(fd, recursive) {
        Err(Errno::ENOSYS) => {
            let p = sys::fd_path(fd);
            let locked = sys::locked_mount_flags(&p)?;
            sys::mount(
                None,
                &p,
                None,
                libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | locked,
                None,
            )
        }
        r => r,
    }
}

/// Resolve DST (absolute, inside the sandbox) beneath ROOT.
fn resolve(
    root: BorrowedFd,
    dst: &Path,
    flags: libc::c_int,
) -> std::result::Result<OwnedFd, Errno> {
    let rel = dst.strip_prefix("/").unwrap_or(dst);
    let rel = if rel.as_os_str().is_empty() {
        Path::new(".")
    } else {
        rel
    };
    sys::open_in_root(root, &cstr(rel), flags)
}

/// An O_PATH descriptor on DST beneath ROOT, creating it (and its parents) if missing.
fn mountpoint(root: BorrowedFd, dst: &Path, kind: Kind) -> Result<OwnedFd> {
    match resolve(root, dst, libc::O_PATH) {
        Ok(fd) => return Ok(fd),
        Err(Errno::ENOENT) => {}
        Err(e) => {
            return Err(Error::sys(
                format!("resolve mount point {}", dst.display()),
                e,
            ))
        }
    }
    let names: Vec<_> = dst
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n),
            _ => None,
        })
        .collect();
    let mut parent = PathBuf::from("/");
    for (i, name) in names.iter().enumerate() {
        let here = parent.join(name);
        let last = i + 1 == names.len();
        match resolve(root, &here, libc::O_PATH) {
            Ok(_) if !last => {}
            Ok(fd) => return Ok(fd),
            Err(Errno::ENOENT) => {
                let step = || format!("create mount point {} in ROOTFS", here.display());
                let dir = resolve(root, &parent, libc::O_PATH | libc::O_DIRECTORY)
                    .map_err(|e| Error::sys(step(), e))?;
                let n = CString::new(name.as_bytes())
                    .map_err(|_| Error::Usage(format!("bad path {}", dst.display())))?;
                if last && kind == Kind::File {
                    match sys::openat(
                        dir.as_fd(),
                        &n,
                        libc::O_CREAT | libc::O_WRONLY | libc::O_NOFOLLOW,
                        0o644,
                    ) {
                        Ok(_) | Err(Errno::EEXIST) => {}
                        Err(e) => return Err(Error::sys(step(), e)),
                    }
                } else {
                    match sys::mkdirat(dir.as_fd(), &n, 0o755) {
                        Ok(()) | Err(Errno::EEXIST) => {}
                        Err(e) => return Err(Error::sys(step(), e)),
                    }
                }
                if last {
                    return resolve(root, &here, libc::O_PATH).map_err(|e| Error::sys(step(), e));
                }
            }
            Err(e) => {
                return Err(Error::sys(
                    format!("resolve mount point {}", here.display()),
                    e,
                ))
            }
        }
        parent = here;
    }
    resolve(root, dst, libc::O_PATH)
        .map_err(|e| Error::sys(format!("resolve mount point {}", dst.display()), e))
}
