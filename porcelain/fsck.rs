//! `hako fsck`: check every object, connectivity from every root, and that
//! trees and chunk lists are cut where the boundary rule puts them.

use std::io::Write;

use hako::maint::fsck::{fsck_with, Finding, FsckOptions};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Also re-chunk every reachable file's content (FastCDC boundaries).
    #[arg(long)]
    full: bool,
    /// Only check that every reachable object is present.
    #[arg(long)]
    connectivity_only: bool,
    /// Show no progress (it is shown only when stderr is a terminal).
    #[arg(long)]
    no_progress: bool,
    /// List objects no ref, reflog or working root reaches.
    #[arg(long)]
    unreachable: bool,
    /// List unreachable objects nothing else refers to.
    #[arg(long)]
    dangling: bool,
    /// Write dangling objects' ids under .hako/lost-found/.
    #[arg(long)]
    lost_found: bool,
    /// Check the checkout cache (every entry, content included) instead of the store.
    #[arg(long)]
    cache: bool,
    /// Print what was checked (objects, bytes) on stderr.
    #[arg(short = 'v', long)]
    verbose: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    if a.cache {
        let damage = hako::cache::verify(&ws, true)?;
        let mut out = std::io::stdout().lock();
        for d in &damage {
            plumbing::out(writeln!(out, "error in cache entry {}: {}", d.entry, d.why))?;
        }
        return Ok(i32::from(!damage.is_empty()));
    }
    let start = std::time::Instant::now();
    let progress = plumbing::progress_cli::bars(a.no_progress);
    let r = fsck_with(
        &ws,
        FsckOptions {
            full: a.full,
            connectivity_only: a.connectivity_only,
        },
        progress.as_ref(),
    )?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for p in &r.problems {
        let line = match p {
            Finding::Corrupt { id, why } => format!("error in object {id}: {why}"),
            Finding::BadPack { path, why } => format!("error in pack {}: {why}", path.display()),
            Finding::Missing(m) => {
                format!("missing {} {} (referenced by {})", m.kind, m.id, m.from)
            }
            Finding::Mistyped(m) => format!(
                "error in {}: {} is a {}, not a {}",
                m.from,
                m.id,
                m.kind,
                m.want.name()
            ),
            Finding::BadStructure { id, kind, why } => format!("error in {kind} {id}: {why}"),
            Finding::BadShallow(why) => format!("error in shallow: {why}"),
            Finding::BadRef { at, why } => format!("error in {at}: {why}"),
        };
        plumbing::out(writeln!(out, "{line}"))?;
    }
    if a.unreachable {
        for (id, kind) in &r.unreachable {
            plumbing::out(writeln!(out, "unreachable {kind} {id}"))?;
        }
    }
    if a.dangling {
        for (id, kind) in &r.dangling {
            plumbing::out(writeln!(out, "dangling {kind} {id}"))?;
        }
    }
    plumbing::out(out.flush())?;
    if a.lost_found && !r.dangling.is_empty() {
        let dir = hako::maint::gc::lost_found(&ws, &r.dangling)?;
        eprintln!(
            "wrote {} dangling ids under {}",
            r.dangling.len(),
            dir.display()
        );
    }
    if a.verbose {
        let secs = start.elapsed().as_secs_f64();
        eprintln!(
            "checked {} objects, {} bytes in {:.2} s ({:.0} MB/s); {} problems",
            r.checked,
            r.bytes,
            secs,
            r.bytes as f64 / 1e6 / secs.max(1e-9),
            r.problems.len()
        );
    }
    Ok(if r.problems.is_empty() { 0 } else { 1 })
}
