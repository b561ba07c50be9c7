//! `run --host` (format-spec/runtime.md, "Host instances"): a host program
//! in a temporary container over the host's own directories, its writes
//! discarded or, with `--keep-as`, folded into a new container. Foreground
//! only, no instance record; works without a workspace.
#![warn(missing_docs)]

use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::plan::{auto_mount, command_env, profile_binds, user_ids};
use super::{Reporter, Result, RunError, RunRequest};
use crate::refs::Expect;
use crate::runtime::hostroot::{self, Private};
use crate::runtime::overlay::Probe;
use crate::sandbox::mountinfo::MOUNTS_CHANGED;
use crate::sandbox::{self, Bind, EnvBase, NestedOverlay, NetMode, OverlayRoot};
use crate::workspace::Workspace;

/// What `run --host` asks for besides the run request.
pub struct HostRun {
    /// The run request.
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

/// The host's /etc/passwd line of uid UID, split.
fn host_passwd(uid: u32) -> Option<Vec<String>> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    text.lines()
        .map(|l| l.split(':').map(str::to_string).collect::<Vec<_>>())
        .find(|f| f.len() > 5 && f[2] == uid.to_string())
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
            return Err(RunError::KeepAsExists(name.to_string()));
        }
    }
    let req = &mut h.req;
    let euid = nix::unistd::geteuid().as_raw();
    let (uid, gid) = match &req.user {
        Some(u) => user_ids(u, "the host's", |p| {
            std::fs::read_to_string(p).unwrap_or_default()
        })?,
        None => (euid, nix::unistd::getegid().as_raw()),
    };
    // The environment: the caller's PATH and HOME, then --env-file, then -e.
    let caller_path = std::env::var("PATH").ok().map(|p| ("PATH".to_string(), p));
    let (env, path_var) = command_env(caller_path.into_iter().collect(), req)?;
    let home = match (&req.user, std::env::var("HOME")) {
        (None, Ok(h)) if !h.is_empty() => h,
        _ => host_passwd(uid)
            .map(|f| f[5].clone())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| if uid == 0 { "/root".into() } else { "/".into() }),
    };
    let mut argv = req.command.clone();
    if argv.is_empty() {
        argv = vec!["/bin/sh".into()];
    }
    let mut auto_binds = match &req.auto_mount {
        Some(caller) => auto_mount(&mut argv, caller),
        None => Vec::new(),
    };
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
    cfg.binds.extend(profile_binds(&req.bind_profiles, report)?);
    check_command(&argv[0], &path_var, &cfg.binds)?;
    let private = Private::create()?;
    if let Probe::No(why) = private.probe()? {
        return Err(RunError::HostOverlayUnavailable(why));
    }
    cfg.argv = argv.iter().map(OsString::from).collect();
    cfg.uid = uid;
    cfg.gid = gid;
    cfg.env_base = EnvBase::Minimal;
    cfg.env = env;
    cfg.home = Some(home);
    cfg.tmpfs.insert(0, PathBuf::from("/run"));
    // Started under /tmp: the host's /tmp, overlaid, so ../ of it is there.
    cfg.fresh_tmp = !hostroot::keeps_host_tmp(&workdir);
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
        super::redirect(0, "/dev/null", false)?;
    }
    // A mount made below a planned lower directory before the sandbox
    // copied the mount table is found there, before the command starts:
    // plan again (runtime.md, "Host instances").
    let mut attempt = 0;
    let (hr, exit) = loop {
        attempt += 1;
        let hr = hostroot::prepare(&private.dir, req.ro, &workdir)?;
        match sandbox::run(&with_root(&cfg, &hr, &workdir)) {
            Ok(exit) => break (hr, exit),
            Err(sandbox::Error::Setup(m)) if m.starts_with(MOUNTS_CHANGED) && attempt < 3 => {
                hostroot::clear(&private.dir)?;
            }
            Err(e) => return Err(e.into()),
        }
    };
    report.sandbox_warnings(&exit.warnings);
    if let (Some((ws, name)), Some((upper, _))) = (&h.keep_as, &hr.root_upper) {
        if let Err(e) = keep(ws, name, upper, &hr.nested, &argv) {
            let dir = private.keep();
            return Err(RunError::KeepAsFailed {
                err: Box::new(e),
                kept: dir,
            });
        }
    }
    private.remove()?;
    Ok(exit.status)
}

/// CFG with the host root HR as its root, WORKDIR the working directory.
fn with_root(cfg: &sandbox::Config, hr: &hostroot::HostRoot, workdir: &Path) -> sandbox::Config {
    let mut cfg = cfg.clone();
    cfg.workdir = workdir.to_path_buf();
    cfg.rootfs = hr.mnt.clone();
    cfg.overlay = Some(OverlayRoot {
        lowerdir: sandbox::escape_overlay_path(&hr.spine),
        upper: hr.root_upper.clone(),
        skeleton: hr.skeleton.clone(),
        volatile: true,
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
    cfg
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
    // The workspace's own store is never read as a host change.
    let exclude = std::fs::metadata(&ws.dir)
        .map(|m| vec![(m.dev(), m.ino())])
        .unwrap_or_default();
    let (base, new) = hostroot::fold(&batch, upper, nested, exclude)?;
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
