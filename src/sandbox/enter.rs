//! `enter`: run a command inside a running sandbox, with the same namespaces,
//! uid, root, cwd and rlimits as the target process, and the same confinement
//! (`confine::finish`: no supplementary groups, the sandbox's capabilities or
//! `--keep-cap`, no_new_privs, landlock, seccomp) as `unshare-exec` gives.
#![warn(missing_docs)]

use std::ffi::OsString;
use std::os::fd::{AsFd, OwnedFd};
use std::os::linux::fs::MetadataExt;
use std::os::unix::ffi::OsStrExt;

use nix::errno::Errno;

use super::config::{EnvBase, RlimitResource, SeccompPolicy};
use super::confine;
use super::error::{Error, Result};
use super::pty;
use super::spawn::{self, Exec, FORWARDED};
use super::sys::{self, cstr, SigSet};

/// What to run, and where.
#[derive(Debug, Clone)]
pub struct EnterConfig {
    /// The sandbox's pid 1 (on the host), whose namespaces are joined.
    pub pid: libc::pid_t,
    /// From a pid file: the target's start time, to refuse a reused pid.
    pub start_time: Option<u64>,
    /// The command and its arguments.
    pub argv: Vec<OsString>,
    /// What the environment starts from.
    pub env_base: EnvBase,
    /// Variables set over `env_base`.
    pub env: Vec<(OsString, OsString)>,
    /// The seccomp filter.
    pub seccomp: SeccompPolicy,
    /// Every capability, carried across execve (`--keep-cap`).
    pub keep_caps: bool,
    /// As the sandbox's `caps`: what uid 0 keeps without `keep_caps`.
    pub caps: u64,
    /// Confine filesystem access with landlock to beneath the sandbox's `/`.
    pub landlock: bool,
    /// A pty of the sandbox's devpts for the command, relayed by hako
    /// (sandbox.md, "The terminal").
    pub pty: bool,
}

/// Namespaces in the order they are joined: user first (it grants the
/// capabilities for the rest), pid last (it applies to the forked child).
const NAMESPACES: [(&str, libc::c_int); 7] = [
    ("user", libc::CLONE_NEWUSER),
    ("mnt", libc::CLONE_NEWNS),
    ("uts", libc::CLONE_NEWUTS),
    ("ipc", libc::CLONE_NEWIPC),
    ("net", libc::CLONE_NEWNET),
    ("cgroup", libc::CLONE_NEWCGROUP),
    ("pid", libc::CLONE_NEWPID),
];

const RESOURCES: [RlimitResource; 9] = [
    RlimitResource::As,
    RlimitResource::Core,
    RlimitResource::Cpu,
    RlimitResource::Data,
    RlimitResource::Fsize,
    RlimitResource::Memlock,
    RlimitResource::Nofile,
    RlimitResource::Nproc,
    RlimitResource::Stack,
];

/// Enter the sandbox of CFG.pid and run the command; returns its exit status.
pub fn enter(cfg: &EnterConfig) -> Result<i32> {
    let pid = through_sealed_init(cfg.pid);
    let gone = |how: &str, e: Errno| Error::sys(format!("enter: process {pid} ({how})"), e);
    // 1. The target, pinned by a pidfd where the kernel has pidfd_open.
    let pidfd = match sys::pidfd_open(pid) {
        Ok(fd) => Some(fd),
        Err(Errno::ENOSYS) => None,
        Err(Errno::ESRCH) => {
            return Err(Error::Setup(format!(
                "enter: process {pid} does not exist (pidfd_open: no such process)"
            )))
        }
        Err(e) => return Err(gone("pidfd_open", e)),
    };
    if let Some(want) = cfg.start_time {
        if spawn::process_start_time(cfg.pid) != Some(want) {
            return Err(Error::Setup(format!(
                "enter: process {pid} is not the sandbox named in the pid file (it exited; the pid was reused or is gone)"
            )));
        }
    }
    // 2. Its root, cwd, ids and limits, read from the host's /proc before joining.
    let proc_dir = format!("/proc/{pid}");
    let open_dir = |what: &str| {
        sys::open(
            &cstr(format!("{proc_dir}/{what}")),
            libc::O_PATH | libc::O_DIRECTORY,
        )
        .map_err(|e| gone(&format!("open {proc_dir}/{what}"), e))
    };
    let root = open_dir("root")?;
    let cwd = open_dir("cwd")?;
    let (uid, gid) = ids_inside(pid)?;
    // Where the sandbox's user namespace allows setgroups (a full or
    // subordinate map) its command has no supplementary groups: ours go too.
    let groups_allowed =
        std::fs::read_to_string(format!("{proc_dir}/setgroups")).is_ok_and(|s| s.trim() == "allow");
    let limits = RESOURCES
        .into_iter()
        .map(|r| {
            let (soft, hard) = sys::getrlimit_of(pid, r.raw()).map_err(|e| gone("prlimit", e))?;
            Ok(super::config::Rlimit {
                resource: r,
                soft,
                hard,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let seccomp = confine::compile_seccomp(&cfg.seccomp)?;
    let home = if uid == 0 { "/root" } else { "/" };
    let vars = spawn::environment(cfg.env_base, home, None, &cfg.env);
    let mut exec = Exec::new(&cfg.argv, vars, format!("in the sandbox of process {pid}"))?;

    // 3. Which namespaces differ from ours; 4. join them.
    let joins = namespaces_to_join(pid, pidfd.is_none())?;
    let drop_groups = groups_allowed && joins.iter().any(|(n, _, _)| *n == "user");
    join(pid, pidfd.as_ref(), &joins)?;

    // 5. Fork into the pid namespace; the parent forwards signals and waits.
    let mut waited: Vec<libc::c_int> = FORWARDED.to_vec();
    waited.push(libc::SIGCHLD);
    let waitset = SigSet::of(&waited);
    let old_mask = waitset.block();
    let (err_r, err_w) = sys::pipe().map_err(|e| Error::sys("create the error pipe", e))?;
    let console = if cfg.pty {
        Some(sys::socketpair().map_err(|e| Error::sys("--pty: create the console socket", e))?)
    } else {
        None
    };
    let size = if cfg.pty { pty::caller_size() } else { None };
    let child = sys::fork().map_err(|e| Error::sys("enter: fork into the pid namespace", e))?;
    if child == 0 {
        drop(err_r);
        let console = console.map(|(ours, theirs)| {
            drop(ours);
            (theirs, size)
        });
        let e = match child_steps(
            &root,
            &cwd,
            (uid, gid, drop_groups),
            &limits,
            cfg,
            (seccomp.as_ref(), console),
            &old_mask,
        ) {
            Ok(()) => {
                // PWD is the target's cwd, known only once we stand in it.
                if cfg.env_base != EnvBase::Empty {
                    if let Ok(dir) = std::env::current_dir() {
                        exec.set_var(b"PWD", dir.as_os_str().as_bytes());
                    }
                }
                exec.exec()
            }
            Err(e) => e,
        };
        let _ = sys::write_all(err_w.as_fd(), e.to_string().as_bytes());
        sys::exit_now(e.exit_code());
    }
    drop(err_w);
    // The pty's master, once the child has opened it (none if it failed first).
    let master = match console {
        Some((ours, theirs)) => {
            drop(theirs);
            pty::receive_master(&ours).unwrap_or(None)
        }
        None => None,
    };
    let status = match master {
        Some(m) => pty::relay(m, child, &spawn::waited_signals()),
        None => spawn::supervise(child, &waitset, false),
    };
    old_mask.set_mask();
    let msg = sys::read_to_end(err_r.as_fd());
    if !msg.is_empty() {
        let msg = String::from_utf8_lossy(&msg).trim_end().to_string();
        return Err(match status {
            126 | 127 => Error::Exec { code: status, msg },
            _ => Error::Setup(msg),
        });
    }
    Ok(status)
}

/// A namespace of the target's to join: its name, its clone flag, and its
/// file when it is joined by file (no pidfd).
type Join = (&'static str, libc::c_int, Option<OwnedFd>);

/// The namespaces of `pid` that differ from ours (joining one's own user
/// namespace is EINVAL); `by_file`: opened, to join one by one.
fn namespaces_to_join(pid: libc::pid_t, by_file: bool) -> Result<Vec<Join>> {
    let proc_dir = format!("/proc/{pid}");
    let mut joins = Vec::new();
    for (name, flag) in NAMESPACES {
        let theirs = std::fs::metadata(format!("{proc_dir}/ns/{name}"));
        let ours = std::fs::metadata(format!("/proc/self/ns/{name}"));
        let same = matches!((&theirs, &ours), (Ok(t), Ok(o)) if t.st_ino() == o.st_ino() && t.st_dev() == o.st_dev());
        if same {
            continue;
        }
        if let Err(e) = theirs {
            return Err(Error::Setup(format!(
                "enter: process {pid}: cannot stat {proc_dir}/ns/{name}: {e}"
            )));
        }
        let fd = if by_file {
            Some(
                sys::open(&cstr(format!("{proc_dir}/ns/{name}")), libc::O_RDONLY).map_err(|e| {
                    Error::sys(
                        format!("enter: process {pid} (open {proc_dir}/ns/{name})"),
                        e,
                    )
                })?,
            )
        } else {
            None
        };
        joins.push((name, flag, fd));
    }
    Ok(joins)
}

/// Join `joins`: all at once through the pidfd, else one by one, user first.
fn join(pid: libc::pid_t, pidfd: Option<&OwnedFd>, joins: &[Join]) -> Result<()> {
    match pidfd {
        Some(pfd) => {
            let flags = joins.iter().fold(0, |f, (_, flag, _)| f | flag);
            if flags != 0 {
                sys::setns(pfd.as_fd(), flags).map_err(|e| {
                    Error::sys(format!("enter: setns(pidfd of {pid}, all namespaces)"), e)
                })?;
            }
        }
        None => {
            for (name, flag, fd) in joins {
                let fd = fd.as_ref().expect("opened above");
                sys::setns(fd.as_fd(), *flag)
                    .map_err(|e| Error::sys(format!("enter: setns /proc/{pid}/ns/{name}"), e))?;
            }
        }
    }
    Ok(())
}

/// The console socket and the caller's window size, with `pty`.
type Console = Option<(OwnedFd, Option<libc::winsize>)>;

fn child_steps(
    root: &OwnedFd,
    cwd: &OwnedFd,
    (uid, gid, drop_groups): (u32, u32, bool),
    limits: &[super::config::Rlimit],
    cfg: &EnterConfig,
    (seccomp, console): (Option<&seccompiler::BpfProgram>, Console),
    old_mask: &SigSet,
) -> Result<()> {
    sys::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong)
        .map_err(|e| Error::sys("prctl(PR_SET_PDEATHSIG)", e))?;
    sys::default_signals();
    sys::fchdir(root.as_fd()).map_err(|e| Error::sys("enter: chdir to the sandbox's root", e))?;
    sys::chroot_dot().map_err(|e| Error::sys("enter: chroot to the sandbox's root", e))?;
    sys::fchdir(cwd.as_fd()).map_err(|e| Error::sys("enter: chdir to the sandbox's cwd", e))?;
    // The pty, in the sandbox's devpts (the root we now stand in), owned by
    // the ids the command will have; its controlling terminal in a new session.
    if let Some((sock, size)) = console {
        let owner = ((sys::geteuid(), sys::getegid()) != (uid, gid)).then_some((uid, gid));
        pty::open_inside(sock, size, owner, false)?;
        pty::take_terminal(true)?;
    }
    confine::finish(&confine::Confinement {
        rlimits: limits,
        uid,
        gid,
        switch_ids: drop_groups || (sys::geteuid(), sys::getegid()) != (uid, gid),
        drop_groups,
        keep_caps: cfg.keep_caps,
        caps: cfg.caps,
        workdir: None,
        landlock: cfg.landlock,
        seccomp,
    })?;
    old_mask.set_mask();
    Ok(())
}

/// The process to enter for PID: PID itself, or, when PID is a sandbox's
/// sealed pid 1 (not dumpable: its root, cwd and namespaces cannot be opened
/// by the caller, sandbox.md "Pid 1"), its first child, the command, which
/// stands in the same namespaces, root and working directory.
fn through_sealed_init(pid: libc::pid_t) -> libc::pid_t {
    let root = cstr(format!("/proc/{pid}/root"));
    if !matches!(
        sys::open(&root, libc::O_PATH | libc::O_DIRECTORY),
        Err(Errno::EACCES)
    ) {
        return pid;
    }
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .ok()
        .and_then(|c| c.split_whitespace().next()?.parse().ok())
        .unwrap_or(pid)
}

/// The target's effective uid and gid as its own user namespace sees them.
fn ids_inside(pid: libc::pid_t) -> Result<(u32, u32)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| {
        Error::Setup(format!(
            "enter: process {pid}: cannot read /proc/{pid}/status: {e}"
        ))
    })?;
    let field = |name: &str| -> Option<u32> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    let (Some(host_uid), Some(host_gid)) = (field("Uid:"), field("Gid:")) else {
        return Err(Error::Setup(format!(
            "enter: process {pid}: no Uid/Gid in /proc/{pid}/status"
        )));
    };
    let inside = |map: &str, host: u32| -> Option<u32> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/{map}")).ok()?;
        text.lines().find_map(|l| {
            let f: Vec<u64> = l
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            let (ins, out, n) = (*f.first()?, *f.get(1)?, *f.get(2)?);
            let h = host as u64;
            (h >= out && h < out + n).then(|| (ins + h - out) as u32)
        })
    };
    Ok((
        inside("uid_map", host_uid).unwrap_or(host_uid),
        inside("gid_map", host_gid).unwrap_or(host_gid),
    ))
}
