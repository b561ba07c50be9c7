//! `hako http-fetch [-v] URL [ID|REF…]`: download from a dumb-HTTP mirror
//! (format-spec/dumb-http.md) every object the named ids or remote refs
//! need that this workspace lacks, each verified. No ref moves. With no
//! ids, everything the mirror's refs need. `-v` prints what it cost.

use anyhow::anyhow;
use hako::oid::ObjectId;
use hako::transport::dumb::{http_fetch, http_refs};

#[derive(clap::Args)]
pub struct Args {
    /// Print progress and the requests and bytes it took (on stderr).
    #[arg(short, long)]
    verbose: bool,
    /// The mirror: the URL of a workspace's .hako directory.
    url: String,
    /// Object ids (64 hex digits) or remote ref names (as ls-remote lists them).
    wants: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let refs = http_refs(&a.url)?;
    let mut wants: Vec<ObjectId> = Vec::new();
    if a.wants.is_empty() {
        wants.extend(refs.iter().filter_map(|r| r.id));
    }
    for w in &a.wants {
        if let Ok(id) = ObjectId::from_hex(w) {
            wants.push(id);
            continue;
        }
        let r = refs
            .iter()
            .find(|r| r.name == *w)
            .ok_or_else(|| anyhow!("{}: no such remote ref: {w}", a.url))?;
        wants.push(r.id.ok_or_else(|| anyhow!("{}: remote ref {w} is unborn", a.url))?);
    }
    let verbose = a.verbose;
    let mut progress = |m: &str| {
        if verbose {
            eprintln!("{m}");
        }
    };
    let stats = http_fetch(&ws.odb, &a.url, &wants, &mut progress, None)?;
    if verbose {
        eprintln!(
            "fetched {} objects: {} GET requests ({} ranges, {} whole packs, {} indexes), {} bytes, {} rounds",
            stats.objects,
            stats.gets,
            stats.ranges,
            stats.whole_packs,
            stats.indexes,
            stats.bytes,
            stats.rounds
        );
    }
    Ok(0)
}
