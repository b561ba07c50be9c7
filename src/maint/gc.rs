//! Garbage collection (format-spec/gc.md): repack every reachable object
//! into one pack, prune unreachable loose objects older than a grace period,
//! expire old reflog entries — under a gc lock, with running writers locked
//! out for the walk and the deletions.
#![warn(missing_docs)]

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::error::MaintError;
use super::reach::{reachable, reachable_kept, roots, Reach};
use crate::error::{Error, IoContext, Result};
use crate::fsutil::LockFile;
use crate::oid::ObjectId;
use crate::pack::select::Selection;
use crate::progress::{phase, Progress, Silent, Unit};
use crate::store::{LocalStore, ObjectStore};
use crate::workspace::Workspace;

/// The default grace period: unreachable objects younger than this stay.
pub const GRACE: Duration = Duration::from_secs(14 * 24 * 3600);
/// Reflog entries older than this are expired by gc.
pub const REFLOG_EXPIRY: Duration = Duration::from_secs(90 * 24 * 3600);
/// `gc --auto` does something only above these counts.
pub const AUTO_LOOSE: usize = 6700;
/// `gc.autopacklimit`'s default: `gc --auto` repacks past this many packs.
const AUTO_PACKS: usize = 50;
/// How long gc waits for running writers to finish.
const WRITERS_WAIT: Duration = Duration::from_secs(60);

/// Held while gc, repack or prune runs: one at a time per workspace.
pub struct GcLock {
    _lock: LockFile,
    _writers: fs::File,
}

/// Take the gc lock, then lock writers out (waiting for running ones).
pub fn lock(ws: &Workspace) -> Result<GcLock> {
    let lock = LockFile::acquire(&ws.dir.join("gc"), |path| {
        MaintError::GcRunning(path.to_path_buf()).into()
    })?;
    let writers = ws.odb.lock_writers_out(WRITERS_WAIT)?;
    Ok(GcLock {
        _lock: lock,
        _writers: writers,
    })
}

/// What a repack did.
#[derive(Debug, Default)]
pub struct Repacked {
    /// Objects written to the new pack.
    pub objects: usize,
    /// Of them, stored as deltas.
    pub deltas: usize,
    /// The new pack, if one was written.
    pub pack: Option<PathBuf>,
    /// Packs it replaced.
    pub packs_removed: usize,
    /// Loose objects it replaced.
    pub loose_removed: usize,
    /// Unreachable objects of removed packs written out as loose objects
    /// (keeping the pack's age), for prune to judge.
    pub exploded: usize,
}

fn reach_all(ws: &Workspace) -> Result<Reach> {
    let reach = reachable(&ws.odb, &roots(ws)?)?;
    refuse_unsound(reach)
}

/// `reach`, unless objects it should hold are missing or unreadable.
fn refuse_unsound(reach: Reach) -> Result<Reach> {
    if let Some((id, why)) = reach.unreadable.first() {
        return Err(MaintError::Unreadable {
            count: reach.unreadable.len(),
            first: *id,
            why: why.clone(),
        }
        .into());
    }
    if let Some(m) = reach.missing.first() {
        return Err(MaintError::Missing {
            count: reach.missing.len(),
            kind: m.kind,
            id: m.id,
            from: m.from.clone(),
        }
        .into());
    }
    Ok(reach)
}

/// Write every reachable object into one new pack (deltas chosen afresh,
/// each commit's tree against its parents'). With `delete`, remove the
/// packs it replaces and the loose objects it holds; unreachable objects
/// of removed packs become loose objects with the pack's age, never lost
/// before their grace period. Call with the gc lock held.
pub fn repack(ws: &Workspace, delete: bool, held: &GcLock) -> Result<Repacked> {
    repack_with(ws, delete, held, &Silent)
}

/// `repack`, reporting its phases (counting, writing objects) to `progress`.
pub fn repack_with(
    ws: &Workspace,
    delete: bool,
    _held: &GcLock,
    progress: &dyn Progress,
) -> Result<Repacked> {
    // One walk reads every reachable object; delta selection and the writer
    // below read what it kept (types, sizes, every non-blob object) from
    // memory instead of walking the store a second time.
    let (reach, kept) = phase(progress, "Counting objects", None, Unit::Items, || {
        reachable_kept(&ws.odb, &roots(ws)?)
    })?;
    let reach = refuse_unsound(reach)?;
    let store: &dyn ObjectStore = &kept;
    let mut out = Repacked::default();
    let old_packs = LocalStore::packs(&ws.odb)?;
    if reach.seen.is_empty() && old_packs.is_empty() {
        return Ok(out);
    }
    // Commits oldest first, so a node's previous version precedes it.
    let mut commits = crate::revwalk::walk(store, &reach.commits, &[], &Default::default())?;
    commits.reverse();
    let ids: Vec<ObjectId> = commits.into_iter().map(|c| c.id).collect();
    let mut sel = Selection::new(store);
    sel.add_commits(&ids, &[])?;
    let picked: HashSet<ObjectId> = sel.picks.iter().map(|p| p.id).collect();
    let mut rest: Vec<ObjectId> = reach
        .seen
        .iter()
        .filter(|id| !picked.contains(id))
        .copied()
        .collect();
    rest.sort();
    for id in rest {
        sel.add_object(id)?;
    }
    let picks = sel.picks;
    let dir = ws.odb.pack_dir();
    fs::create_dir_all(&dir).at(&dir)?;
    let (f, tmp) = crate::fsutil::create_tmp(&dir, "tmp_pack_", 0o666)?;
    progress.begin("Writing objects", Some(picks.len() as u64), Unit::Items);
    let written = (|| {
        let (mut w, bw) = crate::pack::write::write_pack(
            store,
            Some(&ws.odb),
            &picks,
            false,
            std::io::BufWriter::new(f),
            progress,
        )?;
        let f = bw.into_inner().map_err(|e| Error::Io {
            path: tmp.clone(),
            err: e.into_error(),
        })?;
        f.sync_all().at(&tmp)?;
        let idx = crate::store::packwrite::publish_pack(&dir, &tmp, &w.checksum.0, &mut w.entries)?;
        Ok::<_, Error>((w, idx))
    })();
    progress.end();
    let (w, idx) = match written {
        Ok(x) => x,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
    };
    out.objects = w.objects;
    out.deltas = w.deltas;
    out.pack = Some(idx.clone());
    ws.odb.rescan();
    if !delete {
        return Ok(out);
    }
    let new_ids: HashSet<ObjectId> = picks.iter().map(|p| p.id).collect();
    for p in &old_packs {
        if p.idx_path == idx {
            continue;
        }
        let age = fs::metadata(&p.pack_path)
            .and_then(|m| m.modified())
            .unwrap_or_else(|_| SystemTime::now());
        for i in 0..p.len() {
            let id = p.id_at(i);
            if new_ids.contains(&id) || ws.odb.loose.contains(&id)? {
                continue;
            }
            let o = p.read(i)?;
            ws.odb.loose.write(o.kind, &o.data)?;
            set_mtime(&ws.odb.loose.path_of(&id), age)?;
            out.exploded += 1;
        }
        for path in [&p.idx_path, &p.pack_path] {
            match fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e).at(path),
                _ => {}
            }
        }
        out.packs_removed += 1;
    }
    crate::sys::fsync_dir(&dir)?;
    for id in ws.odb.loose.list_ids()? {
        if new_ids.contains(&id) && ws.odb.loose.remove_loose(&id)? {
            out.loose_removed += 1;
        }
    }
    ws.odb.rescan();
    Ok(out)
}

fn set_mtime(path: &Path, t: SystemTime) -> Result<()> {
    fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(t))
        .at(path)
}

/// Whether `name` in `objects/`, a fan-out directory or `objects/pack/` is
/// a writer's temporary file (gc.md): `tmp_*` (loose objects, packs),
/// `incoming-*` (spooled packs) or write_atomic's `.NAME.tmp*` (indexes).
fn is_temporary(name: &str) -> bool {
    name.starts_with("tmp_")
        || name.starts_with("incoming-")
        || (name.starts_with('.') && name.contains(".tmp"))
}

/// What prune removed (or, dry, would remove).
#[derive(Debug, Default)]
pub struct Pruned {
    /// Unreachable objects old enough to go.
    pub objects: Vec<ObjectId>,
    /// Writers' temporary files old enough to go.
    pub garbage: Vec<PathBuf>,
}

/// Remove unreachable loose objects, and temporary files left by killed
/// writers, last modified before `expire`. Call with the gc lock held.
pub fn prune(ws: &Workspace, expire: SystemTime, dry_run: bool, _held: &GcLock) -> Result<Pruned> {
    let reach = reach_all(ws)?;
    let mut out = Pruned::default();
    let old = |p: &Path| -> Result<bool> {
        let m = fs::symlink_metadata(p).at(p)?;
        Ok(m.modified().at(p)? < expire)
    };
    for id in ws.odb.loose.list_ids()? {
        if reach.seen.contains(&id) {
            continue;
        }
        let p = ws.odb.loose.path_of(&id);
        if old(&p)? {
            if !dry_run {
                ws.odb.loose.remove_loose(&id)?;
            }
            out.objects.push(id);
        }
    }
    let loose = ws.odb.loose.dir();
    let fanout = (0..=255u8).map(|b| loose.join(format!("{b:02x}")));
    let dirs = [loose.to_path_buf(), ws.odb.pack_dir()]
        .into_iter()
        .chain(fanout);
    for dir in dirs {
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).at(&dir),
        };
        for ent in rd {
            let ent = ent.at(&dir)?;
            let name = ent.file_name().to_string_lossy().to_string();
            let p = ent.path();
            if is_temporary(&name) && ent.file_type().at(&p)?.is_file() && old(&p)? {
                if !dry_run {
                    fs::remove_file(&p).at(&p)?;
                }
                out.garbage.push(p);
            }
        }
    }
    Ok(out)
}

/// Drop reflog entries whose time is before `expire` (every container).
/// Returns how many were dropped.
fn expire_reflogs(ws: &Workspace, expire: SystemTime) -> Result<usize> {
    let cutoff = expire
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let mut dropped = 0;
    for c in ws.containers()? {
        let cdir = ws.container_dir(&c);
        let logs = cdir.join("logs");
        for path in super::reach::files_below(&logs)?
            .into_iter()
            .filter(|p| !p.to_string_lossy().ends_with(".lock"))
        {
            let text = fs::read_to_string(&path).at(&path)?;
            let mut kept = String::with_capacity(text.len());
            for line in text.lines() {
                if entry_time(line).is_some_and(|t| t < cutoff) {
                    dropped += 1;
                } else {
                    kept.push_str(line);
                    kept.push('\n');
                }
            }
            if kept.len() != text.len() {
                crate::fsutil::write_atomic(&path, kept.as_bytes())?;
            }
        }
    }
    Ok(dropped)
}

/// The time of a reflog line: `OLD NEW NAME <EMAIL> SECONDS TZ\tMSG`.
fn entry_time(line: &str) -> Option<i64> {
    let head = line.split('\t').next()?;
    let mut it = head.rsplitn(3, ' ');
    let _tz = it.next()?;
    it.next()?.parse().ok()
}

/// What gc did.
#[derive(Debug, Default)]
pub struct GcReport {
    /// `--auto` found nothing to do.
    pub skipped: bool,
    /// Reflog entries expired.
    pub reflog_dropped: usize,
    /// What the repack did.
    pub repacked: Repacked,
    /// What prune removed.
    pub pruned: Pruned,
    /// What the checkout cache lost.
    pub cache: crate::cache::Pruned,
}

/// gc: expire reflogs, repack everything reachable into one pack (removing
/// what it replaces), prune unreachable objects older than `prune_expire`.
pub fn gc(ws: &Workspace, prune_expire: SystemTime, auto: bool) -> Result<GcReport> {
    gc_with(ws, prune_expire, auto, &Silent)
}

/// `gc`, reporting the repack's phases to `progress`.
pub fn gc_with(
    ws: &Workspace,
    prune_expire: SystemTime,
    auto: bool,
    progress: &dyn Progress,
) -> Result<GcReport> {
    let mut report = GcReport::default();
    if auto {
        // `gc.auto` / `gc.autoPackLimit` in the workspace config override the
        // thresholds (0 turns automatic gc off).
        let limit = |key: &str, default: usize| {
            ws.config
                .get(key)
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(default)
        };
        let (loose, packs) = (
            limit("gc.auto", AUTO_LOOSE),
            limit("gc.autopacklimit", AUTO_PACKS),
        );
        // Cheap on purpose (commit and import run this): loose objects are
        // counted by name only, stopping at the threshold; packs are the
        // store's already loaded list.
        let many_loose = ws.odb.loose.count_exceeds(loose)?;
        let many_packs = LocalStore::packs(&ws.odb)?.len() > packs;
        if loose == 0 || !(many_loose || many_packs) {
            report.skipped = true;
            return Ok(report);
        }
    }
    let held = lock(ws)?;
    report.reflog_dropped = expire_reflogs(ws, SystemTime::now() - REFLOG_EXPIRY)?;
    report.repacked = repack_with(ws, true, &held, progress)?;
    report.pruned = prune(ws, prune_expire, false, &held)?;
    // Program-cache entries of content the store no longer has (runtime.md).
    crate::runtime::programs::prune(&ws.dir, |id| ws.odb.contains(id).unwrap_or(true));
    // Checkout-cache entries of trees no root names, then the size cap (runtime.md, "Upkeep").
    if crate::cache::dir(ws).join("trees").is_dir() {
        let keep = crate::maint::reach::root_trees(ws)?;
        report.cache = crate::cache::prune(ws, |t| keep.contains(t), crate::cache::max_size(ws)?)?;
    }
    // Shallow entries whose commits are gone (a crash between a fetch's
    // pack and its refs, or pruned history) are dropped.
    let shallow = ws.odb.shallow()?;
    if !shallow.is_empty() {
        let mut kept = crate::store::shallow::ShallowSet::new();
        for id in shallow.iter() {
            if ws.odb.contains(id)? {
                kept.insert(*id);
            }
        }
        if kept.len() != shallow.len() {
            ws.odb.set_shallow(kept)?;
        }
    }
    Ok(report)
}

/// Parse an expiry: `now`, `never`, seconds since the epoch, or `N.units.ago`
/// / `N units ago` (seconds, minutes, hours, days, weeks).
pub fn parse_expire(s: &str) -> Result<SystemTime> {
    let now = SystemTime::now();
    let t = s.trim();
    if t == "now" {
        return Ok(now + Duration::from_secs(1));
    }
    if t == "never" {
        return Ok(SystemTime::UNIX_EPOCH);
    }
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
    }
    let words: Vec<&str> = t.split(['.', ' ']).filter(|w| !w.is_empty()).collect();
    if let [n, unit, "ago"] = words.as_slice() {
        if let Ok(n) = n.parse::<u64>() {
            let unit = unit.trim_end_matches('s');
            let secs = match unit {
                "second" => 1,
                "minute" => 60,
                "hour" => 3600,
                "day" => 86400,
                "week" => 7 * 86400,
                _ => 0,
            };
            if secs > 0 {
                return Ok(now - Duration::from_secs(n * secs));
            }
        }
    }
    Err(MaintError::BadExpiry(s.to_string()).into())
}

/// Write the ids of `objects` as files under `.hako/lost-found/<kind>/`.
pub fn lost_found(ws: &Workspace, objects: &[(ObjectId, crate::ObjectType)]) -> Result<PathBuf> {
    let base = ws.dir.join("lost-found");
    for (id, kind) in objects {
        let sub = base.join(if *kind == crate::ObjectType::Commit {
            "commit"
        } else {
            "other"
        });
        fs::create_dir_all(&sub).at(&sub)?;
        let p = sub.join(id.to_hex());
        let mut f = fs::File::create(&p).at(&p)?;
        writeln!(f, "{id}").at(&p)?;
    }
    Ok(base)
}
