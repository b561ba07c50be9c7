//! `hako del-container NAME`: delete a container (never the active one).

use anyhow::bail;

use hako::workspace::Workspace;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// The container to delete (not the active one).
    name: String,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    if Workspace::active_container(&ws.dir)? == a.name {
        bail!(
            "cannot delete the active container '{}' (switch with 'hako is' first)",
            a.name
        );
    }
    ws.delete_container(&a.name)?;
    Ok(0)
}
