//! `hako pull IMAGE [--as NAME] [--platform P] [--insecure] [-q]`: fetch an
//! OCI or Docker image and commit its flattened root filesystem to a
//! container (created, or given one more commit), format-spec/oci.md.

use hako::oci::manifest::Platform;
use hako::oci::pull::{PullOutcome, PullRequest};
use hako::oci::reference::short_digest;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// The image: `alpine`, `host:port/repo:tag`, `repo@sha256:…`.
    image: String,
    /// The container to pull into (default: the repository's last component).
    #[arg(long = "as", value_name = "NAME")]
    name: Option<String>,
    /// The platform to pick from an image index, `os/arch[/variant]`
    /// (default: this machine's).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    platform: Option<String>,
    /// Allow plain HTTP to this registry (always allowed on loopback).
    #[arg(long)]
    insecure: bool,
    /// Print nothing but errors.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Layers downloaded at once.
    #[arg(long, value_name = "N", default_value_t = 3)]
    jobs: usize,
    /// Commit the image on branch B (made from the last pull when missing)
    /// instead of the current branch: the way to take a new image version
    /// into a container with commits of its own, then `hako merge B`.
    #[arg(long, value_name = "B")]
    branch: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let req = PullRequest {
        image: a.image.clone(),
        name: a.name.clone(),
        platform: match &a.platform {
            Some(p) => Some(Platform::parse(p).map_err(plumbing::usage)?),
            None => None,
        },
        insecure: a.insecure,
        jobs: a.jobs,
        branch: a.branch.clone(),
    };
    let progress = plumbing::progress_cli::bars(a.quiet);
    let p = match hako::runtime::instance::pull(&ws, &req, progress.as_ref())? {
        PullOutcome::UpToDate {
            image,
            name,
            digest,
            above,
        } => {
            if !a.quiet {
                let mine = match above {
                    0 => String::new(),
                    1 => ", 1 commit of its own on top".into(),
                    n => format!(", {n} commits of its own on top"),
                };
                println!(
                    "{image} is up to date in container {name} ({}{mine})",
                    short_digest(&digest)
                );
            }
            return Ok(0);
        }
        PullOutcome::Pulled(p) => p,
    };
    if a.quiet {
        return Ok(0);
    }
    println!(
        "{} pull {} into {}{} ({}, {})",
        p.id.short(),
        p.image,
        p.name,
        if p.on_head {
            String::new()
        } else {
            format!(" branch {}", p.on)
        },
        short_digest(&p.digest),
        p.platform
    );
    if p.already_stored {
        println!(
            "downloaded {} bytes: the image is stored already",
            p.fetched
        );
    } else {
        println!(
            "downloaded {} bytes in {} layers, stored {} bytes ({} new objects, {} bytes before compression)",
            p.downloaded + p.fetched,
            p.layers,
            p.stored_bytes,
            p.new_objects,
            p.new_bytes,
        );
    }
    if !p.on_head {
        println!(
            "'hako -c {} merge {}' brings it into the current branch",
            p.name, p.on
        );
    }
    Ok(0)
}
