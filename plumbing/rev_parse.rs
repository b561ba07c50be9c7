//! `hako rev-parse`: resolve revision expressions to full ids.

use std::io::Write;

use anyhow::bail;

use hako::refs::RefValue;
use hako::revparse::{dwim_ref, rev_parse, RevArg};
use hako::workspace::Workspace;

#[derive(clap::Args)]
pub struct Args {
    /// Require exactly one argument that names an object.
    #[arg(long)]
    verify: bool,
    /// With --verify: print nothing on failure, exit 1.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Print unique abbreviations (default 12 digits).
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "12", require_equals = true)]
    short: Option<usize>,
    /// Print the short name of the ref instead of the id (HEAD → branch name).
    #[arg(long)]
    abbrev_ref: bool,
    /// Print the full ref name instead of the id.
    #[arg(long)]
    symbolic_full_name: bool,
    /// Print the path of the .hako directory.
    #[arg(long)]
    hako_dir: bool,
    /// Print the workspace's top-level directory.
    #[arg(long)]
    show_toplevel: bool,
    /// Revisions: ids, prefixes, refs, REV^N, REV~N, REV^{type}, REV:PATH, CONTAINER:REV, A..B (format-spec/refs.md "Revisions").
    revs: Vec<String>,
}

fn full_name(ws: &Workspace, rev: &str) -> anyhow::Result<String> {
    let name = if rev == "@" { "HEAD" } else { rev };
    match dwim_ref(&ws.refs, name)? {
        Some((full, _)) => {
            if let Ok(Some(RefValue::Symbolic(t))) = ws.refs.read(&full) {
                return Ok(t);
            }
            Ok(full)
        }
        None => bail!("'{rev}' is not a ref"),
    }
}

fn abbrev(full: &str) -> &str {
    for p in ["refs/heads/", "refs/tags/", "refs/remotes/", "refs/"] {
        if let Some(s) = full.strip_prefix(p) {
            return s;
        }
    }
    full
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let mut out = std::io::stdout().lock();
    if a.hako_dir {
        super::out(writeln!(out, "{}", ws.dir.display()))?;
    }
    if a.show_toplevel {
        super::out(writeln!(out, "{}", ws.root().display()))?;
    }
    if a.verify && a.revs.len() != 1 {
        if a.quiet {
            return Ok(1);
        }
        bail!("--verify needs exactly one revision");
    }
    for rev in &a.revs {
        if a.abbrev_ref || a.symbolic_full_name {
            let full = full_name(&ws, rev)?;
            let shown = if a.abbrev_ref { abbrev(&full) } else { &full };
            super::out(writeln!(out, "{shown}"))?;
            continue;
        }
        let pairs: Vec<(bool, &str)> = match RevArg::parse(rev) {
            _ if a.verify => vec![(false, rev.as_str())],
            RevArg::Range { from, to } => vec![(false, to), (true, from)],
            RevArg::Exclude(r) => vec![(true, r)],
            RevArg::Include(r) => vec![(false, r)],
        };
        for (neg, r) in pairs {
            let id = match rev_parse(ws.repo(), r) {
                Ok(id) => id,
                Err(_) if a.quiet => return Ok(1),
                Err(e) => return Err(e.into()),
            };
            let hex = id.to_hex();
            let shown = match a.short {
                Some(n) => &hex[..n.clamp(4, 64)],
                None => &hex,
            };
            super::out(writeln!(out, "{}{shown}", if neg { "^" } else { "" }))?;
        }
    }
    Ok(0)
}
