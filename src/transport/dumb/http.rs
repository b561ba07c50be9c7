//! The HTTP side of the dumb-HTTP client (format-spec/dumb-http.md): plain
//! GETs, range GETs and resumable whole-file downloads, each checked for
//! status and length, counted (requests, body bytes), retried under the
//! policy of `crate::http`. Errors name the URL.
#![warn(missing_docs)]

use std::io::Write;
use std::path::Path;

use super::DumbError;
use crate::error::{IoContext, Result};
use crate::http::{Backoff, HttpError, Part};
use crate::transport::advertise::AdvertisedRef;

/// What the dumb object walk (`fetch`) reads a mirror's files with:
/// plain HTTP (`HttpClient`) or an object store's API (`s3::S3Mirror`).
pub trait MirrorReader: Send + Sync {
    /// The mirror's URL (for messages), without a trailing slash.
    fn base(&self) -> &str;
    /// The URL of `path` under the mirror (for messages).
    fn url(&self, path: &str) -> String;
    /// A mirror file (`objects/info/packs`), at most `MAX_MIRROR_FILE` bytes.
    fn mirror_file(&mut self, path: &str) -> Result<Vec<u8>>;
    /// A whole file (an index).
    fn get(&mut self, path: &str) -> Result<Vec<u8>>;
    /// A pack index; `None` when the mirror may drop packs it listed
    /// (an object store's gc) and this one is gone.
    fn get_index(&mut self, path: &str) -> Result<Option<Vec<u8>>> {
        self.get(path).map(Some)
    }
    /// Byte ranges `start..end` of `path` (a file of `total` bytes), in order.
    fn get_ranges(&mut self, path: &str, spans: &[(u64, u64)], total: u64) -> Result<Vec<Vec<u8>>>;
    /// `path` (`total` bytes) into `part`, continuing a partial file.
    fn download(&mut self, path: &str, part: &Path, total: u64) -> Result<()>;
    /// (requests made, body bytes received).
    fn counts(&self) -> (u64, u64);
    /// Also count body bytes into `counter` as they arrive.
    fn set_counter(&mut self, counter: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>);
}

impl MirrorReader for HttpClient {
    fn base(&self) -> &str {
        &self.base
    }
    fn url(&self, path: &str) -> String {
        HttpClient::url(self, path)
    }
    fn mirror_file(&mut self, path: &str) -> Result<Vec<u8>> {
        HttpClient::mirror_file(self, path)
    }
    fn get(&mut self, path: &str) -> Result<Vec<u8>> {
        HttpClient::get(self, path)
    }
    fn get_ranges(&mut self, path: &str, spans: &[(u64, u64)], total: u64) -> Result<Vec<Vec<u8>>> {
        HttpClient::get_ranges(self, path, spans, total)
    }
    fn download(&mut self, path: &str, part: &Path, total: u64) -> Result<()> {
        HttpClient::download(self, path, part, total)
    }
    fn counts(&self) -> (u64, u64) {
        (self.gets, self.bytes)
    }
    fn set_counter(&mut self, counter: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>) {
        self.counter = counter;
    }
}

/// A client of one mirror.
pub struct HttpClient {
    agent: crate::http::Agent,
    /// Also counts body bytes as they arrive, for a progress display
    /// polled by another thread.
    pub counter: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
    /// The mirror URL, without a trailing slash.
    pub base: String,
    /// GET requests made.
    pub gets: u64,
    /// Body bytes received.
    pub bytes: u64,
}

/// The largest `info/refs` or `objects/info/packs` a client reads
/// (dumb-http.md): a mirror that sends more is refused, not buffered.
pub const MAX_MIRROR_FILE: u64 = 64 << 20;

impl HttpClient {
    /// A client for the mirror at `url`; fails unless it is http:// or https://.
    pub fn new(url: &str) -> Result<HttpClient> {
        if !super::files::is_http_url(url) {
            return Err(DumbError::NotHttp { url: url.into() }.into());
        }
        let agent = crate::http::agent();
        Ok(HttpClient {
            agent,
            counter: None,
            base: url.trim_end_matches('/').to_string(),
            gets: 0,
            bytes: 0,
        })
    }

    /// The URL of `path` under the mirror.
    pub fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }

    /// One request, retried under the policy of `crate::http`; `None`
    /// for a 404 when `allow_404`.
    fn call(
        &mut self,
        url: &str,
        range: Option<String>,
        allow_404: bool,
    ) -> Result<Option<ureq::Response>, DumbError> {
        let headers: Vec<(&str, &str)> = range.iter().map(|r| ("Range", r.as_str())).collect();
        let mut backoff = Backoff::new();
        loop {
            self.gets += 1;
            match crate::http::get(&self.agent, url, &headers) {
                Ok(resp) => return Ok(Some(resp)),
                Err(HttpError::Status { code: 404, .. }) if allow_404 => return Ok(None),
                Err(e) if e.transient() && backoff.again(e.retry_after()) => {}
                Err(HttpError::Status { code, response, .. }) => {
                    return Err(DumbError::Status {
                        url: url.into(),
                        code,
                        text: response.status_text().into(),
                    })
                }
                Err(e) => {
                    return Err(DumbError::Unreachable {
                        url: url.into(),
                        reason: e.reason(),
                    })
                }
            }
        }
    }

    /// One request whose answer must be there (a 404 is an error).
    fn call_found(
        &mut self,
        url: &str,
        range: Option<String>,
    ) -> Result<ureq::Response, DumbError> {
        Ok(self.call(url, range, false)?.expect("404 is an error"))
    }

    /// Read a response body into `out`, checking it against Content-Length;
    /// a body longer than `max` bytes is refused as soon as it passes it.
    fn body_into(
        &mut self,
        url: &str,
        resp: ureq::Response,
        out: &mut dyn Write,
        max: u64,
    ) -> Result<u64, DumbError> {
        let want: Option<u64> = resp
            .header("Content-Length")
            .and_then(|s| s.trim().parse().ok());
        let counter = self.counter.clone();
        let bytes = &mut self.bytes;
        let got = crate::http::copy_body(&mut resp.into_reader(), out, max, &mut |n| {
            *bytes += n;
            if let Some(c) = &counter {
                c.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            }
        })
        .map_err(|err| DumbError::Body {
            url: url.into(),
            err,
        })?;
        if let Some(w) = want {
            if w != got {
                return Err(DumbError::Truncated {
                    url: url.into(),
                    got,
                    want: w,
                });
            }
        }
        Ok(got)
    }

    /// GET a whole file.
    pub fn get(&mut self, path: &str) -> Result<Vec<u8>> {
        let url = self.url(path);
        let resp = self.call_found(&url, None)?;
        let mut v = Vec::new();
        self.body_into(&url, resp, &mut v, MAX_MIRROR_FILE)?;
        Ok(v)
    }

    /// GET a whole file; `None` if it is not there (404).
    pub fn get_opt(&mut self, path: &str) -> Result<Option<Vec<u8>>> {
        let url = self.url(path);
        let Some(resp) = self.call(&url, None, true)? else {
            return Ok(None);
        };
        let mut v = Vec::new();
        self.body_into(&url, resp, &mut v, MAX_MIRROR_FILE)?;
        Ok(Some(v))
    }

    /// GET bytes `start..end` of `path`, a file of `total` bytes.
    pub fn get_range(&mut self, path: &str, start: u64, end: u64, total: u64) -> Result<Vec<u8>> {
        let url = self.url(path);
        let resp = self.call_found(&url, Some(format!("bytes={start}-{}", end - 1)))?;
        let mut v = Vec::with_capacity((end - start).min(1 << 20) as usize);
        match resp.status() {
            206 => {
                check_content_range(&url, resp.header("Content-Range"), start, end, total)?;
                self.body_into(&url, resp, &mut v, end - start)?;
                if v.len() as u64 != end - start {
                    return Err(DumbError::RangeLength {
                        url,
                        start,
                        end,
                        got: v.len() as u64,
                    }
                    .into());
                }
                Ok(v)
            }
            200 => {
                // The server ignored Range: take the slice of the whole file.
                self.body_into(&url, resp, &mut v, total)?;
                if v.len() as u64 != total {
                    return Err(DumbError::Length {
                        url,
                        got: v.len() as u64,
                        want: total,
                    }
                    .into());
                }
                Ok(v[start as usize..end as usize].to_vec())
            }
            code => Err(DumbError::RangeStatus { url, code }.into()),
        }
    }

    /// GET several byte ranges `start..end` of `path` (a file of `total`
    /// bytes) in one request; returns each range's bytes, in order. The
    /// answer may be multipart/byteranges, one range, or the whole file.
    pub fn get_ranges(
        &mut self,
        path: &str,
        spans: &[(u64, u64)],
        total: u64,
    ) -> Result<Vec<Vec<u8>>> {
        if spans.len() == 1 {
            let (s, e) = spans[0];
            return Ok(vec![self.get_range(path, s, e, total)?]);
        }
        let url = self.url(path);
        let header = spans
            .iter()
            .map(|(s, e)| format!("{s}-{}", e - 1))
            .collect::<Vec<_>>()
            .join(",");
        let resp = self.call_found(&url, Some(format!("bytes={header}")))?;
        let status = resp.status();
        let ctype = resp.header("Content-Type").unwrap_or("").to_string();
        let single = resp.header("Content-Range").map(String::from);
        let mut body = Vec::new();
        // The whole file, or the ranges with their part headers.
        let max = total + 512 * spans.len() as u64 + 4096;
        self.body_into(&url, resp, &mut body, max)?;
        // (offset in the file, bytes) of what came back.
        let parts: Vec<(u64, &[u8])> = match status {
            200 if body.len() as u64 == total => vec![(0, &body[..])],
            200 => {
                return Err(DumbError::Length {
                    url,
                    got: body.len() as u64,
                    want: total,
                }
                .into())
            }
            206 if ctype.starts_with("multipart/byteranges") => {
                parse_multipart(&url, &ctype, &body, total)?
            }
            206 => {
                let (s, e) = parse_content_range(&url, single.as_deref(), total)?;
                if body.len() as u64 != e - s {
                    return Err(DumbError::RangeBodyMismatch { url }.into());
                }
                vec![(s, &body[..])]
            }
            code => return Err(DumbError::RangeStatus { url, code }.into()),
        };
        spans
            .iter()
            .map(|&(s, e)| {
                parts
                    .iter()
                    .find(|(o, b)| *o <= s && e <= *o + b.len() as u64)
                    .map(|(o, b)| b[(s - o) as usize..(e - o) as usize].to_vec())
                    .ok_or_else(|| {
                        DumbError::RangeMissing {
                            url: url.clone(),
                            start: s,
                            last: e - 1,
                        }
                        .into()
                    })
            })
            .collect()
    }

    /// Download `path` (`total` bytes) to `part`, continuing a partial file
    /// from where it stopped, also when the transfer breaks (under the
    /// retry policy of `crate::http`). On success `part` holds exactly
    /// `total` bytes.
    pub fn download(&mut self, path: &str, part: &Path, total: u64) -> Result<()> {
        crate::http::retrying(
            || self.download_rest(path, part, total),
            |e| matches!(e, crate::error::Error::Dumb(DumbError::Body { err, .. }) if err.transient()),
        )
    }

    /// One request of a download: the bytes `part` lacks.
    fn download_rest(&mut self, path: &str, part: &Path, total: u64) -> Result<()> {
        let url = self.url(path);
        let Some(mut p) = Part::open(part, total).at(part)? else {
            return Ok(());
        };
        let resp = self.call_found(&url, p.range())?;
        match resp.status() {
            206 if p.have > 0 => {
                check_content_range(&url, resp.header("Content-Range"), p.have, total, total)?;
            }
            200 => {}
            code => return Err(DumbError::UnexpectedStatus { url, code }.into()),
        }
        let mut f = p.append(resp.status() == 200).at(part)?;
        self.body_into(&url, resp, &mut f, total - p.have)?;
        let len = crate::http::finish(f).at(part)?;
        if len != total {
            return Err(DumbError::Length {
                url,
                got: len,
                want: total,
            }
            .into());
        }
        Ok(())
    }

    /// GET the mirror file `path` (`info/refs` or `objects/info/packs`),
    /// falling back once to `<url>/.hako/<path>` (a server serving the
    /// workspace directory); `base` is then the mirror URL that answered.
    pub fn mirror_file(&mut self, path: &str) -> Result<Vec<u8>> {
        if let Some(b) = self.get_opt(path)? {
            return Ok(b);
        }
        let first = self.url(path);
        let inner = format!("{}/.hako", self.base);
        let saved = std::mem::replace(&mut self.base, inner);
        match self.get_opt(path)? {
            Some(b) => Ok(b),
            None => {
                self.base = saved;
                Err(DumbError::NotMirror { url: first }.into())
            }
        }
    }

    /// Fetch and parse the mirror's `info/refs`.
    pub fn mirror_refs(&mut self) -> Result<Vec<AdvertisedRef>> {
        let body = self.mirror_file("info/refs")?;
        let url = self.url("info/refs");
        super::files::parse_refs_file(&body, &url)
    }
}

/// Check `Content-Range: bytes a-b/total` against what was asked.
fn check_content_range(
    url: &str,
    header: Option<&str>,
    start: u64,
    end: u64,
    total: u64,
) -> Result<(), DumbError> {
    let expected = format!("bytes {start}-{}/{total}", end - 1);
    match header {
        Some(h) if h.trim() == expected => Ok(()),
        Some(h) => Err(DumbError::RangeMismatch {
            url: url.into(),
            got: h.into(),
            expected,
        }),
        None => Err(DumbError::NoContentRange { url: url.into() }),
    }
}

/// `bytes a-b/total` as the range `a..b+1`, checked against `total`.
fn parse_content_range(
    url: &str,
    header: Option<&str>,
    total: u64,
) -> Result<(u64, u64), DumbError> {
    let h = header.ok_or_else(|| DumbError::NoContentRange { url: url.into() })?;
    let bad = || DumbError::BadContentRange {
        url: url.into(),
        header: h.into(),
    };
    let rest = h.trim().strip_prefix("bytes ").ok_or_else(bad)?;
    let (span, t) = rest.split_once('/').ok_or_else(bad)?;
    let (a, b) = span.split_once('-').ok_or_else(bad)?;
    let (a, b): (u64, u64) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    if t != total.to_string() {
        return Err(DumbError::FileChanged {
            url: url.into(),
            header: h.into(),
            total,
        });
    }
    if a > b || b >= total {
        return Err(bad());
    }
    Ok((a, b + 1))
}

/// The parts of a multipart/byteranges body: (offset in the file, bytes).
fn parse_multipart<'b>(
    url: &str,
    ctype: &str,
    body: &'b [u8],
    total: u64,
) -> Result<Vec<(u64, &'b [u8])>, DumbError> {
    let boundary = ctype
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"'))
        .filter(|b| !b.is_empty())
        .ok_or_else(|| DumbError::NoBoundary { url: url.into() })?;
    let delim = format!("--{boundary}");
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..)
            .and_then(|h| h.windows(needle.len()).position(|w| w == needle))
            .map(|p| p + from)
    };
    let bad = |why: &'static str| DumbError::BadMultipart {
        url: url.into(),
        why,
    };
    let mut parts = Vec::new();
    let mut pos = 0;
    loop {
        let at = find(body, delim.as_bytes(), pos).ok_or_else(|| bad("no closing boundary"))?;
        let after = at + delim.len();
        if body.get(after..after + 2) == Some(b"--") {
            break;
        }
        let head_end = find(body, b"\r\n\r\n", after).ok_or_else(|| bad("truncated headers"))?;
        let head = std::str::from_utf8(&body[after..head_end]).map_err(|_| bad("headers"))?;
        let cr = head
            .split("\r\n")
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-range"))
            .map(|(_, v)| v.trim());
        let (s, e) = parse_content_range(url, cr, total)?;
        let start = head_end + 4;
        let end = start + (e - s) as usize;
        let data = body.get(start..end).ok_or_else(|| bad("truncated part"))?;
        parts.push((s, data));
        pos = end;
    }
    Ok(parts)
}

/// The range-response parsers on untrusted headers and body, for the fuzz
/// target (src/fuzzing.rs): `total` as a small file and as the largest a
/// hostile `objects/info/packs` may declare.
#[doc(hidden)]
pub fn fuzz_responses(url: &str, range: &str, ctype: &str, body: &[u8]) {
    for total in [body.len() as u64, u64::MAX] {
        if let Ok((a, b)) = parse_content_range(url, Some(range), total) {
            let _ = check_content_range(url, Some(range), a, b, total);
        }
        let _ = parse_multipart(url, ctype, body, total);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_byteranges_are_split_by_their_content_ranges() {
        let body = b"\r\n--XYZ\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 2-4/10\r\n\r\ncde\r\n--XYZ\r\ncontent-range: bytes 7-8/10\r\n\r\nhi\r\n--XYZ--\r\n";
        let parts = parse_multipart("U", "multipart/byteranges; boundary=XYZ", body, 10).unwrap();
        assert_eq!(parts, vec![(2, &b"cde"[..]), (7, &b"hi"[..])]);
        let e = parse_multipart("U", "multipart/byteranges; boundary=XYZ", body, 11)
            .unwrap_err()
            .to_string();
        assert!(e.contains("has it changed?"), "{e}");
        let cut = &body[..body.len() - 20];
        assert!(parse_multipart("U", "multipart/byteranges; boundary=XYZ", cut, 10).is_err());
        assert!(parse_multipart("U", "multipart/byteranges", body, 10).is_err());
    }

    #[test]
    fn content_ranges_are_checked() {
        assert_eq!(
            parse_content_range("U", Some("bytes 0-9/10"), 10).unwrap(),
            (0, 10)
        );
        assert!(parse_content_range("U", Some("bytes 5-10/10"), 10).is_err());
        assert!(parse_content_range("U", Some("bytes 5-4/10"), 10).is_err());
        assert!(parse_content_range("U", Some("items 0-1/10"), 10).is_err());
        assert!(parse_content_range("U", None, 10).is_err());
    }
}
