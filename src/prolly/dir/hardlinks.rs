//! Hardlink groups of a whole tree (format-spec/prolly-tree.md, Hardlinks):
//! which records break the rule, and the repair that makes an edited tree
//! satisfy it again (a changed, moved or removed member leaves its group).
#![warn(missing_docs)]

use std::collections::HashMap;

use super::cursor::list;
use super::entry::{Entry, Meta, ROOT_RECORD};
use super::paths::update_path;
use super::PathChange;
use crate::error::Result;
use crate::oid::ObjectId;
use crate::store::ObjectStore;

/// A path in a tree, one component each.
type TreePath = Vec<Vec<u8>>;

/// Where a hardlink record points: the tree path it names, resolved
/// lexically from the directory of the entry at `comps`; None if it climbs
/// above the root.
pub(crate) fn link_target(comps: &[Vec<u8>], link: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = comps[..comps.len() - 1].to_vec();
    for c in link.split(|&b| b == b'/') {
        if c == b".." {
            out.pop()?;
        } else {
            out.push(c.to_vec());
        }
    }
    Some(out)
}

/// `to` (a full tree path) relative to the directory `from`: leading `..`
/// components, then the rest of `to`.
pub fn relative_path(from: &[Vec<u8>], to: &[Vec<u8>]) -> Vec<u8> {
    let to_dir = &to[..to.len() - 1];
    let common = from.iter().zip(to_dir).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&[u8]> = vec![b".."; from.len() - common];
    parts.extend(to[common..].iter().map(|c| c.as_slice()));
    parts.join(&b'/')
}

/// Equal mode, id and metadata apart from the hardlink record.
pub(crate) fn same_but_link(a: &Entry, b: &Entry) -> bool {
    a.mode == b.mode
        && a.id == b.id
        && Meta {
            link: None,
            ..a.meta.clone()
        } == Meta {
            link: None,
            ..b.meta.clone()
        }
}

/// Every non-directory entry below `root`, with its path, in tree order.
fn members(store: &dyn ObjectStore, root: &ObjectId) -> Result<Vec<(Vec<Vec<u8>>, Entry)>> {
    let mut out = Vec::new();
    let mut stack: Vec<(Vec<Vec<u8>>, std::vec::IntoIter<Entry>)> =
        vec![(Vec::new(), list(store, root)?.into_iter())];
    while let Some((dir, it)) = stack.last_mut() {
        let Some(e) = it.next() else {
            stack.pop();
            continue;
        };
        if e.name == ROOT_RECORD {
            continue;
        }
        let mut path = dir.clone();
        path.push(e.name.clone());
        if e.is_dir() {
            let children = list(store, &e.id)?.into_iter();
            stack.push((path, children));
        } else {
            out.push((path, e));
        }
    }
    Ok(out)
}

/// Why the record of member `i` breaks the rule, if it does.
fn fault(
    all: &[(Vec<Vec<u8>>, Entry)],
    at: &HashMap<&[Vec<u8>], usize>,
    i: usize,
) -> Option<(Option<Vec<Vec<u8>>>, String)> {
    let (path, e) = &all[i];
    let link = e.meta.link.as_deref()?;
    let Some(target) = link_target(path, link) else {
        return Some((None, "names a path above the root".into()));
    };
    let why = match at.get(target.as_slice()) {
        None => "names no file of the tree",
        Some(&j) if j >= i => "names an entry that does not precede it",
        Some(&j) if all[j].1.meta.link.is_some() => "names an entry that is itself a member",
        Some(&j) if !same_but_link(&all[j].1, e) => "differs from its first member",
        Some(_) => return None,
    };
    Some((Some(target), why.into()))
}

/// Each member whose hardlink record breaks the rule, with why.
pub fn check(store: &dyn ObjectStore, root: &ObjectId) -> Result<Vec<(String, String)>> {
    let all = members(store, root)?;
    let at: HashMap<&[Vec<u8>], usize> = all
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (p.as_slice(), i))
        .collect();
    Ok((0..all.len())
        .filter_map(|i| {
            let (_, why) = fault(&all, &at, i)?;
            let link = String::from_utf8_lossy(all[i].1.meta.link.as_deref().unwrap_or_default());
            Some((show(&all[i].0), format!("hardlink record '{link}' {why}")))
        })
        .collect())
}

fn show(path: &[Vec<u8>]) -> String {
    path.iter()
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Make every hardlink group of `root` satisfy the rule again. Members whose
/// record broke it leave their group; those of them that named the same
/// first member and are still equal to one another form a new group, whose
/// first member (in tree order) loses its record and the others point to it.
pub fn repair(store: &dyn ObjectStore, root: &ObjectId) -> Result<ObjectId> {
    let all = members(store, root)?;
    repair_members(store, root, &all)
}

fn repair_members(
    store: &dyn ObjectStore,
    root: &ObjectId,
    all: &[(TreePath, Entry)],
) -> Result<ObjectId> {
    let at: HashMap<&[Vec<u8>], usize> = all
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (p.as_slice(), i))
        .collect();
    // Broken members by the first member they named, in tree order.
    let mut orphans: Vec<(Option<TreePath>, Vec<usize>)> = Vec::new();
    for i in 0..all.len() {
        if let Some((target, _)) = fault(all, &at, i) {
            match orphans
                .iter_mut()
                .find(|(t, _)| target.is_some() && *t == target)
            {
                Some((_, v)) => v.push(i),
                None => orphans.push((target, vec![i])),
            }
        }
    }
    let mut root = *root;
    for (_, group) in orphans {
        let mut firsts: Vec<usize> = Vec::new();
        for i in group {
            let (path, e) = &all[i];
            let mut fixed = e.clone();
            fixed.meta.link = match firsts.iter().find(|&&f| same_but_link(&all[f].1, e)) {
                Some(&f) => Some(relative_path(&path[..path.len() - 1], &all[f].0)),
                None => {
                    firsts.push(i);
                    None
                }
            };
            root = update_path(store, &root, path, Some(fixed), super::S_IFDIR | 0o755)?;
        }
    }
    Ok(root)
}

/// Trees known to hold no hardlink record anywhere below them: a cache
/// (`.hako/cache/linkfree`, one id per line, newest last), so that a chain of
/// edits of a tree without hardlinks never walks it. Losing it costs a walk.
pub struct LinkFree {
    path: Option<std::path::PathBuf>,
}

/// How many ids the cache keeps.
const LINKFREE_KEEP: usize = 64;

impl LinkFree {
    /// The cache in `file` (None: no cache).
    pub fn at(file: Option<std::path::PathBuf>) -> LinkFree {
        LinkFree { path: file }
    }

    fn ids(&self) -> Vec<ObjectId> {
        let Some(p) = &self.path else {
            return Vec::new();
        };
        std::fs::read_to_string(p)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| ObjectId::from_hex(l).ok())
            .collect()
    }

    fn contains(&self, id: &ObjectId) -> bool {
        self.ids().contains(id)
    }

    /// Record `id` (best effort: a cache that cannot be written is no cache).
    fn remember(&self, id: &ObjectId) {
        let Some(p) = &self.path else {
            return;
        };
        let mut ids = self.ids();
        ids.retain(|i| i != id);
        ids.push(*id);
        let from = ids.len().saturating_sub(LINKFREE_KEEP);
        let text: String = ids[from..].iter().map(|i| format!("{i}\n")).collect();
        // Not fsynced: every whole line of a torn file is still true; a lost one costs a walk.
        if p.parent().map_or(Ok(()), std::fs::create_dir_all).is_ok() {
            let _ = crate::fsutil::write_replace_unsynced(p, text.as_bytes());
        }
    }
}

/// `repair` after an edit from `old` to `new`, skipping the whole-tree walk
/// when no change can have broken a group: nothing that could be a first
/// member changed or went and no entry with a record appeared, or `old` is
/// known to hold no record and none appeared.
pub(crate) fn repair_edit(
    store: &dyn ObjectStore,
    old: &ObjectId,
    new: &ObjectId,
    known: &LinkFree,
) -> Result<ObjectId> {
    if old == new {
        return Ok(*new);
    }
    let mut changes: Vec<PathChange> = Vec::new();
    super::diff_recursive(store, old, new, true, b"", &mut changes)?;
    let adds_records = changes
        .iter()
        .any(|c| c.new.as_ref().is_some_and(|e| e.meta.link.is_some()));
    let changes_members = changes
        .iter()
        .any(|c| c.old.as_ref().is_some_and(|e| !e.is_dir()));
    if !adds_records && (!changes_members || known.contains(old)) {
        if known.contains(old) {
            known.remember(new);
        }
        return Ok(*new);
    }
    let all = members(store, new)?;
    if all.iter().all(|(_, e)| e.meta.link.is_none()) {
        known.remember(new);
        return Ok(*new);
    }
    repair_members(store, new, &all)
}

/// `repair` after a three-way merge of `ours` with another tree into
/// `merged`. When both sides satisfy the rule, only a change that touches an
/// entry with a record (on either side of the change) can break a group: a
/// side that changed a first member also changed its members. So the whole
/// tree is walked only then, and a merge costs what its changes cost.
pub(crate) fn repair_merge(
    store: &dyn ObjectStore,
    ours: &ObjectId,
    merged: &ObjectId,
) -> Result<ObjectId> {
    if ours == merged {
        return Ok(*merged);
    }
    let mut changes: Vec<PathChange> = Vec::new();
    super::diff_recursive(store, ours, merged, true, b"", &mut changes)?;
    let has_record = |e: &Option<Entry>| e.as_ref().is_some_and(|e| e.meta.link.is_some());
    if changes
        .iter()
        .any(|c| has_record(&c.old) || has_record(&c.new))
    {
        repair(store, merged)
    } else {
        Ok(*merged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::ObjectType;
    use crate::prolly::dir::{lookup_path, S_IFREG};
    use crate::store::MemStore;

    fn put(
        store: &MemStore,
        root: ObjectId,
        path: &str,
        body: &str,
        link: Option<&str>,
    ) -> ObjectId {
        let comps: Vec<Vec<u8>> = path.split('/').map(|c| c.as_bytes().to_vec()).collect();
        let id = store.write(ObjectType::Blob, body.as_bytes()).unwrap();
        let mut e = Entry::new(comps.last().unwrap(), S_IFREG | 0o644, id);
        e.meta.link = link.map(|l| l.as_bytes().to_vec());
        update_path(store, &root, &comps, Some(e), 0o040755).unwrap()
    }

    fn link(store: &MemStore, root: &ObjectId, path: &str) -> Option<String> {
        let comps: Vec<Vec<u8>> = path.split('/').map(|c| c.as_bytes().to_vec()).collect();
        let e = lookup_path(store, root, &comps).unwrap().unwrap();
        e.meta.link.map(|l| String::from_utf8(l).unwrap())
    }

    #[test]
    fn a_written_first_member_leaves_and_the_rest_regroup() {
        let s = MemStore::new();
        let empty = crate::prolly::dir::empty(&s).unwrap();
        let mut r = put(&s, empty, "a/f2", "x", None);
        r = put(&s, r, "a/hard", "x", Some("f2"));
        r = put(&s, r, "b/more", "x", Some("../a/f2"));
        assert!(check(&s, &r).unwrap().is_empty());
        let edited = put(&s, r, "a/f2", "changed", None);
        let found = check(&s, &edited).unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "a/hard");
        assert!(found[0].1.contains("differs from its first member"));
        let fixed = repair_edit(&s, &r, &edited, &LinkFree::at(None)).unwrap();
        assert!(check(&s, &fixed).unwrap().is_empty());
        assert_eq!(link(&s, &fixed, "a/f2"), None);
        assert_eq!(link(&s, &fixed, "a/hard"), None);
        assert_eq!(link(&s, &fixed, "b/more").as_deref(), Some("../a/hard"));
        // A written member that is not first just leaves.
        let edited = put(&s, fixed, "b/more", "other", Some("../a/hard"));
        let fixed = repair_edit(&s, &fixed, &edited, &LinkFree::at(None)).unwrap();
        assert_eq!(link(&s, &fixed, "b/more"), None);
    }
}
