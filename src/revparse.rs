//! Revision expressions: full ids, unique prefixes, ref names, `REV^`, `REV^N`,
//! `REV~N`, `REV^{type}`, `REV:PATH`; and the `A..B` / `^A` arguments of
//! history commands.
#![warn(missing_docs)]

use crate::error::{Error, Result};
use crate::object::{CommitRef, Object, ObjectType, TagRef};
use crate::oid::{is_hex_prefix, ObjectId, HEX_LEN};
use crate::refs::{check_ref_name, RefStore};
use crate::store::{LocalStore, ObjectStore};

/// What revisions resolve against: an object store and one container's refs
/// (`Workspace::repo`; receive-pack pairs a quarantine store with the refs).
#[derive(Clone, Copy)]
pub struct Repo<'a> {
    /// The object store.
    pub odb: &'a dyn LocalStore,
    /// The container's refs.
    pub refs: &'a RefStore,
    /// The `.hako` directory, where `CONTAINER:REV` finds another
    /// container's refs (`None`: only the selected container's are known).
    pub hako_dir: Option<&'a std::path::Path>,
}

/// HEAD's tree, or the empty tree before the first commit.
pub(crate) fn head_tree_in(store: &dyn ObjectStore, refs: &RefStore) -> Result<ObjectId> {
    match refs.resolve("HEAD")? {
        Some(c) => tree_of_commit(store, &c),
        None => Ok(crate::object::empty_tree_id()),
    }
}

/// The working root of the container whose refs are `refs` (`WORKING`):
/// the `WORKING` pointer if set, else HEAD's tree.
pub fn working_root_in(store: &dyn ObjectStore, refs: &RefStore) -> Result<ObjectId> {
    match refs.read_working()? {
        Some(id) => Ok(id),
        None => head_tree_in(store, refs),
    }
}

/// The refs of container `name` when `repo` knows the containers and one of
/// that name exists.
pub(crate) fn other_container_refs(repo: Repo, name: &str) -> Option<RefStore> {
    let dir = repo.hako_dir?;
    crate::refs::check_container_name(name).ok()?;
    let d = dir.join("containers").join(name);
    d.join("HEAD").is_file().then(|| RefStore::new(&d))
}

/// Resolve a full id or a unique prefix of at least 4 hex digits.
pub(crate) fn resolve_prefix(store: &dyn LocalStore, s: &str) -> Result<ObjectId> {
    if !is_hex_prefix(s) {
        return Err(Error::BadObjectName(s.to_string()));
    }
    let lower = s.to_ascii_lowercase();
    if lower.len() == HEX_LEN {
        let id = ObjectId::from_hex(&lower)?;
        return match store.contains(&id)? {
            true => Ok(id),
            false => Err(Error::NotFound(id)),
        };
    }
    match store.ids_with_prefix(&lower, 2)?.as_slice() {
        [] => Err(Error::BadObjectName(s.to_string())),
        [id] => Ok(*id),
        _ => Err(Error::Ambiguous(s.to_string())),
    }
}

/// Read an object that must be a commit.
pub(crate) fn read_commit(store: &dyn ObjectStore, id: &ObjectId) -> Result<Object> {
    let o = store.read(id)?;
    if o.kind != ObjectType::Commit {
        return Err(Error::WrongType {
            id: *id,
            expected: "commit",
            actual: o.kind.name(),
        });
    }
    Ok(o)
}

/// The tree of a commit (which must be one).
pub(crate) fn tree_of_commit(store: &dyn ObjectStore, commit: &ObjectId) -> Result<ObjectId> {
    Ok(CommitRef::parse(&read_commit(store, commit)?.data)?.tree)
}

/// One revision argument of a history command: `A..B` means `^A B` (an
/// empty side is HEAD), `^A` excludes A.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevArg<'a> {
    /// A revision whose history is included.
    Include(&'a str),
    /// `^A`: a revision whose history is left out.
    Exclude(&'a str),
    /// `A..B`: B's history without A's.
    Range {
        /// A (HEAD if empty).
        from: &'a str,
        /// B (HEAD if empty).
        to: &'a str,
    },
}

impl<'a> RevArg<'a> {
    /// Parse one argument.
    pub fn parse(arg: &'a str) -> RevArg<'a> {
        let or_head = |s: &'a str| if s.is_empty() { "HEAD" } else { s };
        if let Some((a, b)) = arg.split_once("..") {
            RevArg::Range {
                from: or_head(a),
                to: or_head(b),
            }
        } else if let Some(x) = arg.strip_prefix('^') {
            RevArg::Exclude(x)
        } else {
            RevArg::Include(arg)
        }
    }
}

/// Split revision arguments into included and excluded commits.
pub fn commit_ranges(repo: Repo, args: &[String]) -> Result<(Vec<ObjectId>, Vec<ObjectId>)> {
    let mut inc = Vec::new();
    let mut exc = Vec::new();
    let commit = |r: &str| peel_to_commit(repo.odb, rev_parse(repo, r)?);
    for a in args {
        match RevArg::parse(a) {
            RevArg::Range { from, to } => {
                exc.push(commit(from)?);
                inc.push(commit(to)?);
            }
            RevArg::Exclude(x) => exc.push(commit(x)?),
            RevArg::Include(x) => inc.push(commit(x)?),
        }
    }
    Ok((inc, exc))
}

/// The candidates a short ref name expands to, in priority order.
fn ref_candidates(name: &str) -> Vec<String> {
    if name == "HEAD" || name.starts_with("refs/") {
        return vec![name.to_string()];
    }
    vec![
        format!("refs/{name}"),
        format!("refs/tags/{name}"),
        format!("refs/heads/{name}"),
        format!("refs/remotes/{name}"),
    ]
}

/// Expand a short name to the full name of an existing ref.
pub fn dwim_ref(refs: &RefStore, name: &str) -> Result<Option<(String, ObjectId)>> {
    let name = if name == "@" { "HEAD" } else { name };
    for cand in ref_candidates(name) {
        if check_ref_name(&cand).is_err() {
            continue;
        }
        if let Some(id) = refs.resolve(&cand)? {
            return Ok(Some((cand, id)));
        }
    }
    Ok(None)
}

/// Resolve a base name (no suffix operators): a ref, else an id or prefix.
fn resolve_base(repo: Repo, name: &str) -> Result<ObjectId> {
    if name.is_empty() {
        return Err(Error::BadObjectName(name.to_string()));
    }
    // REF@{N}: where REF was N moves ago, from its reflog.
    if let Some((r, n)) = name.strip_suffix('}').and_then(|x| x.rsplit_once("@{")) {
        let n: usize = n
            .parse()
            .map_err(|_| Error::BadObjectName(name.to_string()))?;
        let full = if r.is_empty() || r == "HEAD" {
            "HEAD".to_string()
        } else {
            dwim_ref(repo.refs, r)?
                .ok_or_else(|| Error::BadObjectName(name.to_string()))?
                .0
        };
        let log = repo.refs.reflog(&full)?;
        return log
            .get(n)
            .map(|e| e.new)
            .ok_or_else(|| Error::ReflogTooShort {
                name: name.to_string(),
                full: full.to_string(),
                len: log.len(),
            });
    }
    // The uncommitted working root of the selected container (a tree).
    if name == "WORKING" {
        return working_root_in(repo.odb, repo.refs);
    }
    // A full id wins over a ref of the same spelling, as in git.
    if name.len() == 64 && is_hex_prefix(name) {
        return resolve_prefix(repo.odb, name);
    }
    if let Some((_, id)) = dwim_ref(repo.refs, name)? {
        return Ok(id);
    }
    if is_hex_prefix(name) {
        return resolve_prefix(repo.odb, name);
    }
    Err(Error::BadObjectName(name.to_string()))
}

/// Follow tags until a non-tag object.
pub(crate) fn peel(store: &dyn ObjectStore, mut id: ObjectId) -> Result<ObjectId> {
    for _ in 0..64 {
        let o = store.read(&id)?;
        if o.kind != ObjectType::Tag {
            return Ok(id);
        }
        id = TagRef::parse(&o.data)?.object;
    }
    Err(Error::TagChainTooDeep(id))
}

/// Peel to a commit, or fail naming what the object is.
pub fn peel_to_commit(store: &dyn ObjectStore, id: ObjectId) -> Result<ObjectId> {
    let p = peel(store, id)?;
    let (kind, _) = store.read_header(&p)?;
    if kind != ObjectType::Commit {
        return Err(Error::WrongType {
            id: p,
            expected: "commit",
            actual: kind.name(),
        });
    }
    Ok(p)
}

fn parents(store: &dyn ObjectStore, id: ObjectId) -> Result<Vec<ObjectId>> {
    let o = read_commit(store, &id)?;
    visible_parents(store, &id, &CommitRef::parse(&o.data)?)
}

/// The parents of commit `id` (parsed as `c`) as history walks see them:
/// none for a shallow commit (layout.md, "Shallow workspaces").
pub(crate) fn visible_parents(
    store: &dyn ObjectStore,
    id: &ObjectId,
    c: &CommitRef,
) -> Result<Vec<ObjectId>> {
    if !c.parents.is_empty() && store.is_shallow(id)? {
        return Ok(Vec::new());
    }
    Ok(c.parents.clone())
}

/// Resolve a tree-ish (a tree, or a commit or tag leading to one) to a tree id.
pub fn peel_to_tree(store: &dyn ObjectStore, id: ObjectId) -> Result<ObjectId> {
    let p = peel(store, id)?;
    let (kind, _) = store.read_header(&p)?;
    match kind {
        ObjectType::Tree => Ok(p),
        ObjectType::Commit => Ok(CommitRef::parse(&store.read(&p)?.data)?.tree),
        k => Err(Error::WrongType {
            id: p,
            expected: "tree",
            actual: k.name(),
        }),
    }
}

/// Resolve a tree-ish revision expression to a tree id.
pub fn rev_parse_tree(repo: Repo, spec: &str) -> Result<ObjectId> {
    peel_to_tree(repo.odb, rev_parse(repo, spec)?)
}

/// Resolve a revision expression to an object id. `REV:PATH` names the
/// entry at PATH in REV's tree.
pub fn rev_parse(repo: Repo, spec: &str) -> Result<ObjectId> {
    if let Some((rev, path)) = spec.split_once(':') {
        if rev.is_empty() {
            return Err(Error::BadObjectName(spec.to_string()));
        }
        let tree = match rev_parse_tree(repo, rev) {
            Ok(t) => t,
            // CONTAINER:REV (refs.md "Revisions"): a revision of the selected
            // container wins over a container of the same name.
            Err(Error::BadObjectName(_)) if other_container_refs(repo, rev).is_some() => {
                let refs = other_container_refs(repo, rev).expect("checked");
                let other = Repo {
                    refs: &refs,
                    hako_dir: None,
                    ..repo
                };
                return rev_parse(other, if path.is_empty() { "HEAD" } else { path });
            }
            Err(e) => return Err(e),
        };
        let comps = crate::prolly::dir::split_path(path)?;
        if comps.is_empty() {
            return Ok(tree);
        }
        return match crate::prolly::dir::lookup_path(repo.odb, &tree, &comps)? {
            Some(e) if !e.id.is_zero() => Ok(e.id),
            Some(_) => Err(Error::PathHasNoContent {
                path: path.to_string(),
                rev: rev.to_string(),
            }),
            None => Err(Error::PathNotInRevision {
                path: path.to_string(),
                rev: rev.to_string(),
            }),
        };
    }
    let bad = || Error::BadObjectName(spec.to_string());
    // Split the base name from the first suffix operator.
    let cut = spec.find(['^', '~']).unwrap_or(spec.len());
    let mut id = resolve_base(repo, &spec[..cut]).map_err(|e| match e {
        Error::BadObjectName(_) => bad(),
        e => e,
    })?;
    let mut rest = &spec[cut..];
    while !rest.is_empty() {
        let op = rest.as_bytes()[0];
        rest = &rest[1..];
        if op == b'^' && rest.starts_with('{') {
            let close = rest.find('}').ok_or_else(bad)?;
            let want = &rest[1..close];
            rest = &rest[close + 1..];
            id = match want {
                "" => peel(repo.odb, id)?,
                "commit" => peel_to_commit(repo.odb, id)?,
                "tree" => peel_to_tree(repo.odb, id)?,
                t => {
                    let kind: ObjectType = t.parse().map_err(|_| bad())?;
                    let p = peel(repo.odb, id)?;
                    let (k, _) = repo.odb.read_header(&p)?;
                    if k == kind {
                        p
                    } else {
                        return Err(Error::WrongType {
                            id: p,
                            expected: kind.name(),
                            actual: k.name(),
                        });
                    }
                }
            };
            continue;
        }
        let ndigits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let n: usize = if ndigits == 0 {
            1
        } else {
            rest[..ndigits].parse().map_err(|_| bad())?
        };
        rest = &rest[ndigits..];
        let commit = peel_to_commit(repo.odb, id)?;
        id = match op {
            b'^' => {
                if n == 0 {
                    commit
                } else {
                    *parents(repo.odb, commit)?
                        .get(n - 1)
                        .ok_or_else(|| Error::NoSuchParent {
                            spec: spec.to_string(),
                            commit: commit.short(),
                            n,
                        })?
                }
            }
            _ => {
                let mut c = commit;
                for i in 0..n {
                    c = *parents(repo.odb, c)?
                        .first()
                        .ok_or_else(|| Error::HistoryTooShort {
                            spec: spec.to_string(),
                            commit: commit.short(),
                            generations: i,
                        })?;
                }
                c
            }
        };
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commit::create_commit;
    use crate::identity::Signature;
    use crate::object::EMPTY_TREE_PAYLOAD;
    use crate::refs::Expect;
    use crate::store::MemStore;

    #[test]
    fn rev_args() {
        assert_eq!(RevArg::parse("a..b"), RevArg::Range { from: "a", to: "b" });
        assert_eq!(
            RevArg::parse("..b"),
            RevArg::Range {
                from: "HEAD",
                to: "b"
            }
        );
        assert_eq!(
            RevArg::parse("a.."),
            RevArg::Range {
                from: "a",
                to: "HEAD"
            }
        );
        assert_eq!(RevArg::parse("^a"), RevArg::Exclude("a"));
        assert_eq!(RevArg::parse("a~2"), RevArg::Include("a~2"));
    }

    /// Revisions resolve against any store paired with refs (no workspace).
    #[test]
    fn history_in_a_memory_store() {
        let store = MemStore::new();
        let dir = tempfile::tempdir().unwrap();
        let refs = RefStore::new(dir.path());
        refs.set_symbolic("HEAD", "refs/heads/main").unwrap();
        let who = Signature::parse("T <t@x> 0 +0000").unwrap();
        let tree = store.write(ObjectType::Tree, EMPTY_TREE_PAYLOAD).unwrap();
        let one = create_commit(&store, tree, &[], who.clone(), who.clone(), "one").unwrap();
        let two = create_commit(&store, tree, &[one], who.clone(), who.clone(), "two").unwrap();
        refs.update("HEAD", two, Expect::Absent, &who, "m").unwrap();
        let repo = Repo {
            odb: &store,
            refs: &refs,
            hako_dir: None,
        };
        assert_eq!(rev_parse(repo, "main~1").unwrap(), one);
        assert_eq!(rev_parse(repo, &two.to_hex()[..8]).unwrap(), two);
        assert_eq!(rev_parse_tree(repo, "HEAD").unwrap(), tree);
        assert_eq!(rev_parse(repo, "HEAD^{tree}").unwrap(), tree);
        assert_eq!(rev_parse(repo, "WORKING").unwrap(), tree);
        let args = ["HEAD~1..main".to_string()];
        assert_eq!(commit_ranges(repo, &args).unwrap(), (vec![two], vec![one]));
    }
}
