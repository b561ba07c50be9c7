//! The checkout cache (format-spec/runtime.md, "The checkout cache"):
//! read-only checkouts of trees under `.hako/cache/trees/`, their regular
//! files hardlinked to shared plain copies, a tree close to a cached one
//! written as a layer of the differing paths stacked over it.
#![warn(missing_docs)]

pub mod entry;
pub mod error;
pub mod files;
pub(crate) mod layer;
mod prune;
mod unsynced;

use std::collections::HashSet;
use std::fs::{self, File};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::error::{Error, IoContext, Result};
use crate::hostfs::{checkout_tree, CheckoutOptions, CheckoutReport};
use crate::oid::ObjectId;
use crate::prolly::dir::{self, S_IFCHR, S_IFMT, S_IFREG};
use crate::store::ObjectStore;
use crate::workspace::Workspace;
use error::{CacheError, DamageKind, EntryDamage};

pub use prune::{max_size, prune, Pruned, Removal};
pub use unsynced::Unsynced;
use unsynced::{boot_id, check_sync, complete, write_unsynced, UNSYNCED};

pub use entry::{Kind, Profile, Record};

/// Most lower directories stacked (a full entry and its layers).
pub const MAX_DEPTH: u32 = 8;
/// Most entries a layer may hold; past it a full entry is written.
const MAX_LAYER: usize = 4096;
/// How many recently used entries are considered as a layer's base.
const CANDIDATES: usize = 8;
/// The default size cap (`cache.maxSize`).
pub(crate) const DEFAULT_MAX_SIZE: u64 = 4 << 30;

/// The cache directory of a workspace.
pub fn dir(ws: &Workspace) -> PathBuf {
    ws.dir.join("cache")
}

fn trees(cache: &Path) -> PathBuf {
    cache.join("trees")
}

/// The directories a tree's overlay lower is made of, topmost first, with
/// the entries held (shared `flock`) while this lives, so no prune removes
/// them under a mount.
#[derive(Debug)]
pub struct Lower {
    /// The entries' `root/` directories, topmost first.
    pub dirs: Vec<PathBuf>,
    /// The entry names, topmost first.
    pub entries: Vec<String>,
    _held: Vec<File>,
}

impl Lower {
    /// overlay's `lowerdir=` value: the directories joined by `:`, each
    /// `\`, `:` and `,` escaped with `\`.
    pub fn lowerdir(&self) -> String {
        self.dirs
            .iter()
            .map(|d| crate::sandbox::escape_overlay_path(d))
            .collect::<Vec<_>>()
            .join(":")
    }
}

/// What `prepare` did.
#[derive(Debug, Default)]
pub struct Prepared {
    /// The overlay lower, when one was prepared.
    pub lower: Option<Lower>,
    /// The entry was written now (not found, or damaged), and how.
    pub written: Option<Kind>,
    /// A damaged entry that was removed and rebuilt, and why.
    pub damaged: Option<EntryDamage>,
    /// Plain copies written.
    pub copies: u64,
    /// Entries of the tree a checkout could not make (device nodes rootless).
    pub skipped: Vec<String>,
}

/// The cache's lock, held exclusively while entries are written or removed.
struct CacheLock(#[allow(dead_code)] File);

fn lock(cache: &Path) -> Result<CacheLock> {
    for d in ["files", "trees", "tmp"] {
        let p = cache.join(d);
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&p)
            .at(&p)?;
    }
    let p = cache.join("lock");
    let f = crate::fsutil::open_lock_file(&p)?;
    f.lock().at(&p)?;
    Ok(CacheLock(f))
}

/// Take the shared lock of an entry (held by its users).
fn hold(entry_dir: &Path) -> Result<File> {
    let p = entry_dir.join("lock");
    let f = File::open(&p).at(&p)?;
    f.lock_shared().at(&p)?;
    Ok(f)
}

/// Whether an entry is in use (its lock cannot be taken exclusively).
fn busy(entry_dir: &Path) -> bool {
    let p = entry_dir.join("lock");
    let Ok(f) = File::open(&p) else {
        return false;
    };
    f.try_lock().is_err()
}

fn touch(p: &Path) {
    let _ = nix::sys::stat::utimensat(
        nix::fcntl::AT_FDCWD,
        p,
        &nix::sys::time::TimeSpec::UTIME_NOW,
        &nix::sys::time::TimeSpec::UTIME_NOW,
        nix::sys::stat::UtimensatFlags::NoFollowSymlink,
    );
}

/// The entries of the cache, each with its record (entries whose record
/// cannot be read are listed with the error).
fn scan(cache: &Path) -> Result<Vec<(String, Result<Record>)>> {
    let mut out: Vec<(String, Result<Record>)> = crate::fsutil::dir_paths(&trees(cache))?
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, Record::load(&p))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn last_use(entry_dir: &Path) -> SystemTime {
    fs::symlink_metadata(entry_dir.join("used"))
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

/// The quick check of an entry and of every entry below it: its stack
/// (entry names, topmost first), or the first damage found.
fn check_stack(cache: &Path, name: &str) -> std::result::Result<Vec<String>, EntryDamage> {
    let names = stack_of(cache, name)?;
    check_entries(cache, &names)?;
    Ok(names)
}

/// The stack of an entry from the records alone (entry names, topmost
/// first), or why the records are damaged.
fn stack_of(cache: &Path, name: &str) -> std::result::Result<Vec<String>, EntryDamage> {
    let mut names = Vec::new();
    let mut cur = name.to_string();
    loop {
        let d = trees(cache).join(&cur);
        let rec = Record::load(&d).map_err(|e| DamageKind::Record(e.to_string()).of(&cur))?;
        if rec.name() != cur {
            return Err(DamageKind::NamesAnotherTree.of(&cur));
        }
        names.push(cur.clone());
        match rec.kind {
            Kind::Full => return Ok(names),
            Kind::Layer { base } => {
                if names.len() > MAX_DEPTH as usize {
                    return Err(DamageKind::StackedTooDeep.of(&cur));
                }
                cur = base;
            }
        }
    }
}

/// The stamps of each of `names` checked against its `root/`, and its
/// sync, when left to its next use, due in this boot.
fn check_entries(cache: &Path, names: &[String]) -> std::result::Result<(), EntryDamage> {
    for cur in names {
        let d = trees(cache).join(cur);
        check_sync(&d).map_err(|why| why.of(cur))?;
        let stamps =
            fs::read(d.join("stamps")).map_err(|e| DamageKind::StampsUnreadable(e).of(cur))?;
        if let Some((path, why)) = entry::check_stamps(&d.join("root"), &stamps) {
            let why = why.into();
            return Err(DamageKind::Stamp { path, why }.of(cur));
        }
    }
    Ok(())
}

/// Finish the entries of `lower` whose sync was left to their next use
/// (a run calls it once its command has ended, for entries it did not
/// write itself).
/// Skipped while another process holds the cache's lock (it may be writing
/// for minutes; a later use finishes them).
pub(crate) fn complete_lower(ws: &Workspace, lower: &Lower) -> Result<()> {
    let cache = dir(ws);
    // The usual case, every entry synced: no lock taken.
    if !lower
        .entries
        .iter()
        .any(|n| trees(&cache).join(n).join(UNSYNCED).exists())
    {
        return Ok(());
    }
    let p = cache.join("lock");
    let f = File::open(&p).at(&p)?;
    if f.try_lock().is_err() {
        return Ok(());
    }
    for n in &lower.entries {
        complete(&cache, n)?;
    }
    Ok(())
}

/// The quick check of a cached tree's stack, left to the caller by
/// [`prepare_unchecked`]: a run makes it while its sandbox is set up, and
/// starts the command only once it has passed (runtime.md, "Stamps and the
/// quick check").
#[derive(Debug)]
pub struct QuickCheck {
    cache: PathBuf,
    entries: Vec<String>,
}

impl QuickCheck {
    /// Check every entry of the stack; the first damage found, if any.
    pub fn run(&self) -> std::result::Result<(), EntryDamage> {
        check_entries(&self.cache, &self.entries)
    }
}

/// Remove an entry directory: renamed into tmp/ first, so it disappears at
/// once; removed there unless an instance still uses it (then a later
/// prune removes it).
fn remove_entry(cache: &Path, name: &str) -> Result<()> {
    let from = trees(cache).join(name);
    let to = crate::fsutil::tmp_path(&cache.join("tmp"), "gone-");
    match fs::rename(&from, &to) {
        Ok(()) if busy(&to) => Ok(()),
        Ok(()) => crate::userns::remove_tree(&to),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).at(&from),
    }
}

/// Prepare tree `tree` for an overlay lower under `profile`: use its entry
/// if it is intact, else write it (a layer over a close cached tree, or a
/// full checkout). A mapped entry is checked and written inside a user
/// namespace with its map (runtime.md, "Mapped users").
pub fn prepare(ws: &Workspace, tree: &ObjectId, profile: &Profile) -> Result<Prepared> {
    prepare_with(ws, tree, profile, false).map(|(p, _)| p)
}

/// `prepare`, except that a tree already cached (with the plain or owners
/// profile) is returned before its quick check, which is returned to be
/// made by the caller before anything uses the lower directories' content
/// (the entries are held meanwhile, so no prune removes them). On damage,
/// the caller drops the lower and calls [`prepare`], which rebuilds.
pub fn prepare_unchecked(
    ws: &Workspace,
    tree: &ObjectId,
    profile: &Profile,
) -> Result<(Prepared, Option<QuickCheck>)> {
    prepare_with(ws, tree, profile, true)
}

fn prepare_with(
    ws: &Workspace,
    tree: &ObjectId,
    profile: &Profile,
    defer: bool,
) -> Result<(Prepared, Option<QuickCheck>)> {
    let cache = dir(ws);
    let _lock = lock(&cache)?;
    let done = match profile.map() {
        Some(map) if !crate::userns::in_child_namespace() => {
            let (wsdir, container) = (ws.dir.clone(), ws.container.clone());
            let c = cache.clone();
            crate::userns::run_mapped(map, move || {
                let ws = Workspace::open_with(&wsdir, Some(&container))?;
                prepare_locked(&ws, &c, tree, profile, false)
            })?
        }
        _ => prepare_locked(ws, &cache, tree, profile, defer && profile.map().is_none())?,
    };
    let check = done.unchecked.then(|| QuickCheck {
        cache: cache.clone(),
        entries: done.stack.clone(),
    });
    let prepared = Prepared {
        lower: Some(lower_of(&cache, done.stack)?),
        written: done.written,
        damaged: done.damaged,
        copies: done.copies,
        skipped: done.skipped,
    };
    Ok((prepared, check))
}

/// What `prepare` did under the cache's lock (possibly in a user namespace).
#[derive(serde::Serialize, serde::Deserialize)]
struct Done {
    /// The entry's stack, topmost first.
    stack: Vec<String>,
    written: Option<Kind>,
    damaged: Option<EntryDamage>,
    copies: u64,
    skipped: Vec<String>,
    /// The stack was found but its quick check is left to the caller.
    #[serde(default)]
    unchecked: bool,
}

fn prepare_locked(
    ws: &Workspace,
    cache: &Path,
    tree: &ObjectId,
    profile: &Profile,
    defer: bool,
) -> Result<Done> {
    let cache = cache.to_path_buf();
    let store: &dyn ObjectStore = &ws.odb;
    let name = entry::name(tree, profile);
    let mut out = Done {
        stack: Vec::new(),
        written: None,
        damaged: None,
        copies: 0,
        skipped: Vec::new(),
        unchecked: false,
    };
    if defer && trees(&cache).join(&name).exists() {
        if let Ok(stack) = stack_of(&cache, &name) {
            out.stack = stack;
            out.unchecked = true;
            return Ok(out);
        }
    }
    if trees(&cache).join(&name).exists() {
        match check_stack(&cache, &name).and_then(|stack| {
            stack.iter().try_for_each(|n| complete(&cache, n))?;
            Ok(stack)
        }) {
            Ok(stack) => {
                out.stack = stack;
                return Ok(out);
            }
            Err(why) => {
                out.damaged = Some(why);
                // The entry or one below it is damaged: every entry whose
                // stack holds a damaged one goes, and is written again.
                remove_damaged(&cache)?;
            }
        }
    }
    // The base: the recently used entry of this profile closest to the tree.
    let mut recent: Vec<(SystemTime, Record)> = scan(&cache)?
        .into_iter()
        .filter_map(|(n, r)| {
            let r = r.ok()?;
            (r.profile == *profile && r.depth < MAX_DEPTH && r.name() == n)
                .then(|| (last_use(&trees(&cache).join(&n)), r))
        })
        .collect();
    recent.sort_by_key(|r| std::cmp::Reverse(r.0));
    // (changes, recency rank, entry): the fewest changes first, then the most recent.
    let mut close: Vec<(usize, usize, Record)> = Vec::new();
    for (rank, (_, r)) in recent.into_iter().take(CANDIDATES).enumerate() {
        if let Some(n) = layer::count_changes(store, &r.tree, tree, MAX_LAYER)? {
            close.push((n, rank, r));
        }
    }
    close.sort_by_key(|c| (c.0, c.1));
    // Only the base taken gets the quick check (a stat of each of its paths).
    let best = close
        .into_iter()
        .map(|(_, _, r)| r)
        .find(|r| check_stack(&cache, &r.name()).is_ok());
    let mut shared = files::SharedFiles::new(&cache, profile.clone());
    // A layer's few copies are synced one by one; a full entry's many at once.
    shared.sync_each = best.is_some();
    let shared = Arc::new(shared);
    let opts = CheckoutOptions {
        owners: profile.owners(),
        devices: *profile == Profile::Owners,
        root: None,
        times: true,
        files: Some(shared.clone()),
    };
    sweep_tmp(&cache)?;
    let tmp = crate::fsutil::tmp_dir(&cache.join("tmp"), "entry-", 0o777)?.keep();
    // On a pool of its own: a supervisor forks the sandbox next.
    let written =
        crate::sandbox::in_own_pool(|| write_entry(store, tree, profile, best, &tmp, &opts))
            .map_err(|e| Error::Cache(CacheError::Workers(e)))
            .and_then(|r| r);
    let (rec, report) = match written {
        Ok(x) => x,
        Err(e) => {
            let _ = crate::fsutil::remove_tree(&tmp);
            return Err(e);
        }
    };
    // A full entry's sync is left to its next use (`complete`): it becomes
    // visible with its boot recorded, and a restart before the sync makes it
    // damaged. A layer's copies were synced one by one and are named now.
    match (rec.kind == Kind::Full).then(boot_id).flatten() {
        Some(boot) => {
            let copies = shared.take_pending();
            if let Err(e) = write_unsynced(&tmp, &boot, &copies) {
                let _ = crate::fsutil::remove_tree(&tmp);
                return Err(e);
            }
        }
        None => {
            if !shared.sync_each || rec.kind == Kind::Full {
                if let Ok(f) = File::open(&tmp) {
                    let _ = nix::unistd::syncfs(&f);
                }
            }
            // Only now may other entries link the new copies.
            shared.publish()?;
        }
    }
    let dest = trees(&cache).join(&name);
    if let Err(e) = fs::rename(&tmp, &dest) {
        let _ = crate::fsutil::remove_tree(&tmp);
        if !dest.exists() {
            return Err(e).at(&dest);
        }
    }
    out.stack = check_stack(&cache, &name).map_err(|damage| CacheError::DamagedAsWritten {
        name: name.clone(),
        damage,
    })?;
    out.written = Some(rec.kind);
    out.copies = shared.written.load(std::sync::atomic::Ordering::Relaxed);
    out.skipped = report.skipped;
    Ok(out)
}

/// Write entry of `tree` into the empty directory `tmp`: a layer over
/// `base` when given (falling back to full where whiteouts cannot be made).
fn write_entry(
    store: &dyn ObjectStore,
    tree: &ObjectId,
    profile: &Profile,
    base: Option<Record>,
    tmp: &Path,
    opts: &CheckoutOptions,
) -> Result<(Record, CheckoutReport)> {
    let root = tmp.join("root");
    let mut report = CheckoutReport::default();
    let mut kind = Kind::Full;
    let mut depth = 0;
    if let Some(b) = &base {
        fs::create_dir(&root).at(&root)?;
        match layer::write_layer(store, &b.tree, tree, &root, profile, opts, &mut report) {
            Ok(()) => {
                kind = Kind::Layer { base: b.name() };
                depth = b.depth + 1;
            }
            Err(Error::Io { err, .. }) if err.raw_os_error() == Some(libc::EPERM) => {
                crate::fsutil::remove_tree(&root)?;
                report = CheckoutReport::default();
            }
            Err(e) => return Err(e),
        }
    }
    if kind == Kind::Full {
        layer::check_presentable(store, tree, tree, "", profile)?;
        report = checkout_tree(store, tree, &root, opts)?;
    }
    let stamped = entry::stamp(&root)?;
    let rec = Record {
        tree: *tree,
        profile: profile.clone(),
        kind,
        depth,
        files: stamped.files,
        bytes: stamped.bytes,
    };
    fs::write(tmp.join("stamps"), stamped.stamps).at(tmp)?;
    fs::write(tmp.join("entry"), rec.encode()).at(tmp)?;
    fs::write(tmp.join("lock"), b"").at(tmp)?;
    fs::write(tmp.join("used"), b"").at(tmp)?;
    Ok((rec, report))
}

fn lower_of(cache: &Path, stack: Vec<String>) -> Result<Lower> {
    let mut held = Vec::new();
    let mut dirs = Vec::new();
    for n in &stack {
        let d = trees(cache).join(n);
        held.push(hold(&d)?);
        touch(&d.join("used"));
        dirs.push(d.join("root"));
    }
    Ok(Lower {
        dirs,
        entries: stack,
        _held: held,
    })
}

/// Remove every entry whose stack fails the quick check (one in use is
/// moved aside: its instance keeps its view, the next one gets a new entry).
fn remove_damaged(cache: &Path) -> Result<Vec<(String, Removal)>> {
    let mut removed = Vec::new();
    let view = Viewer::this_process();
    for (n, _) in scan(cache)? {
        if !view.can_check(&n) {
            continue;
        }
        if let Err(why) = check_stack(cache, &n).and_then(|_| complete(cache, &n)) {
            remove_entry(cache, &n)?;
            removed.push((n, Removal::Damaged(why)));
        }
    }
    Ok(removed)
}

/// Which entries this process can check and remove: root (outside any user
/// namespace) every one; another process the plain entries, and, inside a
/// user namespace, the mapped entries of that namespace's map (their files
/// hold its ids: outside it they may be unreadable).
struct Viewer {
    root: bool,
    mapped_suffix: Option<String>,
}

impl Viewer {
    fn this_process() -> Viewer {
        let inner = crate::userns::in_child_namespace();
        Viewer {
            root: nix::unistd::geteuid().is_root() && !inner,
            mapped_suffix: inner
                .then(|| Profile::Mapped(crate::sandbox::IdMap::of_this_process()).suffix()),
        }
    }

    fn can_check(&self, name: &str) -> bool {
        let suffix = name.rsplit('.').next().unwrap_or("");
        self.root || suffix == "plain" || self.mapped_suffix.as_deref() == Some(suffix)
    }
}

/// Whether the cache holds mapped entries this process cannot check, and
/// the caller's map to check them with (a non-root caller with subordinate
/// ids, outside any user namespace).
fn mapped_work(cache: &Path) -> Result<Option<crate::sandbox::IdMap>> {
    if crate::userns::in_child_namespace() {
        return Ok(None);
    }
    let Some(map) = crate::userns::caller_map() else {
        return Ok(None);
    };
    let suffix = Profile::Mapped(map.clone()).suffix();
    let mine = scan(cache)?
        .iter()
        .any(|(n, _)| n.rsplit('.').next() == Some(suffix.as_str()));
    Ok(mine.then_some(map))
}

/// One entry as `cache ls` shows it.
#[derive(Debug)]
pub struct Listed {
    /// The entry's directory name.
    pub name: String,
    /// Its record, or why it cannot be read.
    pub record: Result<Record>,
    /// When an instance last used it.
    pub last_use: SystemTime,
}

/// Every entry of the workspace's checkout cache.
pub fn list(ws: &Workspace) -> Result<Vec<Listed>> {
    let cache = dir(ws);
    Ok(scan(&cache)?
        .into_iter()
        .map(|(name, record)| Listed {
            last_use: last_use(&trees(&cache).join(&name)),
            name,
            record,
        })
        .collect())
}

/// Disk used by the cache: allocated blocks of `files/` and `trees/`, each inode once.
pub(crate) fn disk_usage(cache: &Path) -> Result<u64> {
    let mut seen = HashSet::new();
    let mut total = 0u64;
    let mut stack = vec![cache.join("files"), trees(cache)];
    while let Some(d) = stack.pop() {
        let rd = match fs::read_dir(&d) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).at(&d),
        };
        for e in rd {
            let e = e.at(&d)?;
            let Ok(m) = fs::symlink_metadata(e.path()) else {
                continue;
            };
            if seen.insert((m.dev(), m.ino())) {
                total += m.blocks() * 512;
            }
            if m.is_dir() {
                stack.push(e.path());
            }
        }
    }
    Ok(total)
}

/// Remove what killed writers left in `tmp/`. Called under the cache lock,
/// which every writer of entries and copies holds: those are all dead. A
/// probe's directory (made without the lock) goes once an hour old; an
/// entry moved aside goes once no instance uses it.
fn sweep_tmp(cache: &Path) -> Result<()> {
    let tmp = cache.join("tmp");
    let Ok(rd) = fs::read_dir(&tmp) else {
        return Ok(());
    };
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < hour_ago);
        let dead = name.starts_with("entry-") || name.starts_with("copy-");
        let gone = name.starts_with("gone-") && !busy(&e.path());
        if dead || gone || (old && !name.starts_with("gone-")) {
            crate::userns::remove_tree(&e.path())?;
        }
    }
    Ok(())
}

/// One problem `verify` found: the entry and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Damage {
    /// The entry's name.
    pub entry: String,
    /// What is wrong.
    pub why: String,
}

/// Check every entry: the quick check, and with `full` every regular
/// file's content against the tree and every path's attributes against the
/// tree's entry as the profile presents it.
pub fn verify(ws: &Workspace, full: bool) -> Result<Vec<Damage>> {
    let cache = dir(ws);
    match mapped_work(&cache)? {
        Some(map) => {
            let (wsdir, container) = (ws.dir.clone(), ws.container.clone());
            crate::userns::run_mapped(&map, move || {
                let ws = Workspace::open_with(&wsdir, Some(&container))?;
                verify_here(&ws, full)
            })
        }
        None => verify_here(ws, full),
    }
}

/// `verify` of the entries this process can check.
fn verify_here(ws: &Workspace, full: bool) -> Result<Vec<Damage>> {
    let cache = dir(ws);
    let view = Viewer::this_process();
    let mut out = Vec::new();
    for (n, rec) in scan(&cache)? {
        if !view.can_check(&n) {
            continue;
        }
        let d = trees(&cache).join(&n);
        let rec = match rec {
            Ok(r) if r.name() == n => r,
            Ok(_) => {
                out.push(Damage {
                    entry: n,
                    why: "entry names another tree".into(),
                });
                continue;
            }
            Err(e) => {
                out.push(Damage {
                    entry: n,
                    why: e.to_string(),
                });
                continue;
            }
        };
        if let Err(why) = check_sync(&d) {
            out.push(Damage {
                entry: n.clone(),
                why: why.to_string(),
            });
        }
        let stamps = fs::read(d.join("stamps")).unwrap_or_default();
        if let Some((path, why)) = entry::check_stamps(&d.join("root"), &stamps) {
            out.push(Damage {
                entry: n.clone(),
                why: format!("stamps: {path}: {why}"),
            });
        }
        if full {
            for why in full_check(&ws.odb, &rec, &d.join("root"))? {
                out.push(Damage {
                    entry: n.clone(),
                    why,
                });
            }
        }
    }
    Ok(out)
}

/// Every path of an entry's root against the tree: type, attributes as
/// presented, content of regular files; and, for a full entry, every path
/// of the tree present.
fn full_check(store: &dyn ObjectStore, rec: &Record, root: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let hash_only = crate::store::HashOnly;
    let mut stack = vec![(root.to_path_buf(), Vec::<Vec<u8>>::new(), Some(rec.tree))];
    while let Some((d, comps, tree)) = stack.pop() {
        let mut on_disk = HashSet::new();
        for e in fs::read_dir(&d).at(&d)? {
            let e = e.at(&d)?;
            let name = e.file_name().as_bytes().to_vec();
            on_disk.insert(name.clone());
            let p = e.path();
            let mut c = comps.clone();
            c.push(name.clone());
            let shown = String::from_utf8_lossy(&c.join(&b'/')).into_owned();
            let m = fs::symlink_metadata(&p).at(&p)?;
            let want = match tree {
                Some(t) => dir::get(store, &t, &name)?,
                None => None,
            };
            let Some(want) = want else {
                let whiteout = m.mode() & S_IFMT == S_IFCHR && m.rdev() == 0;
                if !(whiteout && matches!(rec.kind, Kind::Layer { .. })) {
                    problems.push(format!("{shown}: not in the tree"));
                }
                continue;
            };
            if m.mode() & S_IFMT != want.mode & S_IFMT {
                problems.push(format!("{shown}: of another type than the tree's"));
                continue;
            }
            let (mode, meta) = files::presented(&want, &rec.profile);
            let owners = rec.profile.owners();
            let bits = if owners { 0o7777 } else { 0o1777 };
            if !m.file_type().is_symlink() && m.mode() & 0o7777 != mode & bits {
                problems.push(format!("{shown}: mode differs from the tree"));
            }
            if owners && (m.uid(), m.gid()) != (meta.uid, meta.gid) {
                problems.push(format!("{shown}: owner differs from the tree"));
            }
            if (m.mtime(), m.mtime_nsec())
                != (meta.mtime.unwrap_or(0) as i64, i64::from(meta.mtime_nsec))
            {
                problems.push(format!("{shown}: modification time differs from the tree"));
            }
            if m.is_dir() {
                stack.push((p, c, Some(want.id)));
            } else if want.mode & S_IFMT == S_IFREG {
                let id = crate::hostfs::store_file(&hash_only, &p)?;
                if id != want.id {
                    problems.push(format!("{shown}: content differs from the tree"));
                }
            } else if m.file_type().is_symlink() {
                let target = fs::read_link(&p).at(&p)?;
                let id = hash_only.write(crate::ObjectType::Blob, target.as_os_str().as_bytes())?;
                if id != want.id {
                    problems.push(format!("{shown}: symlink target differs from the tree"));
                }
            }
        }
        // A full entry holds every path of its tree (devices skipped rootless).
        if let (Kind::Full, Some(t)) = (&rec.kind, tree) {
            for e in dir::TreeCursor::new(store, &t)? {
                let e = e?;
                let device = matches!(e.mode & S_IFMT, 0o020000 | 0o060000);
                if e.name != dir::ROOT_RECORD
                    && !on_disk.contains(&e.name)
                    && (rec.profile == Profile::Owners || !device)
                {
                    let mut c = comps.clone();
                    c.push(e.name.clone());
                    problems.push(format!(
                        "{}: missing",
                        String::from_utf8_lossy(&c.join(&b'/'))
                    ));
                }
            }
        }
    }
    Ok(problems)
}
