//! `hako prune`: remove unreachable loose objects older than a date.

use std::io::Write;

use hako::maint::gc::{lock, parse_expire, prune};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Only objects last written before DATE (default 2.weeks.ago; `now` for all).
    #[arg(long, value_name = "DATE", default_value = "2.weeks.ago")]
    expire: String,
    /// List what would be removed; remove nothing.
    #[arg(short = 'n', long)]
    dry_run: bool,
    /// List what is removed.
    #[arg(short = 'v', long)]
    verbose: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let expire = parse_expire(&a.expire).map_err(plumbing::usage)?;
    let held = lock(&ws)?;
    let r = prune(&ws, expire, a.dry_run, &held)?;
    if a.verbose || a.dry_run {
        let mut out = std::io::stdout().lock();
        for id in &r.objects {
            plumbing::out(writeln!(out, "{id}"))?;
        }
        for p in &r.garbage {
            plumbing::out(writeln!(out, "{}", p.display()))?;
        }
    }
    Ok(0)
}
