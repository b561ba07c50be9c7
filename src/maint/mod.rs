//! Maintenance: what is reachable (`reach`), checking a store (`fsck`), and
//! collecting garbage (`gc`: repack, prune, reflog expiry, the gc lock).
#![warn(missing_docs)]

pub mod error;
pub mod fsck;
pub mod gc;
pub mod reach;
