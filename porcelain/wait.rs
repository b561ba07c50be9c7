//! `hako wait ID`: wait for an instance to end; print its exit status.

use std::time::Duration;

use hako::runtime::instance::{self, Instance, Status};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Instance id, id prefix or name.
    id: String,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let inst = instance::find(&ws, &a.id)?;
    loop {
        let now = Instance::load(&inst.dir).map_err(|_| {
            anyhow::anyhow!("instance {} is gone (removed by --rm or reap)", inst.id)
        })?;
        match now.effective_status() {
            Status::Exited => {
                println!("{}", now.exit.unwrap_or(0));
                return Ok(0);
            }
            Status::Dead => {
                anyhow::bail!(
                    "instance {} died without recording an exit status (its supervisor was killed)",
                    inst.id
                )
            }
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}
