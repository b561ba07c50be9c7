//! Typed engine errors. Every variant that involves disk names the path.

use std::path::PathBuf;

use crate::oid::ObjectId;
use crate::quote::quote_path;

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
    #[error(transparent)]
    Merge(#[from] MergeError),
    #[error("{} already holds a hako workspace", .0.display())]
    WorkspaceExists(PathBuf),
    #[error("{at}: core.formatversion is '{found}', but this hako reads only format version {supported}")]
    FormatVersion {
        at: String,
        found: String,
        supported: &'static str,
    },
    #[error("{0}: is a directory")]
    IsADirectory(String),
    #[error("{0}: not a directory")]
    NotADirectoryPath(String),
    #[error("{0}: not a regular file")]
    NotARegularFile(String),
    #[error("cannot replace the root directory")]
    ReplaceRoot,
    #[error("path '{0}' is outside the root")]
    OutsideRoot(String),
    #[error("import: give a path below the root")]
    ImportNeedsPath,
    #[error("{}: extended attributes too large to record ({total} bytes)", path.display())]
    XattrsTooLarge { path: PathBuf, total: usize },
    #[error("'{}' exists and is not empty", .0.display())]
    NotEmpty(PathBuf),
    /// A step run in a user namespace of its own failed there (its error
    /// crossed a process boundary as text).
    #[error("{0}")]
    UserNamespace(String),
    #[error("malformed identity '{0}'")]
    MalformedIdentity(String),
    #[error("invalid identity '{name} <{email}>': no '<', '>' or newline allowed")]
    InvalidIdentity { name: String, email: String },
    #[error("invalid date '{0}': expected 'SECONDS [+HHMM]'")]
    InvalidDate(String),
    #[error("invalid timezone '{0}'")]
    InvalidTimezone(String),
    #[error("{name}: the reflog of {full} has only {len} entries")]
    ReflogTooShort {
        name: String,
        full: String,
        len: usize,
    },
    #[error("tag chain too deep at {0}")]
    TagChainTooDeep(ObjectId),
    #[error("'{path}' in '{rev}' has no content (device, fifo or socket)")]
    PathHasNoContent { path: String, rev: String },
    #[error("path '{path}' does not exist in '{rev}'")]
    PathNotInRevision { path: String, rev: String },
    #[error("{spec}: commit {commit} has no parent {n}")]
    NoSuchParent {
        spec: String,
        commit: String,
        n: usize,
    },
    #[error("{spec}: history of {commit} ends after {generations} generation(s)")]
    HistoryTooShort {
        spec: String,
        commit: String,
        generations: usize,
    },
    #[error("{}: not a valid working root", .0.display())]
    BadWorkingFile(PathBuf),
    #[error("{}: not a valid ref file", .0.display())]
    BadRefFile(PathBuf),
    #[error("ref {0} is changed twice in one transaction")]
    RefChangedTwice(String),
    #[error("cannot create ref {}: a directory of refs is in the way", .0.display())]
    RefDirectoryInTheWay(PathBuf),
    #[error("invalid {kind} name '{name}': use letters, digits, '.', '_' and '-'")]
    BadSimpleName { kind: String, name: String },
    #[error("unknown object type '{0}'")]
    UnknownObjectType(String),
    #[error("{kind} of {len} bytes is over the 64 MiB limit of one object (store a large file with -t file)")]
    ObjectTooLarge {
        kind: crate::object::ObjectType,
        len: u64,
    },
    #[error(transparent)]
    Prolly(#[from] crate::prolly::ProllyError),
    #[error(transparent)]
    Maint(#[from] crate::maint::error::MaintError),
    #[error(transparent)]
    Pack(#[from] crate::store::PackError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("protocol error: {0}")]
    Protocol(#[from] crate::transport::pkt::PktError),
    #[error(transparent)]
    Oci(#[from] crate::oci::error::OciError),
    #[error(transparent)]
    Cache(#[from] crate::cache::error::CacheError),
    #[error(transparent)]
    Apply(#[from] crate::apply::error::ApplyError),
    #[error(transparent)]
    Runtime(#[from] crate::runtime::error::RuntimeError),
    #[error(transparent)]
    Profile(#[from] crate::runtime::error::ProfileError),
    #[error(transparent)]
    Transport(#[from] crate::transport::error::TransportError),
    #[error(transparent)]
    Http(#[from] crate::http::HttpError),
    #[error(transparent)]
    Registry(#[from] crate::oci::registry::RegistryError),
    #[error(transparent)]
    Dumb(#[from] crate::transport::dumb::DumbError),
    #[error(transparent)]
    S3(#[from] crate::transport::s3::S3Error),
}

/// Why a step of the merge workflow (`merge::workflow`) was refused; each
/// message is the one-line `fatal: …` text users see.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("uncommitted changes to '/{}' would be overwritten by the merge; commit them first", quote_path(.0))]
    WouldOverwritePath(Vec<u8>),
    #[error("uncommitted changes would be overwritten by the merge; commit them first")]
    WouldOverwrite,
    #[error("cannot commit: {count} unresolved conflict(s), first '/{}' ('hako add PATH' marks a path resolved)", quote_path(.first))]
    Unresolved { count: usize, first: Vec<u8> },
    #[error("empty commit message")]
    EmptyMessage,
    #[error("there is no merge to abort")]
    NothingToAbort,
    #[error("there is no merge to continue")]
    NothingToContinue,
    #[error("HEAD moved since the merge started; nothing was restored")]
    HeadMoved,
    #[error(
        "a merge is in progress: resolve it and 'hako merge --continue', or 'hako merge --abort'"
    )]
    InProgress,
    #[error("cannot merge into a branch with no commits")]
    NoCommits,
    #[error("not possible to fast-forward to '{0}'")]
    NotFastForward(String),
    #[error("refusing to merge unrelated histories")]
    UnrelatedHistories,
    #[error("{}: malformed merge state", .0.display())]
    MalformedState(PathBuf),
    #[error("cannot start the merge: {0}")]
    CannotStart(std::io::Error),
    #[error("tree {tree} nests directories deeper than the limit of {limit}")]
    TooDeep { tree: ObjectId, limit: usize },
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

impl From<crate::oid::BadObjectName> for Error {
    fn from(e: crate::oid::BadObjectName) -> Error {
        Error::BadObjectName(e.0)
    }
}
