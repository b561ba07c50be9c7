//! `hako run [CONTAINER|REV] [--] [CMD…]`: run a command in a container whose
//! root is its tree (format-spec/runtime.md): on overlay over the checkout
//! cache, through FUSE, or checked out.
//!
//! This file turns the arguments into a typed run spec (the target, the
//! image's defaults, the sandbox's configuration, the command checked in the
//! tree); the supervisor (`hako::runtime::supervisor`) runs it.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::{bail, Context};

use hako::container::{head_commit, working_root};
use hako::runtime::datapath::DataPath;
use hako::runtime::instance::{self, check_fuse, Mode};
use hako::runtime::supervisor::{self, Outcome, RunError, RunSpec};
use hako::sandbox::{self, Bind, Config as SandboxConfig, EnvBase, NetMode};
use hako::workspace::Workspace;
use hako::ObjectId;

use crate::plumbing;
use crate::plumbing::unshare_exec::{report, setup_failed};

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
    /// Keep the terminal: stdin stays attached (no pseudo-terminal is allocated).
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Keep stdin attached (default: /dev/null).
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// Bind a host path: SRC:DST[:ro] (repeatable).
    #[arg(long, value_name = "SRC:DST[:ro]")]
    pub bind: Vec<String>,
    /// Add the binds of a profile of the user config's [bind_profiles]
    /// (~/.config/hako/config.toml; repeatable).
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
    /// CONTAINER or REV (default: the active container), then the command
    /// (default: the image's, else /bin/sh).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "CONTAINER|REV] [--] [CMD"
    )]
    pub args: Vec<String>,
}

/// Everything decided before anything is created.
struct Plan {
    ws: Workspace,
    container: Option<String>,
    rev: String,
    tree: ObjectId,
    mode: Mode,
    sandbox: SandboxConfig,
    /// The program's content, when found by an absolute path or PATH.
    program: Option<ObjectId>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let asked = match (&a.fs, a.materialize) {
        (_, true) => Some(DataPath::Materialize),
        (Some(f), false) => Some(DataPath::parse(f).ok_or_else(|| {
            plumbing::usage(format!("--fs '{f}': expected overlay, fuse or materialize"))
        })?),
        (None, false) => None,
    };
    if asked == Some(DataPath::Fuse) {
        check_fuse()?;
    }
    let plan = plan(&a)?;
    let spec = RunSpec {
        ws: plan.ws,
        container: plan.container,
        rev: plan.rev,
        tree: plan.tree,
        mode: plan.mode,
        sandbox: plan.sandbox,
        program: plan.program,
        name: a.name.clone(),
        fs: asked,
        detach: a.detach,
        keep_stdin: a.interactive || a.tty,
        remove: a.rm,
        forget: a.forget,
        commit: a.commit.then(|| a.message.clone()),
        autocommit: a.autocommit,
    };
    match supervisor::run(spec, &Warnings) {
        Ok(Outcome::Exited(code)) => Ok(code),
        Ok(Outcome::Detached(id)) => {
            println!("{id}");
            Ok(0)
        }
        Err(e) => Err(run_error(e)),
    }
}

/// The sandbox's warnings, printed as unshare-exec prints them.
struct Warnings;

impl supervisor::Reporter for Warnings {
    fn sandbox_warnings(&self, warnings: &[sandbox::Warning]) {
        report(warnings);
    }
}

/// A supervisor's error as the command's: the sandbox's keep their exit codes.
pub fn run_error(e: RunError) -> anyhow::Error {
    match e {
        RunError::Sandbox(e) => setup_failed(e),
        RunError::Usage(m) => plumbing::usage(m),
        e => e.into(),
    }
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

/// Resolve the arguments into a plan; fails before anything is created.
fn plan(a: &Args) -> anyhow::Result<Plan> {
    let ws0 = plumbing::open_workspace()?;
    let containers = ws0.containers()?;
    // The first argument is the target when it names a container or a
    // revision (clap has already taken a `--`); else the command starts there.
    let mut rest: &[String] = &a.args;
    let mut spec: Option<String> = None;
    if let Some(first) = rest.first() {
        let is_target =
            containers.contains(first) || hako::revparse::rev_parse_tree(ws0.repo(), first).is_ok();
        if is_target {
            spec = Some(first.clone());
            rest = &rest[1..];
        }
    }
    misplaced_option(rest, spec.is_some())?;
    if rest.first().is_some_and(|s| s == "--") {
        rest = &rest[1..];
    } else if spec.is_none() && rest.get(1).is_some_and(|s| s == "--") {
        // `run X -- CMD`: X was meant as the container.
        bail!("no such container or revision '{}'", rest[0]);
    }
    let (container, rev) = match &spec {
        None => (Some(ws0.container.clone()), ws0.container.clone()),
        Some(s) if containers.contains(s) => (Some(s.clone()), s.clone()),
        Some(s) => (None, s.clone()),
    };
    let ws = match &container {
        Some(c) => Workspace::open_with(&ws0.dir, Some(c))?,
        None => Workspace::open_with(&ws0.dir, None)?,
    };
    let (tree, head) = match &container {
        Some(_) => (working_root(&ws)?, head_commit(&ws)?),
        None => {
            let t = hako::revparse::rev_parse_tree(ws.repo(), &rev).map_err(|e| {
                anyhow::anyhow!("'{rev}' is neither a container nor a revision ({e})")
            })?;
            let c = hako::revparse::rev_parse(ws.repo(), &rev)
                .and_then(|id| hako::revparse::peel_to_commit(&ws.odb, id))
                .ok();
            (t, c)
        }
    };
    let mode = if a.ro {
        Mode::Readonly
    } else if a.rm || container.is_none() {
        Mode::Temporary
    } else {
        Mode::Persistent
    };
    if (a.commit || a.autocommit) && mode != Mode::Persistent {
        return Err(plumbing::usage(format!(
            "{} needs a container run without --rm or --ro",
            if a.commit { "--commit" } else { "--autocommit" }
        )));
    }
    if let Some(n) = &a.name {
        hako::workspace::check_container_name(n)
            .map_err(|_| anyhow::anyhow!("invalid instance name '{n}'"))?;
        for i in instance::list(&ws)? {
            if i.name.as_deref() == Some(n.as_str()) {
                bail!("an instance named '{n}' exists already ({}); remove it with 'hako reap' once it has exited", i.id);
            }
        }
    }
    if mode == Mode::Persistent {
        let c = container.as_deref().unwrap_or("");
        if let Some(i) = instance::live_persistent(&ws, c)? {
            bail!("container '{c}' is already running as instance {} (writes of a second run would race it): use --rm for a temporary run, or 'hako exec {} CMD'", i.id, i.id);
        }
    }
    // The image's defaults.
    let image = match head {
        Some(h) => hako::oci::record::image_of(&ws.odb, &h)
            .ok()
            .flatten()
            .and_then(|(_, cfg, _)| cfg.config),
        None => None,
    };
    let mut argv: Vec<String> = rest.to_vec();
    if argv.is_empty() {
        if let Some(img) = &image {
            argv = img.entrypoint.clone().unwrap_or_default();
            argv.extend(img.cmd.clone().unwrap_or_default());
        }
        if argv.is_empty() {
            argv = vec!["/bin/sh".into()];
        }
    } else if let Some(ep) = image.as_ref().and_then(|i| i.entrypoint.clone()) {
        if !ep.is_empty() && rest.is_empty() {
            argv = ep;
        }
    }
    let mut env: Vec<(OsString, OsString)> = Vec::new();
    let mut set = |k: &str, v: &str| {
        env.retain(|(ek, _)| ek != k);
        env.push((k.into(), v.into()));
    };
    if let Some(img) = &image {
        for kv in img.env.clone().unwrap_or_default() {
            if let Some((k, v)) = kv.split_once('=') {
                set(k, v);
            }
        }
    }
    for f in &a.env_file {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("--env-file '{}'", f.display()))?;
        for (n, l) in text.lines().enumerate() {
            let l = l.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let (k, v) = l.split_once('=').ok_or_else(|| {
                anyhow::anyhow!("--env-file '{}' line {}: not K=V", f.display(), n + 1)
            })?;
            set(k, v);
        }
    }
    for kv in &a.env {
        let (k, v) = kv
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| plumbing::usage(format!("-e '{kv}': expected K=V")))?;
        set(k, v);
    }
    let path_var = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.to_string_lossy().into_owned())
        .unwrap_or_else(|| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    let user = a
        .user
        .clone()
        .or_else(|| image.as_ref().and_then(|i| i.user.clone()))
        .filter(|u| !u.is_empty());
    let (uid, gid) = match &user {
        Some(u) => resolve_user(&ws, &tree, u)?,
        None => (0, 0),
    };
    let home = home_in_tree(&ws, &tree, uid);
    let workdir = a
        .workdir
        .clone()
        .or_else(|| image.as_ref().and_then(|i| i.working_dir.clone()))
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| "/".into());
    let mut auto_binds = Vec::new();
    let mut workdir = workdir;
    if a.auto_mount {
        let caller = plumbing::CALLER_CWD
            .get()
            .cloned()
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("/"));
        for arg in argv.iter_mut().skip(1) {
            if let Some((bind, path)) = auto_mount_path(arg, &caller) {
                *arg = path.to_string_lossy().into_owned();
                if !auto_binds.iter().any(|b: &Bind| bind.starts_with(&b.dst)) {
                    auto_binds.retain(|b: &Bind| !b.dst.starts_with(&bind));
                    auto_binds.push(Bind {
                        src: bind.clone(),
                        dst: bind,
                        readonly: false,
                    });
                }
            }
        }
        // The caller's directory, when it is mounted, is the one inside.
        if a.workdir.is_none() {
            if let Ok(c) = std::fs::canonicalize(&caller) {
                if auto_binds
                    .iter()
                    .any(|b| b.src.is_dir() && c.starts_with(&b.dst))
                {
                    workdir = c.to_string_lossy().into_owned();
                }
            }
        }
    }
    let mut cfg = SandboxConfig::new(PathBuf::new(), argv.iter().map(OsString::from).collect());
    cfg.binds.extend(auto_binds);
    cfg.uid = uid;
    cfg.gid = gid;
    cfg.net = a.net.parse::<NetMode>().map_err(setup_failed)?;
    for b in &a.bind {
        cfg.binds
            .push(Bind::parse(b, "--bind").map_err(setup_failed)?);
    }
    for m in &a.mount {
        cfg.binds
            .push(Bind::parse(m, "--mount").map_err(setup_failed)?);
    }
    for name in &a.bind_profile {
        for b in hako::runtime::profiles::bind_profile(name)? {
            cfg.binds
                .push(Bind::parse(&b, "--bind-profile").map_err(setup_failed)?);
        }
    }
    let program = check_command(&ws, &tree, &argv[0], &path_var, &cfg.binds).map_err(|e| {
        match e.downcast::<plumbing::Fatal>() {
            Ok(mut f) if spec.is_none() && !rest.is_empty() && f.code == 127 => {
                f.message = format!(
                    "{} ('{}' is not a container or revision either)",
                    f.message, argv[0]
                );
                f.into()
            }
            Ok(f) => f.into(),
            Err(e) => e,
        }
    })?;
    cfg.workdir = PathBuf::from(workdir);
    cfg.env_base = EnvBase::Minimal;
    cfg.env = env;
    cfg.cgroup = sandbox::CgroupLimits::parse(a.pids_limit, a.memory.as_deref(), a.cpus)
        .map_err(setup_failed)?;
    cfg.hostname = Some(a.hostname.clone().unwrap_or_else(|| "hako".into()));
    cfg.new_session = a.new_session;
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
    cfg.home = Some(home);
    cfg.tmpfs = a.tmpfs.clone();
    cfg.pid_file = a.pid_file.clone();
    Ok(Plan {
        ws,
        container,
        rev,
        tree,
        mode,
        sandbox: cfg,
        program,
    })
}

/// The host path an argument names, for `--auto-mount`: what to bind and
/// the argument rewritten (absolute, canonical). An existing path is bound
/// itself: absolute, `~/…`, or relative to CALLER (`./x`, `../x`, and bare
/// `data.txt` or `sub/s.txt` when they exist). A path that does not exist
/// yet (absolute, `~/`, `./` or `../`) in an existing directory binds that
/// directory, writable, so an output file reaches the host. None for
/// anything else, for an option (`-…`) and for `/` itself.
fn auto_mount_path(arg: &str, caller: &std::path::Path) -> Option<(PathBuf, PathBuf)> {
    if arg.is_empty() || arg.starts_with('-') {
        return None;
    }
    let explicit = arg.starts_with('/')
        || arg.starts_with("./")
        || arg.starts_with("../")
        || arg.starts_with("~/");
    let p = if let Some(rest) = arg.strip_prefix("~/") {
        PathBuf::from(std::env::var_os("HOME")?).join(rest)
    } else {
        caller.join(arg)
    };
    let root = std::path::Path::new("/");
    if let Ok(c) = std::fs::canonicalize(&p) {
        return (c != root).then(|| (c.clone(), c));
    }
    if !explicit {
        return None;
    }
    let name = p.file_name()?;
    let dir = std::fs::canonicalize(p.parent()?).ok()?;
    if !dir.is_dir() || dir == root {
        return None;
    }
    let path = dir.join(name);
    Some((dir, path))
}

/// Fail early, as a shell would, when the command cannot run: a missing one
/// exits 127 (`NAME: command not found`), one that is not an executable
/// file 126. Paths are resolved in the tree as the kernel would (symlinks at
/// every component), and a path at or under a bind's destination is looked
/// up on the host. The content id of the program found in the tree (None
/// for a relative path or a bound one).
fn check_command(
    ws: &Workspace,
    tree: &ObjectId,
    cmd: &str,
    path: &str,
    binds: &[Bind],
) -> anyhow::Result<Option<ObjectId>> {
    enum Found {
        Program(Option<ObjectId>),
        NotExecutable(&'static str),
        /// A path that cannot lead anywhere (ENOTDIR, ELOOP): a search goes on.
        Broken(&'static str),
        Missing,
    }
    let find = |p: &str| -> anyhow::Result<Found> {
        let inside = std::path::Path::new(p);
        if let Some(b) = binds.iter().rev().find(|b| inside.starts_with(&b.dst)) {
            let host = match inside.strip_prefix(&b.dst) {
                Ok(rest) if !rest.as_os_str().is_empty() => b.src.join(rest),
                _ => b.src.clone(),
            };
            return Ok(match std::fs::metadata(&host) {
                Ok(m) if m.is_file() => Found::Program(None),
                Ok(_) => Found::NotExecutable("Is a directory"),
                Err(_) => Found::Missing,
            });
        }
        let comps = hako::container::resolve_path("/", p)?;
        Ok(match hako::worktree::follow(&ws.odb, tree, &comps) {
            Ok(Some((_, e))) if e.is_file() && e.mode & 0o111 != 0 => Found::Program(Some(e.id)),
            Ok(Some((_, e))) if e.is_file() => Found::NotExecutable("Permission denied"),
            Ok(Some((_, e))) if e.is_dir() => Found::NotExecutable("Is a directory"),
            Ok(Some(_)) => Found::NotExecutable("Permission denied"),
            Ok(None) => Found::Missing,
            Err(hako::Error::NotADirectory(_)) => Found::Broken("Not a directory"),
            Err(hako::Error::SymlinkLoop(_)) => Found::Broken("Too many levels of symbolic links"),
            Err(e) => return Err(e.into()),
        })
    };
    let fail = |code: i32, why: &str| -> anyhow::Error {
        plumbing::Fatal {
            code,
            message: format!("{cmd}: {why}"),
        }
        .into()
    };
    if cmd.contains('/') {
        if !cmd.starts_with('/') {
            return Ok(None);
        }
        return match find(cmd)? {
            Found::Program(id) => Ok(id),
            Found::NotExecutable(why) | Found::Broken(why) => Err(fail(126, why)),
            Found::Missing => Err(fail(127, "No such file or directory")),
        };
    }
    // As execvp: the first executable wins; a non-executable match is
    // reported only when nothing else is found.
    let mut refused = None;
    for d in path.split(':').filter(|d| d.starts_with('/')) {
        match find(&format!("{d}/{cmd}"))? {
            Found::Program(id) => return Ok(id),
            Found::NotExecutable(why) => refused = refused.or(Some(why)),
            Found::Broken(_) | Found::Missing => {}
        }
    }
    Err(match refused {
        Some(why) => fail(126, why),
        None => fail(127, "command not found"),
    })
}

/// A file of the tree as text (empty when missing or unreadable; at most 1 MiB).
fn read_tree_text(ws: &Workspace, tree: &ObjectId, path: &str) -> String {
    hako::container::resolve_path("/", path)
        .ok()
        .and_then(|c| hako::worktree::follow(&ws.odb, tree, &c).ok().flatten())
        .filter(|(_, e)| e.is_file())
        .and_then(|(_, e)| hako::prolly::file::read_range(&ws.odb, &e.id, 0, 1 << 20).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// UID's home in the tree's /etc/passwd, as the sandbox would read it
/// through the mount: `/root` for 0 and `/` for others without an entry.
fn home_in_tree(ws: &Workspace, tree: &ObjectId, uid: u32) -> String {
    sandbox::passwd_home(&read_tree_text(ws, tree, "/etc/passwd"), uid)
}

/// USER as uid and gid: numbers, or a name in the tree's /etc/passwd.
fn resolve_user(ws: &Workspace, tree: &ObjectId, user: &str) -> anyhow::Result<(u32, u32)> {
    let (u, g) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    let read = |path: &str| read_tree_text(ws, tree, path);
    let (uid, pgid) = match u.parse::<u32>() {
        Ok(n) => (n, n),
        Err(_) => {
            let passwd = read("/etc/passwd");
            passwd
                .lines()
                .map(|l| l.split(':').collect::<Vec<_>>())
                .find(|f| f.len() > 3 && f[0] == u)
                .and_then(|f| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
                .ok_or_else(|| {
                    anyhow::anyhow!("unknown user '{u}' in the container's /etc/passwd")
                })?
        }
    };
    let gid = match g {
        None => pgid,
        Some(g) => match g.parse::<u32>() {
            Ok(n) => n,
            Err(_) => read("/etc/group")
                .lines()
                .map(|l| l.split(':').collect::<Vec<_>>())
                .find(|f| f.len() > 2 && f[0] == g)
                .and_then(|f| f[2].parse().ok())
                .ok_or_else(|| {
                    anyhow::anyhow!("unknown group '{g}' in the container's /etc/group")
                })?,
        },
    };
    Ok((uid, gid))
}
