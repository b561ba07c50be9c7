//! Thin, checked wrappers over the raw system calls the sandbox uses. Every
//! `unsafe` block of the sandbox lives here; each wrapper returns `Errno`.
#![warn(missing_docs)]

use std::ffi::{CStr, CString, OsStr};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;

use nix::errno::Errno;

pub type SysResult<T> = Result<T, Errno>;

fn check(r: libc::c_int) -> SysResult<libc::c_int> {
    Errno::result(r)
}

fn check_long(r: libc::c_long) -> SysResult<libc::c_long> {
    Errno::result(r)
}

/// A path as a C string (paths never contain NUL when they come from argv).
pub fn cstr(p: impl AsRef<OsStr>) -> CString {
    CString::new(p.as_ref().as_bytes())
        .unwrap_or_else(|_| CString::from(c"/nonexistent-path-with-nul"))
}

/// `clone(2)` without a new stack: fork-like, with namespace flags. Returns 0 in the child.
///
/// The process must be single-threaded (hako's main thread is the only one here).
pub fn clone_fork(flags: libc::c_int) -> SysResult<libc::pid_t> {
    // SAFETY: with a NULL stack the child continues on a copy of the parent's
    // stack, exactly like fork(2); no other thread exists to hold locks.
    let r = unsafe {
        libc::syscall(
            libc::SYS_clone,
            (flags | libc::SIGCHLD) as libc::c_ulong,
            0usize,
            0usize,
            0usize,
            0usize,
        )
    };
    check_long(r).map(|p| p as libc::pid_t)
}

/// Plain fork(2), for the pid-1 reaper and `enter`.
pub fn fork() -> SysResult<libc::pid_t> {
    // SAFETY: single-threaded process; the child only runs sandbox code then execs or exits.
    check(unsafe { libc::fork() })
}

/// Leave the process immediately with CODE, running no destructors or atexit handlers.
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit never returns and touches no Rust state.
    unsafe { libc::_exit(code) }
}

const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
const RESOLVE_IN_ROOT: u64 = 0x10;

#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

/// Open PATH beneath DIRFD as if DIRFD were `/`: symlinks and `..` cannot leave it.
pub fn open_in_root(dirfd: BorrowedFd, path: &CStr, flags: libc::c_int) -> SysResult<OwnedFd> {
    let how = OpenHow {
        flags: (flags | libc::O_CLOEXEC) as u64,
        mode: 0,
        resolve: RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    // SAFETY: `how` and `path` outlive the call; the kernel copies them.
    let r = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            dirfd.as_raw_fd(),
            path.as_ptr(),
            &how as *const OpenHow,
            std::mem::size_of::<OpenHow>(),
        )
    };
    // SAFETY: on success the kernel returned a new descriptor that we now own.
    check_long(r).map(|fd| unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// openat(2) relative to DIRFD.
pub fn openat(
    dirfd: BorrowedFd,
    path: &CStr,
    flags: libc::c_int,
    mode: libc::mode_t,
) -> SysResult<OwnedFd> {
    // SAFETY: path is a valid C string; a successful call yields a descriptor we own.
    let fd = check(unsafe {
        libc::openat(
            dirfd.as_raw_fd(),
            path.as_ptr(),
            flags | libc::O_CLOEXEC,
            mode,
        )
    })?;
    // SAFETY: fd was just returned by the kernel.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// open(2) of an absolute path.
pub fn open(path: &CStr, flags: libc::c_int) -> SysResult<OwnedFd> {
    // SAFETY: as for openat.
    let fd = check(unsafe { libc::open(path.as_ptr(), flags | libc::O_CLOEXEC) })?;
    // SAFETY: fd was just returned by the kernel.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

pub fn mkdirat(dirfd: BorrowedFd, name: &CStr, mode: libc::mode_t) -> SysResult<()> {
    // SAFETY: valid descriptor and C string.
    check(unsafe { libc::mkdirat(dirfd.as_raw_fd(), name.as_ptr(), mode) }).map(drop)
}

pub fn symlinkat(target: &CStr, dirfd: BorrowedFd, name: &CStr) -> SysResult<()> {
    // SAFETY: valid descriptor and C strings.
    check(unsafe { libc::symlinkat(target.as_ptr(), dirfd.as_raw_fd(), name.as_ptr()) }).map(drop)
}

/// unshare(2): move this (single-threaded) process into new namespaces.
pub fn unshare(flags: libc::c_int) -> SysResult<()> {
    // SAFETY: no pointers; the kernel checks the flags.
    check(unsafe { libc::unshare(flags) }).map(drop)
}

pub fn unlink(path: &CStr) -> SysResult<()> {
    // SAFETY: valid C string.
    check(unsafe { libc::unlink(path.as_ptr()) }).map(drop)
}

pub fn rmdir(path: &CStr) -> SysResult<()> {
    // SAFETY: valid C string.
    check(unsafe { libc::rmdir(path.as_ptr()) }).map(drop)
}

pub fn mkdir(path: &CStr, mode: libc::mode_t) -> SysResult<()> {
    // SAFETY: valid C string.
    check(unsafe { libc::mkdir(path.as_ptr(), mode) }).map(drop)
}

/// mount(2). `None` arguments are passed as NULL.
pub fn mount(
    source: Option<&CStr>,
    target: &CStr,
    fstype: Option<&CStr>,
    flags: libc::c_ulong,
    data: Option<&CStr>,
) -> SysResult<()> {
    let p = |s: Option<&CStr>| s.map_or(std::ptr::null(), |s| s.as_ptr());
    // SAFETY: all pointers are NULL or valid C strings for the duration of the call.
    check(unsafe { libc::mount(p(source), target.as_ptr(), p(fstype), flags, p(data).cast()) })
        .map(drop)
}

/// The path under /proc that names an open descriptor (for mount targets).
pub fn fd_path(fd: BorrowedFd) -> CString {
    CString::new(format!("/proc/self/fd/{}", fd.as_raw_fd())).expect("no NUL")
}

#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

const MOUNT_ATTR_RDONLY: u64 = 0x1;

/// Make the mount at FD read-only (and every mount beneath it if RECURSIVE).
/// Unlike a bind remount this changes no other flag, so locked flags stay as they are.
pub fn mount_setattr_rdonly(fd: BorrowedFd, recursive: bool) -> SysResult<()> {
    let attr = MountAttr {
        attr_set: MOUNT_ATTR_RDONLY,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    let flags = libc::AT_EMPTY_PATH | if recursive { libc::AT_RECURSIVE } else { 0 };
    // SAFETY: `attr` outlives the call; the empty path with AT_EMPTY_PATH names FD itself.
    let r = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            fd.as_raw_fd(),
            c"".as_ptr(),
            flags,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    check_long(r).map(drop)
}

/// statvfs(2) flags of the filesystem at PATH, as mount(2) flags (for bind remounts).
pub fn locked_mount_flags(path: &CStr) -> SysResult<libc::c_ulong> {
    let mut st = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: st is written by the kernel on success.
    check(unsafe { libc::statvfs(path.as_ptr(), st.as_mut_ptr()) })?;
    // SAFETY: statvfs succeeded.
    let f = unsafe { st.assume_init() }.f_flag;
    let mut out = 0;
    for (st_flag, ms_flag) in [
        (libc::ST_NOSUID, libc::MS_NOSUID),
        (libc::ST_NODEV, libc::MS_NODEV),
        (libc::ST_NOEXEC, libc::MS_NOEXEC),
        (libc::ST_NOATIME, libc::MS_NOATIME),
        (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
        (libc::ST_RELATIME, libc::MS_RELATIME),
    ] {
        if f & st_flag != 0 {
            out |= ms_flag;
        }
    }
    Ok(out)
}

/// The magic number of the filesystem at PATH (statfs f_type; its C type differs by arch).
#[allow(clippy::unnecessary_cast)]
pub fn statfs_type(path: &CStr) -> SysResult<i64> {
    let mut st = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: st is written by the kernel on success.
    check(unsafe { libc::statfs(path.as_ptr(), st.as_mut_ptr()) })?;
    // SAFETY: statfs succeeded.
    Ok(unsafe { st.assume_init() }.f_type as i64)
}

/// `pivot_root(".", ".")` then detach the old root stacked on top: no directory
/// for the old root is needed inside the new one.
pub fn pivot_root_here() -> SysResult<()> {
    // SAFETY: constant C strings.
    check_long(unsafe { libc::syscall(libc::SYS_pivot_root, c".".as_ptr(), c".".as_ptr()) })?;
    // SAFETY: constant C string.
    check(unsafe { libc::umount2(c".".as_ptr(), libc::MNT_DETACH) })?;
    Ok(())
}

pub fn fchdir(fd: BorrowedFd) -> SysResult<()> {
    // SAFETY: valid descriptor.
    check(unsafe { libc::fchdir(fd.as_raw_fd()) }).map(drop)
}

pub fn chdir(path: &CStr) -> SysResult<()> {
    // SAFETY: valid C string.
    check(unsafe { libc::chdir(path.as_ptr()) }).map(drop)
}

pub fn sethostname(name: &str) -> SysResult<()> {
    // SAFETY: pointer and length describe `name`.
    check(unsafe { libc::sethostname(name.as_ptr().cast(), name.len()) }).map(drop)
}

/// Bring up `lo` in the current network namespace (the kernel then assigns 127.0.0.1 and ::1).
pub fn loopback_up() -> SysResult<()> {
    // SAFETY: plain socket; closed by OwnedFd.
    let s =
        check(unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: s was just returned by the kernel.
    let s = unsafe { OwnedFd::from_raw_fd(s) };
    // SAFETY: ifreq is plain old data; zero is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (d, b) in req.ifr_name.iter_mut().zip(b"lo\0") {
        *d = *b as libc::c_char;
    }
    req.ifr_ifru.ifru_flags = (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
    // SAFETY: SIOCSIFFLAGS reads the ifreq we pass.
    check(unsafe { libc::ioctl(s.as_raw_fd(), libc::SIOCSIFFLAGS, &req) }).map(drop)
}

pub fn prctl(option: libc::c_int, arg: libc::c_ulong) -> SysResult<()> {
    // SAFETY: the prctl options used here take plain integers.
    check(unsafe {
        libc::prctl(
            option,
            arg,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        )
    })
    .map(drop)
}

/// The highest capability number this kernel knows.
pub fn last_cap() -> u32 {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(40)
}

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const CAP_V3: u32 = 0x2008_0522;

/// Set effective, permitted and inheritable capability sets (64-bit masks).
pub fn capset(effective: u64, permitted: u64, inheritable: u64) -> SysResult<()> {
    let hdr = CapHeader {
        version: CAP_V3,
        pid: 0,
    };
    let data = [
        CapData {
            effective: effective as u32,
            permitted: permitted as u32,
            inheritable: inheritable as u32,
        },
        CapData {
            effective: (effective >> 32) as u32,
            permitted: (permitted >> 32) as u32,
            inheritable: (inheritable >> 32) as u32,
        },
    ];
    // SAFETY: header and two data words, as _LINUX_CAPABILITY_VERSION_3 requires.
    check_long(unsafe { libc::syscall(libc::SYS_capset, &hdr as *const CapHeader, data.as_ptr()) })
        .map(drop)
}

/// Mark every descriptor from FIRST up close-on-exec (the command inherits only stdio).
pub fn cloexec_from(first: u32) -> SysResult<()> {
    const CLOSE_RANGE_CLOEXEC: libc::c_uint = 1 << 2;
    // SAFETY: close_range only changes descriptor flags.
    check_long(unsafe {
        libc::syscall(libc::SYS_close_range, first, u32::MAX, CLOSE_RANGE_CLOEXEC)
    })
    .map(drop)
}

/// The kernel's clock ticks per second (/proc/PID/stat times are in them).
pub fn clock_ticks_per_second() -> u64 {
    // SAFETY: sysconf has no memory effects.
    let n = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if n > 0 {
        n as u64
    } else {
        100
    }
}

/// Close every descriptor from FIRST up.
pub fn close_from(first: u32) -> SysResult<()> {
    // SAFETY: close_range only closes descriptors; the caller owns none it still uses.
    check_long(unsafe { libc::syscall(libc::SYS_close_range, first, u32::MAX, 0u32) }).map(drop)
}

/// Overwrite the argument and environment blocks this process was started
/// with (what /proc/PID/cmdline and /proc/PID/environ show) with NAME and
/// zeros. Only pid 1 of the sandbox calls it, after it has read what it
/// needs of both: the caller's environment must not reach the container.
pub fn wipe_args_and_environ(name: &[u8]) -> SysResult<()> {
    let stat = std::fs::read_to_string("/proc/self/stat").map_err(|_| Errno::EIO)?;
    // Fields after the command name's closing parenthesis start at field 3;
    // arg_start..env_end are fields 48 to 51 (proc(5)).
    let rest = stat.rsplit_once(')').ok_or(Errno::EIO)?.1;
    let f: Vec<usize> = rest
        .split_whitespace()
        .skip(45)
        .take(4)
        .map(|v| v.parse().map_err(|_| Errno::EIO))
        .collect::<SysResult<_>>()?;
    let [arg_start, arg_end, env_start, env_end] = f[..] else {
        return Err(Errno::EIO);
    };
    for (start, end) in [(arg_start, arg_end), (env_start, env_end)] {
        if start == 0 || end <= start || end - start > 1 << 24 {
            return Err(Errno::EIO);
        }
        // SAFETY: the kernel reports these ranges as this process's own
        // initial argument and environment strings, on its (writable) stack;
        // nothing still reads them (environ entries become empty strings).
        unsafe { std::ptr::write_bytes(start as *mut u8, 0, end - start) };
    }
    let n = name.len().min(arg_end - arg_start - 1);
    // SAFETY: as above; n is within the argument block, which stays NUL-ended.
    unsafe { std::ptr::copy_nonoverlapping(name.as_ptr(), arg_start as *mut u8, n) };
    Ok(())
}

pub fn setrlimit(resource: u32, soft: u64, hard: u64) -> SysResult<()> {
    let lim = libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: lim is a valid rlimit.
    check(unsafe { libc::setrlimit(resource as _, &lim) }).map(drop)
}

/// prlimit(2) read of another process's limit.
pub fn getrlimit_of(pid: libc::pid_t, resource: u32) -> SysResult<(u64, u64)> {
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: old is written by the kernel.
    check(unsafe { libc::prlimit(pid, resource as _, std::ptr::null(), &mut old) })?;
    Ok((old.rlim_cur, old.rlim_max))
}

pub fn setresuid(uid: u32) -> SysResult<()> {
    // SAFETY: plain integers.
    check(unsafe { libc::setresuid(uid, uid, uid) }).map(drop)
}

pub fn setresgid(gid: u32) -> SysResult<()> {
    // SAFETY: plain integers.
    check(unsafe { libc::setresgid(gid, gid, gid) }).map(drop)
}

pub fn setgroups(groups: &[libc::gid_t]) -> SysResult<()> {
    // SAFETY: pointer and length describe `groups`.
    check(unsafe { libc::setgroups(groups.len(), groups.as_ptr()) }).map(drop)
}

pub fn setsid() -> SysResult<()> {
    // SAFETY: no arguments.
    check(unsafe { libc::setsid() }).map(drop)
}

pub fn geteuid() -> u32 {
    // SAFETY: always succeeds.
    unsafe { libc::geteuid() }
}

pub fn getegid() -> u32 {
    // SAFETY: always succeeds.
    unsafe { libc::getegid() }
}

pub fn getpid() -> libc::pid_t {
    // SAFETY: always succeeds.
    unsafe { libc::getpid() }
}

pub fn getppid() -> libc::pid_t {
    // SAFETY: always succeeds.
    unsafe { libc::getppid() }
}

pub fn isatty(fd: RawFd) -> bool {
    // SAFETY: isatty only queries the descriptor.
    unsafe { libc::isatty(fd) == 1 }
}

pub fn pidfd_open(pid: libc::pid_t) -> SysResult<OwnedFd> {
    // SAFETY: plain integers; a successful call yields a descriptor we own.
    let r = check_long(unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) })?;
    // SAFETY: r is a new descriptor.
    Ok(unsafe { OwnedFd::from_raw_fd(r as RawFd) })
}

pub fn setns(fd: BorrowedFd, nstype: libc::c_int) -> SysResult<()> {
    // SAFETY: valid descriptor.
    check(unsafe { libc::setns(fd.as_raw_fd(), nstype) }).map(drop)
}

pub fn chroot_dot() -> SysResult<()> {
    // SAFETY: constant C string.
    check(unsafe { libc::chroot(c".".as_ptr()) }).map(drop)
}

pub fn kill(pid: libc::pid_t, sig: libc::c_int) -> SysResult<()> {
    // SAFETY: plain integers.
    check(unsafe { libc::kill(pid, sig) }).map(drop)
}

/// A borrowed standard descriptor (0, 1 or 2).
pub fn stdio(fd: RawFd) -> BorrowedFd<'static> {
    // SAFETY: the standard descriptors live as long as the process (or the call fails cleanly).
    unsafe { BorrowedFd::borrow_raw(fd) }
}

/// A pipe whose ends are close-on-exec.
pub fn pipe() -> SysResult<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: fds has room for two descriptors.
    check(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) })?;
    // SAFETY: both were just returned by the kernel.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

pub fn write_all(fd: BorrowedFd, mut buf: &[u8]) -> SysResult<()> {
    while !buf.is_empty() {
        // SAFETY: pointer and length describe buf.
        let n = unsafe { libc::write(fd.as_raw_fd(), buf.as_ptr().cast(), buf.len()) };
        match Errno::result(n) {
            Ok(n) => buf = &buf[n as usize..],
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Read until end of file (or error) into a vector.
pub fn read_to_end(fd: BorrowedFd) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: buf is writable for its length.
        let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        match Errno::result(n) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n as usize]),
            Err(Errno::EINTR) => {}
            Err(_) => return out,
        }
    }
}

/// A set of signals for sigprocmask/sigwaitinfo.
pub struct SigSet(libc::sigset_t);

impl SigSet {
    pub fn of(signals: &[libc::c_int]) -> SigSet {
        // SAFETY: sigemptyset initialises the set; sigaddset only sets bits.
        unsafe {
            let mut s = std::mem::zeroed();
            libc::sigemptyset(&mut s);
            for &sig in signals {
                libc::sigaddset(&mut s, sig);
            }
            SigSet(s)
        }
    }

    /// Block these signals; returns the previous mask.
    pub fn block(&self) -> SigSet {
        // SAFETY: both sets are valid sigset_t values.
        unsafe {
            let mut old = std::mem::zeroed();
            libc::sigprocmask(libc::SIG_BLOCK, &self.0, &mut old);
            SigSet(old)
        }
    }

    /// Install this set as the whole mask.
    pub fn set_mask(&self) {
        // SAFETY: valid sigset_t.
        unsafe {
            libc::sigprocmask(libc::SIG_SETMASK, &self.0, std::ptr::null_mut());
        }
    }

    /// Wait for one of these (blocked) signals: (signal, si_code).
    /// Wait up to TIMEOUT for one of these signals: `None` when none came.
    pub fn wait_timeout(&self, timeout: std::time::Duration) -> Option<(libc::c_int, libc::c_int)> {
        let ts = libc::timespec {
            tv_sec: timeout.as_secs() as libc::time_t,
            tv_nsec: timeout.subsec_nanos() as libc::c_long,
        };
        // SAFETY: info is written by the kernel on success.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: valid set, siginfo buffer and timespec.
        let r = unsafe { libc::sigtimedwait(&self.0, &mut info, &ts) };
        (r > 0).then_some((r, info.si_code))
    }

    pub fn wait(&self) -> (libc::c_int, libc::c_int) {
        loop {
            // SAFETY: info is written by the kernel on success.
            let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
            // SAFETY: valid set and siginfo buffer.
            let r = unsafe { libc::sigwaitinfo(&self.0, &mut info) };
            if r > 0 {
                return (r, info.si_code);
            }
        }
    }
}

/// Reset every catchable standard signal to its default action: the command
/// starts clean, whatever hako inherited (Rust ignores SIGPIPE; a shell's
/// background job ignores SIGINT and SIGQUIT).
pub fn default_signals() {
    for sig in 1..32 {
        if sig != libc::SIGKILL && sig != libc::SIGSTOP {
            // SAFETY: SIG_DFL is always a valid disposition.
            unsafe {
                libc::signal(sig, libc::SIG_DFL);
            }
        }
    }
}

/// waitpid(2): (pid, raw status); pid 0 with WNOHANG means none ready.
pub fn waitpid(pid: libc::pid_t, flags: libc::c_int) -> SysResult<(libc::pid_t, libc::c_int)> {
    let mut status = 0;
    loop {
        // SAFETY: status is written by the kernel.
        match check(unsafe { libc::waitpid(pid, &mut status, flags) }) {
            Err(Errno::EINTR) => continue,
            r => return r.map(|p| (p, status)),
        }
    }
}

/// A wait status as a shell-style exit code: the code, or 128+N for death by signal N.
pub fn exit_code(status: libc::c_int) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        128
    }
}

/// execve(2); returns only on failure.
pub fn execve(path: &CStr, argv: &[CString], envp: &[CString]) -> Errno {
    let mut a: Vec<*const libc::c_char> = argv.iter().map(|s| s.as_ptr()).collect();
    a.push(std::ptr::null());
    let mut e: Vec<*const libc::c_char> = envp.iter().map(|s| s.as_ptr()).collect();
    e.push(std::ptr::null());
    // SAFETY: NULL-terminated arrays of valid C strings that outlive the call.
    unsafe { libc::execve(path.as_ptr(), a.as_ptr(), e.as_ptr()) };
    Errno::last()
}

/// prctl with two integer arguments.
pub fn prctl3(option: libc::c_int, arg2: libc::c_ulong, arg3: libc::c_ulong) -> SysResult<()> {
    // SAFETY: the prctl options used here take plain integers.
    check(unsafe { libc::prctl(option, arg2, arg3, 0 as libc::c_ulong, 0 as libc::c_ulong) })
        .map(drop)
}

/// Install a seccomp filter on this thread with SECCOMP_FILTER_FLAG_SPEC_ALLOW,
/// as runc does: the filter alone does not force the speculative-store-bypass
/// mitigation on the command (which costs every sandboxed process time).
/// Falls back to no flags on kernels that refuse the flag.
pub fn seccomp_set_filter(filter: &[seccompiler::sock_filter]) -> SysResult<()> {
    let prog = libc::sock_fprog {
        len: filter.len() as libc::c_ushort,
        filter: filter.as_ptr() as *mut libc::sock_filter,
    };
    let install = |flags: libc::c_ulong| {
        // SAFETY: `prog` points at `filter.len()` instructions with the same
        // layout as the kernel's sock_filter; the kernel copies them during the call.
        check_long(unsafe {
            libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                flags,
                &prog as *const libc::sock_fprog,
            )
        })
        .map(drop)
    };
    match install(libc::SECCOMP_FILTER_FLAG_SPEC_ALLOW) {
        Err(Errno::EINVAL) => install(0),
        r => r,
    }
}

/// A connected pair of close-on-exec `SOCK_SEQPACKET` sockets (the console socket).
pub fn socketpair() -> SysResult<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: fds has room for two descriptors.
    check(unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    })?;
    // SAFETY: both were just returned by the kernel.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Send FD over SOCK (one byte with `SCM_RIGHTS`).
pub fn send_fd(sock: BorrowedFd, fd: BorrowedFd) -> SysResult<()> {
    use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags};
    let fds = [fd.as_raw_fd()];
    let iov = [std::io::IoSlice::new(b"m")];
    sendmsg::<()>(
        sock.as_raw_fd(),
        &iov,
        &[ControlMessage::ScmRights(&fds)],
        MsgFlags::empty(),
        None,
    )
    .map(drop)
}

/// Receive a descriptor sent by `send_fd`; `None` when the other end closed first.
pub fn recv_fd(sock: BorrowedFd) -> SysResult<Option<OwnedFd>> {
    use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags};
    let mut byte = [0u8; 1];
    let mut iov = [std::io::IoSliceMut::new(&mut byte)];
    let mut space = nix::cmsg_space!([RawFd; 1]);
    let msg = loop {
        match recvmsg::<()>(
            sock.as_raw_fd(),
            &mut iov,
            Some(&mut space),
            MsgFlags::MSG_CMSG_CLOEXEC,
        ) {
            Err(Errno::EINTR) => continue,
            r => break r?,
        }
    };
    let mut got = None;
    for c in msg.cmsgs()? {
        if let ControlMessageOwned::ScmRights(fds) = c {
            for fd in fds {
                // SAFETY: the kernel installed this descriptor in our table
                // for us; nothing else owns it.
                let owned = unsafe { OwnedFd::from_raw_fd(fd) };
                if got.is_none() {
                    got = Some(owned);
                }
            }
        }
    }
    Ok(got)
}

/// `ioctl(fd, TIOCSPTLCK, 0)`: unlock a pty master's slave.
pub fn unlockpt(master: BorrowedFd) -> SysResult<()> {
    let unlock: libc::c_int = 0;
    // SAFETY: TIOCSPTLCK reads one int.
    check(unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSPTLCK, &unlock) }).map(drop)
}

/// `ioctl(fd, TIOCGPTPEER)`: open a pty master's slave without a path lookup.
pub fn pty_peer(master: BorrowedFd) -> SysResult<OwnedFd> {
    let flags = libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC;
    // SAFETY: TIOCGPTPEER takes the open flags as its integer argument.
    let fd = check(unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCGPTPEER, flags) })?;
    // SAFETY: fd was just returned by the kernel.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `ioctl(fd, TIOCGPTN)`: N of the master's slave /dev/pts/N.
pub fn pty_number(master: BorrowedFd) -> SysResult<u32> {
    let mut n: libc::c_uint = 0;
    // SAFETY: TIOCGPTN writes one unsigned int.
    check(unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCGPTN, &mut n) })?;
    Ok(n)
}

/// `ioctl(fd, TIOCSCTTY, 0)`: make the terminal FD the caller's controlling terminal.
pub fn set_controlling_terminal(fd: BorrowedFd) -> SysResult<()> {
    // SAFETY: TIOCSCTTY takes an integer (0: do not steal it from another session).
    check(unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCSCTTY, 0) }).map(drop)
}

/// `ioctl(fd, TIOCGWINSZ)`: a terminal's size.
pub fn window_size(fd: BorrowedFd) -> SysResult<libc::winsize> {
    // SAFETY: winsize is plain old data.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ writes one winsize.
    check(unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCGWINSZ, &mut ws) })?;
    Ok(ws)
}

/// `ioctl(fd, TIOCSWINSZ)`: set a terminal's size (its foreground group gets SIGWINCH).
pub fn set_window_size(fd: BorrowedFd, ws: &libc::winsize) -> SysResult<()> {
    // SAFETY: TIOCSWINSZ reads one winsize.
    check(unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCSWINSZ, ws) }).map(drop)
}

/// dup2(2) onto a standard descriptor (0, 1 or 2).
pub fn dup_onto(fd: BorrowedFd, target: RawFd) -> SysResult<()> {
    // SAFETY: both are descriptors; target is one of the standard three, which we own.
    check(unsafe { libc::dup2(fd.as_raw_fd(), target) }).map(drop)
}

pub fn fchown(fd: BorrowedFd, uid: u32, gid: u32) -> SysResult<()> {
    // SAFETY: valid descriptor, plain integers.
    check(unsafe { libc::fchown(fd.as_raw_fd(), uid, gid) }).map(drop)
}
