//! Read-only memory maps of files.

use std::fs::File;

/// Map a file read-only. The mapping reflects later changes to the file, as a
/// read(2) racing a writer would; callers hash and verify what they see.
pub fn map_file(f: &File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: the map is read-only; hako never assumes the bytes stay fixed
    // after use, so a concurrent writer only makes a result stale, never UB in
    // our code paths (we copy or hash, never hand out long-lived references).
    unsafe { memmap2::Mmap::map(f) }
}
