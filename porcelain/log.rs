//! `hako log`: show history, walking the commit graph.

use std::io::Write;

use hako::object::{CommitRef, ObjectType};
use hako::revwalk::{walk, WalkOptions};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// One line per commit: short id and subject.
    #[arg(long)]
    oneline: bool,
    /// Show at most N commits.
    #[arg(short = 'n', long = "max-count", value_name = "N")]
    max_count: Option<usize>,
    /// Follow only first parents.
    #[arg(long)]
    first_parent: bool,
    /// Revisions (default HEAD); `^REV` and `A..B` exclude.
    #[arg(allow_hyphen_values = true)]
    revs: Vec<String>,
    /// Only commits that change these paths.
    #[arg(last = true)]
    paths: Vec<String>,
}

/// True if the commit changes something under the prefixes (against its first parent).
fn touches(
    ws: &hako::workspace::Workspace,
    c: &CommitRef,
    prefixes: &[Vec<Vec<u8>>],
) -> anyhow::Result<bool> {
    let parent_tree = match c.parents.first() {
        Some(p) => hako::container::commit_tree_of(ws, p)?,
        None => hako::object::empty_tree_id(),
    };
    for p in prefixes {
        let a = crate::porcelain::lookup(&ws.odb, &parent_tree, p)?;
        let b = crate::porcelain::lookup(&ws.odb, &c.tree, p)?;
        if a != b {
            return Ok(true);
        }
    }
    Ok(false)
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let revs = if a.revs.is_empty() {
        if ws.refs.resolve("HEAD")?.is_none() {
            let branch = ws.refs.head_target()?.unwrap_or_else(|| "HEAD".into());
            anyhow::bail!(
                "your current branch '{}' does not have any commits yet",
                branch.trim_start_matches("refs/heads/")
            );
        }
        vec!["HEAD".to_string()]
    } else {
        a.revs.clone()
    };
    let (inc, exc) = plumbing::rev_list::parse_ranges(&ws, &revs)?;
    let opts = WalkOptions {
        first_parent: a.first_parent,
        limit: a.max_count,
    };
    let cwd = hako::container::cwd(&ws)?;
    let prefixes: Vec<Vec<Vec<u8>>> = a
        .paths
        .iter()
        .map(|p| hako::container::resolve_path(&cwd, p))
        .collect::<Result<_, _>>()?;
    let opts = WalkOptions {
        limit: if prefixes.is_empty() {
            opts.limit
        } else {
            None
        },
        ..opts
    };
    let mut commits = walk(&ws, &inc, &exc, &opts)?;
    if !prefixes.is_empty() {
        let mut kept = Vec::new();
        for wc in commits {
            let o = ws.odb.read_typed(&wc.id, ObjectType::Commit)?;
            if touches(&ws, &CommitRef::parse(&o.data)?, &prefixes)? {
                kept.push(wc);
                if a.max_count.is_some_and(|n| kept.len() >= n) {
                    break;
                }
            }
        }
        commits = kept;
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, wc) in commits.iter().enumerate() {
        let o = ws.odb.read_typed(&wc.id, ObjectType::Commit)?;
        let c = CommitRef::parse(&o.data)?;
        if a.oneline {
            plumbing::out(writeln!(out, "{} {}", wc.id.short(), c.summary()))?;
            continue;
        }
        if i > 0 {
            plumbing::out(writeln!(out))?;
        }
        plumbing::out(writeln!(out, "commit {}", wc.id))?;
        if c.parents.len() > 1 {
            let ps: Vec<String> = c.parents.iter().map(|p| p.short()).collect();
            plumbing::out(writeln!(out, "Merge: {}", ps.join(" ")))?;
        }
        let au = c.author_sig();
        plumbing::out(writeln!(out, "Author: {} <{}>", au.name, au.email))?;
        plumbing::out(writeln!(out, "Date:   {}", au.date_string()))?;
        plumbing::out(writeln!(out))?;
        for line in String::from_utf8_lossy(c.message).lines() {
            if line.is_empty() {
                plumbing::out(writeln!(out))?;
            } else {
                plumbing::out(writeln!(out, "    {line}"))?;
            }
        }
    }
    plumbing::out(out.flush())?;
    Ok(0)
}
