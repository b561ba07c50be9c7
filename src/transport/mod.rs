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

/// The pack bytes a transfer moves, as a phase of `progress` counted in
/// bytes with no total ("Receiving pack"): begun at the first byte, so a
/// transfer that moves none shows none, and ended when dropped, so it ends
/// whether the transfer succeeded or not.
pub(crate) struct PackBytes<'p> {
    progress: &'p dyn crate::progress::Progress,
    what: &'static str,
    shown: u64,
}

impl<'p> PackBytes<'p> {
    pub(crate) fn new(progress: &'p dyn crate::progress::Progress, what: &'static str) -> Self {
        PackBytes {
            progress,
            what,
            shown: 0,
        }
    }

    /// `total` bytes moved so far.
    pub(crate) fn at(&mut self, total: u64) {
        if total <= self.shown {
            return;
        }
        if self.shown == 0 {
            let bytes = crate::progress::Unit::Bytes;
            self.progress.begin(self.what, None, bytes);
        }
        self.progress.advance(total - self.shown);
        self.shown = total;
    }
}

impl Drop for PackBytes<'_> {
    fn drop(&mut self) {
        if self.shown > 0 {
            self.progress.end();
        }
    }
}

/// A reader or writer that reports the running total of bytes moved.
pub use crate::http::Counting;
