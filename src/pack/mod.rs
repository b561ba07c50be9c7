//! Packs for transfer: choosing what to send (`select`), writing it as a
//! (thin) pack stream with deltas (`write`) or as the wire's compact stream
//! (`compact`, pack version 3), and turning a received stream into a stored
//! pack (`ingest`). The pack format itself is `store::pack`.
#![warn(missing_docs)]

use crate::object::ObjectType;
use crate::oid::ObjectId;

pub mod compact;
pub mod ingest;
pub mod quarantine;
pub mod select;
pub mod write;

/// One record of a received pack as decoded (and, for a compact stream, as
/// rewritten for the stored pack).
pub(crate) struct Seen {
    pub(crate) id: ObjectId,
    pub(crate) offset: u64,
    pub(crate) len: u64,
    pub(crate) size: u64,
    pub(crate) depth: usize,
}

/// Called with every decoded object of a pack.
pub(crate) type ObjectVisitor<'a> =
    dyn FnMut(&Seen, ObjectType, &[u8]) -> crate::error::Result<()> + 'a;
