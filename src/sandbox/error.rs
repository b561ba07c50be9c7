//! Sandbox errors: each names the step that failed and, where there is one, the path.
#![warn(missing_docs)]

use nix::errno::Errno;

/// Why the sandbox could not set up or run a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad arguments: bind syntax, unknown policy, missing ROOTFS…
    #[error("{0}")]
    Usage(String),
    /// A system call failed at a named step.
    #[error("{step}: {errno}{hint}")]
    Sys {
        /// The step, naming the path if any.
        step: String,
        /// The error the kernel returned.
        errno: Errno,
        /// A `; …` explanation, or empty.
        hint: String,
    },
    /// A process could not be moved into the sandbox's cgroup.
    #[error("cgroup {}: cannot move pid {pid} into {}: {err}", cgroup.display(), procs.display())]
    CgroupAttach {
        /// The cgroup's directory.
        cgroup: std::path::PathBuf,
        /// The process.
        pid: libc::pid_t,
        /// Its `cgroup.procs` file.
        procs: std::path::PathBuf,
        /// What the system reported.
        err: std::io::Error,
    },
    /// A failure that the sandbox's own processes reported.
    #[error("{0}")]
    Setup(String),
    /// The command could not be executed: CODE is 127 when it was not
    /// found, 126 when it was found but could not run (as shells exit).
    #[error("{msg}")]
    Exec {
        /// The exit status: 126 or 127.
        code: i32,
        /// The message.
        msg: String,
    },
}

impl Error {
    /// The exit status hako gives for this error: the command's 126/127, else 125.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Exec { code, .. } => *code,
            _ => 125,
        }
    }

    /// A failed system call at STEP (which names the path, if any).
    pub fn sys(step: impl Into<String>, errno: Errno) -> Error {
        Error::Sys {
            step: step.into(),
            errno,
            hint: String::new(),
        }
    }

    /// The same, with a one-phrase explanation appended.
    pub fn sys_hint(step: impl Into<String>, errno: Errno, hint: Option<String>) -> Error {
        Error::Sys {
            step: step.into(),
            errno,
            hint: hint.map(|h| format!("; {h}")).unwrap_or_default(),
        }
    }
}

/// Why a check of what the host allows (`hako bootstrap`, the overlay
/// probe) failed: each message is the one users see.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// A child made in a new user namespace did not exit cleanly.
    #[error("a child in a new user namespace exited with status {0}")]
    UserNamespaceChild(i32),
    /// A new user namespace was refused; DIAGNOSIS names the host switch
    /// that refuses it, where one does.
    #[error("clone(CLONE_NEWUSER): {errno}{}", diagnosis.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    CloneUserNamespace {
        /// The error the kernel returned.
        errno: Errno,
        /// Why the host refuses, when a known switch says so.
        diagnosis: Option<String>,
    },
    /// cgroup limits cannot be applied.
    #[error(transparent)]
    Cgroup(#[from] super::cgroup::Unavailable),
    /// A subordinate id range cannot be read.
    #[error(transparent)]
    Subordinate(#[from] Error),
    /// A setuid helper of `--map-users` is not installed.
    #[error("{0} is missing (apt-get install uidmap)")]
    MissingHelper(&'static str),
    /// Overlay mount options cannot hold a NUL.
    #[error("options hold a NUL")]
    OptionsNul,
    /// A system call of the parent failed (STEP: pipe, fork, waitpid).
    #[error("{step}: {errno}")]
    Sys {
        /// The call.
        step: &'static str,
        /// The error the kernel returned.
        errno: Errno,
    },
    /// A step of the overlay probe's child failed.
    #[error("{step}: {errno}")]
    Step {
        /// The step, as named in format-spec/runtime.md.
        step: &'static str,
        /// The error the kernel returned.
        errno: Errno,
    },
    /// The overlay probe's child exited with this status, saying nothing.
    #[error("probe exited with {0}")]
    ProbeExit(i32),
}

/// What the function `run_in_user_namespace` ran in its child failed with:
/// its message, carried across the process boundary as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ChildFailed(pub String);

/// The sandbox's result type, with its `Error` by default.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Something the sandbox did differently from what was asked, returned for
/// the caller to report (the engine prints nothing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Warning {
    /// cgroup limits were not applied. CONDITION names the host condition
    /// in a few stable words (to report it once per condition), WHY the detail.
    #[error("cgroup limits not applied: {why}")]
    CgroupNotApplied {
        /// The host condition in a few stable words.
        condition: String,
        /// The detail.
        why: String,
    },
    /// A message from the sandbox's own setup (e.g. the host's /proc bound
    /// where a fresh one was refused).
    #[error("{0}")]
    Sandbox(String),
    /// A mount point hako created in ROOTFS could not be removed afterwards.
    #[error("cannot remove the mount point {} that hako created in ROOTFS: {why}", path.display())]
    MountpointLeft {
        /// The mount point.
        path: std::path::PathBuf,
        /// Why it could not be removed.
        why: String,
    },
}
