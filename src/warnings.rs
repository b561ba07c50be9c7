//! Warnings the engine meets while it still succeeds (a damaged pack it
//! skipped, say). The engine never prints and keeps no list: a warning is a
//! `tracing` event at level WARN with the target [`TARGET`], so each
//! program decides what to do with it. hako's command line prints each one
//! once, as `warning: …` on stderr, when its command ends; a program using
//! the library sees them through its own `tracing` subscriber.
#![warn(missing_docs)]

/// The `tracing` target of the engine's warnings.
pub const TARGET: &str = "hako::warning";

/// Emit a warning (one line, no "warning:" prefix).
pub fn warn(msg: impl std::fmt::Display) {
    tracing::warn!(target: TARGET, "{msg}");
}
