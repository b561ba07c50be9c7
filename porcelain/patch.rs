//! Patches and diffstats of path changes, as `diff`, `log -p`/`--stat`
//! and `show` print them, and the path filter they share.

use std::io::Write;

use similar::{ChangeTag, TextDiff};

use hako::prolly::dir::{Entry, PathChange};
use hako::prolly::file;
use hako::store::ObjectStore;

use crate::plumbing;

/// Bytes of a file or symlink entry (None for anything else).
fn content(store: &dyn ObjectStore, e: &Option<Entry>) -> anyhow::Result<Option<Vec<u8>>> {
    match e {
        Some(e) if e.is_file() || e.is_symlink() => {
            let mut v = Vec::new();
            file::write_to(store, &e.id, &mut v)?;
            Ok(Some(v))
        }
        _ => Ok(None),
    }
}

fn is_binary(b: &[u8]) -> bool {
    b[..b.len().min(8000)].contains(&0)
}

fn patch(store: &dyn ObjectStore, c: &PathChange, out: &mut dyn Write) -> anyhow::Result<()> {
    let p = String::from_utf8_lossy(&c.path);
    writeln!(out, "diff --hako a/{p} b/{p}")?;
    match (&c.old, &c.new) {
        (None, Some(n)) => writeln!(out, "new file mode {:06o}", n.mode)?,
        (Some(o), None) => writeln!(out, "deleted file mode {:06o}", o.mode)?,
        (Some(o), Some(n)) if o.mode != n.mode => {
            writeln!(out, "old mode {:06o}", o.mode)?;
            writeln!(out, "new mode {:06o}", n.mode)?;
        }
        _ => {}
    }
    if c.old.as_ref().map(|e| e.id) == c.new.as_ref().map(|e| e.id) {
        return Ok(()); // mode-only change: no content to read
    }
    let (a, b) = (content(store, &c.old)?, content(store, &c.new)?);
    if a.is_none() && b.is_none() {
        return Ok(());
    }
    let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
    let old_name = if c.old.is_some() {
        format!("a/{p}")
    } else {
        "/dev/null".into()
    };
    let new_name = if c.new.is_some() {
        format!("b/{p}")
    } else {
        "/dev/null".into()
    };
    if is_binary(&a) || is_binary(&b) {
        writeln!(out, "Binary files {old_name} and {new_name} differ")?;
        return Ok(());
    }
    let (ta, tb) = (String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
    let d = TextDiff::from_lines(ta.as_ref(), tb.as_ref());
    write!(
        out,
        "{}",
        d.unified_diff()
            .context_radius(3)
            .header(&old_name, &new_name)
    )?;
    Ok(())
}

fn counts(store: &dyn ObjectStore, c: &PathChange) -> anyhow::Result<Option<(usize, usize)>> {
    let (a, b) = (
        content(store, &c.old)?.unwrap_or_default(),
        content(store, &c.new)?.unwrap_or_default(),
    );
    if is_binary(&a) || is_binary(&b) {
        return Ok(None);
    }
    let (ta, tb) = (String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
    let d = TextDiff::from_lines(ta.as_ref(), tb.as_ref());
    let (mut ins, mut del) = (0, 0);
    for ch in d.iter_all_changes() {
        match ch.tag() {
            ChangeTag::Insert => ins += 1,
            ChangeTag::Delete => del += 1,
            ChangeTag::Equal => {}
        }
    }
    Ok(Some((ins, del)))
}

/// The unified diff of each change (`diff` and `log -p`).
pub fn write_patch(
    store: &dyn ObjectStore,
    changes: &[PathChange],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    for c in changes {
        patch(store, c, out)?;
    }
    Ok(())
}

/// A diffstat: one ` path | N +-` line per change and a summary (`diff --stat`, `log --stat`).
pub fn write_stat(
    store: &dyn ObjectStore,
    changes: &[PathChange],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let stats: Vec<(String, Option<(usize, usize)>)> = changes
        .iter()
        .map(|c| Ok((plumbing::quote_path(&c.path), counts(store, c)?)))
        .collect::<anyhow::Result<_>>()?;
    let width = stats.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
    let (mut ti, mut td) = (0, 0);
    for (p, s) in &stats {
        match s {
            Some((i, d)) => {
                ti += i;
                td += d;
                let bar = format!("{}{}", "+".repeat((*i).min(40)), "-".repeat((*d).min(40)));
                plumbing::out(writeln!(out, " {p:<width$} | {:>4} {bar}", i + d))?;
            }
            None => plumbing::out(writeln!(out, " {p:<width$} | Bin"))?,
        }
    }
    let n = stats.len();
    plumbing::out(writeln!(
        out,
        " {n} file{} changed, {ti} insertion{}(+), {td} deletion{}(-)",
        if n == 1 { "" } else { "s" },
        if ti == 1 { "" } else { "s" },
        if td == 1 { "" } else { "s" }
    ))
}

/// Keep changes under any of the path prefixes (all if none).
pub fn filter(changes: Vec<PathChange>, prefixes: &[Vec<Vec<u8>>]) -> Vec<PathChange> {
    if prefixes.is_empty() {
        return changes;
    }
    changes
        .into_iter()
        .filter(|c| {
            let comps: Vec<&[u8]> = c.path.split(|&b| b == b'/').collect();
            prefixes.iter().any(|p| {
                p.len() <= comps.len() && p.iter().zip(&comps).all(|(x, y)| x.as_slice() == *y)
            })
        })
        .collect()
}
