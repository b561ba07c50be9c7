//! `hako add PATH…`: mark conflicted paths of the merge in progress resolved
//! (the working root's content at the path is what the merge will record).

use anyhow::bail;

use hako::merge::state::{read_state, resolve};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Conflicted paths (a directory resolves every conflict under it).
    #[arg(required = true)]
    paths: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    if read_state(&ws.refs)?.is_none() {
        bail!("no merge in progress: nothing to resolve");
    }
    for comps in hako::worktree::resolve_all(&ws, &a.paths)? {
        let path = comps.join(&b'/');
        if resolve(&ws.refs, &path)? == 0 {
            bail!(
                "'/{}' has no unresolved conflict",
                plumbing::quote_path(&path)
            );
        }
    }
    Ok(0)
}
