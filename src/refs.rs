//! Refs: plain files under `.hako/`, updated under a lock file with
//! compare-and-swap semantics, with a reflog (format-spec/refs.md).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};
use crate::fsutil::LockFile;
use crate::identity::Signature;
use crate::oid::ObjectId;
use crate::store::loose::fsync_dir;

const MAX_SYMREF_DEPTH: usize = 5;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefValue {
    Direct(ObjectId),
    Symbolic(String),
}

/// What the caller expects a ref to hold before an update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// No check.
    Any,
    /// The ref must not exist.
    Absent,
    /// The ref must hold exactly this id.
    Value(ObjectId),
}

impl Expect {
    /// `None` = any; the zero id = absent.
    pub fn from_opt(o: Option<ObjectId>) -> Expect {
        match o {
            None => Expect::Any,
            Some(id) if id.is_zero() => Expect::Absent,
            Some(id) => Expect::Value(id),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ReflogEntry {
    pub old: ObjectId,
    pub new: ObjectId,
    pub who: String,
    pub message: String,
}

pub struct RefStore {
    root: PathBuf,
}

/// Check a full ref name against format-spec/refs.md.
pub fn check_ref_name(name: &str) -> Result<()> {
    let bad = || Error::BadRefName(name.escape_debug().to_string());
    if name == "HEAD" {
        return Ok(());
    }
    if !name.starts_with("refs/") || name.ends_with('/') || name.ends_with('.') {
        return Err(bad());
    }
    if name.contains("..") || name.contains("@{") {
        return Err(bad());
    }
    if name
        .bytes()
        .any(|c| c < 0x20 || c == 0x7f || b" ~^:?*[\\".contains(&c))
    {
        return Err(bad());
    }
    for comp in name.split('/') {
        if comp.is_empty() || comp.starts_with('.') || comp.ends_with(".lock") {
            return Err(bad());
        }
    }
    Ok(())
}

/// Check a short branch/tag name (one or more components, no `refs/` prefix needed).
pub fn check_short_name(kind: &str, short: &str) -> Result<()> {
    if short.is_empty() || short.starts_with('-') || short == "HEAD" {
        return Err(Error::BadRefName(short.escape_debug().to_string()));
    }
    check_ref_name(&format!("refs/{kind}/{short}"))
        .map_err(|_| Error::BadRefName(short.escape_debug().to_string()))
}

impl RefStore {
    pub fn new(root: &Path) -> RefStore {
        RefStore {
            root: root.to_path_buf(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Read one ref file without following symbolic refs.
    pub fn read(&self, name: &str) -> Result<Option<RefValue>> {
        check_ref_name(name)?;
        let p = self.path(name);
        let s = match fs::read_to_string(&p) {
            Ok(s) => s,
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound
                    || e.kind() == std::io::ErrorKind::NotADirectory
                    || e.kind() == std::io::ErrorKind::IsADirectory =>
            {
                return Ok(None)
            }
            Err(e) => return Err(e).at(&p),
        };
        let s = s.trim_end_matches('\n');
        if let Some(t) = s.strip_prefix("ref: ") {
            return Ok(Some(RefValue::Symbolic(t.to_string())));
        }
        ObjectId::from_hex(s)
            .map(|id| Some(RefValue::Direct(id)))
            .map_err(|_| Error::Invalid(format!("{}: not a valid ref file", p.display())))
    }

    /// Follow symbolic refs; returns (final ref name, its id if it exists).
    pub fn resolve_name(&self, name: &str) -> Result<(String, Option<ObjectId>)> {
        let mut cur = name.to_string();
        for _ in 0..=MAX_SYMREF_DEPTH {
            match self.read(&cur)? {
                None => return Ok((cur, None)),
                Some(RefValue::Direct(id)) => return Ok((cur, Some(id))),
                Some(RefValue::Symbolic(t)) => cur = t,
            }
        }
        Err(Error::RefLoop(name.to_string()))
    }

    pub fn resolve(&self, name: &str) -> Result<Option<ObjectId>> {
        Ok(self.resolve_name(name)?.1)
    }

    fn lock(&self, name: &str) -> Result<LockFile> {
        LockFile::acquire(&self.path(name), |path| Error::RefLocked {
            name: name.to_string(),
            path,
        })
    }

    /// Commit a ref's lock, refusing to replace a directory of refs.
    fn commit(&self, lock: LockFile, name: &str) -> Result<()> {
        let dest = self.path(name);
        if dest.is_dir() {
            return Err(Error::Invalid(format!(
                "cannot create ref {}: a directory of refs is in the way",
                dest.display()
            )));
        }
        lock.commit(&dest)
    }

    fn check_expect(name: &str, current: Option<ObjectId>, expect: Expect) -> Result<()> {
        let show = |o: Option<ObjectId>| o.map(|i| i.to_hex()).unwrap_or_else(|| "nothing".into());
        let ok = match expect {
            Expect::Any => true,
            Expect::Absent => current.is_none(),
            Expect::Value(v) => current == Some(v),
        };
        if ok {
            return Ok(());
        }
        Err(Error::RefMismatch {
            name: name.to_string(),
            expected: match expect {
                Expect::Absent => "nothing".into(),
                Expect::Value(v) => v.to_hex(),
                Expect::Any => unreachable!(),
            },
            found: show(current),
        })
    }

    /// Set a ref (following symbolic refs from `name`) to `new`, atomically,
    /// if it currently matches `expect`.
    pub fn update(
        &self,
        name: &str,
        new: ObjectId,
        expect: Expect,
        who: &Signature,
        msg: &str,
    ) -> Result<()> {
        check_ref_name(name)?;
        let (target, _) = self.resolve_name(name)?;
        check_ref_name(&target)?;
        let mut lock = self.lock(&target)?;
        let current = match self.read(&target)? {
            Some(RefValue::Direct(id)) => Some(id),
            _ => None,
        };
        Self::check_expect(&target, current, expect)?;
        lock.write(format!("{new}\n").as_bytes())?;
        self.log(&target, current.unwrap_or(ObjectId::ZERO), new, who, msg)?;
        if target != "HEAD" && self.head_target()?.as_deref() == Some(target.as_str()) {
            self.log("HEAD", current.unwrap_or(ObjectId::ZERO), new, who, msg)?;
        }
        self.commit(lock, &target)
    }

    /// Delete a ref (the ref itself, not what a symbolic ref points to).
    pub fn delete(&self, name: &str, expect: Expect, who: &Signature, msg: &str) -> Result<()> {
        check_ref_name(name)?;
        let (target, _) = self.resolve_name(name)?;
        let lock = self.lock(&target)?;
        let current = match self.read(&target)? {
            Some(RefValue::Direct(id)) => Some(id),
            _ => None,
        };
        if current.is_none() {
            drop(lock);
            return Err(Error::RefNotFound(name.to_string()));
        }
        Self::check_expect(&target, current, expect)?;
        let p = self.path(&target);
        fs::remove_file(&p).at(&p)?;
        self.log(&target, current.unwrap(), ObjectId::ZERO, who, msg)?;
        if let Some(parent) = p.parent() {
            fsync_dir(parent)?;
        }
        drop(lock);
        // Prune empty directories below refs/.
        let mut dir = p.parent().map(Path::to_path_buf);
        while let Some(d) = dir {
            if d == self.root.join("refs") || !d.starts_with(self.root.join("refs")) {
                break;
            }
            if fs::remove_dir(&d).is_err() {
                break;
            }
            dir = d.parent().map(Path::to_path_buf);
        }
        Ok(())
    }

    /// Make `name` itself hold `new` (not what it points to), e.g. to detach HEAD.
    pub fn update_no_deref(
        &self,
        name: &str,
        new: ObjectId,
        who: &Signature,
        msg: &str,
    ) -> Result<()> {
        check_ref_name(name)?;
        let old = self.resolve(name)?.unwrap_or(ObjectId::ZERO);
        let mut lock = self.lock(name)?;
        lock.write(format!("{new}\n").as_bytes())?;
        self.log(name, old, new, who, msg)?;
        self.commit(lock, name)
    }

    /// Append a reflog record without moving the ref (e.g. HEAD switching branches).
    pub fn append_reflog(
        &self,
        name: &str,
        old: ObjectId,
        new: ObjectId,
        who: &Signature,
        msg: &str,
    ) -> Result<()> {
        check_ref_name(name)?;
        self.log(name, old, new, who, msg)
    }

    /// Point `name` at `target` symbolically (e.g. HEAD -> refs/heads/main).
    pub fn set_symbolic(&self, name: &str, target: &str) -> Result<()> {
        check_ref_name(name)?;
        check_ref_name(target)?;
        let mut lock = self.lock(name)?;
        lock.write(format!("ref: {target}\n").as_bytes())?;
        self.commit(lock, name)
    }

    /// The ref HEAD points to symbolically, if any.
    pub fn head_target(&self) -> Result<Option<String>> {
        match self.read("HEAD")? {
            Some(RefValue::Symbolic(t)) => Ok(Some(t)),
            _ => Ok(None),
        }
    }

    /// All direct refs under `prefix` (e.g. "refs/" or "refs/heads/"), sorted by name.
    pub fn list(&self, prefix: &str) -> Result<Vec<(String, ObjectId)>> {
        let mut out = Vec::new();
        let base = self.root.join(prefix.trim_end_matches('/'));
        if base.is_dir() {
            self.walk(&base, &mut out)?;
        }
        out.sort();
        Ok(out)
    }

    fn walk(&self, dir: &Path, out: &mut Vec<(String, ObjectId)>) -> Result<()> {
        for ent in fs::read_dir(dir).at(dir)? {
            let ent = ent.at(dir)?;
            let p = ent.path();
            let ft = ent.file_type().at(&p)?;
            if ft.is_dir() {
                self.walk(&p, out)?;
                continue;
            }
            let rel = p
                .strip_prefix(&self.root)
                .unwrap()
                .to_string_lossy()
                .to_string();
            if check_ref_name(&rel).is_err() {
                continue; // lock files and strays
            }
            if let Some(RefValue::Direct(id)) = self.read(&rel)? {
                out.push((rel, id));
            }
        }
        Ok(())
    }

    fn log(
        &self,
        name: &str,
        old: ObjectId,
        new: ObjectId,
        who: &Signature,
        msg: &str,
    ) -> Result<()> {
        let p = self.root.join("logs").join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).at(parent)?;
        }
        let msg: String = msg
            .chars()
            .map(|c| if c == '\n' { ' ' } else { c })
            .collect();
        let line = format!("{old} {new} {who}\t{msg}\n");
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&p)
            .at(&p)?;
        f.write_all(line.as_bytes()).at(&p)?;
        f.sync_data().at(&p)
    }

    /// Reflog of a ref, newest first.
    pub fn reflog(&self, name: &str) -> Result<Vec<ReflogEntry>> {
        check_ref_name(name)?;
        let p = self.root.join("logs").join(name);
        let s = match fs::read_to_string(&p) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e).at(&p),
        };
        let mut out = Vec::new();
        for line in s.lines() {
            let (head, message) = line.split_once('\t').unwrap_or((line, ""));
            let mut it = head.splitn(3, ' ');
            let (Some(o), Some(n), Some(who)) = (it.next(), it.next(), it.next()) else {
                continue;
            };
            let (Ok(old), Ok(new)) = (ObjectId::from_hex(o), ObjectId::from_hex(n)) else {
                continue;
            };
            out.push(ReflogEntry {
                old,
                new,
                who: who.to_string(),
                message: message.to_string(),
            });
        }
        out.reverse();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig() -> Signature {
        Signature::parse("T <t@x> 0 +0000").unwrap()
    }

    #[test]
    fn names() {
        for ok in [
            "HEAD",
            "refs/heads/main",
            "refs/tags/v1.0",
            "refs/heads/a/b",
        ] {
            check_ref_name(ok).unwrap();
        }
        for bad in [
            "refs/heads/a..b",
            "refs/heads/x.lock",
            "refs/heads/a\x01",
            "refs/heads/",
            "main",
            "refs/heads/.hidden",
            "refs/heads/a b",
            "refs/heads/a:b",
        ] {
            assert!(check_ref_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cas_and_reflog() {
        let t = tempfile::tempdir().unwrap();
        let r = RefStore::new(t.path());
        r.set_symbolic("HEAD", "refs/heads/main").unwrap();
        let a = ObjectId([1; 32]);
        let b = ObjectId([2; 32]);
        r.update("HEAD", a, Expect::Absent, &sig(), "one").unwrap();
        assert_eq!(r.resolve("refs/heads/main").unwrap(), Some(a));
        assert!(matches!(
            r.update("refs/heads/main", b, Expect::Value(b), &sig(), "x"),
            Err(Error::RefMismatch { .. })
        ));
        r.update("refs/heads/main", b, Expect::Value(a), &sig(), "two")
            .unwrap();
        let log = r.reflog("refs/heads/main").unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].new, b);
        assert_eq!(r.reflog("HEAD").unwrap().len(), 2);
        r.delete("refs/heads/main", Expect::Value(b), &sig(), "del")
            .unwrap();
        assert_eq!(r.resolve("HEAD").unwrap(), None);
    }
}
