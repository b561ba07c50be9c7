//! The only module with `unsafe` and raw syscalls: memory maps here, and the
//! rootless sandbox (namespaces, mounts, seccomp, landlock) beside it.

pub mod mmap;
