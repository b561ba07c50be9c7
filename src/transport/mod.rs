//! The sync protocol (format-spec/protocol.md): packet framing and side-band
//! (`pkt`). The engine side only: nothing here parses arguments or prints.

pub mod pkt;
