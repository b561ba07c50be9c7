//! Operating-system helpers the store needs: read-only memory maps and
//! directory fsync.
#![warn(missing_docs)]

use std::fs::File;
use std::path::Path;

use crate::error::{IoContext, Result};

/// Map a file read-only. The mapping reflects later changes to the file, as a
/// read(2) racing a writer would; callers hash and verify what they see.
pub(crate) fn map_file(f: &File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: read-only map; we copy or hash the bytes, never hold references past use, so a concurrent writer only makes a result stale.
    unsafe { memmap2::Mmap::map(f) }
}

/// fsync a directory so a rename or create inside it is durable.
pub(crate) fn fsync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|f| f.sync_all()).at(dir)
}

/// Ignore SIGINT and SIGQUIT from now on (a process whose output goes to a
/// pager: the pager takes ^C, and this process ends when the pager does).
pub fn ignore_interrupts() {
    use nix::sys::signal::{signal, SigHandler, Signal};
    for s in [Signal::SIGINT, Signal::SIGQUIT] {
        // SAFETY: SIG_IGN installs no handler code; nothing runs at delivery.
        let _ = unsafe { signal(s, SigHandler::SigIgn) };
    }
}
