//! Why the runtime could not serve, fold or find an instance: each message
//! is the one-line `fatal: …` text users see. (A run's own failures are
//! `supervisor::RunError`, which carries these through `Error`.)

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// A record file of an instance directory that does not parse.
    #[error("{}: malformed", .0.display())]
    MalformedRecord(PathBuf),
    #[error("{}: missing", .0.display())]
    MissingRecord(PathBuf),
    #[error("{}: {why}", path.display())]
    InstanceRecord { path: PathBuf, why: RecordFault },
    /// The tree id a fold in a mapped namespace sent back.
    #[error("fold: malformed tree id '{0}'")]
    FoldTreeId(String),
    /// An entry of an overlay upper directory (at PATH, from its root) a fold cannot take.
    #[error("upper directory: /{path}: {why}")]
    Upper { path: String, why: UpperFault },
    #[error("{}: the root upper directory holds the mount point of a nested overlay", .0.display())]
    NestedOverlayMount(PathBuf),
    /// A system call at STEP failed.
    #[error("{step}: {errno}")]
    Sys {
        step: &'static str,
        errno: nix::errno::Errno,
    },
    /// Starting or running a thread or program at STEP failed.
    #[error("{step}: {err}")]
    Os {
        step: &'static str,
        err: std::io::Error,
    },
    #[error("FUSE is not available: /dev/fuse is missing (load the fuse module or install fuse3, or run with --materialize)")]
    NoFuseDevice,
    #[error("FUSE is not available: fusermount3 is missing (apt-get install fuse3, or run with --materialize)")]
    NoFusermount,
    /// HINT: why /dev/fuse may be at fault, or empty.
    #[error("cannot mount on '{}': {err}{hint}", mountpoint.display())]
    Mount {
        mountpoint: PathBuf,
        err: std::io::Error,
        hint: &'static str,
    },
    /// fusermount3 refused: what it said.
    #[error("cannot unmount '{}': {said}", mountpoint.display())]
    Unmount { mountpoint: PathBuf, said: String },
    #[error("the FUSE server exited before the mount was ready")]
    FuseServerExited,
    /// The FUSE server's own error, as it reported it through its pipe.
    #[error("{0}")]
    FuseServer(String),
    #[error(
        "{at}: run.fs = '{value}' in the configuration: expected overlay, fuse or materialize"
    )]
    BadRunFs { at: String, value: String },
    #[error("overlay unavailable ({0})")]
    OverlayUnavailable(String),
    /// A file's content could not be stored from its buffer.
    #[error("{0}")]
    StoreContent(std::io::Error),
    /// The worker threads of a fold, checkout or cache write could not start.
    #[error("{0}")]
    Workers(crate::sandbox::Error),
    #[error("{} is locked by another process", .0.display())]
    Locked(PathBuf),
    /// WHAT (checkout, merge, reset --hard, pull) would move the working
    /// root of CONTAINER under its running instance SHOWN.
    #[error("{what}: container '{container}' has a running instance {shown} that writes to its working root; stop it first ('hako stop {shown}'){}", if what == "checkout" { " or use --force" } else { "" })]
    Running {
        what: String,
        container: String,
        shown: String,
    },
    #[error("no such instance '{0}'")]
    NoInstance(String),
    #[error("instance id prefix '{0}' is ambiguous")]
    AmbiguousInstance(String),
    /// The kernel named an inode this filesystem no longer knows.
    #[error("stale inode")]
    StaleInode,
}

/// What is wrong with an instance's `state` record.
#[derive(Debug, thiserror::Error)]
pub enum RecordFault {
    #[error("no '{0}'")]
    Missing(String),
    /// The field (command, mode, created, status, fs) does not parse.
    #[error("bad {0}")]
    Bad(&'static str),
}

/// What an overlay upper directory holds that a fold cannot take.
#[derive(Debug, thiserror::Error)]
pub enum UpperFault {
    #[error("metacopy entry (its content is in the lower directory)")]
    Metacopy,
    #[error("xattr whiteout that is not an empty file in an opaque=x directory")]
    XattrWhiteout,
    #[error("redirected directory (user.overlay.redirect)")]
    Redirected,
    #[error("user.overlay.opaque is neither 'y' nor 'x'")]
    BadOpaque,
    #[error("unknown file type")]
    UnknownType,
    #[error("not a valid name")]
    BadName,
}

/// Why a bind profile could not be read, or the old `config.toml` could not
/// be moved into the user config (runtime.md, "Bind profiles").
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("no home directory for the user config")]
    NoHome,
    #[error("{}: unknown bind profile '{name}' (known: {known})", path.display())]
    Unknown {
        path: std::path::PathBuf,
        name: String,
        known: String,
    },
    /// The old TOML file does not parse.
    #[error("{}:{line}: {why}", path.display())]
    OldSyntax {
        path: std::path::PathBuf,
        line: usize,
        why: String,
    },
    /// The old TOML file parses but holds what cannot be moved.
    #[error("{}: {why}", path.display())]
    OldContent {
        path: std::path::PathBuf,
        why: String,
    },
}
