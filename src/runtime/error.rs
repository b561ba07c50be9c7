//! Why the runtime could not serve, fold or find an instance: each message
//! is the one-line `fatal: …` text users see. (A run's own failures are
//! `supervisor::RunError`, which carries these through `Error`.)
#![warn(missing_docs)]

use std::path::PathBuf;

/// Why the runtime refused or failed a step.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// A record file of an instance directory that does not parse.
    #[error("{}: malformed", .0.display())]
    MalformedRecord(PathBuf),
    /// A record file an instance directory needs is not there.
    #[error("{}: missing", .0.display())]
    MissingRecord(PathBuf),
    /// An instance's `state` record is incomplete or wrong.
    #[error("{}: {why}", path.display())]
    InstanceRecord {
        /// The record file.
        path: PathBuf,
        /// What is wrong with it.
        why: RecordFault,
    },
    /// The tree id a fold in a mapped namespace sent back.
    #[error("fold: malformed tree id '{0}'")]
    FoldTreeId(String),
    /// An entry of an overlay upper directory (at PATH, from its root) a fold cannot take.
    #[error("upper directory: /{path}: {why}")]
    Upper {
        /// The entry's path from the upper directory's root.
        path: String,
        /// What the fold cannot take.
        why: UpperFault,
    },
    /// The root upper directory holds the mount point of a nested overlay.
    #[error("{}: the root upper directory holds the mount point of a nested overlay", .0.display())]
    NestedOverlayMount(PathBuf),
    /// A system call at STEP failed.
    #[error("{step}: {errno}")]
    Sys {
        /// The step, named as users see it.
        step: &'static str,
        /// The error the kernel returned.
        errno: nix::errno::Errno,
    },
    /// Starting or running a thread or program at STEP failed.
    #[error("{step}: {err}")]
    Os {
        /// The step, named as users see it.
        step: &'static str,
        /// What the system reported.
        err: std::io::Error,
    },
    /// `/dev/fuse` is missing.
    #[error("FUSE is not available: /dev/fuse is missing (load the fuse module or install fuse3, or run with --materialize)")]
    NoFuseDevice,
    /// `fusermount3` is missing.
    #[error("FUSE is not available: fusermount3 is missing (apt-get install fuse3, or run with --materialize)")]
    NoFusermount,
    /// HINT: why /dev/fuse may be at fault, or empty.
    #[error("cannot mount on '{}': {err}{hint}", mountpoint.display())]
    Mount {
        /// Where the mount was to go.
        mountpoint: PathBuf,
        /// What the system reported.
        err: std::io::Error,
        /// Why /dev/fuse may be at fault, or empty.
        hint: &'static str,
    },
    /// fusermount3 refused: what it said.
    #[error("cannot unmount '{}': {said}", mountpoint.display())]
    Unmount {
        /// The mount point.
        mountpoint: PathBuf,
        /// What fusermount3 printed.
        said: String,
    },
    /// The FUSE server exited before the mount was ready.
    #[error("the FUSE server exited before the mount was ready")]
    FuseServerExited,
    /// The FUSE server's own error, as it reported it through its pipe.
    #[error("{0}")]
    FuseServer(String),
    /// `run.fs` in the configuration names no known way to serve a root.
    #[error(
        "{at}: run.fs = '{value}' in the configuration: expected overlay, fuse or materialize"
    )]
    BadRunFs {
        /// The configuration file.
        at: String,
        /// The value it holds.
        value: String,
    },
    /// A kernel overlay mount cannot be made here, and why.
    #[error("overlay unavailable ({0})")]
    OverlayUnavailable(String),
    /// A file's content could not be stored from its buffer.
    #[error("{0}")]
    StoreContent(std::io::Error),
    /// The worker threads of a fold, checkout or cache write could not start.
    #[error("{0}")]
    Workers(crate::sandbox::Error),
    /// Another process holds the lock file.
    #[error("{} is locked by another process", .0.display())]
    Locked(PathBuf),
    /// WHAT (checkout, merge, reset --hard, pull) would move the working
    /// root of CONTAINER under its running instance SHOWN.
    #[error("{what}: container '{container}' has a running instance {shown} that writes to its working root; stop it first ('hako stop {shown}'){}", if what == "checkout" { " or use --force" } else { "" })]
    Running {
        /// The command.
        what: String,
        /// The container.
        container: String,
        /// The instance id as shown.
        shown: String,
    },
    /// No instance has this id or prefix.
    #[error("no such instance '{0}'")]
    NoInstance(String),
    /// An instance id prefix matches more than one instance.
    #[error("instance id prefix '{0}' is ambiguous")]
    AmbiguousInstance(String),
    /// The kernel named an inode this filesystem no longer knows.
    #[error("stale inode")]
    StaleInode,
}

/// What is wrong with an instance's `state` record.
#[derive(Debug, thiserror::Error)]
pub enum RecordFault {
    /// A field the record needs is missing.
    #[error("no '{0}'")]
    Missing(String),
    /// The field (command, mode, created, status, fs) does not parse.
    #[error("bad {0}")]
    Bad(&'static str),
}

/// What an overlay upper directory holds that a fold cannot take.
#[derive(Debug, thiserror::Error)]
pub enum UpperFault {
    /// A metacopy entry, whose content is in the lower directory.
    #[error("metacopy entry (its content is in the lower directory)")]
    Metacopy,
    /// An xattr whiteout that is not an empty file in an opaque=x directory.
    #[error("xattr whiteout that is not an empty file in an opaque=x directory")]
    XattrWhiteout,
    /// A directory redirected by `user.overlay.redirect`.
    #[error("redirected directory (user.overlay.redirect)")]
    Redirected,
    /// `user.overlay.opaque` is neither `y` nor `x`.
    #[error("user.overlay.opaque is neither 'y' nor 'x'")]
    BadOpaque,
    /// A file that is neither regular, directory, symbolic link, device, fifo nor socket.
    #[error("unknown file type")]
    UnknownType,
    /// A name that is not valid in a tree.
    #[error("not a valid name")]
    BadName,
}

/// Why a bind profile could not be read, or the old `config.toml` could not
/// be moved into the user config (runtime.md, "Bind profiles").
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// There is no home directory to find the user config in.
    #[error("no home directory for the user config")]
    NoHome,
    /// A bind profile name that the user config does not define.
    #[error("{}: unknown bind profile '{name}' (known: {known})", path.display())]
    Unknown {
        /// The user config.
        path: std::path::PathBuf,
        /// The profile asked for.
        name: String,
        /// The profiles it defines.
        known: String,
    },
    /// The old TOML file does not parse.
    #[error("{}:{line}: {why}", path.display())]
    OldSyntax {
        /// The old file.
        path: std::path::PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        why: String,
    },
    /// The old TOML file parses but holds what cannot be moved.
    #[error("{}: {why}", path.display())]
    OldContent {
        /// The old file.
        path: std::path::PathBuf,
        /// What cannot be moved.
        why: String,
    },
}
