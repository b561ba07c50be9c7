//! `hako import HOSTPATH [DEST]`: bring a host file or directory into the working root.

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

use anyhow::{bail, Context};

use hako::container::{cwd, resolve_path};
use hako::hostfs::{store_file, write_tree, ImportOptions};
use hako::prolly::dir::{Entry, S_IFDIR, S_IFREG};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Record owners (uid/gid).
    #[arg(long)]
    owners: bool,
    /// Host file or directory.
    host: PathBuf,
    /// Destination (default: its name in the current directory); an existing
    /// directory receives it inside.
    dest: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let meta = std::fs::metadata(&a.host)
        .with_context(|| format!("cannot import '{}'", a.host.display()))?;
    let name = a
        .host
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        .unwrap_or_default();
    let cwd = cwd(&ws)?;
    let dest = match &a.dest {
        Some(d) => resolve_path(&cwd, d)?,
        None => {
            if name.is_empty() {
                bail!("cannot import '{}' without a destination", a.host.display());
            }
            resolve_path(&cwd, &name)?
        }
    };
    super::edit_working(&ws, |batch, root| {
        let entry = if meta.is_dir() {
            let id = write_tree(batch, &a.host, &ImportOptions { owners: a.owners })?;
            Entry::new(b"x", S_IFDIR | (meta.mode() & 0o7777), id)
        } else if meta.is_file() {
            let id = store_file(batch, &a.host, meta.len())?;
            Entry::new(b"x", S_IFREG | (meta.mode() & 0o7777), id)
        } else {
            bail!("'{}' is neither a file nor a directory", a.host.display());
        };
        // Into an existing directory, like cp.
        let mut dest = dest.clone();
        if a.dest.is_some() {
            if let Some(d) = super::lookup(batch, &root, &dest)? {
                if d.is_dir() && !name.is_empty() {
                    dest.push(name.as_bytes().to_vec());
                }
            }
        }
        if dest.is_empty() {
            if !meta.is_dir() {
                bail!("cannot replace the root directory with a file");
            }
            return Ok(entry.id);
        }
        if let Some(old) = super::lookup(batch, &root, &dest)? {
            if old.is_dir() != meta.is_dir() {
                bail!(
                    "{}: {}",
                    hako::container::display_path(&dest),
                    if old.is_dir() {
                        "is a directory"
                    } else {
                        "not a directory"
                    }
                );
            }
        }
        let mut e = entry;
        e.name = dest.last().unwrap().clone();
        super::put(batch, &root, &dest, Some(e))
    })?;
    Ok(0)
}
