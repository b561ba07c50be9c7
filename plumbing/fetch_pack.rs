//! `hako fetch-pack URL [REF…]`: fetch the objects of some remote refs
//! (every ref without REF) into this workspace's store, verified, and print
//! `<id> SP <ref>` for each; no local ref moves (that is `fetch`'s job).

use std::io::Write;

use anyhow::anyhow;
use hako::transport::connect::{connect, parse_url, Service};
use hako::transport::fetch::{fetch_pack, FetchOptions};
use hako::transport::sync::{connect_options, local_tips, Remote};

#[derive(clap::Args)]
pub struct Args {
    /// Fetch every advertised ref (the default without REF).
    #[arg(long)]
    all: bool,
    /// Do not relay the remote's progress.
    #[arg(short, long)]
    quiet: bool,
    /// Shallow: cut history N commits deep from each ref (`.hako/shallow` records the cut).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=2147483647))]
    depth: Option<u32>,
    /// The program to run on the remote (default `hako upload-pack`).
    #[arg(long, value_name = "PROGRAM")]
    upload_pack: Option<String>,
    /// Where to fetch from: ssh://, [user@]host:path, file:// or a path.
    url: String,
    /// Remote refs by wire name (`containers/C/refs/heads/B`), or `C/B` for a branch.
    refs: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let remote = Remote::bare(&a.url);
    let url = parse_url(&a.url)?;
    let opts = connect_options(&ws, &remote, Service::Upload, a.upload_pack.as_deref());
    let conn = connect(&url, Service::Upload, &opts)?;
    let mut chosen = Vec::new();
    if a.refs.is_empty() || a.all {
        chosen.extend(conn.refs.iter().filter(|r| r.id.is_some()).cloned());
    }
    for name in &a.refs {
        let wire = if name.starts_with("containers/") {
            name.clone()
        } else if let Some((c, b)) = name.split_once('/') {
            format!("containers/{c}/refs/heads/{b}")
        } else {
            name.clone()
        };
        let r = conn
            .refs
            .iter()
            .find(|r| r.name == wire && r.id.is_some())
            .ok_or_else(|| anyhow!("{}: no such remote ref {name}", conn.remote))?;
        chosen.push(r.clone());
    }
    let wants: Vec<_> = chosen.iter().filter_map(|r| r.id).collect();
    let tips = local_tips(&ws)?;
    let progress = super::progress_cli::bars(a.quiet);
    fetch_pack(
        &ws.odb,
        conn,
        &wants,
        &tips,
        &FetchOptions {
            quiet: super::progress_cli::silent(a.quiet),
            deepen: a.depth,
            compact: hako::transport::compact_pack_enabled(&ws.config),
        },
        progress.as_ref(),
    )?;
    let mut out = std::io::stdout().lock();
    for r in &chosen {
        super::out(writeln!(out, "{} {}", r.id.expect("filtered"), r.name))?;
    }
    Ok(0)
}
