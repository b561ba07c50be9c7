//! `hako kill [-s SIG] ID`: send a signal to an instance's command.

use anyhow::bail;
use nix::sys::signal::Signal;

use hako::runtime::instance::{self, Status};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Signal name (TERM, SIGHUP…) or number; default KILL.
    #[arg(
        short = 's',
        long = "signal",
        default_value = "KILL",
        value_name = "SIG"
    )]
    signal: String,
    /// Instance id, id prefix or name.
    id: String,
}

fn parse_signal(s: &str) -> anyhow::Result<Signal> {
    if let Ok(n) = s.parse::<i32>() {
        return Signal::try_from(n).map_err(|_| anyhow::anyhow!("unknown signal '{s}'"));
    }
    let up = s.to_ascii_uppercase();
    let name = if up.starts_with("SIG") {
        up
    } else {
        format!("SIG{up}")
    };
    name.parse::<Signal>()
        .map_err(|_| anyhow::anyhow!("unknown signal '{s}'"))
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let sig = parse_signal(&a.signal)?;
    let ws = plumbing::open_workspace()?;
    let inst = instance::find(&ws, &a.id)?;
    let status = inst.effective_status();
    if status != Status::Running {
        bail!("instance {} is not running ({})", inst.id, status.name());
    }
    if sig == Signal::SIGKILL || sig == Signal::SIGSTOP {
        inst.signal(sig);
    } else if let Some(s) = inst.supervisor.filter(|s| s.alive()) {
        // The supervisor forwards it to the command.
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(s.pid), sig)?;
    }
    Ok(0)
}
