//! `hako apply`: a container described by hako.toml (format-spec/hako-toml.md),
//! built step by step, each setup step committed with the hash that lets a
//! re-run skip it.
#![warn(missing_docs)]

pub mod config;
pub mod error;
pub mod plan;
