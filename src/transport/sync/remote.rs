//! Remotes as the config names them, what connecting to one needs, the
//! refspecs fetch and push share, and a branch's upstream (sync.md).
#![warn(missing_docs)]

use crate::error::Result;
use crate::oid::ObjectId;
use crate::refs::RefStore;
use crate::transport::connect::{parse_url, ConnectOptions, RemoteUrl, Service};
use crate::transport::TransportError;
use crate::workspace::{Config, Workspace};
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// A remote as named on the command line: a configured name or a URL.
#[derive(Clone, Debug)]
pub struct Remote {
    /// The configured name (`None` for a bare URL).
    pub name: Option<String>,
    /// The remote's URL.
    pub url: String,
}

impl Remote {
    /// The remote at `url`, given as it is rather than by a configured name.
    pub fn bare(url: &str) -> Remote {
        Remote {
            name: None,
            url: url.to_string(),
        }
    }
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
        return Err(TransportError::UnknownRemote(arg.to_string()).into());
    }
    Ok(Remote::bare(arg))
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
            .map_err(|err| TransportError::UnresolvedPath {
                url: url.to_string(),
                err,
            })?
            .display()
            .to_string(),
        _ => url.to_string(),
    })
}

/// Every configured remote: (name, url), by name.
pub fn remotes(ws: &Workspace) -> Vec<(String, String)> {
    let by_name: std::collections::BTreeMap<String, String> = ws
        .config
        .entries()
        .filter_map(|e| {
            let rest = e.name.strip_prefix("remote.")?;
            let name = rest.strip_suffix(".url")?;
            Some((name.to_string(), e.value.clone().unwrap_or_default()))
        })
        .collect();
    by_name.into_iter().collect()
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

/// Run `job` on a thread of its own while this one shows `counter` as it
/// grows; `what` names the job if it panics.
pub(super) fn on_own_thread<T: Send>(
    what: &'static str,
    counter: &AtomicU64,
    mut show: impl FnMut(u64),
    job: impl FnOnce() -> Result<T> + Send,
) -> Result<T> {
    std::thread::scope(|s| {
        let me = std::thread::current();
        let job = s.spawn(move || {
            let r = job();
            me.unpark();
            r
        });
        let mut shown = 0;
        while !job.is_finished() {
            let n = counter.load(Ordering::Relaxed);
            if n != shown {
                show(n);
                shown = n;
            }
            std::thread::park_timeout(std::time::Duration::from_millis(100));
        }
        job.join()
            .unwrap_or_else(|_| Err(TransportError::Panicked(what).into()))
    })
}

/// `[+]SRC[:DST]`: whether forced, SRC, and DST if given.
pub(super) fn split_refspec(spec: &str) -> (bool, &str, Option<&str>) {
    let (plus, body) = match spec.strip_prefix('+') {
        Some(b) => (true, b),
        None => (false, spec),
    };
    match body.split_once(':') {
        Some((s, d)) => (plus, s, Some(d)),
        None => (plus, body, None),
    }
}

/// Where refspec `spec` puts the ref `src` of `container` when it names
/// `dst`: `containers/C/…` only in `container` itself (a ref goes to the
/// container of its name, whether `verb` is "fetched into" or "pushed
/// to"), anything else qualified as `src` is.
pub(super) fn dst_in_container(
    spec: &str,
    container: &str,
    src: &str,
    dst: &str,
    verb: &'static str,
) -> Result<String> {
    if !dst.starts_with("containers/") {
        return Ok(qualify_dst(src, dst));
    }
    let (c, name) = crate::transport::advertise::split_wire_name(dst)?;
    if c != container {
        return Err(TransportError::OtherContainer {
            spec: spec.to_string(),
            verb,
        }
        .into());
    }
    Ok(name.to_string())
}

pub(super) fn qualify_dst(src: &str, dst: &str) -> String {
    if dst.starts_with("refs/") {
        dst.to_string()
    } else if src.starts_with("refs/tags/") {
        format!("refs/tags/{dst}")
    } else {
        format!("refs/heads/{dst}")
    }
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
