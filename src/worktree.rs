//! Files of a container's working root (or of any revision's tree) by path:
//! locating `[REF:]PATH` arguments, looking entries up, following symlinks,
//! setting entries, and editing the working root with compare-and-swap.
//! Shared by the file commands, and by the FUSE runtime and merge to come.

use crate::container::{
    cwd, display_path, read_working, resolve_path, set_working_root, working_root,
};
use crate::error::{Error, Result};
use crate::prolly::dir::hardlinks::LinkFree;
use crate::prolly::dir::{self, Entry, S_IFDIR};
use crate::revparse::rev_parse_tree;
use crate::store::{BatchWriter, ObjectStore};
use crate::workspace::Workspace;
use crate::ObjectId;

/// A `[REF:]PATH` argument: split at the first `:` only when it comes before
/// any `/` and is not the first character.
pub fn split_ref_path(spec: &str) -> (Option<&str>, &str) {
    if let Some(i) = spec.find(':') {
        let slash = spec.find('/').unwrap_or(usize::MAX);
        if i > 0 && i < slash {
            return (Some(&spec[..i]), &spec[i + 1..]);
        }
    }
    (None, spec)
}

/// Where a `[REF:]PATH` points: the tree it is in and the path's components.
pub struct Located {
    pub root: ObjectId,
    pub comps: Vec<Vec<u8>>,
    /// "REF:" prefix for messages, or "".
    pub label: String,
}

impl Located {
    pub fn shown(&self) -> String {
        format!("{}{}", self.label, display_path(&self.comps))
    }
}

/// Locate `[REF:]PATH`: in REF's tree, else in the working root; PATH is
/// relative to the workspace's current directory.
pub fn locate(ws: &Workspace, spec: &str) -> Result<Located> {
    let (r, path) = split_ref_path(spec);
    let root = match r {
        Some(r) => rev_parse_tree(ws.repo(), r)?,
        None => working_root(ws)?,
    };
    let comps = resolve_path(&cwd(ws)?, path)?;
    Ok(Located {
        root,
        comps,
        label: r.map(|r| format!("{r}:")).unwrap_or_default(),
    })
}

/// The entry at a path; the root itself is a directory entry with an empty name.
pub fn lookup(
    store: &dyn ObjectStore,
    root: &ObjectId,
    comps: &[Vec<u8>],
) -> Result<Option<Entry>> {
    if comps.is_empty() {
        return Ok(Some(Entry::new(b"", S_IFDIR | 0o755, *root)));
    }
    dir::lookup_path(store, root, comps)
}

/// The entry at a located path, or `Error::NoSuchPath`.
pub fn must_lookup(store: &dyn ObjectStore, loc: &Located) -> Result<Entry> {
    lookup(store, &loc.root, &loc.comps)?.ok_or_else(|| Error::NoSuchPath(loc.shown()))
}

/// Follow symlinks (inside the tree) at a path, up to 40 hops.
pub fn follow(
    store: &dyn ObjectStore,
    root: &ObjectId,
    comps: &[Vec<u8>],
) -> Result<Option<(Vec<Vec<u8>>, Entry)>> {
    let mut comps = comps.to_vec();
    for _ in 0..40 {
        let Some(e) = lookup(store, root, &comps)? else {
            return Ok(None);
        };
        if !e.is_symlink() {
            return Ok(Some((comps, e)));
        }
        let target = String::from_utf8_lossy(&store.read(&e.id)?.data).to_string();
        let parent = display_path(&comps[..comps.len() - 1]);
        comps = resolve_path(&parent, &target)?;
    }
    Err(Error::SymlinkLoop(display_path(&comps)))
}

/// Run `edit` on the working root and store its result, with its hardlink
/// groups repaired (prolly-tree.md, Hardlinks), as the new working root,
/// crash-safely: objects are flushed before the root moves, and the
/// move is a compare-and-swap against the root `edit` started from
/// (`Error::WorkingChanged` if another command moved it). `before_swap` runs
/// between the two (tests pause there).
pub fn edit_working<F, E>(
    ws: &Workspace,
    edit: F,
    before_swap: impl FnOnce(),
) -> Result<ObjectId, E>
where
    F: FnOnce(&BatchWriter, ObjectId) -> Result<ObjectId, E>,
    E: From<Error>,
{
    let raw = read_working(ws)?;
    let old = working_root(ws)?;
    let batch = BatchWriter::new(&ws.odb);
    let edited = edit(&batch, old)?;
    // A changed, moved or removed member leaves its hardlink group.
    let known = LinkFree::at(Some(ws.dir.join("cache").join("linkfree")));
    let new = crate::prolly::dir::hardlinks::repair_edit(&batch, &old, &edited, &known)?;
    batch.flush()?;
    before_swap();
    if new != old {
        set_working_root(ws, new, raw)?;
    }
    Ok(new)
}

/// Resolve several user paths against the current directory.
pub fn resolve_all(ws: &Workspace, paths: &[String]) -> Result<Vec<Vec<Vec<u8>>>> {
    let cwd = cwd(ws)?;
    paths.iter().map(|p| resolve_path(&cwd, p)).collect()
}

/// The last component of a path (for `cp a b/` into directories).
pub fn basename(comps: &[Vec<u8>]) -> Result<Vec<u8>> {
    comps.last().cloned().ok_or(Error::RootHasNoName)
}

/// Set `path` to `entry` (None removes it), creating missing parent
/// directories and refusing to create it inside a non-directory.
pub fn put(
    store: &dyn ObjectStore,
    root: &ObjectId,
    comps: &[Vec<u8>],
    entry: Option<Entry>,
) -> Result<ObjectId> {
    dir::update_path(store, root, comps, entry, S_IFDIR | 0o755)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_prefix_only_before_a_slash() {
        assert_eq!(split_ref_path("main:a/b"), (Some("main"), "a/b"));
        assert_eq!(split_ref_path("a/b:c"), (None, "a/b:c"));
        assert_eq!(split_ref_path(":a"), (None, ":a"));
    }
}
