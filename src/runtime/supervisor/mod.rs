//! The run supervisor (format-spec/runtime.md, "Processes"): given a typed
//! [`RunSpec`] (what `run`, `exec` and `apply` decided), it chooses the data
//! path, creates the instance, starts the sandbox on the instance's root,
//! records it, waits, folds and commits. One module per data path:
//! `overlay` (the kernel's overlay over the checkout cache), `fuse` (the
//! read-write FUSE server) and `materialize` (a checkout).
#![warn(missing_docs)]

mod fuse;
pub mod host;
mod materialize;
mod overlay;
mod plan;

pub use host::HostRun;
pub use plan::{plan, RunRequest};

use std::fs::File;
use std::io::{Read, Write};
use std::path::PathBuf;

use crate::error::{Error, IoContext};
use crate::oid::ObjectId;
use crate::runtime::datapath::{self, DataPath};
use crate::runtime::error::RuntimeError;
use crate::runtime::instance::{self, check_fuse, Instance, Mode, Proc, Status, SupervisorLock};
use crate::sandbox::{self, Config as SandboxConfig, Warning};
use crate::workspace::Workspace;

/// Everything `run` decided before anything is created.
pub struct RunSpec {
    /// The workspace the instance belongs to.
    pub ws: Workspace,
    /// The container run (None: a REV that is not one).
    pub container: Option<String>,
    /// What was given: a container name or revision text.
    pub rev: String,
    /// The tree the instance starts from.
    pub tree: ObjectId,
    /// What the instance may write.
    pub mode: Mode,
    /// How the command is confined.
    pub sandbox: SandboxConfig,
    /// The program's content, when found in the tree by an absolute path or PATH.
    pub program: Option<ObjectId>,
    /// `--name`.
    pub name: Option<String>,
    /// `--fs` (None: `run.fs`, else the default).
    pub fs: Option<DataPath>,
    /// `-d`: a detached supervisor; its output goes to the instance's log.
    pub detach: bool,
    /// `-i`/`-t`: stdin stays attached (else /dev/null).
    pub keep_stdin: bool,
    /// `--rm`: remove the instance's directory when the command ends.
    pub remove: bool,
    /// Remove the instance's record once it has ended (apply's steps).
    pub forget: bool,
    /// `--commit`, with `-m`'s message (default `run: CMD`).
    pub commit: Option<Option<String>>,
    /// `--autocommit`: commit the working root after each `hako exec` and at exit.
    pub autocommit: bool,
}

/// How a run ended, for the command to report.
pub enum Outcome {
    /// The command's exit status (foreground).
    Exited(i32),
    /// A detached instance started: its id.
    Detached(String),
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// An engine error.
    #[error(transparent)]
    Engine(#[from] Error),
    /// The sandbox's own error (its exit code: 125, or 126/127 at exec).
    #[error(transparent)]
    Sandbox(#[from] sandbox::Error),
    /// Bad input (usage).
    #[error("{0}")]
    Usage(String),
    /// The command cannot run, as a shell says it: 127 (not found), 126.
    #[error("{message}")]
    Command {
        /// 126 or 127.
        code: i32,
        /// What the shell would say.
        message: String,
    },
    /// The REV given names neither a container nor a revision.
    #[error("'{rev}' is neither a container nor a revision ({err})")]
    NoTarget {
        /// The REV as given.
        rev: String,
        /// Why it is not a revision.
        err: Box<Error>,
    },
    /// `--name` is not a valid name.
    #[error("invalid instance name '{0}'")]
    BadInstanceName(String),
    /// Another instance has the name `--name` gives.
    #[error("an instance named '{name}' exists already ({id}); remove it with 'hako reap' once it has exited")]
    NameTaken {
        /// The name.
        name: String,
        /// The instance that has it.
        id: String,
    },
    /// A second persistent run of CONTAINER, whose instance ID runs.
    #[error("container '{container}' is already running as instance {id} (writes of a second run would race it): use --rm for a temporary run, or 'hako exec {id} CMD'")]
    AlreadyRunning {
        /// The container.
        container: String,
        /// The running instance.
        id: String,
    },
    /// An `--env-file` could not be read.
    #[error("--env-file '{}': {err}", path.display())]
    EnvFile {
        /// The file.
        path: PathBuf,
        /// What the system reported.
        err: std::io::Error,
    },
    /// A line of an `--env-file` is not `K=V`.
    #[error("--env-file '{}' line {line}: not K=V", path.display())]
    EnvFileLine {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
    },
    /// USER or GROUP is not in the /etc/passwd or /etc/group of WHOSE.
    #[error("unknown user '{name}' in {whose} /etc/passwd")]
    UnknownUser {
        /// The user.
        name: String,
        /// Whose files were searched.
        whose: String,
    },
    /// The group is not in the /etc/group of WHOSE.
    #[error("unknown group '{name}' in {whose} /etc/group")]
    UnknownGroup {
        /// The group.
        name: String,
        /// Whose files were searched.
        whose: String,
    },
    /// The tree could not be prepared as an overlay's lower directory.
    #[error("--fs overlay: cannot prepare the tree: {0}")]
    NoOverlayLower(Box<Error>),
    /// The checkout cache gave no lower directory.
    #[error("the checkout cache gave no lower directory")]
    NoLower,
    /// The tree could not be checked out.
    #[error("cannot check the tree out: {0}")]
    Checkout(Box<Error>),
    /// The instance directory could not be created.
    #[error("cannot create '{}': {err}", path.display())]
    InstanceDir {
        /// The directory.
        path: PathBuf,
        /// What the system reported.
        err: std::io::Error,
    },
    /// Standard descriptor FD could not be pointed at PATH (`-d`'s logs, stdin).
    #[error("cannot open '{path}': {err}")]
    Open {
        /// The file.
        path: String,
        /// What the system reported.
        err: std::io::Error,
    },
    /// A standard descriptor could not be pointed at a file.
    #[error("cannot redirect descriptor {fd} to '{path}': {errno}")]
    Redirect {
        /// The descriptor.
        fd: i32,
        /// The file.
        path: String,
        /// The error the kernel returned.
        errno: nix::errno::Errno,
    },
    /// The detached supervisor exited before the command started.
    #[error("the detached supervisor exited before the command started")]
    DetachedExited,
    /// The detached supervisor's own error, as it reported it through its pipe.
    #[error("{0}")]
    Detached(String),
    /// The fold after the command failed; its changes are KEPT.
    #[error("the command's changes could not be folded into the working root ({err}); they are kept in {} ('hako reap' tries again)", kept.display())]
    FoldFailed {
        /// Why.
        err: Box<Error>,
        /// Where the changes are.
        kept: PathBuf,
    },
    /// `--keep-as` names a container that exists.
    #[error("--keep-as: container '{0}' already exists")]
    KeepAsExists(String),
    /// `--keep-as` could not make the container; the upper directories are kept.
    #[error("--keep-as: {err}; the upper directories are kept in {}", kept.display())]
    KeepAsFailed {
        /// Why.
        err: Box<Error>,
        /// Where the upper directories are.
        kept: PathBuf,
    },
    /// `--host` needs an overlay mount, which is unavailable here, and why.
    #[error("--host: overlay unavailable ({0})")]
    HostOverlayUnavailable(String),
    /// The checkout cache's entry failed its quick check before the command
    /// started (the overlay path rebuilds it and starts again).
    #[error("cache entry damaged: {0}")]
    CacheDamaged(crate::cache::error::EntryDamage),
}

impl From<RuntimeError> for RunError {
    fn from(e: RuntimeError) -> RunError {
        RunError::Engine(e.into())
    }
}

/// What the supervisor has to say, for the caller to say it (the engine
/// prints nothing): notes, warnings of the sandbox (the cgroup warning is
/// said once), commits; and when to say the engine's other warnings
/// (`crate::warnings`), which a detached supervisor must say in its log.
pub trait Reporter {
    /// Say the sandbox's warnings (each cgroup condition once).
    fn sandbox_warnings(&self, warnings: &[Warning]);
    /// Say NOTE: a choice made for the caller (the data path taken, bind
    /// profiles moved out of an old file).
    fn note(&self, note: &str);
    /// Say the commit made after the command (`--commit`, `--autocommit`):
    /// its id and the first line of its message; None: nothing to commit.
    fn committed(&self, commit: Option<(&ObjectId, &str)>);
    /// Say the engine's warnings met so far, now: before a detached
    /// supervisor is forked (they are the caller's), and when it ends (its
    /// stderr is the instance's log; it never returns to the caller).
    fn say_warnings(&self);
    /// A detached supervisor failed: say why on its stderr, the instance's log.
    fn detached_failed(&self, err: &RunError);
}

type Result<T> = std::result::Result<T, RunError>;

/// Run SPEC: choose the data path, create the instance, supervise it (or
/// fork a detached supervisor and return once the command has started).
pub fn run(spec: RunSpec, report: &dyn Reporter) -> Result<Outcome> {
    let ws = &spec.ws;
    if spec.fs == Some(DataPath::Fuse) {
        check_fuse()?;
    }
    let mut choice = datapath::choose(ws, spec.fs)?;
    if spec.autocommit && choice.path == DataPath::Materialize {
        return Err(RunError::Usage(
            "--autocommit needs the overlay or FUSE data path, not materialize".into(),
        ));
    }
    // The checkout cache's entry of the tree, held (shared flocks) for the run.
    let mut lower = None;
    if choice.path == DataPath::Overlay {
        let map = if spec.sandbox.map_users {
            let (uids, gids) = sandbox::planned_id_maps(&spec.sandbox)?;
            Some(sandbox::IdMap { uids, gids })
        } else {
            None
        };
        let profile = crate::cache::Profile::of_caller(map);
        // The quick check of a cached tree is made while the sandbox is set
        // up; the command waits for it (overlay::supervise).
        match crate::cache::prepare_unchecked(ws, &spec.tree, &profile) {
            Ok((p, check)) => {
                if let Some(why) = &p.damaged {
                    crate::warnings::warn(format!("cache entry damaged, rebuilt: {why}"));
                }
                for s in p.skipped.iter().filter(|s| !s.contains("(device node ")) {
                    crate::warnings::warn(format!("not created in the checkout cache: {s}"));
                }
                let fresh = p.written.is_some();
                lower = p.lower.map(|lower| Cached {
                    lower,
                    profile,
                    check,
                    fresh,
                });
            }
            Err(e) if spec.fs.is_some() => return Err(RunError::NoOverlayLower(Box::new(e))),
            Err(e) => {
                check_fuse()?;
                choice = datapath::fallback_to_fuse(&format!("checkout cache: {e}"));
            }
        }
        if lower.is_none() && choice.path == DataPath::Overlay {
            check_fuse()?;
            choice = datapath::fallback_to_fuse("the checkout cache gave no lower directory");
        }
    }
    if let Some(n) = &choice.note {
        report.note(n);
    }
    let idir = instance::instances_dir(ws);
    std::fs::create_dir_all(&idir).at(&idir)?;
    instance::reap_exited(ws, instance::keep_exited(ws)?)?;
    let id = instance::new_id(spec.container.as_deref().unwrap_or("-"));
    let dir = idir.join(&id);
    std::fs::create_dir(&dir).map_err(|err| RunError::InstanceDir {
        path: dir.clone(),
        err,
    })?;
    let mnt = dir.join("mnt");
    std::fs::create_dir(&mnt).at(&mnt)?;
    let inst = Instance {
        id: id.clone(),
        name: spec.name.clone(),
        container: spec.container.clone(),
        rev: spec.rev.clone(),
        tree: spec.tree.to_string(),
        mode: spec.mode,
        command: spec
            .sandbox
            .argv
            .iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect(),
        created: instance::now_secs(),
        supervisor: None,
        fuse: None,
        pid: None,
        status: Status::Created,
        exit: None,
        finished: None,
        autocommit: spec.autocommit,
        fs: choice.path,
        caps: if spec.sandbox.keep_caps {
            u64::MAX
        } else {
            spec.sandbox.caps
        },
        dir: dir.clone(),
    };
    if !spec.detach {
        if !spec.keep_stdin {
            redirect(0, "/dev/null", false)?;
        }
        return supervise(spec, inst, None, lower, report).map(Outcome::Exited);
    }
    // The child would inherit the warnings met so far and say them again.
    report.say_warnings();
    let (r, w) = nix::unistd::pipe().map_err(|errno| RuntimeError::Sys {
        step: "pipe",
        errno,
    })?;
    let pid = sandbox::fork_process().map_err(|err| RuntimeError::Os {
        step: "cannot fork the supervisor",
        err,
    })?;
    if pid == 0 {
        drop(r);
        let _ = nix::unistd::setsid();
        let log = inst.log_path();
        let ok = redirect(0, "/dev/null", false)
            .and_then(|()| redirect(1, log.to_str().unwrap_or(""), true))
            .and_then(|()| redirect(2, log.to_str().unwrap_or(""), true));
        let mut notify = File::from(w);
        let ran = ok.and_then(|()| supervise(spec, inst, Some(&mut notify), lower, report));
        report.say_warnings();
        let code = match ran {
            Ok(c) => c,
            Err(e) => {
                let _ = writeln!(notify, "{}", e.to_string().replace('\n', " "));
                report.detached_failed(&e);
                125
            }
        };
        std::process::exit(code);
    }
    drop(w);
    // One line: "ok", or the error (the pipe stays open while the instance runs).
    let mut first = Vec::new();
    let mut r = File::from(r);
    let mut b = [0u8; 1];
    while r.read(&mut b).unwrap_or(0) == 1 && b[0] != b'\n' {
        first.push(b[0]);
    }
    let first = String::from_utf8_lossy(&first).into_owned();
    if first == "ok" {
        return Ok(Outcome::Detached(id));
    }
    let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid), None);
    if first.is_empty() {
        return Err(RunError::DetachedExited);
    }
    Err(RunError::Detached(first))
}

/// Point standard descriptor `fd` (0, 1 or 2) at `path` (appending, created, if `append`).
fn redirect(fd: i32, path: &str, append: bool) -> Result<()> {
    let f = if append {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
    } else {
        std::fs::OpenOptions::new().read(true).open(path)
    }
    .map_err(|err| RunError::Open {
        path: path.to_string(),
        err,
    })?;
    match fd {
        0 => nix::unistd::dup2_stdin(&f),
        1 => nix::unistd::dup2_stdout(&f),
        _ => nix::unistd::dup2_stderr(&f),
    }
    .map_err(|errno| RunError::Redirect {
        fd,
        path: path.to_string(),
        errno,
    })?;
    Ok(())
}

/// The supervisor: take the instance's lock, then the data path's own steps.
fn supervise(
    spec: RunSpec,
    mut inst: Instance,
    notify: Option<&mut File>,
    lower: Option<Cached>,
    report: &dyn Reporter,
) -> Result<i32> {
    let lock = match SupervisorLock::take(&inst) {
        Ok(l) => l,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&inst.dir);
            return Err(e.into());
        }
    };
    inst.supervisor = Some(Proc::of(std::process::id() as i32));
    let run = Supervised {
        spec,
        inst,
        lock,
        report,
        check: None,
    };
    match (run.inst.fs, lower) {
        (DataPath::Materialize, _) => materialize::supervise(run, notify),
        (DataPath::Overlay, Some(lower)) => overlay::supervise(run, notify, lower),
        _ => fuse::supervise(run, notify),
    }
}

/// The checkout cache's entry of the tree for an overlay run: its lower
/// directories (held), the profile, and its quick check when still to be made.
struct Cached {
    lower: crate::cache::Lower,
    profile: crate::cache::Profile,
    check: Option<crate::cache::QuickCheck>,
    /// The entry was written by this run (its sync is left to its next use).
    fresh: bool,
}

/// An instance being supervised.
struct Supervised<'a> {
    spec: RunSpec,
    inst: Instance,
    lock: SupervisorLock,
    report: &'a dyn Reporter,
    /// The lower's quick check, made while the sandbox is set up: the
    /// command starts only once it has passed.
    check: Option<crate::cache::QuickCheck>,
}

impl Supervised<'_> {
    /// Start the command in the sandbox, record the instance running, tell a
    /// detached caller, and wait: the command's exit, or the sandbox's error
    /// (starting or waiting); the outer error is the record's.
    fn start_and_wait(
        &mut self,
        notify: Option<&mut File>,
    ) -> Result<std::result::Result<sandbox::Exit, sandbox::Error>> {
        let sb = match self.start_gated()? {
            Ok(sb) => sb,
            Err(e) => return Ok(Err(e)),
        };
        self.report.sandbox_warnings(&sb.warnings);
        self.inst.pid = Some(Proc::of(sb.pid));
        self.inst.status = Status::Running;
        self.inst.save()?;
        if let Some(n) = notify {
            let _ = n.write_all(b"ok\n");
        }
        Ok(sb.wait())
    }

    /// Start the sandbox; with a quick check pending, make it meanwhile
    /// (the sandbox's gate: its threads start once the sandbox is cloned)
    /// and let the command start only once it has passed. A damaged lower
    /// ends the sandbox before the command starts.
    fn start_gated(&mut self) -> Result<std::result::Result<sandbox::Sandbox, sandbox::Error>> {
        let Some(check) = self.check.take() else {
            return Ok(sandbox::start(&self.spec.sandbox));
        };
        let mut verdict = None;
        let started = sandbox::start_gated(&self.spec.sandbox, &mut || {
            let v = check.run();
            let passed = v.is_ok();
            verdict = Some(v);
            passed
        });
        match verdict {
            // The sandbox failed before the gate: its own error says why.
            None | Some(Ok(())) => Ok(started),
            Some(Err(why)) => {
                if let Ok(sb) = started {
                    let _ = sb.wait();
                }
                Err(RunError::CacheDamaged(why))
            }
        }
    }

    /// The tail of the data paths that run on a directory of their own
    /// (overlay, materialize): start and wait (`abandon` on a setup failure),
    /// then, for a persistent instance, `fold` into the working root. A
    /// failed fold records the exit and keeps `kept` for `reap`.
    fn run_and_fold(
        &mut self,
        notify: Option<&mut File>,
        abandon: impl Fn(&Supervised),
        kept: &std::path::Path,
        fold: impl FnOnce(&Workspace) -> crate::error::Result<()>,
    ) -> Result<i32> {
        let exit = match self.start_and_wait(notify)? {
            Ok(exit) => exit,
            Err(e) => {
                abandon(self);
                return Err(e.into());
            }
        };
        self.report.sandbox_warnings(&exit.warnings);
        if self.spec.mode == Mode::Persistent {
            let ws = self.container_ws()?;
            if let Err(e) = fold(&ws) {
                self.record_exit(exit.status);
                self.inst.save()?;
                return Err(RunError::FoldFailed {
                    err: Box::new(e),
                    kept: kept.to_path_buf(),
                });
            }
        }
        Ok(exit.status)
    }

    /// Record that the command exited with `status`.
    fn record_exit(&mut self, status: i32) {
        self.inst.status = Status::Exited;
        self.inst.exit = Some(status);
        self.inst.finished = Some(instance::now_secs());
    }

    /// The container's workspace, opened afresh (the fold and commit use it).
    fn container_ws(&self) -> Result<Workspace> {
        Ok(Workspace::open_with(
            &self.spec.ws.dir,
            self.spec.container.as_deref(),
        )?)
    }

    /// After the command and its filesystem are done: record the exit (or
    /// drop the state with `--rm`), commit with `--commit`, release the lock.
    fn finish(mut self, status: i32) -> Result<i32> {
        self.record_exit(status);
        if !self.spec.remove {
            self.inst.save()?;
        }
        if self.spec.commit.is_some() || self.spec.autocommit {
            self.commit_after()?;
        }
        if self.spec.remove || self.spec.forget {
            let _ = std::fs::remove_dir_all(&self.inst.dir);
        } else {
            let _ = std::fs::remove_dir_all(self.inst.spill_dir());
        }
        drop(self.lock);
        Ok(status)
    }

    /// Commit the container's working root (persistent mode only).
    fn commit_after(&self) -> Result<()> {
        let ws = self.container_ws()?;
        let msg = self
            .spec
            .commit
            .clone()
            .flatten()
            .unwrap_or_else(|| format!("run: {}", self.inst.command.join(" ")));
        match crate::commit::commit_working(&ws, &msg, "commit", false)? {
            Some(id) => {
                let summary = crate::object::clean_message(&msg);
                let first = summary.lines().next().unwrap_or("");
                self.report.committed(Some((&id, first)));
            }
            None => self.report.committed(None),
        }
        Ok(())
    }

    /// Remove the instance's directory after a failed start.
    fn abandon(&self) {
        let _ = crate::fsutil::remove_tree(&self.inst.dir);
    }

    fn upper_dir(&self) -> PathBuf {
        self.inst.dir.join("upper")
    }
}
