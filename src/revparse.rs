//! Revision expressions: full ids, unique prefixes, ref names, `REV^`, `REV^N`,
//! `REV~N`, `REV^{type}`.

use crate::error::{Error, Result};
use crate::object::{CommitRef, ObjectType, TagRef};
use crate::oid::{is_hex_prefix, ObjectId};
use crate::refs::check_ref_name;
use crate::store::ObjectStore;
use crate::workspace::Workspace;

/// The candidates a short ref name expands to, in priority order.
pub fn ref_candidates(name: &str) -> Vec<String> {
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
pub fn dwim_ref(ws: &Workspace, name: &str) -> Result<Option<(String, ObjectId)>> {
    let name = if name == "@" { "HEAD" } else { name };
    for cand in ref_candidates(name) {
        if check_ref_name(&cand).is_err() {
            continue;
        }
        if let Some(id) = ws.refs.resolve(&cand)? {
            return Ok(Some((cand, id)));
        }
    }
    Ok(None)
}

/// Resolve a base name (no suffix operators): a ref, else an id or prefix.
fn resolve_base(ws: &Workspace, name: &str) -> Result<ObjectId> {
    if name.is_empty() {
        return Err(Error::BadObjectName(name.to_string()));
    }
    // A full id wins over a ref of the same spelling, as in git.
    if name.len() == 64 && is_hex_prefix(name) {
        return ws.odb.resolve_prefix(name);
    }
    if let Some((_, id)) = dwim_ref(ws, name)? {
        return Ok(id);
    }
    if is_hex_prefix(name) {
        return ws.odb.resolve_prefix(name);
    }
    Err(Error::BadObjectName(name.to_string()))
}

/// Follow tags until a non-tag object.
pub fn peel(ws: &Workspace, mut id: ObjectId) -> Result<ObjectId> {
    for _ in 0..64 {
        let o = ws.odb.read(&id)?;
        if o.kind != ObjectType::Tag {
            return Ok(id);
        }
        id = TagRef::parse(&o.data)?.object;
    }
    Err(Error::Invalid(format!("tag chain too deep at {id}")))
}

/// Peel to a commit, or fail naming what the object is.
pub fn peel_to_commit(ws: &Workspace, id: ObjectId) -> Result<ObjectId> {
    let p = peel(ws, id)?;
    let (kind, _) = ws.odb.read_header(&p)?;
    if kind != ObjectType::Commit {
        return Err(Error::WrongType {
            id: p,
            expected: "commit",
            actual: kind.name(),
        });
    }
    Ok(p)
}

fn parents(ws: &Workspace, id: ObjectId) -> Result<Vec<ObjectId>> {
    let o = ws.odb.read_typed(&id, ObjectType::Commit)?;
    Ok(CommitRef::parse(&o.data)?.parents)
}

/// Resolve a revision expression to an object id.
pub fn rev_parse(ws: &Workspace, spec: &str) -> Result<ObjectId> {
    let bad = || Error::BadObjectName(spec.to_string());
    // Split the base name from the first suffix operator.
    let cut = spec.find(['^', '~']).unwrap_or(spec.len());
    let mut id = resolve_base(ws, &spec[..cut]).map_err(|e| match e {
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
                "" => peel(ws, id)?,
                "commit" => peel_to_commit(ws, id)?,
                t => {
                    let kind: ObjectType = t.parse().map_err(|_| bad())?;
                    let p = peel(ws, id)?;
                    let (k, _) = ws.odb.read_header(&p)?;
                    if k == kind {
                        p
                    } else if kind == ObjectType::Tree && k == ObjectType::Commit {
                        let o = ws.odb.read(&p)?;
                        CommitRef::parse(&o.data)?.tree
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
        let commit = peel_to_commit(ws, id)?;
        id = match op {
            b'^' => {
                if n == 0 {
                    commit
                } else {
                    *parents(ws, commit)?.get(n - 1).ok_or_else(|| {
                        Error::Invalid(format!(
                            "{spec}: commit {} has no parent {n}",
                            commit.short()
                        ))
                    })?
                }
            }
            _ => {
                let mut c = commit;
                for i in 0..n {
                    c = *parents(ws, c)?.first().ok_or_else(|| {
                        Error::Invalid(format!(
                            "{spec}: history of {} ends after {i} generation(s)",
                            commit.short()
                        ))
                    })?;
                }
                c
            }
        };
    }
    Ok(id)
}
