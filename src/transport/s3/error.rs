//! Why an object-store remote refused or failed.
#![warn(missing_docs)]

use crate::http::BodyError;

/// Why an object-store remote refused or failed; each message is the one
/// users see. `remote` is the client's `display` (the remote's name and
/// URL); `what` the request (`GET objects/info/refs`).
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    /// The remote URL does not start with s3://.
    #[error("bad remote URL '{url}': not s3://")]
    NotS3 {
        /// The URL given.
        url: String,
    },
    /// The bucket name in the remote URL is not a valid bucket name.
    #[error("bad remote URL '{url}': a bucket name is 3-63 of [a-z0-9.-]")]
    BadBucket {
        /// The URL given.
        url: String,
    },
    /// A component of the key prefix in the remote URL is not allowed.
    #[error("bad remote URL '{url}': bad prefix component '{component}'")]
    BadPrefix {
        /// The URL given.
        url: String,
        /// The refused component.
        component: String,
    },
    /// The remote's `s3pathstyle` setting is not a boolean.
    #[error("{at}remote.{remote}.s3pathstyle: '{value}' is not a boolean")]
    NotBoolean {
        /// Where the value is (`FILE:LINE: `), or empty.
        at: String,
        /// The remote's name.
        remote: String,
        /// The value given.
        value: String,
    },
    /// The remote's `s3partsize` setting is not a size from 5m to 5g.
    #[error("{at}remote.{remote}.s3partsize: '{value}' is not a size from 5m to 5g")]
    BadPartSize {
        /// Where the value is (`FILE:LINE: `), or empty.
        at: String,
        /// The remote's name.
        remote: String,
        /// The value given.
        value: String,
    },
    /// The configured S3 endpoint is not a usable URL.
    #[error("bad S3 endpoint '{endpoint}': {why}")]
    BadEndpoint {
        /// The endpoint given.
        endpoint: String,
        /// What is wrong.
        why: String,
    },
    /// The store's error answer (after the retries of `crate::http`).
    #[error("{remote}: {what}: {}{}", status_code(*.status, .code), message_tail(.message))]
    Refused {
        /// The remote's display name and URL.
        remote: String,
        /// The request, as `METHOD key`.
        what: String,
        /// The HTTP status code.
        status: u16,
        /// The store's error code (empty if none).
        code: String,
        /// The store's error message (empty if none).
        message: String,
    },
    /// The request got no HTTP answer (connection or TLS failure).
    #[error("{remote}: {what}: cannot reach the store: {reason}")]
    Unreachable {
        /// The remote's display name and URL.
        remote: String,
        /// The request, as `METHOD key`.
        what: String,
        /// Why the request failed.
        reason: String,
    },
    /// The local file to upload could not be read.
    #[error("{remote}: {what}: {why}")]
    Upload {
        /// The remote's display name and URL.
        remote: String,
        /// The request, as `METHOD key`.
        what: String,
        /// What is wrong.
        why: String,
    },
    /// The body of an answer could not be read.
    #[error("{remote}: {what}: {err}")]
    Body {
        /// The remote's display name and URL.
        remote: String,
        /// The request, as `METHOD key`.
        what: String,
        /// The underlying error.
        err: BodyError,
    },
    /// A downloaded body could not be written locally.
    #[error("{remote}: {what}: cannot store it: {err}")]
    Store {
        /// The remote's display name and URL.
        remote: String,
        /// The request, as `METHOD key`.
        what: String,
        /// The underlying error.
        err: std::io::Error,
    },
    /// A range answer (206) holds fewer bytes than the range asked for.
    #[error("{remote}: {what}: got {got} bytes")]
    ShortRange {
        /// The remote's display name and URL.
        remote: String,
        /// The request, as `METHOD key`.
        what: String,
        /// Bytes received.
        got: u64,
    },
    /// A whole-object answer (200 to a range request) ends before the range asked for.
    #[error("{remote}: {what}: object too short")]
    TooShort {
        /// The remote's display name and URL.
        remote: String,
        /// The request, as `METHOD key`.
        what: String,
    },
    /// An object has another length than the one expected.
    #[error("{remote}: {what}: {got} bytes, expected {want}")]
    Length {
        /// The remote's display name and URL.
        remote: String,
        /// The request, as `METHOD key`.
        what: String,
        /// Bytes received.
        got: u64,
        /// Bytes expected.
        want: u64,
    },
    /// A 200 answer does not parse.
    #[error("{remote}: {what}: bad answer: {why}")]
    BadAnswer {
        /// The remote's display name and URL.
        remote: String,
        /// The request, as `METHOD key`.
        what: String,
        /// What is wrong.
        why: String,
    },
    /// An upload's answer carries no ETag.
    #[error("{remote}: {what}: no ETag in the answer")]
    NoEtag {
        /// The remote's display name and URL.
        remote: String,
        /// The request, as `METHOD key`.
        what: String,
    },
    /// An error inside a 200 answer (DeleteObjects, CompleteMultipartUpload).
    #[error("{remote}: {what}: {code}: {message}")]
    ErrorInAnswer {
        /// The remote's display name and URL.
        remote: String,
        /// The request, as `METHOD key`.
        what: String,
        /// The store's error code.
        code: String,
        /// The store's error message.
        message: String,
    },
    /// A file the remote must have is not in the bucket.
    #[error("{remote}: GET {path}: NoSuchKey (HTTP 404)")]
    NoSuchKey {
        /// The remote's display name and URL.
        remote: String,
        /// The key, relative to the remote's prefix.
        path: String,
    },
    /// An upload would need more parts than S3 allows.
    #[error("{remote}: PUT {path}: more than 65535 parts")]
    TooManyParts {
        /// The remote's display name and URL.
        remote: String,
        /// The key, relative to the remote's prefix.
        path: String,
    },
    /// The prefix holds no hako remote (its marker key is missing).
    #[error("{remote}: not a hako remote (no {marker})")]
    NotHakoRemote {
        /// The remote's display name and URL.
        remote: String,
        /// The marker key looked for.
        marker: &'static str,
    },
    /// The prefix holds a key that is not part of a hako remote.
    #[error("{remote}: the prefix holds something else than a hako remote (key '{key}')")]
    Foreign {
        /// The remote's display name and URL.
        remote: String,
        /// The foreign key.
        key: String,
    },
    /// A pack key's name is not `pack-<checksum>`.
    #[error("{remote}: bad pack name '{stem}'")]
    BadPackName {
        /// The remote's display name and URL.
        remote: String,
        /// The pack's name, without its extension.
        stem: String,
    },
    /// A grace period given for gc cannot be parsed.
    #[error("bad grace '{0}' (seconds, or a number with s, m, h or d: 24h)")]
    BadGrace(String),
    /// An atomic push was asked for, which an object store cannot do.
    #[error("{remote}: --atomic is refused: the object store has no multi-key transaction (each ref is its own key)")]
    NoAtomic {
        /// The remote's display name and URL.
        remote: String,
    },
    /// The push took too long between uploading its pack and writing its refs.
    #[error("{remote}: the push ran longer than {secs} s before writing its refs; run it again")]
    PushTooLong {
        /// The remote's display name and URL.
        remote: String,
        /// The limit, in seconds.
        secs: u64,
    },
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
