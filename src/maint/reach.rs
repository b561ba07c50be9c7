//! Reachability: the roots of a workspace (every container's refs, reflogs,
//! working root and in-progress state) and everything they reach.

use std::collections::HashSet;
use std::path::Path;

use crate::error::{Error, IoContext, Result};
use crate::object::{CommitRef, ObjectType, TagRef};
use crate::oid::ObjectId;
use crate::prolly::{dir, file};
use crate::refs::RefStore;
use crate::store::ObjectStore;
use crate::workspace::Workspace;

/// A root and where it came from (for messages).
#[derive(Clone, Debug)]
pub struct Root {
    pub id: ObjectId,
    pub source: String,
}

/// Every root of the workspace: for each container its refs (HEAD included),
/// every old and new id of its reflogs, its `WORKING` tree, and every id that
/// starts a line of another top-level file of the container directory (state
/// of an operation in progress, such as a merge).
pub fn roots(ws: &Workspace) -> Result<Vec<Root>> {
    let mut out = Vec::new();
    for c in ws.containers()? {
        let cdir = ws.container_dir(&c);
        let refs = RefStore::new(&cdir);
        if let Some(id) = refs.resolve("HEAD")? {
            out.push(Root {
                id,
                source: format!("{c}:HEAD"),
            });
        }
        for (name, id) in refs.list("refs/")? {
            out.push(Root {
                id,
                source: format!("{c}:{name}"),
            });
        }
        let logs = cdir.join("logs");
        for name in log_names(&logs, &logs)? {
            for e in refs.reflog(&name)? {
                for id in [e.old, e.new] {
                    if !id.is_zero() {
                        out.push(Root {
                            id,
                            source: format!("{c}:reflog {name}"),
                        });
                    }
                }
            }
        }
        for ent in std::fs::read_dir(&cdir).at(&cdir)? {
            let ent = ent.at(&cdir)?;
            let p = ent.path();
            let name = ent.file_name().to_string_lossy().to_string();
            if name == "HEAD" || name.ends_with(".lock") || !ent.file_type().at(&p)?.is_file() {
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
                    });
                }
            }
        }
    }
    Ok(out)
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
pub fn files_below(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
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
    pub id: ObjectId,
    pub kind: &'static str,
    pub from: String,
}

/// What a reachability walk found.
#[derive(Debug, Default)]
pub struct Reach {
    /// Every object reached (present ones; missing ones are in `missing`).
    pub seen: HashSet<ObjectId>,
    pub missing: Vec<Missing>,
    /// Root nodes of directories (a commit's tree, a directory entry's id).
    pub dir_roots: HashSet<ObjectId>,
    /// Roots of chunk lists (a regular file's content when it is a `file`).
    pub file_roots: HashSet<ObjectId>,
    /// Commits reached.
    pub commits: Vec<ObjectId>,
}

/// Everything reachable from `roots`, with the objects found missing on the
/// way (the walk goes on past them).
pub fn reachable(store: &dyn ObjectStore, roots: &[Root]) -> Result<Reach> {
    let mut r = Reach::default();
    // (id, what the referrer says it is, who refers to it)
    let mut stack: Vec<(ObjectId, Option<ObjectType>, String)> = roots
        .iter()
        .map(|root| (root.id, None, root.source.clone()))
        .collect();
    while let Some((id, hint, from)) = stack.pop() {
        if id.is_zero() || !r.seen.insert(id) {
            continue;
        }
        let kind = match store.read_header(&id) {
            Ok((k, _)) => k,
            Err(Error::NotFound(_)) => {
                r.seen.remove(&id);
                r.missing.push(Missing {
                    id,
                    kind: hint.map_or("object", |k| k.name()),
                    from,
                });
                continue;
            }
            Err(e) => return Err(e),
        };
        let here = format!("{} {id}", kind.name());
        match kind {
            ObjectType::Blob => {}
            ObjectType::Commit => {
                let o = store.read(&id)?;
                let c = CommitRef::parse(&o.data)?;
                r.commits.push(id);
                r.dir_roots.insert(c.tree);
                stack.push((c.tree, Some(ObjectType::Tree), here.clone()));
                // A pulled image's config blob is named by a trailer (oci.md).
                if let Some(rec) = crate::oci::record::PullRecord::parse(c.message) {
                    stack.push((rec.config, Some(ObjectType::Blob), here.clone()));
                }
                for p in &c.parents {
                    stack.push((*p, Some(ObjectType::Commit), here.clone()));
                }
            }
            ObjectType::Tag => {
                let o = store.read(&id)?;
                let t = TagRef::parse(&o.data)?;
                stack.push((t.object, None, here));
            }
            ObjectType::Tree => {
                if hint.is_none() {
                    r.dir_roots.insert(id);
                }
                let n = dir::load(store, &id)?;
                if n.level > 0 {
                    for (_, _, child) in dir::children(&n) {
                        stack.push((child, Some(ObjectType::Tree), here.clone()));
                    }
                } else {
                    for e in dir::leaf_entries(&n)? {
                        if e.is_dir() {
                            r.dir_roots.insert(e.id);
                            stack.push((e.id, Some(ObjectType::Tree), here.clone()));
                        } else if e.is_file() || e.is_symlink() {
                            stack.push((e.id, None, here.clone()));
                        }
                    }
                }
            }
            ObjectType::File => {
                if hint.is_none() {
                    r.file_roots.insert(id);
                }
                let n = file::load_node(store, &id)?;
                let child_kind = if n.level > 0 {
                    ObjectType::File
                } else {
                    ObjectType::Blob
                };
                for (_, _, child) in file::node_children(&n) {
                    stack.push((child, Some(child_kind), here.clone()));
                }
            }
        }
    }
    Ok(r)
}
