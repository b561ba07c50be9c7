//! fsck: every stored object readable and hash-valid, every object reachable
//! from a root present, every directory and chunk list cut exactly where the
//! boundary rule puts it, every chunk the size its list says.
#![warn(missing_docs)]

use std::collections::HashSet;
use std::path::PathBuf;

use rayon::prelude::*;

use super::reach::{reachable, roots_checked, Missing, Mistyped};
use crate::error::{Error, Result};
use crate::object::{CommitRef, ObjectType};
use crate::oid::ObjectId;
use crate::prolly::{dir, file};
use crate::store::{HashOnly, LocalStore, ObjectStore};
use crate::workspace::Workspace;

/// How much fsck checks.
#[derive(Clone, Copy, Debug, Default)]
pub struct FsckOptions {
    /// Also re-chunk every reachable file's content (FastCDC boundaries).
    pub full: bool,
    /// Only check that every reachable object is present.
    pub connectivity_only: bool,
}

/// One problem, or one unreachable object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// A stored object that cannot be read or does not match its id.
    Corrupt {
        /// The object.
        id: ObjectId,
        /// What is wrong.
        why: String,
    },
    /// A pack whose checksums or index are wrong.
    BadPack {
        /// The pack or index.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A referenced object that is not stored.
    Missing(Missing),
    /// A referenced object of another type than its referrer requires (a
    /// branch naming a tree, a file entry naming a commit).
    Mistyped(Mistyped),
    /// `.hako/shallow` malformed, or naming a stored object that is not a commit.
    BadShallow(String),
    /// A ref, HEAD or WORKING file that cannot be read (where, why).
    BadRef {
        /// The file.
        at: String,
        /// Why it cannot be read.
        why: String,
    },
    /// A tree or chunk list that is well-formed but not canonical.
    BadStructure {
        /// The tree or chunk list.
        id: ObjectId,
        /// Which of the two.
        kind: &'static str,
        /// What is not canonical.
        why: String,
    },
}

/// What fsck found.
#[derive(Debug, Default)]
pub struct FsckReport {
    /// Every problem found.
    pub problems: Vec<Finding>,
    /// Objects checked against their ids, and their payload bytes.
    pub checked: usize,
    /// Their payload bytes.
    pub bytes: u64,
    /// Stored objects no root reaches (with their types), sorted.
    pub unreachable: Vec<(ObjectId, ObjectType)>,
    /// The unreachable objects no other unreachable object refers to.
    pub dangling: Vec<(ObjectId, ObjectType)>,
}

/// Check the workspace's store.
pub fn fsck(ws: &Workspace, opts: FsckOptions) -> Result<FsckReport> {
    fsck_with(ws, opts, &crate::progress::Silent)
}

/// `fsck`, reporting its phases (checking objects, then connectivity) to
/// `progress`.
pub fn fsck_with(
    ws: &Workspace,
    opts: FsckOptions,
    progress: &dyn crate::progress::Progress,
) -> Result<FsckReport> {
    use crate::progress::Unit;
    let mut report = FsckReport::default();
    let store: &dyn ObjectStore = &ws.odb;
    let all = ws.odb.list_ids()?;
    if !opts.connectivity_only {
        for p in LocalStore::packs(&ws.odb)? {
            if let Err(e) = p.verify_checksums() {
                report.problems.push(Finding::BadPack {
                    path: p.idx_path.clone(),
                    why: e.to_string(),
                });
            }
        }
        progress.begin("Checking objects", Some(all.len() as u64), Unit::Items);
        let results: Vec<(ObjectId, Result<u64>)> = all
            .par_iter()
            .map(|id| {
                let r = store.read(id).map(|o| o.data.len() as u64);
                progress.advance(1);
                (*id, r)
            })
            .collect();
        progress.end();
        for (id, r) in results {
            match r {
                Ok(n) => {
                    report.checked += 1;
                    report.bytes += n;
                }
                Err(e) => report.problems.push(Finding::Corrupt {
                    id,
                    why: e.to_string(),
                }),
            }
        }
    }
    match crate::store::shallow::read(&ws.odb.shallow_path()) {
        Err(e) => {
            // Without a shallow list history cannot be judged.
            report.problems.push(Finding::BadShallow(e.to_string()));
            return Ok(report);
        }
        Ok(set) => {
            for id in set {
                match store.read_header(&id) {
                    Ok((ObjectType::Commit, _)) | Err(Error::NotFound(_)) => {}
                    Ok((k, _)) => report.problems.push(Finding::BadShallow(format!(
                        "{id} is a {}, not a commit",
                        k.name()
                    ))),
                    Err(e) => return Err(e),
                }
            }
        }
    }
    let (roots, bad_refs) = roots_checked(ws)?;
    report.problems.extend(
        bad_refs
            .into_iter()
            .map(|(at, why)| Finding::BadRef { at, why }),
    );
    let reach =
        crate::progress::phase(progress, "Checking connectivity", None, Unit::Items, || {
            reachable(store, &roots)
        })?;
    // Objects the first pass did not already report as corrupt.
    for (id, why) in &reach.unreadable {
        let known = report
            .problems
            .iter()
            .any(|p| matches!(p, Finding::Corrupt { id: c, .. } if c == id));
        if !known {
            report.problems.push(Finding::Corrupt {
                id: *id,
                why: why.clone(),
            });
        }
    }
    report
        .problems
        .extend(reach.missing.iter().cloned().map(Finding::Missing));
    report
        .problems
        .extend(reach.mistyped.iter().cloned().map(Finding::Mistyped));
    if !opts.connectivity_only {
        let dirs: Vec<&ObjectId> = reach.dir_roots.iter().collect();
        let bad: Vec<Finding> = dirs
            .par_iter()
            .filter_map(|id| check_tree(store, id).err())
            .collect();
        report.problems.extend(bad);
        report.problems.extend(check_hardlinks(store, &roots));
        let files: Vec<&ObjectId> = reach.file_roots.iter().collect();
        let bad: Vec<Finding> = files
            .par_iter()
            .filter_map(|id| check_file(store, id, opts.full).err())
            .collect();
        report.problems.extend(bad);
    }
    // Unreachable and dangling objects.
    let unreachable: Vec<ObjectId> = all
        .into_iter()
        .filter(|id| !reach.seen.contains(id))
        .collect();
    let mut referenced: HashSet<ObjectId> = HashSet::new();
    for id in &unreachable {
        let kind = match store.read_header(id) {
            Ok((k, _)) => k,
            Err(_) => continue,
        };
        report.unreachable.push((*id, kind));
        for child in children(store, id, kind).unwrap_or_default() {
            referenced.insert(child);
        }
    }
    report.dangling = report
        .unreachable
        .iter()
        .filter(|(id, _)| !referenced.contains(id))
        .copied()
        .collect();
    Ok(report)
}

/// The hardlink groups of the trees the refs and working roots name (not
/// of every tree in the history: a full walk each).
fn check_hardlinks(store: &dyn ObjectStore, roots: &[super::reach::Root]) -> Vec<Finding> {
    let mut trees: Vec<ObjectId> = Vec::new();
    for r in roots.iter().filter(|r| !r.source.contains(":reflog ")) {
        let tree = match store.read_header(&r.id) {
            Ok((ObjectType::Tree, _)) => r.id,
            Ok((ObjectType::Commit, _)) => match store.read(&r.id) {
                Ok(o) => match CommitRef::parse(&o.data) {
                    Ok(c) => c.tree,
                    Err(_) => continue,
                },
                Err(_) => continue,
            },
            _ => continue,
        };
        if !trees.contains(&tree) {
            trees.push(tree);
        }
    }
    // A tree that cannot be walked is reported as missing or corrupt already.
    let found: Vec<Vec<Finding>> = trees
        .par_iter()
        .map(|t| {
            dir::hardlinks::check(store, t)
                .unwrap_or_default()
                .into_iter()
                .map(|(path, why)| Finding::BadStructure {
                    id: *t,
                    kind: "tree",
                    why: format!("{path}: {why}"),
                })
                .collect()
        })
        .collect();
    found.into_iter().flatten().collect()
}

/// The objects an object refers to directly (`links::children`; a blob
/// names none and is not read).
fn children(store: &dyn ObjectStore, id: &ObjectId, kind: ObjectType) -> Result<Vec<ObjectId>> {
    let mut out = Vec::new();
    if kind != ObjectType::Blob {
        crate::links::children(id, store.read(id)?, false, &mut |c, _, _| out.push(c))?;
    }
    Ok(out)
}

/// A directory's nodes must be exactly those a one-pass build of its
/// entries gives (sorted keys, node sizes, boundaries where the rule puts
/// them): anything else breaks history independence.
fn check_tree(store: &dyn ObjectStore, id: &ObjectId) -> std::result::Result<(), Finding> {
    let bad = |why: String| Finding::BadStructure {
        id: *id,
        kind: "tree",
        why,
    };
    let entries = match dir::list(store, id) {
        Ok(e) => e,
        Err(Error::NotFound(_)) => return Ok(()), // reported as missing
        Err(e) => return Err(bad(e.to_string())),
    };
    match dir::build(&HashOnly, entries) {
        Ok(canonical) if canonical == *id => Ok(()),
        Ok(canonical) => Err(bad(format!(
            "nodes are not cut where the boundary rule puts them (its entries build {canonical})"
        ))),
        Err(e) => Err(bad(e.to_string())),
    }
}

/// A chunk list must be the canonical list of its chunks, each chunk the
/// size the list says; with `full`, the content re-chunked by FastCDC must
/// give the same file.
fn check_file(
    store: &dyn ObjectStore,
    id: &ObjectId,
    full: bool,
) -> std::result::Result<(), Finding> {
    let bad = |why: String| Finding::BadStructure {
        id: *id,
        kind: "file",
        why,
    };
    let chunks = match file::chunk_list(store, id) {
        Ok(c) => c,
        Err(Error::NotFound(_)) => return Ok(()),
        Err(e) => return Err(bad(e.to_string())),
    };
    let total: u64 = chunks.iter().map(|c| c.0).sum();
    if total <= file::INLINE_MAX {
        return Err(bad(format!(
            "a chunked file of {total} bytes (files of at most {} bytes are blobs)",
            file::INLINE_MAX
        )));
    }
    for (len, chunk) in &chunks {
        match store.read_header(chunk) {
            Ok((ObjectType::Blob, n)) if n == *len => {}
            Ok((k, n)) => {
                return Err(bad(format!(
                    "chunk {chunk} is a {} of {n} bytes, the list says a blob of {len}",
                    k.name()
                )))
            }
            Err(Error::NotFound(_)) => {}
            Err(e) => return Err(bad(e.to_string())),
        }
    }
    let rebuilt = file::list_from_chunks(&HashOnly, &chunks).map_err(|e| bad(e.to_string()))?;
    if rebuilt != *id {
        return Err(bad(format!(
            "the chunk list is not cut where the boundary rule puts it (its chunks build {rebuilt})"
        )));
    }
    if full {
        let reader = file::Reader::new(store, id).map_err(|e| bad(e.to_string()))?;
        let again = file::store_reader(&HashOnly, reader).map_err(|e| bad(e.to_string()))?;
        if again != *id {
            return Err(bad(format!(
                "the content is not chunked where FastCDC cuts it (it chunks to {again})"
            )));
        }
    }
    Ok(())
}
