//! Refs: plain files under `.hako/`, updated under a lock file with
//! compare-and-swap semantics, with a reflog (format-spec/refs.md).
#![warn(missing_docs)]

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};
use crate::fsutil::LockFile;
use crate::identity::Signature;
use crate::oid::ObjectId;
use crate::sys::fsync_dir;

const MAX_SYMREF_DEPTH: usize = 5;

/// What a ref file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefValue {
    /// An object id.
    Direct(ObjectId),
    /// The name of another ref (`ref: NAME`).
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

    /// The ref is still what it was read as: `o`, or absent when `None`.
    pub fn unchanged(o: Option<ObjectId>) -> Expect {
        o.map_or(Expect::Absent, Expect::Value)
    }
}

/// One line of a reflog: a ref's move and why.
#[derive(Clone, Debug)]
pub struct ReflogEntry {
    /// The id before (zero: the ref did not exist).
    pub old: ObjectId,
    /// The id after (zero: the ref was deleted).
    pub new: ObjectId,
    /// Who moved it, and when (an identity line).
    pub who: String,
    /// Why.
    pub message: String,
}

/// Refs as files under one directory, with their reflogs in `logs/`.
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
    /// The refs under `root`.
    pub fn new(root: &Path) -> RefStore {
        RefStore {
            root: root.to_path_buf(),
        }
    }

    /// The file of ref `name`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// `WORKING`, beside the refs: the container's uncommitted root.
    pub fn working_path(&self) -> PathBuf {
        self.path("WORKING")
    }

    /// The raw `WORKING` pointer: None when the working root follows HEAD.
    pub fn read_working(&self) -> Result<Option<ObjectId>> {
        let p = self.working_path();
        match fs::read_to_string(&p) {
            Ok(s) => ObjectId::from_hex(s.trim())
                .map(Some)
                .map_err(|_| Error::BadWorkingFile(p.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).at(&p),
        }
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
            .map_err(|_| Error::BadRefFile(p))
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

    /// Follow symbolic refs to the id `name` ends at, if it exists.
    pub fn resolve(&self, name: &str) -> Result<Option<ObjectId>> {
        Ok(self.resolve_name(name)?.1)
    }

    fn lock(&self, name: &str) -> Result<LockFile> {
        LockFile::acquire(&self.path(name), |path| Error::RefLocked {
            name: name.to_string(),
            path,
        })
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

    /// Set a ref (following symbolic refs from `name`, under their locks) to
    /// `new`, atomically, if it currently matches `expect`.
    pub fn update(
        &self,
        name: &str,
        new: ObjectId,
        expect: Expect,
        who: &Signature,
        msg: &str,
    ) -> Result<()> {
        let mut t = self.transaction();
        t.update(name, new, expect, msg);
        t.commit(who)
    }

    /// Delete a ref (what a symbolic `name` points to, resolved under its lock).
    pub fn delete(&self, name: &str, expect: Expect, who: &Signature, msg: &str) -> Result<()> {
        let mut t = self.transaction();
        t.delete(name, expect, msg);
        t.commit(who)
    }

    /// Make `name` itself hold `new` (not what it points to), e.g. to detach HEAD.
    pub fn update_no_deref(
        &self,
        name: &str,
        new: ObjectId,
        who: &Signature,
        msg: &str,
    ) -> Result<()> {
        let mut t = self.transaction();
        t.update_no_deref(name, new, msg);
        t.commit(who)
    }

    /// A set of ref changes applied all or nothing.
    pub fn transaction(&self) -> RefTransaction<'_> {
        RefTransaction {
            refs: self,
            ops: Vec::new(),
            bulk: false,
        }
    }

    fn current_id(&self, name: &str) -> Result<Option<ObjectId>> {
        Ok(match self.read(name)? {
            Some(RefValue::Direct(id)) => Some(id),
            _ => None,
        })
    }

    /// Remove empty directories left below `refs/` by a deleted ref.
    fn prune_dirs(&self, ref_path: &Path) {
        let mut dir = ref_path.parent().map(Path::to_path_buf);
        while let Some(d) = dir {
            if d == self.root.join("refs") || !d.starts_with(self.root.join("refs")) {
                break;
            }
            if fs::remove_dir(&d).is_err() {
                break;
            }
            dir = d.parent().map(Path::to_path_buf);
        }
    }

    /// Append a reflog record without moving the ref; without `sync` the
    /// caller syncs the filesystem.
    fn append_reflog(
        &self,
        name: &str,
        old: ObjectId,
        new: ObjectId,
        who: &Signature,
        msg: &str,
        sync: bool,
    ) -> Result<()> {
        check_ref_name(name)?;
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
        if sync {
            f.sync_data().at(&p)?;
        }
        Ok(())
    }

    /// Make everything written below the refs directory durable at once.
    fn sync_all_refs(&self) -> Result<()> {
        let d = fs::File::open(&self.root).at(&self.root)?;
        nix::unistd::syncfs(&d).map_err(|e| Error::Io {
            path: self.root.clone(),
            err: e.into(),
        })
    }

    /// Point `name` at `target` symbolically (e.g. HEAD -> refs/heads/main).
    pub fn set_symbolic(&self, name: &str, target: &str) -> Result<()> {
        let mut t = self.transaction();
        t.set_symbolic(name, target, "");
        t.apply(None)
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

/// What a transaction does to one ref.
#[derive(Clone, Debug)]
enum Action {
    Set(ObjectId),
    Symbolic(String),
    Delete,
}

#[derive(Clone, Debug)]
struct RefOp {
    name: String,
    /// Follow symbolic refs from `name` (under their locks) to the ref changed.
    deref: bool,
    action: Action,
    expect: Expect,
    msg: String,
}

/// Several ref changes, all or nothing: every ref involved (and every
/// symbolic ref followed to reach one) is locked, every expectation checked
/// and every new value written to its lock file before any ref moves; any
/// failure before that point changes nothing.
pub struct RefTransaction<'r> {
    refs: &'r RefStore,
    ops: Vec<RefOp>,
    bulk: bool,
}

impl<'r> RefTransaction<'r> {
    /// Many refs at once (a clone, a fetch): one filesystem sync before the
    /// renames and one after, instead of three per ref.
    pub fn bulk(&mut self) -> &mut Self {
        self.bulk = true;
        self
    }

    /// Set `name` (or what it points to) to `new` if it matches `expect`.
    pub fn update(&mut self, name: &str, new: ObjectId, expect: Expect, msg: &str) -> &mut Self {
        self.push(name, true, Action::Set(new), expect, msg)
    }

    /// Set `name` itself (a symbolic ref becomes direct).
    pub fn update_no_deref(&mut self, name: &str, new: ObjectId, msg: &str) -> &mut Self {
        self.push(name, false, Action::Set(new), Expect::Any, msg)
    }

    /// Delete `name` (or what it points to) if it matches `expect`.
    pub fn delete(&mut self, name: &str, expect: Expect, msg: &str) -> &mut Self {
        self.push(name, true, Action::Delete, expect, msg)
    }

    /// Make `name` a symbolic ref to `target`; a non-empty `msg` records the
    /// move in `name`'s reflog (from what it resolved to, to what `target` holds).
    pub fn set_symbolic(&mut self, name: &str, target: &str, msg: &str) -> &mut Self {
        self.push(
            name,
            false,
            Action::Symbolic(target.to_string()),
            Expect::Any,
            msg,
        )
    }

    fn push(
        &mut self,
        name: &str,
        deref: bool,
        action: Action,
        expect: Expect,
        msg: &str,
    ) -> &mut Self {
        self.ops.push(RefOp {
            name: name.to_string(),
            deref,
            action,
            expect,
            msg: msg.to_string(),
        });
        self
    }

    /// Apply every change, or none; `who` signs the reflog records.
    pub fn commit(self, who: &Signature) -> Result<()> {
        self.apply(Some(who))
    }

    /// Apply; without a signature, only symbolic changes are allowed (they
    /// leave no reflog record).
    fn apply(self, who: Option<&Signature>) -> Result<()> {
        self.prepare()?.finish(who)
    }

    /// Lock every ref involved, check every expectation and stage every new
    /// value, moving nothing: the first half of `commit`. Several prepared
    /// transactions (of several containers) committed together are atomic
    /// across them: every check passed while all their locks were held.
    pub fn prepare(self) -> Result<PreparedRefs<'r>> {
        let refs = self.refs;
        let mut locks: std::collections::BTreeMap<String, LockFile> = Default::default();
        let lock = |name: &str, locks: &mut std::collections::BTreeMap<String, LockFile>| {
            if !locks.contains_key(name) {
                locks.insert(name.to_string(), refs.lock(name)?);
            }
            Ok::<(), Error>(())
        };
        // Lock, resolving symbolic refs under their locks.
        let mut targets = Vec::with_capacity(self.ops.len());
        for op in &self.ops {
            check_ref_name(&op.name)?;
            if let Action::Symbolic(t) = &op.action {
                check_ref_name(t)?;
            }
            lock(&op.name, &mut locks)?;
            let mut target = op.name.clone();
            if op.deref {
                let mut depth = 0;
                while let Some(RefValue::Symbolic(next)) = refs.read(&target)? {
                    depth += 1;
                    if depth > MAX_SYMREF_DEPTH {
                        return Err(Error::RefLoop(op.name.clone()));
                    }
                    check_ref_name(&next)?;
                    lock(&next, &mut locks)?;
                    target = next;
                }
            }
            if targets.contains(&target) {
                return Err(Error::RefChangedTwice(target));
            }
            targets.push(target);
        }
        // Check every expectation and stage every new value.
        let mut olds = Vec::with_capacity(targets.len());
        for (op, target) in self.ops.iter().zip(&targets) {
            let current = refs.current_id(target)?;
            if matches!(op.action, Action::Delete) && refs.read(target)?.is_none() {
                return Err(Error::RefNotFound(op.name.clone()));
            }
            RefStore::check_expect(target, current, op.expect)?;
            let content = match &op.action {
                Action::Set(id) => Some(format!("{id}\n")),
                Action::Symbolic(t) => Some(format!("ref: {t}\n")),
                Action::Delete => None,
            };
            if let Some(c) = content {
                if refs.path(target).is_dir() {
                    return Err(Error::RefDirectoryInTheWay(refs.path(target)));
                }
                let l = locks.get_mut(target).expect("locked");
                if self.bulk {
                    l.write_unsynced(c.as_bytes())?;
                } else {
                    l.write(c.as_bytes())?;
                }
            }
            olds.push(match op.action {
                // HEAD's reflog records the commit it moves away from.
                Action::Symbolic(_) => refs.resolve(target).ok().flatten(),
                _ => current,
            });
        }
        Ok(PreparedRefs {
            refs,
            ops: self.ops,
            targets,
            olds,
            locks,
            bulk: self.bulk,
        })
    }
}

/// A ref transaction whose locks are held and checks passed (`prepare`).
/// Dropping it changes nothing.
pub struct PreparedRefs<'r> {
    refs: &'r RefStore,
    ops: Vec<RefOp>,
    targets: Vec<String>,
    olds: Vec<Option<ObjectId>>,
    locks: std::collections::BTreeMap<String, LockFile>,
    bulk: bool,
}

impl PreparedRefs<'_> {
    /// Move the refs; `who` signs the reflog records.
    pub fn commit(self, who: &Signature) -> Result<()> {
        self.finish(Some(who))
    }

    fn finish(self, who: Option<&Signature>) -> Result<()> {
        let refs = self.refs;
        let mut locks = self.locks;
        let targets = self.targets;
        let olds = self.olds;
        let bulk = self.bulk;
        if bulk {
            // Every new value durable before any rename.
            refs.sync_all_refs()?;
        }
        let sync = !bulk;
        // Apply.
        let head_target = refs.head_target()?;
        for ((op, target), old) in self.ops.iter().zip(&targets).zip(olds) {
            let old = old.unwrap_or(ObjectId::ZERO);
            let new = match &op.action {
                Action::Set(id) => *id,
                _ => ObjectId::ZERO,
            };
            match &op.action {
                Action::Delete => {
                    let p = refs.path(target);
                    fs::remove_file(&p).at(&p)?;
                    if let Some(parent) = p.parent() {
                        fsync_dir(parent)?;
                    }
                }
                _ => {
                    let l = locks.remove(target).expect("locked");
                    if bulk {
                        l.commit_unsynced(&refs.path(target))?;
                    } else {
                        l.commit(&refs.path(target))?;
                    }
                }
            }
            let Some(who) = who else { continue };
            match &op.action {
                Action::Symbolic(t) => {
                    if !op.msg.is_empty() {
                        let new = refs.resolve(t)?.unwrap_or(ObjectId::ZERO);
                        refs.append_reflog(target, old, new, who, &op.msg, sync)?;
                    }
                }
                Action::Set(_) => {
                    refs.append_reflog(target, old, new, who, &op.msg, sync)?;
                    if target != "HEAD" && head_target.as_deref() == Some(target.as_str()) {
                        refs.append_reflog("HEAD", old, new, who, &op.msg, sync)?;
                    }
                }
                Action::Delete => {
                    refs.append_reflog(target, old, new, who, &op.msg, sync)?;
                    refs.prune_dirs(&refs.path(target));
                }
            }
        }
        // Dropping the remaining locks (symbolic refs only followed) removes them.
        drop(locks);
        if bulk {
            // The renames and reflog records durable before returning.
            refs.sync_all_refs()?;
        }
        Ok(())
    }
}

/// Check a container name: 1..=64 of `[A-Za-z0-9._-]`, not starting with `.` or `-`.
pub fn check_container_name(name: &str) -> Result<()> {
    check_simple_name("container", name, 64)
}

/// Check a name of `kind` that is one path component: 1..=`max` bytes of
/// `[A-Za-z0-9._-]`, not starting with `.` or `-` (containers, remotes).
pub fn check_simple_name(kind: &str, name: &str, max: usize) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= max
        && !name.starts_with(['.', '-'])
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(&c));
    if ok {
        Ok(())
    } else {
        Err(Error::BadSimpleName {
            kind: kind.to_string(),
            name: name.escape_debug().to_string(),
        })
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

    #[test]
    fn transaction_is_all_or_nothing() {
        let t = tempfile::tempdir().unwrap();
        let r = RefStore::new(t.path());
        r.set_symbolic("HEAD", "refs/heads/main").unwrap();
        let (a, b) = (ObjectId([1; 32]), ObjectId([2; 32]));
        r.update("HEAD", a, Expect::Absent, &sig(), "one").unwrap();
        // The second expectation fails: the first update must not happen.
        let mut tx = r.transaction();
        tx.update("refs/heads/x", b, Expect::Absent, "x");
        tx.update("refs/heads/main", b, Expect::Value(b), "wrong");
        assert!(matches!(tx.commit(&sig()), Err(Error::RefMismatch { .. })));
        assert_eq!(r.resolve("refs/heads/x").unwrap(), None);
        assert_eq!(r.resolve("refs/heads/main").unwrap(), Some(a));
        assert!(!t.path().join("refs/heads/x.lock").exists());
        // A held lock on one ref also stops all of them.
        let held = LockFile::acquire(&r.path("refs/heads/main"), |p| Error::RefLocked {
            name: "test".into(),
            path: p.to_path_buf(),
        })
        .unwrap();
        let mut tx = r.transaction();
        tx.update("refs/heads/y", b, Expect::Absent, "y");
        tx.update("HEAD", b, Expect::Value(a), "through HEAD");
        assert!(matches!(tx.commit(&sig()), Err(Error::RefLocked { .. })));
        assert_eq!(r.resolve("refs/heads/y").unwrap(), None);
        drop(held);
        // Both at once, through the symbolic HEAD.
        let mut tx = r.transaction();
        tx.update("refs/heads/y", b, Expect::Absent, "y");
        tx.update("HEAD", b, Expect::Value(a), "through HEAD");
        tx.commit(&sig()).unwrap();
        assert_eq!(r.resolve("HEAD").unwrap(), Some(b));
        assert_eq!(r.resolve("refs/heads/y").unwrap(), Some(b));
        // The same ref twice is refused.
        let mut tx = r.transaction();
        tx.update("HEAD", a, Expect::Any, "1");
        tx.update("refs/heads/main", a, Expect::Any, "2");
        assert!(tx.commit(&sig()).is_err());
        assert_eq!(r.resolve("HEAD").unwrap(), Some(b));
    }
}
