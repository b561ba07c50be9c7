//! Why a hako.toml could not be used: each message is the one-line
//! `fatal: …` text users see, naming the file (and the line, where a key
//! is at fault).
#![warn(missing_docs)]

use std::path::PathBuf;

use crate::error::Error;

/// Why a hako.toml (or a file it includes) could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The file to apply does not exist.
    #[error("{}: no such file (hako apply reads hako.toml; -f names another)", .0.display())]
    NoFile(PathBuf),
    /// An include naming a device, a FIFO or a directory.
    #[error("{}: not a regular file", .0.display())]
    NotRegularFile(PathBuf),
    /// A file passes the size limit.
    #[error("{}: larger than {max} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        max: u64,
    },
    /// The files of the cycle, by name, the first one again last.
    #[error("include cycle: {}", .0.join(" -> "))]
    IncludeCycle(Vec<String>),
    /// A profile was asked for that the file does not define.
    #[error("{}: unknown profile '{profile}' (known: {})", file.display(), if known.is_empty() { "none".to_string() } else { known.join(", ") })]
    UnknownProfile {
        /// The file.
        file: PathBuf,
        /// The profile asked for.
        profile: String,
        /// The profiles it defines.
        known: Vec<String>,
    },
    /// What is wrong at LINE of FILE.
    #[error("{}:{line}: {why}", file.display())]
    At {
        /// The file.
        file: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        why: BadKey,
    },
}

/// What is wrong at a line of a hako.toml.
#[derive(Debug, thiserror::Error)]
pub enum BadKey {
    /// Not TOML: the parser's message.
    #[error("{0}")]
    Syntax(String),
    /// A key hako does not know.
    #[error("unknown key '{0}'")]
    Unknown(String),
    /// A resource limit hako does not know.
    #[error("unknown key 'rlimits.{0}' (known: {known})", known = super::config::RLIMITS.join(", "))]
    UnknownRlimit(String),
    /// A key's value is of the wrong TOML type.
    #[error("key '{key}': expected {expected}, found {found}")]
    WrongType {
        /// The key.
        key: String,
        /// The type it takes.
        expected: &'static str,
        /// The type given.
        found: String,
    },
    /// `include` is not an array of file names.
    #[error("key 'include': expected an array of file names")]
    IncludeNotArray,
    /// A key's value is none of the ones it takes.
    #[error("key '{key}': '{value}' is not one of {}", options.join(", "))]
    NotOneOf {
        /// The key.
        key: String,
        /// The value given.
        value: String,
        /// The values it takes.
        options: &'static [&'static str],
    },
    /// An `env` key is not a variable name.
    #[error("key 'env.{0}': not a variable name (empty, or with '=' or NUL)")]
    EnvName(String),
    /// The container name is not valid.
    #[error("key 'name': {0}")]
    Name(Box<Error>),
    /// A bind is not `HOST:CONTAINER[:ro]`.
    #[error("key 'binds': '{0}' is not HOST:CONTAINER[:ro]")]
    Bind(String),
}
