//! `hako import [--merge] HOSTPATH [DEST]`: bring a host file, symlink or
//! directory into the working root.

use std::os::unix::ffi::OsStrExt;
use std::path::{Component, PathBuf};

use anyhow::{bail, Context};

use hako::container::{cwd, display_path, resolve_path};
use hako::hostfs::{import_entry_with, root_record, ImportOptions};
use hako::prolly::dir::{self, Entry, ROOT_RECORD};
use hako::store::ObjectStore;
use hako::worktree;
use hako::ObjectId;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Record owners (uid/gid), xattrs and modification times.
    #[arg(long)]
    owners: bool,
    /// Merge a directory into an existing DEST (its entries win) instead of
    /// replacing DEST.
    #[arg(long)]
    merge: bool,
    /// Show no progress (it is shown only when stderr is a terminal).
    #[arg(long)]
    no_progress: bool,
    /// Host path; a symlink is stored as a symlink, never followed.
    host: PathBuf,
    /// Destination (default: its name in the current directory). A directory
    /// becomes DEST itself (`/` for the root); a file, symlink or device goes
    /// inside DEST when DEST is an existing directory.
    dest: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    std::fs::symlink_metadata(&a.host)
        .with_context(|| format!("cannot import '{}'", a.host.display()))?;
    // The path's own last component: a symlink's name, not its target's.
    let name = match a.host.components().next_back() {
        Some(Component::Normal(n)) => n.as_bytes().to_vec(),
        _ => a
            .host
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.as_bytes().to_vec()))
            .unwrap_or_default(),
    };
    let cwd = cwd(&ws)?;
    let mut dest = match &a.dest {
        Some(d) => resolve_path(&cwd, d)?,
        None => {
            if name.is_empty() {
                bail!("cannot import '{}' without a destination", a.host.display());
            }
            resolve_path(&cwd, &String::from_utf8_lossy(&name))?
        }
    };
    let opts = ImportOptions {
        owners: a.owners,
        exclude: ws.import_exclude(),
    };
    let progress = plumbing::progress_cli::bars(a.no_progress);
    super::edit_working(&ws, |batch, root| {
        let placeholder = if name.is_empty() {
            b"x".to_vec()
        } else {
            name.clone()
        };
        let mut entry = import_entry_with(batch, &a.host, &placeholder, &opts, progress.as_ref())?;
        if !entry.is_dir() {
            // Into an existing directory, like cp.
            if let Some(d) = worktree::lookup(batch, &root, &dest)? {
                if d.is_dir() && !name.is_empty() {
                    dest.push(name.clone());
                }
            }
            if dest.is_empty() {
                bail!("cannot replace the root directory with a file");
            }
        }
        if dest.is_empty() {
            // The directory becomes the root, its own mode in the `.` record.
            let base = if a.merge {
                Some(without_root_record(batch, &root)?)
            } else {
                None
            };
            let tree = match base {
                Some(b) => merge(batch, &b, &entry.id)?,
                None => entry.id,
            };
            let mut entries = dir::list(batch, &tree)?;
            if let Some(rec) = root_record(entry.mode, &entry.meta) {
                let at = entries.partition_point(|e| e.name.as_slice() < ROOT_RECORD);
                entries.insert(at, rec);
            }
            return Ok(dir::build(batch, entries)?);
        }
        if let Some(old) = worktree::lookup(batch, &root, &dest)? {
            if old.is_dir() != entry.is_dir() {
                bail!(
                    "{}: {}",
                    display_path(&dest),
                    if old.is_dir() {
                        "is a directory"
                    } else {
                        "not a directory"
                    }
                );
            }
            if a.merge && old.is_dir() {
                entry.id = merge(batch, &old.id, &entry.id)?;
            }
        }
        entry.name = dest.last().unwrap().clone();
        Ok(worktree::put(batch, &root, &dest, Some(entry))?)
    })?;
    super::auto_gc(&ws);
    Ok(0)
}

/// A tree without its `.` record.
fn without_root_record(store: &dyn ObjectStore, tree: &ObjectId) -> anyhow::Result<ObjectId> {
    if dir::get(store, tree, ROOT_RECORD)?.is_none() {
        return Ok(*tree);
    }
    let entries: Vec<Entry> = dir::list(store, tree)?
        .into_iter()
        .filter(|e| e.name != ROOT_RECORD)
        .collect();
    Ok(dir::build(store, entries)?)
}

/// `over` laid onto `base`: its entries replace those of the same name, and a
/// directory over a directory merges into it (taking `over`'s mode and metadata).
fn merge(store: &dyn ObjectStore, base: &ObjectId, over: &ObjectId) -> anyhow::Result<ObjectId> {
    let mut out = std::collections::BTreeMap::new();
    for e in dir::list(store, base)? {
        out.insert(e.name.clone(), e);
    }
    for mut e in dir::list(store, over)? {
        if let Some(old) = out.get(&e.name) {
            if old.is_dir() && e.is_dir() && old.id != e.id {
                e.id = merge(store, &old.id, &e.id)?;
            }
        }
        out.insert(e.name.clone(), e);
    }
    let entries: Vec<Entry> = out.into_values().collect();
    Ok(dir::build(store, entries)?)
}
