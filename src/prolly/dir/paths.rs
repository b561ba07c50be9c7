//! Slash-separated paths through nested trees.
#![warn(missing_docs)]

use super::cursor::get;
use super::edit::{edit, empty};
use super::entry::{check_name, Entry};
use crate::error::{Error, Result};
use crate::oid::ObjectId;
use crate::prolly::ProllyError;
use crate::store::ObjectStore;

/// Split a slash-separated path into validated components ("" and "/" = root).
pub fn split_path(path: &str) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for c in path.split('/') {
        if c.is_empty() {
            continue;
        }
        check_name(c.as_bytes())?;
        out.push(c.as_bytes().to_vec());
    }
    Ok(out)
}

/// The error for a path whose last component is not a directory.
fn not_a_directory(path: &[Vec<u8>]) -> Error {
    Error::NotADirectory(
        path.iter()
            .map(|c| String::from_utf8_lossy(c))
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// The entry at `path` below `root` (None if it does not exist).
pub fn lookup_path(
    store: &dyn ObjectStore,
    root: &ObjectId,
    path: &[Vec<u8>],
) -> Result<Option<Entry>> {
    let mut tree = *root;
    for (i, comp) in path.iter().enumerate() {
        let Some(e) = get(store, &tree, comp)? else {
            return Ok(None);
        };
        if i + 1 == path.len() {
            return Ok(Some(e));
        }
        if !e.is_dir() {
            return Err(not_a_directory(&path[..=i]));
        }
        tree = e.id;
    }
    Ok(None)
}

/// Set (or delete, with None) the entry at `path`, creating missing parent
/// directories with `dir_mode`. Rewrites O(depth) nodes per directory level.
pub fn update_path(
    store: &dyn ObjectStore,
    root: &ObjectId,
    path: &[Vec<u8>],
    new: Option<Entry>,
    dir_mode: u32,
) -> Result<ObjectId> {
    let Some((last, parents)) = path.split_last() else {
        return Err(ProllyError::ReplaceRoot.into());
    };
    // Walk down, remembering each directory entry on the way.
    let mut chain: Vec<(ObjectId, Option<Entry>)> = Vec::with_capacity(parents.len());
    let mut tree = *root;
    for (i, comp) in parents.iter().enumerate() {
        let e = get(store, &tree, comp)?;
        chain.push((tree, e.clone()));
        tree = match e {
            Some(e) if e.is_dir() => e.id,
            Some(_) => return Err(not_a_directory(&path[..=i])),
            None if new.is_none() => return Ok(*root),
            None => empty(store)?,
        };
    }
    let mut child = edit(
        store,
        &tree,
        vec![(
            last.clone(),
            new.map(|mut e| {
                e.name = last.clone();
                e
            }),
        )],
    )?;
    for (i, (parent_tree, old)) in chain.into_iter().enumerate().rev() {
        let name = parents[i].clone();
        let mut e = old.unwrap_or_else(|| Entry::new(&name, dir_mode, child));
        e.id = child;
        child = edit(store, &parent_tree, vec![(name, Some(e))])?;
    }
    Ok(child)
}
