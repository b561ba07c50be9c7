#![no_main]
#[path = "../cap_alloc.rs"]
mod cap_alloc;
#[global_allocator]
static ALLOC: cap_alloc::CappedAlloc = cap_alloc::CappedAlloc;
libfuzzer_sys::fuzz_target!(|data: &[u8]| hako::fuzzing::compact_stream(data));
