//! Reaching the other end (format-spec/protocol.md, section 12): remote
//! URLs, and a connection to the server program — `upload-pack` or
//! `receive-pack` — run over ssh, or in-process over pipes for a local path.
#![warn(missing_docs)]

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;

use crate::error::{Error, Result};
use crate::transport::advertise::{read_advertisement, AdvertisedRef};
use crate::transport::pkt::PktReader;
use crate::transport::TransportError;
use crate::workspace::Workspace;

/// Where a remote is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemoteUrl {
    /// A local path (or `file://`).
    Local(PathBuf),
    /// `ssh://[user@]host[:port]/path` or `[user@]host:path`.
    Ssh {
        /// The user to log in as, if named.
        user: Option<String>,
        /// The host.
        host: String,
        /// The port, if named.
        port: Option<u16>,
        /// The path on the host.
        path: String,
    },
    /// `http://…` or `https://…`: a dumb, read-only mirror.
    Http(String),
    /// `s3://BUCKET/PREFIX`: a bucket of an object store (object-store.md).
    S3(String),
}

/// Parse a remote URL as git does: a scheme; else `host:path` when a colon
/// comes before any slash; else a local path.
pub fn parse_url(s: &str) -> Result<RemoteUrl> {
    let bad = |why| {
        Error::from(TransportError::BadUrl {
            url: s.to_string(),
            why,
        })
    };
    if s.is_empty() {
        return Err(bad("empty"));
    }
    if s.starts_with("http://") || s.starts_with("https://") {
        return Ok(RemoteUrl::Http(s.trim_end_matches('/').to_string()));
    }
    if crate::transport::s3::is_s3_url(s) {
        crate::transport::s3::parse_s3_url(s)?;
        return Ok(RemoteUrl::S3(s.trim_end_matches('/').to_string()));
    }
    if let Some(rest) = s.strip_prefix("file://") {
        if !rest.starts_with('/') {
            return Err(bad("a file:// URL needs an absolute path"));
        }
        return Ok(RemoteUrl::Local(PathBuf::from(rest)));
    }
    if let Some(rest) = s.strip_prefix("ssh://") {
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => return Err(bad("no path")),
        };
        let (user, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u.to_string()), h),
            None => (None, authority),
        };
        let (host, port) = match hostport.strip_prefix('[') {
            Some(v6) => {
                let (h, after) = v6.split_once(']').ok_or_else(|| bad("unclosed '['"))?;
                (h, after.strip_prefix(':'))
            }
            None => match hostport.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            },
        };
        let port = match port {
            Some("") | None => None,
            Some(p) => Some(p.parse::<u16>().map_err(|_| bad("bad port"))?),
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        check_ssh_names(s, user.as_deref(), host)?;
        let path = path
            .strip_prefix("/~")
            .map_or(path.to_string(), |p| format!("~{p}"));
        return Ok(RemoteUrl::Ssh {
            user,
            host: host.to_string(),
            port,
            path,
        });
    }
    if s.contains("://") {
        return Err(bad(
            "unknown scheme (use ssh://, file://, http(s)://, s3:// or a path)",
        ));
    }
    if let Some(colon) = s.find(':') {
        let slash = s.find('/').unwrap_or(usize::MAX);
        if colon < slash {
            let (userhost, path) = (&s[..colon], &s[colon + 1..]);
            let (user, host) = match userhost.rsplit_once('@') {
                Some((u, h)) => (Some(u.to_string()), h),
                None => (None, userhost),
            };
            if host.is_empty() || path.is_empty() {
                return Err(bad("expected [user@]host:path"));
            }
            check_ssh_names(s, user.as_deref(), host)?;
            return Ok(RemoteUrl::Ssh {
                user,
                host: host.to_string(),
                port: None,
                path: path.to_string(),
            });
        }
    }
    Ok(RemoteUrl::Local(PathBuf::from(s)))
}

/// Refuse an ssh user or host that ssh would take for an option
/// (`ssh://-oProxyCommand=…/p`, git's CVE-2017-1000117).
fn check_ssh_names(url: &str, user: Option<&str>, host: &str) -> Result<()> {
    for (what, v) in [("user", user.unwrap_or("")), ("host", host)] {
        if v.starts_with('-') {
            return Err(TransportError::SshNameIsOption {
                url: url.to_string(),
                what,
                name: v.to_string(),
            }
            .into());
        }
    }
    Ok(())
}

/// The server program at the other end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// `upload-pack`: serves fetches.
    Upload,
    /// `receive-pack`: receives pushes.
    Receive,
}

impl Service {
    /// The program's name (`upload-pack`, `receive-pack`).
    pub fn name(self) -> &'static str {
        match self {
            Service::Upload => "upload-pack",
            Service::Receive => "receive-pack",
        }
    }
}

/// How to reach a remote.
#[derive(Clone, Debug, Default)]
pub struct ConnectOptions {
    /// The ssh program (a shell command; default `ssh`).
    pub ssh_command: Option<String>,
    /// The server program run over ssh (default `hako upload-pack` /
    /// `hako receive-pack`).
    pub program: Option<String>,
}

/// The `.hako` directory of a local remote given by `path`.
pub fn local_hako_dir(path: &Path) -> PathBuf {
    let inner = path.join(".hako");
    if inner.join("config").is_file() {
        inner
    } else {
        path.to_path_buf()
    }
}

/// Open a local workspace for serving: its active container if it has one
/// (a server never needs a selected container).
pub fn open_served(path: &Path) -> Result<Workspace> {
    let dir = local_hako_dir(path);
    match Workspace::open(&dir) {
        Err(Error::NoContainer(_)) | Err(Error::Io { .. })
            if dir.join("config").is_file() && dir.join("objects").is_dir() =>
        {
            let ws0 = Workspace::open_with(&dir, Some(&first_container(&dir)?))?;
            Ok(ws0)
        }
        Err(Error::NoWorkspace) => Err(TransportError::NotAWorkspace(path.to_path_buf()).into()),
        other => other,
    }
}

fn first_container(dir: &Path) -> Result<String> {
    let d = dir.join("containers");
    let mut names: Vec<String> = std::fs::read_dir(&d)
        .map_err(|e| Error::Io {
            path: d.clone(),
            err: e,
        })?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| crate::workspace::check_container_name(n).is_ok())
        .filter(|n| d.join(n).join("HEAD").is_file())
        .collect();
    names.sort();
    names
        .into_iter()
        .next()
        .ok_or_else(|| TransportError::NoContainerToServe(dir.to_path_buf()).into())
}

/// A conversation with a server program.
pub struct Connection {
    /// How the remote is named in messages.
    pub remote: String,
    /// Reads the server's packets.
    pub reader: PktReader<Box<dyn Read + Send>>,
    /// Writes packets to the server.
    pub writer: BufWriter<Box<dyn Write + Send>>,
    /// The advertised refs and capabilities.
    pub refs: Vec<AdvertisedRef>,
    /// The capabilities the server advertised.
    pub caps: Vec<String>,
    end: End,
}

enum End {
    Child {
        child: Child,
        stderr: Option<JoinHandle<String>>,
    },
    Thread(Option<JoinHandle<Result<()>>>),
}

/// Quote `s` for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Connect to `url`'s `service` and read its advertisement.
pub fn connect(url: &RemoteUrl, service: Service, opts: &ConnectOptions) -> Result<Connection> {
    let talk = match url {
        RemoteUrl::Http(u) => {
            return Err(TransportError::MirrorHasNoService {
                url: u.clone(),
                service: service.name(),
            }
            .into())
        }
        RemoteUrl::S3(u) => {
            return Err(TransportError::BucketHasNoService {
                url: u.clone(),
                service: service.name(),
            }
            .into())
        }
        RemoteUrl::Local(path) => serve_locally(path, service)?,
        RemoteUrl::Ssh {
            user,
            host,
            port,
            path,
        } => run_over_ssh(user.as_deref(), host, *port, path, service, opts)?,
    };
    let mut conn = Connection {
        remote: talk.remote,
        reader: PktReader::new(talk.reader),
        writer: BufWriter::new(talk.writer),
        refs: Vec::new(),
        caps: Vec::new(),
        end: talk.end,
    };
    match read_advertisement(&mut conn.reader) {
        Ok((refs, caps)) => {
            if let Some(f) = caps.iter().find_map(|c| c.strip_prefix("object-format=")) {
                if f != "blake3" {
                    let e = TransportError::ObjectFormat(f.to_string());
                    return Err(conn.fail(e.into()));
                }
            }
            conn.refs = refs;
            conn.caps = caps;
            Ok(conn)
        }
        Err(e) => Err(conn.fail(e)),
    }
}

/// The two directions of a conversation, before its advertisement is read.
struct Channel {
    /// How the remote is named in messages.
    remote: String,
    reader: Box<dyn Read + Send>,
    writer: Box<dyn Write + Send>,
    end: End,
}

/// Serve the workspace at `path` on a thread of this process, over pipes.
fn serve_locally(path: &Path, service: Service) -> Result<Channel> {
    let remote = path.display().to_string();
    // Its refusals (the format, a name, the config) say what is wrong and
    // where; others name the remote.
    let ws = open_served(path).map_err(|e| match e {
        e @ (Error::Transport(_)
        | Error::FormatVersion { .. }
        | Error::BadSimpleName { .. }
        | Error::Config(_)) => e,
        e => TransportError::CannotServe {
            remote: remote.clone(),
            err: Box::new(e),
        }
        .into(),
    })?;
    let (c2s_r, c2s_w) = std::io::pipe().map_err(|e| io(&remote, e))?;
    let (s2c_r, s2c_w) = std::io::pipe().map_err(|e| io(&remote, e))?;
    let handle = std::thread::spawn(move || -> Result<()> {
        match service {
            Service::Upload => crate::transport::upload::upload_pack(&ws, c2s_r, s2c_w).map(|_| ()),
            Service::Receive => {
                crate::transport::receive::receive_pack(&ws, c2s_r, s2c_w).map(|_| ())
            }
        }
    });
    Ok(Channel {
        remote,
        reader: Box::new(s2c_r),
        writer: Box::new(c2s_w),
        end: End::Thread(Some(handle)),
    })
}

/// Run the server program at `host` through the ssh program, its stderr
/// kept to say why it failed.
fn run_over_ssh(
    user: Option<&str>,
    host: &str,
    port: Option<u16>,
    path: &str,
    service: Service,
    opts: &ConnectOptions,
) -> Result<Channel> {
    let remote = match user {
        Some(u) => format!("{u}@{host}:{path}"),
        None => format!("{host}:{path}"),
    };
    let program = opts
        .program
        .clone()
        .unwrap_or_else(|| format!("hako {}", service.name()));
    let remote_cmd = format!("{program} {}", shell_quote(path));
    let ssh = opts.ssh_command.clone().unwrap_or_else(|| "ssh".into());
    let mut args: Vec<String> = Vec::new();
    if let Some(p) = port {
        args.push("-p".into());
        args.push(p.to_string());
    }
    // OpenSSH ends its options at `--`; another ssh program (a
    // wrapper script, plink) may not know it, as git reasons.
    let openssh = ssh
        .split_whitespace()
        .next()
        .and_then(|p| p.rsplit('/').next())
        .is_some_and(|p| p == "ssh");
    if openssh {
        args.push("--".into());
    }
    args.push(match user {
        Some(u) => format!("{u}@{host}"),
        None => host.to_string(),
    });
    args.push(remote_cmd);
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(format!("{ssh} \"$@\""))
        .arg("hako-ssh")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    tracing::debug!(target: "hako::transport", "{remote}: running {ssh} {}", args.join(" "));
    let mut child = cmd.spawn().map_err(|err| TransportError::CannotRunSsh {
        remote: remote.clone(),
        ssh: ssh.clone(),
        err,
    })?;
    let stdin = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let stderr = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    Ok(Channel {
        remote,
        reader: Box::new(stdout),
        writer: Box::new(stdin),
        end: End::Child {
            child,
            stderr: Some(stderr),
        },
    })
}

fn io(remote: &str, err: std::io::Error) -> TransportError {
    TransportError::CannotConnect {
        remote: remote.to_string(),
        err,
    }
}

impl Connection {
    /// Whether the server advertised capability `c`.
    pub fn has(&self, c: &str) -> bool {
        self.caps.iter().any(|x| x == c)
    }

    /// End the conversation: close our side, wait for the other end.
    pub fn finish(mut self) -> Result<()> {
        let _ = self.writer.flush();
        let end = std::mem::replace(&mut self.end, End::Thread(None));
        drop(self);
        match end {
            End::Thread(Some(h)) => match h.join() {
                Ok(r) => r,
                Err(_) => Err(TransportError::Panicked("local server").into()),
            },
            End::Thread(None) => Ok(()),
            End::Child { mut child, stderr } => {
                let status = child.wait().map_err(TransportError::CannotWait)?;
                let text = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
                if status.success() {
                    Ok(())
                } else {
                    Err(match last_line(&text) {
                        Some(said) => TransportError::RemoteSaid(said),
                        None => TransportError::RemoteExited(status),
                    }
                    .into())
                }
            }
        }
    }

    /// Turn `e` into the error to report, naming the remote; for a remote
    /// that hung up, the remote side's own last error line says why
    /// (`Permission denied`, `Connection refused`, `fatal: …`).
    pub fn fail(mut self, e: Error) -> Error {
        let remote = self.remote.clone();
        let end = std::mem::replace(&mut self.end, End::Thread(None));
        drop(self);
        let detail = match end {
            End::Child { mut child, stderr } => {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
                loop {
                    match child.try_wait() {
                        Ok(Some(_)) | Err(_) => break,
                        Ok(None) if std::time::Instant::now() > deadline => {
                            let _ = child.kill();
                            let _ = child.wait();
                            break;
                        }
                        Ok(None) => std::thread::sleep(std::time::Duration::from_millis(20)),
                    }
                }
                stderr
                    .and_then(|h| h.join().ok())
                    .and_then(|t| last_line(&t))
            }
            End::Thread(Some(h)) => match h.join() {
                Ok(Err(e)) => Some(e.to_string()),
                _ => None,
            },
            End::Thread(None) => None,
        };
        let hung_up = matches!(&e, Error::Transport(t) if t.is_hang_up());
        match detail {
            Some(why) if hung_up => TransportError::HungUpSaying { remote, why },
            _ => TransportError::AtRemote {
                remote,
                err: Box::new(e),
            },
        }
        .into()
    }
}

/// The last non-empty line of `text`, without a `fatal: ` prefix.
fn last_line(text: &str) -> Option<String> {
    let l = text.lines().rev().map(str::trim).find(|l| !l.is_empty())?;
    Some(l.strip_prefix("fatal: ").unwrap_or(l).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let ssh = |user: Option<&str>, host: &str, port: Option<u16>, path: &str| RemoteUrl::Ssh {
            user: user.map(String::from),
            host: host.into(),
            port,
            path: path.into(),
        };
        assert_eq!(
            parse_url("ssh://u@h:2222/srv/x").unwrap(),
            ssh(Some("u"), "h", Some(2222), "/srv/x")
        );
        assert_eq!(parse_url("ssh://h/x").unwrap(), ssh(None, "h", None, "/x"));
        assert_eq!(
            parse_url("ssh://[::1]:22/x").unwrap(),
            ssh(None, "::1", Some(22), "/x")
        );
        assert_eq!(
            parse_url("ssh://h/~/x").unwrap(),
            ssh(None, "h", None, "~/x")
        );
        assert_eq!(
            parse_url("u@h:x/y").unwrap(),
            ssh(Some("u"), "h", None, "x/y")
        );
        assert_eq!(parse_url("h:/x").unwrap(), ssh(None, "h", None, "/x"));
        assert_eq!(
            parse_url("./a:b").unwrap(),
            RemoteUrl::Local(PathBuf::from("./a:b"))
        );
        assert_eq!(
            parse_url("/srv/x").unwrap(),
            RemoteUrl::Local(PathBuf::from("/srv/x"))
        );
        assert_eq!(
            parse_url("file:///srv/x").unwrap(),
            RemoteUrl::Local(PathBuf::from("/srv/x"))
        );
        assert!(matches!(
            parse_url("http://h/x/").unwrap(),
            RemoteUrl::Http(u) if u == "http://h/x"
        ));
        assert!(parse_url("ftp://h/x").is_err());
        assert!(parse_url("ssh://h:99999/x").is_err());
        assert!(parse_url("ssh://-oProxyCommand=x/p").is_err());
        assert!(parse_url("ssh://-u@h/p").is_err());
        assert!(parse_url("-oProxyCommand=x:p").is_err());
        assert!(parse_url("u@-h:p").is_err());
        assert!(parse_url("file://rel").is_err());
        assert!(parse_url("").is_err());
    }
}
