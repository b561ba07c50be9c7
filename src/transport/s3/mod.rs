//! The S3 API client of object-store remotes (format-spec/object-store.md,
//! section 1): `s3://BUCKET/PREFIX` URLs, endpoint/region/credentials as
//! the AWS CLI finds them, Signature V4 (rusty-s3) over hako's ureq agent,
//! retries with backoff on 500/503/SlowDown. It also reads the bucket as a
//! dumb-HTTP mirror (`MirrorReader`), so the dumb object walk serves it.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};

use crate::config::parse_size;
use crate::error::{Error, IoContext, Result};
use crate::transport::dumb::http::{MirrorReader, MAX_MIRROR_FILE};
use crate::workspace::Config;

mod multipart;
mod profile;

pub use multipart::PendingUpload;
use multipart::{MAX_PART, MIN_PART};
use profile::aws_profile;

/// Attempts of one request on 500, 503, SlowDown or a dropped connection.
const ATTEMPTS: u32 = 5;
/// How long a signed request stays valid.
const SIGNED_FOR: Duration = Duration::from_secs(900);
/// A file larger than this goes up in parts of this size (a multipart
/// upload); `remote.NAME.s3partsize` changes it.
pub const PART_SIZE: u64 = 64 << 20;
/// Keys one ListObjectsV2 page returns at most.
const PAGE_KEYS: usize = 1000;

/// `s3://BUCKET/PREFIX`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// Without leading or trailing `/`; empty for the bucket's root.
    pub prefix: String,
}

/// True for the URLs this module serves.
pub fn is_s3_url(url: &str) -> bool {
    url.starts_with("s3://")
}

/// Parse `s3://BUCKET[/PREFIX]` (object-store.md section 1).
pub fn parse_s3_url(url: &str) -> Result<S3Location> {
    let bad = |why: &str| Error::Invalid(format!("bad remote URL '{url}': {why}"));
    let rest = url.strip_prefix("s3://").ok_or_else(|| bad("not s3://"))?;
    let rest = rest.trim_end_matches('/');
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !bucket.starts_with(['-', '.'])
        && !bucket.ends_with(['-', '.']);
    if !bucket_ok {
        return Err(bad("a bucket name is 3-63 of [a-z0-9.-]"));
    }
    for c in prefix.split('/').filter(|_| !prefix.is_empty()) {
        let ok = !c.is_empty()
            && c != "."
            && c != ".."
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !ok {
            return Err(bad(&format!("bad prefix component '{c}'")));
        }
    }
    Ok(S3Location {
        bucket: bucket.to_string(),
        prefix: prefix.to_string(),
    })
}

/// One object of a listing.
#[derive(Clone, Debug)]
pub struct Listed {
    /// The key below the prefix.
    pub path: String,
    pub size: u64,
    /// `LastModified`, in seconds since the epoch (store time; 0 if absent).
    pub modified: u64,
}

/// A client of one bucket prefix.
#[derive(Clone)]
pub struct S3Client {
    agent: ureq::Agent,
    bucket: Bucket,
    creds: Option<Credentials>,
    prefix: String,
    /// `s3://BUCKET/PREFIX`, and the remote's name, for messages.
    pub display: String,
    /// Requests made.
    pub requests: u64,
    /// Body bytes received.
    pub bytes: u64,
    /// Body bytes sent.
    pub sent: u64,
    counter: Option<Arc<AtomicU64>>,
    /// Also counts body bytes sent, as they go (a push's progress display,
    /// polled by another thread).
    pub sent_counter: Option<Arc<AtomicU64>>,
    /// Keys read from another key (gc reads the index of a retired pack
    /// from `objects/retired/`).
    pub index_aliases: HashMap<String, String>,
    /// `objects/pack/` as the last whole-prefix listing saw it (read_refs),
    /// so that a fetch lists the bucket once.
    pub packs_listing: Option<Vec<Listed>>,
    /// The store's clock (the `Date` of its last answer), seconds since
    /// the epoch: gc's grace is measured against it, not the client's.
    pub store_time: Option<u64>,
    /// Seconds added to this machine's clock when signing
    /// (`HAKO_TEST_S3_CLOCK_SKEW`, t6500: a store rejecting a skewed clock).
    skew: i64,
    /// Files larger than this go up as multipart uploads, in parts of this size.
    part_size: u64,
}

/// A failed request, as the store described it.
struct Failed {
    status: u16,
    code: String,
    message: String,
    transient: bool,
}

/// A request body that counts the bytes read from it.
struct CountingReader<R> {
    inner: R,
    counter: Option<Arc<AtomicU64>>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(c) = &self.counter {
            c.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// The text of the first `<TAG>` of an XML answer, unescaped ("" if none).
fn xml_field(body: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    body.split_once(&open)
        .and_then(|(_, r)| r.split_once(&close))
        .map(|(v, _)| {
            v.trim()
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .unwrap_or_default()
}

/// `<Code>` and `<Message>` of an S3 error body.
fn error_fields(body: &str) -> (String, String) {
    (xml_field(body, "Code"), xml_field(body, "Message"))
}

impl S3Client {
    /// A client of `url`, configured from `remote.NAME.s3*` of `config`
    /// (when the remote has a name) and the environment.
    pub fn open(url: &str, config: Option<&Config>, name: Option<&str>) -> Result<S3Client> {
        let loc = parse_s3_url(url)?;
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let conf = |k: &str| {
            name.and_then(|n| config.and_then(|c| c.get(&format!("remote.{n}.{k}"))))
                .map(String::from)
        };
        let (creds, profile_region) = aws_profile();
        let region = conf("s3region")
            .or_else(|| env("AWS_REGION"))
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .or(profile_region)
            .unwrap_or_else(|| "us-east-1".into());
        let endpoint = conf("s3endpoint")
            .or_else(|| env("AWS_ENDPOINT_URL_S3"))
            .or_else(|| env("AWS_ENDPOINT_URL"));
        // Where a bad value is, for its message: `FILE:LINE: `.
        let at = |k: &str| {
            name.and_then(|n| config.and_then(|c| c.origin(&format!("remote.{n}.{k}"))))
                .map(|o| format!("{o}: "))
                .unwrap_or_default()
        };
        let path_style = match conf("s3pathstyle").as_deref() {
            Some(v) => match crate::config::parse_bool(v) {
                Some(b) => b,
                None => {
                    return Err(Error::Invalid(format!(
                        "{}remote.{}.s3pathstyle: '{v}' is not a boolean",
                        at("s3pathstyle"),
                        name.unwrap_or("")
                    )))
                }
            },
            None => endpoint.is_some(),
        };
        let part_size = match conf("s3partsize") {
            None => PART_SIZE,
            Some(v) => parse_size(&v)
                .filter(|n| (MIN_PART..=MAX_PART).contains(n))
                .ok_or_else(|| {
                    Error::Invalid(format!(
                        "{}remote.{}.s3partsize: '{v}' is not a size from 5m to 5g",
                        at("s3partsize"),
                        name.unwrap_or("")
                    ))
                })?,
        };
        let endpoint = endpoint.unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        let parsed = url::Url::parse(&endpoint)
            .map_err(|e| Error::Invalid(format!("bad S3 endpoint '{endpoint}': {e}")))?;
        let style = if path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let bucket = Bucket::new(parsed, style, loc.bucket.clone(), region)
            .map_err(|e| Error::Invalid(format!("bad S3 endpoint '{endpoint}': {e}")))?;
        let url = format!("s3://{}", [loc.bucket.as_str(), &loc.prefix].join("/"))
            .trim_end_matches('/')
            .to_string();
        let display = match name {
            Some(n) => format!("remote '{n}' ({url})"),
            None => url.clone(),
        };
        Ok(S3Client {
            agent: crate::http::agent(),
            bucket,
            creds,
            prefix: loc.prefix,
            display,
            requests: 0,
            bytes: 0,
            sent: 0,
            counter: None,
            sent_counter: None,
            index_aliases: HashMap::new(),
            packs_listing: None,
            store_time: None,
            part_size,
            skew: std::env::var("HAKO_TEST_S3_CLOCK_SKEW")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        })
    }

    /// The time requests are signed with.
    fn signing_time(&self) -> jiff::Timestamp {
        let now = jiff::Timestamp::now();
        now.checked_add(jiff::SignedDuration::from_secs(self.skew))
            .unwrap_or(now)
    }

    /// The presigned URL of `action`, valid for SIGNED_FOR.
    fn sign<'a>(&self, action: &impl S3Action<'a>) -> url::Url {
        action.sign_with_time(SIGNED_FOR, &self.signing_time())
    }

    /// Another client of the same prefix (fresh counters).
    pub fn reopen(&self) -> S3Client {
        S3Client {
            requests: 0,
            bytes: 0,
            sent: 0,
            counter: None,
            sent_counter: None,
            index_aliases: HashMap::new(),
            packs_listing: None,
            store_time: None,
            ..self.clone()
        }
    }

    /// The store's time as its last answer gave it, else this machine's.
    pub fn now(&self) -> u64 {
        self.store_time.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        })
    }

    /// The bucket key of `path` below the prefix.
    fn key(&self, path: &str) -> String {
        if self.prefix.is_empty() {
            path.to_string()
        } else {
            format!("{}/{path}", self.prefix)
        }
    }

    fn fail(&self, what: &str, f: Failed) -> Error {
        let code = if f.code.is_empty() {
            format!("HTTP {}", f.status)
        } else {
            format!("{} (HTTP {})", f.code, f.status)
        };
        let msg = if f.message.is_empty() {
            String::new()
        } else {
            format!(": {}", f.message)
        };
        if f.status == 0 {
            return Error::Invalid(format!("{}: {what}: {}", self.display, f.message));
        }
        Error::Invalid(format!("{}: {what}: {code}{msg}", self.display))
    }

    /// One request, retried with backoff while the failure is transient.
    /// `body`: the bytes, or a file and its length.
    fn request(
        &mut self,
        method: &str,
        url: url::Url,
        headers: &[(&str, String)],
        body: Option<&[u8]>,
        file: Option<(&Path, u64, u64)>,
    ) -> std::result::Result<ureq::Response, Failed> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.requests += 1;
            let mut req = self.agent.request_url(method, &url);
            for (k, v) in headers {
                req = req.set(k, v);
            }
            let res = if let Some(b) = body {
                self.sent += b.len() as u64;
                if let Some(c) = &self.sent_counter {
                    c.fetch_add(b.len() as u64, Ordering::Relaxed);
                }
                req.send_bytes(b)
            } else if let Some((p, offset, len)) = file {
                use std::io::Seek;
                let opened = std::fs::File::open(p)
                    .and_then(|mut f| f.seek(std::io::SeekFrom::Start(offset)).map(|_| f));
                match opened {
                    Ok(f) => {
                        self.sent += len;
                        let body = CountingReader {
                            inner: f.take(len),
                            counter: self.sent_counter.clone(),
                        };
                        req.set("Content-Length", &len.to_string()).send(body)
                    }
                    Err(e) => {
                        return Err(Failed {
                            status: 0,
                            code: String::new(),
                            message: format!("{}: {e}", p.display()),
                            transient: false,
                        })
                    }
                }
            } else if method == "PUT" {
                req.send_bytes(&[])
            } else {
                req.call()
            };
            match &res {
                Ok(r) => {
                    tracing::debug!(target: "hako::s3", "{method} {} -> {}", crate::http::shown(url.as_str()), r.status())
                }
                Err(ureq::Error::Status(s, _)) => {
                    tracing::debug!(target: "hako::s3", "{method} {} -> {s}", crate::http::shown(url.as_str()))
                }
                Err(ureq::Error::Transport(t)) => {
                    tracing::debug!(target: "hako::s3", "{method} {} -> {}", crate::http::shown(url.as_str()), t.kind())
                }
            }
            let failed = match res {
                Ok(r) => {
                    if let Some(t) = r.header("Date").and_then(parse_http_date) {
                        self.store_time = Some(t);
                    }
                    return Ok(r);
                }
                Err(ureq::Error::Status(status, r)) => {
                    let text = r.into_string().unwrap_or_default();
                    let (code, message) = error_fields(&text);
                    let transient = matches!(status, 500 | 502 | 503 | 504) || code == "SlowDown";
                    Failed {
                        status,
                        code,
                        message,
                        transient,
                    }
                }
                Err(ureq::Error::Transport(t)) => Failed {
                    status: 0,
                    code: String::new(),
                    message: format!(
                        "cannot reach the store: {}",
                        t.message()
                            .map(String::from)
                            .unwrap_or_else(|| t.kind().to_string())
                    ),
                    transient: t.kind() != ureq::ErrorKind::Dns,
                },
            };
            if !failed.transient || attempt >= ATTEMPTS {
                return Err(failed);
            }
            let wait = Duration::from_millis(100 << attempt.min(6)).min(Duration::from_secs(5));
            std::thread::sleep(wait);
        }
    }

    fn get_url(&self, path: &str) -> url::Url {
        let key = self.key(path);
        self.sign(&self.bucket.get_object(self.creds.as_ref(), &key))
    }

    /// Read a body into `out`, at most `max` bytes, counted.
    fn body_into(
        &mut self,
        what: &str,
        resp: ureq::Response,
        out: &mut dyn Write,
        max: u64,
    ) -> Result<u64> {
        let mut r = resp.into_reader();
        let mut buf = vec![0u8; 1 << 16];
        let mut got = 0u64;
        loop {
            let n = match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(Error::Invalid(format!(
                        "{}: {what}: truncated body after {got} bytes ({e})",
                        self.display
                    )))
                }
            };
            got += n as u64;
            if got > max {
                return Err(Error::Invalid(format!(
                    "{}: {what}: the body is longer than the {max} bytes expected",
                    self.display
                )));
            }
            self.bytes += n as u64;
            if let Some(c) = &self.counter {
                c.fetch_add(n as u64, Ordering::Relaxed);
            }
            out.write_all(&buf[..n]).map_err(|e| {
                Error::Invalid(format!("{}: {what}: cannot store it: {e}", self.display))
            })?;
        }
        Ok(got)
    }

    /// GET `path` whole; `None` when the store has no such key.
    pub fn get_opt(&mut self, path: &str, max: u64) -> Result<Option<Vec<u8>>> {
        let url = self.get_url(path);
        let what = format!("GET {path}");
        match self.request("GET", url, &[], None, None) {
            Ok(resp) => {
                let mut v = Vec::new();
                self.body_into(&what, resp, &mut v, max)?;
                Ok(Some(v))
            }
            Err(f) if f.status == 404 && f.code != "NoSuchBucket" => Ok(None),
            Err(f) => Err(self.fail(&what, f)),
        }
    }

    /// GET bytes `start..end` of `path`.
    pub fn get_range(&mut self, path: &str, start: u64, end: u64) -> Result<Vec<u8>> {
        let url = self.get_url(path);
        let what = format!("GET {path} bytes {start}-{}", end - 1);
        let range = [("Range", format!("bytes={start}-{}", end - 1))];
        let resp = self
            .request("GET", url, &range, None, None)
            .map_err(|f| self.fail(&what, f))?;
        let status = resp.status();
        let mut v = Vec::with_capacity((end - start).min(1 << 20) as usize);
        if status == 206 {
            self.body_into(&what, resp, &mut v, end - start)?;
            if v.len() as u64 != end - start {
                return Err(Error::Invalid(format!(
                    "{}: {what}: got {} bytes",
                    self.display,
                    v.len()
                )));
            }
            return Ok(v);
        }
        // A store that ignored Range: the slice of the whole object.
        self.body_into(&what, resp, &mut v, u64::MAX)?;
        v.get(start as usize..end as usize)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| Error::Invalid(format!("{}: {what}: object too short", self.display)))
    }

    /// PUT `path` from bytes or a file; `once`: with `If-None-Match: *`
    /// (a write-once key: a 412 means it is there already, which is fine).
    pub fn put(
        &mut self,
        path: &str,
        bytes: Option<&[u8]>,
        file: Option<(&Path, u64)>,
        once: bool,
    ) -> Result<()> {
        let key = self.key(path);
        let url = self.sign(&self.bucket.put_object(self.creds.as_ref(), &key));
        let headers: Vec<(&str, String)> = if once {
            vec![("If-None-Match", "*".to_string())]
        } else {
            Vec::new()
        };
        let file = file.map(|(p, len)| (p, 0, len));
        match self.request("PUT", url, &headers, bytes, file) {
            Ok(_) => Ok(()),
            Err(f) if once && f.status == 412 => Ok(()),
            Err(f) => Err(self.fail(&format!("PUT {path}"), f)),
        }
    }

    /// DELETE `path` (a missing key is not an error).
    pub fn delete(&mut self, path: &str) -> Result<()> {
        let key = self.key(path);
        let url = self.sign(&self.bucket.delete_object(self.creds.as_ref(), &key));
        match self.request("DELETE", url, &[], None, None) {
            Ok(_) => Ok(()),
            Err(f) if f.status == 404 && f.code != "NoSuchBucket" => Ok(()),
            Err(f) => Err(self.fail(&format!("DELETE {path}"), f)),
        }
    }

    /// DELETE `paths` (below the prefix) with as few `DeleteObjects`
    /// requests as the store allows (1000 keys each); missing keys are fine.
    pub fn delete_many(&mut self, paths: &[String]) -> Result<()> {
        for chunk in paths.chunks(PAGE_KEYS) {
            let objects: Vec<rusty_s3::actions::ObjectIdentifier> = chunk
                .iter()
                .map(|p| rusty_s3::actions::ObjectIdentifier::new(self.key(p)))
                .collect();
            let mut action = self
                .bucket
                .delete_objects(self.creds.as_ref(), objects.iter());
            action.set_quiet(true);
            let url = self.sign(&action);
            let (body, md5) = action.body_with_md5();
            let what = format!("DELETE {} keys ({}…)", chunk.len(), chunk[0]);
            let resp = self
                .request(
                    "POST",
                    url,
                    &[("Content-MD5", md5)],
                    Some(body.as_bytes()),
                    None,
                )
                .map_err(|f| self.fail(&what, f))?;
            let mut text = Vec::new();
            self.body_into(&what, resp, &mut text, MAX_MIRROR_FILE)?;
            let text = String::from_utf8_lossy(&text);
            let parsed = rusty_s3::actions::DeleteObjectsResponse::parse(&text).map_err(|e| {
                Error::Invalid(format!("{}: {what}: bad answer: {e}", self.display))
            })?;
            if let Some(e) = parsed.errors.iter().find(|e| e.code != "NoSuchKey") {
                return Err(Error::Invalid(format!(
                    "{}: DELETE {}: {}: {}",
                    self.display, e.key, e.code, e.message
                )));
            }
        }
        Ok(())
    }

    /// Every key under `path` (paged), with sizes; at most `limit` keys.
    pub fn list(&mut self, path: &str, limit: usize) -> Result<Vec<Listed>> {
        let full = self.key(path);
        let strip = self.key("");
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut action = self.bucket.list_objects_v2(self.creds.as_ref());
            action.with_prefix(full.as_str());
            action.with_max_keys(PAGE_KEYS.min(limit.max(1)));
            if let Some(t) = &token {
                action.with_continuation_token(t.as_str());
            }
            let url = self.sign(&action);
            let what = format!("LIST {path}").trim_end().to_string();
            let resp = self
                .request("GET", url, &[], None, None)
                .map_err(|f| self.fail(&what, f))?;
            let mut body = Vec::new();
            self.body_into(&what, resp, &mut body, MAX_MIRROR_FILE)?;
            let text = String::from_utf8_lossy(&body);
            let page = rusty_s3::actions::ListObjectsV2::parse_response(&text).map_err(|e| {
                Error::Invalid(format!("{}: {what}: bad answer: {e}", self.display))
            })?;
            for c in page.contents {
                let Some(rel) = c.key.strip_prefix(&strip) else {
                    continue;
                };
                out.push(Listed {
                    path: rel.to_string(),
                    size: c.size.unwrap_or(0),
                    modified: c
                        .last_modified
                        .as_deref()
                        .and_then(parse_iso_time)
                        .unwrap_or(0),
                });
            }
            token = page.next_continuation_token;
            if token.is_none() || out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// `objects/info/packs` as the listing of `objects/pack/` gives it:
    /// the packs whose `.pack` and `.idx` are both there.
    pub fn listed_packs(&mut self) -> Result<Vec<u8>> {
        let listed = match self.packs_listing.take() {
            Some(l) => l,
            None => self.list("objects/pack/", usize::MAX)?,
        };
        Ok(packs_file_of(&listed).into_bytes())
    }
}

/// `2026-12-06T10:28:06.123Z` (a listing's `LastModified`, RFC 3339), to
/// the second.
pub fn parse_iso_time(s: &str) -> Option<u64> {
    let t: jiff::Timestamp = s.parse().ok()?;
    u64::try_from(t.as_second()).ok()
}

/// `Sun, 06 Dec 2026 10:28:06 GMT` (an HTTP `Date`, RFC 9110's
/// IMF-fixdate: RFC 2822's form).
pub fn parse_http_date(s: &str) -> Option<u64> {
    let t = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(s)
        .ok()?;
    u64::try_from(t.as_second()).ok()
}

/// `objects/info/packs` for a listing of `objects/pack/`: the packs whose
/// `.pack` and `.idx` are both listed, by name.
pub fn packs_file_of(listed: &[Listed]) -> String {
    {
        let mut packs = Vec::new();
        for l in listed {
            let Some(stem) = l
                .path
                .strip_prefix("objects/pack/")
                .and_then(|n| n.strip_suffix(".idx"))
            else {
                continue;
            };
            let pack = format!("objects/pack/{stem}.pack");
            let Some(p) = listed.iter().find(|x| x.path == pack) else {
                continue;
            };
            let Some(hex) = stem.strip_prefix("pack-") else {
                continue;
            };
            let Ok(checksum) = crate::oid::ObjectId::from_hex(hex) else {
                continue;
            };
            packs.push(crate::transport::dumb::PackEntry {
                name: stem.to_string(),
                checksum,
                pack_bytes: p.size,
                idx_bytes: l.size,
            });
        }
        packs.sort_by(|a, b| a.name.cmp(&b.name));
        crate::transport::dumb::packs_file(&packs)
    }
}

impl MirrorReader for S3Client {
    fn base(&self) -> &str {
        &self.display
    }
    fn url(&self, path: &str) -> String {
        // For messages: the remote's name, the bucket, the key.
        format!("{}: {path}", self.display)
    }
    fn mirror_file(&mut self, path: &str) -> Result<Vec<u8>> {
        if path == "objects/info/packs" {
            return self.listed_packs();
        }
        MirrorReader::get(self, path)
    }
    fn get(&mut self, path: &str) -> Result<Vec<u8>> {
        let path = &self
            .index_aliases
            .get(path)
            .cloned()
            .unwrap_or(path.to_string());
        self.get_opt(path, MAX_MIRROR_FILE)?.ok_or_else(|| {
            Error::Invalid(format!(
                "{}: GET {path}: NoSuchKey (HTTP 404)",
                self.display
            ))
        })
    }
    fn get_index(&mut self, path: &str) -> Result<Option<Vec<u8>>> {
        let path = &self
            .index_aliases
            .get(path)
            .cloned()
            .unwrap_or(path.to_string());
        self.get_opt(path, MAX_MIRROR_FILE)
    }
    fn get_ranges(
        &mut self,
        path: &str,
        spans: &[(u64, u64)],
        _total: u64,
    ) -> Result<Vec<Vec<u8>>> {
        // S3 serves one range per request.
        spans
            .iter()
            .map(|&(s, e)| self.get_range(path, s, e))
            .collect()
    }
    fn download(&mut self, path: &str, part: &Path, total: u64) -> Result<()> {
        let have = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
        if have > total {
            std::fs::remove_file(part).at(part)?;
            return self.download(path, part, total);
        }
        if have == total {
            return Ok(());
        }
        let url = self.get_url(path);
        let what = format!("GET {path}");
        let range: Vec<(&str, String)> = if have > 0 {
            vec![("Range", format!("bytes={have}-"))]
        } else {
            Vec::new()
        };
        let resp = self
            .request("GET", url, &range, None, None)
            .map_err(|f| self.fail(&what, f))?;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(part)
            .at(part)?;
        let max = if resp.status() == 206 {
            total - have
        } else {
            f.set_len(0).at(part)?;
            total
        };
        self.body_into(&what, resp, &mut f, max)?;
        f.sync_all().at(part)?;
        let len = f.metadata().at(part)?.len();
        if len != total {
            return Err(Error::Invalid(format!(
                "{}: {what}: {len} bytes, expected {total}",
                self.display
            )));
        }
        Ok(())
    }
    fn counts(&self) -> (u64, u64) {
        (self.requests, self.bytes)
    }
    fn set_counter(&mut self, counter: Option<Arc<AtomicU64>>) {
        self.counter = counter;
    }
}

/// Test hook (t6500: two pushers that do not see each other, a clone that
/// gc runs under, a push killed after its packs): with `VAR=PATH`, create
/// `PATH.listed` at this point, then wait (at most a minute) until `PATH`
/// exists. `HAKO_TEST_S3_PUSH_WAIT`: a push, once the refs are read;
/// `HAKO_TEST_S3_PACKED_WAIT`: a push, once its packs are written;
/// `HAKO_TEST_S3_FETCH_WAIT`: a fetch, once the refs are read;
/// `HAKO_TEST_S3_PART_WAIT`: a multipart upload, between parts.
pub fn test_pause(var: &str) {
    let Some(p) = std::env::var_os(var) else {
        return;
    };
    let path = std::path::PathBuf::from(p);
    let mut listed = path.clone().into_os_string();
    listed.push(".listed");
    let _ = std::fs::write(&listed, b"");
    for _ in 0..600 {
        if path.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls_parse_and_bad_ones_are_refused() {
        let l = parse_s3_url("s3://my-bucket/team/ws/").unwrap();
        assert_eq!(
            (l.bucket.as_str(), l.prefix.as_str()),
            ("my-bucket", "team/ws")
        );
        let l = parse_s3_url("s3://my-bucket").unwrap();
        assert_eq!(l.prefix, "");
        for bad in [
            "s3://",
            "s3://ab",
            "s3://Big/x",
            "s3://b-b/../x",
            "s3://bb-b/a//b",
        ] {
            assert!(parse_s3_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn s3_error_bodies_give_code_and_message() {
        let body = "<?xml version=\"1.0\"?><Error><Code>InvalidAccessKeyId</Code><Message>no such key</Message></Error>";
        assert_eq!(
            error_fields(body),
            ("InvalidAccessKeyId".into(), "no such key".into())
        );
        assert_eq!(error_fields("junk"), (String::new(), String::new()));
        let body = "<Error><Code>ServiceUnavailable</Code><Message>[&quot;a&quot; &amp; b]</Message></Error>";
        assert_eq!(error_fields(body).1, "[\"a\" & b]");
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("5m"), Some(5 << 20));
        assert_eq!(parse_size("64M"), Some(64 << 20));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("1234"), Some(1234));
        assert_eq!(parse_size("x"), None);
        assert_eq!(parse_size("5t"), Some(5 << 40));
    }

    #[test]
    fn store_times_parse() {
        assert_eq!(parse_iso_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_iso_time("2026-12-06T10:28:06.123Z"), Some(1796552886));
        assert_eq!(
            parse_http_date("Sun, 06 Dec 2026 10:28:06 GMT"),
            Some(1796552886)
        );
        assert_eq!(parse_iso_time("2026-13-06T10:28:06Z"), None);
        assert_eq!(parse_iso_time("1969-12-31T23:59:59Z"), None);
        assert_eq!(parse_http_date("yesterday"), None);
        assert_eq!(parse_http_date("Sun, 06 Dec 2026 25:28:06 GMT"), None);
    }
}
