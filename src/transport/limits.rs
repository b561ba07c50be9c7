//! The protocol's limits on what one message may hold (format-spec/protocol.md,
//! "Limits"), enforced by both ends so that a peer that never sends its flush
//! cannot make the other hold an unbounded message.

use crate::transport::TransportError;

/// Lines of one section (the lines up to a flush): refs advertised, wants,
/// push commands, shallow lines, report lines.
pub const MAX_SECTION_LINES: usize = 1_000_000;
/// Payload bytes of one section.
pub const MAX_SECTION_BYTES: usize = 64 << 20;
/// `have` lines of one round (and the ACKs answering it).
pub const MAX_HAVE_LINES: usize = 256;
/// Have rounds ended by a flush before the round ended by `done`.
pub const MAX_HAVE_ROUNDS: usize = 32;

/// Counts the lines and bytes of one section against its limits.
pub struct SectionLimit {
    what: &'static str,
    max_lines: usize,
    lines: usize,
    bytes: usize,
}

impl SectionLimit {
    /// A section of at most `MAX_SECTION_LINES` lines and `MAX_SECTION_BYTES`.
    pub fn new(what: &'static str) -> SectionLimit {
        SectionLimit::lines(what, MAX_SECTION_LINES)
    }

    /// A section of at most `max_lines` lines (and `MAX_SECTION_BYTES`).
    pub fn lines(what: &'static str, max_lines: usize) -> SectionLimit {
        SectionLimit {
            what,
            max_lines,
            lines: 0,
            bytes: 0,
        }
    }

    /// Count one line of `len` bytes; an error names the limit it passes.
    pub fn take(&mut self, len: usize) -> Result<(), TransportError> {
        self.lines += 1;
        self.bytes += len;
        let exceeded = |max, unit| TransportError::LimitExceeded {
            what: self.what,
            max,
            unit,
        };
        if self.lines > self.max_lines {
            return Err(exceeded(self.max_lines, "lines"));
        }
        if self.bytes > MAX_SECTION_BYTES {
            return Err(exceeded(MAX_SECTION_BYTES, "bytes"));
        }
        Ok(())
    }
}
