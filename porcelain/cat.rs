//! `hako cat [REF:]PATH`: print a file (symlinks inside the tree are followed).

use anyhow::bail;

use hako::prolly::file;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// `[REF:]PATH` (REF: a branch, tag, commit, HEAD or WORKING).
    path: String,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let loc = super::locate(&ws, &a.path)?;
    let Some((_, e)) = super::follow(&ws.odb, &loc.root, &loc.comps)? else {
        bail!("{}: no such file or directory", loc.shown());
    };
    if e.is_dir() {
        bail!("{}: is a directory", loc.shown());
    }
    if !e.is_file() {
        bail!("{}: not a regular file", loc.shown());
    }
    let mut out = std::io::stdout().lock();
    match file::write_to(&ws.odb, &e.id, &mut out) {
        Err(hako::Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        r => {
            r?;
            Ok(0)
        }
    }
}
