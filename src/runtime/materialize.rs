//! Instances without FUSE (format-spec/runtime.md, "Materialized
//! instances"): the tree is checked out into `instances/<id>/root/`, the
//! sandbox runs on that directory, and at the end what the command changed
//! (the diff from the checkout as read back to the directory as read back)
//! is applied onto the tree it came from and published into `WORKING`.
#![warn(missing_docs)]

use std::path::{Path, PathBuf};

use crate::codec::Fields;
use crate::error::{Error, IoContext, Result};
use crate::hostfs::{checkout_tree, write_tree, CheckoutOptions, ImportOptions};
use crate::oid::ObjectId;
use crate::runtime::error::RuntimeError;
use crate::workspace::Workspace;

/// The record file beside `root/`.
pub const RECORD: &str = "materialized";
/// The checked-out root, inside the instance directory.
pub const ROOT: &str = "root";

/// A checked-out instance root and how to fold it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Materialized {
    /// The instance directory.
    pub dir: PathBuf,
    /// The tree checked out.
    pub base: ObjectId,
    /// The directory read back right after the checkout.
    pub seen: ObjectId,
    /// Owners, xattrs and mtimes applied and read back (root only).
    pub owners: bool,
}

impl Materialized {
    /// The checked-out tree: the instance's root directory.
    pub fn root(&self) -> PathBuf {
        self.dir.join(ROOT)
    }

    fn encode(&self) -> String {
        format!(
            "base {}\nseen {}\nowners {}\n",
            self.base,
            self.seen,
            u8::from(self.owners)
        )
    }

    /// Read the record of instance directory `dir` (`None`: not materialized).
    pub fn load(dir: &Path) -> Result<Option<Materialized>> {
        let path = dir.join(RECORD);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).at(&path),
        };
        let bad = || Error::from(RuntimeError::MalformedRecord(path.clone()));
        let mut fields = Fields::new(&text);
        let mut field = |key: &str| fields.next(key).ok_or_else(bad);
        let base = ObjectId::from_hex(&field("base")?).map_err(|_| bad())?;
        let seen = ObjectId::from_hex(&field("seen")?).map_err(|_| bad())?;
        let owners = match field("owners")?.as_str() {
            "1" => true,
            "0" => false,
            _ => return Err(bad()),
        };
        Ok(Some(Materialized {
            dir: dir.to_path_buf(),
            base,
            seen,
            owners,
        }))
    }
}

fn read_back(ws: &Workspace, root: &Path, owners: bool) -> Result<ObjectId> {
    write_tree(
        &ws.odb,
        root,
        &ImportOptions {
            owners,
            exclude: Vec::new(),
        },
    )
}

/// Check `tree` out into `dir/root/` and record how to fold it back.
/// Returns the record and what the checkout could not reproduce.
pub fn materialize(
    ws: &Workspace,
    tree: ObjectId,
    dir: &Path,
) -> Result<(Materialized, Vec<String>)> {
    let owners = nix::unistd::geteuid().is_root();
    let root = dir.join(ROOT);
    let result = crate::runtime::in_own_pool(|| -> Result<_> {
        let report = checkout_tree(
            &ws.odb,
            &tree,
            &root,
            // No device nodes: the root is bound without nodev, and as root
            // an image's device would be the host's.
            &CheckoutOptions {
                owners,
                devices: false,
                root: None,
                ..Default::default()
            },
        )?;
        // Entries recorded without owners read back with them (and without
        // privilege owners are lost): the command's changes are those from here.
        let seen = read_back(ws, &root, owners)?;
        Ok((report, seen))
    })?;
    let (report, seen) = result?;
    let m = Materialized {
        dir: dir.to_path_buf(),
        base: tree,
        seen,
        owners,
    };
    crate::fsutil::write_atomic(&dir.join(RECORD), m.encode().as_bytes())?;
    Ok((m, report.skipped))
}

/// Apply what changed in the directory onto the working root; returns the
/// tree published (`None`: nothing changed). The directory stays.
pub fn fold_back(ws: &Workspace, m: &Materialized) -> Result<Option<ObjectId>> {
    let new = read_back(ws, &m.root(), m.owners)?;
    if new == m.seen {
        return Ok(None);
    }
    let target = if m.seen == m.base {
        new
    } else {
        crate::runtime::working::rebase(&ws.odb, &m.seen, &new, &m.base)?
    };
    crate::runtime::working::publish(ws, m.base, target)?;
    Ok(Some(target))
}

/// Remove the checked-out root and the record.
pub fn discard(m: &Materialized) -> Result<()> {
    let root = m.root();
    // Directories the command made read-only must not stop the removal.
    crate::fsutil::make_writable(&root);
    match std::fs::remove_dir_all(&root) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).at(&root),
    }
    let rec = m.dir.join(RECORD);
    match std::fs::remove_file(&rec) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).at(&rec),
    }
}
