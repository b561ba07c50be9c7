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
