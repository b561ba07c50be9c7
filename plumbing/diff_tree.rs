//! `hako diff-tree`: compare two trees top-down, skipping equal subtrees.

use std::io::Write;

use hako::prolly::dir::{diff_recursive, Entry, PathChange};
use hako::revparse::rev_parse_tree;
use hako::ObjectId;

#[derive(clap::Args)]
pub struct Args {
    /// Recurse into subdirectories.
    #[arg(short = 'r')]
    recursive: bool,
    /// Print `<status>\t<path>` only.
    #[arg(long)]
    name_status: bool,
    /// Print paths only.
    #[arg(long)]
    name_only: bool,
    /// NUL-terminated output, names unquoted.
    #[arg(short = 'z')]
    nul: bool,
    /// Exit 1 if the trees differ.
    #[arg(long)]
    exit_code: bool,
    /// Print the number of tree nodes read to stderr.
    #[arg(long)]
    count_nodes: bool,
    /// Old tree-ish.
    a: String,
    /// New tree-ish.
    b: String,
}

/// Compute the changes between two tree-ish revisions.
pub fn diff_trees(
    store: &dyn hako::store::ObjectStore,
    a: &ObjectId,
    b: &ObjectId,
    recursive: bool,
) -> anyhow::Result<Vec<PathChange>> {
    let mut out = Vec::new();
    diff_recursive(store, a, b, recursive, b"", &mut out)?;
    Ok(out)
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let ta = rev_parse_tree(ws.repo(), &a.a)?;
    let tb = rev_parse_tree(ws.repo(), &a.b)?;
    let counted = hako::prolly::NodeCounter::new(&ws.odb);
    let changes = diff_trees(&counted, &ta, &tb, a.recursive)?;
    let read = counted.nodes_read();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let (term, sep) = if a.nul { ('\0', '\0') } else { ('\n', '\t') };
    for c in &changes {
        let path = if a.nul {
            String::from_utf8_lossy(&c.path).into_owned()
        } else {
            super::quote_path(&c.path)
        };
        let st = c.status();
        if a.name_only {
            super::out(write!(out, "{path}{term}"))?;
        } else if a.name_status {
            super::out(write!(out, "{st}{sep}{path}{term}"))?;
        } else {
            let mode = |e: &Option<Entry>| e.as_ref().map(|e| e.mode).unwrap_or(0);
            let id = |e: &Option<Entry>| e.as_ref().map(|e| e.id).unwrap_or(ObjectId::ZERO);
            super::out(write!(
                out,
                ":{:06o} {:06o} {} {} {st}{sep}{path}{term}",
                mode(&c.old),
                mode(&c.new),
                id(&c.old),
                id(&c.new)
            ))?;
        }
    }
    super::out(out.flush())?;
    if a.count_nodes {
        eprintln!("nodes read: {read}");
    }
    Ok(if a.exit_code && !changes.is_empty() {
        1
    } else {
        0
    })
}
