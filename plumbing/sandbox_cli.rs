//! What the sandbox's commands share on the command line (`unshare-exec`,
//! `enter`, `run`, `exec`, `apply`): the environment and confinement
//! options, how a sandbox's or a run's error becomes the command's exit
//! status, and how its warnings are printed.

use std::ffi::OsString;
use std::path::PathBuf;

use hako::sandbox::{self, EnvBase, SeccompPolicy, Warning};
use hako::workspace::Config;

use super::Fatal;

// The environment the command starts with (shared with `enter`); a plain
// comment, as for `ConfineArgs`.
#[derive(clap::Args)]
pub struct EnvArgs {
    /// Set an environment variable K=V (repeatable).
    #[arg(long, value_name = "K=V")]
    env: Vec<String>,
    /// Start from an empty environment (only the --env variables).
    #[arg(long, conflicts_with = "keep_env")]
    clear_env: bool,
    /// Pass the caller's environment (default: only PATH, HOME, TERM and PWD, plus --env).
    #[arg(long)]
    keep_env: bool,
}

impl EnvArgs {
    /// The environment the command starts from.
    pub fn env_base(&self) -> EnvBase {
        if self.clear_env {
            EnvBase::Empty
        } else if self.keep_env {
            EnvBase::Host
        } else {
            EnvBase::Minimal
        }
    }

    /// The `--env` pairs.
    pub fn env(&self) -> Result<Vec<(OsString, OsString)>, sandbox::Error> {
        parse_env(&self.env)
    }
}

// How the command is confined: seccomp and landlock (shared with `enter`).
// A plain comment: a doc comment would become the command's description
// when clap builds the (deferred) arguments.
#[derive(clap::Args)]
pub struct ConfineArgs {
    /// seccomp filter: off, default, or a seccompiler JSON FILE.
    #[arg(long, default_value = "default", value_name = "off|default|FILE")]
    seccomp: String,
    /// Do not confine filesystem access with landlock.
    #[arg(long)]
    no_landlock: bool,
}

impl ConfineArgs {
    pub fn seccomp(&self) -> Result<SeccompPolicy, sandbox::Error> {
        SeccompPolicy::parse(&self.seccomp)
    }

    pub fn landlock(&self) -> bool {
        !self.no_landlock
    }
}

/// Bad input and setup failures exit 125 with one line naming the step.
pub fn setup_failed(e: sandbox::Error) -> anyhow::Error {
    Fatal {
        code: e.exit_code(),
        message: e.to_string().replace('\n', " "),
    }
    .into()
}

/// A run supervisor's error as a command's (`run`, `apply`): the sandbox's
/// and the shell's (126, 127) keep their exit codes.
pub fn run_error(e: hako::runtime::supervisor::RunError) -> anyhow::Error {
    use hako::runtime::supervisor::RunError;
    match e {
        RunError::Sandbox(e) => setup_failed(e),
        RunError::Usage(m) => super::usage(m),
        RunError::Command { code, message } => Fatal { code, message }.into(),
        e => e.into(),
    }
}

/// What the run supervisor has to say, on stderr: the sandbox's warnings
/// as unshare-exec prints them, `note: …` lines, the commit made.
pub struct RunWarnings;

impl hako::runtime::supervisor::Reporter for RunWarnings {
    fn sandbox_warnings(&self, warnings: &[Warning]) {
        report(warnings);
    }

    fn note(&self, note: &str) {
        eprintln!("note: {note}");
    }

    fn committed(&self, commit: Option<(&hako::oid::ObjectId, &str)>) {
        match commit {
            Some((id, summary)) => eprintln!("{} {summary}", id.short()),
            None => eprintln!("nothing to commit, working root clean"),
        }
    }

    fn say_warnings(&self) {
        super::print_warnings();
    }

    fn detached_failed(&self, err: &hako::runtime::supervisor::RunError) {
        eprintln!("fatal: {}", err.to_string().replace('\n', " "));
    }
}

/// `K=V` pairs of --env.
fn parse_env(items: &[String]) -> Result<Vec<(OsString, OsString)>, sandbox::Error> {
    items
        .iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.into(), v.into())),
            _ => Err(sandbox::Error::Usage(format!("--env '{kv}': expected K=V"))),
        })
        .collect()
}

/// Print the sandbox's warnings on stderr, one line each. The cgroup one is
/// about the host, not the run: printed once per host condition, or never
/// with `sandbox.cgroupWarning = false` in the workspace or user config.
pub fn report(warnings: &[Warning]) {
    for w in warnings {
        match w {
            Warning::CgroupNotApplied { condition, .. } => {
                if cgroup_warning_due(condition) {
                    eprintln!("warning: {w} (said once; sandbox.cgroupWarning = false in ~/.config/hako/config silences it)");
                }
            }
            _ => eprintln!("warning: {w}"),
        }
    }
}

/// Where the cgroup conditions already reported are remembered, one a line:
/// `$XDG_STATE_HOME/hako/cgroup-warned`, by default `~/.local/state/hako/cgroup-warned`.
fn cgroup_state_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("hako").join("cgroup-warned"))
}

/// True if the cgroup warning for CONDITION should be printed now (and
/// remember that it was; where that cannot be remembered, it is printed each time).
fn cgroup_warning_due(condition: &str) -> bool {
    let key = "sandbox.cgroupwarning";
    let from_workspace = super::open_workspace()
        .ok()
        .and_then(|ws| ws.config.get_bool(key));
    // A user config that does not parse silences nothing: the command reading it says why.
    let from_user = || Config::user().ok().and_then(|c| c.get_bool(key));
    if from_workspace.or_else(from_user) == Some(false) {
        return false;
    }
    let Some(path) = cgroup_state_path() else {
        return true;
    };
    let seen = std::fs::read_to_string(&path).unwrap_or_default();
    if seen.lines().any(|l| l == condition) {
        return false;
    }
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    use std::io::Write;
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    {
        let _ = writeln!(f, "{condition}");
    }
    true
}
