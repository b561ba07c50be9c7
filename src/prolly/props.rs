//! Property tests: history independence, edit/undo, diff/apply, node bounds.

use proptest::prelude::*;

use super::dir::{self, Entry, S_IFDIR, S_IFREG};
use super::file;
use crate::object::{hash_object, ObjectType};
use crate::store::MemStore;

fn entry(name: &[u8], salt: u32) -> Entry {
    let mode = if salt.is_multiple_of(7) {
        S_IFDIR | 0o755
    } else {
        S_IFREG | 0o644
    };
    Entry::new(
        name,
        mode,
        hash_object(ObjectType::Blob, &salt.to_le_bytes()),
    )
}

fn names(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| format!("f{:06}", i * 7 % (n.max(1) * 3)).into_bytes())
        .collect()
}

fn sorted_unique(mut v: Vec<Entry>) -> Vec<Entry> {
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v.dedup_by(|a, b| a.name == b.name);
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn same_entries_same_root_whatever_the_order(
        keys in proptest::collection::btree_set("[a-z0-9_-][a-z0-9._-]{0,23}", 0..1500),
        seed in any::<u64>(),
    ) {
        let store = MemStore::new();
        let entries: Vec<Entry> = keys.iter().enumerate().map(|(i, k)| entry(k.as_bytes(), i as u32)).collect();
        let built = dir::build(&store, entries.clone()).unwrap();
        // Insert in a shuffled order, in batches of varying size.
        let mut order: Vec<usize> = (0..entries.len()).collect();
        let mut x = seed | 1;
        for i in (1..order.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            order.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut root = dir::build(&store, Vec::new()).unwrap();
        let mut i = 0;
        while i < order.len() {
            let step = 1 + (x as usize + i) % 97;
            let batch: Vec<_> = order[i..(i + step).min(order.len())]
                .iter()
                .map(|&j| (entries[j].name.clone(), Some(entries[j].clone())))
                .collect();
            root = dir::edit(&store, &root, batch).unwrap();
            i += step;
        }
        prop_assert_eq!(root, built);
        prop_assert_eq!(dir::list(&store, &root).unwrap(), entries);
    }

    #[test]
    fn edit_then_undo_restores_the_root(
        n in 0usize..3000,
        edits in proptest::collection::vec((0usize..6000, any::<bool>()), 1..40),
    ) {
        let store = MemStore::new();
        let base: Vec<Entry> = names(n).into_iter().enumerate().map(|(i, k)| entry(&k, i as u32)).collect();
        let base = sorted_unique(base);
        let root = dir::build(&store, base.clone()).unwrap();
        let mut fwd = Vec::new();
        let mut back = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (k, del) in edits {
            let name = format!("f{:06}", k).into_bytes();
            if !seen.insert(name.clone()) { continue; }
            let old = base.iter().find(|e| e.name == name).cloned();
            let new = if del { None } else { Some(entry(&name, 99_999 + k as u32)) };
            fwd.push((name.clone(), new));
            back.push((name, old));
        }
        let edited = dir::edit(&store, &root, fwd.clone()).unwrap();
        // The edited tree is the canonical tree of the edited set.
        let mut set: std::collections::BTreeMap<Vec<u8>, Entry> = base.iter().map(|e| (e.name.clone(), e.clone())).collect();
        for (k, v) in &fwd {
            match v { Some(e) => { set.insert(k.clone(), e.clone()); } None => { set.remove(k); } }
        }
        prop_assert_eq!(edited, dir::build(&store, set.into_values()).unwrap());
        let undone = dir::edit(&store, &edited, back).unwrap();
        prop_assert_eq!(undone, root);
    }

    #[test]
    fn diff_applied_to_a_gives_b(
        a in proptest::collection::btree_map("[a-z]{1,10}", 0u32..50, 0..1200),
        b in proptest::collection::btree_map("[a-z]{1,10}", 0u32..50, 0..1200),
    ) {
        let store = MemStore::new();
        let ea: Vec<Entry> = a.iter().map(|(k, v)| entry(k.as_bytes(), *v)).collect();
        let eb: Vec<Entry> = b.iter().map(|(k, v)| entry(k.as_bytes(), *v)).collect();
        let ra = dir::build(&store, ea).unwrap();
        let rb = dir::build(&store, eb).unwrap();
        let d = dir::diff(&store, &ra, &rb).unwrap();
        prop_assert_eq!(dir::apply(&store, &ra, &d).unwrap(), rb);
        let expected = a.keys().chain(b.keys()).collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .filter(|k| a.get(*k) != b.get(*k))
            .count();
        prop_assert_eq!(d.len(), expected);
    }

    #[test]
    fn file_ranges_read_back(len in 0usize..600_000, off in 0u64..700_000, n in 0u64..300_000) {
        let store = MemStore::new();
        let mut x = 0x9e3779b97f4a7c15u64;
        let data: Vec<u8> = (0..len).map(|_| { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x as u8 }).collect();
        let id = file::store_content(&store, &data).unwrap();
        prop_assert_eq!(file::size(&store, &id).unwrap(), len as u64);
        let got = file::read_range(&store, &id, off, n).unwrap();
        let s = (off as usize).min(len);
        let e = ((off + n) as usize).min(len);
        prop_assert_eq!(got, data[s..e].to_vec());
    }
}

#[test]
fn million_entry_edit_touches_few_nodes() {
    let store = MemStore::new();
    let n = 200_000;
    let root = dir::build(
        &store,
        (0..n).map(|i| entry(format!("e{:08}", i).as_bytes(), i)),
    )
    .unwrap();
    let before = store.len();
    let edited = dir::edit(
        &store,
        &root,
        vec![(b"e00100000".to_vec(), Some(entry(b"e00100000", 7)))],
    )
    .unwrap();
    let new_nodes = store.len() - before;
    assert!(new_nodes <= 8, "an edit wrote {new_nodes} nodes");
    let d = dir::diff(&store, &root, &edited).unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(dir::count(&store, &edited).unwrap(), n as u64);
}

#[test]
fn nodes_stay_within_bounds() {
    let store = MemStore::new();
    dir::build(
        &store,
        (0..50_000).map(|i| entry(format!("name-{i:07}").as_bytes(), i)),
    )
    .unwrap();
    for (id, kind, data) in store.drain() {
        assert_eq!(kind, ObjectType::Tree, "{id}");
        assert!(
            data.len() <= super::MAX_NODE + 8,
            "node {id} is {} bytes",
            data.len()
        );
    }
}

#[test]
fn chunked_edit_stores_little() {
    let store = MemStore::new();
    let mut x = 7u64;
    let a: Vec<u8> = (0..8 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let mut b = a.clone();
    for byte in &mut b[4 << 20..(4 << 20) + 1000] {
        *byte ^= 0x55;
    }
    file::store_content(&store, &a).unwrap();
    let before = store.bytes();
    file::store_content(&store, &b).unwrap();
    let added = store.bytes() - before;
    assert!(added < 1 << 20, "a 1000-byte edit stored {added} bytes");
}
