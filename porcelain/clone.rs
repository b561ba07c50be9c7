//! `hako clone URL [DIR] [--container NAME]`: a new workspace holding every
//! container of the remote (or one), each with the remote HEAD's branch
//! checked out, and the remote recorded as `origin`. With the global
//! `--container NAME` (`-c`), only that container. A failed clone leaves
//! no directory behind.

use std::path::{Path, PathBuf};

use anyhow::bail;
use hako::transport::connect::{parse_url, RemoteUrl};
use hako::transport::sync::{fetch, FetchOpts, Remote};
use hako::workspace::{Config, Workspace, DEFAULT_CONTAINER};

#[derive(clap::Args)]
pub struct Args {
    /// The name of the remote (default origin).
    #[arg(short, long, value_name = "NAME", default_value = "origin")]
    origin: String,
    /// Shallow clone: each branch's last N commits only (smart protocol).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=2147483647))]
    depth: Option<u32>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    /// The program to run on the remote (default `hako upload-pack`).
    #[arg(short = 'u', long, value_name = "PROGRAM")]
    upload_pack: Option<String>,
    /// The remote: ssh://, [user@]host:path, file://, http(s)://, s3://BUCKET/PREFIX or a path.
    url: String,
    /// The new workspace's directory (default: from the URL).
    dir: Option<PathBuf>,
}

fn default_dir(url: &str) -> PathBuf {
    let path = match parse_url(url) {
        Ok(RemoteUrl::Ssh { path, .. }) => path,
        _ => url.to_string(),
    };
    let base = path
        .trim_end_matches('/')
        .trim_end_matches("/.hako")
        .rsplit(['/', ':'])
        .next()
        .unwrap_or("")
        .trim_end_matches(".hako")
        .to_string();
    PathBuf::from(if base.is_empty() {
        "workspace".into()
    } else {
        base
    })
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    hako::transport::sync::check_remote_name(&a.origin)?;
    let dir = a.dir.clone().unwrap_or_else(|| default_dir(&a.url));
    if dir.exists() && (!dir.is_dir() || std::fs::read_dir(&dir)?.next().is_some()) {
        bail!(
            "destination path '{}' already exists and is not an empty directory",
            dir.display()
        );
    }
    let url = hako::transport::sync::stored_url(&a.url)?;
    let created = !dir.exists();
    std::fs::create_dir_all(&dir)?;
    // A clone stopped by a signal leaves nothing behind either.
    let made = if created {
        dir.clone()
    } else {
        dir.join(".hako")
    };
    hako::fsutil::remove_on_signal(&made);
    let mut guard = HalfMade(Some(made));
    let result = clone_into(&a, &url, &dir);
    if result.is_ok() {
        if let Some(made) = guard.0.take() {
            hako::fsutil::keep_on_signal(&made);
        }
    }
    result
}

/// A clone not finished yet: removed when dropped, so an error and a panic
/// (unwinding through `run`) leave nothing behind, as a signal does.
struct HalfMade(Option<PathBuf>);

impl Drop for HalfMade {
    fn drop(&mut self) {
        if let Some(made) = self.0.take() {
            let _ = std::fs::remove_dir_all(&made);
            hako::fsutil::keep_on_signal(&made);
        }
    }
}

fn clone_into(a: &Args, url: &str, dir: &Path) -> anyhow::Result<i32> {
    let only = crate::plumbing::CONTAINER.get().cloned();
    let ws = Workspace::init(dir)?;
    let cfg = ws.dir.join("config");
    Config::edit(&cfg, &format!("remote.{}.url", a.origin), Some(url))?;
    // The fetch creates every container; the placeholder goes first.
    ws.delete_container(DEFAULT_CONTAINER)?;
    if !a.quiet {
        eprintln!("Cloning into '{}'...", dir.display());
    }
    let remote = Remote {
        name: Some(a.origin.clone()),
        url: url.to_string(),
    };
    let opts = FetchOpts {
        containers: only.clone().map(|c| vec![c]),
        quiet: crate::plumbing::progress_cli::silent(a.quiet),
        program: a.upload_pack.clone(),
        deepen: a.depth,
        ..Default::default()
    };
    let progress = crate::plumbing::progress_cli::bars(a.quiet);
    let rep = fetch(&ws, &remote, &opts, progress.as_ref())?;
    super::test_panic("clone");
    if let Some(c) = &only {
        if !ws.containers()?.contains(c) {
            bail!("{url}: the remote has no container '{c}'");
        }
    }
    let containers = ws.containers()?;
    // The source's active container stays active (protocol.md, `active`).
    let theirs = rep
        .advertised
        .iter()
        .find(|r| r.active)
        .and_then(|r| hako::transport::advertise::split_wire_name(&r.name).ok())
        .map(|(c, _)| c.to_string())
        .filter(|c| containers.contains(c));
    let active = if let Some(c) = theirs {
        c
    } else if containers.iter().any(|c| c == DEFAULT_CONTAINER) {
        DEFAULT_CONTAINER.to_string()
    } else if let Some(c) = containers.first() {
        c.clone()
    } else {
        if !a.quiet {
            eprintln!("warning: you appear to have cloned an empty workspace");
        }
        ws.create_container(DEFAULT_CONTAINER)?;
        DEFAULT_CONTAINER.to_string()
    };
    ws.set_active(&active)?;
    if !a.quiet {
        eprintln!(
            "{} container(s), {} object(s) received",
            containers.len(),
            rep.fetched.objects
        );
    }
    Ok(0)
}
