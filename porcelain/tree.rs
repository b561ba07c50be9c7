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

/// Draw `tree` below `prefix`; directories are open frames of an explicit
/// stack, not recursive calls (a tree may nest arbitrarily deep).
fn draw(
    store: &dyn ObjectStore,
    tree: &ObjectId,
    max: Option<usize>,
    counts: &mut Counts,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    struct Frame {
        entries: std::vec::IntoIter<hako::prolly::dir::Entry>,
        prefix: String,
        depth: usize,
    }
    let open = |id: &ObjectId, prefix: String, depth: usize| -> anyhow::Result<Frame> {
        let mut entries: Vec<_> = TreeCursor::new(store, id)?.collect::<Result<_, _>>()?;
        entries.retain(|e| e.name != hako::prolly::dir::ROOT_RECORD);
        Ok(Frame {
            entries: entries.into_iter(),
            prefix,
            depth,
        })
    };
    let mut stack = vec![open(tree, String::new(), 1)?];
    while let Some(frame) = stack.last_mut() {
        let Some(e) = frame.entries.next() else {
            stack.pop();
            continue;
        };
        let last = frame.entries.len() == 0;
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
            "{}{}{shown}",
            frame.prefix,
            if last { "└── " } else { "├── " }
        ))?;
        if e.is_dir() {
            counts.dirs += 1;
            if max.is_none_or(|m| frame.depth < m) {
                let p = format!("{}{}", frame.prefix, if last { "    " } else { "│   " });
                let depth = frame.depth + 1;
                stack.push(open(&e.id, p, depth)?);
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
    draw(&ws.odb, &e.id, a.depth, &mut counts, &mut out)?;
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
