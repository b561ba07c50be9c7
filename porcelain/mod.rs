//! Porcelain: the everyday commands, each composed in-process from plumbing
//! functions and engine calls.

pub mod init;
pub mod log;
