//! The pull workflow (format-spec/oci.md): resolve an image, fetch what the
//! store lacks, and commit its root filesystem to a container (created, or
//! given one more commit, on its current branch or another), as `hako
//! pull` and `apply` do.
#![warn(missing_docs)]

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::container::{head_commit, is_dirty, lock_working, read_working};
use crate::error::{Error, Result};
use crate::identity::Signature;
use crate::object::{Object, ObjectType};
use crate::oid::ObjectId;
use crate::refs::{check_short_name, Expect};
use crate::store::{BatchWriter, ObjectStore};
use crate::workspace::{check_container_name, Workspace};

use super::credentials::credentials_for;
use super::error::OciError;
use super::fetch::{fetch_tree, resolve};
use super::manifest::Platform;
use super::record::{last_pull, stored_pull, PullRecord};
use super::reference::Reference;
use super::registry::Registry;
use crate::progress::{Progress, Unit};

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
        /// The image as asked for.
        image: String,
        /// The container.
        name: String,
        /// Digest of the manifest.
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
    /// The pull commit.
    pub id: ObjectId,
    /// The image as asked for.
    pub image: String,
    /// The container it went into.
    pub name: String,
    /// The commit went on the container's current branch (HEAD).
    pub on_head: bool,
    /// The branch it went on (`HEAD` when detached).
    pub on: String,
    /// Digest of the manifest pulled.
    pub digest: String,
    /// The platform of the image pulled.
    pub platform: Platform,
    /// The same manifest was stored already: nothing but it was downloaded.
    pub already_stored: bool,
    /// Bytes of the manifest and index documents.
    pub fetched: u64,
    /// Bytes of the layers and config downloaded.
    pub downloaded: u64,
    /// Layers in the image.
    pub layers: usize,
    /// Growth of the object database on disk.
    pub stored_bytes: u64,
    /// Objects the database did not have.
    pub new_objects: u64,
    /// Bytes of those new objects before compression.
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

/// `e` as a failed step of pulling `image`.
fn within(image: &str, e: Error) -> Error {
    OciError::Pull {
        image: image.to_string(),
        err: Box::new(e),
    }
    .into()
}

/// The container a pull goes into, and the branch it goes on.
struct Target {
    r: Reference,
    /// The image as the pull record names it.
    image: String,
    name: String,
    platform: Platform,
    /// The container, when it exists already.
    container: Option<Workspace>,
    /// The container's current branch (None: HEAD is detached or the
    /// container is new).
    current: Option<String>,
    /// `--branch`, as a full ref name.
    branch: Option<String>,
    /// The commit goes on the current branch (HEAD).
    on_head: bool,
}

/// Check `req` and find its target container (refused by `may_change`, or
/// when the commit would go on HEAD over uncommitted changes).
fn target_of(
    ws: &Workspace,
    req: &PullRequest,
    may_change: &dyn Fn(&Workspace) -> Result<()>,
) -> Result<Target> {
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
    let container = if ws.containers()?.contains(&name) {
        let c = Workspace::open_with(&ws.dir, Some(&name))?;
        may_change(&c)?;
        Some(c)
    } else {
        None
    };
    let current = match &container {
        Some(c) => c.refs.head_target()?,
        None => None,
    };
    let branch = req.branch.as_ref().map(|b| format!("refs/heads/{b}"));
    let on_head = branch.is_none() || branch == current;
    if let (true, Some(c)) = (on_head, &container) {
        if is_dirty(c)? {
            return Err(OciError::Dirty { image, name }.into());
        }
    }
    Ok(Target {
        r,
        image,
        name,
        platform,
        container,
        current,
        branch,
        on_head,
    })
}

impl Target {
    /// The commit the new one goes on top of, and the ref's value to swap from.
    fn parent(&self) -> Result<(Option<ObjectId>, Expect)> {
        Ok(match (&self.container, &self.branch) {
            (None, _) => (None, Expect::Absent),
            (Some(c), Some(b)) if !self.on_head => match c.refs.resolve(b)? {
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
        })
    }

    /// The branch the commit goes on, as messages name it (`HEAD` when detached).
    fn on(&self) -> String {
        self.branch
            .as_deref()
            .or(self.current.as_deref())
            .map(|b| b.trim_start_matches("refs/heads/").to_string())
            .unwrap_or_else(|| "HEAD".into())
    }

    /// Up to date when `parent`'s last pull is of the manifest `digest` from
    /// the same repository; refused when the parent holds work of the
    /// container's own above its last pull (or no pull at all).
    fn up_to_date(&self, parent: Option<ObjectId>, digest: &str) -> Result<Option<PullOutcome>> {
        let (Some(c), Some(p)) = (&self.container, parent) else {
            return Ok(None);
        };
        let (image, name, on) = (self.image.clone(), self.name.clone(), self.on());
        match last_pull(&c.odb, &p)? {
            // Same manifest from the same repository: up to date, however
            // it was named (a tag, another tag, the digest).
            Some((_, rec, _, above))
                if rec.digest == digest
                    && Reference::parse(&rec.image).is_ok_and(|p| {
                        p.domain == self.r.domain && p.repository == self.r.repository
                    }) =>
            {
                Ok(Some(PullOutcome::UpToDate {
                    image,
                    name,
                    digest: rec.digest,
                    above,
                }))
            }
            // Work on top of the last pull (or no pull at all): an image
            // commit above it would hide that work from the tree.
            Some((_, _, _, above)) if above > 0 => Err(OciError::WorkAbovePull {
                image,
                on,
                name,
                above,
            }
            .into()),
            None => Err(OciError::NotAnImage { image, on, name }.into()),
            Some(_) => Ok(None),
        }
    }
}

/// The image's tree, config blob and config platform (None when its
/// config names no os), and the bytes downloaded: from the store when the
/// same manifest was pulled before, else fetched through `counter`.
struct Content {
    tree: ObjectId,
    config: ObjectId,
    config_platform: Option<Platform>,
    downloaded: u64,
    /// The same manifest was stored already.
    already_stored: bool,
}

fn content_of(
    ws: &Workspace,
    image: &str,
    jobs: usize,
    reg: &Registry,
    resolved: &super::fetch::Resolved,
    counter: &NewBytes,
    progress: &dyn Progress,
) -> Result<Content> {
    // An image already stored (same manifest digest) is not downloaded again.
    if let Some((rec, tree)) = stored_pull(ws, &resolved.digest)? {
        let cfg = super::manifest::parse_config(&ws.odb.read(&rec.config)?.data)?;
        let p = Platform {
            os: cfg.os,
            architecture: cfg.architecture,
            variant: cfg.variant,
        };
        return Ok(Content {
            tree,
            config: rec.config,
            config_platform: (!p.os.is_empty()).then_some(p),
            downloaded: 0,
            already_stored: true,
        });
    }
    let m = &resolved.manifest;
    progress.begin("Pulling layers", Some(m.layers.len() as u64), Unit::Items);
    let tmp = ws
        .dir
        .join("tmp")
        .join(format!("pull-{}", std::process::id()));
    let fetched = fetch_tree(reg, m, counter, &tmp, jobs, progress);
    progress.end();
    let fetched = fetched.map_err(|e| within(image, e))?;
    let config = counter.write(ObjectType::Blob, &fetched.config)?;
    counter.batch.flush()?;
    let p = (!fetched.config_platform.os.is_empty()).then(|| fetched.config_platform.clone());
    Ok(Content {
        tree: fetched.tree,
        config,
        config_platform: p,
        downloaded: fetched.downloaded,
        already_stored: false,
    })
}

/// Commit `tree` with `record`'s message into the target container
/// (created now when new), on HEAD (the working root moving with it) or
/// on the branch asked for.
fn commit_pull(
    ws: &Workspace,
    who: Signature,
    t: Target,
    tree: ObjectId,
    record: &PullRecord,
    parent: Option<ObjectId>,
    expect: Expect,
) -> Result<ObjectId> {
    let c = match t.container {
        Some(c) => c,
        None => {
            ws.create_container(&t.name)?;
            Workspace::open_with(&ws.dir, Some(&t.name))?
        }
    };
    let parents: Vec<ObjectId> = parent.into_iter().collect();
    let id =
        crate::commit::create_commit(&c.odb, tree, &parents, who.clone(), who, &record.message())?;
    let why = format!("pull: {}", t.image);
    if t.on_head {
        let raw = read_working(&c)?;
        let working = lock_working(&c, raw)?;
        c.refs.update("HEAD", id, expect, &c.committer()?, &why)?;
        working.commit(tree)?;
    } else {
        let b = t.branch.as_deref().expect("not on HEAD means --branch");
        c.refs.update(b, id, expect, &c.committer()?, &why)?;
    }
    Ok(id)
}

/// Pull `req` into the workspace `ws` (any of its containers selected):
/// `progress` sees the layers downloaded and applied. `may_change` is asked
/// first about an existing target container, and refuses it by an error
/// (callers refuse one with a running persistent instance:
/// `runtime::instance::pull` does, which this layer cannot see).
pub fn pull(
    ws: &Workspace,
    req: &PullRequest,
    progress: &dyn Progress,
    may_change: &dyn Fn(&Workspace) -> Result<()>,
) -> Result<PullOutcome> {
    let t = target_of(ws, req, may_change)?;
    let creds = credentials_for(&t.r.domain).map_err(|e| within(&t.image, e))?;
    let reg = Registry::new(&t.r, req.insecure, creds);
    let resolved = resolve(&reg, &t.r, &t.platform).map_err(|e| within(&t.image, e))?;
    let (parent, expect) = t.parent()?;
    let on = t.on();
    if let Some(done) = t.up_to_date(parent, &resolved.digest)? {
        return Ok(done);
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
    let content = content_of(ws, &t.image, req.jobs, &reg, &resolved, &counter, progress)?;
    // A manifest named directly is for whatever platform its config says.
    let platform = match content.config_platform {
        Some(p) if !resolved.from_index => p,
        _ => resolved.platform.clone(),
    };
    let record = PullRecord {
        image: t.image.clone(),
        digest: resolved.digest.clone(),
        platform: platform.to_string(),
        config: content.config,
        config_digest: m.config.digest.clone(),
        size,
        layers: m.layers.len(),
    };
    let (image, name, on_head) = (t.image.clone(), t.name.clone(), t.on_head);
    let id = commit_pull(ws, who, t, content.tree, &record, parent, expect)?;
    let after = du(&objects_dir);
    Ok(PullOutcome::Pulled(Pulled {
        id,
        image,
        name,
        on_head,
        on,
        digest: resolved.digest.clone(),
        platform,
        already_stored: content.already_stored,
        fetched: resolved.fetched,
        downloaded: content.downloaded,
        layers: m.layers.len(),
        stored_bytes: after.saturating_sub(before),
        new_objects: counter.objects.load(Ordering::Relaxed),
        new_bytes: counter.bytes.load(Ordering::Relaxed),
    }))
}
