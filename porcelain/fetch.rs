//! `hako fetch [REMOTE] [--prune] [--force]`: bring every container's
//! branches and tags from a remote. Branches land in remote-tracking refs
//! (`refs/remotes/REMOTE/BRANCH` of the container of the same name), tags
//! in `refs/tags/`; a container the workspace lacks is created with the
//! remote HEAD's branch checked out. Integrate with `hako merge
//! REMOTE/BRANCH` (`pull` is the OCI image command).

use hako::transport::sync::{fetch, remote, remotes, FetchOpts, FetchReport, Remote};

#[derive(clap::Args)]
pub struct Args {
    /// Fetch from every configured remote.
    #[arg(long)]
    all: bool,
    /// Delete remote-tracking refs whose branch the remote no longer has.
    #[arg(short, long)]
    prune: bool,
    /// Overwrite local tags that differ from the remote's.
    #[arg(short, long)]
    force: bool,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    /// Shallow fetch: cut the fetched branches' history N commits deep.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=2147483647))]
    depth: Option<u32>,
    /// Fetch the whole history of a shallow workspace.
    #[arg(long, conflicts_with = "depth")]
    unshallow: bool,
    /// The program to run on the remote (default `hako upload-pack`).
    #[arg(long, value_name = "PROGRAM")]
    upload_pack: Option<String>,
    /// A configured remote or a URL (default: origin).
    remote: Option<String>,
    /// `[+]SRC[:DST]`: only these remote refs of the selected container
    /// (`main`, `refs/tags/v1`, or `containers/C/refs/…`); DST a local ref,
    /// moved only by fast-forward unless `+` or --force; without DST the
    /// branch's remote-tracking ref.
    refspecs: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = crate::plumbing::open_workspace()?;
    let deepen = if a.unshallow {
        if ws.odb.shallow()?.is_empty() {
            anyhow::bail!("--unshallow on a complete workspace");
        }
        Some(hako::transport::upload::MAX_DEPTH)
    } else {
        a.depth
    };
    if a.all && !a.refspecs.is_empty() {
        return Err(crate::plumbing::usage("fetch --all takes no refspec"));
    }
    let targets: Vec<Remote> = if a.all {
        remotes(&ws)
            .into_iter()
            .map(|(n, u)| Remote {
                name: Some(n),
                url: u,
            })
            .collect()
    } else {
        vec![remote(&ws, a.remote.as_deref())?]
    };
    let opts = FetchOpts {
        prune: a.prune,
        force: a.force,
        quiet: crate::plumbing::progress_cli::silent(a.quiet),
        containers: None,
        program: a.upload_pack,
        refspecs: a.refspecs.clone(),
        deepen,
    };
    let mut rejected = false;
    for r in targets {
        let progress = crate::plumbing::progress_cli::bars(a.quiet);
        let report = fetch(&ws, &r, &opts, progress.as_ref())?;
        rejected |= print_report(&r, &report, a.quiet);
    }
    Ok(if rejected { 1 } else { 0 })
}

/// Print what a fetch changed, git-style, to stderr; true if a ref was rejected.
pub fn print_report(r: &Remote, rep: &FetchReport, quiet: bool) -> bool {
    let mut rejected = false;
    if !quiet && !rep.changes.is_empty() {
        eprintln!("From {}", r.url);
    }
    for c in &rep.changes {
        let short = c
            .name
            .strip_prefix("refs/remotes/")
            .or_else(|| c.name.strip_prefix("refs/tags/"))
            .unwrap_or(&c.name);
        let (flag, what) = match c.note.as_str() {
            "new container" => ('*', "[new container]".to_string()),
            "new branch" => ('*', "[new branch]".into()),
            "new tag" => ('*', "[new tag]".into()),
            "deleted" => ('-', "[deleted]".into()),
            "forced update" => ('+', "(forced update)".into()),
            "fast-forward" => (' ', "fast-forward".into()),
            n if n.starts_with("rejected") => {
                rejected = true;
                ('!', format!("[{n}]"))
            }
            n => (' ', n.to_string()),
        };
        if !quiet || flag == '!' {
            eprintln!(" {flag} {what:<18} {}: {short}", c.container);
        }
    }
    rejected
}
