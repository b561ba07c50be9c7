//! `hako pack-objects`: write a pack of the objects named on stdin (or, with
//! `--revs`, of everything reachable from some revisions and not others).

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::Context;

use hako::pack::compact::write_wire;
use hako::pack::select::{select_revs, Pick, Selection};
use hako::revparse::{peel_to_commit, rev_parse, RevArg};
use hako::store::ObjectStore;

#[derive(clap::Args)]
pub struct Args {
    /// Write the pack to standard output (no index).
    #[arg(long)]
    stdout: bool,
    /// Stdin holds revisions (`REV`, `^REV`, `A..B`), not object ids.
    #[arg(long)]
    revs: bool,
    /// Allow deltas against objects the receiver has (a thin pack, for the wire).
    #[arg(long)]
    thin: bool,
    /// Write the compact stream (pack version 3, for the wire; needs --stdout).
    #[arg(long, requires = "stdout")]
    compact: bool,
    /// The receiver has REV too: its tree is a source of delta bases (with --revs).
    #[arg(long = "delta-base-from", value_name = "REV")]
    delta_base_from: Vec<String>,
    /// Write BASENAME-<checksum>.pack and .idx (unless --stdout); prints the checksum.
    #[arg(value_name = "BASENAME", required_unless_present = "stdout")]
    basename: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let repo = ws.repo();
    let mut lines = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line.context("cannot read standard input")?;
        let t = line.split_whitespace().next().unwrap_or("").to_string();
        if !t.is_empty() {
            lines.push(t);
        }
    }
    let picks: Vec<Pick> = if a.revs {
        let (mut inc, mut exc) = (Vec::new(), Vec::new());
        for l in &lines {
            match RevArg::parse(l) {
                RevArg::Include(x) => inc.push(rev_parse(repo, x)?),
                RevArg::Exclude(x) => exc.push(peel_to_commit(repo.odb, rev_parse(repo, x)?)?),
                RevArg::Range { from, to } => {
                    exc.push(peel_to_commit(repo.odb, rev_parse(repo, from)?)?);
                    inc.push(rev_parse(repo, to)?);
                }
            }
        }
        let mut bases = Vec::new();
        for b in &a.delta_base_from {
            bases.push(peel_to_commit(repo.odb, rev_parse(repo, b)?)?);
        }
        exc.extend_from_slice(&bases);
        select_revs(&ws.odb, &inc, &exc, &bases)?
    } else {
        if !a.delta_base_from.is_empty() {
            return Err(super::usage("--delta-base-from needs --revs"));
        }
        let mut sel = Selection::new(&ws.odb);
        for l in &lines {
            sel.add_object(rev_parse(repo, l)?)?;
        }
        sel.picks
    };
    let store: &dyn ObjectStore = &ws.odb;
    if a.stdout {
        let out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
        let (w, _) = write_wire(a.compact, store, Some(&ws.odb), &picks, a.thin, out)?;
        eprintln!(
            "Total {} (delta {}, against the receiver's objects {}), {} bytes",
            w.objects, w.deltas, w.external, w.bytes
        );
        return Ok(0);
    }
    let base = a.basename.expect("clap requires BASENAME without --stdout");
    let (sum, _) =
        hako::pack::write::write_pack_files(store, Some(&ws.odb), &picks, a.thin, &base)?;
    let mut out = std::io::stdout().lock();
    super::out(writeln!(out, "{sum}"))?;
    Ok(0)
}
