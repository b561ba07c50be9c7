//! hako: a content-addressed, version-controlled filesystem.
//!
//! The engine library. It never parses command-line arguments and never prints
//! to stdout: it returns values and typed errors (see `error::Error`).
//!
//! `unsafe` is refused by the compiler everywhere but the two modules where
//! raw system calls and memory maps live (`sys`, `sandbox::sys`).
#![warn(missing_docs)]
#![deny(unsafe_code)]

pub mod apply;
pub mod cache;
pub mod codec;
pub mod commit;
pub mod config;
pub mod container;
pub mod error;
pub mod facade;
pub mod fsutil;
#[doc(hidden)]
pub mod fuzzing;
pub mod hostfs;
pub mod http;
pub mod identity;
pub mod links;
pub mod maint;
pub mod merge;
pub mod object;
pub mod oci;
pub mod oid;
pub mod pack;
pub mod progress;
pub mod prolly;
pub mod quote;
pub mod refs;
pub mod revparse;
pub mod revwalk;
pub mod runtime;
pub mod sandbox;
pub mod store;
#[allow(unsafe_code)]
pub mod sys;
pub mod transport;
pub(crate) mod userns;
pub mod warnings;
pub mod workspace;
pub mod worktree;

pub use error::{Error, Result};
pub use facade::{Hako, LogEntry};
pub use object::ObjectType;
pub use oid::ObjectId;
