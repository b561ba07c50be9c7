//! Credentials for a registry (format-spec/oci.md, "Credentials"): the auth
//! files of podman and docker, and docker's credential helpers.
#![warn(missing_docs)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::error::{AuthFileError, HelperError, OciError};
use super::reference::DOCKER_HUB;
use super::registry::{base64_decode, Credentials};
use crate::error::{Error, Result};

/// At most this much of a helper's answer is read.
const MAX_HELPER_ANSWER: u64 = 1 << 20;

/// What a credential helper says when it holds nothing for a server
/// (docker-credential-helpers' `errCredentialsNotFoundMessage` begins so).
const NOT_FOUND: &str = "credentials not found";

/// What one auth file says for a registry.
#[derive(Debug, PartialEq, Eq)]
pub enum Source {
    /// Ask the credential helper `docker-credential-NAME`.
    Helper(String),
    /// An `auths` entry's user and password.
    Stored(Credentials),
}

/// Credentials for a registry host: the first auth file that names a
/// source for it, a helper's answer, or None (anonymous).
pub(crate) fn credentials_for(domain: &str) -> Result<Option<Credentials>> {
    for f in auth_files() {
        let text = match std::fs::read(&f) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::Io { path: f, err: e }),
        };
        let source = source_in(&text, domain).map_err(|err| OciError::AuthFile {
            path: f.clone(),
            err,
        })?;
        match source {
            None => continue,
            Some(Source::Stored(c)) => return Ok(Some(c)),
            Some(Source::Helper(name)) => {
                if let Some(c) = ask_helper(&name, domain)? {
                    return Ok(Some(c));
                }
            }
        }
    }
    Ok(None)
}

/// The auth files, in the order they are read: `$REGISTRY_AUTH_FILE` (as
/// skopeo and podman read it), podman login's, then docker's.
fn auth_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Vec::new();
    if let Some(f) = std::env::var_os("REGISTRY_AUTH_FILE") {
        files.push(f.into());
    }
    if let Some(r) = std::env::var_os("XDG_RUNTIME_DIR") {
        files.push(Path::new(&r).join("containers/auth.json"));
    }
    if let Some(h) = std::env::var_os("HOME") {
        files.push(Path::new(&h).join(".config/containers/auth.json"));
    }
    if let Some(d) = std::env::var_os("DOCKER_CONFIG") {
        files.push(Path::new(&d).join("config.json"));
    } else if let Some(h) = std::env::var_os("HOME") {
        files.push(Path::new(&h).join(".docker/config.json"));
    }
    files
}

/// Whether the key `k` of an auth file names `domain` (with or without a
/// scheme, a trailing `/` or `/v1/`; Docker Hub under its other names).
fn names_domain(k: &str, domain: &str) -> bool {
    let host = k
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let host = host.strip_suffix("/v1").unwrap_or(host);
    let hub = [
        "https://index.docker.io/v1/",
        "index.docker.io",
        "registry-1.docker.io",
    ];
    k == domain
        || host == domain
        || (domain == DOCKER_HUB && hub.iter().any(|h| *h == k || *h == host))
}

/// What the text of an auth file says for `domain`: its `credHelpers`
/// entry, else its `credsStore`, else its `auths` entry; None if nothing.
fn source_in(text: &[u8], domain: &str) -> std::result::Result<Option<Source>, AuthFileError> {
    let v: serde_json::Value = serde_json::from_slice(text).map_err(AuthFileError::Malformed)?;
    if let Some(helpers) = v.get("credHelpers").and_then(|h| h.as_object()) {
        for (k, name) in helpers {
            if names_domain(k, domain) {
                let name = name
                    .as_str()
                    .ok_or_else(|| AuthFileError::HelperNotString(k.clone()))?;
                return Ok(Some(Source::Helper(name.to_string())));
            }
        }
    }
    match v.get("credsStore") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::String(s)) if s.is_empty() => {}
        Some(serde_json::Value::String(s)) => return Ok(Some(Source::Helper(s.clone()))),
        Some(_) => return Err(AuthFileError::StoreNotString),
    }
    let Some(auths) = v.get("auths").and_then(|a| a.as_object()) else {
        return Ok(None);
    };
    for (k, entry) in auths {
        if !names_domain(k, domain) {
            continue;
        }
        // docker login to an OAuth2 registry keeps a refresh token here.
        if let Some(t) = entry.get("identitytoken").and_then(|t| t.as_str()) {
            if !t.is_empty() {
                return Ok(Some(Source::Stored(Credentials::identity_token(t))));
            }
        }
        if let Some(a) = entry.get("auth").and_then(|a| a.as_str()) {
            let raw = base64_decode(a).ok_or(AuthFileError::AuthEntry("not base64"))?;
            let raw = String::from_utf8(raw).map_err(|_| AuthFileError::AuthEntry("not UTF-8"))?;
            let (u, p) = raw
                .split_once(':')
                .ok_or(AuthFileError::AuthEntry("no ':'"))?;
            return Ok(Some(Source::Stored(Credentials {
                username: u.to_string(),
                password: p.to_string(),
            })));
        }
        if let (Some(u), Some(p)) = (
            entry.get("username").and_then(|x| x.as_str()),
            entry.get("password").and_then(|x| x.as_str()),
        ) {
            return Ok(Some(Source::Stored(Credentials {
                username: u.into(),
                password: p.into(),
            })));
        }
    }
    Ok(None)
}

/// The helper protocol's answer to `get`.
#[derive(serde::Deserialize)]
struct HelperAnswer {
    #[serde(rename = "Username")]
    username: String,
    #[serde(rename = "Secret")]
    secret: String,
}

/// Run `docker-credential-NAME get` for `domain`: its credentials, or None
/// if it holds none for the registry.
fn ask_helper(name: &str, domain: &str) -> Result<Option<Credentials>> {
    let program = format!("docker-credential-{name}");
    let fail = |err: HelperError| -> Error {
        OciError::Helper {
            domain: domain.to_string(),
            program: program.clone(),
            err,
        }
        .into()
    };
    if name.is_empty() || name.contains('/') {
        return Err(OciError::HelperName {
            domain: domain.to_string(),
            name: name.to_string(),
        }
        .into());
    }
    // Docker stores Docker Hub's credentials under its v1 index URL.
    let server = if domain == DOCKER_HUB {
        "https://index.docker.io/v1/"
    } else {
        domain
    };
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => fail(HelperError::NotFound),
            _ => fail(HelperError::NotStarted(e)),
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading is judged by its answer.
        let _ = stdin.write_all(format!("{server}\n").as_bytes());
    }
    let mut out = Vec::new();
    let read = child
        .stdout
        .take()
        .map(|o| o.take(MAX_HELPER_ANSWER + 1).read_to_end(&mut out));
    let status = child.wait().map_err(|e| fail(HelperError::NotWaited(e)))?;
    if let Some(Err(e)) = read {
        return Err(fail(HelperError::NotRead(e)));
    }
    let text = String::from_utf8_lossy(&out);
    if !status.success() {
        if text.contains(NOT_FOUND) {
            return Ok(None);
        }
        let how = match (
            status.code(),
            std::os::unix::process::ExitStatusExt::signal(&status),
        ) {
            (Some(c), _) => format!("exit {c}"),
            (None, Some(s)) => format!("killed by signal {s}"),
            (None, None) => status.to_string(),
        };
        let first = text.lines().next().unwrap_or("").trim();
        return Err(fail(HelperError::Failed {
            how,
            first: first.to_string(),
        }));
    }
    if out.len() as u64 > MAX_HELPER_ANSWER {
        return Err(fail(HelperError::TooLong));
    }
    let answer: HelperAnswer =
        serde_json::from_slice(&out).map_err(|e| fail(HelperError::BadJson(e)))?;
    // Username `<token>` makes Secret an identity token, kept as such.
    Ok(Some(Credentials {
        username: answer.username,
        password: answer.secret,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(u: &str, p: &str) -> Option<Source> {
        Some(Source::Stored(Credentials {
            username: u.into(),
            password: p.into(),
        }))
    }

    #[test]
    fn auth_files() {
        let f = br#"{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNz"},"127.0.0.1:5000":{"username":"a","password":"b"}}}"#;
        assert_eq!(source_in(f, "docker.io").unwrap(), stored("user", "pass"));
        assert_eq!(source_in(f, "127.0.0.1:5000").unwrap(), stored("a", "b"));
        assert!(source_in(f, "quay.io").unwrap().is_none());
        assert!(source_in(b"{", "x").is_err());
    }

    #[test]
    fn cred_helpers_come_before_creds_store_before_auths() {
        let f = br#"{"auths":{"r.example:5000":{},"q.example":{"auth":"YTpi"}},
            "credHelpers":{"https://r.example:5000":"one","index.docker.io":"hub"},
            "credsStore":"desktop"}"#;
        let helper = |n: &str| Some(Source::Helper(n.into()));
        assert_eq!(source_in(f, "r.example:5000").unwrap(), helper("one"));
        assert_eq!(source_in(f, "docker.io").unwrap(), helper("hub"));
        assert_eq!(source_in(f, "q.example").unwrap(), helper("desktop"));
        let g = br#"{"auths":{"q.example":{"auth":"YTpi"}},"credsStore":""}"#;
        assert_eq!(source_in(g, "q.example").unwrap(), stored("a", "b"));
        assert!(source_in(br#"{"credsStore":1}"#, "x").is_err());
        assert!(source_in(br#"{"credHelpers":{"x":1}}"#, "x").is_err());
    }

    #[test]
    fn an_identity_token_in_auths_comes_before_auth() {
        let f = br#"{"auths":{"r.example":{"auth":"YTpi","identitytoken":"refresh"}}}"#;
        let Some(Source::Stored(c)) = source_in(f, "r.example").unwrap() else {
            panic!("no credentials");
        };
        assert_eq!(c.as_identity_token(), Some("refresh"));
    }

    #[test]
    fn a_helper_name_is_a_program_name() {
        let e = ask_helper("../x", "r.example").unwrap_err().to_string();
        assert!(
            e.contains("r.example: credential helper name '../x'"),
            "{e}"
        );
    }
}
