//! Why an object-store remote refused or failed.

use crate::http::BodyError;

/// Why an object-store remote refused or failed; each message is the one
/// users see. `remote` is the client's `display` (the remote's name and
/// URL); `what` the request (`GET objects/info/refs`).
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("bad remote URL '{url}': not s3://")]
    NotS3 { url: String },
    #[error("bad remote URL '{url}': a bucket name is 3-63 of [a-z0-9.-]")]
    BadBucket { url: String },
    #[error("bad remote URL '{url}': bad prefix component '{component}'")]
    BadPrefix { url: String, component: String },
    /// `at`: where the value is (`FILE:LINE: `), or "".
    #[error("{at}remote.{remote}.s3pathstyle: '{value}' is not a boolean")]
    NotBoolean {
        at: String,
        remote: String,
        value: String,
    },
    #[error("{at}remote.{remote}.s3partsize: '{value}' is not a size from 5m to 5g")]
    BadPartSize {
        at: String,
        remote: String,
        value: String,
    },
    #[error("bad S3 endpoint '{endpoint}': {why}")]
    BadEndpoint { endpoint: String, why: String },
    /// The store's error answer (after the retries of `crate::http`).
    #[error("{remote}: {what}: {}{}", status_code(*.status, .code), message_tail(.message))]
    Refused {
        remote: String,
        what: String,
        status: u16,
        code: String,
        message: String,
    },
    #[error("{remote}: {what}: cannot reach the store: {reason}")]
    Unreachable {
        remote: String,
        what: String,
        reason: String,
    },
    /// The local file to upload could not be read.
    #[error("{remote}: {what}: {why}")]
    Upload {
        remote: String,
        what: String,
        why: String,
    },
    #[error("{remote}: {what}: {err}")]
    Body {
        remote: String,
        what: String,
        err: BodyError,
    },
    #[error("{remote}: {what}: cannot store it: {err}")]
    Store {
        remote: String,
        what: String,
        err: std::io::Error,
    },
    #[error("{remote}: {what}: got {got} bytes")]
    ShortRange {
        remote: String,
        what: String,
        got: u64,
    },
    #[error("{remote}: {what}: object too short")]
    TooShort { remote: String, what: String },
    #[error("{remote}: {what}: {got} bytes, expected {want}")]
    Length {
        remote: String,
        what: String,
        got: u64,
        want: u64,
    },
    #[error("{remote}: {what}: bad answer: {why}")]
    BadAnswer {
        remote: String,
        what: String,
        why: String,
    },
    #[error("{remote}: {what}: no ETag in the answer")]
    NoEtag { remote: String, what: String },
    /// An error inside a 200 answer (DeleteObjects, CompleteMultipartUpload).
    #[error("{remote}: {what}: {code}: {message}")]
    ErrorInAnswer {
        remote: String,
        what: String,
        code: String,
        message: String,
    },
    #[error("{remote}: GET {path}: NoSuchKey (HTTP 404)")]
    NoSuchKey { remote: String, path: String },
    #[error("{remote}: PUT {path}: more than 65535 parts")]
    TooManyParts { remote: String, path: String },
    #[error("{remote}: not a hako remote (no {marker})")]
    NotHakoRemote {
        remote: String,
        marker: &'static str,
    },
    #[error("{remote}: the prefix holds something else than a hako remote (key '{key}')")]
    Foreign { remote: String, key: String },
    #[error("{remote}: bad pack name '{stem}'")]
    BadPackName { remote: String, stem: String },
    #[error("bad grace '{0}' (seconds, or a number with s, m, h or d: 24h)")]
    BadGrace(String),
    #[error("{remote}: --atomic is refused: the object store has no multi-key transaction (each ref is its own key)")]
    NoAtomic { remote: String },
    #[error("{remote}: the push ran longer than {secs} s before writing its refs; run it again")]
    PushTooLong { remote: String, secs: u64 },
}

/// `SlowDown (HTTP 503)`, or `HTTP 503` for an answer without a code.
fn status_code(status: u16, code: &str) -> String {
    if code.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("{code} (HTTP {status})")
    }
}

/// `: MESSAGE`, or nothing.
fn message_tail(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}
