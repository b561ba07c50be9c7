//! `hako gc`: expire old reflog entries, repack everything reachable into one
//! pack, prune unreachable objects older than the grace period.

use hako::maint::gc::{gc, parse_expire};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Prune unreachable objects older than DATE (default 2.weeks.ago; `now`
    /// prunes every unreachable object, `never` none).
    #[arg(long, value_name = "DATE", default_value = "2.weeks.ago")]
    prune: String,
    /// Spend more effort on deltas (deltas are always chosen afresh).
    #[arg(long)]
    aggressive: bool,
    /// Do nothing unless there are many loose objects or packs.
    #[arg(long)]
    auto: bool,
    /// Print nothing.
    #[arg(short = 'q', long)]
    quiet: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let expire = parse_expire(&a.prune).map_err(plumbing::usage)?;
    let _ = a.aggressive;
    let r = gc(&ws, expire, a.auto)?;
    if !a.quiet && !r.skipped {
        eprintln!(
            "packed {} objects ({} deltas) into one pack, removed {} packs and {} loose copies; pruned {} unreachable objects and {} temporary files; expired {} reflog entries",
            r.repacked.objects,
            r.repacked.deltas,
            r.repacked.packs_removed,
            r.repacked.loose_removed,
            r.pruned.objects.len(),
            r.pruned.garbage.len(),
            r.reflog_dropped
        );
    }
    Ok(0)
}
