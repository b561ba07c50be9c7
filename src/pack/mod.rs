//! Packs for transfer: choosing what to send (`select`), writing it as a
//! (thin) pack stream with deltas (`write`), and turning a received stream
//! into a stored pack (`ingest`). The pack format itself is `store::pack`.

pub mod compact;
pub mod ingest;
pub mod quarantine;
pub mod select;
pub mod write;
