//! `hako merge-tree`: merge two trees three-way and write the result tree,
//! touching no ref and no working root (format-spec/merge.md, merge-tree).

use std::io::Write;

use hako::merge::{merge_commits, merge_trees, Favor, MergeOptions};
use hako::revparse::{peel_to_commit, peel_to_tree, rev_parse};
use hako::ObjectId;

#[derive(clap::Args)]
pub struct Args {
    /// Write the merged tree and print its id (always done; accepted for git's spelling).
    #[arg(long)]
    write_tree: bool,
    /// NUL-terminated records, paths unquoted.
    #[arg(short = 'z')]
    nul: bool,
    /// List each conflicted path once, without stages.
    #[arg(long)]
    name_only: bool,
    /// After the conflicted paths, a blank record and one `CONFLICT (kind): path` line per conflict.
    ///
    /// (Nothing is added for a clean merge.)
    #[arg(long)]
    messages: bool,
    /// Conflict markers include the base section (`|||||||`).
    #[arg(long)]
    diff3: bool,
    /// Resolve conflicts in favour of one side.
    #[arg(short = 'X', value_name = "ours|theirs", value_parser = ["ours", "theirs"])]
    favor: Option<String>,
    /// Merge commits that share no history (against the empty tree).
    #[arg(long)]
    allow_unrelated_histories: bool,
    /// Print the number of tree nodes read and written to stderr.
    #[arg(long)]
    count_nodes: bool,
    /// BASE OURS THEIRS (tree-ish), or OURS THEIRS (commit-ish; the base is computed).
    #[arg(num_args = 2..=3, required = true, value_name = "REV")]
    revs: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let opts = MergeOptions {
        diff3: a.diff3,
        favor: Favor::named(a.favor.as_deref()),
    };
    let counted = hako::prolly::NodeCounter::new(&ws.odb);
    let m = if let [b, o, t] = &a.revs[..] {
        let tree = |s: &str| -> anyhow::Result<ObjectId> {
            Ok(peel_to_tree(&ws.odb, rev_parse(ws.repo(), s)?)?)
        };
        merge_trees(&counted, &tree(b)?, &tree(o)?, &tree(t)?, &opts)?
    } else {
        let commit = |s: &str| -> anyhow::Result<ObjectId> {
            Ok(peel_to_commit(&ws.odb, rev_parse(ws.repo(), s)?)?)
        };
        let (o, t) = (commit(&a.revs[0])?, commit(&a.revs[1])?);
        merge_commits(&counted, o, t, a.allow_unrelated_histories, &opts)?
    };
    let (read, written) = (counted.nodes_read(), counted.nodes_written());
    let term = if a.nul { '\0' } else { '\n' };
    let path = |p: &[u8]| {
        if a.nul {
            String::from_utf8_lossy(p).into_owned()
        } else {
            super::quote_path(p)
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    super::out(write!(out, "{}{term}", m.tree))?;
    let mut last: Option<&[u8]> = None;
    for c in &m.conflicts {
        if last == Some(&c.path[..]) {
            continue;
        }
        last = Some(&c.path);
        if a.name_only {
            super::out(write!(out, "{}{term}", path(&c.path)))?;
            continue;
        }
        for (stage, e) in c.stages() {
            super::out(write!(
                out,
                "{:06o} {} {stage}\t{}{term}",
                e.mode,
                e.id,
                path(&c.path)
            ))?;
        }
    }
    if a.messages && !m.is_clean() {
        super::out(write!(out, "{term}"))?;
        for c in &m.conflicts {
            super::out(write!(
                out,
                "CONFLICT ({}): {}{term}",
                c.kind.name(),
                path(&c.path)
            ))?;
        }
    }
    super::out(out.flush())?;
    if a.count_nodes {
        eprintln!(
            "nodes read: {read} ({} distinct)\nnodes written: {written}",
            m.nodes_fetched
        );
    }
    Ok(if m.is_clean() { 0 } else { 1 })
}
