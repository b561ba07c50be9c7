//! `hako stop [-t SECS] ID…`: SIGTERM, then SIGKILL after a timeout.

use std::time::{Duration, Instant};

use hako::runtime::instance::{self, Instance, Status};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Seconds to wait after SIGTERM before SIGKILL.
    #[arg(short = 't', long = "time", default_value_t = 10, value_name = "SECS")]
    time: u64,
    /// Instance ids, id prefixes or names.
    #[arg(required = true)]
    ids: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let found: Vec<Instance> = a
        .ids
        .iter()
        .map(|id| instance::find(&ws, id))
        .collect::<Result<_, _>>()?;
    for inst in found {
        stop(&inst, Duration::from_secs(a.time))?;
        println!("{}", inst.id);
    }
    Ok(0)
}

/// Stop one instance; returns once its supervisor has recorded the exit.
pub fn stop(inst: &Instance, grace: Duration) -> anyhow::Result<()> {
    if !matches!(inst.effective_status(), Status::Created | Status::Running) {
        return Ok(());
    }
    if let Some(s) = inst.supervisor.filter(|s| s.alive()) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(s.pid),
            nix::sys::signal::Signal::SIGTERM,
        );
    }
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if !inst.supervised() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    inst.signal(nix::sys::signal::Signal::SIGKILL);
    let deadline = Instant::now() + Duration::from_secs(10);
    while inst.supervised() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}
