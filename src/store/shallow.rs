//! A shallow workspace's `.hako/shallow` (format-spec/layout.md, "Shallow
//! workspaces"): the commits whose parents are not stored. Every history
//! walk treats them as having no parents.
#![warn(missing_docs)]

use crate::store::error::ShallowFault;
use crate::store::StoreError;
use std::collections::BTreeSet;
use std::path::Path;

use crate::error::{IoContext, Result};
use crate::fsutil::LockFile;
use crate::oid::ObjectId;

/// The set of shallow commits (empty: the workspace is complete).
pub type ShallowSet = BTreeSet<ObjectId>;

/// Parse the file's content: sorted, unique 64-hex lines, each ended by LF.
pub fn parse(text: &[u8]) -> std::result::Result<ShallowSet, ShallowFault> {
    let mut out = ShallowSet::new();
    let mut last: Option<ObjectId> = None;
    if text.is_empty() {
        return Ok(out);
    }
    if !text.ends_with(b"\n") {
        return Err(ShallowFault::NoFinalNewline);
    }
    for (n, line) in text[..text.len() - 1].split(|b| *b == b'\n').enumerate() {
        let n = n + 1;
        let s = std::str::from_utf8(line).map_err(|_| ShallowFault::NotText(n))?;
        if s.len() != 64 || s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(ShallowFault::NotLowercaseHex {
                n,
                line: s.to_string(),
            });
        }
        let id = ObjectId::from_hex(s).map_err(|_| ShallowFault::NotAnId {
            n,
            line: s.to_string(),
        })?;
        if last.is_some_and(|l| l >= id) {
            return Err(ShallowFault::NotSorted(n));
        }
        last = Some(id);
        out.insert(id);
    }
    Ok(out)
}

/// The file's content for `set`.
pub fn serialize(set: &ShallowSet) -> Vec<u8> {
    let mut out = Vec::with_capacity(set.len() * 65);
    for id in set {
        out.extend_from_slice(id.to_hex().as_bytes());
        out.push(b'\n');
    }
    out
}

/// Read `path` (absent: the empty set).
pub fn read(path: &Path) -> Result<ShallowSet> {
    match std::fs::read(path) {
        Ok(b) => parse(&b).map_err(|why| {
            StoreError::BadShallow {
                path: path.to_path_buf(),
                why,
            }
            .into()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ShallowSet::new()),
        Err(e) => Err(e).at(path),
    }
}

/// Replace `path` with `set` under `path.lock` (removing it when empty).
pub fn write(path: &Path, set: &ShallowSet) -> Result<()> {
    let mut lock = LockFile::acquire(path, |p| StoreError::ShallowLocked(p.to_path_buf()).into())?;
    if set.is_empty() {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).at(path),
        }
        return crate::sys::fsync_dir(path.parent().unwrap_or(Path::new(".")));
    }
    lock.write(&serialize(set))?;
    lock.commit(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(b: u8) -> ObjectId {
        ObjectId::from_bytes(&[b; 32]).unwrap()
    }

    #[test]
    fn round_trip_and_refusals() {
        let set: ShallowSet = [id(2), id(1)].into_iter().collect();
        let text = serialize(&set);
        assert_eq!(parse(&text).unwrap(), set);
        assert!(text.starts_with(id(1).to_hex().as_bytes()));
        assert!(parse(b"").unwrap().is_empty());
        let mut unsorted = serialize(&[id(2)].into_iter().collect());
        unsorted.extend(serialize(&[id(1)].into_iter().collect()));
        assert!(parse(&unsorted).unwrap_err().to_string().contains("line 2"));
        assert!(parse(b"abc\n").unwrap_err().to_string().contains("line 1"));
        assert!(parse(&text[..text.len() - 1])
            .unwrap_err()
            .to_string()
            .contains("LF"));
        let upper = id(0xab).to_hex().to_uppercase() + "\n";
        assert!(parse(upper.as_bytes()).is_err());
    }

    #[test]
    fn write_and_remove() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("shallow");
        let set: ShallowSet = [id(7)].into_iter().collect();
        write(&p, &set).unwrap();
        assert_eq!(read(&p).unwrap(), set);
        write(&p, &ShallowSet::new()).unwrap();
        assert!(!p.exists());
        assert!(read(&p).unwrap().is_empty());
    }
}
