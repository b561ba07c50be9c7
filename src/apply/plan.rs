//! Which setup steps are already applied (format-spec/hako-toml.md,
//! "Applied steps"): the longest prefix of the step hashes found as
//! `Apply-Step:` trailers on HEAD's first-parent history.
#![warn(missing_docs)]

use std::collections::HashMap;

use crate::error::Result;
use crate::object::CommitRef;
use crate::oid::ObjectId;
use crate::store::ObjectStore;

/// The trailer recording an applied step.
pub const TRAILER: &str = "Apply-Step";

/// Where a run of `apply` starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Steps 1..=applied are done.
    pub applied: usize,
    /// The commit of the last applied step (None: none applied).
    pub base: Option<ObjectId>,
    /// HEAD is not `base`: reset there before running the rest.
    pub reset: bool,
}

/// The `Apply-Step:` value of a commit message, if any.
pub fn trailer(message: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(message).ok()?;
    text.lines().rev().find_map(|l| {
        l.strip_prefix(TRAILER)
            .and_then(|r| r.strip_prefix(": "))
            .map(|v| v.trim().to_string())
    })
}

/// Plan a run for `hashes` (h_1..h_n) given the container's HEAD commit.
/// The history walked is bounded: first parents only, at most `limit`.
pub fn plan(store: &dyn ObjectStore, head: Option<ObjectId>, hashes: &[String]) -> Result<Plan> {
    let mut found: HashMap<String, ObjectId> = HashMap::new();
    let mut cur = head;
    let mut n = 0;
    while let Some(id) = cur {
        n += 1;
        if n > 100_000 {
            break;
        }
        let o = store.read(&id)?;
        let c = CommitRef::parse(&o.data)?;
        if let Some(h) = trailer(c.message) {
            found.entry(h).or_insert(id);
        }
        cur = crate::revparse::visible_parents(store, &id, &c)?
            .first()
            .copied();
    }
    let mut applied = 0;
    let mut base = None;
    for (i, h) in hashes.iter().enumerate() {
        match found.get(h) {
            Some(c) => {
                applied = i + 1;
                base = Some(*c);
            }
            None => break,
        }
    }
    let reset = match base {
        Some(b) => head != Some(b),
        None => false,
    };
    Ok(Plan {
        applied,
        base,
        reset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers() {
        assert_eq!(
            trailer(b"apk add x\n\nApply-Step: ab12\n").as_deref(),
            Some("ab12")
        );
        assert_eq!(trailer(b"no trailer\n"), None);
    }
}
