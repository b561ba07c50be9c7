//! `hako merge-tree`: merge two trees three-way and write the result tree,
//! touching no ref and no working root (format-spec/merge.md, merge-tree).

use std::io::Write;

use anyhow::bail;

use hako::merge::{
    base_tree, merge_bases, merge_trees, Conflict, Favor, MergeOptions, MergeOutcome,
};
use hako::prolly::dir::Entry;
use hako::revparse::{peel_to_commit, peel_to_tree, rev_parse};
use hako::workspace::Workspace;
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

/// The options `-X` and `--diff3` choose.
pub fn options(favor: Option<&str>, diff3: bool) -> MergeOptions {
    MergeOptions {
        diff3,
        favor: match favor {
            Some("ours") => Favor::Ours,
            Some("theirs") => Favor::Theirs,
            _ => Favor::None,
        },
    }
}

/// Merge commit `theirs` into commit `ours` over their merge base(s); the
/// function porcelain `merge` calls too.
pub fn merge_commits(
    ws: &Workspace,
    ours: ObjectId,
    theirs: ObjectId,
    allow_unrelated: bool,
    opts: &MergeOptions,
) -> anyhow::Result<MergeOutcome> {
    let bases = merge_bases(&ws.odb, ours, theirs)?;
    let base = match base_tree(&ws.odb, &bases)? {
        Some(t) => t,
        None if allow_unrelated => hako::prolly::dir::empty(&ws.odb)?,
        None => bail!("refusing to merge unrelated histories"),
    };
    let (o, t) = (peel_to_tree(&ws.odb, ours)?, peel_to_tree(&ws.odb, theirs)?);
    Ok(merge_trees(&ws.odb, &base, &o, &t, opts)?)
}

/// The stages of a conflicted path: 1 base, 2 ours, 3 theirs (absent ones left out).
pub fn stages(c: &Conflict) -> impl Iterator<Item = (u8, &Entry)> {
    [(1u8, &c.base), (2, &c.ours), (3, &c.theirs)]
        .into_iter()
        .filter_map(|(s, e)| e.as_ref().map(|e| (s, e)))
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let opts = options(a.favor.as_deref(), a.diff3);
    let (r0, w0) = (hako::prolly::nodes_read(), hako::prolly::nodes_written());
    let m = if let [b, o, t] = &a.revs[..] {
        let tree = |s: &str| -> anyhow::Result<ObjectId> {
            Ok(peel_to_tree(&ws.odb, rev_parse(ws.repo(), s)?)?)
        };
        merge_trees(&ws.odb, &tree(b)?, &tree(o)?, &tree(t)?, &opts)?
    } else {
        let commit = |s: &str| -> anyhow::Result<ObjectId> {
            Ok(peel_to_commit(&ws.odb, rev_parse(ws.repo(), s)?)?)
        };
        let (o, t) = (commit(&a.revs[0])?, commit(&a.revs[1])?);
        merge_commits(&ws, o, t, a.allow_unrelated_histories, &opts)?
    };
    let (read, written) = (
        hako::prolly::nodes_read() - r0,
        hako::prolly::nodes_written() - w0,
    );
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
        for (stage, e) in stages(c) {
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
