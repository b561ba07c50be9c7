//! Tests of the whole view: inodes forgotten and found again, changes kept, hardlink groups.
#![warn(missing_docs)]

use std::path::PathBuf;

use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::prolly::dir::{self, Entry, S_IFDIR, S_IFREG};
use crate::store::ObjectStore;
use crate::workspace::Workspace;

use super::inodes::{content_id, State};
use super::{Target, WorkingFs};

/// A working filesystem over a tree of `dirs` directories of `files`
/// files each, plus `a` and `b` at the root, in a new workspace.
fn working_fs(dirs: usize, files: usize) -> (tempfile::TempDir, WorkingFs) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = Workspace::init(tmp.path()).unwrap();
    let mut top = vec![file_in(&ws.odb, "a", b"A"), file_in(&ws.odb, "b", b"B")];
    for d in 0..dirs {
        let entries: Vec<Entry> = (0..files)
            .map(|f| file_in(&ws.odb, &format!("f{f:04}"), format!("{d}/{f}").as_bytes()))
            .collect();
        let sub = dir::build(&ws.odb, entries).unwrap();
        top.push(Entry::new(
            format!("d{d:03}").as_bytes(),
            S_IFDIR | 0o755,
            sub,
        ));
    }
    top.sort_by(|x, y| x.name.cmp(&y.name));
    let root = dir::build(&ws.odb, top).unwrap();
    crate::container::set_working_root(&ws, root, None).unwrap();
    let spill = tmp.path().join("spill");
    let fs = WorkingFs::new(ws, root, Target::Working, spill, false).unwrap();
    (tmp, fs)
}

/// A second, discarding filesystem over `root` in `fs`'s workspace.
fn discard_view(fs: &WorkingFs, root: ObjectId) -> WorkingFs {
    WorkingFs::new(
        fs.inner.ws.reopen(),
        root,
        Target::Discard,
        PathBuf::from("/nonexistent"),
        false,
    )
    .unwrap()
}

fn file_in(store: &dyn ObjectStore, name: &str, body: &[u8]) -> Entry {
    Entry::new(
        name.as_bytes(),
        S_IFREG | 0o644,
        store.write(ObjectType::Blob, body).unwrap(),
    )
}

/// Look `path` up as the kernel does: each component once, counted.
fn lookup(fs: &WorkingFs, st: &mut State, path: &str) -> u64 {
    let mut ino = 1;
    for c in path.split('/') {
        ino = fs.resolve(st, ino, c.as_bytes()).unwrap().unwrap();
        WorkingFs::looked_up(st, ino);
    }
    ino
}

/// Forget `path` as the kernel does: each component once, deepest first.
fn forget(st: &mut State, inos: &[u64]) {
    for &i in inos.iter().rev() {
        st.forget(i, 1);
    }
}

#[test]
fn forgotten_inodes_are_dropped_and_found_again() {
    let (_tmp, fs) = working_fs(20, 50);
    let mut st = fs.state();
    let mut seen = Vec::new();
    for d in 0..20 {
        for f in 0..50 {
            let dir = lookup(&fs, &mut st, &format!("d{d:03}"));
            let file = fs
                .resolve(&mut st, dir, format!("f{f:04}").as_bytes())
                .unwrap()
                .unwrap();
            WorkingFs::looked_up(&mut st, file);
            seen.push((dir, file));
        }
    }
    assert_eq!(st.inodes(), 1 + 20 + 20 * 50);
    for (dir, file) in seen {
        forget(&mut st, &[dir, file]);
    }
    assert_eq!(st.inodes(), 1, "every forgotten inode is dropped");
    assert!(st.names.is_empty());
    // Found again, with the same content.
    let f = lookup(&fs, &mut st, "d007/f0042");
    let id = content_id(&st.nodes[&f]);
    drop(st);
    assert_eq!(fs.store().read(&id).unwrap().data, b"7/42".to_vec());
}

#[test]
fn changed_inodes_are_kept_until_folded() {
    let (_tmp, fs) = working_fs(2, 3);
    let mut st = fs.state();
    let d = lookup(&fs, &mut st, "d001");
    let f = lookup(&fs, &mut st, "d001/f0002");
    let spill = fs.inner.spill_dir.clone();
    let store = fs.store();
    fs.buffer(&mut st, f)
        .unwrap()
        .write(store, 0, b"new", &spill)
        .unwrap();
    WorkingFs::touch(&mut st, f);
    // d was looked up twice (once on the way to f).
    forget(&mut st, &[d, d, f]);
    assert!(st.nodes.contains_key(&f), "unfolded content is kept");
    assert!(st.nodes.contains_key(&d), "so is its directory");
    let root = fs.fold_locked(&mut st, true).unwrap();
    assert!(!st.nodes.contains_key(&f), "dropped once folded");
    assert!(!st.nodes.contains_key(&d));
    assert_eq!(st.inodes(), 1);
    let f = lookup(&fs, &mut st, "d001/f0002");
    let id = content_id(&st.nodes[&f]);
    drop(st);
    assert_eq!(fs.store().read(&id).unwrap().data, b"new".to_vec());
    let e = dir::get(fs.store(), &root, b"d001").unwrap().unwrap();
    assert!(dir::get(fs.store(), &e.id, b"f0002").unwrap().is_some());
}

#[test]
fn links_fold_into_a_hardlink_group_and_are_joined_again() {
    let (_tmp, fs) = working_fs(2, 1);
    let mut st = fs.state();
    let b = lookup(&fs, &mut st, "b");
    let d = lookup(&fs, &mut st, "d001");
    // link b → d001/x and → a-link (at the root, after "a", before "b").
    for (parent, name) in [(d, "x"), (1, "a-link")] {
        st.names.insert((parent, name.as_bytes().to_vec()), Some(b));
        st.add_link(b, parent, name.as_bytes());
        WorkingFs::changed_name(&mut st, parent, name.as_bytes().to_vec());
    }
    let root = fs.fold_locked(&mut st, true).unwrap();
    drop(st);
    let store = fs.store();
    let get = |dir: &ObjectId, name: &str| dir::get(store, dir, name.as_bytes()).unwrap().unwrap();
    // Tree order: a-link < b < d001/x; the first carries no record.
    assert_eq!(get(&root, "a-link").meta.link, None);
    assert_eq!(get(&root, "b").meta.link, Some(b"a-link".to_vec()));
    let sub = get(&root, "d001").id;
    assert_eq!(get(&sub, "x").meta.link, Some(b"../a-link".to_vec()));
    assert_eq!(get(&sub, "x").id, get(&root, "b").id);
    // A new view joins the members into one inode as they are looked up.
    let fs2 = discard_view(&fs, root);
    let mut st = fs2.state();
    let x = lookup(&fs2, &mut st, "d001/x");
    let b2 = lookup(&fs2, &mut st, "b");
    let a = lookup(&fs2, &mut st, "a-link");
    assert_eq!(x, b2);
    assert_eq!(x, a);
    assert_eq!(st.nodes[&x].links.len(), 3);
    assert_eq!(fs2.attr(&mut st, x).unwrap().nlink, 3);
    // A member edited since is no longer joined.
    let other = file_in(store, "a-link", b"other");
    let root2 = dir::edit(store, &root, vec![(b"a-link".to_vec(), Some(other))]).unwrap();
    fs.inner.flush_pending().unwrap();
    let fs3 = discard_view(&fs, root2);
    let mut st = fs3.state();
    let b3 = lookup(&fs3, &mut st, "b");
    let a3 = lookup(&fs3, &mut st, "a-link");
    assert_ne!(b3, a3);
    assert_eq!(fs3.attr(&mut st, b3).unwrap().nlink, 1);
}
