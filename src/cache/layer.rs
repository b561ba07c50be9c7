//! Layers (format-spec/runtime.md, "Entries: full and layered"): the paths
//! where a tree differs from a cached one, written as an overlay lower
//! directory to stack over it.
#![warn(missing_docs)]

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::error::{Error, IoContext, Result};
use crate::hostfs::CheckoutReport;
use crate::hostfs::{apply_presented_attrs, checkout_entry, checkout_tree, CheckoutOptions};
use crate::oid::ObjectId;
use crate::prolly::dir::{self, Entry, Meta, ROOT_RECORD, S_IFCHR, S_IFDIR, S_IFMT};
use crate::store::ObjectStore;

use super::entry::Profile;
use super::error::{CacheError, Unpresentable};

/// overlay's opaque marker, in the `user.` namespace (`userxattr`).
pub(crate) const OPAQUE: &str = "user.overlay.opaque";

/// How many entries differ between trees `a` and `b` (an added or replaced
/// directory counts with everything below it), or None past `budget`.
pub(crate) fn count_changes(
    store: &dyn ObjectStore,
    a: &ObjectId,
    b: &ObjectId,
    budget: usize,
) -> Result<Option<usize>> {
    let mut n = 0;
    Ok(changes_below(store, a, b, budget, &mut n)?.then_some(n))
}

fn changes_below(
    store: &dyn ObjectStore,
    a: &ObjectId,
    b: &ObjectId,
    budget: usize,
    n: &mut usize,
) -> Result<bool> {
    if a == b {
        return Ok(true);
    }
    for c in dir::diff(store, a, b)? {
        *n += 1;
        if *n > budget {
            return Ok(false);
        }
        let complete = match (&c.old, &c.new) {
            (Some(o), Some(nw)) if o.is_dir() && nw.is_dir() => {
                changes_below(store, &o.id, &nw.id, budget, n)?
            }
            (_, Some(nw)) if nw.is_dir() => count_all(store, &nw.id, budget, n)?,
            _ => true,
        };
        if !complete {
            return Ok(false);
        }
    }
    Ok(true)
}

fn count_all(store: &dyn ObjectStore, t: &ObjectId, budget: usize, n: &mut usize) -> Result<bool> {
    for e in dir::TreeCursor::new(store, t)? {
        let e = e?;
        *n += 1;
        if *n > budget {
            return Ok(false);
        }
        if e.is_dir() && !count_all(store, &e.id, budget, n)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Refuse an entry overlay cannot present (at `path`, for the message): a
/// character device 0:0 (a whiteout to overlay); with owners, an xattr in
/// overlay's own namespace; mapped, an owner the map lacks or an xattr a
/// user namespace's root may not set.
fn presentable(tree: &ObjectId, path: &str, e: &Entry, profile: &Profile) -> Result<()> {
    let settable = |n: &[u8]| {
        n.starts_with(b"user.")
            || n == b"security.capability"
            || n.starts_with(b"system.posix_acl_")
    };
    let why = if e.mode & S_IFMT == S_IFCHR && e.meta.rdev == Some((0, 0)) {
        Unpresentable::WhiteoutDevice
    } else if profile.owners()
        && e.meta
            .xattrs
            .iter()
            .any(|(n, _)| n.starts_with(b"user.overlay."))
    {
        Unpresentable::OverlayXattr
    } else if let Some(map) = profile.map() {
        if map.uid_outside(e.meta.uid).is_none() || map.gid_outside(e.meta.gid).is_none() {
            Unpresentable::OwnerOutsideMap {
                uid: e.meta.uid,
                gid: e.meta.gid,
            }
        } else if let Some((n, _)) = e.meta.xattrs.iter().find(|(n, _)| !settable(n)) {
            Unpresentable::UnsettableXattr(String::from_utf8_lossy(n).into_owned())
        } else {
            return Ok(());
        }
    } else {
        return Ok(());
    };
    Err(CacheError::NotPresentable {
        tree: *tree,
        path: path.to_string(),
        why,
    }
    .into())
}

/// Refuse a tree `sub` (at `prefix`, a path from the root of `top`)
/// holding an entry overlay cannot present.
pub(crate) fn check_presentable(
    store: &dyn ObjectStore,
    top: &ObjectId,
    sub: &ObjectId,
    prefix: &str,
    profile: &Profile,
) -> Result<()> {
    let mut stack = vec![(prefix.to_string(), *sub)];
    while let Some((path, t)) = stack.pop() {
        for e in dir::TreeCursor::new(store, &t)? {
            let e = e?;
            let p = format!("{path}/{}", String::from_utf8_lossy(&e.name));
            presentable(top, &p, &e, profile)?;
            if e.is_dir() {
                stack.push((p, e.id));
            }
        }
    }
    Ok(())
}

/// The root record of `tree` as (mode, metadata): 040755 and none by default.
pub(crate) fn root_attrs(store: &dyn ObjectStore, tree: &ObjectId) -> Result<(u32, Meta)> {
    Ok(match dir::get(store, tree, ROOT_RECORD)? {
        Some(e) => (e.mode, e.meta),
        None => (S_IFDIR | 0o755, Meta::default()),
    })
}

/// Make a whiteout (a character device 0:0) at `p`.
fn whiteout(p: &Path) -> Result<()> {
    use nix::sys::stat::{mknod, Mode, SFlag};
    mknod(p, SFlag::S_IFCHR, Mode::empty(), 0).map_err(|err| Error::Io {
        path: p.to_path_buf(),
        err: err.into(),
    })
}

/// Write into `dest` (an existing, empty directory) the layer that turns
/// tree `base` into tree `tree`. Returns what the checkouts skipped.
pub fn write_layer(
    store: &dyn ObjectStore,
    base: &ObjectId,
    tree: &ObjectId,
    dest: &Path,
    profile: &Profile,
    opts: &CheckoutOptions,
    report: &mut CheckoutReport,
) -> Result<()> {
    layer_dir(store, tree, base, tree, dest, "", profile, opts, report)?;
    let (mode, meta) = root_attrs(store, tree)?;
    apply_presented_attrs(dest, mode, &meta, opts.owners)
}

#[allow(clippy::too_many_arguments)]
fn layer_dir(
    store: &dyn ObjectStore,
    top: &ObjectId,
    base: &ObjectId,
    tree: &ObjectId,
    dest: &Path,
    prefix: &str,
    profile: &Profile,
    opts: &CheckoutOptions,
    report: &mut CheckoutReport,
) -> Result<()> {
    // Directory attributes (and times) after their content, deepest first.
    let mut dirs: Vec<(std::path::PathBuf, Entry)> = Vec::new();
    for c in dir::diff(store, base, tree)? {
        if c.name == ROOT_RECORD {
            continue;
        }
        let p = dest.join(OsStr::from_bytes(&c.name));
        let shown = format!("{prefix}/{}", String::from_utf8_lossy(&c.name));
        if let Some(n) = &c.new {
            presentable(top, &shown, n, profile)?;
        }
        match (&c.old, &c.new) {
            (_, None) => whiteout(&p)?,
            (Some(o), Some(n)) if o.is_dir() && n.is_dir() => {
                fs::create_dir(&p).at(&p)?;
                layer_dir(store, top, &o.id, &n.id, &p, &shown, profile, opts, report)?;
                dirs.push((p, n.clone()));
            }
            (_, Some(n)) if n.is_dir() => {
                check_presentable(store, top, &n.id, &shown, profile)?;
                let sub = CheckoutOptions {
                    root: Some((n.mode, n.meta.clone())),
                    ..opts.clone()
                };
                let r = checkout_tree(store, &n.id, &p, &sub)?;
                report.files += r.files;
                report.dirs += r.dirs;
                report.skipped.extend(r.skipped);
                // Nothing of the base's entry at this name shows through.
                xattr::set(&p, OPAQUE, b"y").at(&p)?;
            }
            (_, Some(n)) => {
                checkout_entry(store, n, &p, opts, report)?;
            }
        }
    }
    for (p, e) in dirs.iter().rev() {
        apply_presented_attrs(p, e.mode, &e.meta, opts.owners)?;
    }
    Ok(())
}
