//! `hako enter`: run a command inside a running sandbox (the twin of hako-enter).

use std::ffi::OsString;
use std::path::PathBuf;

use hako::sandbox::{self, EnterConfig, SeccompPolicy};

use super::unshare_exec::{parse_env, setup_failed};

#[derive(clap::Args)]
pub struct Args {
    /// Read the sandbox's pid (and start time, checked) from FILE instead of PID.
    #[arg(long, value_name = "FILE", conflicts_with = "pid")]
    pid_file: Option<PathBuf>,
    /// Set an environment variable K=V (repeatable).
    #[arg(long, value_name = "K=V")]
    env: Vec<String>,
    /// Start from an empty environment.
    #[arg(long)]
    clear_env: bool,
    /// Keep capabilities (inside the sandbox's user namespace).
    #[arg(long)]
    keep_cap: bool,
    /// seccomp filter: off, default, or a seccompiler JSON FILE.
    #[arg(long, default_value = "default", value_name = "off|default|FILE")]
    seccomp: String,
    /// Do not confine filesystem access with landlock.
    #[arg(long)]
    no_landlock: bool,
    /// A process of the sandbox (its pid 1, from `unshare-exec --pid-file`).
    #[arg(value_name = "PID", required_unless_present = "pid_file")]
    pid: Option<i32>,
    /// The command (default /bin/sh).
    #[arg(value_name = "CMD", trailing_var_arg = true)]
    cmd: Vec<OsString>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let (pid, start_time) = match (&a.pid_file, a.pid) {
        (Some(f), _) => sandbox::read_pid_file(f).map_err(setup_failed)?,
        (None, Some(p)) => (p, None),
        (None, None) => unreachable!("clap requires PID or --pid-file"),
    };
    let cfg = EnterConfig {
        pid,
        start_time,
        argv: if a.cmd.is_empty() {
            vec!["/bin/sh".into()]
        } else {
            a.cmd
        },
        clear_env: a.clear_env,
        env: parse_env(&a.env).map_err(setup_failed)?,
        seccomp: SeccompPolicy::parse(&a.seccomp).map_err(setup_failed)?,
        keep_caps: a.keep_cap,
        landlock: !a.no_landlock,
    };
    sandbox::enter(&cfg).map_err(setup_failed)
}
