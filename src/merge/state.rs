//! A merge in progress, recorded in the container (format-spec/layout.md,
//! `MERGE` and `MERGE_CONFLICTS`): what is being merged, the state to restore
//! on abort, the message, and the conflicts not yet resolved.
#![warn(missing_docs)]

use std::fs;

use super::tree::ConflictKind;
use crate::error::{Error, IoContext, MergeError, Result};
use crate::fsutil::write_atomic;
use crate::oid::ObjectId;
use crate::refs::RefStore;

/// The contents of `MERGE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeState {
    /// The commit merged in.
    pub theirs: ObjectId,
    /// A squash merge: concluding it records one parent, not two.
    pub squash: bool,
    /// HEAD's commit and the working root before the merge (`--abort` restores them).
    pub orig_head: ObjectId,
    /// The working root before the merge.
    pub orig_working: ObjectId,
    /// The merge commit's message.
    pub message: String,
}

/// One unresolved conflict: its kind and path.
pub type ConflictRecord = (ConflictKind, Vec<u8>);

fn bad(refs: &RefStore, file: &str) -> Error {
    MergeError::MalformedState(refs.path(file)).into()
}

/// The merge in progress, if any.
pub fn read_state(refs: &RefStore) -> Result<Option<MergeState>> {
    let p = refs.path("MERGE");
    let text = match fs::read_to_string(&p) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).at(&p),
    };
    let (head, message) = text.split_once("\n\n").ok_or_else(|| bad(refs, "MERGE"))?;
    let mut lines = head.lines();
    let mut field = |name: &str| -> Result<ObjectId> {
        let l = lines.next().ok_or_else(|| bad(refs, "MERGE"))?;
        let v = l
            .strip_prefix(name)
            .and_then(|v| v.strip_prefix(' '))
            .ok_or_else(|| bad(refs, "MERGE"))?;
        ObjectId::from_hex(v).map_err(|_| bad(refs, "MERGE"))
    };
    let first = head.lines().next().unwrap_or("");
    let squash = first.starts_with("squash ");
    let theirs = field(if squash { "squash" } else { "merge-head" })?;
    let orig_head = field("orig-head")?;
    let orig_working = field("orig-working")?;
    Ok(Some(MergeState {
        theirs,
        squash,
        orig_head,
        orig_working,
        message: message.to_string(),
    }))
}

/// The unresolved conflicts of the merge in progress, in tree order.
pub fn read_conflicts(refs: &RefStore) -> Result<Vec<ConflictRecord>> {
    let p = refs.path("MERGE_CONFLICTS");
    let data = match fs::read(&p) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).at(&p),
    };
    let mut out = Vec::new();
    for rec in data.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let tab = rec
            .iter()
            .position(|&b| b == b'\t')
            .ok_or_else(|| bad(refs, "MERGE_CONFLICTS"))?;
        let kind = std::str::from_utf8(&rec[..tab])
            .ok()
            .and_then(ConflictKind::from_name)
            .ok_or_else(|| bad(refs, "MERGE_CONFLICTS"))?;
        out.push((kind, rec[tab + 1..].to_vec()));
    }
    Ok(out)
}

/// Replace the conflict list (crash-safe).
fn write_conflicts(refs: &RefStore, conflicts: &[ConflictRecord]) -> Result<()> {
    let mut data = Vec::new();
    for (k, path) in conflicts {
        data.extend_from_slice(k.name().as_bytes());
        data.push(b'\t');
        data.extend_from_slice(path);
        data.push(0);
    }
    write_atomic(&refs.path("MERGE_CONFLICTS"), &data)
}

/// Record a merge in progress: the conflict list first, then `MERGE`, whose
/// presence is what says a merge is in progress.
pub(crate) fn write_state(
    refs: &RefStore,
    st: &MergeState,
    conflicts: &[ConflictRecord],
) -> Result<()> {
    write_conflicts(refs, conflicts)?;
    let text = format!(
        "{} {}\norig-head {}\norig-working {}\n\n{}",
        if st.squash { "squash" } else { "merge-head" },
        st.theirs,
        st.orig_head,
        st.orig_working,
        st.message
    );
    write_atomic(&refs.path("MERGE"), text.as_bytes())
}

/// End the merge in progress: `MERGE` first, then the conflict list.
pub fn clear_state(refs: &RefStore) -> Result<()> {
    for f in ["MERGE", "MERGE_CONFLICTS"] {
        let p = refs.path(f);
        match fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e).at(&p),
            _ => {}
        }
    }
    Ok(())
}

/// Mark the conflicts at `path` or below it resolved; returns how many.
pub fn resolve(refs: &RefStore, path: &[u8]) -> Result<usize> {
    let all = read_conflicts(refs)?;
    let under = |p: &[u8]| {
        path.is_empty() || p == path || (p.starts_with(path) && p.get(path.len()) == Some(&b'/'))
    };
    let keep: Vec<ConflictRecord> = all.iter().filter(|(_, p)| !under(p)).cloned().collect();
    let n = all.len() - keep.len();
    if n > 0 {
        write_conflicts(refs, &keep)?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_and_conflicts_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let refs = RefStore::new(dir.path());
        assert_eq!(read_state(&refs).unwrap(), None);
        let id = |b: u8| ObjectId::from_bytes(&[b; 32]).unwrap();
        let st = MergeState {
            theirs: id(1),
            squash: false,
            orig_head: id(2),
            orig_working: id(3),
            message: "Merge x\n\nbody\n".into(),
        };
        let cs = vec![
            (ConflictKind::Content, b"a/b".to_vec()),
            (ConflictKind::Mode, b"a/b".to_vec()),
            (ConflictKind::ModifyDelete, b"a/b\nc".to_vec()),
            (ConflictKind::AddAdd, b"ab".to_vec()),
        ];
        write_state(&refs, &st, &cs).unwrap();
        assert_eq!(read_state(&refs).unwrap(), Some(st));
        assert_eq!(read_conflicts(&refs).unwrap(), cs);
        assert_eq!(resolve(&refs, b"a").unwrap(), 3);
        assert_eq!(read_conflicts(&refs).unwrap(), cs[3..]);
        clear_state(&refs).unwrap();
        assert_eq!(read_state(&refs).unwrap(), None);
        assert!(read_conflicts(&refs).unwrap().is_empty());
    }
}
