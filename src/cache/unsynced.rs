//! A full entry's `unsynced` (runtime.md, "Entries: full and layered"):
//! written instead of a `syncfs` before the entry's rename, read by the
//! quick check (an entry of another boot is damaged), and completed by the
//! entry's next use: synced, its copies named in `files/`, removed.
#![warn(missing_docs)]

use std::fs::{self, File};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::{IoContext, Result};

use super::error::{DamageKind, EntryDamage};
use super::{files, trees};

/// The file of a full entry whose sync is left to its next use.
pub(super) const UNSYNCED: &str = "unsynced";

/// This boot of the system (`/proc/sys/kernel/random/boot_id`); None where
/// it cannot be read (then entries are synced as they are written).
pub(super) fn boot_id() -> Option<String> {
    let id = fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let id = id.trim();
    (!id.is_empty() && !id.contains(char::is_whitespace)).then(|| id.to_string())
}

/// What `unsynced` says: the boot the entry was written in, and the plain
/// copies it wrote (key, suffix, path from `root/`), to name in `files/`
/// once synced.
#[derive(Debug, PartialEq, Eq)]
pub struct Unsynced {
    /// The boot id of the system that wrote the entry.
    pub boot: String,
    /// The plain copies: key, suffix and path from `root/`.
    pub copies: Vec<(String, u32, Vec<u8>)>,
}

impl Unsynced {
    /// The file's bytes: `boot <id>` NUL, then `<key> <suffix> <path>` NUL
    /// per copy.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = format!("boot {}\0", self.boot).into_bytes();
        for (key, n, path) in &self.copies {
            out.extend_from_slice(format!("{key} {n} ").as_bytes());
            out.extend_from_slice(path);
            out.push(0);
        }
        out
    }

    /// Parse the file's bytes; a malformed file is refused (the entry is
    /// then damaged).
    pub fn parse(text: &[u8]) -> std::result::Result<Unsynced, DamageKind> {
        let bad = || DamageKind::UnsyncedMalformed;
        let body = text.strip_suffix(&[0]).ok_or_else(bad)?;
        let mut recs = body.split(|&b| b == 0);
        let boot = recs
            .next()
            .and_then(|r| r.strip_prefix(b"boot "))
            .and_then(|b| std::str::from_utf8(b).ok())
            .filter(|b| !b.is_empty() && !b.contains(' '))
            .ok_or_else(bad)?
            .to_string();
        let mut copies = Vec::new();
        for r in recs {
            let mut parts = r.splitn(3, |&b| b == b' ');
            let key = parts.next().and_then(|k| std::str::from_utf8(k).ok());
            let n = parts
                .next()
                .and_then(|n| std::str::from_utf8(n).ok())
                .and_then(|n| n.parse::<u32>().ok());
            let path = parts.next().filter(|p| !p.is_empty());
            match (key, n, path) {
                (Some(k), Some(n), Some(p)) if plain_key(k) && inside(p) => {
                    copies.push((k.to_string(), n, p.to_vec()))
                }
                _ => return Err(bad()),
            }
        }
        Ok(Unsynced { boot, copies })
    }
}

/// Write `unsynced` into entry directory `dir` (runtime.md, "Entries: full
/// and layered"): `boot <id>` NUL, then `<key> <suffix> <path>` NUL per copy.
pub(super) fn write_unsynced(
    dir: &Path,
    boot: &str,
    copies: &[(String, u32, PathBuf)],
) -> Result<()> {
    let root = dir.join("root");
    let copies = copies
        .iter()
        .filter_map(|(key, n, first)| {
            // A copy outside this entry is not named later.
            let rel = first.strip_prefix(&root).ok()?;
            Some((key.clone(), *n, rel.as_os_str().as_bytes().to_vec()))
        })
        .collect();
    let text = Unsynced {
        boot: boot.to_string(),
        copies,
    }
    .encode();
    let p = dir.join(UNSYNCED);
    fs::write(&p, text).at(&p)
}

/// Read an entry's `unsynced` (None: the entry is synced).
pub(super) fn read_unsynced(dir: &Path) -> std::result::Result<Option<Unsynced>, DamageKind> {
    match fs::read(dir.join(UNSYNCED)) {
        Ok(t) => Unsynced::parse(&t).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DamageKind::UnsyncedUnreadable(e)),
    }
}

/// A copy's key as `files/` names it (hex digits and dots).
pub(super) fn plain_key(k: &str) -> bool {
    k.len() >= 2 && k.bytes().all(|b| b.is_ascii_hexdigit() || b == b'.')
}

/// A relative path that stays inside the directory it is taken from.
pub(super) fn inside(p: &[u8]) -> bool {
    !p.starts_with(b"/")
        && p.split(|&b| b == b'/')
            .all(|c| !c.is_empty() && c != b"." && c != b"..")
}

/// An entry whose sync was left to its next use must have been written in
/// this boot: a restart may have lost what was never synced.
pub(super) fn check_sync(dir: &Path) -> std::result::Result<(), DamageKind> {
    match read_unsynced(dir)? {
        Some(u) if Some(&u.boot) != boot_id().as_ref() => Err(DamageKind::NeverSynced),
        _ => Ok(()),
    }
}

/// Finish an entry whose sync was left to its next use, once its quick
/// check has passed: `syncfs`, then name the copies it wrote in `files/`
/// (a name taken or at its link limit is left), then remove `unsynced`.
/// A synced entry is left as it is.
pub(super) fn complete(cache: &Path, name: &str) -> std::result::Result<(), EntryDamage> {
    let d = trees(cache).join(name);
    let Some(unsynced) = read_unsynced(&d).map_err(|why| why.of(name))? else {
        return Ok(());
    };
    if Some(&unsynced.boot) != boot_id().as_ref() {
        return Err(DamageKind::NeverSynced.of(name));
    }
    let f = File::open(&d).map_err(|e| DamageKind::Io(e).of(name))?;
    nix::unistd::syncfs(&f).map_err(|e| DamageKind::Syncfs(e).of(name))?;
    let files = cache.join("files");
    for (key, n, rel) in &unsynced.copies {
        let dest = files::copy_path(&files, key, *n);
        if let Some(parent) = dest.parent() {
            let _ = fs::create_dir_all(parent);
        }
        let _ = fs::hard_link(d.join("root").join(std::ffi::OsStr::from_bytes(rel)), &dest);
    }
    match fs::remove_file(d.join(UNSYNCED)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(DamageKind::Io(e).of(name)),
        _ => Ok(()),
    }
}
