//! Upkeep of the checkout cache (runtime.md, "Upkeep"): damaged entries,
//! entries of trees no root keeps, the size cap by least recent use,
//! unused plain copies; what a caller cannot see is named, not removed.
#![warn(missing_docs)]

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;
use std::time::SystemTime;

use crate::config::parse_size;
use crate::error::Result;
use crate::oid::ObjectId;
use crate::workspace::Workspace;

use super::*;

/// What `prune` removed.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Pruned {
    /// Entries removed, with why.
    pub entries: Vec<(String, Removal)>,
    /// Unused plain copies removed.
    pub copies: u64,
    /// Disk used after.
    pub size: u64,
    /// Entries this user cannot check or remove: written with another id
    /// mapping (an old subordinate range, another user's); root can.
    #[serde(default)]
    pub foreign: Vec<String>,
}

/// Why `prune` removed an entry.
#[derive(Debug, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum Removal {
    /// No kept tree (a ref's, an instance's) is it or stands on it.
    #[error("unreachable")]
    Unreachable,
    /// The cache was over its size cap and it was the least recently used.
    #[error("size cap")]
    SizeCap,
    /// It failed its quick check.
    #[error("{0}")]
    Damaged(EntryDamage),
}

impl Pruned {
    /// One line per entry left because this user cannot remove it.
    pub fn foreign_warnings(&self, ws: &Workspace) -> Vec<String> {
        self.foreign
            .iter()
            .map(|n| {
                format!(
                    "cache entry {n} was written with another id mapping (an old subordinate range?) and is left: only root can remove it ({})",
                    trees(&dir(ws)).join(n).display()
                )
            })
            .collect()
    }
}

/// The size cap from `cache.maxSize` (None: no cap).
pub fn max_size(ws: &Workspace) -> Result<Option<u64>> {
    match ws.config.get("cache.maxsize") {
        None => Ok(Some(DEFAULT_MAX_SIZE)),
        Some(v) => parse_size(v).map(|n| (n > 0).then_some(n)).ok_or_else(|| {
            CacheError::BadMaxSize {
                at: ws.config.origin("cache.maxsize").unwrap_or_default(),
                value: v.to_string(),
            }
            .into()
        }),
    }
}

/// Remove damaged entries, entries whose tree `keep` rejects (unless a kept
/// entry stacks on them), then the least recently used until the disk used
/// is at most `max_size`; then unused plain copies and old temporary files.
/// Entries in use are never removed.
pub fn prune(
    ws: &Workspace,
    keep: impl Fn(&ObjectId) -> bool,
    max_size: Option<u64>,
) -> Result<Pruned> {
    let cache = dir(ws);
    let _lock = lock(&cache)?;
    // Mapped entries are checked, measured and removed in their namespace.
    match mapped_work(&cache)? {
        Some(map) => crate::userns::run_mapped(&map, || prune_locked(&cache, &keep, max_size)),
        None => prune_locked(&cache, &keep, max_size),
    }
}

fn prune_locked(
    cache: &Path,
    keep: &dyn Fn(&ObjectId) -> bool,
    max_size: Option<u64>,
) -> Result<Pruned> {
    let cache = cache.to_path_buf();
    let view = Viewer::this_process();
    let mut out = Pruned {
        entries: remove_damaged(&cache)?,
        ..Pruned::default()
    };
    let scanned = scan(&cache)?;
    out.foreign = scanned
        .iter()
        .filter(|(n, _)| !view.can_check(n))
        .map(|(n, _)| n.clone())
        .collect();
    let mut entries: HashMap<String, Record> = scanned
        .into_iter()
        .filter(|(n, _)| view.can_check(n))
        .filter_map(|(n, r)| Some((n, r.ok()?)))
        .collect();
    // Kept: entries of kept trees and every entry below them.
    let mut kept: HashSet<String> = HashSet::new();
    for (n, r) in &entries {
        if keep(&r.tree) {
            let mut cur = Some(n.clone());
            while let Some(c) = cur {
                cur = match entries.get(&c).map(|r| &r.kind) {
                    Some(Kind::Layer { base }) => Some(base.clone()),
                    _ => None,
                };
                kept.insert(c);
            }
        }
    }
    let gone: Vec<String> = entries
        .keys()
        .filter(|n| !kept.contains(*n))
        .cloned()
        .collect();
    for n in gone {
        remove_with_layers(&cache, &n, &mut entries, || Removal::Unreachable, &mut out)?;
    }
    sweep_copies(&cache, &mut out)?;
    out.size = disk_usage(&cache)?;
    if let Some(max) = max_size {
        let mut by_use: Vec<(SystemTime, String)> = entries
            .keys()
            .map(|n| (last_use(&trees(&cache).join(n)), n.clone()))
            .collect();
        by_use.sort();
        for (_, n) in by_use {
            if out.size <= max {
                break;
            }
            if !entries.contains_key(&n) {
                continue;
            }
            if remove_with_layers(&cache, &n, &mut entries, || Removal::SizeCap, &mut out)? {
                sweep_copies(&cache, &mut out)?;
                out.size = disk_usage(&cache)?;
            }
        }
    }
    sweep_tmp(&cache)?;
    Ok(out)
}

/// Remove entry `n` and every layer stacked on it, unless one is in use
/// (then nothing is removed); true when removed.
fn remove_with_layers(
    cache: &Path,
    n: &str,
    entries: &mut HashMap<String, Record>,
    why: impl Fn() -> Removal,
    out: &mut Pruned,
) -> Result<bool> {
    let mut doomed = vec![n.to_string()];
    let mut i = 0;
    while i < doomed.len() {
        let d = doomed[i].clone();
        for (m, r) in entries.iter() {
            if matches!(&r.kind, Kind::Layer { base } if *base == d) && !doomed.contains(m) {
                doomed.push(m.clone());
            }
        }
        i += 1;
    }
    if doomed.iter().any(|d| busy(&trees(cache).join(d))) {
        return Ok(false);
    }
    for d in doomed.iter().rev() {
        remove_entry(cache, d)?;
        entries.remove(d);
        out.entries.push((d.clone(), why()));
    }
    Ok(true)
}

/// Remove plain copies no entry links (link count 1).
fn sweep_copies(cache: &Path, out: &mut Pruned) -> Result<()> {
    let files = cache.join("files");
    let Ok(rd) = fs::read_dir(&files) else {
        return Ok(());
    };
    for fan in rd.flatten() {
        let Ok(inner) = fs::read_dir(fan.path()) else {
            continue;
        };
        for e in inner.flatten() {
            if e.metadata().is_ok_and(|m| m.nlink() == 1) {
                let p = e.path();
                fs::remove_file(&p).at(&p)?;
                out.copies += 1;
            }
        }
    }
    Ok(())
}
