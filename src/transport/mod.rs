//! The sync protocol (format-spec/protocol.md): packet framing and side-band
//! (`pkt`), the ref advertisement (`advertise`); dumb-HTTP mirrors
//! (format-spec/dumb-http.md: `dumb/`);
//! remotes in an S3 bucket (format-spec/object-store.md: `s3`, `s3_remote`).
//! The engine side only: nothing here parses arguments or prints.

pub mod advertise;
pub mod connect;
pub mod dumb;
pub mod error;
pub mod fetch;
pub mod limits;
pub mod pkt;
pub mod push;
pub mod receive;
pub mod s3;
pub mod s3_gc;
pub mod s3_remote;
pub mod send;
pub mod sync;
pub mod upload;

pub use error::TransportError;

/// The capability of the compact pack stream (protocol.md section 5).
pub const COMPACT_PACK: &str = "compact-pack";

/// Whether this workspace offers and asks for `compact-pack`
/// (`transfer.compactPack`, default true; layout.md).
pub fn compact_pack_enabled(config: &crate::workspace::Config) -> bool {
    config.get_bool("transfer.compactpack").unwrap_or(true)
}

/// What a transfer reports while it runs (the caller decides how to show it).
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// Progress text from the remote (side-band channel 2).
    Remote(&'a [u8]),
    /// Pack bytes received so far.
    Received(u64),
    /// Pack bytes sent so far.
    Sent(u64),
}

/// A reader or writer that reports the running total of bytes moved.
pub use crate::http::Counting;
