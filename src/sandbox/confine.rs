//! Privileges of the sandboxed command: rlimits, capabilities, ids and groups,
//! no_new_privs, landlock and seccomp. Applied last, by [`finish`], just
//! before execve, the same way for `unshare-exec` and `enter`.
#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::path::Path;

use landlock::{
    Access, AccessFs, PathBeneath, PathFd, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus,
    ABI,
};
use nix::errno::Errno;
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

use super::config::{Rlimit, SeccompPolicy};
use super::error::{Error, Result};
use super::sys;

/// What the last steps before execve need (sandbox.md, steps 24–32): the
/// same for a new sandbox and for a command `enter` runs in one.
pub struct Confinement<'a> {
    pub rlimits: &'a [Rlimit],
    /// The ids the command runs as, inside.
    pub uid: u32,
    pub gid: u32,
    /// Switch to UID and GID: the id map made us someone else (`--map-users`,
    /// root's full map), or `enter` stands as other ids than its target.
    pub switch_ids: bool,
    /// Empty the supplementary groups on the switch (the user namespace
    /// allows setgroups: a single-id rootless map denies it).
    pub drop_groups: bool,
    /// Keep every capability (`--keep-cap`), as ambient for a non-zero uid.
    pub keep_caps: bool,
    /// Without `keep_caps`: what uid 0 keeps (its bounding set), a bit per capability.
    pub caps: u64,
    /// Where the command starts; None: where we stand.
    pub workdir: Option<&'a Path>,
    pub landlock: bool,
    pub seccomp: Option<&'a BpfProgram>,
}

/// Steps 24–32 of sandbox.md: rlimits, bounding set, ids and groups, working
/// directory, capabilities, no_new_privs, landlock, descriptors, seccomp.
pub fn finish(c: &Confinement) -> Result<()> {
    apply_rlimits(c.rlimits)?;
    // The bounding set needs CAP_SETPCAP, which a uid change may take away.
    if !c.keep_caps {
        drop_bounding_set(c.caps)?;
    }
    if c.switch_ids {
        if c.drop_groups {
            sys::setgroups(&[]).map_err(|e| Error::sys("setgroups []", e))?;
        }
        sys::setresgid(c.gid).map_err(|e| Error::sys(format!("setresgid {}", c.gid), e))?;
        if c.keep_caps {
            sys::prctl(libc::PR_SET_KEEPCAPS, 1)
                .map_err(|e| Error::sys("--keep-cap: PR_SET_KEEPCAPS", e))?;
        }
        sys::setresuid(c.uid).map_err(|e| Error::sys(format!("setresuid {}", c.uid), e))?;
        // A uid change clears the parent-death signal.
        sys::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong)
            .map_err(|e| Error::sys("prctl(PR_SET_PDEATHSIG)", e))?;
    }
    if let Some(dir) = c.workdir {
        sys::chdir(&sys::cstr(dir))
            .map_err(|e| Error::sys(format!("--workdir: chdir '{}'", dir.display()), e))?;
    }
    if c.keep_caps {
        if c.uid != 0 {
            keep_capabilities_ambient()?;
        }
    } else if c.caps != 0 && c.uid == 0 {
        keep_only(c.caps)?;
    } else {
        clear_capabilities()?;
    }
    no_new_privs()?;
    if c.landlock {
        landlock_root()?;
    }
    close_extra_fds()?;
    if let Some(prog) = c.seccomp {
        install_seccomp(prog)?;
    }
    Ok(())
}

fn apply_rlimits(limits: &[Rlimit]) -> Result<()> {
    for l in limits {
        sys::setrlimit(l.resource.raw(), l.soft, l.hard).map_err(|e| {
            Error::sys(
                format!(
                    "--rlimit: setrlimit {:?} to {}:{}",
                    l.resource, l.soft, l.hard
                ),
                e,
            )
        })?;
    }
    Ok(())
}

/// Capability names, by number (capability(7)); `CAP_` is left out.
pub const CAP_NAMES: [&str; 41] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
];

/// podman's default set for a container's root: CHOWN, DAC_OVERRIDE,
/// FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID,
/// SYS_CHROOT (held in the sandbox's user namespace only).
pub const DEFAULT_CAPS: u64 = 1 << 0
    | 1 << 1
    | 1 << 3
    | 1 << 4
    | 1 << 5
    | 1 << 10
    | 1 << 31
    | 1 << 6
    | 1 << 8
    | 1 << 7
    | 1 << 18;

/// A capability by name (`CAP_CHOWN`, `chown`) or number, as a bit; `ALL` is every one.
pub fn parse_cap(name: &str) -> Result<u64> {
    let upper = name.to_ascii_uppercase();
    let bare = upper.strip_prefix("CAP_").unwrap_or(&upper);
    if bare == "ALL" {
        return Ok(u64::MAX);
    }
    if let Some(i) = CAP_NAMES.iter().position(|n| *n == bare) {
        return Ok(1 << i);
    }
    match bare.parse::<u32>() {
        Ok(n) if n < 64 => Ok(1 << n),
        _ => Err(Error::Usage(format!("unknown capability '{name}'"))),
    }
}

/// The names of the capabilities in SET, for messages and records.
pub fn cap_names(set: u64) -> Vec<String> {
    (0..64)
        .filter(|i| set & (1 << i) != 0)
        .map(|i| match CAP_NAMES.get(i) {
            Some(n) => format!("CAP_{n}"),
            None => format!("{i}"),
        })
        .collect()
}

/// Empty the bounding set but for KEEP: after execve the command can gain no
/// other capability, even as uid 0 inside. Needs CAP_SETPCAP, so it runs
/// before any uid change.
fn drop_bounding_set(keep: u64) -> Result<()> {
    for cap in 0..=sys::last_cap() {
        if cap < 64 && keep & (1 << cap) != 0 {
            continue;
        }
        match sys::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong) {
            Ok(()) | Err(Errno::EINVAL) => {}
            Err(e) => {
                return Err(Error::sys(
                    format!("drop capability {cap} from the bounding set"),
                    e,
                ))
            }
        }
    }
    Ok(())
}

/// Empty the ambient, effective, permitted and inheritable sets.
fn clear_capabilities() -> Result<()> {
    sys::prctl(
        libc::PR_CAP_AMBIENT,
        libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
    )
    .map_err(|e| Error::sys("clear ambient capabilities", e))?;
    sys::capset(0, 0, 0).map_err(|e| Error::sys("capset to empty sets", e))
}

/// Keep SET (and nothing else) effective and permitted, none inheritable or
/// ambient: uid 0 inside starts the command with SET (its bounding set).
fn keep_only(set: u64) -> Result<()> {
    sys::prctl(
        libc::PR_CAP_AMBIENT,
        libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
    )
    .map_err(|e| Error::sys("clear ambient capabilities", e))?;
    sys::capset(set, set, 0).map_err(|e| Error::sys("capset to the kept set", e))
}

/// `--keep-cap` for a non-root uid inside: carry every capability across execve
/// as ambient (call after the uid change, which ran with PR_SET_KEEPCAPS).
fn keep_capabilities_ambient() -> Result<()> {
    let last = sys::last_cap();
    let all = if last >= 63 {
        u64::MAX
    } else {
        (1u64 << (last + 1)) - 1
    };
    sys::capset(all, all, all).map_err(|e| Error::sys("--keep-cap: capset", e))?;
    for cap in 0..=last {
        // A capability the kernel refuses stays non-ambient; the others still carry over.
        let _ = sys::prctl3(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_RAISE as libc::c_ulong,
            cap as libc::c_ulong,
        );
    }
    Ok(())
}

fn no_new_privs() -> Result<()> {
    sys::prctl(libc::PR_SET_NO_NEW_PRIVS, 1)
        .map_err(|e| Error::sys("prctl(PR_SET_NO_NEW_PRIVS)", e))
}

/// Landlock: every filesystem access is allowed beneath the sandbox's `/` and
/// to the files open on stdin/stdout/stderr, and nowhere else (inherited
/// descriptors and magic links into the host are refused). Skipped silently
/// where the kernel has no landlock. Returns whether it is enforced.
fn landlock_root() -> Result<bool> {
    let abi = ABI::V6;
    let step = |e: landlock::RulesetError| Error::Setup(format!("landlock: {e}"));
    let mut rs = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))
        .map_err(step)?
        .create()
        .map_err(step)?
        .add_rule(PathBeneath::new(
            PathFd::new("/").map_err(|e| Error::Setup(format!("landlock: open /: {e}")))?,
            AccessFs::from_all(abi),
        ))
        .map_err(step)?;
    for fd in 0..3 {
        // Only regular files and devices: pipes and sockets need no rule, directories get none.
        let Ok(st) = nix::sys::stat::fstat(sys::stdio(fd)) else {
            continue;
        };
        let fmt = st.st_mode & libc::S_IFMT;
        if fmt == libc::S_IFREG || fmt == libc::S_IFCHR {
            rs = rs
                .add_rule(PathBeneath::new(sys::stdio(fd), AccessFs::from_file(abi)))
                .map_err(step)?;
        }
    }
    let status = rs.restrict_self().map_err(step)?;
    Ok(status.ruleset != RulesetStatus::NotEnforced)
}

/// Syscalls refused with EPERM by the default filter: those that container
/// runtimes deny by default because they reach kernel code no container needs
/// (keyrings, BPF, modules, kexec, perf, swap, clock, accounting, handles…).
fn default_denied() -> Vec<i64> {
    let mut v = vec![
        libc::SYS_acct,
        libc::SYS_add_key,
        libc::SYS_bpf,
        libc::SYS_clock_adjtime,
        libc::SYS_clock_settime,
        libc::SYS_delete_module,
        libc::SYS_fanotify_init,
        libc::SYS_finit_module,
        libc::SYS_init_module,
        libc::SYS_kcmp,
        libc::SYS_kexec_file_load,
        libc::SYS_kexec_load,
        libc::SYS_keyctl,
        libc::SYS_lookup_dcookie,
        libc::SYS_name_to_handle_at,
        libc::SYS_open_by_handle_at,
        libc::SYS_perf_event_open,
        libc::SYS_quotactl,
        libc::SYS_reboot,
        libc::SYS_request_key,
        libc::SYS_settimeofday,
        libc::SYS_swapoff,
        libc::SYS_swapon,
        libc::SYS_syslog,
        libc::SYS_userfaultfd,
        libc::SYS_vhangup,
    ];
    #[cfg(target_arch = "x86_64")]
    v.extend([
        174, // create_module (removed from libc; still a number the kernel answers ENOSYS to)
        177, // get_kernel_syms
        libc::SYS_ioperm,
        libc::SYS_iopl,
        libc::SYS_nfsservctl,
        178, // query_module
        libc::SYS__sysctl,
        libc::SYS_sysfs,
        libc::SYS_uselib,
        libc::SYS_ustat,
    ]);
    v
}

fn target_arch() -> Result<TargetArch> {
    TargetArch::try_from(std::env::consts::ARCH).map_err(|_| {
        Error::Usage(format!(
            "seccomp: architecture {} is not supported",
            std::env::consts::ARCH
        ))
    })
}

/// Compile the filter before anything is created, so a bad policy fails early.
pub fn compile_seccomp(policy: &SeccompPolicy) -> Result<Option<BpfProgram>> {
    let arch = target_arch();
    match policy {
        SeccompPolicy::Off => Ok(None),
        SeccompPolicy::Default => {
            let mut rules: BTreeMap<i64, Vec<SeccompRule>> =
                default_denied().into_iter().map(|n| (n, vec![])).collect();
            // Faking terminal input (TIOCSTI) and TIOCLINUX let a sandbox type commands into the caller's shell.
            let ioctl_rule = |req: u64| -> Result<SeccompRule> {
                let cond = SeccompCondition::new(1, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, req)
                    .map_err(|e| Error::Setup(format!("seccomp: {e}")))?;
                SeccompRule::new(vec![cond]).map_err(|e| Error::Setup(format!("seccomp: {e}")))
            };
            rules.insert(
                libc::SYS_ioctl,
                vec![ioctl_rule(libc::TIOCSTI)?, ioctl_rule(libc::TIOCLINUX)?],
            );
            let filter = SeccompFilter::new(
                rules,
                SeccompAction::Allow,
                SeccompAction::Errno(libc::EPERM as u32),
                arch?,
            )
            .map_err(|e| Error::Setup(format!("seccomp: default filter: {e}")))?;
            let prog: BpfProgram = filter
                .try_into()
                .map_err(|e| Error::Setup(format!("seccomp: default filter: {e}")))?;
            Ok(Some(prog))
        }
        SeccompPolicy::File(path) => {
            let file = std::fs::File::open(path).map_err(|e| {
                Error::Usage(format!("--seccomp: cannot open '{}': {e}", path.display()))
            })?;
            let mut map = seccompiler::compile_from_json(std::io::BufReader::new(file), arch?)
                .map_err(|e| Error::Usage(format!("--seccomp: '{}': {e}", path.display())))?;
            let prog = if map.len() == 1 {
                map.into_values().next()
            } else {
                map.remove("main")
            };
            match prog {
                Some(p) if !p.is_empty() => Ok(Some(p)),
                _ => Err(Error::Usage(format!(
                    "--seccomp: '{}': expected exactly one filter, or one named \"main\"",
                    path.display()
                ))),
            }
        }
    }
}

fn install_seccomp(prog: &BpfProgram) -> Result<()> {
    if prog.is_empty() {
        return Err(Error::Setup(
            "seccomp: install filter: empty program".into(),
        ));
    }
    crate::sandbox::sys::seccomp_set_filter(prog)
        .map_err(|e| Error::Setup(format!("seccomp: install filter: {e}")))
}

/// Make fd 0..2 the only descriptors the command inherits.
fn close_extra_fds() -> Result<()> {
    match sys::cloexec_from(3) {
        Ok(()) => Ok(()),
        Err(Errno::ENOSYS) => {
            // Old kernel: mark each open descriptor close-on-exec.
            if let Ok(dir) = std::fs::read_dir("/proc/self/fd") {
                let fds: Vec<i32> = dir
                    .flatten()
                    .filter_map(|e| e.file_name().to_str()?.parse().ok())
                    .collect();
                for fd in fds.into_iter().filter(|&fd| fd > 2) {
                    let _ = nix::fcntl::fcntl(
                        sys::stdio(fd),
                        nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
                    );
                }
            }
            Ok(())
        }
        Err(e) => Err(Error::sys(
            "mark inherited descriptors close-on-exec (close_range)",
            e,
        )),
    }
}
