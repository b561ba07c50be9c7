//! `hako send-pack URL [REF…]`: push refs (`[+]SRC[:DST]`, names of the
//! selected container or `containers/C/refs/…`) to a remote's
//! `receive-pack`, printing one status line per ref:
//! `ok|ng|up-to-date|would-push <remote ref> [reason]`.

use std::io::Write;

use hako::transport::advertise::wire_name;
use hako::transport::sync::{push, PushOpts, Remote};

#[derive(clap::Args)]
pub struct Args {
    /// Push every branch of every container.
    #[arg(long)]
    all: bool,
    /// Push every tag of every container.
    #[arg(long)]
    tags: bool,
    /// Allow non-fast-forward updates.
    #[arg(short, long)]
    force: bool,
    /// All refs are updated or none is.
    #[arg(long)]
    atomic: bool,
    /// Do everything except send the update.
    #[arg(short = 'n', long)]
    dry_run: bool,
    /// Do not relay the remote's progress.
    #[arg(short, long)]
    quiet: bool,
    /// The program to run on the remote (default `hako receive-pack`).
    #[arg(long, value_name = "PROGRAM")]
    receive_pack: Option<String>,
    /// Where to push: ssh://, [user@]host:path, file:// or a path.
    url: String,
    /// Refs to push.
    refs: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let remote = Remote::bare(&a.url);
    let opts = PushOpts {
        force: a.force,
        all: a.all,
        tags: a.tags,
        atomic: a.atomic,
        dry_run: a.dry_run,
        quiet: super::progress_cli::silent(a.quiet),
        program: a.receive_pack,
        ..Default::default()
    };
    let progress = super::progress_cli::bars(a.quiet);
    let report = push(&ws, &remote, &a.refs, &opts, progress.as_ref())?;
    let mut out = std::io::stdout().lock();
    for r in &report.refs {
        let name = wire_name(&r.container, &r.dst);
        let line = match &r.error {
            _ if r.up_to_date => format!("up-to-date {name}"),
            None if a.dry_run => format!("would-push {name}"),
            None => format!("ok {name}"),
            Some(why) => format!("ng {name} {why}"),
        };
        super::out(writeln!(out, "{line}"))?;
    }
    if let Some(e) = &report.unpack_error {
        anyhow::bail!("{}: unpack failed: {e}", a.url);
    }
    Ok(if report.ok() { 0 } else { 1 })
}
