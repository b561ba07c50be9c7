//! Typed engine errors. Every variant that involves disk names the path.

use std::path::PathBuf;

use crate::oid::ObjectId;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("not a valid object name: {0}")]
    BadObjectName(String),
    #[error("short object id {0} is ambiguous")]
    Ambiguous(String),
    #[error("object {0} not found")]
    NotFound(ObjectId),
    #[error("corrupt object {id} at {path}: {why}")]
    Corrupt {
        id: ObjectId,
        path: PathBuf,
        why: String,
    },
    #[error("malformed {kind} object: {why}")]
    Malformed { kind: &'static str, why: String },
    #[error("object {id} is a {actual}, not a {expected}")]
    WrongType {
        id: ObjectId,
        expected: &'static str,
        actual: &'static str,
    },
    #[error("{id} is a {actual}, not a tree")]
    CommitTreeNotTree { id: ObjectId, actual: &'static str },
    #[error("parent {id} is a {actual}, not a commit")]
    ParentNotCommit { id: ObjectId, actual: &'static str },
    #[error("invalid ref name '{0}'")]
    BadRefName(String),
    #[error("unable to lock ref {name}: {path} is held by another hako process (if none is running, remove {path})")]
    RefLocked { name: String, path: PathBuf },
    #[error("unable to lock the working root: {0} is held by another hako process (if none is running, remove {0})")]
    WorkingLocked(PathBuf),
    #[error("the working root changed while this command ran; nothing was written")]
    WorkingChanged,
    #[error("no such container: {0}")]
    NoContainer(String),
    #[error("container '{0}' already exists")]
    ContainerExists(String),
    #[error("{0}: no such file or directory")]
    NoSuchPath(String),
    #[error("{0}: too many levels of symbolic links")]
    SymlinkLoop(String),
    #[error("the root directory has no name")]
    RootHasNoName,
    #[error("'{0}' is not a directory")]
    NotADirectory(String),
    #[error("cannot update ref {name}: expected {expected}, found {found}")]
    RefMismatch {
        name: String,
        expected: String,
        found: String,
    },
    #[error("ref {0} not found")]
    RefNotFound(String),
    #[error("symbolic ref chain too deep at {0}")]
    RefLoop(String),
    #[error("not a hako workspace (or any parent up to /): .hako")]
    NoWorkspace,
    #[error("cannot write output: {0}")]
    Output(std::io::Error),
    #[error("{0} identity unknown: set HAKO_AUTHOR_NAME and HAKO_AUTHOR_EMAIL, or user.name and user.email in .hako/config or ~/.config/hako/config")]
    NoIdentity(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("protocol error: {0}")]
    Protocol(#[from] crate::transport::pkt::PktError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Name the file an output error happened on.
    pub fn on_output(self, path: impl Into<PathBuf>) -> Error {
        match self {
            Error::Output(err) => Error::Io {
                path: path.into(),
                err,
            },
            e => e,
        }
    }
}

/// Attach a path to an io::Error.
pub trait IoContext<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|err| Error::Io {
            path: path.into(),
            err,
        })
    }
}
