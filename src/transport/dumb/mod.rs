//! Dumb HTTP mirrors (format-spec/dumb-http.md): the static files
//! (`files`), what writes them (`publish`, `update-server-info`), HTTP
//! (`http`) and the client's object walk (`fetch`), with the client's
//! entry points `http_refs` and `http_fetch`.

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
    #[error("{url}: not an http:// or https:// URL")]
    NotHttp { url: String },
    /// An error status, after the retries of `crate::http`.
    #[error("{url}: HTTP {code} {text}")]
    Status {
        url: String,
        code: u16,
        text: String,
    },
    #[error("{url}: cannot fetch: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url}: {err}")]
    Body {
        url: String,
        err: crate::http::BodyError,
    },
    #[error("{url}: truncated body: {got} of {want} bytes")]
    Truncated { url: String, got: u64, want: u64 },
    #[error("{url}: {got} bytes, expected {want}")]
    Length { url: String, got: u64, want: u64 },
    #[error("{url}: range {start}-{end}: got {got} bytes")]
    RangeLength {
        url: String,
        start: u64,
        end: u64,
        got: u64,
    },
    #[error("{url}: HTTP {code} for a range request")]
    RangeStatus { url: String, code: u16 },
    #[error("{url}: unexpected HTTP {code}")]
    UnexpectedStatus { url: String, code: u16 },
    #[error("{url}: Content-Range '{got}', expected '{expected}' (has the file changed?)")]
    RangeMismatch {
        url: String,
        got: String,
        expected: String,
    },
    #[error("{url}: 206 without Content-Range")]
    NoContentRange { url: String },
    #[error("{url}: bad Content-Range '{header}'")]
    BadContentRange { url: String, header: String },
    #[error("{url}: Content-Range '{header}': the file is not {total} bytes (has it changed?)")]
    FileChanged {
        url: String,
        header: String,
        total: u64,
    },
    #[error("{url}: 206 body does not match its Content-Range")]
    RangeBodyMismatch { url: String },
    #[error("{url}: range {start}-{last} missing from the answer")]
    RangeMissing { url: String, start: u64, last: u64 },
    #[error("{url}: multipart answer without a boundary")]
    NoBoundary { url: String },
    #[error("{url}: bad multipart answer: {why}")]
    BadMultipart { url: String, why: &'static str },
    #[error("{url}: HTTP 404 Not Found (not a hako mirror: run 'hako update-server-info' there)")]
    NotMirror { url: String },
    #[error("{url}: not a hako mirror (info/refs does not start with '{REFS_VERSION_LINE}')")]
    NotHakoMirror { url: String },
    #[error("{url}: {file} is not UTF-8")]
    NotUtf8 { url: String, file: &'static str },
    #[error("{url}: bad {file} line {line}: {why}")]
    BadLine {
        url: String,
        file: &'static str,
        line: usize,
        why: String,
    },
    #[error("{url}: bad pack index: {why}")]
    BadIndex { url: String, why: String },
    #[error("{url}: {got} bytes, objects/info/packs says {listed}")]
    IndexSize { url: String, got: u64, listed: u64 },
    /// A pack downloaded whole (from `url`, or the cached file) that is not
    /// the pack the mirror lists.
    #[error("{url}: {defect}")]
    BadPack { url: String, defect: PackDefect },
    #[error("{url}: {why}")]
    BadRecord { url: String, why: String },
    #[error("{url}: object {id} (bytes {start}-{end}): {why}")]
    BadObject {
        url: String,
        id: ObjectId,
        start: u64,
        end: u64,
        why: String,
    },
    #[error("{base}: object {id} is not in any pack of the mirror (is it incomplete?)")]
    NotInMirror { base: String, id: ObjectId },
    #[error("{base}: object {id}: the index says its record has {len} bytes, over the limit of one object")]
    RecordTooLarge {
        base: String,
        id: ObjectId,
        len: u64,
    },
    #[error("{pack}: delta base {base} of {id} is neither local nor in the mirror")]
    MissingBase {
        pack: String,
        base: ObjectId,
        id: ObjectId,
    },
    #[error("{pack}: delta chain of {id} does not resolve (a cycle?)")]
    DeltaCycle { pack: String, id: ObjectId },
    #[error("{base}: {kind} {id}: {why}")]
    BadNames {
        base: String,
        kind: &'static str,
        id: ObjectId,
        why: String,
    },
    #[error("{base}: {id} is a {kind}, not a {want}")]
    WrongKind {
        base: String,
        id: ObjectId,
        kind: crate::object::ObjectType,
        want: &'static str,
    },
    #[error("{base}: tree {id} nests directories deeper than the limit of {limit}")]
    TooDeep {
        base: String,
        id: ObjectId,
        limit: usize,
    },
    #[error("{url}: {count} objects could not be completed")]
    Incomplete { url: String, count: usize },
    #[error("another http fetch is running in this workspace ({} is held)", .0.display())]
    FetchRunning(std::path::PathBuf),
    #[error("{base}: stopped by {var} after {objects} objects")]
    Stopped {
        base: String,
        var: &'static str,
        objects: u64,
    },
}

/// What is wrong with a pack downloaded whole.
#[derive(Debug, thiserror::Error)]
pub enum PackDefect {
    #[error("{0} bytes or a bad header")]
    Size(usize),
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
