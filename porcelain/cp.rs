//! `hako cp [-r] [REF:]SRC DST`: copy within the working root. Copying a
//! directory is one entry edit: the subtree is shared, not rewritten.

use anyhow::bail;

use hako::container::{cwd, display_path, resolve_path};
use hako::prolly::dir::Entry;
use hako::store::ObjectStore;
use hako::worktree;
use hako::ObjectId;

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

/// Where `src` lands for destination `dst`: inside it if `dst` is a directory.
pub fn target(
    store: &dyn ObjectStore,
    root: &ObjectId,
    src: &Entry,
    src_comps: &[Vec<u8>],
    dst: Vec<Vec<u8>>,
) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut dst = dst;
    if let Some(d) = worktree::lookup(store, root, &dst)? {
        if d.is_dir() {
            dst.push(worktree::basename(src_comps)?);
            if let Some(existing) = worktree::lookup(store, root, &dst)? {
                if existing.is_dir() && !src.is_dir() {
                    bail!("{}: is a directory", display_path(&dst));
                }
                if !existing.is_dir() && src.is_dir() {
                    bail!("{}: not a directory", display_path(&dst));
                }
            }
        } else if src.is_dir() {
            bail!("{}: not a directory", display_path(&dst));
        }
    }
    if dst.is_empty() {
        bail!("cannot replace the root directory");
    }
    Ok(dst)
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
        let dst = target(batch, &root, &e, &src_loc.comps, dst.clone())?;
        if src_loc.label.is_empty() && dst.starts_with(&src_loc.comps) && e.is_dir() {
            bail!("cannot copy {} into itself", src_loc.shown());
        }
        let mut ne = e.clone();
        ne.name = dst.last().unwrap().clone();
        Ok(worktree::put(batch, &root, &dst, Some(ne))?)
    })?;
    Ok(0)
}
