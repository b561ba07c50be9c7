//! `hako ls [-l] [REF:]PATH`: list a directory (`name/` for directories,
//! `name@ -> target` for symlinks), byte-sorted.

use std::io::Write;

use hako::prolly::dir::{Entry, TreeCursor};
use hako::prolly::file;
use hako::store::ObjectStore;
use hako::worktree;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Long format: mode, size, name.
    #[arg(short = 'l', long)]
    long: bool,
    /// `[SOURCE:]PATH` (SOURCE: a revision, or a CONTAINER[:REV]; default: the current directory of the working root).
    path: Option<String>,
}

fn decorate(store: &dyn ObjectStore, e: &Entry, name: &str) -> anyhow::Result<String> {
    Ok(if e.is_dir() {
        format!("{name}/")
    } else if e.is_symlink() {
        format!(
            "{name}@ -> {}",
            String::from_utf8_lossy(&store.read(&e.id)?.data)
        )
    } else {
        name.to_string()
    })
}

fn line(store: &dyn ObjectStore, e: &Entry, name: &str, long: bool) -> anyhow::Result<String> {
    let shown = decorate(store, e, &plumbing::quote_path(name.as_bytes()))?;
    if !long {
        return Ok(shown);
    }
    let size = if e.is_file() {
        file::size(store, &e.id)?.to_string()
    } else if e.is_symlink() {
        store.read_header(&e.id)?.1.to_string()
    } else {
        "-".into()
    };
    Ok(format!("{:06o} {size:>10} {shown}", e.mode))
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let loc = worktree::locate(&ws, a.path.as_deref().unwrap_or("."))?;
    let e = worktree::must_lookup(&ws.odb, &loc)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if !e.is_dir() {
        let name = String::from_utf8_lossy(&e.name).to_string();
        plumbing::out(writeln!(out, "{}", line(&ws.odb, &e, &name, a.long)?))?;
    } else {
        for c in TreeCursor::new(&ws.odb, &e.id)? {
            let c = c?;
            if c.name == hako::prolly::dir::ROOT_RECORD {
                continue;
            }
            let name = String::from_utf8_lossy(&c.name).to_string();
            plumbing::out(writeln!(out, "{}", line(&ws.odb, &c, &name, a.long)?))?;
        }
    }
    plumbing::out(out.flush())?;
    Ok(0)
}
