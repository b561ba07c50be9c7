// The allocation cap of the fuzz targets and of their stable replay
// (tests/fuzz_replay.rs): one allocation over CAP aborts the process, so a
// decoder that sizes a buffer from untrusted bytes is a finding, not an OOM.
// (libFuzzer's -malloc_limit_mb needs a sanitizer's malloc hooks; this does not.)

use std::alloc::{GlobalAlloc, Layout, System};

/// The largest single allocation: an object's 64 MiB limit with room for a
/// doubling buffer and headers.
pub const CAP: usize = 256 << 20;

pub struct CappedAlloc;

fn refuse(size: usize) -> ! {
    // No allocation here: format into a stack buffer and write(2) it.
    let mut buf = *b"fuzz: allocation of                      bytes over the cap\n";
    let mut n = size;
    let mut i = 40;
    loop {
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 || i == 21 {
            break;
        }
        i -= 1;
    }
    // SAFETY: writing a valid buffer to stderr.
    unsafe { libc::write(2, buf.as_ptr().cast(), buf.len()) };
    std::process::abort()
}

// SAFETY: every call is passed to the system allocator unchanged.
unsafe impl GlobalAlloc for CappedAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() > CAP {
            refuse(layout.size());
        }
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() > CAP {
            refuse(layout.size());
        }
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > CAP {
            refuse(new_size);
        }
        System.realloc(ptr, layout, new_size)
    }
}
