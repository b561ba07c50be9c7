//! `hako repack`: write every reachable object into one pack.

use hako::maint::gc::{lock, repack_with};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Pack everything reachable (the only mode: accepted for git's habit).
    #[arg(short = 'a')]
    all: bool,
    /// Remove the packs and loose objects the new pack makes redundant.
    #[arg(short = 'd')]
    delete: bool,
    /// Choose deltas afresh (always done: accepted for git's habit).
    #[arg(short = 'f')]
    fresh: bool,
    /// Print nothing.
    #[arg(short = 'q', long)]
    quiet: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let _ = (a.all, a.fresh);
    let held = lock(&ws)?;
    let progress = plumbing::progress_cli::bars(a.quiet);
    let r = repack_with(&ws, a.delete, &held, progress.as_ref())?;
    if !a.quiet {
        eprintln!(
            "packed {} objects ({} deltas){}; removed {} packs and {} loose copies",
            r.objects,
            r.deltas,
            r.pack
                .map(|p| format!(" into {}", p.display()))
                .unwrap_or_default(),
            r.packs_removed,
            r.loose_removed
        );
    }
    Ok(0)
}
