//! A client of the OCI distribution API (v2): manifests and blobs over HTTP(S),
//! anonymous, Basic and Bearer-token auth, retries with backoff, and readers
//! that verify a blob's digest and size while it streams.

use crate::http::Failure;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::reference::Reference;
use crate::error::{Error, Result};

/// Manifests larger than this are refused (the spec suggests 4 MiB).
pub const MAX_MANIFEST: u64 = 4 << 20;
const ATTEMPTS: u32 = 4;

/// A user and password; user `<token>` makes the password an identity
/// token (an OAuth2 refresh token), as docker's credential helpers say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
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

fn err(msg: impl Into<String>) -> Error {
    Error::Invalid(msg.into())
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256:<hex>` of bytes.
pub fn sha256_digest(data: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(data)))
}

/// Standard base64 with padding; decoding takes padding or none and
/// ignores the bits after the last whole byte, as docker does.
const B64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

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
    pub scheme: String,
    pub params: Vec<(String, String)>,
}

impl Challenge {
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
    agent: ureq::Agent,
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
    pub open: Box<dyn Fn() -> std::io::Result<Box<dyn Read + Send + 'a>> + 'a>,
    pub len: u64,
    pub content_type: String,
}

/// Why a request failed: the registry's error answer, or anything else.
enum Refused {
    Status(RegistryStatus),
    Other(Error),
}

/// A registry's error answer, with its status for callers that decide on it.
#[derive(Debug)]
pub struct RegistryStatus {
    pub code: u16,
    pub message: String,
}

impl From<RegistryStatus> for Error {
    fn from(s: RegistryStatus) -> Error {
        err(s.message)
    }
}

/// A manifest as fetched: body, content type and the body's digest.
pub struct FetchedManifest {
    pub body: Vec<u8>,
    pub content_type: Option<String>,
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
        match self.send_status("HEAD", &format!("{}/blobs/{digest}", self.base), &[], None) {
            Ok(_) => Ok(true),
            Err(Refused::Status(s)) if s.code == 404 => Ok(false),
            Err(Refused::Status(s)) => Err(s.into()),
            Err(Refused::Other(e)) => Err(e),
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
        self.location(&resp).map(Some)
    }

    /// Start an upload: its location.
    pub fn start_upload(&self) -> Result<String> {
        let url = format!("{}/blobs/uploads/", self.base);
        let resp = self.send("POST", &url, &[("Content-Length", "0")], None)?;
        self.location(&resp)
    }

    fn location(&self, resp: &ureq::Response) -> Result<String> {
        let loc = resp
            .header("Location")
            .ok_or_else(|| err(format!("{}: upload answer without a Location", self.host)))?;
        let base = url::Url::parse(&self.base).map_err(|e| err(format!("{}: {e}", self.base)))?;
        let full = base
            .join(loc)
            .map_err(|e| err(format!("{}: bad upload Location '{loc}': {e}", self.host)))?;
        if full.origin() != base.origin() {
            return Err(err(format!(
                "{}: upload Location '{loc}' is on another host",
                self.host
            )));
        }
        Ok(full.to_string())
    }

    /// Finish the upload at `location` with the whole blob in one PUT.
    pub fn put_blob(&self, location: &str, digest: &str, body: &Body<'_>) -> Result<()> {
        let sep = if location.contains('?') { '&' } else { '?' };
        let url = format!("{location}{sep}digest={}", urlencode(digest));
        let resp = self.send("PUT", &url, &[], Some(body))?;
        if resp.status() != 201 && resp.status() != 204 {
            return Err(err(format!(
                "{}: blob {digest}: upload answered {}",
                self.host,
                resp.status()
            )));
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
    fn get(&self, url: &str, accept: Option<&str>) -> Result<ureq::Response> {
        let headers: Vec<(&str, &str)> = accept.iter().map(|a| ("Accept", *a)).collect();
        self.send("GET", url, &headers, None)
    }

    /// A request with auth (one challenge answered) and retries of 429,
    /// 5xx and broken connections; GET follows redirects. `body` makes the
    /// request body afresh for each attempt. The successful response.
    fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&Body<'_>>,
    ) -> Result<ureq::Response> {
        self.send_status(method, url, headers, body)
            .map_err(|e| match e {
                Refused::Status(s) => s.into(),
                Refused::Other(e) => e,
            })
    }

    /// `send`, keeping a registry's error status apart from other failures.
    fn send_status(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&Body<'_>>,
    ) -> std::result::Result<ureq::Response, Refused> {
        let mut tried_auth = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
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
                Err(Failure::Status(401, resp)) if !tried_auth => {
                    tried_auth = true;
                    let challenge = resp
                        .header("WWW-Authenticate")
                        .and_then(Challenge::parse)
                        .ok_or_else(|| {
                            Refused::Other(err(format!(
                                "{}: 401 Unauthorized without a usable challenge",
                                self.host
                            )))
                        })?;
                    self.authenticate(&challenge).map_err(Refused::Other)?;
                }
                Err(Failure::Status(401, _)) => {
                    return Err(Refused::Other(err(format!(
                        "{}: 401 Unauthorized: {}",
                        self.host,
                        if self.creds.is_some() {
                            "the credentials were refused"
                        } else {
                            "no credentials for this registry (docker login, REGISTRY_AUTH_FILE)"
                        }
                    ))))
                }
                Err(Failure::Status(code, resp))
                    if (code == 429 || code >= 500) && attempt < ATTEMPTS =>
                {
                    let wait = resp
                        .header("Retry-After")
                        .and_then(|s| s.parse::<u64>().ok())
                        .map(|s| Duration::from_secs(s.min(30)))
                        .unwrap_or(Duration::from_millis(250 << attempt));
                    std::thread::sleep(wait);
                }
                Err(Failure::Status(code, resp)) => {
                    let status = resp.status_text().to_string();
                    let mut body = String::new();
                    let _ = resp.into_reader().take(4096).read_to_string(&mut body);
                    let detail = registry_error(&body).unwrap_or(status);
                    return Err(Refused::Status(RegistryStatus {
                        code,
                        message: format!("{}: {code} {detail}", self.host),
                    }));
                }
                Err(Failure::Transport { message, transient }) => {
                    if attempt < ATTEMPTS && transient {
                        std::thread::sleep(Duration::from_millis(250 << attempt));
                        continue;
                    }
                    return Err(Refused::Other(err(format!(
                        "registry {} unreachable: {message}",
                        self.host
                    ))));
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
    ) -> std::result::Result<ureq::Response, Failure> {
        let mut req = self.agent.request(method, url);
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let sent = match body {
            None => req.call(),
            Some(b) => {
                let reader = (b.open)().map_err(|e| Failure::Transport {
                    message: e.to_string(),
                    transient: false,
                })?;
                req.set("Content-Length", &b.len.to_string())
                    .set("Content-Type", &b.content_type)
                    .send(reader)
            }
        };
        crate::http::answer(sent)
    }

    /// Answer a challenge: Basic with credentials, or fetch a Bearer token
    /// from the realm (with credentials when there are some, or in
    /// exchange for an identity token).
    fn authenticate(&self, c: &Challenge) -> Result<()> {
        let identity = self.creds.as_ref().and_then(|c| c.as_identity_token());
        let basic = self.creds.as_ref().filter(|_| identity.is_none()).map(|c| {
            format!(
                "Basic {}",
                base64_encode(format!("{}:{}", c.username, c.password).as_bytes())
            )
        });
        match c.scheme.as_str() {
            "basic" if identity.is_some() => Err(err(format!(
                "{}: 401 Unauthorized: an identity token answers only a Bearer challenge, this registry asks for Basic",
                self.host
            ))),
            "basic" => {
                let b = basic.ok_or_else(|| {
                    err(format!(
                        "{}: 401 Unauthorized: no credentials for this registry (docker login, REGISTRY_AUTH_FILE)",
                        self.host
                    ))
                })?;
                *self.auth.lock().unwrap() = Some(b);
                Ok(())
            }
            "bearer" => {
                let realm = c.param("realm").ok_or_else(|| {
                    err(format!("{}: Bearer challenge without a realm", self.host))
                })?;
                let scope = if self.push {
                    format!("repository:{}:pull,push", self.repository)
                } else {
                    c.param("scope")
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("repository:{}:pull", self.repository))
                };
                let mut url = format!(
                    "{realm}{}scope={}",
                    if realm.contains('?') { "&" } else { "?" },
                    urlencode(&scope)
                );
                if let Some(s) = c.param("service") {
                    url.push_str(&format!("&service={}", urlencode(s)));
                }
                let headers: Vec<(&str, &str)> = basic
                    .iter()
                    .map(|b| ("Authorization", b.as_str()))
                    .collect();
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
                    None => crate::http::get(&self.agent, &url, &headers),
                };
                let resp = match asked {
                    Ok(r) => r,
                    Err(Failure::Status(code, _)) => {
                        return Err(err(format!(
                            "{}: token server refused ({code}){}",
                            self.host,
                            if identity.is_some() {
                                ": the identity token was refused"
                            } else if basic.is_none() {
                                ": no credentials for this registry (docker login, REGISTRY_AUTH_FILE)"
                            } else {
                                ": the credentials were refused"
                            }
                        )))
                    }
                    Err(Failure::Transport { message, .. }) => {
                        return Err(err(format!("token server {realm} unreachable: {message}")))
                    }
                };
                let mut body = Vec::new();
                resp.into_reader()
                    .take(1 << 20)
                    .read_to_end(&mut body)
                    .map_err(|e| err(format!("token server {realm}: {e}")))?;
                let v: serde_json::Value = serde_json::from_slice(&body)
                    .map_err(|e| err(format!("token server {realm}: malformed answer: {e}")))?;
                let token = v
                    .get("token")
                    .or_else(|| v.get("access_token"))
                    .and_then(|t| t.as_str())
                    .ok_or_else(|| err(format!("token server {realm}: no token in the answer")))?;
                *self.auth.lock().unwrap() = Some(format!("Bearer {token}"));
                Ok(())
            }
            other => Err(err(format!(
                "{}: unsupported authentication scheme '{other}'",
                self.host
            ))),
        }
    }

    /// Fetch a manifest or index by tag or digest; checked against `digest`
    /// when the caller pins one.
    pub fn manifest(&self, object: &str, digest: Option<&str>) -> Result<FetchedManifest> {
        let resp = self.get(
            &format!("{}/manifests/{object}", self.base),
            Some(super::manifest::ACCEPT),
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
            .map_err(|e| err(format!("{}: reading manifest {object}: {e}", self.host)))?;
        if body.len() as u64 > MAX_MANIFEST {
            return Err(err(format!("manifest {object} is larger than 4 MiB")));
        }
        let got = sha256_digest(&body);
        if let Some(want) = digest.or(announced.as_deref()) {
            if got != want {
                return Err(err(format!(
                    "manifest digest mismatch: expected {want}, got {got}"
                )));
            }
        }
        Ok(FetchedManifest {
            body,
            content_type,
            digest: got,
        })
    }

    /// A reader of a blob that fails unless exactly `size` bytes with the
    /// expected digest arrive.
    pub fn blob(
        &self,
        digest: &str,
        size: u64,
    ) -> Result<VerifyingReader<Box<dyn Read + Send + Sync>>> {
        let resp = self.get(&format!("{}/blobs/{digest}", self.base), None)?;
        Ok(VerifyingReader::new(resp.into_reader(), digest, size))
    }

    /// Download a blob into `dest`, verified; `progress` gets byte counts as
    /// they arrive. A broken transfer is retried from the start.
    /// `progress` returns false to cancel.
    pub fn download(
        &self,
        digest: &str,
        size: u64,
        dest: &Path,
        progress: &dyn Fn(u64) -> bool,
    ) -> Result<()> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut r = self.blob(digest, size)?;
            let mut f = std::fs::File::create(dest).map_err(|e| Error::Io {
                path: dest.to_path_buf(),
                err: e,
            })?;
            let mut buf = vec![0u8; 256 << 10];
            let res: std::io::Result<()> = (|| loop {
                let n = r.read(&mut buf)?;
                if n == 0 {
                    return Ok(());
                }
                std::io::Write::write_all(&mut f, &buf[..n])?;
                if !progress(n as u64) {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "cancelled",
                    ));
                }
            })();
            match res {
                Ok(()) => return Ok(()),
                // A digest or size mismatch is the registry's answer: no retry.
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData || attempt >= ATTEMPTS => {
                    return Err(err(format!("blob {digest}: {e}")))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(250 << attempt)),
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

/// Passes bytes through while hashing them. Fails with `InvalidData` when
/// the stream runs past the expected size, or ends short of it ("truncated")
/// or with another sha256 digest ("digest mismatch"): a reader sees the end
/// of the stream only if every byte was right.
pub struct VerifyingReader<R> {
    inner: R,
    hasher: Sha256,
    want: String,
    size: u64,
    seen: u64,
    done: bool,
}

impl<R: Read> VerifyingReader<R> {
    pub fn new(inner: R, digest: &str, size: u64) -> VerifyingReader<R> {
        VerifyingReader {
            inner,
            hasher: Sha256::new(),
            want: digest.to_string(),
            size,
            seen: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        // Never read past the announced size.
        let room = (self.size - self.seen).min(buf.len() as u64) as usize;
        let n = if room == 0 {
            let mut probe = [0u8; 1];
            self.inner.read(&mut probe)?
        } else {
            self.inner.read(&mut buf[..room])?
        };
        if room == 0 && n > 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("longer than the {} bytes announced", self.size),
            ));
        }
        if n == 0 {
            self.done = true;
            if self.seen != self.size {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("truncated: {} of {} bytes", self.seen, self.size),
                ));
            }
            let got = format!("sha256:{}", hex(&self.hasher.clone().finalize()));
            if got != self.want {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("digest mismatch: got {got}"),
                ));
            }
            return Ok(0);
        }
        self.hasher.update(&buf[..n]);
        self.seen += n as u64;
        Ok(n)
    }
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

    #[test]
    fn verifying_reader() {
        let data = b"hello world".to_vec();
        let d = sha256_digest(&data);
        let mut out = Vec::new();
        VerifyingReader::new(&data[..], &d, 11)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, data);
        let mut r = VerifyingReader::new(&data[..10], &d, 11);
        assert!(r.read_to_end(&mut Vec::new()).is_err());
        let mut r = VerifyingReader::new(&data[..], &d, 10);
        assert!(r.read_to_end(&mut Vec::new()).is_err());
        let mut bad = data.clone();
        bad[0] = b'j';
        let mut r = VerifyingReader::new(&bad[..], &d, 11);
        let e = r.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("digest mismatch"));
    }
}
