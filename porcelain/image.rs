//! `hako image push [REV] REFERENCE` and `hako image save [REV] --oci DIR |
//! --archive FILE`: a commit as an OCI image (format-spec/oci.md,
//! "Producing images"), its base image's layers reused by digest.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::bail;
use hako::oci::image::{self, Access, SaveTo};
use hako::oci::manifest::Platform;
use hako::oci::produce::{ImageOptions, LayerCompression, LayersMode};
use hako::oci::registry::Credentials;
use hako::revparse::{peel_to_commit, rev_parse};

use crate::plumbing;

/// The arguments: one of the subcommands.
#[derive(clap::Subcommand)]
pub enum Args {
    /// Upload a commit as an OCI image to a registry.
    Push(Box<PushArgs>),
    /// Write a commit as an OCI image layout (or a tar of one).
    Save(Box<SaveArgs>),
}

#[derive(clap::Args)]
struct Build {
    /// One layer for everything since the image (squash), or one per commit.
    #[arg(long, value_name = "squash|commits", default_value = "squash", value_parser = ["squash", "commits"])]
    layers: String,
    /// How new layers are compressed.
    #[arg(long, value_name = "gzip|zstd", default_value = "gzip", value_parser = ["gzip", "zstd"])]
    compression: String,
    /// The image's platform, `os/arch[/variant]` (must be the base image's).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    platform: Option<String>,
    /// The image's command, a JSON array of strings.
    #[arg(long, value_name = "JSON")]
    cmd: Option<String>,
    /// The image's entrypoint, a JSON array of strings.
    #[arg(long, value_name = "JSON")]
    entrypoint: Option<String>,
    /// Set an environment variable of the image (repeatable).
    #[arg(long = "env", value_name = "K=V")]
    env: Vec<String>,
    /// The image's working directory.
    #[arg(long, value_name = "DIR")]
    workdir: Option<String>,
    /// The user the image's command runs as.
    #[arg(long, value_name = "USER")]
    user: Option<String>,
    /// Set a label of the image config (repeatable).
    #[arg(long = "label", value_name = "K=V")]
    labels: Vec<String>,
    /// Set an annotation of the manifest (repeatable).
    #[arg(long = "annotation", value_name = "K=V")]
    annotations: Vec<String>,
    /// Take `run` (as the command) and `env` from a hako.toml.
    #[arg(long, value_name = "FILE")]
    from_toml: Option<PathBuf>,
    /// Allow plain HTTP to the registries (always allowed on loopback).
    #[arg(long)]
    insecure: bool,
    /// Print nothing but errors and the result.
    #[arg(short = 'q', long)]
    quiet: bool,
}

#[derive(clap::Args)]
pub struct PushArgs {
    /// The commit (default HEAD) and the target `DOMAIN/PATH[:TAG]`.
    #[arg(value_name = "[REV] REFERENCE", num_args = 1..=2, required = true)]
    args: Vec<String>,
    /// Credentials for the target registry, `USER:PASSWORD`.
    #[arg(long, value_name = "USER:PASSWORD")]
    creds: Option<String>,
    #[command(flatten)]
    build: Build,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("dest").required(true).args(["oci", "archive"])))]
pub struct SaveArgs {
    /// The commit (default HEAD).
    rev: Option<String>,
    /// Write an OCI image layout into DIR (absent or empty).
    #[arg(long, value_name = "DIR")]
    oci: Option<PathBuf>,
    /// Write a tar of an OCI image layout into FILE (absent).
    #[arg(long, value_name = "FILE")]
    archive: Option<PathBuf>,
    /// The ref name given in the layout's index.
    #[arg(long, value_name = "TAG", default_value = "latest")]
    tag: String,
    #[command(flatten)]
    build: Build,
}

fn pair(what: &str, s: &str) -> anyhow::Result<(String, String)> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => bail!("{what} '{s}': expected KEY=VALUE"),
    }
}

fn json_array(what: &str, s: &str) -> anyhow::Result<Vec<String>> {
    serde_json::from_str::<Vec<String>>(s)
        .map_err(|e| anyhow::anyhow!("{what} '{s}': not a JSON array of strings: {e}"))
}

fn options(b: &Build) -> anyhow::Result<ImageOptions> {
    let mut o = ImageOptions {
        layers: if b.layers == "commits" {
            LayersMode::Commits
        } else {
            LayersMode::Squash
        },
        compression: if b.compression == "zstd" {
            LayerCompression::Zstd
        } else {
            LayerCompression::Gzip
        },
        platform: b.platform.as_deref().map(Platform::parse).transpose()?,
        cmd: b
            .cmd
            .as_deref()
            .map(|c| json_array("--cmd", c))
            .transpose()?,
        entrypoint: b
            .entrypoint
            .as_deref()
            .map(|c| json_array("--entrypoint", c))
            .transpose()?,
        env: Vec::new(),
        workdir: b.workdir.clone(),
        user: b.user.clone(),
        labels: b
            .labels
            .iter()
            .map(|l| pair("--label", l))
            .collect::<anyhow::Result<_>>()?,
        annotations: BTreeMap::new(),
    };
    if let Some(f) = &b.from_toml {
        let cfg = hako::apply::config::load(f, None)?;
        if let Some(run) = &cfg.run {
            o.cmd = Some(vec!["/bin/sh".into(), "-c".into(), run.clone()]);
        }
        o.env
            .extend(cfg.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    for e in &b.env {
        o.env.push(pair("--env", e)?);
    }
    for a in &b.annotations {
        let (k, v) = pair("--annotation", a)?;
        o.annotations.insert(k, v);
    }
    Ok(o)
}

/// What happened to each blob, a line each on stderr unless quiet.
fn report_fates(fates: &image::BlobFates, quiet: bool) {
    if quiet {
        return;
    }
    for (d, fate) in fates {
        eprintln!("{} {} ({} bytes)", fate.word(), d.digest, d.size);
    }
}

fn commit_of(ws: &hako::workspace::Workspace, rev: Option<&str>) -> anyhow::Result<hako::ObjectId> {
    let rev = rev.unwrap_or("HEAD");
    Ok(peel_to_commit(&ws.odb, rev_parse(ws.repo(), rev)?)?)
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    match a {
        Args::Push(p) => {
            let (rev, target) = match p.args.as_slice() {
                [t] => (None, t.as_str()),
                [r, t] => (Some(r.as_str()), t.as_str()),
                _ => bail!("image push: expected [REV] REFERENCE"),
            };
            let tip = commit_of(&ws, rev)?;
            let creds = match &p.creds {
                Some(c) => match c.split_once(':') {
                    Some((u, pw)) => Some(Credentials {
                        username: u.into(),
                        password: pw.into(),
                    }),
                    None => bail!("--creds: expected USER:PASSWORD"),
                },
                None => None,
            };
            let opts = options(&p.build)?;
            let access = Access {
                insecure: p.build.insecure,
                creds,
            };
            let progress = plumbing::progress_cli::bars(p.build.quiet);
            let (digest, r, fates) =
                image::push(&ws, &tip, target, &opts, &access, progress.as_ref())?;
            report_fates(&fates, p.build.quiet);
            println!("{}/{}@{digest}", r.domain, r.repository);
        }
        Args::Save(s) => {
            let tip = commit_of(&ws, s.rev.as_deref())?;
            let to = match (s.oci.clone(), s.archive.clone()) {
                (Some(d), _) => SaveTo::Layout(d),
                (None, Some(f)) => SaveTo::Archive(f),
                (None, None) => bail!("image save: --oci DIR or --archive FILE"),
            };
            let opts = options(&s.build)?;
            let access = Access {
                insecure: s.build.insecure,
                creds: None,
            };
            let progress = plumbing::progress_cli::bars(s.build.quiet);
            let (digest, fates) =
                image::save(&ws, &tip, &to, &s.tag, &opts, &access, progress.as_ref())?;
            report_fates(&fates, s.build.quiet);
            println!("{digest}");
        }
    }
    Ok(0)
}
