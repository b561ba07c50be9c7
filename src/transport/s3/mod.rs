//! The S3 API client of object-store remotes (format-spec/object-store.md,
//! section 1): `s3://BUCKET/PREFIX` URLs, endpoint/region/credentials as
//! the AWS CLI finds them, Signature V4 (rusty-s3) over hako's agent,
//! retries under the policy of `crate::http` (and on SlowDown). It also
//! reads the bucket as a dumb-HTTP mirror (`MirrorReader`), so the dumb
//! object walk serves it.
#![warn(missing_docs)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};

use crate::config::parse_size;
use crate::error::{IoContext, Result};
use crate::http::{Backoff, BodyError, Counting, HttpError};
use crate::transport::dumb::http::{MirrorReader, MAX_MIRROR_FILE};
use crate::workspace::Config;

pub use crate::http::parse_http_date;

mod error;
mod multipart;
mod profile;

pub use error::S3Error;

pub use multipart::PendingUpload;
use multipart::{MAX_PART, MIN_PART};
use profile::aws_profile;

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
    /// The bucket.
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
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| S3Error::NotS3 { url: url.into() })?;
    let rest = rest.trim_end_matches('/');
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !bucket.starts_with(['-', '.'])
        && !bucket.ends_with(['-', '.']);
    if !bucket_ok {
        return Err(S3Error::BadBucket { url: url.into() }.into());
    }
    for c in prefix.split('/').filter(|_| !prefix.is_empty()) {
        let ok = !c.is_empty()
            && c != "."
            && c != ".."
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !ok {
            return Err(S3Error::BadPrefix {
                url: url.into(),
                component: c.into(),
            }
            .into());
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
    /// The object's size in bytes.
    pub size: u64,
    /// `LastModified`, in seconds since the epoch (store time; 0 if absent).
    pub modified: u64,
}

/// A client of one bucket prefix.
#[derive(Clone)]
pub struct S3Client {
    agent: crate::http::Agent,
    bucket: Bucket,
    creds: Option<Credentials>,
    prefix: String,
    /// `s3://BUCKET/PREFIX`, and the remote's name, for messages.
    pub display: String,
    /// What this client has counted and learnt since it was opened.
    pub session: Session,
    /// Seconds added to this machine's clock when signing
    /// (`HAKO_TEST_S3_CLOCK_SKEW`, t6500: a store rejecting a skewed clock).
    skew: i64,
    /// Files larger than this go up as multipart uploads, in parts of this size.
    part_size: u64,
}

/// What one client counts and learns as it goes; a reopened client
/// starts from `Session::default()`.
#[derive(Clone, Default)]
pub struct Session {
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
}

/// A failed request, as the store described it.
enum Failed {
    /// An error answer: its status, and the `<Code>` and `<Message>` of
    /// its body.
    Status {
        status: u16,
        code: String,
        message: String,
    },
    /// No answer.
    Unreachable(String),
    /// The file to send could not be read.
    Upload(String),
}

impl Failed {
    /// The status of an error answer (0 for none).
    fn status(&self) -> u16 {
        match self {
            Failed::Status { status, .. } => *status,
            _ => 0,
        }
    }

    /// The `<Code>` of an error answer ("" for none).
    fn code(&self) -> &str {
        match self {
            Failed::Status { code, .. } => code,
            _ => "",
        }
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
                    return Err(S3Error::NotBoolean {
                        at: at("s3pathstyle"),
                        remote: name.unwrap_or("").into(),
                        value: v.into(),
                    }
                    .into())
                }
            },
            None => endpoint.is_some(),
        };
        let part_size = match conf("s3partsize") {
            None => PART_SIZE,
            Some(v) => parse_size(&v)
                .filter(|n| (MIN_PART..=MAX_PART).contains(n))
                .ok_or_else(|| S3Error::BadPartSize {
                    at: at("s3partsize"),
                    remote: name.unwrap_or("").into(),
                    value: v.clone(),
                })?,
        };
        let endpoint = endpoint.unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        let bad_endpoint = |why: String| S3Error::BadEndpoint {
            endpoint: endpoint.clone(),
            why,
        };
        let parsed = url::Url::parse(&endpoint).map_err(|e| bad_endpoint(e.to_string()))?;
        let style = if path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let bucket = Bucket::new(parsed, style, loc.bucket.clone(), region)
            .map_err(|e| bad_endpoint(e.to_string()))?;
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
            session: Session::default(),
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
            session: Session::default(),
            ..self.clone()
        }
    }

    /// The store's time as its last answer gave it, else this machine's.
    pub fn now(&self) -> u64 {
        self.session.store_time.unwrap_or_else(|| {
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

    fn fail(&self, what: &str, f: Failed) -> S3Error {
        let remote = self.display.clone();
        let what = what.to_string();
        match f {
            Failed::Status {
                status,
                code,
                message,
            } => S3Error::Refused {
                remote,
                what,
                status,
                code,
                message,
            },
            Failed::Unreachable(reason) => S3Error::Unreachable {
                remote,
                what,
                reason,
            },
            Failed::Upload(why) => S3Error::Upload { remote, what, why },
        }
    }

    /// One request, retried under the policy of `crate::http` (and on
    /// `SlowDown`). `body`: the bytes, or a file, an offset in it and a length.
    fn request(
        &mut self,
        method: &str,
        url: url::Url,
        headers: &[(&str, String)],
        body: Option<&[u8]>,
        file: Option<(&Path, u64, u64)>,
    ) -> std::result::Result<ureq::Response, Failed> {
        let mut backoff = Backoff::new();
        loop {
            let (failed, transient, retry_after) =
                match self.attempt(method, &url, headers, body, file) {
                    Ok(r) => {
                        if let Some(t) = r.header("Date").and_then(parse_http_date) {
                            self.session.store_time = Some(t);
                        }
                        return Ok(r);
                    }
                    Err(HttpError::Status {
                        code: status,
                        response,
                        ..
                    }) => {
                        let retry_after = crate::http::retry_after(&response);
                        let text = response.into_string().unwrap_or_default();
                        let (code, message) = error_fields(&text);
                        let transient = crate::http::retried_status(status) || code == "SlowDown";
                        let failed = Failed::Status {
                            status,
                            code,
                            message,
                        };
                        (failed, transient, retry_after)
                    }
                    Err(HttpError::Body(why)) => return Err(Failed::Upload(why)),
                    Err(e) => {
                        let transient = e.transient();
                        (Failed::Unreachable(e.reason()), transient, None)
                    }
                };
            if !transient || !backoff.again(retry_after) {
                return Err(failed);
            }
        }
    }

    /// One attempt of `request`.
    fn attempt(
        &mut self,
        method: &str,
        url: &url::Url,
        headers: &[(&str, String)],
        body: Option<&[u8]>,
        file: Option<(&Path, u64, u64)>,
    ) -> std::result::Result<ureq::Response, HttpError> {
        self.session.requests += 1;
        let mut req = self.agent.request(method, url)?;
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let sent_counter = self.session.sent_counter.clone();
        let res = if let Some(b) = body {
            self.session.sent += b.len() as u64;
            if let Some(c) = &sent_counter {
                c.fetch_add(b.len() as u64, Ordering::Relaxed);
            }
            req.send_bytes(b)
        } else if let Some((p, offset, len)) = file {
            use std::io::Seek;
            let f = std::fs::File::open(p)
                .and_then(|mut f| f.seek(std::io::SeekFrom::Start(offset)).map(|_| f))
                .map_err(|e| HttpError::Body(format!("{}: {e}", p.display())))?;
            self.session.sent += len;
            let mut last = 0;
            let body = Counting {
                inner: f.take(len),
                total: 0,
                each: move |total: u64| {
                    if let Some(c) = &sent_counter {
                        c.fetch_add(total - last, Ordering::Relaxed);
                    }
                    last = total;
                },
            };
            req.set("Content-Length", &len.to_string()).send(body)
        } else if method == "PUT" {
            req.send_bytes(&[])
        } else {
            req.call()
        };
        crate::http::answer(method, url.as_str(), res)
    }

    fn get_url(&self, path: &str) -> url::Url {
        let key = self.key(path);
        self.sign(&self.bucket.get_object(self.creds.as_ref(), &key))
    }

    /// One request whose answer is a small document (an XML listing or
    /// report): its text, at most `MAX_MIRROR_FILE` bytes. `what` names the
    /// request in errors.
    fn answer_text(
        &mut self,
        what: &str,
        method: &str,
        url: url::Url,
        headers: &[(&str, String)],
        body: Option<&[u8]>,
    ) -> Result<String, S3Error> {
        let resp = self
            .request(method, url, headers, body, None)
            .map_err(|f| self.fail(what, f))?;
        let mut text = Vec::new();
        self.body_into(what, resp, &mut text, MAX_MIRROR_FILE)?;
        Ok(String::from_utf8_lossy(&text).into_owned())
    }

    /// Read a body into `out`, at most `max` bytes, counted.
    fn body_into(
        &mut self,
        what: &str,
        resp: ureq::Response,
        out: &mut dyn Write,
        max: u64,
    ) -> Result<u64, S3Error> {
        let counter = self.session.counter.clone();
        let bytes = &mut self.session.bytes;
        crate::http::copy_body(&mut resp.into_reader(), out, max, &mut |n| {
            *bytes += n;
            if let Some(c) = &counter {
                c.fetch_add(n, Ordering::Relaxed);
            }
        })
        .map_err(|err| {
            let (remote, what) = (self.display.clone(), what.to_string());
            match err {
                BodyError::Store(err) => S3Error::Store { remote, what, err },
                err => S3Error::Body { remote, what, err },
            }
        })
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
            Err(f) if f.status() == 404 && f.code() != "NoSuchBucket" => Ok(None),
            Err(f) => Err(self.fail(&what, f).into()),
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
                return Err(S3Error::ShortRange {
                    remote: self.display.clone(),
                    what,
                    got: v.len() as u64,
                }
                .into());
            }
            return Ok(v);
        }
        // A store that ignored Range: the slice of the whole object.
        self.body_into(&what, resp, &mut v, u64::MAX)?;
        v.get(start as usize..end as usize)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| {
                S3Error::TooShort {
                    remote: self.display.clone(),
                    what,
                }
                .into()
            })
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
            Err(f) if once && f.status() == 412 => Ok(()),
            Err(f) => Err(self.fail(&format!("PUT {path}"), f).into()),
        }
    }

    /// DELETE `path` (a missing key is not an error).
    pub fn delete(&mut self, path: &str) -> Result<()> {
        let key = self.key(path);
        let url = self.sign(&self.bucket.delete_object(self.creds.as_ref(), &key));
        match self.request("DELETE", url, &[], None, None) {
            Ok(_) => Ok(()),
            Err(f) if f.status() == 404 && f.code() != "NoSuchBucket" => Ok(()),
            Err(f) => Err(self.fail(&format!("DELETE {path}"), f).into()),
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
            let headers = [("Content-MD5", md5)];
            let text = self.answer_text(&what, "POST", url, &headers, Some(body.as_bytes()))?;
            let parsed = rusty_s3::actions::DeleteObjectsResponse::parse(&text)
                .map_err(|e| self.bad_answer(&what, e))?;
            if let Some(e) = parsed.errors.iter().find(|e| e.code != "NoSuchKey") {
                return Err(S3Error::ErrorInAnswer {
                    remote: self.display.clone(),
                    what: format!("DELETE {}", e.key),
                    code: e.code.clone(),
                    message: e.message.clone(),
                }
                .into());
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
            let text = self.answer_text(&what, "GET", url, &[], None)?;
            let page = rusty_s3::actions::ListObjectsV2::parse_response(&text)
                .map_err(|e| self.bad_answer(&what, e))?;
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

    /// A 200 answer that does not parse.
    fn bad_answer(&self, what: &str, why: impl std::fmt::Display) -> S3Error {
        S3Error::BadAnswer {
            remote: self.display.clone(),
            what: what.to_string(),
            why: why.to_string(),
        }
    }

    /// The key `path` is read from: itself, or what `index_aliases` says.
    fn aliased(&self, path: &str) -> String {
        let alias = self.session.index_aliases.get(path);
        alias.map_or_else(|| path.to_string(), String::clone)
    }

    /// `objects/info/packs` as the listing of `objects/pack/` gives it:
    /// the packs whose `.pack` and `.idx` are both there.
    pub fn listed_packs(&mut self) -> Result<Vec<u8>> {
        let listed = match self.session.packs_listing.take() {
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
        let path = &self.aliased(path);
        self.get_opt(path, MAX_MIRROR_FILE)?.ok_or_else(|| {
            S3Error::NoSuchKey {
                remote: self.display.clone(),
                path: path.clone(),
            }
            .into()
        })
    }
    fn get_index(&mut self, path: &str) -> Result<Option<Vec<u8>>> {
        let path = &self.aliased(path);
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
        crate::http::retrying(
            || self.download_rest(path, part, total),
            |e| matches!(e, crate::error::Error::S3(S3Error::Body { err, .. }) if err.transient()),
        )
    }
    fn counts(&self) -> (u64, u64) {
        (self.session.requests, self.session.bytes)
    }
    fn set_counter(&mut self, counter: Option<Arc<AtomicU64>>) {
        self.session.counter = counter;
    }
}

impl S3Client {
    /// One request of a download: the bytes `part` lacks (`Range`).
    fn download_rest(&mut self, path: &str, part: &Path, total: u64) -> Result<()> {
        let Some(mut p) = crate::http::Part::open(part, total).at(part)? else {
            return Ok(());
        };
        let url = self.get_url(path);
        let what = format!("GET {path}");
        let range: Vec<(&str, String)> = p.range().map(|r| ("Range", r)).into_iter().collect();
        let resp = self
            .request("GET", url, &range, None, None)
            .map_err(|f| self.fail(&what, f))?;
        let mut f = p.append(resp.status() != 206).at(part)?;
        self.body_into(&what, resp, &mut f, total - p.have)?;
        let len = crate::http::finish(f).at(part)?;
        if len != total {
            return Err(S3Error::Length {
                remote: self.display.clone(),
                what,
                got: len,
                want: total,
            }
            .into());
        }
        Ok(())
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
