//! `hako mkdir [-p] PATH…`: create directories in the working root.

use anyhow::bail;

use hako::container::display_path;
use hako::prolly::dir::{self, Entry, S_IFDIR};
use hako::worktree;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Create parents as needed; an existing directory is not an error.
    #[arg(short = 'p', long)]
    parents: bool,
    /// Directories to create (absolute, or relative to the current directory).
    #[arg(required = true)]
    paths: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    super::edit_paths(&ws, &a.paths, |batch, root, comps| {
        match worktree::lookup(batch, &root, comps)? {
            Some(e) if e.is_dir() && a.parents => return Ok(root),
            Some(_) => bail!("{}: already exists", display_path(comps)),
            None => {}
        }
        if !a.parents && comps.len() > 1 {
            let parent = &comps[..comps.len() - 1];
            match worktree::lookup(batch, &root, parent)? {
                Some(p) if p.is_dir() => {}
                Some(_) => bail!("{}: not a directory", display_path(parent)),
                None => bail!("{}: no such directory (use -p)", display_path(parent)),
            }
        }
        let empty = dir::empty(batch)?;
        let name = worktree::basename(comps)?;
        let e = Entry::new(&name, S_IFDIR | 0o755, empty);
        Ok(worktree::put(batch, &root, comps, Some(e))?)
    })?;
    Ok(0)
}
