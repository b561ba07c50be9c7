//! Files of a container's working root (or of any revision's tree) by path:
//! locating `[REF:]PATH` arguments, looking entries up, following symlinks,
//! setting entries, and editing the working root with compare-and-swap.
//! Shared by the file commands, and by the FUSE runtime and merge to come.
#![warn(missing_docs)]

use crate::container::{
    cwd, display_path, read_working, resolve_path, set_working_root, working_root, working_root_in,
};
use crate::error::{Error, Result};
use crate::prolly::dir::hardlinks::LinkFree;
use crate::prolly::dir::{self, Entry, S_IFDIR};
use crate::revparse::{other_container_refs, rev_parse_tree, Repo};
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
    /// The root tree.
    pub root: ObjectId,
    /// The path's components.
    pub comps: Vec<Vec<u8>>,
    /// "REF:" prefix for messages, or "".
    pub label: String,
}

impl Located {
    /// The location as messages show it: the label and the path.
    pub fn shown(&self) -> String {
        format!("{}{}", self.label, display_path(&self.comps))
    }
}

/// Locate `[REF:]PATH`: in REF's tree, else in the working root; PATH is
/// relative to the workspace's current directory.
pub fn locate(ws: &Workspace, spec: &str) -> Result<Located> {
    let (r, mut path) = split_ref_path(spec);
    let root = match r {
        Some(r) => match rev_parse_tree(ws.repo(), r) {
            Ok(t) => t,
            // CONTAINER:PATH is PATH in that container's working root, and
            // CONTAINER:REV:PATH in its REV (refs.md "Revisions").
            Err(Error::BadObjectName(_)) if other_container_refs(ws.repo(), r).is_some() => {
                let refs = other_container_refs(ws.repo(), r).expect("checked");
                let other = Repo {
                    refs: &refs,
                    hako_dir: None,
                    ..ws.repo()
                };
                let (sub, rest) = split_ref_path(path);
                path = rest;
                match sub {
                    Some(rev) => rev_parse_tree(other, rev)?,
                    None => working_root_in(&ws.odb, &refs)?,
                }
            }
            Err(e) => return Err(e),
        },
        None => working_root(ws)?,
    };
    let comps = resolve_path(&cwd(ws)?, path)?;
    let label = match r {
        Some(_) => format!("{}:", &spec[..spec.len() - path.len() - 1]),
        None => String::new(),
    };
    Ok(Located { root, comps, label })
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

/// Symlinks followed in one resolution before it fails as a loop (the kernel's limit).
const MAX_SYMLINKS: usize = 40;

/// Resolve a path in a tree as the kernel would with the tree as `/`:
/// symlinks are followed at every component (and at the last one), absolute
/// targets from the root and relative ones from their directory, `..` at the
/// root stays there. The canonical components and the entry found; None when
/// a component is missing; `NotADirectory` when one is not a directory;
/// `SymlinkLoop` after `MAX_SYMLINKS` links.
pub fn follow(
    store: &dyn ObjectStore,
    root: &ObjectId,
    comps: &[Vec<u8>],
) -> Result<Option<(Vec<Vec<u8>>, Entry)>> {
    // Components still to walk, last first (so a link's target is pushed on top).
    let mut pending: Vec<Vec<u8>> = comps.iter().rev().cloned().collect();
    // The directories walked so far: their names, and their entries (the root first).
    let mut names: Vec<Vec<u8>> = Vec::new();
    let mut dirs: Vec<Entry> = vec![Entry::new(b"", S_IFDIR | 0o755, *root)];
    let mut links = 0;
    while let Some(c) = pending.pop() {
        match c.as_slice() {
            b"" | b"." => continue,
            b".." => {
                if names.pop().is_some() {
                    dirs.pop();
                }
                continue;
            }
            _ => {}
        }
        let here = dirs.last().expect("the root is never popped");
        if !here.is_dir() {
            return Err(Error::NotADirectory(display_path(&names)));
        }
        let Some(e) = dir::get(store, &here.id, &c)? else {
            return Ok(None);
        };
        if e.is_symlink() {
            links += 1;
            if links > MAX_SYMLINKS {
                names.push(c);
                return Err(Error::SymlinkLoop(display_path(&names)));
            }
            let target = store.read(&e.id)?.data;
            if target.first() == Some(&b'/') {
                names.clear();
                dirs.truncate(1);
            }
            pending.extend(target.split(|&b| b == b'/').rev().map(<[u8]>::to_vec));
            continue;
        }
        names.push(c);
        dirs.push(e);
    }
    let e = dirs.pop().expect("the root is never popped");
    Ok(Some((names, e)))
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

/// Write `data` as the regular file at `comps` in the working root
/// (parents are made): with permission bits `perm`, else the old file's,
/// else 644; an old file's metadata is kept. The new working root.
pub fn write_file(
    ws: &Workspace,
    comps: &[Vec<u8>],
    data: &[u8],
    perm: Option<u32>,
    before_swap: impl FnOnce(),
) -> Result<ObjectId> {
    let Some(name) = comps.last() else {
        return Err(Error::IsADirectory("/".into()));
    };
    edit_working(
        ws,
        |batch, root| {
            let old = dir::lookup_path(batch, &root, comps)?;
            let perm = match (&old, perm) {
                (Some(e), _) if e.is_dir() => return Err(Error::IsADirectory(display_path(comps))),
                (_, Some(p)) => p,
                (Some(e), None) if e.is_file() => e.mode & 0o7777,
                _ => 0o644,
            };
            let id = crate::prolly::file::store_content(batch, data)?;
            let mut e = Entry::new(name, dir::S_IFREG | perm, id);
            if let Some(old) = old {
                e.meta = old.meta;
            }
            put(batch, &root, comps, Some(e))
        },
        before_swap,
    )
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

/// Where `src` (at `src_comps`) lands when copied or moved to `dst` in
/// `root`: inside `dst` if that is a directory (`cp`, `mv`).
pub fn copy_target(
    store: &dyn ObjectStore,
    root: &ObjectId,
    src: &Entry,
    src_comps: &[Vec<u8>],
    dst: Vec<Vec<u8>>,
) -> Result<Vec<Vec<u8>>> {
    let mut dst = dst;
    if let Some(d) = lookup(store, root, &dst)? {
        if d.is_dir() {
            dst.push(basename(src_comps)?);
            if let Some(existing) = lookup(store, root, &dst)? {
                if existing.is_dir() && !src.is_dir() {
                    return Err(Error::IsADirectory(display_path(&dst)));
                }
                if !existing.is_dir() && src.is_dir() {
                    return Err(Error::NotADirectoryPath(display_path(&dst)));
                }
            }
        } else if src.is_dir() {
            return Err(Error::NotADirectoryPath(display_path(&dst)));
        }
    }
    if dst.is_empty() {
        return Err(Error::ReplaceRoot);
    }
    Ok(dst)
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

    use crate::prolly::dir::S_IFLNK;
    use crate::store::mem::MemStore;

    /// A usr-merged root: /bin -> usr/bin, /lib64 -> /usr/lib64, /usr/bin/sh,
    /// /usr/bin/dash -> sh, /loop -> loop, /up -> ../../usr, /etc/passwd.
    fn usr_merged(store: &MemStore) -> ObjectId {
        use crate::object::ObjectType;
        let blob = |b: &[u8]| store.write(ObjectType::Blob, b).unwrap();
        let mut root = dir::empty(store).unwrap();
        let mut set = |path: &str, mode: u32, id: ObjectId| {
            let comps = resolve_path("/", path).unwrap();
            let name = comps.last().unwrap().clone();
            root = put(store, &root, &comps, Some(Entry::new(&name, mode, id))).unwrap();
        };
        set("/usr/bin/sh", 0o100755, blob(b"ELF"));
        set("/usr/lib64/ld.so", 0o100755, blob(b"LD"));
        set("/etc/passwd", 0o100644, blob(b"root:x:0:0::/root:/bin/sh"));
        set("/bin", S_IFLNK | 0o777, blob(b"usr/bin"));
        set("/lib64", S_IFLNK | 0o777, blob(b"/usr/lib64"));
        set("/usr/bin/dash", S_IFLNK | 0o777, blob(b"sh"));
        set("/loop", S_IFLNK | 0o777, blob(b"loop"));
        set("/up", S_IFLNK | 0o777, blob(b"../../usr"));
        root
    }

    fn found(store: &MemStore, root: &ObjectId, path: &str) -> Result<Option<String>> {
        let comps = resolve_path("/", path)?;
        Ok(follow(store, root, &comps)?.map(|(c, _)| display_path(&c)))
    }

    #[test]
    fn follow_resolves_symlinks_at_every_component() {
        let store = MemStore::new();
        let root = usr_merged(&store);
        let f = |p| found(&store, &root, p).unwrap();
        assert_eq!(f("/bin/sh").as_deref(), Some("/usr/bin/sh"));
        assert_eq!(f("/bin/dash").as_deref(), Some("/usr/bin/sh"));
        assert_eq!(f("/lib64/ld.so").as_deref(), Some("/usr/lib64/ld.so"));
        assert_eq!(f("/up/bin/sh").as_deref(), Some("/usr/bin/sh"));
        assert_eq!(f("/bin").as_deref(), Some("/usr/bin"));
        assert_eq!(f("/bin/nosuch"), None);
        assert!(matches!(
            found(&store, &root, "/etc/passwd/x"),
            Err(Error::NotADirectory(p)) if p == "/etc/passwd"
        ));
        assert!(matches!(
            found(&store, &root, "/loop/x"),
            Err(Error::SymlinkLoop(_))
        ));
    }
}
