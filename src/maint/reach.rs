//! Reachability: the roots of a workspace (every container's refs, reflogs,
//! working root and in-progress state) and everything they reach.
#![warn(missing_docs)]

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::error::{Error, IoContext, Result};
use crate::links::{children, Requires};
use crate::object::{CommitRef, Object, ObjectType, TagRef};
use crate::oid::ObjectId;
use crate::refs::RefStore;
use crate::store::ObjectStore;
use crate::workspace::Workspace;

/// A root and where it came from (for messages).
#[derive(Clone, Debug)]
pub struct Root {
    /// The object it names.
    pub id: ObjectId,
    /// Where it came from (a ref, a reflog, `WORKING`…).
    pub source: String,
    /// What the root must name (a branch: a commit).
    pub want: Requires,
}

/// An object whose type is not the one its referrer requires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mistyped {
    /// The object.
    pub id: ObjectId,
    /// The type it has.
    pub kind: ObjectType,
    /// The type its referrer requires.
    pub want: Requires,
    /// The referrer.
    pub from: String,
}

/// Every root of the workspace: for each container its refs (HEAD included),
/// every old and new id of its reflogs, its `WORKING` tree, and every id that
/// starts a line of another top-level file of the container directory (state
/// of an operation in progress, such as a merge).
pub fn roots(ws: &Workspace) -> Result<Vec<Root>> {
    let (roots, bad) = roots_checked(ws)?;
    match bad.into_iter().next() {
        // Objects a broken ref may name must not be judged unreachable.
        Some((_, why)) => Err(super::error::MaintError::BrokenRoot(why).into()),
        None => Ok(roots),
    }
}

/// A root that cannot be read: where (`C:REF`, `C:WORKING`) and why.
pub type BadRoot = (String, String);

/// `roots`, going on past refs and `WORKING` files that cannot be read:
/// those come back for fsck to report.
pub(crate) fn roots_checked(ws: &Workspace) -> Result<(Vec<Root>, Vec<BadRoot>)> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for c in ws.containers()? {
        let cdir = ws.container_dir(&c);
        let refs = RefStore::new(&cdir);
        match refs.resolve("HEAD") {
            Ok(Some(id)) => out.push(Root {
                id,
                source: format!("{c}:HEAD"),
                want: Requires::of_ref("HEAD"),
            }),
            Ok(None) => {}
            Err(e) => bad.push((format!("{c}:HEAD"), e.to_string())),
        }
        let refs_dir = cdir.join("refs");
        for name in log_names(&cdir, &refs_dir)? {
            match refs.resolve(&name) {
                Ok(Some(id)) => out.push(Root {
                    id,
                    source: format!("{c}:{name}"),
                    want: Requires::of_ref(&name),
                }),
                Ok(None) => {}
                Err(e) => bad.push((format!("{c}:{name}"), e.to_string())),
            }
        }
        let working = cdir.join("WORKING");
        if let Ok(text) = std::fs::read_to_string(&working) {
            let id = text
                .strip_suffix('\n')
                .and_then(|h| ObjectId::from_hex(h).ok());
            match id {
                Some(id) => out.push(Root {
                    id,
                    source: format!("{c}:WORKING"),
                    want: Requires::Kind(ObjectType::Tree),
                }),
                None => bad.push((
                    format!("{c}:WORKING"),
                    format!("{}: not a tree id and LF", working.display()),
                )),
            }
        }
        let logs = cdir.join("logs");
        for name in log_names(&logs, &logs)? {
            for e in refs.reflog(&name)? {
                for id in [e.old, e.new] {
                    if !id.is_zero() {
                        out.push(Root {
                            id,
                            source: format!("{c}:reflog {name}"),
                            want: Requires::Any,
                        });
                    }
                }
            }
        }
        for ent in std::fs::read_dir(&cdir).at(&cdir)? {
            let ent = ent.at(&cdir)?;
            let p = ent.path();
            let name = ent.file_name().to_string_lossy().to_string();
            if name == "HEAD"
                || name == "WORKING"
                || name.ends_with(".lock")
                || !ent.file_type().at(&p)?.is_file()
            {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            for line in text.lines() {
                if let Some(id) = line.get(..64).and_then(|h| ObjectId::from_hex(h).ok()) {
                    out.push(Root {
                        id,
                        source: format!("{c}:{name}"),
                        want: Requires::Any,
                    });
                }
            }
        }
    }
    Ok((out, bad))
}

fn log_names(base: &Path, dir: &Path) -> Result<Vec<String>> {
    Ok(files_below(dir)?
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(base).ok()?.to_string_lossy().to_string();
            crate::refs::check_ref_name(&rel).is_ok().then_some(rel)
        })
        .collect())
}

/// Every file below `dir` (none if it does not exist).
pub(crate) fn files_below(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e).at(dir),
    };
    for ent in rd {
        let ent = ent.at(dir)?;
        let p = ent.path();
        if ent.file_type().at(&p)?.is_dir() {
            out.extend(files_below(&p)?);
        } else {
            out.push(p);
        }
    }
    Ok(out)
}

/// A reference to an object that is not there (or cannot be read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing {
    /// The object.
    pub id: ObjectId,
    /// The type it was referred to as.
    pub kind: &'static str,
    /// The referrer.
    pub from: String,
}

/// What a reachability walk found.
#[derive(Debug, Default)]
pub struct Reach {
    /// Every object reached (present ones; missing ones are in `missing`).
    pub seen: HashSet<ObjectId>,
    /// Referenced objects that are missing.
    pub missing: Vec<Missing>,
    /// Root nodes of directories (a commit's tree, a directory entry's id).
    pub dir_roots: HashSet<ObjectId>,
    /// Roots of chunk lists (a regular file's content when it is a `file`).
    pub file_roots: HashSet<ObjectId>,
    /// Commits reached.
    pub commits: Vec<ObjectId>,
    /// Objects whose type is not the one their referrer requires (the walk
    /// does not go below them).
    pub mistyped: Vec<Mistyped>,
    /// Objects that are stored but cannot be read or parsed, and why (the
    /// walk goes on past them).
    pub unreadable: Vec<(ObjectId, String)>,
}

/// Everything reachable from `roots`, with the objects found missing on the
/// way (the walk goes on past them).
pub fn reachable(store: &dyn ObjectStore, roots: &[Root]) -> Result<Reach> {
    walk(store, roots, None)
}

/// `reachable`, keeping what the walk read: every reached object's type and
/// size, and the objects it read whole (all but blobs). A second pass over
/// the same objects (repack's delta selection and its writer) then reads
/// them from memory through `Kept`'s `ObjectStore`, not from the store again.
pub(crate) fn reachable_kept<'s>(
    store: &'s dyn ObjectStore,
    roots: &[Root],
) -> Result<(Reach, Kept<'s>)> {
    let mut kept = Kept {
        store,
        headers: HashMap::new(),
        objects: HashMap::new(),
    };
    let reach = walk(store, roots, Some(&mut kept))?;
    Ok((reach, kept))
}

/// What `reachable_kept` read, in front of the store it read it from.
pub struct Kept<'s> {
    store: &'s dyn ObjectStore,
    headers: HashMap<ObjectId, (ObjectType, u64)>,
    objects: HashMap<ObjectId, Object>,
}

impl ObjectStore for Kept<'_> {
    fn contains(&self, id: &ObjectId) -> Result<bool> {
        Ok(self.headers.contains_key(id) || self.store.contains(id)?)
    }
    fn read(&self, id: &ObjectId) -> Result<Object> {
        match self.objects.get(id) {
            Some(o) => Ok(o.clone()),
            None => self.store.read(id),
        }
    }
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
        match self.headers.get(id) {
            Some(h) => Ok(*h),
            None => self.store.read_header(id),
        }
    }
    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId> {
        self.store.write(kind, data)
    }
    fn is_shallow(&self, id: &ObjectId) -> Result<bool> {
        self.store.is_shallow(id)
    }
}

fn walk(store: &dyn ObjectStore, roots: &[Root], mut kept: Option<&mut Kept>) -> Result<Reach> {
    let mut r = Reach::default();
    // (id, what the referrer says it is, who refers to it)
    let mut stack: Vec<(ObjectId, Requires, String)> = roots
        .iter()
        .map(|root| (root.id, root.want, root.source.clone()))
        .collect();
    while let Some((id, want, from)) = stack.pop() {
        if id.is_zero() || !r.seen.insert(id) {
            continue;
        }
        let kind = match store.read_header(&id) {
            Ok((k, size)) => {
                if let Some(kept) = kept.as_deref_mut() {
                    kept.headers.insert(id, (k, size));
                }
                k
            }
            Err(Error::NotFound(_)) => {
                r.seen.remove(&id);
                r.missing.push(Missing {
                    id,
                    kind: match want {
                        Requires::Kind(k) => k.name(),
                        _ => "object",
                    },
                    from,
                });
                continue;
            }
            Err(e) => {
                r.unreadable.push((id, e.to_string()));
                continue;
            }
        };
        if !want.admits(kind) {
            r.mistyped.push(Mistyped {
                id,
                kind,
                want,
                from,
            });
            continue;
        }
        match kind {
            ObjectType::Blob => continue,
            ObjectType::Commit => r.commits.push(id),
            ObjectType::Tree if !matches!(want, Requires::Kind(_)) => {
                r.dir_roots.insert(id);
            }
            ObjectType::File if !matches!(want, Requires::Kind(_)) => {
                r.file_roots.insert(id);
            }
            _ => {}
        }
        let here = format!("{} {id}", kind.name());
        let o = match store.read(&id) {
            Ok(o) => o,
            Err(e) => {
                r.unreadable.push((id, e.to_string()));
                continue;
            }
        };
        let shallow = kind == ObjectType::Commit && store.is_shallow(&id)?;
        if let Some(kept) = kept.as_deref_mut() {
            kept.objects.insert(id, o.clone());
        }
        let mut dirs = Vec::new();
        let parsed = children(&id, o, shallow, &mut |child, want, dir_root| {
            if dir_root {
                dirs.push(child);
            }
            stack.push((child, want, here.clone()));
        });
        r.dir_roots.extend(dirs);
        if let Err(e) = parsed {
            r.unreadable.push((id, e.to_string()));
        }
    }
    Ok(r)
}

/// The trees roots name whole: every reachable commit's tree, and trees a
/// root or tag names directly (`WORKING`). Walks commits and tags only,
/// never into trees: what the checkout cache keeps (runtime.md, "Upkeep").
/// An object that cannot be read is skipped (its trees are simply not kept).
pub fn root_trees(ws: &Workspace) -> Result<HashSet<ObjectId>> {
    let mut trees = HashSet::new();
    let mut seen = HashSet::new();
    let shallow = ws.odb.shallow()?;
    let mut stack: Vec<ObjectId> = roots_checked(ws)?.0.iter().map(|r| r.id).collect();
    while let Some(id) = stack.pop() {
        if id.is_zero() || !seen.insert(id) {
            continue;
        }
        let Ok((kind, _)) = ws.odb.read_header(&id) else {
            continue;
        };
        match kind {
            ObjectType::Tree => {
                trees.insert(id);
            }
            ObjectType::Commit | ObjectType::Tag => {
                let Ok(o) = ws.odb.read(&id) else { continue };
                if kind == ObjectType::Commit {
                    if let Ok(c) = CommitRef::parse(&o.data) {
                        trees.insert(c.tree);
                        if !shallow.contains(&id) {
                            stack.extend(c.parents.iter().copied());
                        }
                    }
                } else if let Ok(t) = TagRef::parse(&o.data) {
                    stack.push(t.object);
                }
            }
            _ => {}
        }
    }
    Ok(trees)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Signature;
    use crate::object::Commit;
    use crate::prolly::dir::{self, Entry};
    use crate::store::MemStore;

    /// What `reachable_kept` keeps reads back as the store's own reads, and
    /// it reaches what `reachable` reaches.
    #[test]
    fn kept_reads_as_the_store() {
        let store = MemStore::new();
        let mut entries = Vec::new();
        for i in 0..300 {
            let blob = store
                .write(ObjectType::Blob, format!("file {i}\n").as_bytes())
                .unwrap();
            entries.push(Entry::new(format!("f{i:04}").as_bytes(), 0o100644, blob));
        }
        let tree = dir::build(&store, entries).unwrap();
        let sig = Signature::parse("A U Thor <a@example.com> 1700000000 +0000").unwrap();
        let commit = Commit {
            tree,
            parents: vec![],
            author: sig.clone(),
            committer: sig,
            message: b"one\n".to_vec(),
        };
        let c = store.write(ObjectType::Commit, &commit.encode()).unwrap();
        let roots = [Root {
            id: c,
            source: "test".into(),
            want: Requires::Kind(ObjectType::Commit),
        }];
        let plain = reachable(&store, &roots).unwrap();
        let (reach, kept) = reachable_kept(&store, &roots).unwrap();
        assert_eq!(reach.seen, plain.seen);
        assert_eq!(reach.commits, vec![c]);
        assert!(reach.seen.len() > 302, "a tree of several nodes");
        assert_eq!(kept.headers.len(), reach.seen.len());
        for id in &reach.seen {
            assert_eq!(
                kept.read_header(id).unwrap(),
                store.read_header(id).unwrap()
            );
            assert_eq!(kept.read(id).unwrap(), store.read(id).unwrap());
        }
        let blobs = reach.seen.len() - kept.objects.len();
        assert_eq!(blobs, 300, "blobs are not kept whole");
    }
}
