//! `hako cd PATH`: change the workspace's current directory (for relative paths).

use anyhow::bail;

use hako::container::{cwd, display_path, resolve_path, set_cwd, working_root};
use hako::worktree;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// A directory in the working root (default: /).
    path: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let comps = resolve_path(&cwd(&ws)?, a.path.as_deref().unwrap_or("/"))?;
    let root = working_root(&ws)?;
    match worktree::lookup(&ws.odb, &root, &comps)? {
        Some(e) if e.is_dir() => {}
        Some(_) => bail!("{}: not a directory", display_path(&comps)),
        None => bail!("{}: no such directory", display_path(&comps)),
    }
    set_cwd(&ws, &display_path(&comps))?;
    Ok(0)
}
