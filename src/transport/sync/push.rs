//! Push (sync.md): local refs resolved to the remote's, the fast-forward
//! and force rules, over the smart protocol or to S3, and the
//! remote-tracking refs moved after.

use super::remote::*;
use crate::error::{Error, Result};
use crate::oid::ObjectId;
use crate::refs::{Expect, RefStore, RefValue};
use crate::store::ObjectStore;
use crate::transport::advertise::{split_wire_name, wire_name};
use crate::transport::connect::{connect, parse_url, RemoteUrl, Service};
use crate::transport::push::{PushOpts, PushRef, PushReport};
use crate::transport::s3_remote::Wanted;
use crate::transport::send::{send_pack, PushOptions, Pushed, Update};
use crate::transport::TransportError;
use crate::workspace::{Config, Workspace};
use std::collections::HashMap;

/// A refspec's source resolved in container `c`: `main`, `refs/heads/main`,
/// `v1` (a tag), or `containers/C/refs/...`.
fn resolve_local(ws: &Workspace, c: &str, spec: &str) -> Result<(String, String, ObjectId)> {
    if spec.starts_with("containers/") {
        let (c2, name) = split_wire_name(spec)?;
        let refs = RefStore::new(&ws.container_dir(c2));
        let id = refs
            .resolve(name)?
            .ok_or_else(|| TransportError::NoMatchingRef {
                spec: spec.to_string(),
                container: None,
            })?;
        return Ok((c2.to_string(), name.to_string(), id));
    }
    let refs = RefStore::new(&ws.container_dir(c));
    let cands: Vec<String> = if spec.starts_with("refs/") {
        vec![spec.to_string()]
    } else if spec == "HEAD" {
        match refs.read("HEAD")? {
            Some(RefValue::Symbolic(t)) => vec![t],
            _ => return Err(TransportError::DetachedHead.into()),
        }
    } else {
        vec![format!("refs/heads/{spec}"), format!("refs/tags/{spec}")]
    };
    for name in cands {
        if let Some(id) = refs.resolve(&name)? {
            return Ok((c.to_string(), name, id));
        }
    }
    Err(TransportError::NoMatchingRef {
        spec: spec.to_string(),
        container: Some(c.to_string()),
    }
    .into())
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
    progress: &dyn crate::progress::Progress,
) -> Result<PushReport> {
    let url = parse_url(&remote.url)?;
    if let RemoteUrl::Http(u) = &url {
        return Err(TransportError::MirrorIsReadOnly(u.clone()).into());
    }
    let wanted = wanted_refs(ws, refspecs, opts)?;
    if let RemoteUrl::S3(u) = &url {
        return push_to_bucket(ws, remote, u, wanted, opts, progress);
    }
    let copts = connect_options(ws, remote, Service::Receive, opts.program.as_deref());
    let conn = connect(&url, Service::Receive, &copts)?;
    let advertised: HashMap<String, ObjectId> = conn
        .refs
        .iter()
        .filter_map(|r| r.id.map(|id| (r.name.clone(), id)))
        .collect();
    let mut report = PushReport::default();
    for (c, src, dst, new, forced) in wanted {
        let wire = wire_name(&c, &dst);
        split_wire_name(&wire)?;
        let remote_old = advertised.get(&wire).copied().unwrap_or(ObjectId::ZERO);
        let r = PushRef {
            container: c,
            src,
            dst,
            old: remote_old,
            new,
            error: None,
            up_to_date: remote_old == new,
            forced: false,
        };
        report.refs.push(judge(ws, remote, r, forced, opts)?);
    }
    refuse_shallow(ws, &advertised, &mut report.refs)?;
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
    record_statuses(&mut report, &pushed);
    track_pushed(ws, remote, &report, opts)?;
    Ok(report)
}

/// What to push, locally: (container, src ref, dst ref, id, forced), from
/// `--all`, `--tags`, the refspecs, or else the current branch.
fn wanted_refs(ws: &Workspace, refspecs: &[String], opts: &PushOpts) -> Result<Vec<Wanted>> {
    let mut wanted: Vec<Wanted> = Vec::new();
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
        wanted.push(wanted_of_spec(ws, &sel, spec, opts)?);
    }
    if wanted.is_empty() && !opts.all && !opts.tags {
        let (c, name, id) = resolve_local(ws, &sel, "HEAD").map_err(|e| match e {
            Error::Transport(TransportError::NoMatchingRef { .. }) => {
                TransportError::NothingToPush(sel.clone()).into()
            }
            e => e,
        })?;
        wanted.push((c, name.clone(), name, id, opts.force));
    }
    Ok(wanted)
}

/// What refspec `spec` pushes (`sel`: the selected container).
fn wanted_of_spec(ws: &Workspace, sel: &str, spec: &str, opts: &PushOpts) -> Result<Wanted> {
    let (plus, src, dst) = split_refspec(spec);
    if src.is_empty() || opts.delete {
        // `:DST`, or `--delete REF`.
        let name = if src.is_empty() {
            dst.unwrap_or("")
        } else {
            src
        };
        if name.is_empty() {
            return Err(TransportError::BadRefspec(spec.to_string()).into());
        }
        let (c, name) = if name.starts_with("containers/") {
            let (c, n) = split_wire_name(name)?;
            (c.to_string(), n.to_string())
        } else {
            (sel.to_string(), qualify_dst("refs/heads/", name))
        };
        return Ok((c, String::new(), name, ObjectId::ZERO, true));
    }
    let (c, src_name, id) = resolve_local(ws, sel, src)?;
    let dst_name = match dst {
        Some(d) => dst_in_container(spec, &c, &src_name, d, "pushed to")?,
        None => src_name.clone(),
    };
    Ok((c, src_name, dst_name, id, plus || opts.force))
}

/// Push `wanted` to an object store (object-store.md), on a thread of its
/// own while this one shows the bytes it sends.
fn push_to_bucket(
    ws: &Workspace,
    remote: &Remote,
    url: &str,
    wanted: Vec<Wanted>,
    opts: &PushOpts,
    progress: &dyn crate::progress::Progress,
) -> Result<PushReport> {
    let mut s3 =
        crate::transport::s3::S3Client::open(url, Some(&ws.config), remote.name.as_deref())?;
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    s3.session.sent_counter = Some(sent.clone());
    let name = remote.name.as_deref();
    let client = &mut s3;
    let mut bytes = crate::transport::PackBytes::new(progress, "Sending pack");
    let report = on_own_thread(
        "s3 push",
        &sent,
        |n| bytes.at(n),
        move || crate::transport::s3_remote::push(ws, client, name, wanted, opts),
    )?;
    bytes.at(sent.load(std::sync::atomic::Ordering::Relaxed));
    drop(bytes);
    if !opts.dry_run {
        track_pushed(ws, remote, &report, opts)?;
    }
    Ok(report)
}

/// The push rules for one ref against what the remote advertised (`r.old`):
/// a lease, fast-forward, tags never moved, unless `forced`.
fn judge(
    ws: &Workspace,
    remote: &Remote,
    mut r: PushRef,
    forced: bool,
    opts: &PushOpts,
) -> Result<PushRef> {
    let (new, remote_old) = (r.new, r.old);
    if new.is_zero() && remote_old.is_zero() {
        r.error = Some("remote ref does not exist".into());
    } else if let Some(lease) = opts.force_with_lease {
        let expected = match lease {
            Some(id) => id,
            None => match (&remote.name, r.dst.strip_prefix("refs/heads/")) {
                (Some(n), Some(b)) => RefStore::new(&ws.container_dir(&r.container))
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
        if r.dst.starts_with("refs/tags/") {
            r.error = Some("already exists".into());
        } else if !ws.odb.contains(&remote_old)? {
            r.error = Some("fetch first".into());
        } else if !crate::revwalk::is_ancestor(&ws.odb, remote_old, new)? {
            r.error = Some("non-fast-forward".into());
        }
    } else if forced && !remote_old.is_zero() {
        r.forced = true;
    }
    Ok(r)
}

/// A shallow commit the remote lacks cannot travel (protocol.md 6a): refuse
/// the refs whose history would hold one.
fn refuse_shallow(
    ws: &Workspace,
    advertised: &HashMap<String, ObjectId>,
    refs: &mut [PushRef],
) -> Result<()> {
    let shallow = ws.odb.shallow()?;
    if shallow.is_empty() {
        return Ok(());
    }
    let mut have: Vec<ObjectId> = Vec::new();
    for id in advertised.values() {
        if matches!(
            ws.odb.read_header(id),
            Ok((crate::object::ObjectType::Commit, _))
        ) {
            have.push(*id);
        }
    }
    for r in refs.iter_mut() {
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
    Ok(())
}

/// What the remote said of the pack and of each ref sent.
fn record_statuses(report: &mut PushReport, pushed: &Pushed) {
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
