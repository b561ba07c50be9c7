//! Fetch and clone (sync.md): which remote refs map to which local refs,
//! new containers, remote-tracking refs, over the smart protocol, dumb HTTP
//! or S3.
#![warn(missing_docs)]

use super::remote::*;
use crate::error::{Error, Result};
use crate::identity::Signature;
use crate::oid::ObjectId;
use crate::refs::{Expect, RefStore, RefValue};
use crate::store::ObjectStore;
use crate::transport::advertise::{split_wire_name, wire_name, AdvertisedRef};
use crate::transport::connect::{connect, parse_url, RemoteUrl, Service};
use crate::transport::fetch::{fetch_pack, FetchOptions, Fetched};
use crate::transport::TransportError;
use crate::workspace::{Config, Workspace};
use std::collections::{BTreeMap, HashSet};

/// One local ref a fetch changed (or declined to).
#[derive(Clone, Debug)]
pub struct RefChange {
    /// The container of the ref.
    pub container: String,
    /// The local ref name within the container.
    pub name: String,
    /// The ref's id before the fetch (`None`: it did not exist).
    pub old: Option<ObjectId>,
    /// The ref's id after the fetch (`None`: deleted).
    pub new: Option<ObjectId>,
    /// `new container`, `new branch`, `new tag`, `fast-forward`,
    /// `forced update`, `deleted`, or `rejected: …`.
    pub note: String,
}

/// Options of `fetch`.
#[derive(Clone, Debug, Default)]
pub struct FetchOpts {
    /// Delete remote-tracking refs the remote no longer has.
    pub prune: bool,
    /// Overwrite tags that differ locally.
    pub force: bool,
    /// Report less.
    pub quiet: bool,
    /// Fetch only these containers (`clone --container`).
    pub containers: Option<Vec<String>>,
    /// The remote's upload-pack program, instead of the default.
    pub program: Option<String>,
    /// `[+]SRC[:DST]` (sync.md, "fetch with refspecs"): only these refs.
    pub refspecs: Vec<String>,
    /// `--depth N` / `--unshallow` (sync.md, "Shallow clones and fetches").
    pub deepen: Option<u32>,
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
            return Err(TransportError::NoRemoteRef {
                src: src.to_string(),
                container: ws.container.clone(),
            }
            .into());
        };
        let (container, src_name) = split_wire_name(&wire)?;
        let dst = match dst {
            None | Some("") => None,
            Some(d) => Some(dst_in_container(
                spec,
                container,
                src_name,
                d,
                "fetched into",
            )?),
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
    /// What the fetch brought.
    pub fetched: Fetched,
    /// The local refs it changed or declined to.
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
    progress: &dyn crate::progress::Progress,
) -> Result<FetchReport> {
    let url = parse_url(&remote.url)?;
    let (advertised, fetched, specs) = match &url {
        RemoteUrl::Http(_) | RemoteUrl::S3(_) if opts.deepen.is_some() => {
            return Err(TransportError::ShallowNeedsSmartProtocol(remote.url.clone()).into())
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
    progress: &dyn crate::progress::Progress,
) -> Result<Fetched> {
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let c = counter.clone();
    let mut bytes = crate::transport::PackBytes::new(progress, "Receiving pack");
    let stats = on_own_thread(
        "http fetch",
        &counter,
        |n| bytes.at(n),
        move || {
            crate::transport::dumb::fetch::fetch_from(&ws.odb, reader, wants, &mut |_| {}, Some(c))
        },
    )?;
    bytes.at(stats.bytes);
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
            return Err(TransportError::WrongRefType {
                name: r.name.clone(),
                id,
                kind,
                want: want.name(),
            }
            .into());
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
    let mut by_container: BTreeMap<String, Vec<&AdvertisedRef>> = BTreeMap::new();
    for r in advertised.iter().filter(|r| wanted(r, opts)) {
        let (c, _) = split_wire_name(&r.name)?;
        by_container.entry(c.to_string()).or_default().push(r);
    }
    let mut up = LocalRefs {
        ws,
        remote,
        opts,
        who: ws.committer()?,
        rname: remote.name.clone().unwrap_or_default(),
        msg: format!("fetch {}", remote.url),
        out: Vec::new(),
    };
    for (c, refs_here) in &by_container {
        up.update_container(c, refs_here)?;
    }
    if opts.prune && remote.name.is_some() {
        // Containers the remote no longer has: their tracking refs go.
        for c in ws.containers()? {
            if by_container.contains_key(&c) || opts.containers.is_some() {
                continue;
            }
            up.prune(&c, &RefStore::new(&ws.container_dir(&c)), &HashSet::new())?;
        }
    }
    Ok(up.out)
}

/// The local side of a fetch without refspecs, container by container,
/// and the changes it made so far.
struct LocalRefs<'a> {
    ws: &'a Workspace,
    remote: &'a Remote,
    opts: &'a FetchOpts,
    who: Signature,
    /// The remote's configured name ("" for a bare URL).
    rname: String,
    /// The reflog message.
    msg: String,
    out: Vec<RefChange>,
}

impl LocalRefs<'_> {
    /// Note a change (or a refusal) to container `container`'s ref `name`.
    fn record(
        &mut self,
        container: &str,
        name: String,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        note: &str,
    ) {
        self.out.push(RefChange {
            container: container.to_string(),
            name,
            old,
            new,
            note: note.to_string(),
        });
    }

    /// Container `c`'s remote-tracking refs and tags to the advertised
    /// `refs_here`; a new container checks out the remote HEAD's branch.
    fn update_container(&mut self, c: &str, refs_here: &[&AdvertisedRef]) -> Result<()> {
        let cdir = self.ws.container_dir(c);
        let new_container = !cdir.join("HEAD").is_file();
        if new_container {
            self.ws.create_container(c)?;
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
                if self.remote.name.is_some() {
                    self.track_branch(c, &refs, b, id, &mut moves)?;
                }
            } else if name.starts_with("refs/tags/") {
                self.take_tag(c, &refs, name, id, &mut moves)?;
            }
        }
        // A few hundred refs per transaction: each holds its lock files open.
        for chunk in moves.chunks(512) {
            let mut t = refs.transaction();
            t.bulk();
            for (name, id, expect) in chunk {
                t.update(name, *id, *expect, &self.msg);
            }
            t.commit(&self.who)?;
        }
        if new_container {
            self.check_out_head(c, &refs, refs_here)?;
        }
        if self.opts.prune && self.remote.name.is_some() {
            self.prune(c, &refs, &advertised_branches)?;
        }
        Ok(())
    }

    /// Branch `b` at `id` on the remote: its remote-tracking ref follows,
    /// forced as such refs are.
    fn track_branch(
        &mut self,
        c: &str,
        refs: &RefStore,
        b: &str,
        id: ObjectId,
        moves: &mut Vec<(String, ObjectId, Expect)>,
    ) -> Result<()> {
        let local = format!("refs/remotes/{}/{b}", self.rname);
        let old = refs.resolve(&local)?;
        if old == Some(id) {
            return Ok(());
        }
        let note = match old {
            None => "new branch",
            Some(o) if crate::revwalk::is_ancestor(&self.ws.odb, o, id).unwrap_or(false) => {
                "fast-forward"
            }
            Some(_) => "forced update",
        };
        moves.push((local.clone(), id, Expect::Any));
        self.record(c, local, old, Some(id), note);
        Ok(())
    }

    /// Tag `name` at `id` on the remote: taken when new, or with `force`.
    fn take_tag(
        &mut self,
        c: &str,
        refs: &RefStore,
        name: &str,
        id: ObjectId,
        moves: &mut Vec<(String, ObjectId, Expect)>,
    ) -> Result<()> {
        let old = refs.resolve(name)?;
        if old == Some(id) {
            return Ok(());
        }
        let note = if old.is_some() && !self.opts.force {
            "rejected: would clobber existing tag"
        } else {
            moves.push((
                name.to_string(),
                id,
                Expect::from_opt(Some(old.unwrap_or(ObjectId::ZERO))),
            ));
            if old.is_some() {
                "forced update"
            } else {
                "new tag"
            }
        };
        self.record(c, name.to_string(), old, Some(id), note);
        Ok(())
    }

    /// A new container checks out the remote HEAD's branch (its upstream:
    /// the remote's), or holds the remote's detached HEAD.
    fn check_out_head(
        &mut self,
        c: &str,
        refs: &RefStore,
        refs_here: &[&AdvertisedRef],
    ) -> Result<()> {
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
                refs.update(&t, id, Expect::Absent, &self.who, &self.msg)?;
                if let Some(n) = &self.remote.name {
                    let b = t.trim_start_matches("refs/heads/");
                    let key = format!("branch.{c}/{b}");
                    let cfg = self.ws.dir.join("config");
                    Config::edit(&cfg, &format!("{key}.remote"), Some(n))?;
                    Config::edit(&cfg, &format!("{key}.merge"), Some(&t))?;
                }
            }
            (None, Some(id)) => {
                refs.update_no_deref("HEAD", id, &self.who, &self.msg)?;
            }
            _ => {}
        }
        self.record(c, "HEAD".into(), None, head_id, "new container");
        Ok(())
    }

    /// `--prune`: the remote-tracking refs of container `c` whose branch
    /// the remote no longer has (`kept`: the ones it has) go.
    fn prune(&mut self, c: &str, refs: &RefStore, kept: &HashSet<String>) -> Result<()> {
        let prefix = format!("refs/remotes/{}/", self.rname);
        for (name, id) in refs.list(&prefix)? {
            if kept.contains(&name[prefix.len()..]) {
                continue;
            }
            refs.delete(&name, Expect::Value(id), &self.who, "fetch --prune")?;
            self.record(c, name, Some(id), None, "deleted");
        }
        Ok(())
    }
}
