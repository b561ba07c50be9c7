//! A client of the OCI distribution API (v2): manifests and blobs over HTTP(S),
//! anonymous, Basic and Bearer-token auth, retries with backoff, and readers
//! that verify a blob's digest and size while it streams.
#![warn(missing_docs)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Mutex;

use super::blob::sha256_digest;
use super::blob::{BlobBody, VerifyingReader};
pub use super::error::RegistryError;
use super::reference::Reference;
use crate::error::{IoContext, Result};
use crate::http::{Backoff, HttpError};

/// Manifests larger than this are refused (the spec suggests 4 MiB).
pub const MAX_MANIFEST: u64 = 4 << 20;

/// A user and password; user `<token>` makes the password an identity
/// token (an OAuth2 refresh token), as docker's credential helpers say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The user name (`<token>` for an identity token).
    pub username: String,
    /// The password, or the identity token.
    pub password: String,
}

/// The user name that marks an identity token.
pub const IDENTITY_TOKEN_USER: &str = "<token>";

impl Credentials {
    /// An identity token as credentials.
    pub fn identity_token(token: &str) -> Credentials {
        Credentials {
            username: IDENTITY_TOKEN_USER.into(),
            password: token.into(),
        }
    }

    /// The identity token, if these credentials are one.
    pub fn as_identity_token(&self) -> Option<&str> {
        (self.username == IDENTITY_TOKEN_USER).then_some(self.password.as_str())
    }
}

/// Standard base64 with padding; decoding takes padding or none and
/// ignores the bits after the last whole byte, as docker does.
const B64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Encode `data` as standard base64 with padding.
pub fn base64_encode(data: &[u8]) -> String {
    base64::Engine::encode(&B64, data)
}

/// Decode `s` (surrounding white space ignored), or None if it is not base64.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    base64::Engine::decode(&B64, s.trim()).ok()
}

/// A `WWW-Authenticate` challenge: scheme and parameters.
#[derive(Debug, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme, lowercased (`basic`, `bearer`).
    pub scheme: String,
    /// The parameters in order, names lowercased.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// Parse a `WWW-Authenticate` header value, or None if it is malformed.
    pub fn parse(h: &str) -> Option<Challenge> {
        let h = h.trim();
        let (scheme, rest) = h.split_once(' ').unwrap_or((h, ""));
        let mut params = Vec::new();
        let mut s = rest.trim();
        while !s.is_empty() {
            let (k, r) = s.split_once('=')?;
            let r = r.trim_start();
            let (v, r) = if let Some(r) = r.strip_prefix('"') {
                let end = r.find('"')?;
                (&r[..end], &r[end + 1..])
            } else {
                let end = r.find(',').unwrap_or(r.len());
                (&r[..end], &r[end..])
            };
            params.push((k.trim().to_ascii_lowercase(), v.to_string()));
            s = r.trim_start().trim_start_matches(',').trim_start();
        }
        Some(Challenge {
            scheme: scheme.to_ascii_lowercase(),
            params,
        })
    }

    /// The value of parameter `k` (a lowercase name), if present.
    pub fn param(&self, k: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
}

/// RFC 3986's unreserved characters stay; every other byte is `%XX`.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// One repository on one registry.
pub struct Registry {
    agent: crate::http::Agent,
    base: String,
    repository: String,
    host: String,
    creds: Option<Credentials>,
    /// The `Authorization` header value that last worked (or was issued).
    auth: Mutex<Option<String>>,
    /// Tokens are asked for `pull,push` (format-spec/oci.md, "Upload").
    push: bool,
}

/// A request body, opened afresh for each attempt.
pub struct Body<'a> {
    /// Opens a fresh reader over the body (called once per attempt).
    pub open: Box<dyn Fn() -> std::io::Result<Box<dyn Read + Send + 'a>> + 'a>,
    /// The body's length in bytes.
    pub len: u64,
    /// The `Content-Type` to send.
    pub content_type: String,
}

/// A manifest as fetched: body, content type and the body's digest.
pub struct FetchedManifest {
    /// The manifest's bytes.
    pub body: Vec<u8>,
    /// The `Content-Type` the registry answered with, if any.
    pub content_type: Option<String>,
    /// The `sha256:` digest of `body`.
    pub digest: String,
}

impl Registry {
    /// A client for the reference's repository. Plain HTTP only for a
    /// loopback registry or when `insecure`.
    pub fn new(r: &Reference, insecure: bool, creds: Option<Credentials>) -> Registry {
        let scheme = if insecure || r.is_loopback() {
            "http"
        } else {
            "https"
        };
        let agent = crate::http::agent();
        Registry {
            agent,
            base: format!("{scheme}://{}/v2/{}", r.api_host(), r.repository),
            repository: r.repository.clone(),
            host: r.api_host().to_string(),
            creds,
            auth: Mutex::new(None),
            push: false,
        }
    }

    /// The same client, asking for tokens that allow pushing.
    pub fn for_push(mut self) -> Registry {
        self.push = true;
        self
    }

    /// The repository's path on its registry.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The registry's host and port, as requests name it.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether the blob is in the repository (`HEAD …/blobs/DIGEST`).
    pub fn has_blob(&self, digest: &str) -> Result<bool> {
        match self.send("HEAD", &format!("{}/blobs/{digest}", self.base), &[], None) {
            Ok(_) => Ok(true),
            Err(RegistryError::Refused { code: 404, .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Ask the registry to mount a blob of repository `from` (on the same
    /// registry): Ok(None) when mounted, else the upload's location to
    /// send the bytes to.
    pub fn mount_blob(&self, digest: &str, from: &str) -> Result<Option<String>> {
        let url = format!(
            "{}/blobs/uploads/?mount={}&from={}",
            self.base,
            urlencode(digest),
            urlencode(from)
        );
        let resp = self.send("POST", &url, &[("Content-Length", "0")], None)?;
        if resp.status() == 201 {
            return Ok(None);
        }
        Ok(Some(self.location(&resp)?))
    }

    /// Start an upload: its location.
    pub fn start_upload(&self) -> Result<String> {
        let url = format!("{}/blobs/uploads/", self.base);
        let resp = self.send("POST", &url, &[("Content-Length", "0")], None)?;
        Ok(self.location(&resp)?)
    }

    fn location(&self, resp: &ureq::Response) -> Result<String, RegistryError> {
        let host = || self.host.clone();
        let loc = resp
            .header("Location")
            .ok_or_else(|| RegistryError::NoLocation { host: host() })?;
        let base = url::Url::parse(&self.base).map_err(|err| RegistryError::BadBase {
            base: self.base.clone(),
            err,
        })?;
        let full = base.join(loc).map_err(|err| RegistryError::BadLocation {
            host: host(),
            location: loc.to_string(),
            err,
        })?;
        if full.origin() != base.origin() {
            return Err(RegistryError::ForeignLocation {
                host: host(),
                location: loc.to_string(),
            });
        }
        Ok(full.to_string())
    }

    /// Finish the upload at `location` with the whole blob in one PUT.
    pub fn put_blob(&self, location: &str, digest: &str, body: &Body<'_>) -> Result<()> {
        let sep = if location.contains('?') { '&' } else { '?' };
        let url = format!("{location}{sep}digest={}", urlencode(digest));
        let resp = self.send("PUT", &url, &[], Some(body))?;
        if resp.status() != 201 && resp.status() != 204 {
            return Err(RegistryError::UploadAnswer {
                host: self.host.clone(),
                digest: digest.to_string(),
                code: resp.status(),
            }
            .into());
        }
        Ok(())
    }

    /// Put a manifest under `tag`; the digest the registry announced.
    pub fn put_manifest(&self, tag: &str, media_type: &str, body: &[u8]) -> Result<Option<String>> {
        let bytes = body.to_vec();
        let b = Body {
            open: Box::new(move || Ok(Box::new(std::io::Cursor::new(bytes.clone())) as _)),
            len: body.len() as u64,
            content_type: media_type.to_string(),
        };
        let resp = self.send(
            "PUT",
            &format!("{}/manifests/{tag}", self.base),
            &[],
            Some(&b),
        )?;
        Ok(resp.header("Docker-Content-Digest").map(str::to_string))
    }

    /// GET `url` with auth and retries; the successful response.
    pub(super) fn get(
        &self,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<ureq::Response, RegistryError> {
        self.send("GET", url, headers, None)
    }

    /// A request with auth (one challenge answered) and retries under the
    /// policy of `crate::http`; GET follows redirects. `body` makes the
    /// request body afresh for each attempt. The successful response.
    fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&Body<'_>>,
    ) -> Result<ureq::Response, RegistryError> {
        let host = || self.host.clone();
        let mut tried_auth = false;
        let mut backoff = Backoff::new();
        loop {
            let auth = self.auth.lock().unwrap().clone();
            let mut h: Vec<(&str, &str)> = headers.to_vec();
            if let Some(a) = &auth {
                h.push(("Authorization", a.as_str()));
            }
            let answer = if method == "GET" {
                crate::http::get(&self.agent, url, &h)
            } else {
                self.call(method, url, &h, body)
            };
            match answer {
                Ok(resp) => return Ok(resp),
                Err(HttpError::Status {
                    code: 401,
                    response,
                    ..
                }) if !tried_auth => {
                    tried_auth = true;
                    let challenge = response
                        .header("WWW-Authenticate")
                        .and_then(Challenge::parse)
                        .ok_or_else(|| RegistryError::NoChallenge { host: host() })?;
                    self.authenticate(&challenge)?;
                }
                Err(HttpError::Status { code: 401, .. }) => {
                    return Err(match self.creds {
                        Some(_) => RegistryError::CredentialsRefused { host: host() },
                        None => RegistryError::NoCredentials { host: host() },
                    })
                }
                Err(e) if e.transient() && backoff.again(e.retry_after()) => {}
                Err(HttpError::Status { code, response, .. }) => {
                    let status = response.status_text().to_string();
                    let mut body = String::new();
                    let _ = response.into_reader().take(4096).read_to_string(&mut body);
                    return Err(RegistryError::Refused {
                        host: host(),
                        code,
                        detail: registry_error(&body).unwrap_or(status),
                    });
                }
                Err(e) => {
                    return Err(RegistryError::Unreachable {
                        host: host(),
                        reason: e.reason(),
                    })
                }
            }
        }
    }

    /// One request other than GET: no redirects followed.
    fn call(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&Body<'_>>,
    ) -> Result<ureq::Response, HttpError> {
        let mut req = self.agent.request(method, &crate::http::parse_url(url)?)?;
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let sent = match body {
            None => req.call(),
            Some(b) => {
                let reader = (b.open)().map_err(|e| HttpError::Body(e.to_string()))?;
                req.set("Content-Length", &b.len.to_string())
                    .set("Content-Type", &b.content_type)
                    .send(reader)
            }
        };
        crate::http::answer(method, url, sent)
    }

    /// Answer a challenge: Basic with credentials, or fetch a Bearer token
    /// from the realm (with credentials when there are some, or in
    /// exchange for an identity token).
    fn authenticate(&self, c: &Challenge) -> Result<(), RegistryError> {
        let host = || self.host.clone();
        let identity = self.creds.as_ref().and_then(|c| c.as_identity_token());
        let basic = self.creds.as_ref().filter(|_| identity.is_none()).map(|c| {
            format!(
                "Basic {}",
                base64_encode(format!("{}:{}", c.username, c.password).as_bytes())
            )
        });
        let auth = match c.scheme.as_str() {
            "basic" if identity.is_some() => {
                return Err(RegistryError::IdentityTokenForBasic { host: host() })
            }
            "basic" => basic.ok_or_else(|| RegistryError::NoCredentials { host: host() })?,
            "bearer" => format!("Bearer {}", self.token(c, identity, basic.as_deref())?),
            other => {
                return Err(RegistryError::UnsupportedScheme {
                    host: host(),
                    scheme: other.to_string(),
                })
            }
        };
        *self.auth.lock().unwrap() = Some(auth);
        Ok(())
    }

    /// A token from the Bearer challenge's realm, asked for with `basic`
    /// credentials or in exchange for an `identity` token.
    fn token(
        &self,
        c: &Challenge,
        identity: Option<&str>,
        basic: Option<&str>,
    ) -> Result<String, RegistryError> {
        let realm = c.param("realm").ok_or_else(|| RegistryError::NoRealm {
            host: self.host.clone(),
        })?;
        let scope = if self.push {
            format!("repository:{}:pull,push", self.repository)
        } else {
            c.param("scope")
                .map(str::to_string)
                .unwrap_or_else(|| format!("repository:{}:pull", self.repository))
        };
        let asked = match identity {
            // OAuth2's refresh-token grant, as docker sends it.
            Some(token) => {
                let mut form = vec![
                    ("grant_type", "refresh_token"),
                    ("refresh_token", token),
                    ("client_id", "hako"),
                    ("scope", scope.as_str()),
                ];
                if let Some(s) = c.param("service") {
                    form.push(("service", s));
                }
                crate::http::post_form(&self.agent, realm, &form)
            }
            None => {
                let mut url = format!(
                    "{realm}{}scope={}",
                    if realm.contains('?') { "&" } else { "?" },
                    urlencode(&scope)
                );
                if let Some(s) = c.param("service") {
                    url.push_str(&format!("&service={}", urlencode(s)));
                }
                let headers: Vec<(&str, &str)> =
                    basic.iter().map(|b| ("Authorization", *b)).collect();
                crate::http::get(&self.agent, &url, &headers)
            }
        };
        let resp = asked.map_err(|e| match e {
            HttpError::Status { code, .. } => RegistryError::TokenRefused {
                host: self.host.clone(),
                code,
                identity: identity.is_some(),
                credentials: basic.is_some(),
            },
            e => RegistryError::TokenServerUnreachable {
                realm: realm.to_string(),
                reason: e.reason(),
            },
        })?;
        let realm = || realm.to_string();
        let mut body = Vec::new();
        resp.into_reader()
            .take(1 << 20)
            .read_to_end(&mut body)
            .map_err(|err| RegistryError::TokenRead {
                realm: realm(),
                err,
            })?;
        let v: serde_json::Value =
            serde_json::from_slice(&body).map_err(|err| RegistryError::TokenMalformed {
                realm: realm(),
                err,
            })?;
        v.get("token")
            .or_else(|| v.get("access_token"))
            .and_then(|t| t.as_str())
            .map(str::to_string)
            .ok_or_else(|| RegistryError::NoToken { realm: realm() })
    }

    /// Fetch a manifest or index by tag or digest; checked against `digest`
    /// when the caller pins one.
    pub fn manifest(&self, object: &str, digest: Option<&str>) -> Result<FetchedManifest> {
        let resp = self.get(
            &format!("{}/manifests/{object}", self.base),
            &[("Accept", super::manifest::ACCEPT)],
        )?;
        let content_type = Some(resp.content_type().to_string());
        let announced = resp
            .header("Docker-Content-Digest")
            .filter(|d| d.starts_with("sha256:"))
            .map(str::to_string);
        let mut body = Vec::new();
        resp.into_reader()
            .take(MAX_MANIFEST + 1)
            .read_to_end(&mut body)
            .map_err(|err| RegistryError::ManifestRead {
                host: self.host.clone(),
                object: object.to_string(),
                err,
            })?;
        if body.len() as u64 > MAX_MANIFEST {
            return Err(RegistryError::ManifestTooLarge {
                object: object.to_string(),
            }
            .into());
        }
        let got = sha256_digest(&body);
        if let Some(want) = digest.or(announced.as_deref()) {
            if got != want {
                return Err(RegistryError::ManifestDigest {
                    want: want.to_string(),
                    got,
                }
                .into());
            }
        }
        Ok(FetchedManifest {
            body,
            content_type,
            digest: got,
        })
    }

    /// A reader of a blob that fails unless exactly `size` bytes with the
    /// expected digest arrive. A transfer cut off is resumed where it
    /// stopped (`Range`), under the retry policy of `crate::http`.
    pub fn blob(&self, digest: &str, size: u64) -> Result<VerifyingReader<BlobBody<'_>>> {
        let url = format!("{}/blobs/{digest}", self.base);
        let get = Box::new(move |headers: &[(&str, &str)]| self.get(&url, headers));
        let body = BlobBody::new(&self.host, digest, get)?;
        Ok(VerifyingReader::new(body, digest, size))
    }

    /// Download a blob into `dest`, verified; `progress` gets byte counts as
    /// they arrive and returns false to cancel. A transfer cut off is
    /// resumed where it stopped, as `blob` does.
    pub fn download(
        &self,
        digest: &str,
        size: u64,
        dest: &Path,
        progress: &dyn Fn(u64) -> bool,
    ) -> Result<()> {
        let mut f = std::fs::File::create(dest).at(dest)?;
        let failed = |err| RegistryError::Blob {
            digest: digest.to_string(),
            err,
        };
        let mut r = self.blob(digest, size)?;
        let mut buf = vec![0u8; 256 << 10];
        loop {
            let n = r.read(&mut buf).map_err(failed)?;
            if n == 0 {
                return Ok(());
            }
            f.write_all(&buf[..n]).at(dest)?;
            if !progress(n as u64) {
                return Err(failed(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "cancelled",
                ))
                .into());
            }
        }
    }
}

/// The first message of a registry's JSON error body.
fn registry_error(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let e = v.get("errors")?.get(0)?;
    let code = e.get("code").and_then(|c| c.as_str()).unwrap_or("");
    let msg = e.get("message").and_then(|c| c.as_str()).unwrap_or("");
    Some(format!("{code} {msg}").trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencode_keeps_unreserved_and_escapes_the_rest() {
        assert_eq!(
            urlencode("repository:t/app:pull,push"),
            "repository%3At%2Fapp%3Apull%2Cpush"
        );
        assert_eq!(urlencode("a-b_c.d~e é"), "a-b_c.d~e%20%C3%A9");
    }

    #[test]
    fn base64_roundtrip() {
        for s in ["", "a", "ab", "abc", "user:pa:ss", "héllo wörld"] {
            let e = base64_encode(s.as_bytes());
            assert_eq!(base64_decode(&e).unwrap(), s.as_bytes(), "{s} {e}");
        }
        assert_eq!(base64_encode(b"user:pass"), "dXNlcjpwYXNz");
        assert!(base64_decode("!!").is_none());
        // Padding may be left out, and white space around is ignored.
        assert_eq!(base64_decode("YQ").unwrap(), b"a");
        assert_eq!(base64_decode(" YWI=\n").unwrap(), b"ab");
    }

    #[test]
    fn challenges() {
        let c = Challenge::parse(r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#).unwrap();
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.param("realm"), Some("https://auth.docker.io/token"));
        assert_eq!(c.param("scope"), Some("repository:library/alpine:pull"));
        let b = Challenge::parse(r#"Basic realm="Registry Realm""#).unwrap();
        assert_eq!(b.scheme, "basic");
        assert_eq!(b.param("realm"), Some("Registry Realm"));
    }
}
