//! Sandbox errors: each names the step that failed and, where there is one, the path.

use nix::errno::Errno;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad arguments: bind syntax, unknown policy, missing ROOTFS…
    #[error("{0}")]
    Usage(String),
    /// A system call failed at a named step.
    #[error("{step}: {errno}{hint}")]
    Sys {
        step: String,
        errno: Errno,
        hint: String,
    },
    /// A failure that the sandbox's own processes reported.
    #[error("{0}")]
    Setup(String),
}

impl Error {
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

pub type Result<T, E = Error> = std::result::Result<T, E>;
