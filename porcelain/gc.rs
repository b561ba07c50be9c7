//! `hako gc`: expire old reflog entries, repack everything reachable into one
//! pack, prune unreachable objects older than the grace period.

use hako::maint::gc::{gc_with, parse_expire};

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
    /// gc of the remote NAME (an s3:// bucket) instead of this workspace:
    /// its packs consolidated into one, what no ref value reaches pruned.
    #[arg(long, value_name = "NAME")]
    remote: Option<String>,
    /// With --remote: remove only what has been unneeded this long
    /// (default 24h; seconds, or a number with s, m, h or d).
    #[arg(long, value_name = "DURATION", requires = "remote")]
    prune_grace: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    if let Some(name) = &a.remote {
        return remote_gc(&ws, name, &a);
    }
    let expire = parse_expire(&a.prune).map_err(plumbing::usage)?;
    let _ = a.aggressive;
    let progress = plumbing::progress_cli::bars(a.quiet || a.auto);
    let r = gc_with(&ws, expire, a.auto, progress.as_ref())?;
    if !a.quiet && !a.auto {
        for w in r.cache.foreign_warnings(&ws) {
            eprintln!("warning: {w}");
        }
    }
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

/// `hako gc --remote NAME` (format-spec/object-store.md section 7).
fn remote_gc(ws: &hako::workspace::Workspace, name: &str, a: &Args) -> anyhow::Result<i32> {
    use hako::transport::{s3, s3_gc};
    let grace = match &a.prune_grace {
        Some(g) => s3_gc::parse_grace(g).map_err(plumbing::usage)?,
        None => s3_gc::GRACE,
    };
    let remote = hako::transport::sync::remote(ws, Some(name))?;
    if !s3::is_s3_url(&remote.url) {
        return Err(plumbing::usage(format!(
            "gc --remote: '{}' is not an s3:// remote (a workspace remote runs its own gc)",
            remote.url
        )));
    }
    let mut client = s3::S3Client::open(&remote.url, Some(&ws.config), remote.name.as_deref())?;
    let r = s3_gc::gc(ws, &mut client, grace)?;
    if !a.quiet {
        let written = match &r.written {
            Some((name, bytes)) => format!("wrote {name} ({bytes} bytes)"),
            None => "wrote no pack".to_string(),
        };
        eprintln!(
            "{}: {} objects reachable; {written}; retired {} packs, removed {}; removed {} leftover files and {} superseded ref values; aborted {} multipart uploads; {} packs remain",
            client.display,
            r.reachable,
            r.retired.len(),
            r.swept.len(),
            r.leftovers.len(),
            r.superseded,
            r.aborted,
            r.packs
        );
    }
    Ok(0)
}
