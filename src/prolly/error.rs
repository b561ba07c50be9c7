//! The errors of tree and file nodes: entries a tree may not hold, and
//! edits that cannot apply.
#![warn(missing_docs)]

/// Why a tree entry, a tree edit or a file splice was refused.
#[derive(Debug, thiserror::Error)]
pub enum ProllyError {
    /// A mode that is none of the file types a tree holds.
    #[error("unknown mode {0:06o}")]
    UnknownMode(u32),
    /// A name that is empty or longer than 255 bytes.
    #[error("invalid entry name '{0}': must be 1 to 255 bytes")]
    NameLength(String),
    /// A name that is `.` or `..`.
    #[error("invalid entry name '{0}'")]
    DotName(String),
    /// A name that holds `/` or NUL.
    #[error("invalid entry name '{0}': contains '/' or NUL")]
    NameChars(String),
    /// The root record `.` with a mode that is not a directory's.
    #[error("invalid entry name '.': only the root record, a directory mode, has it")]
    RootRecordMode,
    /// The root record `.` with the zero id.
    #[error("the root record '.' carries the zero id")]
    RootRecordId,
    /// A hardlink record's path that is not relative or holds `..` past its start.
    #[error("bad hardlink path '{0}'")]
    BadLinkPath(String),
    /// A device, fifo or socket record that carries an object id.
    #[error("entry '{0}': device, fifo and socket records carry the zero id")]
    SpecialWithId(String),
    /// A record other than a device, fifo or socket that carries the zero id.
    #[error("entry '{0}': missing object id")]
    MissingId(String),
    /// Entries out of order or named twice.
    #[error("entries not sorted or duplicated at '{0}'")]
    Unsorted(String),
    /// An edit whose entry has another name than the one it edits.
    #[error("edit name does not match entry")]
    EditMismatch,
    /// An edit that would replace the root directory itself.
    #[error("cannot replace the root directory itself")]
    ReplaceRoot,
    /// A splice that starts past the end of the file.
    #[error("splice at {offset} is past the end of a {size}-byte file")]
    SplicePastEnd {
        /// Where the splice starts.
        offset: u64,
        /// The file's size.
        size: u64,
    },
    /// Splitting a file into chunks again failed.
    #[error("re-chunking a file: {0}")]
    Rechunk(String),
}
