//! `hako exec [-it] ID CMD…`: run a command inside a running instance
//! (joins its namespaces through the `enter` engine).

use std::ffi::OsString;

use anyhow::{bail, Context};

use hako::runtime::datapath::DataPath;
use hako::runtime::instance::{self, Status};
use hako::runtime::overlay;
use hako::sandbox::{self, EnterConfig, EnvBase, SeccompPolicy};

use crate::plumbing;
use crate::plumbing::sandbox_cli::setup_failed;

#[derive(clap::Args)]
pub struct Args {
    /// Keep stdin attached (default: /dev/null).
    #[arg(short = 'i', long)]
    interactive: bool,
    /// Allocate a pseudo-terminal in the container for the command (its
    /// controlling terminal; implies -i): job control works inside, and the
    /// host's terminal is never the container's.
    #[arg(short = 't', long)]
    tty: bool,
    /// Set an environment variable (repeatable).
    #[arg(short = 'e', long = "env", value_name = "K=V")]
    env: Vec<String>,
    /// Instance id, id prefix or name.
    id: String,
    /// The command (default: /bin/sh).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    cmd: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let inst = instance::find(&ws, &a.id)?;
    let status = inst.effective_status();
    let pid = match (status, inst.pid) {
        (Status::Running, Some(p)) if p.alive() => p,
        _ => bail!("instance {} is not running ({})", inst.id, status.name()),
    };
    if !(a.interactive || a.tty) {
        let null = std::fs::File::open("/dev/null")?;
        nix::unistd::dup2_stdin(&null)?;
    }
    let mut env = Vec::new();
    for kv in &a.env {
        let (k, v) = kv
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| plumbing::usage(format!("-e '{kv}': expected K=V")))?;
        env.push((OsString::from(k), OsString::from(v)));
    }
    let argv: Vec<OsString> = if a.cmd.is_empty() {
        vec!["/bin/sh".into()]
    } else {
        a.cmd.iter().map(OsString::from).collect()
    };
    let cfg = EnterConfig {
        pid: pid.pid,
        start_time: pid.start,
        argv,
        env_base: EnvBase::Minimal,
        env,
        seccomp: SeccompPolicy::Default,
        // The set the instance's root was given (run --cap-add/--cap-drop,
        // --keep-cap), never more.
        keep_caps: inst.caps == u64::MAX,
        caps: inst.caps,
        landlock: true,
        pty: a.tty,
    };
    if !inst.autocommit {
        return sandbox::enter(&cfg).map_err(setup_failed);
    }
    // Entering joins the container's namespaces in this process: the
    // snapshot afterwards needs the host's, so a child enters.
    // FUSE folds on an fsync of the mount's root (opened here, in the host's namespaces).
    let root = match inst.fs {
        DataPath::Fuse => Some(std::fs::File::open(inst.mountpoint())?),
        _ => None,
    };
    let pid = sandbox::fork_process()?;
    if pid == 0 {
        let code = match sandbox::enter(&cfg) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("fatal: {}", e.to_string().replace('\n', " "));
                e.exit_code()
            }
        };
        std::process::exit(code);
    }
    use nix::sys::wait::{waitpid, WaitStatus};
    let status = loop {
        match waitpid(nix::unistd::Pid::from_raw(pid), None) {
            Ok(WaitStatus::Exited(_, c)) => break c,
            Ok(WaitStatus::Signaled(_, s, _)) => break 128 + s as i32,
            Ok(_) | Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => bail!("cannot wait for the command: {e}"),
        }
    };
    snapshot(&ws, &inst, &a.cmd, root.as_ref())?;
    Ok(status)
}

/// `run --autocommit`: fold what the instance wrote (an fsync of its root
/// makes the FUSE server fold into the working root; an overlay instance's
/// upper directory is folded here) and commit it.
fn snapshot(
    ws: &hako::workspace::Workspace,
    inst: &instance::Instance,
    cmd: &[String],
    root: Option<&std::fs::File>,
) -> anyhow::Result<()> {
    let Some(c) = &inst.container else {
        return Ok(());
    };
    let ws = hako::workspace::Workspace::open_with(&ws.dir, Some(c))?;
    let folded = match root {
        Some(r) => r.sync_all().map_err(anyhow::Error::from),
        None => overlay::fold_instance(&ws, &inst.dir)
            .map(drop)
            .map_err(anyhow::Error::from),
    };
    folded.with_context(|| format!("cannot fold the writes of instance {}", inst.id))?;
    let what = if cmd.is_empty() {
        "/bin/sh".to_string()
    } else {
        cmd.join(" ")
    };
    if let Some(id) = hako::commit::commit_working(&ws, &format!("exec: {what}"), "commit", false)?
    {
        eprintln!("{} exec: {what}", id.short());
    }
    Ok(())
}
