//! `hako ls-remote REMOTE`: the refs another workspace advertises, as
//! `<id> TAB <ref>` lines (HEAD first per container, a tag's peeled value
//! as `<ref>^{}`), like git's ls-remote. The remote's `upload-pack` is
//! reached as for a fetch (ssh, or in-process for a local path) and the
//! conversation ends after its advertisement. An `http(s)://` URL is a
//! dumb-HTTP mirror: its `info/refs` (format-spec/dumb-http.md).

use std::io::Write;

use hako::transport::connect::{connect, parse_url, ConnectOptions, RemoteUrl, Service};
use hako::transport::pkt::PktWriter;
use hako::transport::sync;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    kinds: super::RefKinds,
    /// Show the symbolic target of each HEAD as `ref: <target> TAB HEAD`.
    #[arg(long)]
    symref: bool,
    /// Exit 2 when no ref is listed.
    #[arg(long)]
    exit_code: bool,
    /// The remote: a configured name, ssh://, [user@]host:path, file://, http(s)://, s3:// or a path.
    path: String,
}

/// The configured name `arg` is, if it is one.
fn remote_name(ws: &hako::workspace::Workspace, arg: &str) -> Option<String> {
    sync::remote(ws, Some(arg)).ok().and_then(|r| r.name)
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let url = parse_url(&a.path)?;
    // A configured remote name works too when run inside a workspace.
    let mut config = None;
    let (url, opts) = match super::open_workspace() {
        Ok(ws) => {
            config = Some((ws.config.clone(), remote_name(&ws, &a.path)));
            let remote = sync::remote(&ws, Some(&a.path)).unwrap_or(sync::Remote::bare(&a.path));
            let opts = sync::connect_options(&ws, &remote, Service::Upload, None);
            (parse_url(&remote.url)?, opts)
        }
        Err(_) => (
            url,
            ConnectOptions {
                ssh_command: sync::ssh_command(None),
                program: None,
            },
        ),
    };
    let refs = if let RemoteUrl::Http(u) = &url {
        // A dumb-HTTP mirror: its info/refs (format-spec/dumb-http.md).
        hako::transport::dumb::http_refs(u)?
    } else if let RemoteUrl::S3(u) = &url {
        // A bucket: every value of every ref (a diverged one shows each head).
        let (cfg, name) = config.unzip();
        let mut s3 =
            hako::transport::s3::S3Client::open(u, cfg.as_ref(), name.flatten().as_deref())?;
        hako::transport::s3_remote::every_value(&hako::transport::s3_remote::read_refs(&mut s3)?)
    } else {
        let conn = connect(&url, Service::Upload, &opts)?;
        let refs = conn.refs.clone();
        // No wants: the conversation ends after the advertisement.
        let mut w = PktWriter::new(Vec::new());
        w.flush_pkt()?;
        let mut conn = conn;
        std::io::Write::write_all(&mut conn.writer, &w.into_inner())?;
        conn.finish()?;
        refs
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut shown = 0;
    for r in &refs {
        if !a.kinds.shows(&r.name) {
            continue;
        }
        let Some(id) = r.id else { continue };
        if a.symref && r.name.ends_with("/HEAD") {
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
