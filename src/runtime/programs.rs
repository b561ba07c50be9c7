//! The program cache (runtime.md, "Program cache"): the plain content of the
//! programs `run` starts, by content id, under `.hako/cache/programs/`, so
//! that the next start of the same program copies it instead of
//! decompressing every chunk again. Each chunk is checked against its id when
//! read back, as an object from the store would be; a file that fails the
//! check is removed and the program decoded from the store.
#![warn(missing_docs)]

use crate::object::{hash_object, ObjectType};
use crate::oid::ObjectId;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The cache's size bound: after a new entry, the oldest go until the rest fit.
const CAP_BYTES: u64 = 256 << 20;

/// The cache directory of the `.hako` directory `dot_hako`.
pub fn dir(dot_hako: &Path) -> PathBuf {
    dot_hako.join("cache").join("programs")
}

/// Content `id` (its chunks: where each ends in the content, and its id)
/// from the cache, mapped read-only, every chunk verified; None when absent
/// or failing the check (then the entry is removed). Entries are only ever
/// replaced by rename, never written in place, so the mapping stays as
/// verified.
pub fn load(dir: &Path, id: &ObjectId, ends: &[u64], chunks: &[ObjectId]) -> Option<memmap2::Mmap> {
    let path = dir.join(id.to_hex());
    let f = std::fs::File::open(&path).ok()?;
    let good = |map: &memmap2::Mmap| {
        map.len() as u64 == ends.last().copied().unwrap_or(0)
            && ends.iter().zip(chunks).enumerate().all(|(i, (&end, cid))| {
                let start = if i == 0 { 0 } else { ends[i - 1] };
                hash_object(ObjectType::Blob, &map[start as usize..end as usize]) == *cid
            })
    };
    match crate::sys::map_file(&f) {
        Ok(map) if good(&map) => Some(map),
        _ => {
            let _ = std::fs::remove_file(&path);
            None
        }
    }
}

/// Keep content `id` (its chunks `parts`, in order) in the cache: a
/// temporary file renamed into place, then the oldest entries removed while
/// the cache holds more than `CAP_BYTES`. Failures are ignored: it is a cache.
pub fn store(dir: &Path, id: &ObjectId, parts: &[&[u8]]) {
    let path = dir.join(id.to_hex());
    if path.exists() || std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        &id.to_hex()[..16]
    ));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| parts.iter().try_for_each(|p| f.write_all(p)));
    if written.is_err() || std::fs::rename(&tmp, &path).is_err() {
        let _ = std::fs::remove_file(&tmp);
        return;
    }
    trim(dir, CAP_BYTES);
}

/// Remove the oldest entries (by modification time) until the rest hold at
/// most `cap` bytes; leftover temporary files older than a minute go too.
pub fn trim(dir: &Path, cap: u64) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    let mut entries = Vec::new();
    for e in rd.flatten() {
        let Ok(m) = e.metadata() else { continue };
        let mtime = m.modified().unwrap_or(now);
        if e.file_name().to_string_lossy().starts_with(".tmp-") {
            if now.duration_since(mtime).is_ok_and(|d| d.as_secs() > 60) {
                let _ = std::fs::remove_file(e.path());
            }
            continue;
        }
        entries.push((mtime, m.len(), e.path()));
    }
    let mut total: u64 = entries.iter().map(|(_, l, _)| l).sum();
    entries.sort();
    for (_, len, path) in entries {
        if total <= cap {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total -= len;
        }
    }
}

/// Remove the entries (and leftover temporary files) whose content `keep`
/// refuses: gc drops those whose objects the store no longer has.
pub fn prune(dot_hako: &Path, keep: impl Fn(&ObjectId) -> bool) {
    let Ok(rd) = std::fs::read_dir(dir(dot_hako)) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name();
        let kept = ObjectId::from_hex(&name.to_string_lossy()).is_ok_and(|id| keep(&id));
        if !kept {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where each part ends, and its blob id.
    fn chunks(parts: &[&[u8]]) -> (Vec<u64>, Vec<ObjectId>) {
        let mut end = 0;
        parts
            .iter()
            .map(|p| {
                end += p.len() as u64;
                (end, hash_object(ObjectType::Blob, p))
            })
            .unzip()
    }

    #[test]
    fn round_trip_verifies_and_drops_a_damaged_entry() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("programs");
        let parts: [&[u8]; 2] = [b"first chunk", b"second"];
        let (ends, ids) = chunks(&parts);
        let id = hash_object(ObjectType::File, b"whatever names the file");
        assert!(load(&d, &id, &ends, &ids).is_none());
        store(&d, &id, &parts);
        let got = load(&d, &id, &ends, &ids).unwrap();
        assert_eq!(&got[..], b"first chunksecond");
        // One flipped byte: refused, and the entry is gone.
        let p = d.join(id.to_hex());
        let mut raw = std::fs::read(&p).unwrap();
        raw[3] ^= 1;
        std::fs::write(&p, raw).unwrap();
        assert!(load(&d, &id, &ends, &ids).is_none());
        assert!(!p.exists());
        // A wrong length is refused too.
        store(&d, &id, &[b"first chunk".as_slice()]);
        assert!(load(&d, &id, &ends, &ids).is_none());
    }

    #[test]
    fn trim_removes_the_oldest_first() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        for (i, name) in ["a", "b", "c"].iter().enumerate() {
            let p = d.join(name);
            std::fs::write(&p, vec![0u8; 100]).unwrap();
            let when = std::time::SystemTime::UNIX_EPOCH
                + std::time::Duration::from_secs(1_000_000 + i as u64);
            std::fs::File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_modified(when)
                .unwrap();
        }
        trim(d, 200);
        assert!(!d.join("a").exists());
        assert!(d.join("b").exists() && d.join("c").exists());
    }

    #[test]
    fn prune_keeps_what_the_store_has() {
        let t = tempfile::tempdir().unwrap();
        let (kept, gone) = (
            hash_object(ObjectType::Blob, b"kept"),
            hash_object(ObjectType::Blob, b"gone"),
        );
        store(&dir(t.path()), &kept, &[b"kept".as_slice()]);
        store(&dir(t.path()), &gone, &[b"gone".as_slice()]);
        std::fs::write(dir(t.path()).join(".tmp-1-x"), b"partial").unwrap();
        prune(t.path(), |id| *id == kept);
        let left: Vec<_> = std::fs::read_dir(dir(t.path()))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(left, vec![kept.to_hex()]);
    }
}
