//! `hako enter`: run a command inside a running sandbox (the twin of hako-enter).

use std::ffi::OsString;
use std::path::PathBuf;

use hako::sandbox::{self, EnterConfig};

use super::sandbox_cli::{setup_failed, ConfineArgs, EnvArgs};

#[derive(clap::Args)]
pub struct Args {
    /// Read the sandbox's pid from FILE instead of PID (a process started
    /// after the file was written is refused: the pid was reused).
    #[arg(long, value_name = "FILE")]
    pid_file: Option<PathBuf>,
    /// Accepted for hako-enter compatibility: enter always forks the command.
    #[arg(long)]
    fork: bool,
    #[command(flatten)]
    env: EnvArgs,
    /// Keep capabilities (inside the sandbox's user namespace; a non-root
    /// uid gets them as ambient, as with unshare-exec --keep-cap).
    #[arg(long)]
    keep_cap: bool,
    /// Give the command a pseudo-terminal of the sandbox's own devpts
    /// (its controlling terminal, in a new session), relayed by hako.
    #[arg(long)]
    pty: bool,
    #[command(flatten)]
    confine: ConfineArgs,
    /// PID (a process of the sandbox, e.g. its pid 1 from `unshare-exec
    /// --pid-file`; omitted with --pid-file), then the command (default /bin/sh).
    #[arg(value_name = "PID [--] CMD", trailing_var_arg = true)]
    args: Vec<OsString>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let mut args = a.args.into_iter();
    let (pid, start_time) = match &a.pid_file {
        Some(f) => sandbox::read_pid_file(f).map_err(setup_failed)?,
        None => {
            let p = args
                .next()
                .ok_or_else(|| usage("a PID or --pid-file FILE is required".into()))?;
            let pid = p
                .to_str()
                .and_then(|s| s.parse::<i32>().ok())
                .filter(|&p| p > 0)
                .ok_or_else(|| usage(format!("'{}' is not a pid", p.to_string_lossy())))?;
            (pid, None)
        }
    };
    let mut cmd: Vec<OsString> = args.collect();
    if cmd.first().is_some_and(|c| c == "--") {
        cmd.remove(0);
    }
    let cfg = EnterConfig {
        pid,
        start_time,
        argv: if cmd.is_empty() {
            vec!["/bin/sh".into()]
        } else {
            cmd
        },
        env_base: a.env.env_base(),
        env: a.env.env().map_err(setup_failed)?,
        seccomp: a.confine.seccomp().map_err(setup_failed)?,
        keep_caps: a.keep_cap,
        caps: 0,
        landlock: a.confine.landlock(),
        pty: a.pty,
    };
    sandbox::enter(&cfg).map_err(setup_failed)
}

fn usage(msg: String) -> anyhow::Error {
    setup_failed(sandbox::Error::Usage(format!("enter: {msg}")))
}
