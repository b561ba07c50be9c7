//! `hako unshare-exec`: run a command in a rootless sandbox of a host directory.

use std::ffi::OsString;
use std::path::PathBuf;

use hako::sandbox::{self, Bind, Config as SandboxConfig, NetMode};

use super::sandbox_cli::{report, setup_failed, ConfineArgs, EnvArgs};

#[derive(clap::Args)]
pub struct Args {
    /// uid inside the sandbox (the caller is mapped to it).
    #[arg(long, default_value_t = 0)]
    uid: u32,
    /// gid inside the sandbox.
    #[arg(long, default_value_t = 0)]
    gid: u32,
    /// Also map the caller's subordinate ids (/etc/subuid, newuidmap) as 1…N (as root, ids 0…65535 are always mapped).
    #[arg(long)]
    map_users: bool,
    /// Hostname inside (new UTS namespace).
    #[arg(long)]
    hostname: Option<String>,
    /// Network: none (only lo), host, or pasta (user-mode networking).
    #[arg(long, default_value = "none", value_name = "none|host|pasta")]
    net: String,
    /// Bind a host path: SRC:DST[:ro] (repeatable).
    #[arg(long, value_name = "SRC:DST[:ro]")]
    bind: Vec<String>,
    /// Bind a host path: SRC:DST:ro|rw (repeatable).
    #[arg(long, value_name = "SRC:DST:ro|rw")]
    mount: Vec<String>,
    /// Make ROOTFS itself read-only.
    #[arg(long)]
    ro_root: bool,
    /// Mount overlay on ROOTFS first, inside the sandbox: LOWER is overlay's
    /// lowerdir (directories topmost first, ':'-separated, each '\', ':'
    /// and ',' escaped with '\'); read-only without --overlay-upper.
    #[arg(long, value_name = "LOWER")]
    overlay: Option<String>,
    /// overlay's upper and work directories (one filesystem), as UPPER:WORK.
    #[arg(long, value_name = "UPPER:WORK", requires = "overlay")]
    overlay_upper: Option<String>,
    /// Mount a fresh tmpfs at DST (repeatable).
    #[arg(long, value_name = "DST")]
    tmpfs: Vec<PathBuf>,
    /// Working directory inside.
    #[arg(long, default_value = "/")]
    workdir: PathBuf,
    #[command(flatten)]
    env: EnvArgs,
    /// Keep capabilities (inside the user namespace only).
    #[arg(long)]
    keep_cap: bool,
    /// Resource limits: as=,core=,cpu=,data=,fsize=,memlock=,nofile=,nproc=,stack= (N, SOFT:HARD, unlimited).
    #[arg(long, value_name = "NAME=N,…")]
    rlimit: Vec<String>,
    #[command(flatten)]
    confine: ConfineArgs,
    /// cgroup v2 pids.max (0: no limit).
    #[arg(long, default_value_t = 1024)]
    pids_limit: u64,
    /// cgroup v2 memory.max (bytes, or with k/m/g).
    #[arg(long, value_name = "SIZE")]
    memory: Option<String>,
    /// cgroup v2 CPU quota, in CPUs (e.g. 0.5).
    #[arg(long)]
    cpus: Option<f64>,
    /// Run the command in a new session (no controlling terminal: defeats TIOCSTI).
    #[arg(long)]
    new_session: bool,
    /// Write the sandbox's pid to FILE, alone on one line, as hako-run does
    /// (removed at exit).
    #[arg(long, value_name = "FILE")]
    pid_file: Option<PathBuf>,
    /// Kill the sandbox when hako's parent dies.
    #[arg(long)]
    die_with_parent: bool,
    /// Run the command as pid 1 instead of under hako's minimal init.
    #[arg(long)]
    as_pid_1: bool,
    /// Give the command a pseudo-terminal of the sandbox's own devpts
    /// (its controlling terminal, in a new session); hako relays it to its
    /// stdin and stdout, the terminal in raw mode.
    #[arg(long)]
    pty: bool,
    /// The directory that becomes /.
    #[arg(value_name = "ROOTFS")]
    rootfs: PathBuf,
    /// The command and its arguments (default: /sbin/init, as hako-run).
    #[arg(value_name = "CMD", trailing_var_arg = true)]
    cmd: Vec<OsString>,
}

fn config(a: Args) -> Result<SandboxConfig, sandbox::Error> {
    let cmd = if a.cmd.is_empty() {
        vec![OsString::from("/sbin/init")]
    } else {
        a.cmd
    };
    let mut c = SandboxConfig::new(a.rootfs, cmd);
    c.uid = a.uid;
    c.gid = a.gid;
    c.map_users = a.map_users;
    c.hostname = a.hostname;
    c.net = a.net.parse::<NetMode>()?;
    for b in &a.bind {
        c.binds.push(Bind::parse(b, "--bind")?);
    }
    for m in &a.mount {
        c.binds.push(Bind::parse(m, "--mount")?);
    }
    c.ro_root = a.ro_root;
    if let Some(lowerdir) = a.overlay {
        let upper = match &a.overlay_upper {
            None => None,
            Some(uw) => {
                let (u, w) = uw
                    .split_once(':')
                    .filter(|(u, w)| !u.is_empty() && !w.is_empty())
                    .ok_or_else(|| {
                        sandbox::Error::Usage(format!(
                            "--overlay-upper '{uw}': expected UPPER:WORK"
                        ))
                    })?;
                Some((PathBuf::from(u), PathBuf::from(w)))
            }
        };
        c.overlay = Some(sandbox::OverlayRoot {
            lowerdir,
            upper,
            skeleton: std::env::temp_dir().join(format!("hako-skeleton-{}", std::process::id())),
            // The caller's upper directory outlives the run: synced as usual.
            volatile: false,
        });
    }
    for t in &a.tmpfs {
        if !t.is_absolute() {
            return Err(sandbox::Error::Usage(format!(
                "--tmpfs '{}': must be an absolute path",
                t.display()
            )));
        }
    }
    c.tmpfs = a.tmpfs;
    c.workdir = a.workdir;
    c.env = a.env.env()?;
    c.env_base = a.env.env_base();
    c.keep_caps = a.keep_cap;
    for r in &a.rlimit {
        c.rlimits.extend(sandbox::config::parse_rlimits(r)?);
    }
    c.seccomp = a.confine.seccomp()?;
    c.landlock = a.confine.landlock();
    c.cgroup = sandbox::CgroupLimits::parse(a.pids_limit, a.memory.as_deref(), a.cpus)?;
    c.new_session = a.new_session;
    c.pid_file = a.pid_file;
    c.die_with_parent = a.die_with_parent;
    c.as_pid_1 = a.as_pid_1;
    c.pty = a.pty;
    Ok(c)
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let cfg = config(a).map_err(setup_failed)?;
    // The overlay's skeleton of mount points (sandbox.md step 3) goes with the run.
    let skeleton = cfg.overlay.as_ref().map(|o| o.skeleton.clone());
    let ran = sandbox::start(&cfg).and_then(|sb| {
        report(&sb.warnings);
        sb.wait()
    });
    if let Some(s) = skeleton {
        let _ = hako::fsutil::remove_tree(&s);
    }
    let exit = ran.map_err(setup_failed)?;
    report(&exit.warnings);
    Ok(exit.status)
}
