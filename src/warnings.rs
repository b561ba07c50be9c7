//! Warnings the engine meets while it still succeeds (a damaged pack it
//! skipped, say). The engine never prints: it records them here, and the
//! command-line layer prints and clears them.

use std::sync::Mutex;

static PENDING: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Record a warning (one line, no "warning:" prefix). Repeats are kept once.
pub fn warn(msg: impl Into<String>) {
    let msg = msg.into();
    let mut p = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    if !p.contains(&msg) {
        p.push(msg);
    }
}

/// Take the warnings recorded so far.
pub fn take() -> Vec<String> {
    std::mem::take(&mut *PENDING.lock().unwrap_or_else(|e| e.into_inner()))
}
