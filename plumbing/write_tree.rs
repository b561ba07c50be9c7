//! `hako write-tree`: import a host directory as a tree and print its id.

use std::path::PathBuf;

use hako::hostfs::{write_tree_with, ImportOptions};
use hako::store::BatchWriter;

#[derive(clap::Args)]
pub struct Args {
    /// Record owners (uid/gid), xattrs and modification times of every entry.
    #[arg(long)]
    owners: bool,
    /// Show no progress (it is shown only when stderr is a terminal).
    #[arg(long)]
    no_progress: bool,
    /// The directory to import.
    dir: PathBuf,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let batch = BatchWriter::new(&ws.odb);
    let opts = ImportOptions {
        owners: a.owners,
        exclude: ws.import_exclude(),
    };
    let progress = super::progress_cli::bars(a.no_progress);
    let id = write_tree_with(&batch, &a.dir, &opts, progress.as_ref())?;
    batch.flush()?;
    println!("{id}");
    Ok(0)
}
