//! `hako index-pack`: verify a pack (from a file or standard input), resolve
//! its deltas, and store it with its index; prints the pack's checksum.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use hako::pack::ingest::index_pack;

#[derive(clap::Args)]
pub struct Args {
    /// Read the pack from standard input.
    #[arg(long)]
    stdin: bool,
    /// Complete a thin pack with the bases this workspace has.
    #[arg(long)]
    fix_thin: bool,
    /// A pack file (instead of --stdin).
    #[arg(required_unless_present = "stdin", conflicts_with = "stdin")]
    file: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let done = match &a.file {
        Some(p) => {
            let mut f =
                std::fs::File::open(p).with_context(|| format!("cannot open '{}'", p.display()))?;
            index_pack(&ws.odb, &mut f, a.fix_thin).with_context(|| format!("'{}'", p.display()))?
        }
        None => index_pack(&ws.odb, &mut std::io::stdin().lock(), a.fix_thin)?,
    };
    let mut out = std::io::stdout().lock();
    super::out(writeln!(out, "{}", done.checksum))?;
    Ok(0)
}
