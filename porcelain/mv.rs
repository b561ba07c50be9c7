//! `hako mv SRC DST`: move or rename within the working root (O(depth) edits).

use anyhow::bail;

use hako::container::{cwd, display_path, resolve_path};
use hako::worktree;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// The file or directory to move (absolute, or relative to the current directory).
    src: String,
    /// Destination; an existing directory receives SRC inside it.
    dst: String,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let cwd = cwd(&ws)?;
    let src = resolve_path(&cwd, &a.src)?;
    let dst = resolve_path(&cwd, &a.dst)?;
    if src.is_empty() {
        bail!("cannot move the root directory");
    }
    super::edit_working(&ws, |batch, root| {
        let Some(e) = worktree::lookup(batch, &root, &src)? else {
            return Err(hako::Error::NoSuchPath(display_path(&src)).into());
        };
        let dst = worktree::copy_target(batch, &root, &e, &src, dst.clone())?;
        if dst == src {
            return Ok(root);
        }
        if e.is_dir() && dst.starts_with(&src) {
            bail!("cannot move {} into itself", display_path(&src));
        }
        let mut ne = e.clone();
        ne.name = dst.last().unwrap().clone();
        let r = worktree::put(batch, &root, &src, None)?;
        Ok(worktree::put(batch, &r, &dst, Some(ne))?)
    })?;
    Ok(0)
}
