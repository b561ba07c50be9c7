//! What a sandbox is made of: the typed configuration that `unshare-exec`
//! builds from its arguments, and the parsers for its small option syntaxes.
#![warn(missing_docs)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::error::Error;
use crate::config::parse_size;

/// How the sandbox reaches the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetMode {
    /// A new network namespace with only `lo`, up.
    None,
    /// The host's network namespace.
    Host,
    /// A new network namespace connected by `pasta` (user-mode networking).
    Pasta,
}

impl std::str::FromStr for NetMode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "none" => Ok(NetMode::None),
            "host" => Ok(NetMode::Host),
            "pasta" => Ok(NetMode::Pasta),
            _ => Err(Error::Usage(format!(
                "unknown network mode '{s}' (expected none, host or pasta)"
            ))),
        }
    }
}

/// What the command's environment starts from, before `--env`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvBase {
    /// `PATH` (a standard one), `HOME` (of the uid inside), `TERM` (the
    /// caller's, if set) and `PWD` (the working directory inside): nothing of
    /// the host leaks in.
    Minimal,
    /// The caller's whole environment (`PWD` still the working directory inside).
    Host,
    /// Nothing.
    Empty,
}

/// Which seccomp filter the command runs under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeccompPolicy {
    /// No filter.
    Off,
    /// hako's built-in filter.
    Default,
    /// A filter file in seccompiler's JSON format.
    File(PathBuf),
}

impl SeccompPolicy {
    /// `off`, `default`, or the path of an existing file.
    pub fn parse(s: &str) -> Result<Self, Error> {
        match s {
            "off" => Ok(SeccompPolicy::Off),
            "default" => Ok(SeccompPolicy::Default),
            _ if Path::new(s).is_file() => Ok(SeccompPolicy::File(PathBuf::from(s))),
            _ => Err(Error::Usage(format!(
                "unknown seccomp policy '{s}' (expected off, default or an existing FILE)"
            ))),
        }
    }
}

/// A host path made visible inside the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bind {
    /// The host path.
    pub src: PathBuf,
    /// Where it appears inside (absolute).
    pub dst: PathBuf,
    /// Mounted read-only (`:ro`).
    pub readonly: bool,
}

impl Bind {
    /// Parse `SRC:DST[:ro|rw]`; `option` names the flag in errors.
    pub fn parse(spec: &str, option: &str) -> Result<Bind, Error> {
        let bad = |why: &str| {
            Error::Usage(format!(
                "{option} '{spec}': {why} (expected SRC:DST[:ro|rw])"
            ))
        };
        let parts: Vec<&str> = spec.split(':').collect();
        let (src, dst, readonly) = match parts.as_slice() {
            [s, d] => (*s, *d, false),
            [s, d, "ro"] => (*s, *d, true),
            [s, d, "rw"] => (*s, *d, false),
            [_, _, m] => return Err(bad(&format!("unknown mode '{m}'"))),
            _ => return Err(bad("wrong number of ':'-separated fields")),
        };
        if src.is_empty() || dst.is_empty() {
            return Err(bad("empty path"));
        }
        if !dst.starts_with('/') {
            return Err(bad("DST must be an absolute path inside the sandbox"));
        }
        Ok(Bind {
            src: PathBuf::from(src),
            dst: PathBuf::from(dst),
            readonly,
        })
    }
}

/// One resource limit: soft and hard values (`u64::MAX` is unlimited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rlimit {
    /// Which limit.
    pub resource: RlimitResource,
    /// The soft limit.
    pub soft: u64,
    /// The hard limit.
    pub hard: u64,
}

/// A resource `--rlimit` can limit (`as`, `nofile`, …; `setrlimit(2)`'s `RLIMIT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RlimitResource {
    /// `RLIMIT_AS`: address space, in bytes.
    As,
    /// `RLIMIT_CORE`: core file size, in bytes.
    Core,
    /// `RLIMIT_CPU`: CPU time, in seconds.
    Cpu,
    /// `RLIMIT_DATA`: data segment, in bytes.
    Data,
    /// `RLIMIT_FSIZE`: file size, in bytes.
    Fsize,
    /// `RLIMIT_MEMLOCK`: locked memory, in bytes.
    Memlock,
    /// `RLIMIT_NOFILE`: open files.
    Nofile,
    /// `RLIMIT_NPROC`: processes.
    Nproc,
    /// `RLIMIT_STACK`: stack size, in bytes.
    Stack,
}

impl RlimitResource {
    fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "as" => Self::As,
            "core" => Self::Core,
            "cpu" => Self::Cpu,
            "data" => Self::Data,
            "fsize" => Self::Fsize,
            "memlock" => Self::Memlock,
            "nofile" => Self::Nofile,
            "nproc" => Self::Nproc,
            "stack" => Self::Stack,
            _ => return None,
        })
    }

    /// The kernel's resource number (its C type differs between libcs).
    #[allow(clippy::unnecessary_cast)]
    pub fn raw(self) -> u32 {
        (match self {
            Self::As => libc::RLIMIT_AS,
            Self::Core => libc::RLIMIT_CORE,
            Self::Cpu => libc::RLIMIT_CPU,
            Self::Data => libc::RLIMIT_DATA,
            Self::Fsize => libc::RLIMIT_FSIZE,
            Self::Memlock => libc::RLIMIT_MEMLOCK,
            Self::Nofile => libc::RLIMIT_NOFILE,
            Self::Nproc => libc::RLIMIT_NPROC,
            Self::Stack => libc::RLIMIT_STACK,
        }) as u32
    }

    fn takes_bytes(self) -> bool {
        matches!(
            self,
            Self::As | Self::Core | Self::Data | Self::Fsize | Self::Memlock | Self::Stack
        )
    }
}

/// Parse `name=VALUE[,name=VALUE…]`, VALUE being `N`, `SOFT:HARD` or `unlimited`
/// (sizes take k/m/g suffixes).
pub fn parse_rlimits(spec: &str) -> Result<Vec<Rlimit>, Error> {
    let bad = |why: String| Error::Usage(format!("--rlimit '{spec}': {why}"));
    let mut out = Vec::new();
    for item in spec.split(',').filter(|s| !s.is_empty()) {
        let (name, value) = item
            .split_once('=')
            .ok_or_else(|| bad(format!("'{item}' is not name=VALUE")))?;
        let resource = RlimitResource::from_name(name).ok_or_else(|| {
            bad(format!(
                "unknown resource '{name}' (expected as, core, cpu, data, fsize, memlock, nofile, nproc, stack)"
            ))
        })?;
        let one = |v: &str| -> Result<u64, Error> {
            if v == "unlimited" || v == "inf" {
                return Ok(u64::MAX);
            }
            let n = if resource.takes_bytes() {
                parse_size(v)
            } else {
                v.parse().ok()
            };
            n.ok_or_else(|| bad(format!("bad value '{v}' for {name}")))
        };
        let (soft, hard) = match value.split_once(':') {
            Some((s, h)) => (one(s)?, one(h)?),
            None => {
                let v = one(value)?;
                (v, v)
            }
        };
        if soft > hard {
            return Err(bad(format!("{name}: soft limit above hard limit")));
        }
        out.push(Rlimit {
            resource,
            soft,
            hard,
        });
    }
    Ok(out)
}

/// cgroup v2 limits; `None` leaves a resource unlimited.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CgroupLimits {
    /// The most processes (`pids.max`).
    pub pids: Option<u64>,
    /// The most memory, in bytes (`memory.max`).
    pub memory: Option<u64>,
    /// CPUs' worth of time per period (e.g. 0.5).
    pub cpus: Option<f64>,
}

impl CgroupLimits {
    /// The limits of `--pids-limit N` (0: none), `--memory SIZE` and
    /// `--cpus N`, checked.
    pub fn parse(
        pids: u64,
        memory: Option<&str>,
        cpus: Option<f64>,
    ) -> Result<CgroupLimits, Error> {
        let memory = match memory {
            Some(m) => Some(parse_size(m).ok_or_else(|| {
                Error::Usage(format!("--memory '{m}': expected a size (e.g. 512m)"))
            })?),
            None => None,
        };
        if let Some(c) = cpus {
            if c.is_nan() || c <= 0.0 {
                return Err(Error::Usage(format!("--cpus {c}: must be positive")));
            }
        }
        Ok(CgroupLimits {
            pids: (pids > 0).then_some(pids),
            memory,
            cpus,
        })
    }

    /// Whether no limit is set.
    pub fn is_empty(&self) -> bool {
        self.pids.is_none() && self.memory.is_none() && self.cpus.is_none()
    }
}

/// A root made by the kernel's overlay filesystem inside the sandbox's
/// user and mount namespaces (sandbox.md, step 22.2), mounted on ROOTFS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlayRoot {
    /// overlay's `lowerdir=` value (topmost first, `\`, `:`, `,` escaped).
    pub lowerdir: String,
    /// The upper and work directories; None mounts read-only (lower only).
    pub upper: Option<(PathBuf, PathBuf)>,
    /// A directory the sandbox fills with the mount points (proc, dev, tmp,
    /// --tmpfs and bind destinations) and stacks under the lower
    /// directories, so no mount point is ever made in the upper directory.
    pub skeleton: PathBuf,
    /// The upper directory is discarded with the run: mount `volatile`
    /// (no sync of the upper filesystem, at the unmount either).
    pub volatile: bool,
}

/// An overlay mounted at a path inside an overlay root, over one host
/// directory (`run --host`, runtime.md "Host instances"; sandbox.md 22.1b).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NestedOverlay {
    /// Where inside (absolute); it exists in the root, or, under a tmpfs
    /// the sandbox mounts, is made there.
    pub target: PathBuf,
    /// The host directory, overlay's single lower directory.
    pub lower: PathBuf,
    /// overlay's upper directory.
    pub upper: PathBuf,
    /// overlay's work directory.
    pub work: PathBuf,
}

/// Everything `unshare-exec` needs to build and run one sandbox.
#[derive(Debug, Clone)]
pub struct Config {
    /// The directory that becomes `/` (with `overlay`: the mount point).
    pub rootfs: PathBuf,
    /// Mount overlay on ROOTFS first (run's overlay instances).
    pub overlay: Option<OverlayRoot>,
    /// Overlays mounted inside that root (`run --host`).
    pub nested_overlays: Vec<NestedOverlay>,
    /// The command and its arguments; a name without `/` is searched in PATH inside.
    pub argv: Vec<OsString>,
    /// uid and gid inside the sandbox (the caller is mapped to them).
    pub uid: u32,
    /// The gid inside.
    pub gid: u32,
    /// Map a range of subordinate ids (newuidmap/newgidmap, /etc/subuid).
    pub map_users: bool,
    /// The hostname inside (a new UTS namespace), if set.
    pub hostname: Option<String>,
    /// How the sandbox reaches the network.
    pub net: NetMode,
    /// `--bind`/`--mount`, in command-line order.
    pub binds: Vec<Bind>,
    /// Fresh tmpfs mounts, by destination inside.
    pub tmpfs: Vec<PathBuf>,
    /// A fresh tmpfs on /tmp (sandbox.md step 22.6); false keeps the root's
    /// own /tmp (`run --host` started from a directory under /tmp).
    pub fresh_tmp: bool,
    /// Mount the root read-only.
    pub ro_root: bool,
    /// The working directory inside.
    pub workdir: PathBuf,
    /// What the environment starts from.
    pub env_base: EnvBase,
    /// `--env` variables, set over `env_base`.
    pub env: Vec<(OsString, OsString)>,
    /// The user's home directory, when the caller knows it: else it is read
    /// from ROOTFS's /etc/passwd (through FUSE that costs a few round trips).
    pub home: Option<String>,
    /// Every capability, carried across execve even for a non-root uid (`--keep-cap`).
    pub keep_caps: bool,
    /// Without `keep_caps`: the capabilities uid 0 inside keeps (a bit per
    /// number, as `confine::DEFAULT_CAPS`); other uids get none.
    pub caps: u64,
    /// Resource limits set before exec.
    pub rlimits: Vec<Rlimit>,
    /// The seccomp filter.
    pub seccomp: SeccompPolicy,
    /// Confine filesystem access with landlock to beneath the sandbox's `/`.
    pub landlock: bool,
    /// cgroup v2 limits.
    pub cgroup: CgroupLimits,
    /// Run the command in a new session (no controlling terminal: defeats TIOCSTI).
    pub new_session: bool,
    /// Write the sandbox's pid to this file (removed at exit).
    pub pid_file: Option<PathBuf>,
    /// Kill the sandbox when hako's parent dies.
    pub die_with_parent: bool,
    /// Exec the command as pid 1 instead of under hako's minimal init.
    pub as_pid_1: bool,
    /// A pseudo-terminal of the sandbox's devpts as the command's stdio and
    /// controlling terminal, relayed by hako (sandbox.md, "The terminal").
    pub pty: bool,
}

impl Config {
    /// A sandbox of ROOTFS running ARGV with every default of the issue.
    pub fn new(rootfs: PathBuf, argv: Vec<OsString>) -> Config {
        Config {
            rootfs,
            overlay: None,
            nested_overlays: Vec::new(),
            argv,
            uid: 0,
            gid: 0,
            map_users: false,
            hostname: None,
            net: NetMode::None,
            binds: Vec::new(),
            tmpfs: Vec::new(),
            fresh_tmp: true,
            ro_root: false,
            workdir: PathBuf::from("/"),
            env_base: EnvBase::Minimal,
            env: Vec::new(),
            home: None,
            keep_caps: false,
            caps: 0,
            rlimits: Vec::new(),
            seccomp: SeccompPolicy::Default,
            landlock: true,
            cgroup: CgroupLimits {
                pids: Some(1024),
                memory: None,
                cpus: None,
            },
            new_session: false,
            pid_file: None,
            die_with_parent: false,
            as_pid_1: false,
            pty: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_syntax() {
        assert_eq!(
            Bind::parse("/a:/b", "--bind").unwrap(),
            Bind {
                src: "/a".into(),
                dst: "/b".into(),
                readonly: false
            }
        );
        assert!(Bind::parse("/a:/b:ro", "--bind").unwrap().readonly);
        assert!(!Bind::parse("a:/b:rw", "--mount").unwrap().readonly);
        for bad in ["/a", "/a:b", ":/b", "/a:/b:rx", "/a:/b:ro:x", "/a:"] {
            let e = Bind::parse(bad, "--bind").unwrap_err().to_string();
            assert!(e.starts_with(&format!("--bind '{bad}'")), "{e}");
        }
    }

    #[test]
    fn rlimit_syntax() {
        let r = parse_rlimits("nofile=64,as=1g,core=0,cpu=2:3,fsize=unlimited").unwrap();
        assert_eq!(
            r[0],
            Rlimit {
                resource: RlimitResource::Nofile,
                soft: 64,
                hard: 64
            }
        );
        assert_eq!(r[1].soft, 1 << 30);
        assert_eq!((r[3].soft, r[3].hard), (2, 3));
        assert_eq!(r[4].hard, u64::MAX);
        assert!(parse_rlimits("bogus=1").is_err());
        assert!(parse_rlimits("nofile").is_err());
        assert!(parse_rlimits("nofile=9:8").is_err());
        assert!(parse_rlimits("nofile=1k").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512m"), Some(512 << 20));
        assert_eq!(parse_size("10"), Some(10));
        assert_eq!(parse_size("x"), None);
    }

    #[test]
    fn seccomp_policy() {
        assert_eq!(SeccompPolicy::parse("off").unwrap(), SeccompPolicy::Off);
        assert!(SeccompPolicy::parse("/nonexistent/policy").is_err());
    }
}
