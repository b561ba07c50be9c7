//! `hako cp [-r] [REF:]SRC DST`: copy within the working root. Copying a
//! directory is one entry edit: the subtree is shared, not rewritten.

use anyhow::bail;

use hako::container::{cwd, resolve_path};
use hako::worktree;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Copy directories.
    #[arg(short = 'r', long)]
    recursive: bool,
    /// Source, `[REF:]PATH` (any commit, branch or tag may be the source).
    src: String,
    /// Destination in the working root; an existing directory receives SRC inside it.
    dst: String,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let src_loc = worktree::locate(&ws, &a.src)?;
    let dst = resolve_path(&cwd(&ws)?, &a.dst)?;
    super::edit_working(&ws, |batch, root| {
        let src_root = if src_loc.label.is_empty() {
            root
        } else {
            src_loc.root
        };
        let Some(e) = worktree::lookup(batch, &src_root, &src_loc.comps)? else {
            return Err(hako::Error::NoSuchPath(src_loc.shown()).into());
        };
        if e.is_dir() && !a.recursive {
            bail!("{}: is a directory (use -r)", src_loc.shown());
        }
        let dst = worktree::copy_target(batch, &root, &e, &src_loc.comps, dst.clone())?;
        if src_loc.label.is_empty() && dst.starts_with(&src_loc.comps) && e.is_dir() {
            bail!("cannot copy {} into itself", src_loc.shown());
        }
        let mut ne = e.clone();
        ne.name = dst.last().unwrap().clone();
        Ok(worktree::put(batch, &root, &dst, Some(ne))?)
    })?;
    Ok(0)
}
