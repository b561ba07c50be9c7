//! `run --host` (format-spec/runtime.md, "Host instances"): a host program
//! in a temporary container over the host's own directories, its writes
//! discarded or, with `--keep-as`, folded into a new container. Foreground
//! only, no instance record; works without a workspace.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::plan::auto_mount_path;
use super::{Reporter, Result, RunError, RunRequest};
use crate::refs::Expect;
use crate::runtime::hostroot::{self, Private};
use crate::runtime::overlay::Probe;
use crate::sandbox::{self, Bind, EnvBase, NestedOverlay, NetMode, OverlayRoot};
use crate::workspace::Workspace;

/// What `run --host` asks for besides the run request.
pub struct HostRun {
    pub req: RunRequest,
    /// The caller's current directory: the working directory inside.
    pub cwd: PathBuf,
    /// `--keep-as CONTAINER`, with the workspace it is made in.
    pub keep_as: Option<(Workspace, String)>,
}

fn refuse(option: &str, why: &str) -> RunError {
    RunError::Usage(format!("--host cannot be combined with {option} ({why})"))
}

/// Options of the request that make no sense over the host.
fn check(h: &HostRun) -> Result<()> {
    let r = &h.req;
    if let Some(t) = &r.target {
        return Err(refuse(
            &format!("a container or revision ('{t}')"),
            "the root is the host's; put the command after --",
        ));
    }
    if r.fs.is_some() {
        return Err(refuse(
            "--fs/--materialize",
            "the host's directories are always overlaid",
        ));
    }
    if r.detach {
        return Err(refuse("-d", "a host run has no instance to come back to"));
    }
    if r.name.is_some() {
        return Err(refuse("--name", "a host run has no instance record"));
    }
    if r.commit.is_some() || r.autocommit {
        return Err(refuse(
            if r.commit.is_some() {
                "--commit"
            } else {
                "--autocommit"
            },
            "use --keep-as CONTAINER, then hako commit",
        ));
    }
    if r.sandbox.map_users {
        return Err(refuse(
            "--map-users",
            "the host's owners are shown as they are",
        ));
    }
    if r.forget {
        return Err(refuse("--forget", "a host run has no instance record"));
    }
    if h.keep_as.is_some() && (r.rm || r.ro) {
        return Err(refuse(
            if r.rm {
                "--rm and --keep-as"
            } else {
                "--ro and --keep-as"
            },
            "--keep-as keeps what the command wrote",
        ));
    }
    Ok(())
}

/// A field of the host's /etc/passwd (or group) line whose field 0 or 2 is KEY.
fn host_db(file: &str, key: &str) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines()
        .map(|l| l.split(':').map(str::to_string).collect::<Vec<_>>())
        .find(|f| f.len() > 3 && (f[0] == key || f[2] == key))
}

/// `-u USER`: a name of the host's /etc/passwd, or UID[:GID].
fn host_user(user: &str) -> Result<(u32, u32)> {
    let (u, g) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    let (uid, pgid) = match u.parse::<u32>() {
        Ok(n) => (n, n),
        Err(_) => host_db("/etc/passwd", u)
            .and_then(|f| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
            .ok_or_else(|| {
                RunError::Failed(format!("unknown user '{u}' in the host's /etc/passwd"))
            })?,
    };
    let gid = match g {
        None => pgid,
        Some(g) => match g.parse::<u32>() {
            Ok(n) => n,
            Err(_) => std::fs::read_to_string("/etc/group")
                .ok()
                .and_then(|t| {
                    t.lines()
                        .map(|l| l.split(':').map(str::to_string).collect::<Vec<_>>())
                        .find(|f| f.len() > 2 && f[0] == g)
                        .and_then(|f| f[2].parse().ok())
                })
                .ok_or_else(|| {
                    RunError::Failed(format!("unknown group '{g}' in the host's /etc/group"))
                })?,
        },
    };
    Ok((uid, gid))
}

/// Fail as a shell would when a command name is in no PATH directory.
fn check_command(cmd: &str, path: &str, binds: &[Bind]) -> Result<()> {
    if cmd.contains('/') || !binds.is_empty() {
        return Ok(()); // the sandbox says it, naming the path
    }
    use std::os::unix::fs::PermissionsExt;
    let found = path.split(':').filter(|d| d.starts_with('/')).any(|d| {
        std::fs::metadata(Path::new(d).join(cmd))
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    });
    if found {
        Ok(())
    } else {
        Err(RunError::Command {
            code: 127,
            message: format!("{cmd}: command not found (the caller's PATH)"),
        })
    }
}

/// Run H: plan, build the host root, run the sandbox, fold with --keep-as.
pub fn run(mut h: HostRun, report: &dyn Reporter) -> Result<i32> {
    check(&h)?;
    if let Some((ws, name)) = &h.keep_as {
        crate::workspace::check_container_name(name)?;
        if ws.containers()?.contains(name) || ws.container_dir(name).exists() {
            return Err(RunError::Failed(format!(
                "--keep-as: container '{name}' already exists"
            )));
        }
    }
    let req = &mut h.req;
    let euid = nix::unistd::geteuid().as_raw();
    let (uid, gid) = match &req.user {
        Some(u) => host_user(u)?,
        None => (euid, nix::unistd::getegid().as_raw()),
    };
    // The environment: the caller's PATH and HOME, then --env-file, then -e.
    let mut env: Vec<(OsString, OsString)> = Vec::new();
    let mut set = |k: &str, v: &str| {
        env.retain(|(ek, _)| ek != k);
        env.push((k.into(), v.into()));
    };
    if let Ok(p) = std::env::var("PATH") {
        set("PATH", &p);
    }
    for f in &req.env_files {
        let text = std::fs::read_to_string(f)
            .map_err(|e| RunError::Failed(format!("--env-file '{}': {e}", f.display())))?;
        for (n, l) in text.lines().enumerate() {
            let l = l.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let (k, v) = l.split_once('=').ok_or_else(|| {
                RunError::Failed(format!(
                    "--env-file '{}' line {}: not K=V",
                    f.display(),
                    n + 1
                ))
            })?;
            set(k, v);
        }
    }
    for (k, v) in &req.env {
        set(k, v);
    }
    let path_var = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.to_string_lossy().into_owned())
        .unwrap_or_else(|| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    let home = match (&req.user, std::env::var("HOME")) {
        (None, Ok(h)) if !h.is_empty() => h,
        _ => host_db("/etc/passwd", &uid.to_string())
            .map(|f| f.get(5).cloned().unwrap_or_default())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| if uid == 0 { "/root".into() } else { "/".into() }),
    };
    let mut argv = req.command.clone();
    if argv.is_empty() {
        argv = vec!["/bin/sh".into()];
    }
    let mut auto_binds: Vec<Bind> = Vec::new();
    if let Some(caller) = &req.auto_mount {
        for arg in argv.iter_mut().skip(1) {
            if let Some((bind, path)) = auto_mount_path(arg, caller) {
                *arg = path.to_string_lossy().into_owned();
                if !auto_binds.iter().any(|b| bind.starts_with(&b.dst)) {
                    auto_binds.retain(|b| !b.dst.starts_with(&bind));
                    auto_binds.push(Bind {
                        src: bind.clone(),
                        dst: bind,
                        readonly: false,
                    });
                }
            }
        }
    }
    let workdir = match &req.workdir {
        Some(w) if !w.starts_with('/') => {
            return Err(RunError::Usage(format!(
                "-w '{w}': must be an absolute path"
            )))
        }
        Some(w) => PathBuf::from(w),
        None => h.cwd.clone(),
    };
    let mut cfg = std::mem::replace(
        &mut req.sandbox,
        sandbox::Config::new(PathBuf::new(), Vec::new()),
    );
    auto_binds.append(&mut cfg.binds);
    cfg.binds = auto_binds;
    for name in &req.bind_profiles {
        for b in crate::runtime::profiles::bind_profile(name)? {
            cfg.binds.push(Bind::parse(&b, "--bind-profile")?);
        }
    }
    check_command(&argv[0], &path_var, &cfg.binds)?;
    let private = Private::create()?;
    let built = (|| -> Result<hostroot::HostRoot> {
        match private.probe()? {
            Probe::Yes => {}
            Probe::No(why) => {
                return Err(RunError::Failed(format!(
                    "--host: overlay unavailable ({why})"
                )))
            }
        }
        Ok(hostroot::prepare(&private.dir, req.ro, &workdir)?)
    })();
    let hr = match built {
        Ok(hr) => hr,
        Err(e) => {
            let _ = private.remove();
            return Err(e);
        }
    };
    cfg.argv = argv.iter().map(OsString::from).collect();
    cfg.uid = uid;
    cfg.gid = gid;
    cfg.workdir = workdir;
    cfg.env_base = EnvBase::Minimal;
    cfg.env = env;
    cfg.home = Some(home);
    cfg.rootfs = hr.mnt.clone();
    cfg.tmpfs.insert(0, PathBuf::from("/run"));
    cfg.overlay = Some(OverlayRoot {
        lowerdir: sandbox::escape_overlay_path(&hr.spine),
        upper: hr.root_upper.clone(),
        skeleton: hr.skeleton.clone(),
    });
    cfg.nested_overlays = hr
        .nested
        .iter()
        .map(|n| NestedOverlay {
            target: n.target.clone(),
            lower: n.target.clone(),
            upper: n.upper.clone(),
            work: n.work.clone(),
        })
        .collect();
    for p in &hr.ro_binds {
        cfg.binds.push(Bind {
            src: p.clone(),
            dst: p.clone(),
            readonly: true,
        });
    }
    if cfg.net != NetMode::None {
        if let Ok(t) = std::fs::canonicalize("/etc/resolv.conf") {
            if t.starts_with("/run") && t.is_file() {
                cfg.binds.push(Bind {
                    src: t.clone(),
                    dst: t,
                    readonly: true,
                });
            }
        }
    }
    if !req.keep_stdin {
        if let Err(e) = super::redirect(0, "/dev/null", false) {
            let _ = private.remove();
            return Err(e);
        }
    }
    let exit = match sandbox::run(&cfg) {
        Ok(exit) => exit,
        Err(e) => {
            let _ = private.remove();
            return Err(e.into());
        }
    };
    report.sandbox_warnings(&exit.warnings);
    if let (Some((ws, name)), Some((upper, _))) = (&h.keep_as, &hr.root_upper) {
        if let Err(e) = keep(ws, name, upper, &hr.nested, &argv) {
            let dir = private.keep();
            return Err(RunError::Failed(format!(
                "--keep-as: {e}; the upper directories are kept in {}",
                dir.display()
            )));
        }
    }
    private.remove()?;
    Ok(exit.status)
}

/// Fold the upper directories into container NAME: its first commit the
/// host's versions of the changed paths, its working root the change.
fn keep(
    ws: &Workspace,
    name: &str,
    upper: &Path,
    nested: &[hostroot::Nested],
    argv: &[String],
) -> crate::error::Result<()> {
    let batch = crate::store::BatchWriter::new(&ws.odb);
    let (base, new) = hostroot::fold(&batch, upper, nested)?;
    batch.flush()?;
    ws.create_container(name)?;
    let c = Workspace::open_with(&ws.dir, Some(name))?;
    let who = match c.commit_author() {
        Ok(s) => s,
        Err(_) => c.committer()?,
    };
    let msg = format!("host: {}", argv.join(" "));
    let commit = crate::commit::create_commit(&c.odb, base, &[], who.clone(), who, &msg)?;
    c.refs.update(
        "HEAD",
        commit,
        Expect::Absent,
        &c.committer()?,
        &format!("run --host: {msg}"),
    )?;
    if new != base {
        crate::container::set_working_root(&c, new, None)?;
    }
    Ok(())
}
