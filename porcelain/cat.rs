//! `hako cat [REF:]PATH`: print a file (symlinks inside the tree are followed).

use anyhow::bail;

use hako::prolly::file;
use hako::worktree;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// `[SOURCE:]PATH` (SOURCE: a branch, tag, commit, HEAD, WORKING, or a CONTAINER[:REV]).
    path: String,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let loc = worktree::locate(&ws, &a.path)?;
    let Some((_, e)) = worktree::follow(&ws.odb, &loc.root, &loc.comps)? else {
        return Err(hako::Error::NoSuchPath(loc.shown()).into());
    };
    if e.is_dir() {
        bail!("{}: is a directory", loc.shown());
    }
    if !e.is_file() {
        bail!("{}: not a regular file", loc.shown());
    }
    let mut out = std::io::stdout().lock();
    file::write_to(&ws.odb, &e.id, &mut out)?;
    Ok(0)
}
