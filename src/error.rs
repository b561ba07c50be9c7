//! Typed engine errors. Every variant that involves disk names the path.
#![warn(missing_docs)]

use std::path::PathBuf;

use crate::oid::ObjectId;
use crate::quote::quote_path;

/// Every way an engine operation can fail; the message is the text after
/// `fatal: ` that users see.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A read or write on a file or directory failed.
    #[error("{path}: {err}")]
    Io {
        /// The file or directory the operation was on.
        path: PathBuf,
        /// What the system reported.
        err: std::io::Error,
    },
    /// A name given for an object is neither a full id nor a known short id.
    #[error("not a valid object name: {0}")]
    BadObjectName(String),
    /// A short object id matches more than one stored object.
    #[error("short object id {0} is ambiguous")]
    Ambiguous(String),
    /// No store holds the object.
    #[error("object {0} not found")]
    NotFound(ObjectId),
    /// A stored object's bytes do not match its id or its header.
    #[error("corrupt object {id} at {path}: {why}")]
    Corrupt {
        /// The id the object was stored under.
        id: ObjectId,
        /// The file that holds it.
        path: PathBuf,
        /// What did not match.
        why: crate::store::Damage,
    },
    /// An object's body does not follow its type's encoding.
    #[error("malformed {kind} object: {why}")]
    Malformed {
        /// The object type being decoded.
        kind: &'static str,
        /// What was wrong.
        why: String,
    },
    /// An object was found but is of another type than the one asked for.
    #[error("object {id} is a {actual}, not a {expected}")]
    WrongType {
        /// The object.
        id: ObjectId,
        /// The type asked for.
        expected: &'static str,
        /// The type it has.
        actual: &'static str,
    },
    /// The tree named for a new commit is not a tree.
    #[error("{id} is a {actual}, not a tree")]
    CommitTreeNotTree {
        /// The object named as the tree.
        id: ObjectId,
        /// The type it has.
        actual: &'static str,
    },
    /// A parent named for a new commit is not a commit.
    #[error("parent {id} is a {actual}, not a commit")]
    ParentNotCommit {
        /// The object named as a parent.
        id: ObjectId,
        /// The type it has.
        actual: &'static str,
    },
    /// A ref name breaks the ref naming rules.
    #[error("invalid ref name '{0}'")]
    BadRefName(String),
    /// Another process holds the lock file of a ref.
    #[error("unable to lock ref {name}: {path} is held by another hako process (if none is running, remove {path})")]
    RefLocked {
        /// The ref.
        name: String,
        /// Its lock file.
        path: PathBuf,
    },
    /// Another process holds the lock file of the working root.
    #[error("unable to lock the working root: {0} is held by another hako process (if none is running, remove {0})")]
    WorkingLocked(PathBuf),
    /// The working root moved under a read-modify-write; the caller may retry.
    #[error("the working root changed while this command ran; nothing was written")]
    WorkingChanged,
    /// No container has this name.
    #[error("no such container: {0}")]
    NoContainer(String),
    /// A container of this name exists already.
    #[error("container '{0}' already exists")]
    ContainerExists(String),
    /// A path names nothing in the tree.
    #[error("{0}: no such file or directory")]
    NoSuchPath(String),
    /// Resolving a path followed too many symbolic links.
    #[error("{0}: too many levels of symbolic links")]
    SymlinkLoop(String),
    /// A name was asked of the root directory.
    #[error("the root directory has no name")]
    RootHasNoName,
    /// Something that must be a directory is not one (its name quoted).
    #[error("'{0}' is not a directory")]
    NotADirectory(String),
    /// A ref did not hold the value a compare-and-swap expected.
    #[error("cannot update ref {name}: expected {expected}, found {found}")]
    RefMismatch {
        /// The ref.
        name: String,
        /// The value the update expected.
        expected: String,
        /// The value the ref held.
        found: String,
    },
    /// No ref has this name.
    #[error("ref {0} not found")]
    RefNotFound(String),
    /// A chain of symbolic refs is too long (or loops).
    #[error("symbolic ref chain too deep at {0}")]
    RefLoop(String),
    /// No `.hako` directory was found from the current directory up.
    #[error("not a hako workspace (or any parent up to /): .hako")]
    NoWorkspace,
    /// Writing to the output stream failed; `Error::on_output` names the file.
    #[error("cannot write output: {0}")]
    Output(std::io::Error),
    /// No author or committer identity is configured; names which one.
    #[error("{0} identity unknown: set HAKO_AUTHOR_NAME and HAKO_AUTHOR_EMAIL, or user.name and user.email in .hako/config or ~/.config/hako/config")]
    NoIdentity(&'static str),
    /// A step of the merge workflow was refused.
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// `init` found a workspace in the directory already.
    #[error("{} already holds a hako workspace", .0.display())]
    WorkspaceExists(PathBuf),
    /// The workspace was written in a format version this build cannot read.
    #[error("{at}: core.formatversion is '{found}', but this hako reads only format version {supported}")]
    FormatVersion {
        /// The configuration file that names the version.
        at: String,
        /// The version it names.
        found: String,
        /// The version this build reads.
        supported: &'static str,
    },
    /// A file was expected where a directory is.
    #[error("{0}: is a directory")]
    IsADirectory(String),
    /// A directory was expected where something else is.
    #[error("{0}: not a directory")]
    NotADirectoryPath(String),
    /// A regular file was expected where something else is.
    #[error("{0}: not a regular file")]
    NotARegularFile(String),
    /// An operation would replace the root directory itself.
    #[error("cannot replace the root directory")]
    ReplaceRoot,
    /// A path leads outside the root (through `..`).
    #[error("path '{0}' is outside the root")]
    OutsideRoot(String),
    /// `import` was given the root itself instead of a path below it.
    #[error("import: give a path below the root")]
    ImportNeedsPath,
    /// A file's extended attributes do not fit in one record.
    #[error("{}: extended attributes too large to record ({total} bytes)", path.display())]
    XattrsTooLarge {
        /// The file.
        path: PathBuf,
        /// The size of its attributes in bytes.
        total: usize,
    },
    /// A destination directory exists and holds something.
    #[error("'{}' exists and is not empty", .0.display())]
    NotEmpty(PathBuf),
    /// A step run in a user namespace of its own failed there (its error
    /// crossed a process boundary as text).
    #[error("{0}")]
    UserNamespace(String),
    /// An identity line is not `NAME <EMAIL> SECONDS ZONE`.
    #[error("malformed identity '{0}'")]
    MalformedIdentity(String),
    /// A name or email holds a character an identity line cannot carry.
    #[error("invalid identity '{name} <{email}>': no '<', '>' or newline allowed")]
    InvalidIdentity {
        /// The name given.
        name: String,
        /// The email given.
        email: String,
    },
    /// A date is not `SECONDS [+HHMM]`.
    #[error("invalid date '{0}': expected 'SECONDS [+HHMM]'")]
    InvalidDate(String),
    /// A timezone is not `+HHMM` or `-HHMM`.
    #[error("invalid timezone '{0}'")]
    InvalidTimezone(String),
    /// `NAME@{N}` asked for more reflog entries than there are.
    #[error("{name}: the reflog of {full} has only {len} entries")]
    ReflogTooShort {
        /// The revision as written.
        name: String,
        /// The full ref name.
        full: String,
        /// How many entries the reflog has.
        len: usize,
    },
    /// Peeling a tag went through too many tags.
    #[error("tag chain too deep at {0}")]
    TagChainTooDeep(ObjectId),
    /// `REV:PATH` names an entry with no content to show.
    #[error("'{path}' in '{rev}' has no content (device, fifo or socket)")]
    PathHasNoContent {
        /// The path.
        path: String,
        /// The revision.
        rev: String,
    },
    /// `REV:PATH` names a path the revision's tree does not hold.
    #[error("path '{path}' does not exist in '{rev}'")]
    PathNotInRevision {
        /// The path.
        path: String,
        /// The revision.
        rev: String,
    },
    /// `REV^N` asked for a parent the commit does not have.
    #[error("{spec}: commit {commit} has no parent {n}")]
    NoSuchParent {
        /// The revision as written.
        spec: String,
        /// The commit.
        commit: String,
        /// The parent number asked for.
        n: usize,
    },
    /// `REV~N` went past the first commit.
    #[error("{spec}: history of {commit} ends after {generations} generation(s)")]
    HistoryTooShort {
        /// The revision as written.
        spec: String,
        /// The commit it started from.
        commit: String,
        /// How many generations there were.
        generations: usize,
    },
    /// The working root file does not hold an object id.
    #[error("{}: not a valid working root", .0.display())]
    BadWorkingFile(PathBuf),
    /// A ref file holds neither an object id nor a symbolic ref.
    #[error("{}: not a valid ref file", .0.display())]
    BadRefFile(PathBuf),
    /// One ref transaction names the same ref twice.
    #[error("ref {0} is changed twice in one transaction")]
    RefChangedTwice(String),
    /// A ref cannot be created because a directory of refs has its name.
    #[error("cannot create ref {}: a directory of refs is in the way", .0.display())]
    RefDirectoryInTheWay(PathBuf),
    /// A container, remote or other simple name holds a character not allowed.
    #[error("invalid {kind} name '{name}': use letters, digits, '.', '_' and '-'")]
    BadSimpleName {
        /// What the name is for.
        kind: String,
        /// The name given.
        name: String,
    },
    /// An object type name is none of the known ones.
    #[error("unknown object type '{0}'")]
    UnknownObjectType(String),
    /// One object would pass the size limit of a single object.
    #[error("{kind} of {len} bytes is over the 64 MiB limit of one object (store a large file with -t file)")]
    ObjectTooLarge {
        /// The object's type.
        kind: crate::object::ObjectType,
        /// Its size in bytes.
        len: u64,
    },
    /// A prolly tree operation failed.
    #[error(transparent)]
    Prolly(#[from] crate::prolly::ProllyError),
    /// A maintenance step (fsck, gc, repack) failed.
    #[error(transparent)]
    Maint(#[from] crate::maint::error::MaintError),
    /// A pack or its index is unusable.
    #[error(transparent)]
    Pack(#[from] crate::store::PackError),
    /// The object store refused an operation.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A configuration file is malformed.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// A peer broke the pkt-line protocol.
    #[error("protocol error: {0}")]
    Protocol(#[from] crate::transport::pkt::PktError),
    /// An OCI image operation failed.
    #[error(transparent)]
    Oci(#[from] crate::oci::error::OciError),
    /// The checkout cache refused an operation, or found an entry damaged.
    #[error(transparent)]
    Cache(#[from] crate::cache::error::CacheError),
    /// `apply` refused its build file (`hako.toml`).
    #[error(transparent)]
    Apply(#[from] crate::apply::error::ApplyError),
    /// Running a container failed.
    #[error(transparent)]
    Runtime(#[from] crate::runtime::error::RuntimeError),
    /// A bind profile is malformed or cannot be migrated.
    #[error(transparent)]
    Profile(#[from] crate::runtime::error::ProfileError),
    /// A conversation with a remote failed (ssh, a local path).
    #[error(transparent)]
    Transport(#[from] crate::transport::error::TransportError),
    /// An HTTP request failed, or its answer was refused.
    #[error(transparent)]
    Http(#[from] crate::http::HttpError),
    /// A registry refused a request or answered what cannot be used.
    #[error(transparent)]
    Registry(#[from] crate::oci::registry::RegistryError),
    /// A dumb-HTTP mirror holds what cannot be fetched.
    #[error(transparent)]
    Dumb(#[from] crate::transport::dumb::DumbError),
    /// A remote on object storage refused, or holds what cannot be used.
    #[error(transparent)]
    S3(#[from] crate::transport::s3::S3Error),
}

/// Why a step of the merge workflow (`merge::workflow`) was refused; each
/// message is the one-line `fatal: …` text users see.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// Merging would overwrite uncommitted changes at this path.
    #[error("uncommitted changes to '/{}' would be overwritten by the merge; commit them first", quote_path(.0))]
    WouldOverwritePath(Vec<u8>),
    /// Merging would overwrite uncommitted changes.
    #[error("uncommitted changes would be overwritten by the merge; commit them first")]
    WouldOverwrite,
    /// Concluding the merge found conflicts not yet marked resolved.
    #[error("cannot commit: {count} unresolved conflict(s), first '/{}' ('hako add PATH' marks a path resolved)", quote_path(.first))]
    Unresolved {
        /// How many conflicts are left.
        count: usize,
        /// The first unresolved path.
        first: Vec<u8>,
    },
    /// The merge commit's message is empty.
    #[error("empty commit message")]
    EmptyMessage,
    /// `--abort` with no merge in progress.
    #[error("there is no merge to abort")]
    NothingToAbort,
    /// `--continue` with no merge in progress.
    #[error("there is no merge to continue")]
    NothingToContinue,
    /// `--abort` found HEAD moved since the merge began.
    #[error("HEAD moved since the merge started; nothing was restored")]
    HeadMoved,
    /// A new merge was asked for while one is in progress.
    #[error(
        "a merge is in progress: resolve it and 'hako merge --continue', or 'hako merge --abort'"
    )]
    InProgress,
    /// The current branch has no commit to merge into.
    #[error("cannot merge into a branch with no commits")]
    NoCommits,
    /// Only a fast-forward was allowed and the other side is not a descendant.
    #[error("not possible to fast-forward to '{0}'")]
    NotFastForward(String),
    /// The two sides share no history.
    #[error("refusing to merge unrelated histories")]
    UnrelatedHistories,
    /// The merge state file cannot be read.
    #[error("{}: malformed merge state", .0.display())]
    MalformedState(PathBuf),
    /// The merge could not start its worker thread.
    #[error("cannot start the merge: {0}")]
    CannotStart(std::io::Error),
    /// A tree nests deeper than the merge will walk.
    #[error("tree {tree} nests directories deeper than the limit of {limit}")]
    TooDeep {
        /// The tree.
        tree: ObjectId,
        /// The deepest nesting allowed.
        limit: usize,
    },
}

/// The engine's result type, with `Error` by default.
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
    /// Turn the error into `Error::Io` naming `path`.
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
