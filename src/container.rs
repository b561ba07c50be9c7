//! A container's state beyond its refs: the uncommitted working root (a tree
//! id in `containers/<name>/WORKING`, written under a lock with compare-and-
//! swap), the workspace's current directory, path resolution, and the seed
//! root filesystem new containers start from.
#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};
use crate::fsutil::LockFile;
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::prolly::dir::{self, Entry, S_IFDIR, S_IFLNK, S_IFREG};
use crate::refs::Expect;
use crate::revparse::tree_of_commit;
use crate::store::ObjectStore;
use crate::workspace::Workspace;

/// The commit HEAD points at, if any.
pub fn head_commit(ws: &Workspace) -> Result<Option<ObjectId>> {
    ws.refs.resolve("HEAD")
}

/// The tree of a commit.
pub fn commit_tree_of(ws: &Workspace, commit: &ObjectId) -> Result<ObjectId> {
    tree_of_commit(&ws.odb, commit)
}

/// HEAD's tree, or the empty tree before the first commit.
pub fn head_tree(ws: &Workspace) -> Result<ObjectId> {
    crate::revparse::head_tree_in(&ws.odb, &ws.refs)
}

/// The raw `WORKING` pointer: None when the working root follows HEAD.
pub fn read_working(ws: &Workspace) -> Result<Option<ObjectId>> {
    ws.refs.read_working()
}

/// The uncommitted working root: `WORKING` if set, else HEAD's tree.
pub fn working_root(ws: &Workspace) -> Result<ObjectId> {
    working_root_in(&ws.odb, &ws.refs)
}

pub use crate::revparse::working_root_in;

/// True if the working root differs from HEAD's tree.
pub fn is_dirty(ws: &Workspace) -> Result<bool> {
    Ok(working_root(ws)? != head_tree(ws)?)
}

/// The working root's lock, held while a command changes it together with
/// HEAD (`checkout`, `commit`, `reset`), so no write lands in between.
pub struct WorkingLock {
    lock: LockFile,
    path: PathBuf,
}

/// Lock the working root, checking that `WORKING` still is `expected` (as
/// `read_working` returned it when the command started).
pub fn lock_working(ws: &Workspace, expected: Option<ObjectId>) -> Result<WorkingLock> {
    let path = ws.refs.working_path();
    let lock = LockFile::acquire(&path, Error::WorkingLocked)?;
    if read_working(ws)? != expected {
        return Err(Error::WorkingChanged);
    }
    Ok(WorkingLock { lock, path })
}

impl WorkingLock {
    /// Make `new` the working root, durably, and release the lock. The
    /// pointer is always written explicitly (never left to follow HEAD), so a
    /// concurrent writer's compare-and-swap sees every move of HEAD.
    pub fn commit(mut self, new: ObjectId) -> Result<()> {
        self.lock.write(format!("{new}\n").as_bytes())?;
        self.lock.commit(&self.path)
    }
}

/// Move HEAD to `commit` (if it still is `head_was`) and make `tree` the
/// working root, together under the working root's lock (if `WORKING` still
/// is `working_was`): a write racing the move is refused, not lost.
pub fn move_head(
    ws: &Workspace,
    working_was: Option<ObjectId>,
    head_was: Option<ObjectId>,
    commit: ObjectId,
    tree: ObjectId,
    msg: &str,
) -> Result<()> {
    let working = lock_working(ws, working_was)?;
    ws.refs.update(
        "HEAD",
        commit,
        Expect::unchanged(head_was),
        &ws.committer()?,
        msg,
    )?;
    working.commit(tree)
}

/// Replace the `WORKING` pointer with `new` if it still is `expected`:
/// lock file, compare, fsync, rename.
pub fn set_working_root(ws: &Workspace, new: ObjectId, expected: Option<ObjectId>) -> Result<()> {
    lock_working(ws, expected)?.commit(new)
}

// ---- current directory and paths ----

/// The workspace's current directory inside containers ("/" by default).
pub fn cwd(ws: &Workspace) -> Result<String> {
    let p = ws.dir.join("cwd");
    match fs::read_to_string(&p) {
        Ok(s) => Ok(s.trim_end_matches('\n').to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok("/".into()),
        Err(e) => Err(e).at(&p),
    }
}

/// Record the workspace's current directory inside containers.
pub fn set_cwd(ws: &Workspace, path: &str) -> Result<()> {
    crate::fsutil::write_atomic(&ws.dir.join("cwd"), format!("{path}\n").as_bytes())
}

/// Resolve a user path against `cwd` into components; `..` may not climb
/// above the root.
pub fn resolve_path(cwd: &str, path: &str) -> Result<Vec<Vec<u8>>> {
    let mut comps: Vec<Vec<u8>> = Vec::new();
    let full = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{cwd}/{path}")
    };
    for c in full.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if comps.pop().is_none() {
                    return Err(Error::OutsideRoot(path.to_string()));
                }
            }
            c => {
                dir::check_name(c.as_bytes())?;
                comps.push(c.as_bytes().to_vec());
            }
        }
    }
    Ok(comps)
}

/// Components as "/a/b".
pub fn display_path(comps: &[Vec<u8>]) -> String {
    if comps.is_empty() {
        return "/".into();
    }
    comps
        .iter()
        .map(|c| format!("/{}", String::from_utf8_lossy(c)))
        .collect()
}

// ---- assembling trees from paths ----

enum Node {
    Leaf(Entry),
    Dir(u32, BTreeMap<Vec<u8>, Node>),
}

/// Build a tree from a list of (path, entry) and (path, directory mode) items.
struct TreeAssembler {
    root: BTreeMap<Vec<u8>, Node>,
}

impl Default for TreeAssembler {
    fn default() -> Self {
        Self::new()
    }
}

impl TreeAssembler {
    /// An empty tree.
    pub fn new() -> TreeAssembler {
        TreeAssembler {
            root: BTreeMap::new(),
        }
    }

    fn dir_at(&mut self, comps: &[&str]) -> &mut BTreeMap<Vec<u8>, Node> {
        let mut cur = &mut self.root;
        for c in comps {
            let n = cur
                .entry(c.as_bytes().to_vec())
                .or_insert_with(|| Node::Dir(S_IFDIR | 0o755, BTreeMap::new()));
            cur = match n {
                Node::Dir(_, m) => m,
                Node::Leaf(_) => panic!("assembler: file in the way"),
            };
        }
        cur
    }

    /// Add directory `path` with permissions `perm` (parents made 0755).
    pub fn dir(&mut self, path: &str, perm: u32) {
        let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        let (last, parent) = comps.split_last().expect("non-root");
        let m = self.dir_at(parent);
        match m.get_mut(last.as_bytes()) {
            Some(Node::Dir(mode, _)) => *mode = S_IFDIR | perm,
            _ => {
                m.insert(
                    last.as_bytes().to_vec(),
                    Node::Dir(S_IFDIR | perm, BTreeMap::new()),
                );
            }
        }
    }

    /// Add entry `path` of `mode` with content `id` (parents made 0755).
    pub fn file(&mut self, path: &str, mode: u32, id: ObjectId) {
        let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        let (last, parent) = comps.split_last().expect("non-root");
        self.dir_at(parent).insert(
            last.as_bytes().to_vec(),
            Node::Leaf(Entry::new(last.as_bytes(), mode, id)),
        );
    }

    /// Write the tree's nodes to `store`; its root id.
    pub fn build(self, store: &dyn ObjectStore) -> Result<ObjectId> {
        fn rec(store: &dyn ObjectStore, m: BTreeMap<Vec<u8>, Node>) -> Result<ObjectId> {
            let mut entries = Vec::with_capacity(m.len());
            for (name, n) in m {
                entries.push(match n {
                    Node::Leaf(e) => e,
                    Node::Dir(mode, sub) => Entry::new(&name, mode, rec(store, sub)?),
                });
            }
            dir::build(store, entries)
        }
        rec(store, self.root)
    }
}

/// Where the host's static busybox lives, if installed.
pub(crate) fn find_busybox() -> Option<PathBuf> {
    ["/bin/busybox", "/usr/bin/busybox"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// The seed root filesystem: busybox and its applet links, /etc basics and
/// the usual empty directories. Returns (tree, whether busybox was found).
pub(crate) fn seed_rootfs(store: &dyn ObjectStore) -> Result<(ObjectId, bool)> {
    let mut t = TreeAssembler::new();
    for (d, perm) in [
        ("bin", 0o755),
        ("dev", 0o755),
        ("etc", 0o755),
        ("home", 0o755),
        ("lib", 0o755),
        ("proc", 0o555),
        ("root", 0o700),
        ("sbin", 0o755),
        ("sys", 0o555),
        ("tmp", 0o1777),
        ("usr", 0o755),
        ("usr/bin", 0o755),
        ("usr/lib", 0o755),
        ("usr/sbin", 0o755),
        ("var", 0o755),
        ("var/tmp", 0o1777),
    ] {
        t.dir(d, perm);
    }
    let blob = |s: &[u8]| store.write(ObjectType::Blob, s);
    t.file(
        "etc/passwd",
        S_IFREG | 0o644,
        blob(
            b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
        )?,
    );
    t.file(
        "etc/group",
        S_IFREG | 0o644,
        blob(b"root:x:0:\nnogroup:x:65534:\n")?,
    );
    t.file(
        "etc/hosts",
        S_IFREG | 0o644,
        blob(b"127.0.0.1\tlocalhost\n::1\tlocalhost\n")?,
    );
    t.file("etc/hostname", S_IFREG | 0o644, blob(b"hako\n")?);
    let found = match find_busybox() {
        Some(bb) => {
            let id = crate::hostfs::store_file(store, &bb)?;
            t.file("bin/busybox", S_IFREG | 0o755, id);
            let target = blob(b"/bin/busybox")?;
            for applet in busybox_applets(&bb) {
                if applet != "bin/busybox" {
                    t.file(&applet, S_IFLNK | 0o777, target);
                }
            }
            true
        }
        None => false,
    };
    Ok((t.build(store)?, found))
}

/// Applet paths (`bin/sh`, `usr/bin/awk`, …) that `busybox --list-full` names.
fn busybox_applets(bb: &Path) -> Vec<String> {
    let out = std::process::Command::new(bb).arg("--list-full").output();
    let Ok(out) = out else { return Vec::new() };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().trim_start_matches('/').to_string())
        .filter(|l| !l.is_empty() && l.split('/').all(|c| dir::check_name(c.as_bytes()).is_ok()))
        .collect()
}
