//! The pull workflow (format-spec/oci.md): resolve an image, fetch what the
//! store lacks, and commit its root filesystem to a container (created, or
//! given one more commit, on its current branch or another), as `hako
//! pull` and `apply` do.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::container::{head_commit, is_dirty, lock_working, read_working};
use crate::error::{Error, Result};
use crate::object::{Object, ObjectType};
use crate::oid::ObjectId;
use crate::refs::{check_short_name, Expect};
use crate::store::{BatchWriter, ObjectStore};
use crate::workspace::{check_container_name, Workspace};

use super::credentials::credentials_for;
use super::fetch::{fetch_tree, resolve, PullProgress};
use super::manifest::Platform;
use super::record::{last_pull, stored_pull, PullRecord};
use super::reference::Reference;
use super::registry::Registry;

/// The identity of pull commits when none is configured.
const PULL_NAME: &str = "hako pull";
const PULL_EMAIL: &str = "pull@hako.invalid";

/// What to pull, and where.
#[derive(Clone, Debug)]
pub struct PullRequest {
    /// The image: `alpine`, `host:port/repo:tag`, `repo@sha256:…`.
    pub image: String,
    /// The container (default: the repository's last component).
    pub name: Option<String>,
    /// The platform to pick from an index (default: this machine's).
    pub platform: Option<Platform>,
    /// Allow plain HTTP to this registry (always allowed on loopback).
    pub insecure: bool,
    /// Layers downloaded at once.
    pub jobs: usize,
    /// Commit on this branch (made from the last pull when missing)
    /// instead of the current one.
    pub branch: Option<String>,
}

impl PullRequest {
    /// A pull of `image` with the defaults of `hako pull IMAGE`.
    pub fn new(image: &str) -> PullRequest {
        PullRequest {
            image: image.to_string(),
            name: None,
            platform: None,
            insecure: false,
            jobs: 3,
            branch: None,
        }
    }
}

/// What a pull did.
#[derive(Clone, Debug)]
pub enum PullOutcome {
    /// The container's branch already holds this manifest's pull.
    UpToDate {
        image: String,
        name: String,
        digest: String,
        /// Commits of the container's own above that pull.
        above: usize,
    },
    /// A new pull commit.
    Pulled(Pulled),
}

/// A new pull commit, and what it cost.
#[derive(Clone, Debug)]
pub struct Pulled {
    pub id: ObjectId,
    pub image: String,
    pub name: String,
    /// The commit went on the container's current branch (HEAD).
    pub on_head: bool,
    /// The branch it went on (`HEAD` when detached).
    pub on: String,
    pub digest: String,
    pub platform: Platform,
    /// The same manifest was stored already: nothing but it was downloaded.
    pub already_stored: bool,
    /// Bytes of the manifest and index documents.
    pub fetched: u64,
    /// Bytes of the layers and config downloaded.
    pub downloaded: u64,
    pub layers: usize,
    /// Growth of the object database on disk.
    pub stored_bytes: u64,
    /// Objects the database did not have, and their bytes before compression.
    pub new_objects: u64,
    pub new_bytes: u64,
}

/// Counts the payload bytes of objects the database did not have.
struct NewBytes<'a> {
    batch: &'a BatchWriter<'a>,
    seen: Mutex<HashSet<ObjectId>>,
    bytes: AtomicU64,
    objects: AtomicU64,
}

impl ObjectStore for NewBytes<'_> {
    fn contains(&self, id: &ObjectId) -> Result<bool> {
        self.batch.contains(id)
    }
    fn read(&self, id: &ObjectId) -> Result<Object> {
        self.batch.read(id)
    }
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
        self.batch.read_header(id)
    }
    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId> {
        let id = self.batch.write(kind, data)?;
        if self.seen.lock().unwrap().insert(id) && !self.batch.odb.contains(&id)? {
            self.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
            self.objects.fetch_add(1, Ordering::Relaxed);
        }
        Ok(id)
    }
}

/// Bytes under a directory (the object database's size on disk).
fn du(p: &std::path::Path) -> u64 {
    let mut total = 0;
    let Ok(rd) = std::fs::read_dir(p) else {
        return 0;
    };
    for e in rd.flatten() {
        match e.metadata() {
            Ok(m) if m.is_dir() => total += du(&e.path()),
            Ok(m) => total += m.len(),
            Err(_) => {}
        }
    }
    total
}

/// `e` prefixed with `what`, its sources joined as `anyhow` shows a chain.
fn within(what: &str, e: Error) -> Error {
    let mut s = format!("{what}: {e}");
    let mut src = std::error::Error::source(&e);
    while let Some(x) = src {
        s.push_str(&format!(": {x}"));
        src = x.source();
    }
    Error::Invalid(s)
}

/// Pull `req` into the workspace `ws` (any of its containers selected):
/// `progress` sees the layers downloaded and applied. `may_change` is asked
/// first about an existing target container, and refuses it by an error
/// (callers refuse one with a running persistent instance:
/// `runtime::instance::refuse_if_running`, which this layer cannot see).
pub fn pull(
    ws: &Workspace,
    req: &PullRequest,
    progress: &dyn PullProgress,
    may_change: &dyn Fn(&Workspace) -> Result<()>,
) -> Result<PullOutcome> {
    let r = Reference::parse(&req.image)?;
    let image = r.to_string();
    let name = req
        .name
        .clone()
        .unwrap_or_else(|| r.short_name().to_string());
    check_container_name(&name)?;
    let platform = req.platform.clone().unwrap_or_else(Platform::host);
    if let Some(b) = &req.branch {
        check_short_name("heads", b)?;
    }
    let exists = ws.containers()?.contains(&name);
    let target = if exists {
        let c = Workspace::open_with(&ws.dir, Some(&name))?;
        may_change(&c)?;
        Some(c)
    } else {
        None
    };
    // The branch the image commit goes on: --branch, else the current one
    // (None: HEAD is detached or the container is new).
    let current = match &target {
        Some(c) => c.refs.head_target()?,
        None => None,
    };
    let branch = req.branch.as_ref().map(|b| format!("refs/heads/{b}"));
    let on_head = branch.is_none() || branch == current;
    if on_head {
        if let Some(c) = &target {
            if is_dirty(c)? {
                return Err(Error::Invalid(format!("pull {image}: container {name} has uncommitted changes (commit or reset them first)")));
            }
        }
    }
    let ctx = format!("pull {image}");
    let creds = credentials_for(&r.domain).map_err(|e| within(&ctx, e))?;
    let reg = Registry::new(&r, req.insecure, creds);
    let resolved = resolve(&reg, &r, &platform).map_err(|e| within(&ctx, e))?;
    // The commit the new one goes on top of, and the ref's value to swap from.
    let (parent, expect) = match (&target, &branch) {
        (None, _) => (None, Expect::Absent),
        (Some(c), Some(b)) if !on_head => match c.refs.resolve(b)? {
            Some(tip) => (Some(tip), Expect::Value(tip)),
            // A new branch starts at HEAD's last pull (or as a root commit).
            None => {
                let from = match head_commit(c)? {
                    Some(h) => last_pull(&c.odb, &h)?.map(|(id, ..)| id),
                    None => None,
                };
                (from, Expect::Absent)
            }
        },
        (Some(c), _) => {
            let h = head_commit(c)?;
            (h, h.map(Expect::Value).unwrap_or(Expect::Absent))
        }
    };
    let on = branch
        .as_deref()
        .or(current.as_deref())
        .map(|b| b.trim_start_matches("refs/heads/").to_string())
        .unwrap_or_else(|| "HEAD".into());
    if let (Some(c), Some(p)) = (&target, parent) {
        match last_pull(&c.odb, &p)? {
            // Same manifest from the same repository: up to date, however
            // it was named (a tag, another tag, the digest).
            Some((_, rec, _, above))
                if rec.digest == resolved.digest
                    && Reference::parse(&rec.image)
                        .is_ok_and(|p| p.domain == r.domain && p.repository == r.repository) =>
            {
                return Ok(PullOutcome::UpToDate {
                    image,
                    name,
                    digest: rec.digest,
                    above,
                });
            }
            // Work on top of the last pull (or no pull at all): an image
            // commit above it would hide that work from the tree.
            Some((_, _, _, above)) if above > 0 => return Err(Error::Invalid(format!(
                "pull {image}: {on} of container {name} has {above} commit{} since its last pull, which the new image would hide; pull into another branch ('hako pull --branch NEW {image}'), then 'hako -c {name} merge NEW'",
                if above == 1 { "" } else { "s" }
            ))),
            None => return Err(Error::Invalid(format!(
                "pull {image}: {on} of container {name} holds commits that are not an image's, which the image would hide; pull into another branch ('hako pull --branch NEW {image}') or another container (--as)"
            ))),
            Some(_) => {}
        }
    }
    // Commits hako makes on its own behalf need no configured identity.
    let who = ws.author_or(PULL_NAME, PULL_EMAIL)?;
    let m = &resolved.manifest;
    let size = m.config.size + m.layers.iter().map(|l| l.size).sum::<u64>();
    let objects_dir = ws.dir.join("objects");
    let before = du(&objects_dir);
    let batch = BatchWriter::with_limit(&ws.odb, 64 << 20);
    let counter = NewBytes {
        batch: &batch,
        seen: Mutex::new(HashSet::new()),
        bytes: AtomicU64::new(0),
        objects: AtomicU64::new(0),
    };
    super::image::remove_stale(&ws.dir.join("tmp"), "pull");
    // An image already stored (same manifest digest) is not downloaded again.
    let stored = stored_pull(ws, &resolved.digest)?;
    let (tree, config, config_platform, downloaded) = match &stored {
        Some((rec, tree)) => {
            let cfg = super::manifest::parse_config(&ws.odb.read(&rec.config)?.data)?;
            let p = Platform {
                os: cfg.os,
                architecture: cfg.architecture,
                variant: cfg.variant,
            };
            (*tree, rec.config, (!p.os.is_empty()).then_some(p), 0)
        }
        None => {
            progress.layers(m.layers.len());
            let tmp = ws
                .dir
                .join("tmp")
                .join(format!("pull-{}", std::process::id()));
            let fetched = fetch_tree(&reg, m, &counter, &tmp, req.jobs, progress)
                .map_err(|e| within(&ctx, e))?;
            let config = counter.write(ObjectType::Blob, &fetched.config)?;
            batch.flush()?;
            progress.done();
            let p =
                (!fetched.config_platform.os.is_empty()).then(|| fetched.config_platform.clone());
            (fetched.tree, config, p, fetched.downloaded)
        }
    };
    // A manifest named directly is for whatever platform its config says.
    let platform = match config_platform {
        Some(p) if !resolved.from_index => p,
        _ => resolved.platform.clone(),
    };
    let record = PullRecord {
        image: image.clone(),
        digest: resolved.digest.clone(),
        platform: platform.to_string(),
        config,
        config_digest: m.config.digest.clone(),
        size,
        layers: m.layers.len(),
    };
    let c = match target {
        Some(c) => c,
        None => {
            ws.create_container(&name)?;
            Workspace::open_with(&ws.dir, Some(&name))?
        }
    };
    let parents: Vec<ObjectId> = parent.into_iter().collect();
    let id =
        crate::commit::create_commit(&c.odb, tree, &parents, who.clone(), who, &record.message())?;
    if on_head {
        let raw = read_working(&c)?;
        let working = lock_working(&c, raw)?;
        c.refs.update(
            "HEAD",
            id,
            expect,
            &c.committer()?,
            &format!("pull: {image}"),
        )?;
        working.commit(tree)?;
    } else {
        let b = branch.as_deref().expect("not on HEAD means --branch");
        c.refs
            .update(b, id, expect, &c.committer()?, &format!("pull: {image}"))?;
    }
    let after = du(&objects_dir);
    Ok(PullOutcome::Pulled(Pulled {
        id,
        image,
        name,
        on_head,
        on,
        digest: resolved.digest.clone(),
        platform,
        already_stored: stored.is_some(),
        fetched: resolved.fetched,
        downloaded,
        layers: m.layers.len(),
        stored_bytes: after.saturating_sub(before),
        new_objects: counter.objects.load(Ordering::Relaxed),
        new_bytes: counter.bytes.load(Ordering::Relaxed),
    }))
}
