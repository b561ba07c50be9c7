//! Merge properties: identities, symmetry, disjoint changes commute, results
//! equal fresh builds; and the cost of a merge follows the change.
#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;

use super::tree::{merge_trees, ConflictKind, MergeOptions};
use crate::error::Result;
use crate::object::{hash_object, Object, ObjectType};
use crate::oid::ObjectId;
use crate::prolly::dir::{self, Entry, S_IFDIR, S_IFLNK, S_IFREG};
use crate::store::{MemStore, ObjectStore};

/// A store that counts the tree nodes read and written through it.
#[derive(Default)]
struct Counting {
    inner: MemStore,
    reads: AtomicU64,
    writes: AtomicU64,
}

impl ObjectStore for Counting {
    fn contains(&self, id: &ObjectId) -> Result<bool> {
        self.inner.contains(id)
    }
    fn read(&self, id: &ObjectId) -> Result<Object> {
        let o = self.inner.read(id)?;
        if o.kind == ObjectType::Tree {
            self.reads.fetch_add(1, Ordering::Relaxed);
        }
        Ok(o)
    }
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
        self.inner.read_header(id)
    }
    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId> {
        if kind == ObjectType::Tree {
            self.writes.fetch_add(1, Ordering::Relaxed);
        }
        self.inner.write(kind, data)
    }
}

/// A nested tree from `path → content` (paths of `/`-joined names).
fn build_paths(store: &dyn ObjectStore, files: &BTreeMap<String, String>) -> ObjectId {
    let mut dirs: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    dirs.entry(String::new()).or_default();
    for (p, content) in files {
        let id = store.write(ObjectType::Blob, content.as_bytes()).unwrap();
        let (parent, name) = p.rsplit_once('/').unwrap_or(("", p));
        dirs.entry(parent.to_string()).or_default().push(Entry::new(
            name.as_bytes(),
            S_IFREG | 0o644,
            id,
        ));
        let mut d = parent;
        while !d.is_empty() {
            dirs.entry(d.to_string()).or_default();
            d = d.rsplit_once('/').map_or("", |x| x.0);
        }
    }
    // Deepest first, so children exist before their parents.
    let mut keys: Vec<String> = dirs.keys().cloned().collect();
    keys.sort_by_key(|k| std::cmp::Reverse(k.matches('/').count() + !k.is_empty() as usize));
    let mut ids: BTreeMap<String, ObjectId> = BTreeMap::new();
    for k in keys {
        let mut entries = dirs.remove(&k).unwrap();
        for (sub, id) in &ids {
            let (parent, name) = sub.rsplit_once('/').unwrap_or(("", sub));
            if parent == k && !sub.is_empty() {
                entries.push(Entry::new(name.as_bytes(), S_IFDIR | 0o755, *id));
            }
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        ids.insert(k, dir::build(store, entries).unwrap());
    }
    ids[""]
}

fn merge(store: &dyn ObjectStore, b: ObjectId, o: ObjectId, t: ObjectId) -> (ObjectId, usize) {
    let m = merge_trees(store, &b, &o, &t, &MergeOptions::default()).unwrap();
    (m.tree, m.conflicts.len())
}

type Files = BTreeMap<String, String>;

fn files() -> impl Strategy<Value = Files> {
    proptest::collection::btree_map("(d[0-3]/){0,2}f[0-9]{1,2}", "[a-c]{0,3}", 0..60)
}

/// Drop paths that are also directories (a file `d0` beside `d0/f1` cannot
/// be; the strategy never names a file d[0-3], so only this guard is needed).
fn edits() -> impl Strategy<Value = Vec<(String, Option<String>)>> {
    proptest::collection::vec(
        (
            "(d[0-3]/){0,2}f[0-9]{1,2}",
            proptest::option::of("[a-c]{0,3}"),
        ),
        0..20,
    )
}

fn apply(base: &Files, e: &[(String, Option<String>)]) -> Files {
    let mut f = base.clone();
    for (p, v) in e {
        match v {
            Some(v) => f.insert(p.clone(), v.clone()),
            None => f.remove(p),
        };
    }
    f
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn identities_hold(base in files(), e in edits()) {
        let store = MemStore::new();
        let b = build_paths(&store, &base);
        let x = build_paths(&store, &apply(&base, &e));
        prop_assert_eq!(merge(&store, b, x, b), (x, 0));
        prop_assert_eq!(merge(&store, b, b, x), (x, 0));
        prop_assert_eq!(merge(&store, b, x, x), (x, 0));
    }

    #[test]
    fn clean_merges_are_symmetric_and_equal_fresh_builds(
        base in files(), ea in edits(), eb in edits()
    ) {
        let store = MemStore::new();
        let b = build_paths(&store, &base);
        let a = build_paths(&store, &apply(&base, &ea));
        let c = build_paths(&store, &apply(&base, &eb));
        let (ab, n1) = merge(&store, b, a, c);
        let (ba, n2) = merge(&store, b, c, a);
        prop_assert_eq!(n1, n2);
        if n1 == 0 {
            prop_assert_eq!(ab, ba);
        }
    }

    #[test]
    fn disjoint_changes_commute_and_equal_a_fresh_build(
        base in files(), ea in edits(), eb in edits()
    ) {
        // Keep the second side's edits off every path the first one touched,
        // and off the directories either side empties (a directory removed by
        // one side and filled by the other is not disjoint).
        let touched: std::collections::HashSet<&String> = ea.iter().map(|x| &x.0).collect();
        let eb: Vec<_> = eb.iter().filter(|x| !touched.contains(&x.0)).cloned().collect();
        let after_a = apply(&base, &ea);
        let after_b = apply(&base, &eb);
        let both = apply(&after_a, &eb);
        prop_assert_eq!(&both, &apply(&after_b, &ea));
        let store = MemStore::new();
        let b = build_paths(&store, &base);
        let a = build_paths(&store, &after_a);
        let c = build_paths(&store, &after_b);
        let fresh = build_paths(&store, &both);
        prop_assert_eq!(merge(&store, b, a, c), (fresh, 0));
        prop_assert_eq!(merge(&store, b, c, a), (fresh, 0));
    }
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec("[a-d]{0,2}\n?", 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn text_merge_identities_and_symmetry(b in text(), x in text(), y in text()) {
        use super::text::{merge3, Favor};
        let m = |b: &str, o: &str, t: &str| merge3(b.as_bytes(), o.as_bytes(), t.as_bytes(), false, Favor::None);
        for (o, t) in [(&x, &b), (&b, &x), (&x, &x)] {
            let r = m(&b, o, t);
            prop_assert_eq!((String::from_utf8(r.text).unwrap(), r.conflicts), (x.clone(), 0));
        }
        let (xy, yx) = (m(&b, &x, &y), m(&b, &y, &x));
        prop_assert_eq!(xy.conflicts, yx.conflicts);
        if xy.conflicts == 0 {
            prop_assert_eq!(xy.text, yx.text);
        }
    }
}

fn file_entry(i: u32, v: u32) -> Entry {
    let id = hash_object(
        ObjectType::Blob,
        &[i.to_le_bytes(), v.to_le_bytes()].concat(),
    );
    Entry::new(format!("e{i:08}").as_bytes(), S_IFREG | 0o644, id)
}

#[test]
fn a_change_on_each_side_of_a_200k_tree_reads_few_nodes() {
    let store = Counting::default();
    let n = 200_000;
    let base = dir::build(&store, (0..n).map(|i| file_entry(i, 0))).unwrap();
    let ours = dir::edit(
        &store,
        &base,
        vec![(b"e00001000".to_vec(), Some(file_entry(1000, 1)))],
    )
    .unwrap();
    let theirs = dir::edit(
        &store,
        &base,
        vec![(b"e00150000".to_vec(), Some(file_entry(150000, 2)))],
    )
    .unwrap();
    let (r0, w0) = (
        store.reads.load(Ordering::Relaxed),
        store.writes.load(Ordering::Relaxed),
    );
    let m = merge_trees(&store, &base, &ours, &theirs, &MergeOptions::default()).unwrap();
    let read = store.reads.load(Ordering::Relaxed) - r0;
    let written = store.writes.load(Ordering::Relaxed) - w0;
    assert!(m.is_clean());
    eprintln!("200k entries, one change per side: {read} nodes read, {written} written");
    assert!(read <= 24, "the merge read {read} nodes");
    assert!(written <= 8, "the merge wrote {written} nodes");
    let mut all: Vec<Entry> = (0..n).map(|i| file_entry(i, 0)).collect();
    all[1000] = file_entry(1000, 1);
    all[150000] = file_entry(150000, 2);
    assert_eq!(m.tree, dir::build(&store.inner, all).unwrap());
}

fn blob(store: &dyn ObjectStore, s: &str) -> ObjectId {
    store.write(ObjectType::Blob, s.as_bytes()).unwrap()
}

#[test]
fn conflicts_are_named_and_keep_ours() {
    let store = MemStore::new();
    let f = |name: &str, mode: u32, s: &str| Entry::new(name.as_bytes(), mode, blob(&store, s));
    let tree = |es: Vec<Entry>| dir::build(&store, es).unwrap();
    let reg = S_IFREG | 0o644;
    let b = tree(vec![
        f("a", reg, "1\n"),
        f("m", reg, "x\n"),
        f("t", reg, "t\n"),
    ]);
    let o = tree(vec![
        f("a", reg, "2\n"),
        f("m", reg, "y\n"),
        f("n", reg, "ours\n"),
        f("t", S_IFLNK | 0o777, "target"),
    ]);
    let t = tree(vec![
        f("a", reg, "3\n"),
        f("n", reg, "theirs\n"),
        f("t", S_IFREG | 0o755, "t\n"),
    ]);
    let m = merge_trees(&store, &b, &o, &t, &MergeOptions::default()).unwrap();
    let kinds: Vec<(&[u8], ConflictKind)> =
        m.conflicts.iter().map(|c| (&c.path[..], c.kind)).collect();
    assert_eq!(
        kinds,
        [
            (&b"a"[..], ConflictKind::Content),
            (b"m", ConflictKind::ModifyDelete),
            (b"n", ConflictKind::AddAdd),
            (b"t", ConflictKind::Type),
        ]
    );
    let a = dir::get(&store, &m.tree, b"a").unwrap().unwrap();
    assert_eq!(
        store.read(&a.id).unwrap().data,
        b"<<<<<<< ours\n2\n=======\n3\n>>>>>>> theirs\n"
    );
    assert_eq!(
        dir::get(&store, &m.tree, b"m").unwrap().unwrap().id,
        blob(&store, "y\n")
    );
}
