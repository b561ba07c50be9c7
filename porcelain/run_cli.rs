//! The command line of `hako run` (and of `shell`, which is run with other
//! defaults): its options, turned into a typed run request (the target,
//! the image's defaults, the sandbox's configuration, the command checked
//! in the tree) that the supervisor (`hako::runtime::supervisor`) runs.

use std::path::PathBuf;

use anyhow::bail;

use hako::runtime::datapath::DataPath;
use hako::runtime::instance::check_fuse;
use hako::runtime::supervisor::RunRequest;
use hako::sandbox::{self, Bind, NetMode};
use hako::workspace::Workspace;

use crate::plumbing;
use crate::plumbing::sandbox_cli::setup_failed;

#[derive(clap::Args, Clone)]
pub struct Args {
    /// Discard the command's writes (a temporary instance) and its state when it ends.
    #[arg(long)]
    pub rm: bool,
    /// Name the instance (for ps, logs, exec, stop…).
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    /// Run in the background; stdout and stderr go to the instance's log.
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Mount the tree read-only.
    #[arg(long)]
    pub ro: bool,
    /// Allocate a pseudo-terminal in the container for the command (its
    /// controlling terminal; implies -i): job control works inside, and the
    /// host's terminal is never the container's. Not with -d.
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Keep stdin attached (default: /dev/null).
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// Bind a host path: SRC:DST[:ro] (repeatable).
    #[arg(long, value_name = "SRC:DST[:ro]")]
    pub bind: Vec<String>,
    /// Add the binds of a profile of the user config: its `bind` values under
    /// [bind-profile "NAME"] in ~/.config/hako/config (repeatable).
    #[arg(long, value_name = "NAME")]
    pub bind_profile: Vec<String>,
    /// Bind the host paths named in the command's arguments (absolute, ~/…,
    /// ./…, ../…) at the same place inside (relative ones are made absolute).
    #[arg(long)]
    pub auto_mount: bool,
    /// Network: none (only lo), host, or pasta.
    #[arg(long, default_value = "none", value_name = "none|host|pasta")]
    pub net: String,
    /// Set an environment variable (repeatable).
    #[arg(short = 'e', long = "env", value_name = "K=V")]
    pub env: Vec<String>,
    /// Read K=V lines from a file (# comments and blank lines skipped).
    #[arg(long, value_name = "F")]
    pub env_file: Vec<PathBuf>,
    /// User inside: NAME, UID or UID:GID (default: the image's, else root).
    #[arg(short = 'u', long, value_name = "USER")]
    pub user: Option<String>,
    /// Working directory inside (default: the image's, else /).
    #[arg(short = 'w', long, value_name = "DIR")]
    pub workdir: Option<String>,
    /// Resource limits: as=,core=,cpu=,data=,fsize=,memlock=,nofile=,nproc=,stack= (N, SOFT:HARD, unlimited).
    #[arg(long, value_name = "NAME=N,…")]
    pub rlimit: Vec<String>,
    /// seccomp filter: off, default, or a seccompiler JSON FILE.
    #[arg(long, default_value = "default", value_name = "off|default|FILE")]
    pub seccomp: String,
    /// Add capabilities to the container root's set (podman's default:
    /// CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP SETGID
    /// SETPCAP SETUID SYS_CHROOT); names as CAP_NET_RAW or net_raw, or ALL.
    #[arg(long, value_name = "CAP,…", value_delimiter = ',')]
    pub cap_add: Vec<String>,
    /// Remove capabilities from that set (ALL: run with none).
    #[arg(long, value_name = "CAP,…", value_delimiter = ',')]
    pub cap_drop: Vec<String>,
    /// Keep every capability (inside the user namespace only), for any user.
    #[arg(long)]
    pub keep_cap: bool,
    /// Map the container's ids 0…N to the caller's subordinate ids
    /// (/etc/subuid, /etc/subgid), as rootless podman does.
    #[arg(long)]
    pub map_users: bool,
    /// Do not confine filesystem access with landlock.
    #[arg(long)]
    pub no_landlock: bool,
    /// Mount a fresh tmpfs at DST (repeatable).
    #[arg(long, value_name = "DST")]
    pub tmpfs: Vec<PathBuf>,
    /// Write the sandbox's pid to FILE, alone on one line (as unshare-exec
    /// does; removed at exit), for `hako enter $(cat FILE) CMD`.
    #[arg(long, value_name = "FILE")]
    pub pid_file: Option<PathBuf>,
    /// Bind a host path: SRC:DST:ro|rw (repeatable; as unshare-exec).
    #[arg(long, value_name = "SRC:DST:ro|rw")]
    pub mount: Vec<String>,
    /// Hostname inside (default: hako).
    #[arg(long)]
    pub hostname: Option<String>,
    /// cgroup v2 pids.max (0: no limit).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub pids_limit: u64,
    /// cgroup v2 memory.max (bytes, or with k/m/g).
    #[arg(long, value_name = "SIZE")]
    pub memory: Option<String>,
    /// cgroup v2 CPU quota, in CPUs (e.g. 0.5).
    #[arg(long, value_name = "N")]
    pub cpus: Option<f64>,
    /// Run the command in a new session (no controlling terminal: defeats TIOCSTI).
    #[arg(long)]
    pub new_session: bool,
    /// Kill the container when hako's parent dies.
    #[arg(long)]
    pub die_with_parent: bool,
    /// The data path: overlay (the kernel's, over the checkout cache), fuse,
    /// or materialize (default: run.fs of the configuration, else overlay
    /// where it works, else FUSE).
    #[arg(long, value_name = "overlay|fuse|materialize")]
    pub fs: Option<String>,
    /// Same as --fs materialize: check the tree out into the instance's
    /// directory, run there, and fold what the command changed back.
    #[arg(long, conflicts_with = "fs")]
    pub materialize: bool,
    /// Remove the instance's record once it has ended (apply's steps).
    #[arg(long, hide = true)]
    pub forget: bool,
    /// Commit the working root after the command exits.
    #[arg(long)]
    pub commit: bool,
    /// Commit the working root when the command exits and after each
    /// `hako exec` into this instance ends (not with --materialize).
    #[arg(long, conflicts_with = "materialize")]
    pub autocommit: bool,
    /// The message of --commit (default: "run: CMD").
    #[arg(short = 'm', long, value_name = "MSG", requires = "commit")]
    pub message: Option<String>,
    /// Run a host program over the host's own files: a temporary container
    /// whose lower directories are the host's, read-only; writes are
    /// discarded (see --keep-as). No container or revision is named.
    #[arg(long)]
    pub host: bool,
    /// With --host: keep what the command changed as the new container
    /// CONTAINER (its first commit holds the host's versions of the changed
    /// paths, its working root the change: see status, diff, commit).
    #[arg(long, value_name = "CONTAINER")]
    pub keep_as: Option<String>,
    /// CONTAINER or REV (default: the active container), then the command
    /// (default: the image's, else /bin/sh).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "CONTAINER|REV] [--] [CMD"
    )]
    pub args: Vec<String>,
}

impl Args {
    /// The options of a `run` given none (clap's defaults).
    pub fn defaults() -> Args {
        #[derive(clap::Parser)]
        struct Line {
            #[command(flatten)]
            args: Args,
        }
        <Line as clap::Parser>::try_parse_from(["run"])
            .expect("run parses without arguments")
            .args
    }
}

/// Run what `a` asks for: `hako run`'s whole behaviour.
pub fn run(a: Args) -> anyhow::Result<i32> {
    if a.host {
        return run_host(a);
    }
    if a.keep_as.is_some() {
        return Err(plumbing::usage("--keep-as needs --host"));
    }
    let fs = match (&a.fs, a.materialize) {
        (_, true) => Some(DataPath::Materialize),
        (Some(f), false) => Some(DataPath::parse(f).ok_or_else(|| {
            plumbing::usage(format!("--fs '{f}': expected overlay, fuse or materialize"))
        })?),
        (None, false) => None,
    };
    if a.tty && a.detach {
        return Err(plumbing::usage(
            "-t with -d: a detached instance has no terminal to relay its pseudo-terminal to (hako has no attach); use -d alone, or -t in the foreground",
        ));
    }
    if fs == Some(DataPath::Fuse) {
        check_fuse()?;
    }
    let ws0 = plumbing::open_workspace()?;
    let req = request(&ws0, &a, fs)?;
    super::run_request(&ws0, req)
}

/// Refuse an option where the container or the command is expected: an
/// unknown option in first place, any option before a later `--`, or one of
/// run's own options right after the container (clap takes everything from
/// the first positional argument on as the command).
fn misplaced_option(rest: &[String], after_target: bool) -> anyhow::Result<()> {
    let Some(first) = rest.first().filter(|f| f.starts_with('-') && *f != "--") else {
        return Ok(());
    };
    let name = first.split('=').next().unwrap_or(first);
    let cmd = <Args as clap::Args>::augment_args(clap::Command::new("run"));
    let known = cmd.get_arguments().any(|arg| {
        arg.get_long()
            .is_some_and(|l| name.strip_prefix("--") == Some(l))
            || arg
                .get_short()
                .is_some_and(|c| name.len() == 2 && name.strip_prefix('-') == Some(&c.to_string()))
    });
    let before_dashes = rest.iter().any(|s| s == "--");
    // `hako run -- -x`: clap took that `--`, so -x is the command.
    if !after_target && !before_dashes && std::env::args().any(|s| s == "--") {
        return Ok(());
    }
    if known && (after_target || before_dashes) {
        return Err(plumbing::usage(format!(
            "option '{first}' must come before the container and the command (hako run [OPTIONS] [CONTAINER|REV] [--] [CMD…])"
        )));
    }
    if !after_target && (before_dashes || !known) {
        return Err(plumbing::usage(format!(
            "unknown option '{first}' (see 'hako run --help')"
        )));
    }
    Ok(())
}

/// The arguments as a typed request: the target told from the command, the
/// options parsed (one fatal line for each bad one).
fn request(ws0: &Workspace, a: &Args, fs: Option<DataPath>) -> anyhow::Result<RunRequest> {
    let containers = ws0.containers()?;
    // The first argument is the target when it names a container or a
    // revision (clap has already taken a `--`); else the command starts there.
    let mut rest: &[String] = &a.args;
    let mut target: Option<String> = None;
    if let Some(first) = rest.first() {
        let is_target =
            containers.contains(first) || hako::revparse::rev_parse_tree(ws0.repo(), first).is_ok();
        if is_target {
            target = Some(first.clone());
            rest = &rest[1..];
        }
    }
    misplaced_option(rest, target.is_some())?;
    if rest.first().is_some_and(|s| s == "--") {
        rest = &rest[1..];
    } else if target.is_none() && rest.get(1).is_some_and(|s| s == "--") {
        // `run X -- CMD`: X was meant as the container.
        bail!("no such container or revision '{}'", rest[0]);
    }
    let mut req = RunRequest::new(target, rest.to_vec());
    req.command_may_be_target = req.target.is_none() && !rest.is_empty();
    options(&mut req, a)?;
    req.fs = fs;
    Ok(req)
}

/// `run --host [OPTIONS] [--] CMD…` (format-spec/runtime.md, "Host
/// instances"): no workspace is needed unless --keep-as names a container.
fn run_host(a: Args) -> anyhow::Result<i32> {
    use hako::runtime::supervisor::{host, HostRun};
    use plumbing::sandbox_cli::{run_error, RunWarnings};
    let mut rest: &[String] = &a.args;
    misplaced_option(rest, false)?;
    // clap took a `--` before the command: its first word is no container.
    let explicit = std::env::args().any(|s| s == "--") && !rest.iter().any(|s| s == "--");
    let ws = plumbing::open_workspace();
    let mut target = None;
    if let (Ok(ws), Some(first), false) = (&ws, rest.first(), explicit) {
        if ws.containers()?.contains(first) {
            target = Some(first.clone());
        }
    }
    if rest.first().is_some_and(|s| s == "--") {
        rest = &rest[1..];
    }
    let keep_as = match (&a.keep_as, ws) {
        (None, _) => None,
        (Some(name), Ok(ws)) => Some((ws, name.clone())),
        (Some(_), Err(e)) => return Err(anyhow::anyhow!("--keep-as needs a workspace ({e})")),
    };
    let mut req = RunRequest::new(target, rest.to_vec());
    options(&mut req, &a)?;
    if a.fs.is_some() || a.materialize {
        req.fs = Some(DataPath::Materialize);
    }
    let cwd = plumbing::CALLER_CWD
        .get()
        .cloned()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"));
    host::run(HostRun { req, cwd, keep_as }, &RunWarnings).map_err(run_error)
}

/// The options every run takes, into REQ (one fatal line for each bad one).
fn options(req: &mut RunRequest, a: &Args) -> anyhow::Result<()> {
    for kv in &a.env {
        let (k, v) = kv
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| plumbing::usage(format!("-e '{kv}': expected K=V")))?;
        req.env.push((k.to_string(), v.to_string()));
    }
    req.env_files = a.env_file.clone();
    req.user = a.user.clone();
    req.workdir = a.workdir.clone();
    if a.auto_mount {
        req.auto_mount = Some(
            plumbing::CALLER_CWD
                .get()
                .cloned()
                .or_else(|| std::env::current_dir().ok())
                .unwrap_or_else(|| PathBuf::from("/")),
        );
    }
    req.rm = a.rm;
    req.ro = a.ro;
    req.name = a.name.clone();
    req.detach = a.detach;
    req.keep_stdin = a.interactive || a.tty;
    req.forget = a.forget;
    req.commit = a.commit.then(|| a.message.clone());
    req.autocommit = a.autocommit;
    let cfg = &mut req.sandbox;
    cfg.net = a.net.parse::<NetMode>().map_err(setup_failed)?;
    for b in &a.bind {
        cfg.binds
            .push(Bind::parse(b, "--bind").map_err(setup_failed)?);
    }
    for m in &a.mount {
        cfg.binds
            .push(Bind::parse(m, "--mount").map_err(setup_failed)?);
    }
    req.bind_profiles = a.bind_profile.clone();
    cfg.cgroup = sandbox::CgroupLimits::parse(a.pids_limit, a.memory.as_deref(), a.cpus)
        .map_err(setup_failed)?;
    if let Some(h) = &a.hostname {
        cfg.hostname = Some(h.clone());
    }
    cfg.new_session = a.new_session;
    cfg.pty = a.tty;
    cfg.die_with_parent = a.die_with_parent;
    for r in &a.rlimit {
        cfg.rlimits
            .extend(sandbox::config::parse_rlimits(r).map_err(setup_failed)?);
    }
    cfg.seccomp = sandbox::SeccompPolicy::parse(&a.seccomp).map_err(setup_failed)?;
    cfg.landlock = !a.no_landlock;
    cfg.keep_caps = a.keep_cap;
    cfg.map_users = a.map_users;
    // As podman: --cap-add ALL first, then the drops, then the other adds.
    let adds = a
        .cap_add
        .iter()
        .map(|c| sandbox::parse_cap(c))
        .collect::<Result<Vec<u64>, _>>()
        .map_err(setup_failed)?;
    cfg.caps = if adds.contains(&u64::MAX) {
        u64::MAX
    } else {
        sandbox::DEFAULT_CAPS
    };
    for c in &a.cap_drop {
        cfg.caps &= !sandbox::parse_cap(c).map_err(setup_failed)?;
    }
    for c in adds.into_iter().filter(|&c| c != u64::MAX) {
        cfg.caps |= c;
    }
    cfg.tmpfs = a.tmpfs.clone();
    cfg.pid_file = a.pid_file.clone();
    Ok(())
}
