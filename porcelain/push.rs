//! `hako push [REMOTE] [REFSPEC…]`: update a remote's refs from local ones
//! and send the objects they need (a thin pack of the difference). Without
//! a refspec the selected container's current branch is pushed to the
//! branch of the same name of the remote's container of the same name,
//! which is created on the remote if needed.

use hako::transport::sync::{push, remote, PushOpts};

#[derive(clap::Args)]
pub struct Args {
    /// Allow non-fast-forward updates (also `+` before a refspec).
    #[arg(short, long)]
    force: bool,
    /// Force, but only if the remote ref still is what our remote-tracking
    /// ref (or the given id) says.
    #[arg(long, value_name = "ID", num_args = 0..=1, default_missing_value = "")]
    force_with_lease: Option<String>,
    /// Delete the named remote refs.
    #[arg(short, long)]
    delete: bool,
    /// Push every branch of every container.
    #[arg(long)]
    all: bool,
    /// Push every tag of every container.
    #[arg(long)]
    tags: bool,
    /// All refs are updated or none is.
    #[arg(long)]
    atomic: bool,
    /// Do everything except send the update.
    #[arg(short = 'n', long)]
    dry_run: bool,
    /// Record the pushed branch as its upstream.
    #[arg(short = 'u', long)]
    set_upstream: bool,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    /// The program to run on the remote (default `hako receive-pack`).
    #[arg(long, value_name = "PROGRAM")]
    receive_pack: Option<String>,
    /// A configured remote or a URL (default: origin).
    remote: Option<String>,
    /// `[+]SRC[:DST]`, `:DST` to delete.
    refspecs: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = crate::plumbing::open_workspace()?;
    let r = remote(&ws, a.remote.as_deref())?;
    let lease = match a.force_with_lease.as_deref() {
        None => None,
        Some("") => Some(None),
        Some(s) => Some(Some(hako::revparse::rev_parse(ws.repo(), s)?)),
    };
    let opts = PushOpts {
        force: a.force,
        force_with_lease: lease,
        delete: a.delete,
        all: a.all,
        tags: a.tags,
        atomic: a.atomic,
        dry_run: a.dry_run,
        quiet: crate::plumbing::progress_cli::silent(a.quiet),
        set_upstream: a.set_upstream,
        program: a.receive_pack,
    };
    let progress = crate::plumbing::progress_cli::bars(a.quiet);
    let rep = push(&ws, &r, &a.refspecs, &opts, progress.as_ref())?;
    if let Some(e) = &rep.unpack_error {
        anyhow::bail!("{}: the remote could not store the pack: {e}", r.url);
    }
    let mut shown = false;
    for p in &rep.refs {
        let short = |n: &str| {
            n.strip_prefix("refs/heads/")
                .or_else(|| n.strip_prefix("refs/tags/"))
                .unwrap_or(n)
                .to_string()
        };
        let src = if p.src.is_empty() {
            String::new()
        } else {
            short(&p.src)
        };
        let (flag, what) = match &p.error {
            Some(e) => ('!', format!("[rejected] ({e})")),
            None if p.up_to_date => ('=', "[up to date]".into()),
            None if p.new.is_zero() => ('-', "[deleted]".into()),
            None if p.old.is_zero() && p.dst.starts_with("refs/tags/") => ('*', "[new tag]".into()),
            None if p.old.is_zero() => ('*', "[new branch]".into()),
            None if p.forced => (
                '+',
                format!(
                    "{}...{} (forced update)",
                    &p.old.to_hex()[..12],
                    &p.new.to_hex()[..12]
                ),
            ),
            None => (
                ' ',
                format!("{}..{}", &p.old.to_hex()[..12], &p.new.to_hex()[..12]),
            ),
        };
        if a.quiet && p.error.is_none() {
            continue;
        }
        if !shown {
            eprintln!("To {}", r.url);
            shown = true;
        }
        let arrow = if src.is_empty() {
            short(&p.dst)
        } else {
            format!("{src} -> {}", short(&p.dst))
        };
        eprintln!(" {flag} {}: {arrow} {what}", p.container);
    }
    if !rep.ok() {
        eprintln!("error: failed to push some refs to '{}'", r.url);
        return Ok(1);
    }
    Ok(0)
}
