//! Dumb HTTP mirrors (format-spec/dumb-http.md): the static files
//! (`files`), what writes them (`publish`, `update-server-info`), HTTP
//! (`http`) and the client's object walk (`fetch`), with the client's
//! entry points `http_refs` and `http_fetch`.
#![warn(missing_docs)]

pub mod fetch;
pub mod files;
pub mod http;
pub mod publish;

use crate::error::Result;
use crate::oid::ObjectId;
use crate::store::Odb;
use crate::transport::advertise::AdvertisedRef;

pub use fetch::DumbFetchStats;
pub use files::{
    cache_dir, is_http_url, packs_file, parse_packs_file, parse_refs_file, refs_file, PackEntry,
    REFS_VERSION_LINE,
};
pub use publish::{update_server_info, ServerInfo};

/// Why a dumb-HTTP fetch failed; each message names the URL (or file) and
/// is the one users see.
#[derive(Debug, thiserror::Error)]
pub enum DumbError {
    /// The remote URL does not use http:// or https://.
    #[error("{url}: not an http:// or https:// URL")]
    NotHttp {
        /// The URL given.
        url: String,
    },
    /// An error status, after the retries of `crate::http`.
    #[error("{url}: HTTP {code} {text}")]
    Status {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        code: u16,
        /// The status text.
        text: String,
    },
    /// The request got no HTTP answer at all (connection or TLS failure).
    #[error("{url}: cannot fetch: {reason}")]
    Unreachable {
        /// The URL requested.
        url: String,
        /// Why the request failed.
        reason: String,
    },
    /// The body of an answer could not be read.
    #[error("{url}: {err}")]
    Body {
        /// The URL requested.
        url: String,
        /// What went wrong reading the body.
        err: crate::http::BodyError,
    },
    /// The body ended before the length the server announced.
    #[error("{url}: truncated body: {got} of {want} bytes")]
    Truncated {
        /// The URL requested.
        url: String,
        /// Bytes received.
        got: u64,
        /// Bytes announced.
        want: u64,
    },
    /// A file has another length than the one expected.
    #[error("{url}: {got} bytes, expected {want}")]
    Length {
        /// The URL requested.
        url: String,
        /// Bytes received.
        got: u64,
        /// Bytes expected.
        want: u64,
    },
    /// A range answer has another length than the range asked for.
    #[error("{url}: range {start}-{end}: got {got} bytes")]
    RangeLength {
        /// The URL requested.
        url: String,
        /// First byte of the range.
        start: u64,
        /// Last byte of the range.
        end: u64,
        /// Bytes received.
        got: u64,
    },
    /// A range request was answered with a status other than 200 or 206.
    #[error("{url}: HTTP {code} for a range request")]
    RangeStatus {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        code: u16,
    },
    /// The server answered with a status the client does not handle.
    #[error("{url}: unexpected HTTP {code}")]
    UnexpectedStatus {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        code: u16,
    },
    /// The Content-Range of the answer is not the range asked for.
    #[error("{url}: Content-Range '{got}', expected '{expected}' (has the file changed?)")]
    RangeMismatch {
        /// The URL requested.
        url: String,
        /// The Content-Range received.
        got: String,
        /// The Content-Range expected.
        expected: String,
    },
    /// A 206 answer has no Content-Range header.
    #[error("{url}: 206 without Content-Range")]
    NoContentRange {
        /// The URL requested.
        url: String,
    },
    /// The Content-Range header cannot be parsed.
    #[error("{url}: bad Content-Range '{header}'")]
    BadContentRange {
        /// The URL requested.
        url: String,
        /// The header's value.
        header: String,
    },
    /// The total size in Content-Range differs from the file's known size.
    #[error("{url}: Content-Range '{header}': the file is not {total} bytes (has it changed?)")]
    FileChanged {
        /// The URL requested.
        url: String,
        /// The header's value.
        header: String,
        /// The size the file was known to have.
        total: u64,
    },
    /// A 206 body's length does not match its Content-Range.
    #[error("{url}: 206 body does not match its Content-Range")]
    RangeBodyMismatch {
        /// The URL requested.
        url: String,
    },
    /// A multi-range answer lacks one of the ranges asked for.
    #[error("{url}: range {start}-{last} missing from the answer")]
    RangeMissing {
        /// The URL requested.
        url: String,
        /// First byte of the missing range.
        start: u64,
        /// Last byte of the missing range.
        last: u64,
    },
    /// A multipart answer has no boundary in its Content-Type.
    #[error("{url}: multipart answer without a boundary")]
    NoBoundary {
        /// The URL requested.
        url: String,
    },
    /// A multipart answer does not follow the multipart format.
    #[error("{url}: bad multipart answer: {why}")]
    BadMultipart {
        /// The URL requested.
        url: String,
        /// What is wrong.
        why: &'static str,
    },
    /// `info/refs` is not found: the server is not a published mirror.
    #[error("{url}: HTTP 404 Not Found (not a hako mirror: run 'hako update-server-info' there)")]
    NotMirror {
        /// The URL requested.
        url: String,
    },
    /// `info/refs` does not start with hako's version line.
    #[error("{url}: not a hako mirror (info/refs does not start with '{REFS_VERSION_LINE}')")]
    NotHakoMirror {
        /// The URL requested.
        url: String,
    },
    /// A listing file of the mirror is not UTF-8.
    #[error("{url}: {file} is not UTF-8")]
    NotUtf8 {
        /// The URL requested.
        url: String,
        /// Which listing file.
        file: &'static str,
    },
    /// A line of a listing file of the mirror cannot be parsed.
    #[error("{url}: bad {file} line {line}: {why}")]
    BadLine {
        /// The URL requested.
        url: String,
        /// Which listing file.
        file: &'static str,
        /// The line number.
        line: usize,
        /// What is wrong.
        why: String,
    },
    /// A pack index downloaded from the mirror is malformed.
    #[error("{url}: bad pack index: {why}")]
    BadIndex {
        /// The URL of the index.
        url: String,
        /// What is wrong.
        why: String,
    },
    /// A pack index's size differs from the one `objects/info/packs` lists.
    #[error("{url}: {got} bytes, objects/info/packs says {listed}")]
    IndexSize {
        /// The URL of the index.
        url: String,
        /// Bytes received.
        got: u64,
        /// Bytes listed.
        listed: u64,
    },
    /// A pack downloaded whole (from `url`, or the cached file) that is not
    /// the pack the mirror lists.
    #[error("{url}: {defect}")]
    BadPack {
        /// The URL of the pack (or the cached file).
        url: String,
        /// What is wrong with it.
        defect: PackDefect,
    },
    /// A pack record fetched by range cannot be decoded.
    #[error("{url}: {why}")]
    BadRecord {
        /// The URL of the pack.
        url: String,
        /// What is wrong.
        why: String,
    },
    /// An object fetched by range does not verify.
    #[error("{url}: object {id} (bytes {start}-{end}): {why}")]
    BadObject {
        /// The URL of the pack.
        url: String,
        /// The object's id.
        id: ObjectId,
        /// First byte of its record in the pack.
        start: u64,
        /// Last byte of its record in the pack.
        end: u64,
        /// What is wrong.
        why: String,
    },
    /// A wanted object is in no pack index of the mirror.
    #[error("{base}: object {id} is not in any pack of the mirror (is it incomplete?)")]
    NotInMirror {
        /// The mirror's base URL.
        base: String,
        /// The missing object.
        id: ObjectId,
    },
    /// An index entry implies a record bigger than one object may be.
    #[error("{base}: object {id}: the index says its record has {len} bytes, over the limit of one object")]
    RecordTooLarge {
        /// The mirror's base URL.
        base: String,
        /// The object.
        id: ObjectId,
        /// The record's length implied by the index.
        len: u64,
    },
    /// A delta's base is neither in the local store nor in the mirror.
    #[error("{pack}: delta base {base} of {id} is neither local nor in the mirror")]
    MissingBase {
        /// The pack holding the delta.
        pack: String,
        /// The missing base object.
        base: ObjectId,
        /// The delta object.
        id: ObjectId,
    },
    /// Following delta bases never reaches a full object.
    #[error("{pack}: delta chain of {id} does not resolve (a cycle?)")]
    DeltaCycle {
        /// The pack holding the delta.
        pack: String,
        /// The delta object.
        id: ObjectId,
    },
    /// The objects a fetched object refers to cannot be read from it.
    #[error("{base}: {kind} {id}: {why}")]
    BadNames {
        /// The mirror's base URL.
        base: String,
        /// The object's kind.
        kind: &'static str,
        /// The object.
        id: ObjectId,
        /// What is wrong.
        why: String,
    },
    /// An object is of another type than the one that refers to it expects.
    #[error("{base}: {id} is a {kind}, not a {want}")]
    WrongKind {
        /// The mirror's base URL.
        base: String,
        /// The object.
        id: ObjectId,
        /// Its actual type.
        kind: crate::object::ObjectType,
        /// The type expected.
        want: &'static str,
    },
    /// A tree nests deeper than the walk allows.
    #[error("{base}: tree {id} nests directories deeper than the limit of {limit}")]
    TooDeep {
        /// The mirror's base URL.
        base: String,
        /// The tree.
        id: ObjectId,
        /// The depth limit.
        limit: usize,
    },
    /// Some objects could not be fetched after the walk ended.
    #[error("{url}: {count} objects could not be completed")]
    Incomplete {
        /// The mirror's URL.
        url: String,
        /// How many objects are left.
        count: usize,
    },
    /// Another process holds the workspace's fetch lock (the path held).
    #[error("another http fetch is running in this workspace ({} is held)", .0.display())]
    FetchRunning(std::path::PathBuf),
    /// The fetch was stopped on purpose by an environment variable.
    #[error("{base}: stopped by {var} after {objects} objects")]
    Stopped {
        /// The mirror's base URL.
        base: String,
        /// The environment variable that stopped it.
        var: &'static str,
        /// Objects fetched before stopping.
        objects: u64,
    },
}

/// What is wrong with a pack downloaded whole.
#[derive(Debug, thiserror::Error)]
pub enum PackDefect {
    /// The pack is too short or its header is wrong (its size in bytes).
    #[error("{0} bytes or a bad header")]
    Size(usize),
    /// The pack's trailing checksum does not match its content.
    #[error("pack checksum mismatch")]
    Checksum,
}

/// The refs of the mirror at `url` (`http://` or `https://`).
pub fn http_refs(url: &str) -> Result<Vec<AdvertisedRef>> {
    let mut http = http::HttpClient::new(url)?;
    http.mirror_refs()
}

/// Make every object reachable from `wants` present and verified in `odb`,
/// downloading only what it lacks from the mirror at `url`. Never moves a
/// ref. `progress` receives one-line status messages; `received`, if
/// given, counts body bytes as they arrive (for a display polling it).
pub fn http_fetch(
    odb: &Odb,
    url: &str,
    wants: &[ObjectId],
    progress: &mut dyn FnMut(&str),
    received: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
) -> Result<DumbFetchStats> {
    fetch::fetch(odb, url, wants, progress, received)
}
