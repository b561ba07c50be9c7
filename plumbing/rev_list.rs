//! `hako rev-list`: list commits reachable from some revisions and not others.

use std::io::Write;

use hako::revparse::commit_ranges;
use hako::revwalk::{walk, WalkOptions};

#[derive(clap::Args)]
pub struct Args {
    /// Stop after N commits.
    #[arg(short = 'n', long = "max-count", value_name = "N")]
    max_count: Option<usize>,
    /// Print only the number of commits.
    #[arg(long)]
    count: bool,
    /// Print each commit's parents after it.
    #[arg(long)]
    parents: bool,
    /// Follow only the first parent of merges.
    #[arg(long)]
    first_parent: bool,
    /// Oldest first.
    #[arg(long)]
    reverse: bool,
    /// Revisions; `^REV` excludes, `A..B` means `^A B`.
    #[arg(required = true)]
    revs: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let (inc, exc) = commit_ranges(ws.repo(), &a.revs)?;
    let opts = WalkOptions {
        first_parent: a.first_parent,
        limit: if a.reverse { None } else { a.max_count },
    };
    let mut commits = walk(&ws.odb, &inc, &exc, &opts)?;
    if a.reverse {
        if let Some(n) = a.max_count {
            commits.truncate(n);
        }
        commits.reverse();
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.count {
        super::out(writeln!(out, "{}", commits.len()))?;
    } else {
        for c in &commits {
            super::out(write!(out, "{}", c.id))?;
            if a.parents {
                for p in &c.parents {
                    super::out(write!(out, " {p}"))?;
                }
            }
            super::out(writeln!(out))?;
        }
    }
    super::out(out.flush())?;
    Ok(0)
}
