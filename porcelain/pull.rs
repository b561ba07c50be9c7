//! `hako pull IMAGE [--as NAME] [--platform P] [--insecure] [-q]`: fetch an
//! OCI or Docker image and commit its flattened root filesystem to a
//! container (created, or given one more commit), format-spec/oci.md.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Context};

use hako::container::{head_commit, is_dirty, lock_working, read_working};
use hako::object::{Object, ObjectType};
use hako::oci::credentials::credentials_for;
use hako::oci::fetch::{fetch_tree, resolve, PullProgress};
use hako::oci::layer::LayerStats;
use hako::oci::manifest::{Descriptor, Platform};
use hako::oci::record::{last_pull, stored_pull, PullRecord};
use hako::oci::reference::Reference;
use hako::oci::registry::Registry;
use hako::refs::{check_short_name, Expect};
use hako::store::{BatchWriter, ObjectStore};
use hako::workspace::{check_container_name, Workspace};
use hako::ObjectId;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// The image: `alpine`, `host:port/repo:tag`, `repo@sha256:…`.
    image: String,
    /// The container to pull into (default: the repository's last component).
    #[arg(long = "as", value_name = "NAME")]
    name: Option<String>,
    /// The platform to pick from an image index, `os/arch[/variant]`
    /// (default: this machine's).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    platform: Option<String>,
    /// Allow plain HTTP to this registry (always allowed on loopback).
    #[arg(long)]
    insecure: bool,
    /// Print nothing but errors.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Layers downloaded at once.
    #[arg(long, value_name = "N", default_value_t = 3)]
    jobs: usize,
    /// Commit the image on branch B (made from the last pull when missing)
    /// instead of the current branch: the way to take a new image version
    /// into a container with commits of its own, then `hako merge B`.
    #[arg(long, value_name = "B")]
    branch: Option<String>,
}

/// Counts the payload bytes of objects the database did not have.
struct NewBytes<'a> {
    batch: &'a BatchWriter<'a>,
    seen: Mutex<HashSet<ObjectId>>,
    bytes: AtomicU64,
    objects: AtomicU64,
}

impl ObjectStore for NewBytes<'_> {
    fn contains(&self, id: &ObjectId) -> hako::Result<bool> {
        self.batch.contains(id)
    }
    fn read(&self, id: &ObjectId) -> hako::Result<Object> {
        self.batch.read(id)
    }
    fn read_header(&self, id: &ObjectId) -> hako::Result<(ObjectType, u64)> {
        self.batch.read_header(id)
    }
    fn write(&self, kind: ObjectType, data: &[u8]) -> hako::Result<ObjectId> {
        let id = self.batch.write(kind, data)?;
        if self.seen.lock().unwrap().insert(id) && !self.batch.odb.contains(&id)? {
            self.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
            self.objects.fetch_add(1, Ordering::Relaxed);
        }
        Ok(id)
    }
}

/// One progress bar per layer, on a terminal only.
struct Bars {
    multi: indicatif::MultiProgress,
    bars: Mutex<Vec<Option<indicatif::ProgressBar>>>,
}

impl Bars {
    fn new(n: usize) -> Bars {
        Bars {
            multi: indicatif::MultiProgress::with_draw_target(
                indicatif::ProgressDrawTarget::stderr(),
            ),
            bars: Mutex::new(vec![None; n]),
        }
    }
    fn bar(&self, i: usize) -> Option<indicatif::ProgressBar> {
        self.bars.lock().unwrap()[i].clone()
    }
}

impl PullProgress for Bars {
    fn downloading(&self, i: usize, d: &Descriptor) {
        let b = self.multi.add(indicatif::ProgressBar::new(d.size));
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix} {bar:30} {bytes}/{total_bytes} {msg}",
            )
            .unwrap(),
        );
        b.set_prefix(hako::oci::reference::short_digest(&d.digest));
        self.bars.lock().unwrap()[i] = Some(b);
    }
    fn downloaded_bytes(&self, i: usize, n: u64) {
        if let Some(b) = self.bar(i) {
            b.inc(n);
        }
    }
    fn applying(&self, i: usize) {
        if let Some(b) = self.bar(i) {
            b.set_message("applying");
        }
    }
    fn applied(&self, i: usize, s: &LayerStats) {
        if let Some(b) = self.bar(i) {
            b.finish_with_message(format!("{} files", s.files));
        }
    }
}

/// The identity of pull commits when none is configured.
const PULL_NAME: &str = "hako pull";
const PULL_EMAIL: &str = "pull@hako.invalid";

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

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let r = Reference::parse(&a.image)?;
    let image = r.to_string();
    let name = a.name.clone().unwrap_or_else(|| r.short_name().to_string());
    check_container_name(&name)?;
    let platform = match &a.platform {
        Some(p) => Platform::parse(p).map_err(plumbing::usage)?,
        None => Platform::host(),
    };
    if let Some(b) = &a.branch {
        check_short_name("heads", b)?;
    }
    let exists = ws.containers()?.contains(&name);
    let target = if exists {
        let c = Workspace::open_with(&ws.dir, Some(&name))?;
        crate::porcelain::refuse_if_running(&c, "pull", false)?;
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
    let branch = a.branch.as_ref().map(|b| format!("refs/heads/{b}"));
    let on_head = branch.is_none() || branch == current;
    if on_head {
        if let Some(c) = &target {
            if is_dirty(c)? {
                bail!("pull {image}: container {name} has uncommitted changes (commit or reset them first)");
            }
        }
    }
    let ctx = || format!("pull {image}");
    let creds = credentials_for(&r.domain).with_context(ctx)?;
    let reg = Registry::new(&r, a.insecure, creds);
    let resolved = resolve(&reg, &r, &platform).with_context(ctx)?;
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
                if !a.quiet {
                    let mine = match above {
                        0 => String::new(),
                        1 => ", 1 commit of its own on top".into(),
                        n => format!(", {n} commits of its own on top"),
                    };
                    println!(
                        "{image} is up to date in container {name} ({}{mine})",
                        hako::oci::reference::short_digest(&rec.digest)
                    );
                }
                return Ok(0);
            }
            // Work on top of the last pull (or no pull at all): an image
            // commit above it would hide that work from the tree.
            Some((_, _, _, above)) if above > 0 => bail!(
                "pull {image}: {on} of container {name} has {above} commit{} since its last pull, which the new image would hide; pull into another branch ('hako pull --branch NEW {image}'), then 'hako -c {name} merge NEW'",
                if above == 1 { "" } else { "s" }
            ),
            None => bail!(
                "pull {image}: {on} of container {name} holds commits that are not an image's, which the image would hide; pull into another branch ('hako pull --branch NEW {image}') or another container (--as)"
            ),
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
    hako::oci::image::remove_stale(&ws.dir.join("tmp"), "pull");
    // An image already stored (same manifest digest) is not downloaded again.
    let stored = stored_pull(&ws, &resolved.digest)?;
    let (tree, config, config_platform, downloaded) = match &stored {
        Some((rec, tree)) => {
            let cfg = hako::oci::manifest::parse_config(&ws.odb.read(&rec.config)?.data)?;
            let p = Platform {
                os: cfg.os,
                architecture: cfg.architecture,
                variant: cfg.variant,
            };
            (*tree, rec.config, (!p.os.is_empty()).then_some(p), 0)
        }
        None => {
            let bars =
                (!a.quiet && std::io::stderr().is_terminal()).then(|| Bars::new(m.layers.len()));
            let progress: &dyn PullProgress = match &bars {
                Some(b) => b,
                None => &hako::oci::fetch::NoProgress,
            };
            let tmp = ws
                .dir
                .join("tmp")
                .join(format!("pull-{}", std::process::id()));
            let fetched =
                fetch_tree(&reg, m, &counter, &tmp, a.jobs, progress).with_context(ctx)?;
            let config = counter.write(ObjectType::Blob, &fetched.config)?;
            batch.flush()?;
            if let Some(b) = &bars {
                let _ = b.multi.clear();
            }
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
        hako::commit::create_commit(&c.odb, tree, &parents, who.clone(), who, &record.message())?;
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
    if !a.quiet {
        println!(
            "{} pull {image} into {name}{} ({}, {})",
            id.short(),
            if on_head {
                String::new()
            } else {
                format!(" branch {on}")
            },
            hako::oci::reference::short_digest(&resolved.digest),
            platform
        );
        if stored.is_some() {
            println!(
                "downloaded {} bytes: the image is stored already",
                resolved.fetched
            );
        } else {
            println!(
                "downloaded {} bytes in {} layers, stored {} bytes ({} new objects, {} bytes before compression)",
                downloaded + resolved.fetched,
                m.layers.len(),
                after.saturating_sub(before),
                counter.objects.load(Ordering::Relaxed),
                counter.bytes.load(Ordering::Relaxed),
            );
        }
        if !on_head {
            println!("'hako -c {name} merge {on}' brings it into the current branch");
        }
    }
    Ok(0)
}
