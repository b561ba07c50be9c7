//! Why a hako.toml could not be used: each message is the one-line
//! `fatal: …` text users see, naming the file (and the line, where a key
//! is at fault).

use std::path::PathBuf;

use crate::error::Error;

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{}: no such file (hako apply reads hako.toml; -f names another)", .0.display())]
    NoFile(PathBuf),
    /// An include naming a device, a FIFO or a directory.
    #[error("{}: not a regular file", .0.display())]
    NotRegularFile(PathBuf),
    #[error("{}: larger than {max} bytes", path.display())]
    TooLarge { path: PathBuf, max: u64 },
    /// The files of the cycle, by name, the first one again last.
    #[error("include cycle: {}", .0.join(" -> "))]
    IncludeCycle(Vec<String>),
    #[error("{}: unknown profile '{profile}' (known: {})", file.display(), if known.is_empty() { "none".to_string() } else { known.join(", ") })]
    UnknownProfile {
        file: PathBuf,
        profile: String,
        known: Vec<String>,
    },
    /// What is wrong at LINE of FILE.
    #[error("{}:{line}: {why}", file.display())]
    At {
        file: PathBuf,
        line: usize,
        why: BadKey,
    },
}

/// What is wrong at a line of a hako.toml.
#[derive(Debug, thiserror::Error)]
pub enum BadKey {
    /// Not TOML: the parser's message.
    #[error("{0}")]
    Syntax(String),
    #[error("unknown key '{0}'")]
    Unknown(String),
    #[error("unknown key 'rlimits.{0}' (known: {known})", known = super::config::RLIMITS.join(", "))]
    UnknownRlimit(String),
    #[error("key '{key}': expected {expected}, found {found}")]
    WrongType {
        key: String,
        expected: &'static str,
        found: String,
    },
    #[error("key 'include': expected an array of file names")]
    IncludeNotArray,
    #[error("key '{key}': '{value}' is not one of {}", options.join(", "))]
    NotOneOf {
        key: String,
        value: String,
        options: &'static [&'static str],
    },
    #[error("key 'env.{0}': not a variable name (empty, or with '=' or NUL)")]
    EnvName(String),
    #[error("key 'name': {0}")]
    Name(Box<Error>),
    #[error("key 'binds': '{0}' is not HOST:CONTAINER[:ro]")]
    Bind(String),
}
