//! Run planning: a typed [`RunRequest`] (what `run`'s arguments or an
//! `apply` step ask for) resolved against the workspace and the tree into
//! the [`RunSpec`] the supervisor runs: the target, the image's defaults
//! (entrypoint, command, environment, user, working directory), the user
//! and home read from the tree, `--auto-mount`'s binds, and the command
//! checked as a shell would (127, 126) before anything is created.
#![warn(missing_docs)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::{Reporter, Result, RunError, RunSpec};
use crate::container::{head_commit, working_root};
use crate::oci::manifest::RunConfig;
use crate::oid::ObjectId;
use crate::runtime::datapath::DataPath;
use crate::runtime::instance::{self, Mode};
use crate::sandbox::{self, Bind, Config as SandboxConfig, EnvBase};
use crate::workspace::Workspace;

/// What a run asks for, typed.
pub struct RunRequest {
    /// A container or a revision (None: the active container).
    pub target: Option<String>,
    /// The command (empty: the image's, else /bin/sh).
    pub command: Vec<String>,
    /// No target was named and the command's first word was tried as one:
    /// a 127 says it is neither.
    pub command_may_be_target: bool,
    /// The sandbox's options (network, binds, limits, capabilities…);
    /// `argv`, ids, working directory, environment and home are planned.
    pub sandbox: SandboxConfig,
    /// `--bind-profile` names, their binds added after `sandbox.binds`.
    pub bind_profiles: Vec<String>,
    /// `-e` pairs, applied after the image's and the env files'.
    pub env: Vec<(String, String)>,
    /// `--env-file` files, applied after the image's environment and before `-e`.
    pub env_files: Vec<PathBuf>,
    /// `--user`: the user (and group) to run as (None: the image's, else root).
    pub user: Option<String>,
    /// `--workdir` (None: the caller's directory where `--auto-mount` mounts it, else the image's, else `/`).
    pub workdir: Option<String>,
    /// `--auto-mount`, and the directory relative arguments are taken from.
    pub auto_mount: Option<PathBuf>,
    /// `--rm`: a temporary run whose instance directory is removed at the end.
    pub rm: bool,
    /// `--ro`: a read-only run.
    pub ro: bool,
    /// `--name`.
    pub name: Option<String>,
    /// `--fs` (None: `run.fs`, else the default).
    pub fs: Option<DataPath>,
    /// `-d`: a detached supervisor.
    pub detach: bool,
    /// `-i`/`-t`: stdin stays attached.
    pub keep_stdin: bool,
    /// Remove the instance's record once it has ended (apply's steps).
    pub forget: bool,
    /// `--commit`, with `-m`'s message.
    pub commit: Option<Option<String>>,
    /// `--autocommit`.
    pub autocommit: bool,
}

impl RunRequest {
    /// A request with `run`'s defaults: no pids limit, podman's capabilities
    /// for root, the default seccomp filter, landlock, hostname `hako`.
    pub fn new(target: Option<String>, command: Vec<String>) -> RunRequest {
        let mut sandbox = SandboxConfig::new(PathBuf::new(), Vec::new());
        sandbox.cgroup = sandbox::CgroupLimits::default();
        sandbox.caps = sandbox::DEFAULT_CAPS;
        sandbox.hostname = Some("hako".into());
        RunRequest {
            target,
            command,
            command_may_be_target: false,
            sandbox,
            bind_profiles: Vec::new(),
            env: Vec::new(),
            env_files: Vec::new(),
            user: None,
            workdir: None,
            auto_mount: None,
            rm: false,
            ro: false,
            name: None,
            fs: None,
            detach: false,
            keep_stdin: false,
            forget: false,
            commit: None,
            autocommit: false,
        }
    }
}

/// What a run's target resolves to: the workspace of its container (None:
/// a revision), the name it was given, its tree and its HEAD commit.
struct Target {
    ws: Workspace,
    container: Option<String>,
    rev: String,
    tree: ObjectId,
    head: Option<ObjectId>,
}

/// The container or revision REQ names in WS0.
fn target_of(ws0: &Workspace, req: &RunRequest) -> Result<Target> {
    let containers = ws0.containers()?;
    let (container, rev) = match &req.target {
        None => (Some(ws0.container.clone()), ws0.container.clone()),
        Some(s) if containers.contains(s) => (Some(s.clone()), s.clone()),
        Some(s) => (None, s.clone()),
    };
    let ws = Workspace::open_with(&ws0.dir, container.as_deref())?;
    let (tree, head) = match &container {
        Some(_) => (working_root(&ws)?, head_commit(&ws)?),
        None => {
            let t = crate::revparse::rev_parse_tree(ws.repo(), &rev).map_err(|e| {
                RunError::NoTarget {
                    rev: rev.clone(),
                    err: Box::new(e),
                }
            })?;
            let c = crate::revparse::rev_parse(ws.repo(), &rev)
                .and_then(|id| crate::revparse::peel_to_commit(&ws.odb, id))
                .ok();
            (t, c)
        }
    };
    Ok(Target {
        ws,
        container,
        rev,
        tree,
        head,
    })
}

/// The run's mode (read-only, temporary or persistent), refusing a
/// `--commit` or `--autocommit` it cannot honour.
fn mode_of(req: &RunRequest, container: Option<&str>) -> Result<Mode> {
    let mode = if req.ro {
        Mode::Readonly
    } else if req.rm || container.is_none() {
        Mode::Temporary
    } else {
        Mode::Persistent
    };
    if (req.commit.is_some() || req.autocommit) && mode != Mode::Persistent {
        return Err(RunError::Usage(format!(
            "{} needs a container run without --rm or --ro",
            if req.commit.is_some() {
                "--commit"
            } else {
                "--autocommit"
            }
        )));
    }
    Ok(mode)
}

/// Refuse a `--name` taken by another instance, and a second persistent
/// run of a container.
fn check_instances(
    ws: &Workspace,
    name: Option<&str>,
    mode: Mode,
    container: Option<&str>,
) -> Result<()> {
    if let Some(n) = name {
        crate::workspace::check_container_name(n)
            .map_err(|_| RunError::BadInstanceName(n.to_string()))?;
        for i in instance::list(ws)? {
            if i.name.as_deref() == Some(n) {
                return Err(RunError::NameTaken {
                    name: n.to_string(),
                    id: i.id,
                });
            }
        }
    }
    if mode == Mode::Persistent {
        let c = container.unwrap_or("");
        if let Some(i) = instance::live_persistent(ws, c)? {
            return Err(RunError::AlreadyRunning {
                container: c.to_string(),
                id: i.id,
            });
        }
    }
    Ok(())
}

/// The command to run: REST, else the image's entrypoint and command,
/// else /bin/sh.
fn argv_of(rest: &[String], image: Option<&RunConfig>) -> Vec<String> {
    let mut argv: Vec<String> = rest.to_vec();
    if argv.is_empty() {
        if let Some(img) = image {
            argv = img.entrypoint.clone().unwrap_or_default();
            argv.extend(img.cmd.clone().unwrap_or_default());
        }
        if argv.is_empty() {
            argv = vec!["/bin/sh".into()];
        }
    } else if let Some(ep) = image.and_then(|i| i.entrypoint.clone()) {
        if !ep.is_empty() && rest.is_empty() {
            argv = ep;
        }
    }
    argv
}

/// The working directory: `-w`, the image's, `/`; with `--auto-mount`,
/// the caller's directory when it is mounted (and no `-w`). Returns it and
/// `--auto-mount`'s binds (ARGV's paths rewritten).
fn workdir_and_binds(
    req: &RunRequest,
    image: Option<&RunConfig>,
    argv: &mut [String],
) -> (String, Vec<Bind>) {
    let mut workdir = req
        .workdir
        .clone()
        .or_else(|| image.and_then(|i| i.working_dir.clone()))
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| "/".into());
    let mut auto_binds = Vec::new();
    if let Some(caller) = &req.auto_mount {
        auto_binds = auto_mount(argv, caller);
        // The caller's directory, when it is mounted, is the one inside.
        if req.workdir.is_none() {
            if let Ok(c) = std::fs::canonicalize(caller) {
                if auto_binds
                    .iter()
                    .any(|b| b.src.is_dir() && c.starts_with(&b.dst))
                {
                    workdir = c.to_string_lossy().into_owned();
                }
            }
        }
    }
    (workdir, auto_binds)
}

/// The binds of the bind profiles NAMES (`--bind-profile`); `report` is
/// told of profiles moved out of an old file meanwhile.
pub(super) fn profile_binds(names: &[String], report: &dyn Reporter) -> Result<Vec<Bind>> {
    let (specs, moved) = crate::runtime::profiles::binds_of(names)?;
    if let Some(n) = moved {
        report.note(&n);
    }
    Ok(specs
        .iter()
        .map(|b| Bind::parse(b, "--bind-profile"))
        .collect::<std::result::Result<_, _>>()?)
}

/// Resolve REQ in the workspace WS0 into a run spec; fails before anything
/// is created (but the bind profiles moved out of an old file, which
/// `report` is told of).
pub fn plan(ws0: &Workspace, req: RunRequest, report: &dyn Reporter) -> Result<RunSpec> {
    let Target {
        ws,
        container,
        rev,
        tree,
        head,
    } = target_of(ws0, &req)?;
    let mode = mode_of(&req, container.as_deref())?;
    check_instances(&ws, req.name.as_deref(), mode, container.as_deref())?;
    // The image's defaults.
    let image = match head {
        Some(h) => crate::oci::record::image_of(&ws.odb, &h)
            .ok()
            .flatten()
            .and_then(|(_, cfg, _)| cfg.config),
        None => None,
    };
    let mut argv = argv_of(&req.command, image.as_ref());
    let image_env: Vec<(String, String)> = image
        .iter()
        .flat_map(|img| img.env.clone().unwrap_or_default())
        .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.into(), v.into())))
        .collect();
    let (env, path_var) = command_env(image_env, &req)?;
    let user = req
        .user
        .clone()
        .or_else(|| image.as_ref().and_then(|i| i.user.clone()))
        .filter(|u| !u.is_empty());
    let (uid, gid) = match &user {
        Some(u) => resolve_user(&ws, &tree, u)?,
        None => (0, 0),
    };
    let home = home_in_tree(&ws, &tree, uid);
    let (workdir, mut auto_binds) = workdir_and_binds(&req, image.as_ref(), &mut argv);
    let mut cfg = req.sandbox;
    cfg.argv = argv.iter().map(OsString::from).collect();
    // --auto-mount's binds first, then --bind/--mount, then the profiles'.
    auto_binds.append(&mut cfg.binds);
    cfg.binds = auto_binds;
    cfg.binds.extend(profile_binds(&req.bind_profiles, report)?);
    cfg.uid = uid;
    cfg.gid = gid;
    let program =
        check_command(&ws, &tree, &argv[0], &path_var, &cfg.binds).map_err(|e| match e {
            RunError::Command { code: 127, message } if req.command_may_be_target => {
                RunError::Command {
                    code: 127,
                    message: format!(
                        "{message} ('{}' is not a container or revision either)",
                        argv[0]
                    ),
                }
            }
            e => e,
        })?;
    cfg.workdir = PathBuf::from(workdir);
    cfg.env_base = EnvBase::Minimal;
    cfg.env = env;
    cfg.home = Some(home);
    Ok(RunSpec {
        ws,
        container,
        rev,
        tree,
        mode,
        sandbox: cfg,
        program,
        name: req.name,
        fs: req.fs,
        detach: req.detach,
        keep_stdin: req.keep_stdin,
        remove: req.rm,
        forget: req.forget,
        commit: req.commit,
        autocommit: req.autocommit,
    })
}

/// The K=V pairs of an `--env-file` (# comments and blank lines skipped).
/// The command's environment: BASE (later pairs win), then `--env-file`,
/// then `-e`; and the PATH it sets (the sandbox's default when none).
pub(super) fn command_env(
    base: Vec<(String, String)>,
    req: &RunRequest,
) -> Result<(Vec<(OsString, OsString)>, String)> {
    let mut env: Vec<(OsString, OsString)> = Vec::new();
    let mut set = |k: &str, v: &str| {
        env.retain(|(ek, _)| ek != k);
        env.push((k.into(), v.into()));
    };
    for (k, v) in &base {
        set(k, v);
    }
    for f in &req.env_files {
        for (k, v) in env_file(f)? {
            set(&k, &v);
        }
    }
    for (k, v) in &req.env {
        set(k, v);
    }
    let path_var = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.to_string_lossy().into_owned())
        .unwrap_or_else(|| crate::sandbox::DEFAULT_PATH.into());
    Ok((env, path_var))
}

pub(super) fn env_file(f: &Path) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(f).map_err(|err| RunError::EnvFile {
        path: f.to_path_buf(),
        err,
    })?;
    let mut out = Vec::new();
    for (n, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let (k, v) = l.split_once('=').ok_or_else(|| RunError::EnvFileLine {
            path: f.to_path_buf(),
            line: n + 1,
        })?;
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

/// `--auto-mount`: the binds of the host paths ARGV's arguments name
/// (each argument rewritten as the absolute path), CALLER the directory
/// relative ones are taken from.
pub(super) fn auto_mount(argv: &mut [String], caller: &Path) -> Vec<Bind> {
    let mut binds: Vec<Bind> = Vec::new();
    for arg in argv.iter_mut().skip(1) {
        if let Some((bind, path)) = auto_mount_path(arg, caller) {
            *arg = path.to_string_lossy().into_owned();
            if !binds.iter().any(|b| bind.starts_with(&b.dst)) {
                binds.retain(|b| !b.dst.starts_with(&bind));
                binds.push(Bind {
                    src: bind.clone(),
                    dst: bind,
                    readonly: false,
                });
            }
        }
    }
    binds
}

/// The host path an argument names, for `--auto-mount`: what to bind and
/// the argument rewritten (absolute, canonical). An existing path is bound
/// itself: absolute, `~/…`, or relative to CALLER (`./x`, `../x`, and bare
/// `data.txt` or `sub/s.txt` when they exist). A path that does not exist
/// yet (absolute, `~/`, `./` or `../`) in an existing directory binds that
/// directory, writable, so an output file reaches the host. None for
/// anything else, for an option (`-…`) and for `/` itself.
fn auto_mount_path(arg: &str, caller: &Path) -> Option<(PathBuf, PathBuf)> {
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
    let root = Path::new("/");
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
) -> Result<Option<ObjectId>> {
    enum Found {
        Program(Option<ObjectId>),
        NotExecutable(&'static str),
        /// A path that cannot lead anywhere (ENOTDIR, ELOOP): a search goes on.
        Broken(&'static str),
        Missing,
    }
    let find = |p: &str| -> Result<Found> {
        let inside = Path::new(p);
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
        let comps = crate::container::resolve_path("/", p)?;
        Ok(match crate::worktree::follow(&ws.odb, tree, &comps) {
            Ok(Some((_, e))) if e.is_file() && e.mode & 0o111 != 0 => Found::Program(Some(e.id)),
            Ok(Some((_, e))) if e.is_file() => Found::NotExecutable("Permission denied"),
            Ok(Some((_, e))) if e.is_dir() => Found::NotExecutable("Is a directory"),
            Ok(Some(_)) => Found::NotExecutable("Permission denied"),
            Ok(None) => Found::Missing,
            Err(crate::Error::NotADirectory(_)) => Found::Broken("Not a directory"),
            Err(crate::Error::SymlinkLoop(_)) => Found::Broken("Too many levels of symbolic links"),
            Err(e) => return Err(e.into()),
        })
    };
    let fail = |code: i32, why: &str| RunError::Command {
        code,
        message: format!("{cmd}: {why}"),
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
    crate::container::resolve_path("/", path)
        .ok()
        .and_then(|c| crate::worktree::follow(&ws.odb, tree, &c).ok().flatten())
        .filter(|(_, e)| e.is_file())
        .and_then(|(_, e)| crate::prolly::file::read_range(&ws.odb, &e.id, 0, 1 << 20).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// UID's home in the tree's /etc/passwd, as the sandbox would read it
/// through the mount: `/root` for 0 and `/` for others without an entry.
fn home_in_tree(ws: &Workspace, tree: &ObjectId, uid: u32) -> String {
    crate::sandbox::passwd_home(&read_tree_text(ws, tree, "/etc/passwd"), uid)
}

/// USER as uid and gid: numbers, or a name in the tree's /etc/passwd.
fn resolve_user(ws: &Workspace, tree: &ObjectId, user: &str) -> Result<(u32, u32)> {
    user_ids(user, "the container's", |path| {
        read_tree_text(ws, tree, path)
    })
}

/// USER (NAME, UID, or either with :GROUP) as uid and gid, names looked up
/// in the /etc/passwd and /etc/group that READ gives (WHOSE names them).
pub(super) fn user_ids(
    user: &str,
    whose: &str,
    read: impl Fn(&str) -> String,
) -> Result<(u32, u32)> {
    let (u, g) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    let (uid, pgid) = match u.parse::<u32>() {
        Ok(n) => (n, n),
        Err(_) => {
            let passwd = read("/etc/passwd");
            passwd
                .lines()
                .map(|l| l.split(':').collect::<Vec<_>>())
                .find(|f| f.len() > 3 && f[0] == u)
                .and_then(|f| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
                .ok_or_else(|| RunError::UnknownUser {
                    name: u.to_string(),
                    whose: whose.to_string(),
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
                .ok_or_else(|| RunError::UnknownGroup {
                    name: g.to_string(),
                    whose: whose.to_string(),
                })?,
        },
    };
    Ok((uid, gid))
}
