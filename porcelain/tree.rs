//! `hako tree [-L DEPTH] [REF:]PATH`: draw a directory hierarchy.

use std::io::Write;

use anyhow::bail;

use hako::prolly::dir::TreeCursor;
use hako::store::ObjectStore;
use hako::worktree;
use hako::ObjectId;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Descend at most DEPTH levels.
    #[arg(short = 'L', short_alias = 'd', long = "depth", value_name = "DEPTH")]
    depth: Option<usize>,
    /// `[REF:]PATH` (default: the current directory).
    path: Option<String>,
}

struct Counts {
    dirs: u64,
    files: u64,
}

fn draw(
    store: &dyn ObjectStore,
    tree: &ObjectId,
    prefix: &str,
    depth: usize,
    max: Option<usize>,
    counts: &mut Counts,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut entries: Vec<_> = TreeCursor::new(store, tree)?.collect::<Result<_, _>>()?;
    entries.retain(|e| e.name != hako::prolly::dir::ROOT_RECORD);
    for (i, e) in entries.iter().enumerate() {
        let last = i + 1 == entries.len();
        let name = plumbing::quote_path(&e.name);
        let shown = if e.is_symlink() {
            format!(
                "{name} -> {}",
                String::from_utf8_lossy(&store.read(&e.id)?.data)
            )
        } else {
            name
        };
        plumbing::out(writeln!(
            out,
            "{prefix}{}{shown}",
            if last { "└── " } else { "├── " }
        ))?;
        if e.is_dir() {
            counts.dirs += 1;
            if max.is_none_or(|m| depth < m) {
                let p = format!("{prefix}{}", if last { "    " } else { "│   " });
                draw(store, &e.id, &p, depth + 1, max, counts, out)?;
            }
        } else {
            counts.files += 1;
        }
    }
    Ok(())
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let spec = a.path.as_deref().unwrap_or(".");
    let loc = worktree::locate(&ws, spec)?;
    let e = worktree::must_lookup(&ws.odb, &loc)?;
    if !e.is_dir() {
        bail!("{}: not a directory", loc.shown());
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    plumbing::out(writeln!(out, "{}", loc.shown()))?;
    let mut counts = Counts { dirs: 0, files: 0 };
    draw(&ws.odb, &e.id, "", 1, a.depth, &mut counts, &mut out)?;
    plumbing::out(writeln!(
        out,
        "\n{} director{}, {} file{}",
        counts.dirs,
        if counts.dirs == 1 { "y" } else { "ies" },
        counts.files,
        if counts.files == 1 { "" } else { "s" }
    ))?;
    plumbing::out(out.flush())?;
    Ok(0)
}
