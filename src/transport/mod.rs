//! The sync protocol (format-spec/protocol.md): packet framing and side-band
//! (`pkt`), the ref advertisement (`advertise`). The engine side only:
//! nothing here parses arguments or prints.

pub mod advertise;
pub mod connect;
pub mod fetch;
pub mod pkt;
pub mod receive;
pub mod send;
pub mod sync;
pub mod upload;
