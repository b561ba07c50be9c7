//! `hako merge-base`: the best common ancestors of two commits.

use std::io::Write;

use hako::merge::merge_bases;
use hako::revparse::{peel_to_commit, rev_parse};

#[derive(clap::Args)]
pub struct Args {
    /// Print every best common ancestor (criss-cross histories have several).
    #[arg(long, conflicts_with = "is_ancestor")]
    all: bool,
    /// Exit 0 if A is an ancestor of B (or B itself), 1 if not; print nothing.
    #[arg(long)]
    is_ancestor: bool,
    /// A commit-ish.
    a: String,
    /// A commit-ish.
    b: String,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let ca = peel_to_commit(&ws.odb, rev_parse(ws.repo(), &a.a)?)?;
    let cb = peel_to_commit(&ws.odb, rev_parse(ws.repo(), &a.b)?)?;
    if a.is_ancestor {
        return Ok(if hako::revwalk::is_ancestor(&ws.odb, ca, cb)? {
            0
        } else {
            1
        });
    }
    let bases = merge_bases(&ws.odb, ca, cb)?;
    let mut out = std::io::stdout().lock();
    for id in bases.iter().take(if a.all { usize::MAX } else { 1 }) {
        super::out(writeln!(out, "{id}"))?;
    }
    Ok(if bases.is_empty() { 1 } else { 0 })
}
