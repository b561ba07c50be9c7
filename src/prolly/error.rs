//! The errors of tree and file nodes: entries a tree may not hold, and
//! edits that cannot apply.

/// Why a tree entry, a tree edit or a file splice was refused.
#[derive(Debug, thiserror::Error)]
pub enum ProllyError {
    #[error("unknown mode {0:06o}")]
    UnknownMode(u32),
    #[error("invalid entry name '{0}': must be 1 to 255 bytes")]
    NameLength(String),
    #[error("invalid entry name '{0}'")]
    DotName(String),
    #[error("invalid entry name '{0}': contains '/' or NUL")]
    NameChars(String),
    #[error("invalid entry name '.': only the root record, a directory mode, has it")]
    RootRecordMode,
    #[error("the root record '.' carries the zero id")]
    RootRecordId,
    #[error("bad hardlink path '{0}'")]
    BadLinkPath(String),
    #[error("entry '{0}': device, fifo and socket records carry the zero id")]
    SpecialWithId(String),
    #[error("entry '{0}': missing object id")]
    MissingId(String),
    #[error("entries not sorted or duplicated at '{0}'")]
    Unsorted(String),
    #[error("edit name does not match entry")]
    EditMismatch,
    #[error("cannot replace the root directory itself")]
    ReplaceRoot,
    #[error("splice at {offset} is past the end of a {size}-byte file")]
    SplicePastEnd { offset: u64, size: u64 },
    #[error("re-chunking a file: {0}")]
    Rechunk(String),
}
