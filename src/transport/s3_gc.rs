//! `hako gc --remote`: a bucket's packs consolidated into one, and what no
//! ref value reaches pruned, safely with readers and pushers running
//! (format-spec/object-store.md section 7): a pack is retired (its index
//! moved aside, so readers stop seeing it) only once a pack older than the
//! grace holds what it held that the values reach; a retired pack is
//! deleted a grace later. A value naming what only a retired pack holds (a
//! pusher that listed before the retirement) is healed by the consolidated
//! pack, which the gc writes from everything the values reach, retired
//! packs included.
#![warn(missing_docs)]

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use crate::error::Result;
use crate::oid::ObjectId;
use crate::pack::select::Pick;
use crate::transport::dumb::PackEntry;
use crate::transport::s3::{Listed, S3Client, S3Error};
use crate::transport::s3_remote::{
    parse_listing, resolve, upload_pack, BucketRefs, Resolved, RETIRED,
};
use crate::workspace::Workspace;

/// The default grace (object-store.md section 7).
pub const GRACE: Duration = Duration::from_secs(24 * 3600);

/// What a gc of a bucket did.
#[derive(Debug, Default)]
pub struct RemoteGcReport {
    /// Objects the ref values reach.
    pub reachable: usize,
    /// The consolidated pack written, and its bytes.
    pub written: Option<(String, u64)>,
    /// Packs retired (names).
    pub retired: Vec<String>,
    /// Retired packs deleted (names).
    pub swept: Vec<String>,
    /// Keys of leftovers deleted (a `.pack` without `.idx`, …).
    pub leftovers: Vec<String>,
    /// Superseded value keys deleted.
    pub superseded: usize,
    /// Multipart uploads older than the grace aborted.
    pub aborted: usize,
    /// Packs readers see afterwards.
    pub packs: usize,
}

/// One pack of the bucket, visible (both files in `objects/pack/`) or retired.
struct Pack {
    stem: String,
    /// `LastModified` of its newest file (of the retired index when retired).
    time: u64,
    ids: HashSet<ObjectId>,
    idx: Vec<u8>,
    pack: Listed,
    idx_listed: Listed,
}

/// The index `path` of pack `stem` (from the fetch cache, else the bucket),
/// checked against the pack, and its ids.
fn load_index(
    ws: &Workspace,
    s3: &mut S3Client,
    stem: &str,
    path: &str,
    pack_bytes: u64,
) -> Result<(Vec<u8>, HashSet<ObjectId>)> {
    let checksum = stem
        .strip_prefix("pack-")
        .and_then(|h| ObjectId::from_hex(h).ok())
        .ok_or_else(|| S3Error::BadPackName {
            remote: s3.display.clone(),
            stem: stem.into(),
        })?;
    let cached = crate::transport::dumb::cache_dir(&ws.odb)
        .join("idx")
        .join(format!("{stem}.idx"));
    let data = match std::fs::read(&cached) {
        Ok(d) => d,
        Err(_) => {
            let d = crate::transport::dumb::http::MirrorReader::get(s3, path)?;
            if let Some(dir) = cached.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = crate::fsutil::write_atomic(&cached, &d);
            d
        }
    };
    let entry = PackEntry {
        name: stem.to_string(),
        checksum,
        pack_bytes,
        idx_bytes: data.len() as u64,
    };
    let url = format!("{}: {path}", s3.display);
    let ids = crate::transport::dumb::fetch::index_ids(entry, data.clone(), &url)?;
    Ok((data, ids.into_iter().collect()))
}

/// gc of the bucket `s3` (object-store.md section 7), with `grace` (zero:
/// everything counts as old, for tests; unsafe with others at work).
pub fn gc(ws: &Workspace, s3: &mut S3Client, grace: Duration) -> Result<RemoteGcReport> {
    let mut report = RemoteGcReport::default();
    // 1. One listing; its time is the store's clock.
    let listed = s3.list("", usize::MAX)?;
    let now = s3.now();
    let old = |t: u64| grace.is_zero() || t.saturating_add(grace.as_secs()) <= now;
    let refs = parse_listing(s3, &listed)?;
    if !refs.marked {
        return Err(S3Error::NotHakoRemote {
            remote: s3.display.clone(),
            marker: crate::transport::s3_remote::MARKER,
        }
        .into());
    }
    let pack_listing = s3.session.packs_listing.take().unwrap_or_default();
    let by_path: BTreeMap<&str, &Listed> = listed.iter().map(|l| (l.path.as_str(), l)).collect();
    // 2. Every value's objects here (verified), and what they reach.
    let picks = reachable(ws, s3, &refs, &listed, &by_path, pack_listing)?;
    let reach: HashSet<ObjectId> = picks.iter().map(|p| p.id).collect();
    report.reachable = reach.len();
    // 3. The packs, visible and retired, with their ids.
    let (mut visible, mut retired, stray) = packs_of(ws, s3, &listed, &by_path)?;
    // 4. Consolidate, unless one pack holds everything reached already.
    let covered = |p: &Pack| reach.iter().all(|id| p.ids.contains(id));
    let mut changed = false;
    if !reach.is_empty() && !visible.iter().any(covered) {
        let (bytes, p) = consolidate(ws, s3, &picks)?;
        report.written = Some((p.stem.clone(), bytes));
        visible.push(p);
        changed = true;
    }
    // 5. Retire the old packs whose reached objects old packs that stay hold.
    for p in retire(s3, &mut visible, &reach, &old)? {
        report.retired.push(p.stem.clone());
        retired.push(p);
        changed = true;
    }
    // 6. Retired packs, deleted once retired for a grace (and never while a
    // value reaches an object no visible pack holds; step 4 sees to that).
    let seen: HashSet<ObjectId> = visible.iter().flat_map(|p| p.ids.iter().copied()).collect();
    for p in retired {
        let lacking = p
            .ids
            .iter()
            .any(|id| reach.contains(id) && !seen.contains(id));
        if old(p.time) && !lacking {
            s3.delete(&p.pack.path)?;
            s3.delete(&format!("{RETIRED}{}.idx", p.stem))?;
            report.swept.push(p.stem.clone());
        }
    }
    // 7.-9. What pushes that died left behind.
    sweep_leftovers(ws, s3, &refs, stray, &by_path, &old, &mut report)?;
    // 10. The dumb-HTTP readers' list of packs.
    report.packs = visible.len();
    if changed {
        let files: Vec<Listed> = visible
            .iter()
            .flat_map(|p| [p.pack.clone(), p.idx_listed.clone()])
            .collect();
        let text = crate::transport::s3::packs_file_of(&files);
        s3.put("objects/info/packs", Some(text.as_bytes()), None, false)?;
    }
    Ok(report)
}

/// Step 2: fetch every value's objects (verified) from the visible packs
/// and the retired ones (their indexes where gc keeps them: a value written
/// by a pusher that listed before a retirement may need them); what the
/// values reach.
fn reachable(
    ws: &Workspace,
    s3: &S3Client,
    refs: &BucketRefs,
    listed: &[Listed],
    by_path: &BTreeMap<&str, &Listed>,
    pack_listing: Vec<Listed>,
) -> Result<Vec<Pick>> {
    let odb = &ws.odb;
    let wants = refs.ids(&|_| true);
    let mut reader = s3.reopen();
    let mut readable = pack_listing;
    for l in listed {
        let Some(stem) = l
            .path
            .strip_prefix(RETIRED)
            .and_then(|n| n.strip_suffix(".idx"))
        else {
            continue;
        };
        let idx = format!("objects/pack/{stem}.idx");
        if !by_path.contains_key(idx.as_str()) {
            reader
                .session
                .index_aliases
                .insert(idx.clone(), l.path.clone());
            readable.push(Listed {
                path: idx,
                size: l.size,
                modified: l.modified,
            });
        }
    }
    reader.session.packs_listing = Some(readable);
    crate::transport::dumb::fetch::fetch_from(odb, Box::new(reader), &wants, &mut |_| {}, None)?;
    if wants.is_empty() {
        return Ok(Vec::new());
    }
    crate::pack::select::select_revs(odb, &wants, &[], &[])
}

/// Step 3: the packs of the listing, visible and retired, with their ids,
/// and the stray keys (a `.pack` without `.idx`, …).
fn packs_of<'l>(
    ws: &Workspace,
    s3: &mut S3Client,
    listed: &'l [Listed],
    by_path: &BTreeMap<&str, &Listed>,
) -> Result<(Vec<Pack>, Vec<Pack>, Vec<&'l Listed>)> {
    let mut visible: Vec<Pack> = Vec::new();
    let mut retired: Vec<Pack> = Vec::new();
    let mut stray: Vec<&Listed> = Vec::new();
    for l in listed {
        let Some(rest) = l.path.strip_prefix("objects/pack/") else {
            if let Some(name) = l.path.strip_prefix(RETIRED) {
                let stem = name.strip_suffix(".idx").unwrap_or(name);
                let pack_path = format!("objects/pack/{stem}.pack");
                match by_path.get(pack_path.as_str()) {
                    Some(p) if name.ends_with(".idx") => {
                        let (idx, ids) = load_index(ws, s3, stem, &l.path, p.size)?;
                        retired.push(Pack {
                            stem: stem.to_string(),
                            time: l.modified,
                            ids,
                            idx,
                            pack: (*p).clone(),
                            idx_listed: l.clone(),
                        });
                    }
                    _ => stray.push(l),
                }
            }
            continue;
        };
        let (stem, ext) = rest.rsplit_once('.').unwrap_or((rest, ""));
        let pack_path = format!("objects/pack/{stem}.pack");
        let idx_path = format!("objects/pack/{stem}.idx");
        let retired_path = format!("{RETIRED}{stem}.idx");
        match ext {
            "idx" => match by_path.get(pack_path.as_str()) {
                Some(p) => {
                    let (idx, ids) = load_index(ws, s3, stem, &l.path, p.size)?;
                    visible.push(Pack {
                        stem: stem.to_string(),
                        time: l.modified.max(p.modified),
                        ids,
                        idx,
                        pack: (*p).clone(),
                        idx_listed: l.clone(),
                    });
                }
                None => stray.push(l),
            },
            "pack"
                if by_path.contains_key(idx_path.as_str())
                    || by_path.contains_key(retired_path.as_str()) => {}
            _ => stray.push(l),
        }
    }
    Ok((visible, retired, stray))
}

/// Step 4: `picks` as one new pack in the bucket, and its bytes.
fn consolidate(ws: &Workspace, s3: &mut S3Client, picks: &[Pick]) -> Result<(u64, Pack)> {
    let (bytes, files) = upload_pack(ws, s3, picks)?;
    let stem = files[0]
        .path
        .trim_start_matches("objects/pack/")
        .trim_end_matches(".pack")
        .to_string();
    let (idx, ids) = load_index(ws, s3, &stem, &files[1].path, files[0].size)?;
    let pack = Pack {
        stem,
        time: s3.now(),
        ids,
        idx,
        pack: files[0].clone(),
        idx_listed: files[1].clone(),
    };
    Ok((bytes, pack))
}

/// Step 5: retire (move the index aside) each `old` visible pack whose
/// reached objects the old packs that stay hold: the one holding most of
/// them first, then each in turn. The packs retired, taken from `visible`.
fn retire(
    s3: &mut S3Client,
    visible: &mut Vec<Pack>,
    reach: &HashSet<ObjectId>,
    old: &dyn Fn(u64) -> bool,
) -> Result<Vec<Pack>> {
    let count = |p: &Pack| p.ids.iter().filter(|id| reach.contains(id)).count();
    let mut order: Vec<usize> = (0..visible.len())
        .filter(|&i| old(visible[i].time))
        .collect();
    order.sort_by(|&a, &b| {
        count(&visible[b])
            .cmp(&count(&visible[a]))
            .then(visible[b].time.cmp(&visible[a].time))
            .then(visible[a].stem.cmp(&visible[b].stem))
    });
    let mut kept: HashSet<ObjectId> = HashSet::new();
    let mut to_retire = Vec::new();
    for &i in &order {
        let p = &visible[i];
        let needed = p.ids.iter().filter(|id| reach.contains(id));
        if needed.clone().all(|id| kept.contains(id)) {
            to_retire.push(i);
        } else {
            kept.extend(needed.copied());
        }
    }
    to_retire.sort_unstable_by(|a, b| b.cmp(a));
    let mut out = Vec::new();
    for i in to_retire {
        let mut p = visible.remove(i);
        s3.put(
            &format!("{RETIRED}{}.idx", p.stem),
            Some(&p.idx),
            None,
            false,
        )?;
        s3.delete(&p.idx_listed.path)?;
        p.time = s3.now();
        out.push(p);
    }
    Ok(out)
}

/// Steps 7 to 9, for what is `old`: leftovers of pushes that died (a
/// `.pack` without `.idx`, …), values a push superseded but did not delete,
/// multipart uploads never completed.
fn sweep_leftovers(
    ws: &Workspace,
    s3: &mut S3Client,
    refs: &BucketRefs,
    stray: Vec<&Listed>,
    by_path: &BTreeMap<&str, &Listed>,
    old: &dyn Fn(u64) -> bool,
    report: &mut RemoteGcReport,
) -> Result<()> {
    for l in stray {
        if old(l.modified) {
            s3.delete(&l.path)?;
            report.leftovers.push(l.path.clone());
        }
    }
    for vals in refs.values.values() {
        if vals.len() < 2 {
            continue;
        }
        if let Resolved::One(top, _) = resolve(&ws.odb, vals) {
            for v in vals.iter().filter(|v| v.id != top) {
                if by_path.get(v.key.as_str()).is_some_and(|l| old(l.modified)) {
                    s3.delete(&v.key)?;
                    report.superseded += 1;
                }
            }
        }
    }
    for up in s3.pending_uploads("")? {
        if old(up.initiated) {
            s3.abort_upload(&up.path, &up.id)?;
            report.aborted += 1;
        }
    }
    Ok(())
}

/// `--prune-grace`: seconds, or a number with `s`, `m`, `h` or `d`.
pub fn parse_grace(s: &str) -> Result<Duration> {
    let t = s.trim();
    let (n, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => 0,
    };
    match n.parse::<u64>() {
        Ok(n) if mult > 0 => Ok(Duration::from_secs(n.saturating_mul(mult))),
        _ => Err(S3Error::BadGrace(s.into()).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graces_parse() {
        assert_eq!(parse_grace("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_grace("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_grace("24h").unwrap(), GRACE);
        assert_eq!(parse_grace("2d").unwrap(), Duration::from_secs(172800));
        for bad in ["", "h", "1w", "-1", "1.5h"] {
            assert!(parse_grace(bad).is_err(), "{bad}");
        }
    }
}
