//! Fetch, clone and push as operations on a workspace (format-spec/sync.md):
//! which remote refs map to which local refs, the fast-forward and force
//! rules, new containers, and the remote-tracking refs kept per container
//! (`containers/<c>/refs/remotes/<remote>/<branch>`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

pub use crate::transport::push::{PushOpts, PushRef, PushReport};

use crate::error::{Error, Result};
use crate::oid::ObjectId;
use crate::refs::{Expect, RefStore, RefValue};
use crate::store::ObjectStore;
use crate::transport::advertise::{split_wire_name, wire_name, AdvertisedRef};
use crate::transport::connect::{connect, parse_url, ConnectOptions, RemoteUrl, Service};
use crate::transport::fetch::{fetch_pack, FetchOptions, Fetched};
use crate::transport::send::{send_pack, PushOptions, Update};
use crate::workspace::{Config, Workspace};

/// A remote as named on the command line: a configured name or a URL.
#[derive(Clone, Debug)]
pub struct Remote {
    /// The configured name (`None` for a bare URL).
    pub name: Option<String>,
    pub url: String,
}

/// Resolve `arg` (a remote name or a URL; `None`: `origin`).
pub fn remote(ws: &Workspace, arg: Option<&str>) -> Result<Remote> {
    let arg = arg.unwrap_or("origin");
    if let Some(url) = ws.config.get(&format!("remote.{arg}.url")) {
        return Ok(Remote {
            name: Some(arg.to_string()),
            url: url.to_string(),
        });
    }
    if arg == "origin" || !looks_like_url(arg) {
        return Err(Error::Invalid(format!(
            "'{arg}' is neither a configured remote nor a URL (see 'hako remote add')"
        )));
    }
    Ok(Remote {
        name: None,
        url: arg.to_string(),
    })
}

fn looks_like_url(s: &str) -> bool {
    s.contains('/') || s.contains(':') || Path::new(s).exists()
}

/// The URL to record for a remote: a local path made absolute (canonical
/// when it exists), so the remote works from anywhere; others as given.
pub fn stored_url(url: &str) -> Result<String> {
    Ok(match parse_url(url)? {
        RemoteUrl::Local(p) if !url.starts_with("file://") => std::fs::canonicalize(&p)
            .or_else(|_| std::env::current_dir().map(|d| d.join(&p)))
            .map_err(|e| Error::Invalid(format!("{url}: {e}")))?
            .display()
            .to_string(),
        _ => url.to_string(),
    })
}

/// Every configured remote: (name, url), by name.
pub fn remotes(ws: &Workspace) -> Vec<(String, String)> {
    ws.config
        .values
        .iter()
        .filter_map(|(k, v)| {
            let rest = k.strip_prefix("remote.")?;
            let name = rest.strip_suffix(".url")?;
            Some((name.to_string(), v.clone()))
        })
        .collect()
}

/// Check a remote name: one path component, usable in a ref name.
pub fn check_remote_name(name: &str) -> Result<()> {
    crate::workspace::check_simple_name("remote", name, 255)
}

/// How to reach `remote` for `service`: the ssh command (`HAKO_SSH`, else
/// `core.sshCommand`) and the server program (`remote.NAME.uploadpack` /
/// `receivepack`, or `program`).
pub fn connect_options(
    ws: &Workspace,
    remote: &Remote,
    service: Service,
    program: Option<&str>,
) -> ConnectOptions {
    let ssh_command = ssh_command(Some(&ws.config));
    let key = match service {
        Service::Upload => "uploadpack",
        Service::Receive => "receivepack",
    };
    let program = program.map(String::from).or_else(|| {
        remote.name.as_ref().and_then(|n| {
            ws.config
                .get(&format!("remote.{n}.{key}"))
                .map(String::from)
        })
    });
    ConnectOptions {
        ssh_command,
        program,
    }
}

/// The ssh program, as a shell command: `HAKO_SSH_COMMAND` (a shell
/// command), else `HAKO_SSH` (a program path, never split), else
/// `core.sshCommand`; `None`: `ssh`.
pub fn ssh_command(config: Option<&Config>) -> Option<String> {
    let env = |k: &str| std::env::var(k).ok().filter(|s| !s.is_empty());
    env("HAKO_SSH_COMMAND")
        .or_else(|| env("HAKO_SSH").map(|p| crate::transport::connect::shell_quote(&p)))
        .or_else(|| config.and_then(|c| c.get("core.sshcommand").map(String::from)))
}

/// Every commit the workspace's refs name (all containers): haves to offer.
pub fn local_tips(ws: &Workspace) -> Result<Vec<ObjectId>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for c in ws.containers()? {
        let refs = RefStore::new(&ws.container_dir(&c));
        for (_, id) in refs.list("refs/")? {
            if seen.insert(id) {
                out.push(id);
            }
        }
    }
    Ok(out)
}

/// One local ref a fetch changed (or declined to).
#[derive(Clone, Debug)]
pub struct RefChange {
    pub container: String,
    /// The local ref name within the container.
    pub name: String,
    pub old: Option<ObjectId>,
    pub new: Option<ObjectId>,
    /// `new container`, `new branch`, `new tag`, `fast-forward`,
    /// `forced update`, `deleted`, or `rejected: …`.
    pub note: String,
}

/// Options of `fetch`.
#[derive(Clone, Debug, Default)]
pub struct FetchOpts {
    pub prune: bool,
    /// Overwrite tags that differ locally.
    pub force: bool,
    pub quiet: bool,
    /// Fetch only these containers (`clone --container`).
    pub containers: Option<Vec<String>>,
    pub program: Option<String>,
    /// `[+]SRC[:DST]` (sync.md, "fetch with refspecs"): only these refs.
    pub refspecs: Vec<String>,
    /// `--depth N` / `--unshallow` (sync.md, "Shallow clones and fetches").
    pub deepen: Option<u32>,
}

/// `[+]SRC[:DST]`: whether forced, SRC, and DST if given.
fn split_refspec(spec: &str) -> (bool, &str, Option<&str>) {
    let (plus, body) = match spec.strip_prefix('+') {
        Some(b) => (true, b),
        None => (false, spec),
    };
    match body.split_once(':') {
        Some((s, d)) => (plus, s, Some(d)),
        None => (plus, body, None),
    }
}

/// A fetch refspec resolved against the advertisement.
struct FetchSpec {
    container: String,
    /// The remote ref (within the container).
    src: String,
    id: ObjectId,
    /// The local ref (within the container), or None: the tracking ref only.
    dst: Option<String>,
    force: bool,
}

fn resolve_fetch_specs(
    ws: &Workspace,
    advertised: &[AdvertisedRef],
    specs: &[String],
    force: bool,
) -> Result<Vec<FetchSpec>> {
    let mut out = Vec::new();
    for spec in specs {
        let (plus, src, dst) = split_refspec(spec);
        let cands: Vec<String> = if src.starts_with("containers/") {
            vec![src.to_string()]
        } else if src.starts_with("refs/") {
            vec![wire_name(&ws.container, src)]
        } else {
            vec![
                wire_name(&ws.container, &format!("refs/heads/{src}")),
                wire_name(&ws.container, &format!("refs/tags/{src}")),
            ]
        };
        let found = cands.iter().find_map(|c| {
            advertised
                .iter()
                .find(|r| &r.name == c)
                .and_then(|r| r.id.map(|id| (c.clone(), id)))
        });
        let Some((wire, id)) = found else {
            return Err(Error::Invalid(format!(
                "couldn't find remote ref {src} (in container '{}')",
                ws.container
            )));
        };
        let (container, src_name) = split_wire_name(&wire)?;
        let dst = match dst {
            None | Some("") => None,
            Some(d) if d.starts_with("containers/") => {
                let (dc, n) = split_wire_name(d)?;
                if dc != container {
                    return Err(Error::Invalid(format!(
                        "refspec '{spec}': a ref is fetched into the container of the same name"
                    )));
                }
                Some(n.to_string())
            }
            Some(d) => Some(qualify_dst(src_name, d)),
        };
        if let Some(d) = &dst {
            crate::refs::check_ref_name(d)?;
        }
        out.push(FetchSpec {
            container: container.to_string(),
            src: src_name.to_string(),
            id,
            dst,
            force: plus || force,
        });
    }
    Ok(out)
}

/// Move the refs named by fetch refspecs: `DST` only by fast-forward unless
/// forced, never a container's checked-out branch; without `DST`, the
/// remote-tracking ref of a branch.
fn update_spec_refs(
    ws: &Workspace,
    remote: &Remote,
    specs: &[FetchSpec],
) -> Result<Vec<RefChange>> {
    let who = ws.committer()?;
    let msg = format!("fetch {}", remote.url);
    let mut out = Vec::new();
    for s in specs {
        let cdir = ws.container_dir(&s.container);
        if !cdir.join("HEAD").is_file() {
            ws.create_container(&s.container)?;
        }
        let refs = RefStore::new(&cdir);
        let local = match (&s.dst, &remote.name, s.src.strip_prefix("refs/heads/")) {
            (Some(d), ..) => d.clone(),
            (None, Some(n), Some(b)) => format!("refs/remotes/{n}/{b}"),
            (None, _, _) if s.src.starts_with("refs/tags/") => s.src.clone(),
            (None, ..) => continue,
        };
        let old = refs.resolve(&local)?;
        if old == Some(s.id) {
            continue;
        }
        let tracking = local.starts_with("refs/remotes/");
        let mut change = RefChange {
            container: s.container.clone(),
            name: local.clone(),
            old,
            new: Some(s.id),
            note: String::new(),
        };
        if let Some(RefValue::Symbolic(h)) = refs.read("HEAD")? {
            if h == local && old.is_some() {
                change.note = "rejected: refusing to fetch into the checked-out branch".into();
                out.push(change);
                continue;
            }
        }
        change.note = match old {
            None if local.starts_with("refs/tags/") => "new tag".into(),
            None => "new branch".into(),
            Some(o)
                if crate::revwalk::is_ancestor(&ws.odb, o, s.id).unwrap_or(false)
                    && !local.starts_with("refs/tags/") =>
            {
                "fast-forward".into()
            }
            Some(_) if s.force || tracking => "forced update".into(),
            Some(_) if local.starts_with("refs/tags/") => {
                "rejected: would clobber existing tag".into()
            }
            Some(_) => "rejected: non-fast-forward".into(),
        };
        if !change.note.starts_with("rejected") {
            let expect = Expect::from_opt(Some(old.unwrap_or(ObjectId::ZERO)));
            refs.update(&local, s.id, expect, &who, &msg)?;
        }
        out.push(change);
    }
    Ok(out)
}

/// The result of `fetch`.
#[derive(Debug, Default)]
pub struct FetchReport {
    pub fetched: Fetched,
    pub changes: Vec<RefChange>,
    /// What the remote advertised.
    pub advertised: Vec<AdvertisedRef>,
}

/// Fetch every container's branches and tags of `remote` into `ws`:
/// branches as `refs/remotes/<remote>/<branch>` of the container of the
/// same name (always forced, as remote-tracking refs are), tags as
/// `refs/tags/<tag>` (an existing different tag is kept unless `force`).
/// A container the workspace lacks is created with the remote HEAD's
/// branch checked out.
pub fn fetch(
    ws: &Workspace,
    remote: &Remote,
    opts: &FetchOpts,
    progress: &mut dyn FnMut(crate::transport::Event),
) -> Result<FetchReport> {
    let url = parse_url(&remote.url)?;
    let (advertised, fetched, specs) = match &url {
        RemoteUrl::Http(_) if opts.deepen.is_some() => {
            return Err(Error::Invalid(format!(
                "{}: shallow fetches need the smart protocol (ssh or a local path)",
                remote.url
            )))
        }
        RemoteUrl::S3(_) if opts.deepen.is_some() => {
            return Err(Error::Invalid(format!(
                "{}: shallow fetches need the smart protocol (ssh or a local path)",
                remote.url
            )))
        }
        RemoteUrl::Http(u) => {
            // A dumb mirror (format-spec/dumb-http.md): static files, no negotiation.
            let advertised = crate::transport::dumb::http_refs(u)?;
            let specs = resolve_fetch_specs(ws, &advertised, &opts.refspecs, opts.force)?;
            let wants = wants_of(&advertised, &specs, opts);
            let reader = Box::new(crate::transport::dumb::http::HttpClient::new(u)?);
            let fetched = dumb_fetch_shown(ws, reader, &wants, progress)?;
            (advertised, fetched, specs)
        }
        RemoteUrl::S3(u) => {
            // A bucket (format-spec/object-store.md): every value's objects,
            // then each ref resolved to the value all others descend into.
            let mut s3 =
                crate::transport::s3::S3Client::open(u, Some(&ws.config), remote.name.as_deref())?;
            let listed = crate::transport::s3_remote::read_refs(&mut s3)?;
            crate::transport::s3::test_pause("HAKO_TEST_S3_FETCH_WAIT");
            let wants = listed.ids(&|c| {
                opts.containers
                    .as_ref()
                    .is_none_or(|cs| cs.iter().any(|x| x == c))
            });
            let fetched = dumb_fetch_shown(ws, Box::new(s3), &wants, progress)?;
            let rname = remote.name.clone().unwrap_or_default();
            // A diverged branch: the tracking ref stays where it is when it is
            // one of the heads, else the head with the smallest id.
            let pick = |wire: &str, heads: &[(ObjectId, Option<ObjectId>)]| {
                let here = split_wire_name(wire).ok().and_then(|(c, n)| {
                    let b = n.strip_prefix("refs/heads/")?;
                    RefStore::new(&ws.container_dir(c))
                        .resolve(&format!("refs/remotes/{rname}/{b}"))
                        .ok()
                        .flatten()
                });
                heads
                    .iter()
                    .find(|h| Some(h.0) == here)
                    .copied()
                    .unwrap_or(heads[0])
            };
            let (advertised, diverged) =
                crate::transport::s3_remote::advertise(Some(&ws.odb), &listed, &pick);
            for (wire, heads) in diverged {
                let (c, n) = split_wire_name(&wire)?;
                let ids: Vec<String> = heads.iter().map(|h| h.to_string()).collect();
                crate::warnings::warn(format!(
                    "{}: {} of container {c} has {} heads: {}; merge them and push",
                    remote.url,
                    n.strip_prefix("refs/heads/")
                        .map_or(n.to_string(), |b| format!("branch {b}")),
                    heads.len(),
                    ids.join(" ")
                ));
            }
            let specs = resolve_fetch_specs(ws, &advertised, &opts.refspecs, opts.force)?;
            (advertised, fetched, specs)
        }
        _ => {
            let copts = connect_options(ws, remote, Service::Upload, opts.program.as_deref());
            let conn = connect(&url, Service::Upload, &copts)?;
            let advertised = conn.refs.clone();
            let specs = match resolve_fetch_specs(ws, &advertised, &opts.refspecs, opts.force) {
                Ok(s) => s,
                Err(e) => return Err(conn.fail(e)),
            };
            let wants = wants_of(&advertised, &specs, opts);
            let tips = local_tips(ws)?;
            let fopts = FetchOptions {
                quiet: opts.quiet,
                deepen: opts.deepen,
                compact: crate::transport::compact_pack_enabled(&ws.config),
            };
            let fetched = fetch_pack(&ws.odb, conn, &wants, &tips, &fopts, progress)?;
            (advertised, fetched, specs)
        }
    };
    check_ref_types(ws, &advertised, opts)?;
    let changes = if specs.is_empty() {
        update_local_refs(ws, remote, &advertised, opts)?
    } else {
        update_spec_refs(ws, remote, &specs)?
    };
    Ok(FetchReport {
        fetched,
        changes,
        advertised,
    })
}

/// The dumb object walk over `reader` on a thread, its byte count shown
/// from this one (the round-by-round text is local detail).
fn dumb_fetch_shown(
    ws: &Workspace,
    reader: Box<dyn crate::transport::dumb::http::MirrorReader>,
    wants: &[ObjectId],
    progress: &mut dyn FnMut(crate::transport::Event),
) -> Result<Fetched> {
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let stats = std::thread::scope(|s| {
        let c = counter.clone();
        let odb = &ws.odb;
        let me = std::thread::current();
        let job = s.spawn(move || {
            let r =
                crate::transport::dumb::fetch::fetch_from(odb, reader, wants, &mut |_| {}, Some(c));
            me.unpark();
            r
        });
        let mut shown = 0;
        while !job.is_finished() {
            let n = counter.load(std::sync::atomic::Ordering::Relaxed);
            if n != shown {
                progress(crate::transport::Event::Received(n));
                shown = n;
            }
            std::thread::park_timeout(std::time::Duration::from_millis(100));
        }
        job.join()
            .unwrap_or_else(|_| Err(Error::Invalid("the http fetch thread panicked".into())))
    })?;
    if stats.bytes > 0 {
        progress(crate::transport::Event::Received(stats.bytes));
    }
    Ok(Fetched {
        objects: stats.objects as usize,
        bytes: stats.bytes,
        rounds: stats.rounds as usize,
        ..Default::default()
    })
}

/// Every fetched branch (and HEAD) must name a commit, every tag a commit or
/// a tag (protocol.md section 7a): a remote advertising anything else moves
/// no ref.
fn check_ref_types(ws: &Workspace, advertised: &[AdvertisedRef], opts: &FetchOpts) -> Result<()> {
    for r in advertised.iter().filter(|r| wanted(r, opts)) {
        let (Some(id), Ok((_, name))) = (r.id, split_wire_name(&r.name)) else {
            continue;
        };
        let want = crate::links::Requires::of_ref(name);
        // Refs a refspec left out were not fetched.
        let kind = match ws.odb.read_header(&id) {
            Ok((k, _)) => k,
            Err(Error::NotFound(_)) => continue,
            Err(e) => return Err(e),
        };
        if !want.admits(kind) {
            return Err(Error::Invalid(format!(
                "{}: {id} is a {kind}, not a {}",
                r.name,
                want.name()
            )));
        }
    }
    Ok(())
}

fn wants_of(advertised: &[AdvertisedRef], specs: &[FetchSpec], opts: &FetchOpts) -> Vec<ObjectId> {
    if !specs.is_empty() {
        return specs.iter().map(|s| s.id).collect();
    }
    advertised
        .iter()
        .filter(|r| wanted(r, opts))
        .filter_map(|r| r.id)
        .collect()
}

fn wanted(r: &AdvertisedRef, opts: &FetchOpts) -> bool {
    let Ok((c, _)) = split_wire_name(&r.name) else {
        return false;
    };
    opts.containers
        .as_ref()
        .is_none_or(|cs| cs.iter().any(|x| x == c))
}

/// Move local refs to what a fetch brought.
fn update_local_refs(
    ws: &Workspace,
    remote: &Remote,
    advertised: &[AdvertisedRef],
    opts: &FetchOpts,
) -> Result<Vec<RefChange>> {
    let who = ws.committer()?;
    let mut by_container: BTreeMap<String, Vec<&AdvertisedRef>> = BTreeMap::new();
    for r in advertised.iter().filter(|r| wanted(r, opts)) {
        let (c, _) = split_wire_name(&r.name)?;
        by_container.entry(c.to_string()).or_default().push(r);
    }
    let rname = remote.name.clone().unwrap_or_default();
    let msg = format!("fetch {}", remote.url);
    let mut out = Vec::new();
    for (c, refs_here) in &by_container {
        let cdir = ws.container_dir(c);
        let new_container = !cdir.join("HEAD").is_file();
        if new_container {
            ws.create_container(c)?;
        }
        let refs = RefStore::new(&cdir);
        let mut advertised_branches = HashSet::new();
        // (ref, new value, what it must hold now), written in bulk below.
        let mut moves: Vec<(String, ObjectId, Expect)> = Vec::new();
        for r in refs_here {
            let (_, name) = split_wire_name(&r.name)?;
            let Some(id) = r.id else { continue };
            if let Some(b) = name.strip_prefix("refs/heads/") {
                advertised_branches.insert(b.to_string());
                if remote.name.is_none() {
                    continue;
                }
                let local = format!("refs/remotes/{rname}/{b}");
                let old = refs.resolve(&local)?;
                if old == Some(id) {
                    continue;
                }
                let note = match old {
                    None => "new branch".to_string(),
                    Some(o) if crate::revwalk::is_ancestor(&ws.odb, o, id).unwrap_or(false) => {
                        "fast-forward".into()
                    }
                    Some(_) => "forced update".into(),
                };
                moves.push((local.clone(), id, Expect::Any));
                out.push(RefChange {
                    container: c.clone(),
                    name: local,
                    old,
                    new: Some(id),
                    note,
                });
            } else if name.starts_with("refs/tags/") {
                let old = refs.resolve(name)?;
                if old == Some(id) {
                    continue;
                }
                if old.is_some() && !opts.force {
                    out.push(RefChange {
                        container: c.clone(),
                        name: name.to_string(),
                        old,
                        new: Some(id),
                        note: "rejected: would clobber existing tag".into(),
                    });
                    continue;
                }
                moves.push((
                    name.to_string(),
                    id,
                    Expect::from_opt(Some(old.unwrap_or(ObjectId::ZERO))),
                ));
                out.push(RefChange {
                    container: c.clone(),
                    name: name.to_string(),
                    old,
                    new: Some(id),
                    note: if old.is_some() {
                        "forced update".into()
                    } else {
                        "new tag".into()
                    },
                });
            }
        }
        // A few hundred refs per transaction: each holds its lock files open.
        for chunk in moves.chunks(512) {
            let mut t = refs.transaction();
            t.bulk();
            for (name, id, expect) in chunk {
                t.update(name, *id, *expect, &msg);
            }
            t.commit(&who)?;
        }
        if new_container {
            // Check out the remote HEAD's branch.
            let head = refs_here.iter().find(|r| r.name.ends_with("/HEAD"));
            let target = head
                .and_then(|h| h.symref_target.as_deref())
                .and_then(|t| split_wire_name(t).ok().map(|(_, n)| n.to_string()));
            if let Some(t) = &target {
                refs.set_symbolic("HEAD", t)?;
            }
            let head_id = head.and_then(|h| h.id);
            match (target, head_id) {
                (Some(t), Some(id)) => {
                    refs.update(&t, id, Expect::Absent, &who, &msg)?;
                    if let Some(n) = &remote.name {
                        let b = t.trim_start_matches("refs/heads/");
                        let key = format!("branch.{c}/{b}");
                        let cfg = ws.dir.join("config");
                        Config::edit(&cfg, &format!("{key}.remote"), Some(n))?;
                        Config::edit(&cfg, &format!("{key}.merge"), Some(&t))?;
                    }
                }
                (None, Some(id)) => {
                    refs.update_no_deref("HEAD", id, &who, &msg)?;
                }
                _ => {}
            }
            out.push(RefChange {
                container: c.clone(),
                name: "HEAD".into(),
                old: None,
                new: head_id,
                note: "new container".into(),
            });
        }
        if opts.prune && remote.name.is_some() {
            let prefix = format!("refs/remotes/{rname}/");
            for (name, id) in refs.list(&prefix)? {
                let b = &name[prefix.len()..];
                if !advertised_branches.contains(b) {
                    refs.delete(&name, Expect::Value(id), &who, "fetch --prune")?;
                    out.push(RefChange {
                        container: c.clone(),
                        name,
                        old: Some(id),
                        new: None,
                        note: "deleted".into(),
                    });
                }
            }
        }
    }
    if opts.prune && remote.name.is_some() {
        // Containers the remote no longer has: their tracking refs go.
        for c in ws.containers()? {
            if by_container.contains_key(&c) || opts.containers.is_some() {
                continue;
            }
            let refs = RefStore::new(&ws.container_dir(&c));
            let prefix = format!("refs/remotes/{rname}/");
            for (name, id) in refs.list(&prefix)? {
                refs.delete(&name, Expect::Value(id), &who, "fetch --prune")?;
                out.push(RefChange {
                    container: c.clone(),
                    name,
                    old: Some(id),
                    new: None,
                    note: "deleted".into(),
                });
            }
        }
    }
    Ok(out)
}

/// A refspec's source resolved in container `c`: `main`, `refs/heads/main`,
/// `v1` (a tag), or `containers/C/refs/...`.
fn resolve_local(ws: &Workspace, c: &str, spec: &str) -> Result<(String, String, ObjectId)> {
    if spec.starts_with("containers/") {
        let (c2, name) = split_wire_name(spec)?;
        let refs = RefStore::new(&ws.container_dir(c2));
        let id = refs
            .resolve(name)?
            .ok_or_else(|| Error::Invalid(format!("src refspec {spec} does not match any")))?;
        return Ok((c2.to_string(), name.to_string(), id));
    }
    let refs = RefStore::new(&ws.container_dir(c));
    let cands: Vec<String> = if spec.starts_with("refs/") {
        vec![spec.to_string()]
    } else if spec == "HEAD" {
        match refs.read("HEAD")? {
            Some(RefValue::Symbolic(t)) => vec![t],
            _ => {
                return Err(Error::Invalid(
                    "HEAD is detached: name the branch to push".into(),
                ))
            }
        }
    } else {
        vec![format!("refs/heads/{spec}"), format!("refs/tags/{spec}")]
    };
    for name in cands {
        if let Some(id) = refs.resolve(&name)? {
            return Ok((c.to_string(), name, id));
        }
    }
    Err(Error::Invalid(format!(
        "src refspec {spec} does not match any ref of container '{c}'"
    )))
}

fn qualify_dst(src: &str, dst: &str) -> String {
    if dst.starts_with("refs/") {
        dst.to_string()
    } else if src.starts_with("refs/tags/") {
        format!("refs/tags/{dst}")
    } else {
        format!("refs/heads/{dst}")
    }
}

/// Push to `remote`: `refspecs` (`[+]SRC[:DST]`, `:DST` deletes; names in
/// the selected container unless given as `containers/C/refs/…`), or the
/// selected container's current branch; `all` pushes every branch of every
/// container, `tags` every tag.
pub fn push(
    ws: &Workspace,
    remote: &Remote,
    refspecs: &[String],
    opts: &PushOpts,
    progress: &mut dyn FnMut(crate::transport::Event),
) -> Result<PushReport> {
    let url = parse_url(&remote.url)?;
    if let RemoteUrl::Http(u) = &url {
        return Err(Error::Invalid(format!(
            "{u}: dumb HTTP mirrors are read-only (push to the workspace they serve)"
        )));
    }
    // What to push, locally: (container, src ref, dst ref, id, forced).
    let mut wanted: Vec<(String, String, String, ObjectId, bool)> = Vec::new();
    let sel = ws.container.clone();
    if opts.all || opts.tags {
        for c in ws.containers()? {
            let refs = RefStore::new(&ws.container_dir(&c));
            let mut prefixes = Vec::new();
            if opts.all {
                prefixes.push("refs/heads/");
            }
            if opts.tags {
                prefixes.push("refs/tags/");
            }
            for p in prefixes {
                for (name, id) in refs.list(p)? {
                    wanted.push((c.clone(), name.clone(), name, id, opts.force));
                }
            }
        }
    }
    for spec in refspecs {
        let (plus, src, dst) = split_refspec(spec);
        if src.is_empty() || opts.delete {
            // `:DST`, or `--delete REF`.
            let name = if src.is_empty() {
                dst.unwrap_or("")
            } else {
                src
            };
            if name.is_empty() {
                return Err(Error::Invalid(format!("bad refspec '{spec}'")));
            }
            let (c, name) = if name.starts_with("containers/") {
                let (c, n) = split_wire_name(name)?;
                (c.to_string(), n.to_string())
            } else {
                (sel.clone(), qualify_dst("refs/heads/", name))
            };
            wanted.push((c, String::new(), name, ObjectId::ZERO, true));
            continue;
        }
        let (c, src_name, id) = resolve_local(ws, &sel, src)?;
        let dst_name = match dst {
            Some(d) if d.starts_with("containers/") => {
                let (dc, n) = split_wire_name(d)?;
                if dc != c {
                    return Err(Error::Invalid(format!(
                        "refspec '{spec}': a ref is pushed to the container of the same name"
                    )));
                }
                n.to_string()
            }
            Some(d) => qualify_dst(&src_name, d),
            None => src_name.clone(),
        };
        wanted.push((c, src_name, dst_name, id, plus || opts.force));
    }
    if wanted.is_empty() && !opts.all && !opts.tags {
        let (c, name, id) = resolve_local(ws, &sel, "HEAD").map_err(|e| match e {
            Error::Invalid(m) if m.contains("does not match") => Error::Invalid(format!(
                "container '{sel}' has no commit on its current branch to push"
            )),
            e => e,
        })?;
        wanted.push((c, name.clone(), name, id, opts.force));
    }
    if let RemoteUrl::S3(u) = &url {
        let mut s3 =
            crate::transport::s3::S3Client::open(u, Some(&ws.config), remote.name.as_deref())?;
        // The push on a thread of its own; this one shows the bytes it sends.
        let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        s3.sent_counter = Some(sent.clone());
        let name = remote.name.as_deref();
        let client = &mut s3;
        let report = std::thread::scope(|sc| {
            let me = std::thread::current();
            let job = sc.spawn(move || {
                let r = crate::transport::s3_remote::push(ws, client, name, wanted, opts);
                me.unpark();
                r
            });
            let mut shown = 0;
            while !job.is_finished() {
                let n = sent.load(std::sync::atomic::Ordering::Relaxed);
                if n != shown {
                    progress(crate::transport::Event::Sent(n));
                    shown = n;
                }
                std::thread::park_timeout(std::time::Duration::from_millis(100));
            }
            job.join()
                .unwrap_or_else(|_| Err(Error::Invalid("the s3 push thread panicked".into())))
        })?;
        let total = sent.load(std::sync::atomic::Ordering::Relaxed);
        if total > 0 {
            progress(crate::transport::Event::Sent(total));
        }
        if !opts.dry_run {
            track_pushed(ws, remote, &report, opts)?;
        }
        return Ok(report);
    }
    let copts = connect_options(ws, remote, Service::Receive, opts.program.as_deref());
    let conn = connect(&url, Service::Receive, &copts)?;
    let advertised: HashMap<String, ObjectId> = conn
        .refs
        .iter()
        .filter_map(|r| r.id.map(|id| (r.name.clone(), id)))
        .collect();
    let rname = remote.name.clone();
    let mut report = PushReport::default();
    for (c, src, dst, new, forced) in wanted {
        let wire = wire_name(&c, &dst);
        split_wire_name(&wire)?;
        let remote_old = advertised.get(&wire).copied().unwrap_or(ObjectId::ZERO);
        let mut r = PushRef {
            container: c.clone(),
            src,
            dst: dst.clone(),
            old: remote_old,
            new,
            error: None,
            up_to_date: remote_old == new,
            forced: false,
        };
        if new.is_zero() && remote_old.is_zero() {
            r.error = Some("remote ref does not exist".into());
        } else if let Some(lease) = opts.force_with_lease {
            let expected = match lease {
                Some(id) => id,
                None => match (&rname, dst.strip_prefix("refs/heads/")) {
                    (Some(n), Some(b)) => RefStore::new(&ws.container_dir(&c))
                        .resolve(&format!("refs/remotes/{n}/{b}"))?
                        .unwrap_or(ObjectId::ZERO),
                    _ => remote_old,
                },
            };
            if expected != remote_old {
                r.error = Some("stale info".into());
            } else {
                r.forced = true;
            }
        } else if !r.up_to_date && !remote_old.is_zero() && !new.is_zero() && !forced {
            if dst.starts_with("refs/tags/") {
                r.error = Some("already exists".into());
            } else if !ws.odb.contains(&remote_old)? {
                r.error = Some("fetch first".into());
            } else if !crate::revwalk::is_ancestor(&ws.odb, remote_old, new)? {
                r.error = Some("non-fast-forward".into());
            }
        } else if forced && !remote_old.is_zero() {
            r.forced = true;
        }
        report.refs.push(r);
    }
    // A shallow commit the remote lacks cannot travel (protocol.md 6a).
    let shallow = ws.odb.shallow()?;
    if !shallow.is_empty() {
        let mut have: Vec<ObjectId> = Vec::new();
        for id in advertised.values() {
            if matches!(
                ws.odb.read_header(id),
                Ok((crate::object::ObjectType::Commit, _))
            ) {
                have.push(*id);
            }
        }
        for r in report.refs.iter_mut() {
            if r.error.is_some() || r.up_to_date || r.new.is_zero() {
                continue;
            }
            let new = crate::revparse::peel(&ws.odb, r.new)?;
            if ws.odb.read_header(&new)?.0 != crate::object::ObjectType::Commit {
                continue;
            }
            let sent = crate::revwalk::walk(&ws.odb, &[new], &have, &Default::default())?;
            if sent.iter().any(|c| shallow.contains(&c.id)) {
                r.error = Some("shallow update not allowed".into());
            }
        }
    }
    let to_send: Vec<Update> = report
        .refs
        .iter()
        .filter(|r| r.error.is_none() && !r.up_to_date)
        .map(|r| Update {
            name: wire_name(&r.container, &r.dst),
            old: r.old,
            new: r.new,
        })
        .collect();
    let locally_rejected = report.refs.iter().any(|r| r.error.is_some());
    if opts.dry_run || to_send.is_empty() || (opts.atomic && locally_rejected) {
        if opts.atomic && locally_rejected {
            for r in report
                .refs
                .iter_mut()
                .filter(|r| r.error.is_none() && !r.up_to_date)
            {
                r.error = Some("atomic push failed".into());
            }
        }
        send_pack(&ws.odb, conn, &[], &PushOptions::default(), progress)?;
        return Ok(report);
    }
    let popts = PushOptions {
        atomic: opts.atomic,
        quiet: opts.quiet,
        compact: crate::transport::compact_pack_enabled(&ws.config),
    };
    let pushed = send_pack(&ws.odb, conn, &to_send, &popts, progress)?;
    report.objects = pushed.objects;
    report.pack_bytes = pushed.pack_bytes;
    report.unpack_error = pushed.unpack_error.clone();
    let status: HashMap<&str, &Option<String>> = pushed
        .statuses
        .iter()
        .map(|s| (s.name.as_str(), &s.error))
        .collect();
    for r in report
        .refs
        .iter_mut()
        .filter(|r| r.error.is_none() && !r.up_to_date)
    {
        let wire = wire_name(&r.container, &r.dst);
        match status.get(wire.as_str()) {
            Some(None) => {}
            Some(Some(why)) => r.error = Some(format!("remote rejected: {why}")),
            None => r.error = Some("no status from the remote".into()),
        }
    }
    track_pushed(ws, remote, &report, opts)?;
    Ok(report)
}

/// Remote-tracking refs follow what was pushed; `-u` sets upstreams.
fn track_pushed(
    ws: &Workspace,
    remote: &Remote,
    report: &PushReport,
    opts: &PushOpts,
) -> Result<()> {
    let who = ws.committer()?;
    if let Some(n) = &remote.name {
        for r in report.refs.iter().filter(|r| r.error.is_none()) {
            let Some(b) = r.dst.strip_prefix("refs/heads/") else {
                continue;
            };
            let cdir = ws.container_dir(&r.container);
            let refs = RefStore::new(&cdir);
            let local = format!("refs/remotes/{n}/{b}");
            if r.new.is_zero() {
                if refs.resolve(&local)?.is_some() {
                    refs.delete(&local, Expect::Any, &who, "push: delete")?;
                }
            } else {
                refs.update(&local, r.new, Expect::Any, &who, "push")?;
            }
            if opts.set_upstream && !r.new.is_zero() {
                if let Some(sb) = r.src.strip_prefix("refs/heads/") {
                    let key = format!("branch.{}/{sb}", r.container);
                    let cfg = ws.dir.join("config");
                    Config::edit(&cfg, &format!("{key}.remote"), Some(n))?;
                    Config::edit(&cfg, &format!("{key}.merge"), Some(&r.dst))?;
                }
            }
        }
    }
    Ok(())
}

/// The upstream of container `c`'s branch `b`: its remote-tracking ref,
/// from `branch.<c>/<b>.remote` and `.merge`.
pub fn upstream(ws: &Workspace, c: &str, b: &str) -> Option<(String, String)> {
    let key = format!("branch.{c}/{b}");
    let remote = ws.config.get(&format!("{key}.remote"))?;
    let merge = ws.config.get(&format!("{key}.merge"))?;
    let branch = merge.strip_prefix("refs/heads/")?;
    Some((
        format!("{remote}/{branch}"),
        format!("refs/remotes/{remote}/{branch}"),
    ))
}

/// An upstream's name and (ahead, behind) counts, `None` when it is gone.
pub type Tracking = (String, Option<(usize, usize)>);

/// How the current branch of container `ws.container` relates to its
/// upstream: `(upstream name, ahead, behind)`; `Ok(None)` without an
/// upstream; `behind`/`ahead` are `None` when the upstream ref is gone.
pub fn ahead_behind(ws: &Workspace) -> Result<Option<Tracking>> {
    let Some(branch) = ws.refs.head_target()? else {
        return Ok(None);
    };
    let Some(b) = branch.strip_prefix("refs/heads/") else {
        return Ok(None);
    };
    let Some((name, tracking)) = upstream(ws, &ws.container, b) else {
        return Ok(None);
    };
    let (Some(local), Some(up)) = (ws.refs.resolve(&branch)?, ws.refs.resolve(&tracking)?) else {
        return Ok(Some((name, None)));
    };
    let count = |a: ObjectId, b: ObjectId| -> Result<usize> {
        Ok(crate::revwalk::walk(&ws.odb, &[a], &[b], &Default::default())?.len())
    };
    Ok(Some((name, Some((count(local, up)?, count(up, local)?)))))
}
