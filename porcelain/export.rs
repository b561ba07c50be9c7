//! `hako export [REF:]PATH HOSTDIR`: copy a directory or file out to the host.

use std::path::PathBuf;

use anyhow::{bail, Context};

use hako::hostfs::{checkout_tree, CheckoutOptions};
use hako::prolly::file;
use hako::worktree;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Apply recorded owners, xattrs and modification times (needs privilege).
    #[arg(long)]
    owners: bool,
    /// `[SOURCE:]PATH` to export (SOURCE: a revision, or a CONTAINER[:REV]).
    src: String,
    /// Host destination: a directory (created; must be empty) for a directory;
    /// for a file, a directory to put it in or the file's new path.
    host: PathBuf,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let loc = worktree::locate(&ws, &a.src)?;
    let e = worktree::must_lookup(&ws.odb, &loc)?;
    if e.is_dir() {
        let report = checkout_tree(
            &ws.odb,
            &e.id,
            &a.host,
            &CheckoutOptions {
                owners: a.owners,
                devices: a.owners,
                // A subdirectory's own mode and metadata are its entry's.
                root: (!loc.comps.is_empty()).then(|| (e.mode, e.meta.clone())),
                ..Default::default()
            },
        )?;
        for s in report.skipped {
            eprintln!("warning: not created: {s}");
        }
        return Ok(0);
    }
    if !e.is_file() {
        bail!("{}: not a regular file or directory", loc.shown());
    }
    let dest = if a.host.is_dir() {
        a.host
            .join(String::from_utf8_lossy(&worktree::basename(&loc.comps)?).as_ref())
    } else {
        a.host.clone()
    };
    let tmp = dest.with_file_name(format!(
        ".{}.hako-tmp",
        dest.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()
    ));
    let mut f = std::fs::File::create(&tmp)
        .with_context(|| format!("cannot create '{}'", tmp.display()))?;
    file::write_to(&ws.odb, &e.id, &mut f).map_err(|err| err.on_output(&tmp))?;
    f.sync_all()?;
    drop(f);
    // Exact, whatever the umask; setuid, setgid, owners, xattrs and the
    // modification time only with --owners (as a directory's checkout).
    hako::hostfs::apply_entry_attrs(&tmp, e.mode, &e.meta, a.owners)?;
    std::fs::rename(&tmp, &dest).with_context(|| format!("cannot write '{}'", dest.display()))?;
    Ok(0)
}
