//! `hako ls-remote PATH|URL`: the refs another workspace advertises, as
//! `<id> TAB <ref>` lines (HEAD first per container, a tag's peeled value
//! as `<ref>^{}`), like git's ls-remote. A local path: the other workspace
//! is read in-process, its advertisement written as packets
//! (format-spec/protocol.md) and parsed back, as a remote one would be. An
//! `http(s)://` URL: a dumb-HTTP mirror's `info/refs` (format-spec/dumb-http.md).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use hako::transport::advertise::{
    read_advertisement, workspace_refs, write_advertisement, AdvertisedRef, UPLOAD_CAPABILITIES,
};
use hako::transport::pkt::{PktReader, PktWriter};
use hako::workspace::Workspace;

#[derive(clap::Args)]
pub struct Args {
    /// Only branches (refs/heads/).
    #[arg(long)]
    heads: bool,
    /// Only tags (refs/tags/).
    #[arg(long)]
    tags: bool,
    /// Show the symbolic target of each HEAD as `ref: <target> TAB HEAD`.
    #[arg(long)]
    symref: bool,
    /// Exit 2 when no ref is listed.
    #[arg(long)]
    exit_code: bool,
    /// The other workspace: its root (holding .hako) or its .hako directory,
    /// or the http(s):// URL of a dumb-HTTP mirror.
    path: PathBuf,
}

/// The `.hako` directory of a local remote.
fn hako_dir(path: &Path) -> PathBuf {
    let inner = path.join(".hako");
    if inner.join("config").is_file() {
        inner
    } else {
        path.to_path_buf()
    }
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let remote = a.path.display().to_string();
    if hako::transport::dumb::is_http_url(&remote) {
        let refs = hako::transport::dumb::http_refs(&remote)?;
        return list(&a, &refs);
    }
    let fail = |e: hako::Error| anyhow!("{remote}: {e}");
    let ws = Workspace::open(&hako_dir(&a.path)).map_err(|e| match e {
        hako::Error::NoWorkspace => anyhow!("'{remote}' does not appear to be a hako workspace"),
        e => fail(e),
    })?;
    // The server's side, in-process: the advertisement as packets.
    let mut w = PktWriter::new(Vec::new());
    let refs = workspace_refs(&ws).map_err(fail)?;
    write_advertisement(&mut w, &refs, UPLOAD_CAPABILITIES).map_err(fail)?;
    let bytes = w.into_inner();
    // The client's side.
    let (refs, _caps) = read_advertisement(&mut PktReader::new(&bytes[..])).map_err(fail)?;
    list(&a, &refs)
}

fn list(a: &Args, refs: &[AdvertisedRef]) -> anyhow::Result<i32> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut shown = 0;
    for r in refs {
        let is_head = r.name.ends_with("/HEAD");
        let is_tag = r.name.contains("/refs/tags/");
        let is_branch = r.name.contains("/refs/heads/");
        if (a.heads || a.tags) && !((a.heads && is_branch) || (a.tags && is_tag)) {
            continue;
        }
        let Some(id) = r.id else { continue };
        if a.symref && is_head {
            if let Some(t) = &r.symref_target {
                super::out(writeln!(out, "ref: {t}\t{}", r.name))?;
            }
        }
        super::out(writeln!(out, "{id}\t{}", r.name))?;
        if let Some(p) = r.peeled {
            super::out(writeln!(out, "{p}\t{}^{{}}", r.name))?;
        }
        shown += 1;
    }
    super::out(out.flush())?;
    Ok(if a.exit_code && shown == 0 { 2 } else { 0 })
}
