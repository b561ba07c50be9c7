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
