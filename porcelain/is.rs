//! `hako is NAME`: make NAME the active container (a metadata change).

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// The container to make active.
    name: String,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    ws.set_active(&a.name)?;
    Ok(0)
}
