//! Remotes in an S3 bucket (format-spec/object-store.md): the refs as
//! write-once value keys (`refs/v/<wire-name>/<id>`), their resolution
//! (the value all others descend into; diverged heads reported), and a push
//! that writes packs, then values, then deletes what it superseded, then
//! the derived dumb-HTTP files.
#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::oid::ObjectId;
use crate::refs::{RefStore, RefValue};
use crate::store::{ObjectStore, Odb};
use crate::transport::advertise::{split_wire_name, wire_name, AdvertisedRef};
use crate::transport::push::{PushOpts, PushRef, PushReport};
use crate::transport::s3::{S3Client, S3Error};
use crate::workspace::Workspace;

/// The key marking a prefix as a hako remote, and its content.
pub const MARKER: &str = "hako-object-store";
const MARKER_TEXT: &[u8] = b"hako-object-store 1\n";
/// Where gc keeps the indexes of the packs it retired (section 7).
pub const RETIRED: &str = "objects/retired/";
/// A push writes its ref values at most this long after it read the refs
/// (object-store.md section 7: gc's grace period relies on it).
pub const MAX_PUSH: Duration = Duration::from_secs(3600);

/// One value key of a ref.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    /// The id the ref is set to.
    pub id: ObjectId,
    /// The id it peels to (a tag's target), if any.
    pub peeled: Option<ObjectId>,
    /// The value this one was pushed over as a fast-forward (`+<prev>`).
    pub prev: Option<ObjectId>,
    /// The key below the prefix.
    pub key: String,
}

/// A ref keeps at most this many values: a push that would write one more
/// deletes those it supersedes instead (section 4 step 5).
pub const MAX_VALUES: usize = 8;

/// The values of a ref that no other value names as its `+<prev>`.
pub fn heads(vals: &[Value]) -> Vec<Value> {
    vals.iter()
        .filter(|v| !vals.iter().any(|o| o.prev == Some(v.id) && o.id != v.id))
        .cloned()
        .collect()
}

/// The refs of a bucket, as its `refs/` listing gives them.
#[derive(Clone, Debug, Default)]
pub struct BucketRefs {
    /// Wire name → its values, by id.
    pub values: BTreeMap<String, Vec<Value>>,
    /// Container → the ref its HEAD names.
    pub heads: BTreeMap<String, String>,
    /// The container `refs/active/` names (the smallest, if a race left several).
    pub active: Option<String>,
    /// Whether the prefix is a hako remote (has refs or the marker).
    pub marked: bool,
}

impl BucketRefs {
    /// Every value id of the containers `only` admits.
    pub fn ids(&self, only: &dyn Fn(&str) -> bool) -> Vec<ObjectId> {
        let mut out: Vec<ObjectId> = Vec::new();
        for (wire, vals) in &self.values {
            let Ok((c, _)) = split_wire_name(wire) else {
                continue;
            };
            if only(c) {
                out.extend(heads(vals).iter().map(|v| v.id));
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

fn parse_id(s: &str) -> Option<ObjectId> {
    (s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then(|| ObjectId::from_hex(s).ok())
    .flatten()
}

/// List the prefix once and parse its refs (object-store.md sections 2-3);
/// the `objects/pack/` part is kept in `s3.packs_listing` for the fetch
/// that follows. Keys a hako remote does not have, or keys without the
/// marker, are someone else's: refused.
pub fn read_refs(s3: &mut S3Client) -> Result<BucketRefs> {
    let listed = s3.list("", usize::MAX)?;
    parse_listing(s3, &listed)
}

/// The refs of a listing of the whole prefix (see `read_refs`).
pub fn parse_listing(
    s3: &mut S3Client,
    listed: &[crate::transport::s3::Listed],
) -> Result<BucketRefs> {
    let mut refs = BucketRefs::default();
    let mut packs = Vec::new();
    let display = s3.display.clone();
    let foreign = |key: &str| {
        crate::error::Error::from(S3Error::Foreign {
            remote: display.clone(),
            key: key.into(),
        })
    };
    for l in listed {
        let key = l.path.as_str();
        if key.starts_with("objects/pack/") {
            packs.push(l.clone());
        } else if key.starts_with(RETIRED) {
            // Packs gc retired (section 7): not read by fetches.
        } else if key == MARKER {
            refs.marked = true;
        } else if key == "info/refs" || key == "objects/info/packs" {
        } else if let Some(rest) = key.strip_prefix("refs/v/") {
            let (wire, last) = rest.rsplit_once('/').ok_or_else(|| foreign(key))?;
            let (last, prev) = match last.split_once('+') {
                Some((a, b)) => (a, Some(parse_id(b).ok_or_else(|| foreign(key))?)),
                None => (last, None),
            };
            let (id, peeled) = match last.split_once('^') {
                Some((a, b)) => (a, Some(b)),
                None => (last, None),
            };
            let id = parse_id(id).ok_or_else(|| foreign(key))?;
            let peeled = match peeled {
                Some(p) => Some(parse_id(p).ok_or_else(|| foreign(key))?),
                None => None,
            };
            split_wire_name(wire).map_err(|_| foreign(key))?;
            refs.values
                .entry(wire.to_string())
                .or_default()
                .push(Value {
                    id,
                    peeled,
                    prev,
                    key: key.to_string(),
                });
        } else if let Some(rest) = key.strip_prefix("refs/s/") {
            let (c, target) = rest.split_once('/').ok_or_else(|| foreign(key))?;
            if !target.starts_with("refs/heads/") {
                return Err(foreign(key));
            }
            // The smallest target when a race left several.
            let e = refs
                .heads
                .entry(c.to_string())
                .or_insert(target.to_string());
            if target < e.as_str() {
                *e = target.to_string();
            }
        } else if let Some(c) = key.strip_prefix("refs/active/") {
            if refs.active.as_deref().is_none_or(|a| c < a) {
                refs.active = Some(c.to_string());
            }
        } else {
            return Err(foreign(key));
        }
    }
    if !refs.marked {
        if let Some(first) = listed.first() {
            return Err(foreign(&first.path));
        }
    }
    for v in refs.values.values_mut() {
        v.sort_by_key(|x| x.id);
    }
    s3.session.packs_listing = Some(packs);
    Ok(refs)
}

/// A ref value: the id, and what an annotated tag peels to.
pub type Head = (ObjectId, Option<ObjectId>);

/// How a ref's values resolve.
pub enum Resolved {
    /// One value: its id and what it peels to.
    One(ObjectId, Option<ObjectId>),
    /// Diverged: every head (or values this side cannot order).
    Heads(Vec<(ObjectId, Option<ObjectId>)>),
}

/// The value every other value is an ancestor of (object-store.md
/// section 3), decided with the objects of `odb`.
pub fn resolve(odb: &Odb, vals: &[Value]) -> Resolved {
    let vals = &heads(vals)[..];
    if let [v] = vals {
        return Resolved::One(v.id, v.peeled);
    }
    let commit = |v: &Value| crate::revparse::peel(odb, v.id).ok();
    for v in vals {
        let Some(top) = commit(v) else { continue };
        let all = vals.iter().all(|o| {
            o.id == v.id
                || commit(o).is_some_and(|c| {
                    crate::revwalk::is_ancestor(odb, c, top).unwrap_or(false) && c != top
                })
        });
        if all {
            return Resolved::One(v.id, v.peeled);
        }
    }
    Resolved::Heads(vals.iter().map(|v| (v.id, v.peeled)).collect())
}

/// The refs as an advertisement (protocol.md section 3 order), each ref at
/// its resolved value; a diverged ref at `pick` (given its wire name and
/// heads), and listed in the second result with its heads.
pub fn advertise(
    odb: Option<&Odb>,
    refs: &BucketRefs,
    pick: &dyn Fn(&str, &[Head]) -> Head,
) -> (Vec<AdvertisedRef>, Vec<(String, Vec<ObjectId>)>) {
    let mut diverged = Vec::new();
    let mut value: BTreeMap<&str, (ObjectId, Option<ObjectId>)> = BTreeMap::new();
    for (wire, vals) in &refs.values {
        let r = match odb {
            Some(odb) => resolve(odb, vals),
            None => match &heads(vals)[..] {
                [v] => Resolved::One(v.id, v.peeled),
                hs => Resolved::Heads(hs.iter().map(|v| (v.id, v.peeled)).collect()),
            },
        };
        let v = match r {
            Resolved::One(id, p) => (id, p),
            Resolved::Heads(h) => {
                diverged.push((wire.clone(), h.iter().map(|x| x.0).collect()));
                pick(wire, &h)
            }
        };
        value.insert(wire.as_str(), v);
    }
    let mut containers: Vec<&str> = value
        .keys()
        .filter_map(|w| split_wire_name(w).ok().map(|(c, _)| c))
        .chain(refs.heads.keys().map(String::as_str))
        .collect();
    containers.sort();
    containers.dedup();
    let mut out = Vec::new();
    for c in containers {
        if let Some(t) = refs.heads.get(c) {
            let tw = wire_name(c, t);
            out.push(AdvertisedRef {
                name: wire_name(c, "HEAD"),
                id: value.get(tw.as_str()).map(|v| v.0),
                symref_target: Some(tw),
                peeled: None,
                active: refs.active.as_deref() == Some(c),
            });
        }
        for kind in ["refs/heads/", "refs/tags/"] {
            let p = wire_name(c, kind);
            for (w, (id, peeled)) in value.range(p.as_str()..) {
                if !w.starts_with(&p) {
                    break;
                }
                out.push(AdvertisedRef {
                    name: w.to_string(),
                    id: Some(*id),
                    symref_target: None,
                    peeled: *peeled,
                    active: false,
                });
            }
        }
    }
    (out, diverged)
}

/// Every value as its own ref line (ls-remote: a diverged ref shows each head).
pub fn every_value(refs: &BucketRefs) -> Vec<AdvertisedRef> {
    let (mut out, _) = advertise(None, refs, &|_, h| h[0]);
    for (wire, vals) in &refs.values {
        let vals = heads(vals);
        if vals.len() > 1 {
            let at = out
                .iter()
                .position(|r| &r.name == wire)
                .unwrap_or(out.len());
            let extra: Vec<AdvertisedRef> = vals[1..]
                .iter()
                .map(|v| AdvertisedRef {
                    name: wire.clone(),
                    id: Some(v.id),
                    symref_target: None,
                    peeled: v.peeled,
                    active: false,
                })
                .collect();
            out.splice(at + 1..at + 1, extra);
        }
    }
    out
}

/// One ref to push: (container, local ref, remote ref, new id, forced).
pub type Wanted = (String, String, String, ObjectId, bool);

/// Push `wanted` to the bucket (object-store.md section 4).
pub fn push(
    ws: &Workspace,
    s3: &mut S3Client,
    remote_name: Option<&str>,
    wanted: Vec<Wanted>,
    opts: &PushOpts,
) -> Result<PushReport> {
    if opts.atomic {
        return Err(S3Error::NoAtomic {
            remote: s3.display.clone(),
        }
        .into());
    }
    let started = Instant::now();
    let listed = read_refs(s3)?;
    let mut packs = s3.session.packs_listing.take().unwrap_or_default();
    crate::transport::s3::test_pause("HAKO_TEST_S3_PUSH_WAIT");
    let mut report = PushReport::default();
    for w in wanted {
        report.refs.push(judge(ws, &listed, remote_name, w, opts)?);
    }
    let todo: Vec<usize> = (0..report.refs.len())
        .filter(|&i| report.refs[i].error.is_none() && !report.refs[i].up_to_date)
        .collect();
    if opts.dry_run || todo.is_empty() {
        return Ok(report);
    }
    if !listed.marked {
        s3.put(MARKER, Some(MARKER_TEXT), None, false)?;
    }
    // 1. The objects, as one pack: .pack, then .idx.
    push_objects(ws, s3, &listed, &todo, &mut report, &mut packs)?;
    crate::transport::s3::test_pause("HAKO_TEST_S3_PACKED_WAIT");
    if started.elapsed() > MAX_PUSH {
        return Err(S3Error::PushTooLong {
            remote: s3.display.clone(),
            secs: MAX_PUSH.as_secs(),
        }
        .into());
    }
    // 2. The values; a new container's HEAD; the active container.
    let (after, superseded) = write_values(ws, s3, &listed, &todo, &report)?;
    // 3. What the new values superseded (the values listed before), in
    // one request.
    s3.delete_many(&superseded)?;
    // 4. The derived files of dumb-HTTP readers: packs, then refs, from the
    // listing of step 1 and what this push changed.
    let packs_text = crate::transport::s3::packs_file_of(&packs);
    s3.put(
        "objects/info/packs",
        Some(packs_text.as_bytes()),
        None,
        false,
    )?;
    let (adv, _) = advertise(Some(&ws.odb), &after, &|_, h| h[0]);
    let text = crate::transport::dumb::refs_file(&adv);
    s3.put("info/refs", Some(text.as_bytes()), None, false)?;
    Ok(report)
}

/// Whether one wanted ref may be pushed over what the bucket holds
/// (`listed`): the `PushRef`, with its error if it may not.
fn judge(
    ws: &Workspace,
    listed: &BucketRefs,
    remote_name: Option<&str>,
    (c, src, dst, new, forced): Wanted,
    opts: &PushOpts,
) -> Result<PushRef> {
    let odb = &ws.odb;
    let wire = wire_name(&c, &dst);
    split_wire_name(&wire)?;
    let all = listed.values.get(&wire).map_or(&[][..], |v| &v[..]);
    let vals = &heads(all)[..];
    let old = vals.first().map_or(ObjectId::ZERO, |v| v.id);
    let old = match resolve(odb, all) {
        Resolved::One(id, _) => id,
        Resolved::Heads(_) => old,
    };
    let mut r = PushRef {
        container: c.clone(),
        src,
        dst: dst.clone(),
        old,
        new,
        error: None,
        up_to_date: vals.len() == 1 && vals[0].id == new,
        forced: false,
    };
    if new.is_zero() && all.is_empty() {
        r.error = Some("remote ref does not exist".into());
    } else if let Some(lease) = opts.force_with_lease {
        let expected = match lease {
            Some(id) => id,
            None => match (remote_name, dst.strip_prefix("refs/heads/")) {
                (Some(n), Some(b)) => RefStore::new(&ws.container_dir(&c))
                    .resolve(&format!("refs/remotes/{n}/{b}"))?
                    .unwrap_or(ObjectId::ZERO),
                _ => old,
            },
        };
        if vals.len() > 1 || expected != old {
            r.error = Some("stale info".into());
        } else {
            r.forced = true;
        }
    } else if !r.up_to_date && !vals.is_empty() && !new.is_zero() && !forced {
        r.error = refusal(odb, vals, &dst, new)?;
    } else if forced && !vals.is_empty() {
        r.forced = true;
    }
    Ok(r)
}

/// Why `new` may not replace the heads `vals` of `dst` without force, if
/// it may not.
fn refusal(odb: &Odb, vals: &[Value], dst: &str, new: ObjectId) -> Result<Option<String>> {
    let heads = vals.len();
    for v in vals.iter().filter(|v| v.id != new) {
        if dst.starts_with("refs/tags/") {
            return Ok(Some("already exists".into()));
        } else if !odb.contains(&v.id)? {
            return Ok(Some("fetch first".into()));
        } else if !crate::revwalk::is_ancestor(odb, v.id, new)? {
            return Ok(Some(if heads > 1 {
                format!("diverged ({heads} heads): fetch and merge")
            } else {
                "non-fast-forward".into()
            }));
        }
    }
    Ok(None)
}

/// Step 1: what the refs `todo` reach and the bucket's values do not, as
/// one pack; its files are added to `packs`.
fn push_objects(
    ws: &Workspace,
    s3: &mut S3Client,
    listed: &BucketRefs,
    todo: &[usize],
    report: &mut PushReport,
    packs: &mut Vec<crate::transport::s3::Listed>,
) -> Result<()> {
    let odb = &ws.odb;
    let include: Vec<ObjectId> = todo
        .iter()
        .map(|&i| report.refs[i].new)
        .filter(|n| !n.is_zero())
        .collect();
    if include.is_empty() {
        return Ok(());
    }
    let mut exclude = Vec::new();
    for vals in listed.values.values() {
        for v in vals {
            for id in [Some(v.id), v.peeled].into_iter().flatten() {
                if matches!(
                    odb.read_header(&id),
                    Ok((crate::object::ObjectType::Commit, _))
                ) && !exclude.contains(&id)
                {
                    exclude.push(id);
                }
            }
        }
    }
    let bases: Vec<ObjectId> = exclude.iter().take(16).copied().collect();
    let picks = crate::pack::select::select_revs(odb, &include, &exclude, &bases)?;
    report.objects = picks.len();
    if !picks.is_empty() {
        let (bytes, files) = upload_pack(ws, s3, &picks)?;
        report.pack_bytes = bytes;
        packs.extend(files);
    }
    Ok(())
}

/// Step 2: the values of the refs `todo`, a new container's HEAD, the
/// active container. Returns the refs as this push leaves them (for the
/// derived info/refs) and the value keys to delete. A fast-forward of a
/// ref's one head names it (`+<prev>`) and leaves the values in place
/// while they are fewer than MAX_VALUES; otherwise the push deletes every
/// value it listed (step 3).
fn write_values(
    ws: &Workspace,
    s3: &mut S3Client,
    listed: &BucketRefs,
    todo: &[usize],
    report: &PushReport,
) -> Result<(BucketRefs, Vec<String>)> {
    let odb = &ws.odb;
    let mut after = listed.clone();
    let mut superseded: Vec<String> = Vec::new();
    for &i in todo {
        let r = &report.refs[i];
        let wire = wire_name(&r.container, &r.dst);
        let all = listed.values.get(&wire).map_or(&[][..], |v| &v[..]);
        let hs = heads(all);
        let prev = match &hs[..] {
            [h] if !r.forced && !r.new.is_zero() && all.len() < MAX_VALUES && h.id != r.new => {
                Some(h.id)
            }
            _ => {
                superseded.extend(all.iter().filter(|v| v.id != r.new).map(|v| v.key.clone()));
                None
            }
        };
        if r.new.is_zero() {
            after.values.remove(&wire);
            continue;
        }
        let peeled = crate::revparse::peel(odb, r.new)?;
        let mut last = r.new.to_string();
        if peeled != r.new {
            last = format!("{last}^{peeled}");
        }
        if let Some(p) = prev {
            last = format!("{last}+{p}");
        }
        let key = format!("refs/v/{wire}/{last}");
        s3.put(&key, Some(b""), None, true)?;
        after.values.insert(
            wire,
            vec![Value {
                id: r.new,
                peeled: (peeled != r.new).then_some(peeled),
                prev: None,
                key,
            }],
        );
    }
    let pushed: Vec<&str> = todo
        .iter()
        .map(|&i| report.refs[i].container.as_str())
        .collect();
    write_heads(ws, s3, listed, &pushed, &mut after)?;
    Ok((after, superseded))
}

/// The HEAD of each container `pushed` that the bucket did not hold, and
/// the active container if the bucket names none.
fn write_heads(
    ws: &Workspace,
    s3: &mut S3Client,
    listed: &BucketRefs,
    pushed: &[&str],
    after: &mut BucketRefs,
) -> Result<()> {
    let mut new_containers: Vec<&str> = pushed
        .iter()
        .copied()
        .filter(|c| !listed.heads.contains_key(*c))
        .collect();
    new_containers.dedup();
    for c in &new_containers {
        let target = match RefStore::new(&ws.container_dir(c)).read("HEAD")? {
            Some(RefValue::Symbolic(t)) if t.starts_with("refs/heads/") => t,
            _ => "refs/heads/main".to_string(),
        };
        s3.put(&format!("refs/s/{c}/{target}"), Some(b""), None, true)?;
        after.heads.insert(c.to_string(), target);
    }
    if listed.active.is_none() {
        let active = if pushed.contains(&ws.container.as_str()) {
            ws.container.as_str()
        } else {
            pushed[0]
        };
        s3.put(&format!("refs/active/{active}"), Some(b""), None, true)?;
        after.active = Some(active.to_string());
    }
    Ok(())
}

/// Write `picks` as one pack and PUT it: the `.pack`, then the `.idx`
/// (section 4 step 2). Returns the pack's bytes and its two files as listed.
pub fn upload_pack(
    ws: &Workspace,
    s3: &mut S3Client,
    picks: &[crate::pack::select::Pick],
) -> Result<(u64, Vec<crate::transport::s3::Listed>)> {
    let odb = &ws.odb;
    let scratch = crate::fsutil::tmp_dir(&ws.dir, "s3-push-", 0o777)?;
    let tmp = scratch.path();
    let result = (|| -> Result<(u64, Vec<crate::transport::s3::Listed>)> {
        let (sum, written) =
            crate::pack::write::write_pack_files(odb, Some(odb), picks, false, &tmp.join("pack"))?;
        let mut files = Vec::new();
        for ext in ["pack", "idx"] {
            let local = tmp.join(format!("pack-{sum}.{ext}"));
            let size = std::fs::metadata(&local).map(|m| m.len()).unwrap_or(0);
            let path = format!("objects/pack/pack-{sum}.{ext}");
            s3.put_file(&path, &local, size)?;
            files.push(crate::transport::s3::Listed {
                path,
                size,
                modified: 0,
            });
        }
        Ok((written.bytes, files))
    })();
    drop(scratch);
    result
}
