//! The record of a pull in its commit message (format-spec/oci.md): trailer
//! lines naming the image, its manifest digest, platform, size and the blob
//! that holds the image config.
#![warn(missing_docs)]

use super::manifest::{parse_config, ImageConfig};
use crate::error::Result;
use crate::object::{CommitRef, ObjectType};
use crate::oid::ObjectId;
use crate::store::ObjectStore;

pub use crate::links::PullRecord;

/// The nearest commit on `commit`'s first-parent line (itself included)
/// that carries a pull record: its id, the record, its tree, and how many
/// commits lie above it on that line (0 when `commit` is the pull itself).
pub(crate) fn last_pull(
    store: &dyn ObjectStore,
    commit: &ObjectId,
) -> Result<Option<(ObjectId, PullRecord, ObjectId, usize)>> {
    let mut next = Some(*commit);
    let mut above = 0;
    while let Some(id) = next {
        let o = store.read(&id)?;
        if o.kind != ObjectType::Commit {
            return Err(crate::error::Error::WrongType {
                id,
                expected: "commit",
                actual: o.kind.name(),
            });
        }
        let c = CommitRef::parse(&o.data)?;
        if let Some(r) = PullRecord::parse(c.message) {
            return Ok(Some((id, r, c.tree, above)));
        }
        next = crate::revparse::visible_parents(store, &id, &c)?
            .first()
            .copied();
        above += 1;
    }
    Ok(None)
}

/// The image a commit's tree came from, as `run` needs it: the pull record
/// of the nearest commit on `commit`'s first-parent line that has one, with
/// the image config it names (parsed, and byte for byte).
pub fn image_of(
    store: &dyn ObjectStore,
    commit: &ObjectId,
) -> Result<Option<(PullRecord, ImageConfig, Vec<u8>)>> {
    let Some((_, r, _, _)) = last_pull(store, commit)? else {
        return Ok(None);
    };
    let raw = store.read(&r.config)?.data;
    let cfg = parse_config(&raw)?;
    Ok(Some((r, cfg, raw)))
}

/// A pull of manifest DIGEST already in the workspace: the record and tree
/// of the first pull commit with that digest on the first-parent line of
/// any branch of any container (so pulling it again downloads nothing).
pub(crate) fn stored_pull(
    ws: &crate::workspace::Workspace,
    digest: &str,
) -> Result<Option<(PullRecord, ObjectId)>> {
    let mut seen = std::collections::HashSet::new();
    for name in ws.containers()? {
        let c = crate::workspace::Workspace::open_with(&ws.dir, Some(&name))?;
        for (_, head) in c.refs.list("refs/heads/")? {
            let mut next = Some(head);
            while let Some(id) = next {
                if !seen.insert(id) {
                    break;
                }
                let Some((pull, r, tree, _)) = last_pull(&c.odb, &id)? else {
                    break;
                };
                if r.digest == digest && c.odb.contains(&r.config)? {
                    return Ok(Some((r, tree)));
                }
                seen.insert(pull);
                let o = c.odb.read(&pull)?;
                let cr = CommitRef::parse(&o.data)?;
                next = crate::revparse::visible_parents(&c.odb, &pull, &cr)?
                    .first()
                    .copied();
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Signature;
    use crate::object::Commit;
    use crate::store::MemStore;

    #[test]
    fn image_of_walks_first_parents() {
        let store = MemStore::new();
        let cfg = br#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Entrypoint":["/init"],"User":"1000"}}"#;
        let cfg_id = store.write(ObjectType::Blob, cfg).unwrap();
        let tree = crate::prolly::dir::empty(&store).unwrap();
        let sig = Signature {
            name: "a".into(),
            email: "a@b".into(),
            seconds: 0,
            tz_minutes: 0,
        };
        let rec = PullRecord {
            image: "docker.io/library/x:latest".into(),
            digest: format!("sha256:{}", "1".repeat(64)),
            platform: "linux/amd64".into(),
            config: cfg_id,
            config_digest: super::super::blob::sha256_digest(cfg),
            size: 1,
            layers: 1,
        };
        let commit = |parents: Vec<ObjectId>, msg: String| {
            let c = Commit {
                tree,
                parents,
                author: sig.clone(),
                committer: sig.clone(),
                message: msg.into_bytes(),
            };
            store.write(ObjectType::Commit, &c.encode()).unwrap()
        };
        let root = commit(vec![], "seed\n".into());
        assert!(image_of(&store, &root).unwrap().is_none());
        let pulled = commit(vec![root], rec.message());
        let child = commit(vec![pulled], "edit\n".into());
        let (r, c, raw) = image_of(&store, &child).unwrap().unwrap();
        assert_eq!(r, rec);
        assert_eq!(raw, cfg);
        let run = c.config.unwrap();
        assert_eq!(run.entrypoint.unwrap(), vec!["/init"]);
        assert_eq!(run.user.as_deref(), Some("1000"));
    }

    #[test]
    fn round_trip() {
        let r = PullRecord {
            image: "127.0.0.1:5000/t/a:v1".into(),
            digest: format!("sha256:{}", "a".repeat(64)),
            platform: "linux/amd64".into(),
            config: ObjectId::ZERO,
            config_digest: format!("sha256:{}", "b".repeat(64)),
            size: 1234,
            layers: 2,
        };
        let m = r.message();
        assert!(m.starts_with("pull 127.0.0.1:5000/t/a:v1\n\nImage: "));
        assert_eq!(PullRecord::parse(m.as_bytes()), Some(r));
        assert_eq!(PullRecord::parse(b"just a commit\n"), None);
    }
}
