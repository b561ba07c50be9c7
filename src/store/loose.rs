//! Loose objects: one zstd-compressed file per object (format-spec/loose-objects.md).
#![warn(missing_docs)]

use crate::store::PackError;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tempfile::TempPath;

use crate::error::{Error, IoContext, Result};
use crate::object::{hash_object, header, parse_header, Object, ObjectType};
use crate::oid::ObjectId;
use crate::store::{Damage, LocalStore, ObjectStore};
use crate::sys::fsync_dir;

const ZSTD_LEVEL: i32 = 3;

/// Loose objects: one zstd-compressed file per object under `objects/`.
pub struct LooseStore {
    dir: PathBuf,
}

impl LooseStore {
    /// The loose objects under `dir`.
    pub fn new(dir: &Path) -> LooseStore {
        LooseStore {
            dir: dir.to_path_buf(),
        }
    }

    /// The `objects/` directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file object `id` is (or would be) stored in.
    pub fn path_of(&self, id: &ObjectId) -> PathBuf {
        let hex = id.to_hex();
        self.dir.join(&hex[..2]).join(&hex[2..])
    }

    fn fanout_dir(&self, id: &ObjectId) -> Result<PathBuf> {
        let d = self.dir.join(&id.to_hex()[..2]);
        if !d.is_dir() {
            match fs::create_dir(&d) {
                Ok(()) => fsync_dir(&self.dir)?,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e).at(&d),
            }
        }
        Ok(d)
    }

    fn compress(kind: ObjectType, data: &[u8]) -> Result<Vec<u8>> {
        crate::object::check_size(kind, data.len() as u64)?;
        let hdr = header(kind, data.len() as u64);
        let mut enc =
            zstd::stream::Encoder::new(Vec::with_capacity(data.len() / 2 + 64), ZSTD_LEVEL)
                .map_err(PackError::Zstd)?;
        enc.set_pledged_src_size(Some((hdr.len() + data.len()) as u64))
            .and_then(|_| enc.include_contentsize(true))
            .and_then(|_| enc.write_all(&hdr))
            .and_then(|_| enc.write_all(data))
            .map_err(PackError::Zstd)?;
        Ok(enc.finish().map_err(PackError::Zstd)?)
    }

    /// Write compressed bytes to a temp file `tmp_obj_<random>` in `dir`
    /// (removed if dropped unrenamed); optionally fsync it. The file is
    /// closed: a batch stages more files than a process may hold open.
    fn write_tmp(dir: &Path, bytes: &[u8], sync: bool) -> Result<TempPath> {
        let mut tmp = crate::fsutil::tmp_file(dir, "tmp_obj_", 0o444)?;
        tmp.write_all(bytes).at(tmp.path())?;
        if sync {
            tmp.as_file().sync_all().at(tmp.path())?;
        }
        Ok(tmp.into_temp_path())
    }

    /// Rename a staged temp file to `path` (removed if that fails).
    fn publish(tmp: TempPath, path: &Path) -> Result<()> {
        tmp.persist(path).map_err(|e| e.error).at(path)
    }

    fn write_one(&self, id: &ObjectId, kind: ObjectType, data: &[u8]) -> Result<()> {
        let path = self.path_of(id);
        if path.exists() {
            return Ok(());
        }
        let dir = self.fanout_dir(id)?;
        let bytes = Self::compress(kind, data)?;
        let tmp = Self::write_tmp(&dir, &bytes, true)?;
        Self::publish(tmp, &path)?;
        fsync_dir(&dir)
    }

    /// Write many objects durably with one filesystem sync: write every temp
    /// file, syncfs once, then rename each into place and sync the directories.
    pub fn write_batch(&self, objects: &[(ObjectType, &[u8])]) -> Result<Vec<ObjectId>> {
        let staged: Vec<(ObjectId, Option<TempPath>)> = objects
            .par_iter()
            .map(|(kind, data)| {
                let id = hash_object(*kind, data);
                if self.path_of(&id).exists() {
                    return Ok((id, None));
                }
                let dir = self.fanout_dir(&id)?;
                let bytes = Self::compress(*kind, data)?;
                let tmp = Self::write_tmp(&dir, &bytes, false)?;
                Ok((id, Some(tmp)))
            })
            .collect::<Result<_>>()?;
        if staged.iter().any(|(_, t)| t.is_some()) {
            let d = File::open(&self.dir).at(&self.dir)?;
            nix::unistd::syncfs(&d).map_err(|e| Error::Io {
                path: self.dir.clone(),
                err: e.into(),
            })?;
        }
        let mut dirs = std::collections::BTreeSet::new();
        let mut ids = Vec::with_capacity(staged.len());
        for (id, tmp) in staged {
            if let Some(tmp) = tmp {
                let path = self.path_of(&id);
                Self::publish(tmp, &path)?;
                dirs.insert(path.parent().unwrap().to_path_buf());
            }
            ids.push(id);
        }
        dirs.par_iter().try_for_each(|d| fsync_dir(d))?;
        Ok(ids)
    }

    fn open_decoder(&self, id: &ObjectId) -> Result<(PathBuf, File)> {
        let path = self.path_of(id);
        match File::open(&path) {
            Ok(f) => Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::NotFound(*id)),
            Err(e) => Err(e).at(&path),
        }
    }
}

/// Decode the bytes of a loose object file (one zstd frame holding the
/// object's header and payload); the caller checks the id.
pub(crate) fn decode_loose(raw: &[u8]) -> std::result::Result<Object, Damage> {
    let mut buf = crate::store::decompress_frame(raw, None)?;
    let (kind, len, hlen) = parse_header(&buf).map_err(|e| Damage::Header(Box::new(e)))?;
    if (buf.len() - hlen) as u64 != len {
        return Err(Damage::HeaderLength {
            said: len,
            found: buf.len() - hlen,
        });
    }
    buf.drain(..hlen);
    Ok(Object { kind, data: buf })
}

impl LooseStore {
    /// Whether more than `limit` loose objects are stored: names are counted
    /// (no stat, no read), fan-out directory by directory, stopping as soon
    /// as the count passes `limit`.
    pub fn count_exceeds(&self, limit: usize) -> Result<bool> {
        let mut n = 0usize;
        for b in 0..=255u8 {
            let d = self.dir.join(format!("{b:02x}"));
            let rd = match fs::read_dir(&d) {
                Ok(rd) => rd,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e).at(&d),
            };
            n += rd.count();
            if n > limit {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl ObjectStore for LooseStore {
    fn contains(&self, id: &ObjectId) -> Result<bool> {
        let p = self.path_of(id);
        match fs::symlink_metadata(&p) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e).at(&p),
        }
    }

    fn read(&self, id: &ObjectId) -> Result<Object> {
        let (path, f) = self.open_decoder(id)?;
        let corrupt = |why: Damage| Error::Corrupt {
            id: *id,
            path: path.clone(),
            why,
        };
        let mut raw = Vec::new();
        (&f).read_to_end(&mut raw).at(&path)?;
        let o = decode_loose(&raw).map_err(corrupt)?;
        let actual = o.id();
        if actual != *id {
            return Err(corrupt(Damage::HashMismatch(actual)));
        }
        Ok(o)
    }

    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
        let (path, f) = self.open_decoder(id)?;
        let mut buf = [0u8; 40];
        let mut n = 0;
        let mut d = zstd::stream::Decoder::new(f).at(&path)?;
        while n < buf.len() {
            match d.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) => {
                    return Err(Error::Corrupt {
                        id: *id,
                        path,
                        why: Damage::Decompress(e),
                    })
                }
            }
        }
        let (kind, len, _) = parse_header(&buf[..n]).map_err(|e| Error::Corrupt {
            id: *id,
            path,
            why: Damage::Header(Box::new(e)),
        })?;
        Ok((kind, len))
    }

    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId> {
        let id = hash_object(kind, data);
        self.write_one(&id, kind, data)?;
        Ok(id)
    }
}

impl LocalStore for LooseStore {
    fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<ObjectId>> {
        let mut out = Vec::new();
        let fan = &prefix[..2];
        let rest = &prefix[2..];
        let d = self.dir.join(fan);
        let rd = match fs::read_dir(&d) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e).at(&d),
        };
        for ent in rd {
            let ent = ent.at(&d)?;
            let name = ent.file_name();
            let name = name.to_string_lossy();
            if name.len() == 62 && name.starts_with(rest) {
                if let Ok(id) = ObjectId::from_hex(&format!("{fan}{name}")) {
                    out.push(id);
                    if out.len() >= limit {
                        break;
                    }
                }
            }
        }
        Ok(out)
    }

    fn list_ids(&self) -> Result<Vec<ObjectId>> {
        let mut out = Vec::new();
        for b in 0..=255u8 {
            out.extend(self.ids_with_prefix(&format!("{b:02x}"), usize::MAX)?);
        }
        out.sort();
        Ok(out)
    }

    fn remove_loose(&self, id: &ObjectId) -> Result<bool> {
        let p = self.path_of(id);
        match fs::remove_file(&p) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e).at(&p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn write_read_verify() {
        let t = tempfile::tempdir().unwrap();
        let s = LooseStore::new(t.path());
        let id = s.write(ObjectType::Blob, b"hello\n").unwrap();
        let o = s.read(&id).unwrap();
        assert_eq!(o.data, b"hello\n");
        assert_eq!(s.read_header(&id).unwrap(), (ObjectType::Blob, 6));
        // Corrupt it: replace with a valid frame of different content.
        let p = s.path_of(&id);
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        fs::write(&p, zstd::encode_all(&b"blob 6\0hellO\n"[..], 3).unwrap()).unwrap();
        assert!(matches!(s.read(&id), Err(Error::Corrupt { .. })));
    }

    #[test]
    fn batch() {
        let t = tempfile::tempdir().unwrap();
        let s = LooseStore::new(t.path());
        let objs: Vec<(ObjectType, &[u8])> = vec![
            (ObjectType::Blob, b"a"),
            (ObjectType::Blob, b"b"),
            (ObjectType::Blob, b"a"),
        ];
        let ids = s.write_batch(&objs).unwrap();
        assert_eq!(ids[0], ids[2]);
        assert_eq!(s.read(&ids[1]).unwrap().data, b"b");
    }
}
