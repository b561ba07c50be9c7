//! `hako del [-r] PATH…`: delete files (and, with -r, directories).

use anyhow::bail;

use hako::container::display_path;
use hako::worktree;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Delete directories and everything in them.
    #[arg(short = 'r', long)]
    recursive: bool,
    /// Files or directories to delete.
    #[arg(required = true)]
    paths: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    super::edit_paths(&ws, &a.paths, |batch, root, comps| {
        let shown = display_path(comps);
        if comps.is_empty() {
            bail!("refusing to delete the root directory");
        }
        match worktree::lookup(batch, &root, comps)? {
            None => Err(hako::Error::NoSuchPath(shown).into()),
            Some(e) if e.is_dir() && !a.recursive => bail!("{shown}: is a directory (use -r)"),
            Some(_) => Ok(worktree::put(batch, &root, comps, None)?),
        }
    })?;
    Ok(0)
}
