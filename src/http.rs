//! The one HTTP client of hako (registries, dumb-HTTP mirrors, object
//! stores): the agent (timeouts, proxies from the environment as curl reads
//! them, the system's trust store), one retry policy (format-spec/oci.md,
//! "Retries"), a GET that follows redirects by hako's rules (only to
//! http:// and https://, at most `MAX_REDIRECTS` times, credentials only to
//! the host they were meant for; ureq 2 follows a redirect to `file://`
//! into a panic), and the byte counting and body copying every client does.
#![warn(missing_docs)]

use std::io::{Read, Write};
use std::net::IpAddr;
use std::time::Duration;

/// Redirects followed by one GET before it fails.
pub const MAX_REDIRECTS: usize = 8;
/// Attempts of one request (or one download) before its failure stands.
pub const ATTEMPTS: u32 = 4;
/// The wait after the first failed attempt; it doubles after each.
const FIRST_WAIT: Duration = Duration::from_millis(250);
/// No computed wait is longer.
const MAX_WAIT: Duration = Duration::from_secs(5);
/// A server's `Retry-After` is honoured up to this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// The proxy port when a proxy setting names none (curl's default).
const PROXY_PORT: u16 = 1080;

/// Why a request gave no successful response. URLs are shown without
/// credentials (`shown`).
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The server answered with an error status (4xx, 5xx).
    #[error("{url}: HTTP {code}")]
    Status {
        /// The HTTP status code.
        code: u16,
        /// The URL, without credentials.
        url: String,
        /// The response, for its headers and body.
        response: Box<ureq::Response>,
    },
    /// No usable answer (connection, TLS, a malformed answer).
    #[error("{url}: {message}")]
    Transport {
        /// The URL, without credentials.
        url: String,
        /// What went wrong.
        message: String,
        /// Whether another attempt may succeed.
        transient: bool,
    },
    /// A URL does not parse, or is not http:// or https://.
    #[error("bad URL '{url}': {why}")]
    BadUrl {
        /// The URL, without credentials.
        url: String,
        /// What is wrong.
        why: String,
    },
    /// A redirect status comes without a `Location` header.
    #[error("{url}: redirect ({code}) without a Location")]
    RedirectWithoutLocation {
        /// The URL, without credentials.
        url: String,
        /// The HTTP status code.
        code: u16,
    },
    /// A redirect's `Location` does not parse as a URL.
    #[error("{url}: bad redirect Location '{location}': {why}")]
    BadRedirect {
        /// The URL, without credentials.
        url: String,
        /// The `Location` header's value.
        location: String,
        /// What is wrong.
        why: String,
    },
    /// A redirect points at a scheme other than http:// or https://.
    #[error("{url}: redirect to '{to}' refused (only http:// and https:// are followed)")]
    RedirectRefused {
        /// The URL, without credentials.
        url: String,
        /// The URL redirected to.
        to: String,
    },
    /// More than `MAX_REDIRECTS` redirects in a row.
    #[error("{url}: more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects {
        /// The URL, without credentials.
        url: String,
    },
    /// A proxy variable of the environment is not an http:// proxy.
    #[error("{var}: '{value}' is not an http:// proxy")]
    BadProxy {
        /// The environment variable.
        var: &'static str,
        /// Its value.
        value: String,
    },
    /// A request body could not be read (a file to upload).
    #[error("{0}")]
    Body(String),
}

impl HttpError {
    /// Whether another attempt may succeed (the policy's statuses and
    /// connection failures).
    pub fn transient(&self) -> bool {
        match self {
            HttpError::Status { code, .. } => retried_status(*code),
            HttpError::Transport { transient, .. } => *transient,
            _ => false,
        }
    }

    /// What went wrong, without the URL (clients put the failure in
    /// their own words).
    pub fn reason(&self) -> String {
        match self {
            HttpError::Transport { message, .. } => message.clone(),
            e => e.to_string(),
        }
    }

    /// The server's `Retry-After`, for a status answer that has one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            HttpError::Status { response, .. } => retry_after(response),
            _ => None,
        }
    }
}

/// Statuses another attempt may fix: a timeout, throttling, a server
/// or gateway in trouble.
pub fn retried_status(code: u16) -> bool {
    matches!(code, 408 | 429 | 500 | 502 | 503 | 504)
}

/// Transport failures another attempt may fix: a refused or dropped
/// connection, a read that failed or timed out (not a name that does not
/// resolve, nor a malformed answer).
pub fn retried_transport(kind: ureq::ErrorKind) -> bool {
    matches!(
        kind,
        ureq::ErrorKind::ConnectionFailed | ureq::ErrorKind::Io | ureq::ErrorKind::ProxyConnect
    )
}

/// `Retry-After` as seconds or an HTTP date, at most `MAX_RETRY_AFTER`.
pub fn retry_after(resp: &ureq::Response) -> Option<Duration> {
    let v = resp.header("Retry-After")?.trim();
    let secs = match v.parse::<u64>() {
        Ok(s) => s,
        Err(_) => {
            let at = parse_http_date(v)?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            at.saturating_sub(now)
        }
    };
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// `Sun, 06 Dec 2026 10:28:06 GMT` (an HTTP `Date`, RFC 9110's
/// IMF-fixdate: RFC 2822's form), in seconds since the epoch.
pub fn parse_http_date(s: &str) -> Option<u64> {
    let t = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(s)
        .ok()?;
    u64::try_from(t.as_second()).ok()
}

/// The attempts of one request: `again` after each failure says whether
/// to try once more, having waited (exponential backoff with jitter, or
/// the server's `Retry-After`).
#[derive(Debug)]
pub struct Backoff {
    attempt: u32,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff::new()
    }
}

impl Backoff {
    /// A policy at its first attempt.
    pub fn new() -> Backoff {
        Backoff { attempt: 1 }
    }

    /// The attempt under way, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// After a transient failure: false when the attempts are spent;
    /// else wait and count the next attempt.
    pub fn again(&mut self, retry_after: Option<Duration>) -> bool {
        if self.attempt >= ATTEMPTS {
            return false;
        }
        std::thread::sleep(retry_after.unwrap_or_else(|| wait(self.attempt)));
        self.attempt += 1;
        true
    }
}

/// The wait after failed attempt `n` (from 1): `FIRST_WAIT` doubled per
/// attempt, capped at `MAX_WAIT`, of which a random half is waited
/// ("equal jitter": clients that failed together do not retry together).
fn wait(n: u32) -> Duration {
    let full = FIRST_WAIT
        .saturating_mul(1 << (n - 1).min(16))
        .min(MAX_WAIT);
    let half = full / 2;
    half + half.mul_f64(jitter())
}

/// A number in [0, 1), different in each call and process.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Proxy settings as curl reads them: `http_proxy` (lower case only) for
/// http:// URLs, `https_proxy` or `HTTPS_PROXY` for https:// URLs, then
/// `all_proxy` or `ALL_PROXY` for both; `no_proxy` or `NO_PROXY` lists the
/// hosts reached directly.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    /// The variable and its value, for http:// URLs.
    pub http: Option<(&'static str, String)>,
    /// The variable and its value, for https:// URLs.
    pub https: Option<(&'static str, String)>,
    /// The `no_proxy` entries: hosts, domains and networks reached directly.
    pub no_proxy: Vec<String>,
}

impl ProxyEnv {
    /// The settings in `var` (the environment, or a test's table).
    pub fn read(var: impl Fn(&str) -> Option<String>) -> ProxyEnv {
        let first = |names: &[&'static str]| {
            names
                .iter()
                .find_map(|n| var(n).filter(|v| !v.trim().is_empty()).map(|v| (*n, v)))
        };
        ProxyEnv {
            http: first(&["http_proxy", "all_proxy", "ALL_PROXY"]),
            https: first(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]),
            no_proxy: first(&["no_proxy", "NO_PROXY"])
                .map(|(_, v)| {
                    v.split(',')
                        .map(|h| h.trim().trim_start_matches('.').to_ascii_lowercase())
                        .filter(|h| !h.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Whether `url` is reached without a proxy: `*`, the host itself, a
    /// domain it is in, or an address range (`10.0.0.0/8`) it is in.
    pub fn bypass(&self, url: &url::Url) -> bool {
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_ascii_lowercase(),
            Some(url::Host::Ipv4(a)) => a.to_string(),
            Some(url::Host::Ipv6(a)) => a.to_string(),
            None => return true,
        };
        let ip: Option<IpAddr> = host.parse().ok();
        let unbracket = |s: &str| s.trim_start_matches('[').trim_end_matches(']').to_string();
        self.no_proxy.iter().any(|entry| {
            if let (Some(ip), Some((net, bits))) = (ip, entry.split_once('/')) {
                return in_network(ip, &unbracket(net), bits);
            }
            let entry = unbracket(entry);
            if entry == "*" || entry == host {
                return true;
            }
            ip.is_none() && host.ends_with(&format!(".{entry}"))
        })
    }
}

/// Whether `ip` is in the network `net/bits`.
fn in_network(ip: IpAddr, net: &str, bits: &str) -> bool {
    let Ok(bits) = bits.parse::<u32>() else {
        return false;
    };
    match (ip, net.parse::<IpAddr>()) {
        (IpAddr::V4(a), Ok(IpAddr::V4(n))) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), Ok(IpAddr::V6(n))) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// hako's agent: one ureq agent per route (direct, through the http://
/// URLs' proxy, through the https:// URLs' proxy), picked per request.
#[derive(Clone)]
pub struct Agent {
    direct: ureq::Agent,
    http: Option<Result<ureq::Agent, (&'static str, String)>>,
    https: Option<Result<ureq::Agent, (&'static str, String)>>,
    env: ProxyEnv,
}

/// A ureq agent with hako's timeouts and user agent, redirects left to
/// `get`; TLS trusts the system's certificates (`SSL_CERT_FILE` too).
fn builder() -> ureq::AgentBuilder {
    ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(15))
        .timeout_read(Duration::from_secs(60))
        .redirects(0)
        .try_proxy_from_env(false)
        .user_agent(concat!("hako/", env!("CARGO_PKG_VERSION")))
}

/// The agent of a proxy setting, or the setting when it is not an http://
/// proxy (`host:port` means http://; the port defaults to 1080).
fn proxied((var, value): &(&'static str, String)) -> Result<ureq::Agent, (&'static str, String)> {
    let refused = || (*var, value.clone());
    let v = value.trim();
    let full = if v.contains("://") {
        v.to_string()
    } else {
        format!("http://{v}")
    };
    let u = url::Url::parse(&full).map_err(|_| refused())?;
    if u.scheme() != "http" || u.host_str().is_none() {
        return Err(refused());
    }
    let mut spec = format!(
        "http://{}:{}",
        u.host_str().unwrap_or_default(),
        u.port().unwrap_or(PROXY_PORT)
    );
    if !u.username().is_empty() {
        let dec = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .to_string()
        };
        spec = format!(
            "http://{}:{}@{}",
            dec(u.username()),
            dec(u.password().unwrap_or("")),
            &spec["http://".len()..]
        );
    }
    let proxy = ureq::Proxy::new(spec).map_err(|_| refused())?;
    Ok(builder().proxy(proxy).build())
}

/// The agent, with the proxies the environment names.
pub fn agent() -> Agent {
    Agent::with_proxies(ProxyEnv::read(|k| std::env::var(k).ok()))
}

impl Agent {
    /// An agent that uses the proxies of `env`.
    pub fn with_proxies(env: ProxyEnv) -> Agent {
        Agent {
            direct: builder().build(),
            http: env.http.as_ref().map(proxied),
            https: env.https.as_ref().map(proxied),
            env,
        }
    }

    /// The ureq agent that reaches `url`.
    fn route(&self, url: &url::Url) -> Result<&ureq::Agent, HttpError> {
        let proxy = match url.scheme() {
            "http" => self.http.as_ref(),
            "https" => self.https.as_ref(),
            _ => None,
        };
        match proxy {
            Some(_) if self.env.bypass(url) => Ok(&self.direct),
            Some(Ok(a)) => Ok(a),
            Some(Err((var, value))) => Err(HttpError::BadProxy {
                var,
                value: shown_proxy(value),
            }),
            None => Ok(&self.direct),
        }
    }

    /// A request of `method` to `url` (headers and body still to set).
    pub fn request(&self, method: &str, url: &url::Url) -> Result<ureq::Request, HttpError> {
        Ok(self.route(url)?.request_url(method, url))
    }
}

/// A proxy setting as messages show it: without a password.
fn shown_proxy(value: &str) -> String {
    match value.rsplit_once('@') {
        Some((creds, host)) => match creds.split_once("://") {
            Some((scheme, _)) => format!("{scheme}://…@{host}"),
            None => format!("…@{host}"),
        },
        None => value.to_string(),
    }
}

/// `url` as traces show it: without a user, a password or a query (a
/// presigned URL's signature is a credential).
pub fn shown(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.to_string()
        }
        Err(_) => "(a malformed URL)".into(),
    }
}

/// A request's outcome as a response or the `HttpError` it is.
pub fn answer(
    method: &str,
    url: &str,
    r: Result<ureq::Response, ureq::Error>,
) -> Result<ureq::Response, HttpError> {
    match &r {
        Ok(resp) => {
            tracing::debug!(target: "hako::http", "{method} {} -> {}", shown(url), resp.status())
        }
        Err(ureq::Error::Status(code, _)) => {
            tracing::debug!(target: "hako::http", "{method} {} -> {code}", shown(url))
        }
        Err(ureq::Error::Transport(t)) => {
            tracing::debug!(target: "hako::http", "{method} {} -> {}", shown(url), t.kind())
        }
    }
    match r {
        Ok(r) => Ok(r),
        Err(ureq::Error::Status(code, r)) => Err(HttpError::Status {
            code,
            url: shown(url),
            response: Box::new(r),
        }),
        Err(ureq::Error::Transport(t)) => Err(HttpError::Transport {
            url: shown(url),
            message: t
                .message()
                .map(String::from)
                .unwrap_or_else(|| t.kind().to_string()),
            transient: retried_transport(t.kind()),
        }),
    }
}

/// Parse `url` for a request (a URL that does not parse is shown as it is).
pub fn parse_url(url: &str) -> Result<url::Url, HttpError> {
    url::Url::parse(url).map_err(|e| HttpError::BadUrl {
        url: url.to_string(),
        why: e.to_string(),
    })
}

/// POST `form` (application/x-www-form-urlencoded) to `url`; redirects are
/// not followed (a form may hold a secret).
pub fn post_form(
    agent: &Agent,
    url: &str,
    form: &[(&str, &str)],
) -> Result<ureq::Response, HttpError> {
    let u = parse_url(url)?;
    answer("POST", url, agent.request("POST", &u)?.send_form(form))
}

/// GET `url` with `headers`, following redirects (301, 302, 303, 307, 308)
/// to http(s) URLs only; an `Authorization` header goes to the first URL's
/// host and port only.
pub fn get(
    agent: &Agent,
    url: &str,
    headers: &[(&str, &str)],
) -> Result<ureq::Response, HttpError> {
    let mut here = parse_url(url)?;
    let origin = here.origin();
    for _ in 0..=MAX_REDIRECTS {
        let mut req = agent.request("GET", &here)?;
        for (k, v) in headers {
            if k.eq_ignore_ascii_case("Authorization") && here.origin() != origin {
                continue;
            }
            req = req.set(k, v);
        }
        let resp = answer("GET", here.as_str(), req.call())?;
        if !matches!(resp.status(), 301 | 302 | 303 | 307 | 308) {
            return Ok(resp);
        }
        let location =
            resp.header("Location")
                .ok_or_else(|| HttpError::RedirectWithoutLocation {
                    url: shown(here.as_str()),
                    code: resp.status(),
                })?;
        let next = here.join(location).map_err(|e| HttpError::BadRedirect {
            url: shown(here.as_str()),
            location: location.to_string(),
            why: e.to_string(),
        })?;
        if !matches!(next.scheme(), "http" | "https") {
            return Err(HttpError::RedirectRefused {
                url: shown(here.as_str()),
                to: shown(next.as_str()),
            });
        }
        here = next;
    }
    Err(HttpError::TooManyRedirects { url: shown(url) })
}

/// Run `attempt` again while it fails `transient`ly and the policy allows
/// another attempt (waiting in between as `Backoff` does); its last result.
pub fn retrying<T, E>(
    mut attempt: impl FnMut() -> Result<T, E>,
    transient: impl Fn(&E) -> bool,
) -> Result<T, E> {
    let mut backoff = Backoff::new();
    loop {
        match attempt() {
            Err(e) if transient(&e) && backoff.again(None) => {}
            r => return r,
        }
    }
}

/// The `Range` header value that asks for the bytes from `have` on.
pub fn resume_from(have: u64) -> String {
    format!("bytes={have}-")
}

/// A download into a part file, continued from the bytes it holds.
pub struct Part<'p> {
    path: &'p std::path::Path,
    /// The bytes it holds.
    pub have: u64,
}

impl<'p> Part<'p> {
    /// The part file `path` of a download of `total` bytes: `None` when it
    /// is complete; a file longer than `total` is started over.
    pub fn open(path: &'p std::path::Path, total: u64) -> std::io::Result<Option<Part<'p>>> {
        let mut have = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if have > total {
            std::fs::remove_file(path)?;
            have = 0;
        }
        Ok((have < total).then_some(Part { path, have }))
    }

    /// The `Range` header that asks for the rest, when there is a part.
    pub fn range(&self) -> Option<String> {
        (self.have > 0).then(|| resume_from(self.have))
    }

    /// The file, open for appending the answer's body (unbuffered: what
    /// arrived is on disk if the process is killed); emptied first when
    /// the body starts at byte 0 (`from_start`: a `200`).
    pub fn append(&mut self, from_start: bool) -> std::io::Result<std::fs::File> {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path)?;
        if from_start {
            f.set_len(0)?;
            self.have = 0;
        }
        Ok(f)
    }
}

/// `f` synced to disk: its length.
pub fn finish(f: std::fs::File) -> std::io::Result<u64> {
    f.sync_all()?;
    Ok(f.metadata()?.len())
}

/// A reader or writer that reports the running total of bytes moved
/// through it to `each` (a progress display, a counter).
pub struct Counting<T, F: FnMut(u64) = fn(u64)> {
    /// The reader or writer wrapped.
    pub inner: T,
    /// Bytes moved so far.
    pub total: u64,
    /// Called with `total` after each read or write.
    pub each: F,
}

impl<T> Counting<T> {
    /// Count only (`total`).
    pub fn new(inner: T) -> Counting<T> {
        Counting {
            inner,
            total: 0,
            each: |_| {},
        }
    }
}

impl<R: Read, F: FnMut(u64)> Read for Counting<R, F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if n > 0 {
            (self.each)(self.total);
        }
        Ok(n)
    }
}

impl<W: Write, F: FnMut(u64)> Write for Counting<W, F> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.total += n as u64;
        (self.each)(self.total);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Why a response body could not be copied.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// The connection failed mid-body.
    #[error("truncated body after {got} bytes ({err})")]
    Read {
        /// Bytes copied before the failure.
        got: u64,
        /// The i/o error.
        err: std::io::Error,
    },
    /// The body runs past the length expected.
    #[error("the body is longer than the {max} bytes expected")]
    TooLong {
        /// The length expected, in bytes.
        max: u64,
    },
    /// Writing what arrived failed.
    #[error("cannot store the body: {0}")]
    Store(std::io::Error),
}

impl BodyError {
    /// Whether a new request (resuming where this one stopped) may finish it.
    pub fn transient(&self) -> bool {
        matches!(self, BodyError::Read { .. })
    }
}

/// Copy a response body to `out`, at most `max` bytes (refused as soon as
/// it passes them); `arrived` gets the size of each piece. The bytes copied.
pub fn copy_body(
    r: &mut dyn Read,
    out: &mut dyn Write,
    max: u64,
    arrived: &mut dyn FnMut(u64),
) -> Result<u64, BodyError> {
    let mut buf = vec![0u8; 1 << 16];
    let mut got = 0u64;
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(got),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(BodyError::Read { got, err }),
        };
        got += n as u64;
        if got > max {
            return Err(BodyError::TooLong { max });
        }
        arrived(n as u64);
        out.write_all(&buf[..n]).map_err(BodyError::Store)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> ProxyEnv {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyEnv::read(|k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn proxies_are_read_as_curl_reads_them() {
        let e = env(&[("HTTP_PROXY", "h:1"), ("HTTPS_PROXY", "s:2")]);
        assert_eq!(e.http, None, "upper-case HTTP_PROXY is ignored");
        assert_eq!(e.https, Some(("HTTPS_PROXY", "s:2".into())));
        let e = env(&[("https_proxy", "a:1"), ("HTTPS_PROXY", "b:2")]);
        assert_eq!(e.https, Some(("https_proxy", "a:1".into())));
        let e = env(&[("ALL_PROXY", "all:3"), ("http_proxy", "")]);
        assert_eq!(e.http, Some(("ALL_PROXY", "all:3".into())));
        assert_eq!(e.https, Some(("ALL_PROXY", "all:3".into())));
    }

    #[test]
    fn no_proxy_matches_hosts_domains_and_networks() {
        let e = env(&[(
            "NO_PROXY",
            "localhost, .example.com,10.0.0.0/8,::1,[fd00::]/8",
        )]);
        let by = |u: &str| e.bypass(&url::Url::parse(u).unwrap());
        assert!(by("http://localhost:5000/x"));
        assert!(by("https://example.com/"));
        assert!(by("https://reg.example.com/"));
        assert!(!by("https://badexample.com/"));
        assert!(by("http://10.1.2.3/"));
        assert!(!by("http://11.1.2.3/"));
        assert!(by("http://[::1]:8080/"));
        assert!(by("http://[fd12::1]/"));
        assert!(!by("http://127.0.0.1/"));
        assert!(env(&[("no_proxy", "*")]).bypass(&url::Url::parse("http://a/").unwrap()));
    }

    #[test]
    fn proxy_settings_are_checked() {
        assert!(proxied(&("http_proxy", "127.0.0.1:3128".into())).is_ok());
        assert!(proxied(&("http_proxy", "http://u:p%40ss@proxy".into())).is_ok());
        assert!(proxied(&("http_proxy", "socks5://proxy:1080".into())).is_err());
        assert_eq!(shown_proxy("http://u:secret@p:1"), "http://…@p:1");
    }

    #[test]
    fn waits_grow_with_jitter_up_to_the_cap() {
        for n in 1..=8 {
            let full = FIRST_WAIT.saturating_mul(1 << (n - 1)).min(MAX_WAIT);
            let w = wait(n);
            assert!(w >= full / 2 && w <= full, "{n}: {w:?}");
        }
    }

    #[test]
    fn part_files_are_continued_or_started_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.part");
        let p = Part::open(&path, 10).unwrap().unwrap();
        assert_eq!((p.have, p.range()), (0, None));
        assert!(!path.exists(), "nothing is created before an answer");
        std::fs::write(&path, b"abcd").unwrap();
        let mut p = Part::open(&path, 10).unwrap().unwrap();
        assert_eq!(p.range().as_deref(), Some("bytes=4-"));
        let mut f = p.append(false).unwrap();
        f.write_all(b"ef").unwrap();
        assert_eq!(finish(f).unwrap(), 6);
        let f = p.append(true).unwrap();
        assert_eq!((p.have, finish(f).unwrap()), (0, 0));
        std::fs::write(&path, b"0123456789").unwrap();
        assert!(Part::open(&path, 10).unwrap().is_none(), "complete");
        std::fs::write(&path, b"0123456789ab").unwrap();
        assert_eq!(Part::open(&path, 10).unwrap().unwrap().have, 0);
        assert!(!path.exists(), "a part longer than the file is removed");
    }

    #[test]
    fn retrying_stops_at_success_or_a_lasting_failure() {
        let mut n = 0;
        let r: Result<u32, u32> = retrying(
            || {
                n += 1;
                if n < 2 {
                    Err(n)
                } else {
                    Ok(n)
                }
            },
            |_| true,
        );
        assert_eq!(r, Ok(2));
        let mut n = 0;
        let r: Result<(), u32> = retrying(
            || {
                n += 1;
                Err(n)
            },
            |_| false,
        );
        assert_eq!(r, Err(1));
    }

    #[test]
    fn bodies_are_copied_counted_and_capped() {
        let mut out = Vec::new();
        let mut seen = 0;
        let n = copy_body(&mut &b"hello"[..], &mut out, 5, &mut |n| seen += n).unwrap();
        assert_eq!((n, seen, &out[..]), (5, 5, &b"hello"[..]));
        let e = copy_body(&mut &b"hello"[..], &mut Vec::new(), 4, &mut |_| {}).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the body is longer than the 4 bytes expected"
        );
        let mut c = Counting::new(&b"abc"[..]);
        std::io::copy(&mut c, &mut std::io::sink()).unwrap();
        assert_eq!(c.total, 3);
    }
}
