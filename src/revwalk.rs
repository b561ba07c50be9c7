//! Walking commit history: topological order (children before parents),
//! newest committer date first among commits that are ready.
#![warn(missing_docs)]

use std::collections::{BinaryHeap, HashMap, HashSet};

use crate::error::Result;
use crate::object::CommitRef;
use crate::oid::ObjectId;
use crate::revparse::read_commit;
use crate::store::ObjectStore;

/// A commit as the walk sees it.
#[derive(Clone, Debug)]
pub struct WalkCommit {
    /// The commit.
    pub id: ObjectId,
    /// Its parents as the walk follows them (a shallow commit's are hidden).
    pub parents: Vec<ObjectId>,
    /// Its committer time, in seconds since the epoch.
    pub time: i64,
}

/// How a walk goes.
#[derive(Default, Clone, Debug)]
pub struct WalkOptions {
    /// Follow only first parents.
    pub first_parent: bool,
    /// Stop after this many commits.
    pub limit: Option<usize>,
}

fn load(store: &dyn ObjectStore, id: ObjectId) -> Result<WalkCommit> {
    let o = read_commit(store, &id)?;
    let c = CommitRef::parse(&o.data)?;
    Ok(WalkCommit {
        id,
        parents: crate::revparse::visible_parents(store, &id, &c)?,
        time: c.committer_sig().seconds,
    })
}

/// Commits reachable from `include` but not from `exclude`, in topological
/// order (a commit always precedes its parents), newest first among ties.
pub fn walk(
    store: &dyn ObjectStore,
    include: &[ObjectId],
    exclude: &[ObjectId],
    opts: &WalkOptions,
) -> Result<Vec<WalkCommit>> {
    // Everything reachable from the excluded tips is hidden.
    let mut hidden: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<ObjectId> = exclude.to_vec();
    while let Some(id) = stack.pop() {
        if hidden.insert(id) {
            let c = load(store, id)?;
            stack.extend(if opts.first_parent {
                c.parents.into_iter().take(1).collect::<Vec<_>>()
            } else {
                c.parents
            });
        }
    }
    // Collect the visible graph.
    let mut graph: HashMap<ObjectId, WalkCommit> = HashMap::new();
    let mut stack: Vec<ObjectId> = include
        .iter()
        .filter(|i| !hidden.contains(i))
        .copied()
        .collect();
    while let Some(id) = stack.pop() {
        if graph.contains_key(&id) || hidden.contains(&id) {
            continue;
        }
        let mut c = load(store, id)?;
        if opts.first_parent {
            c.parents.truncate(1);
        }
        for p in &c.parents {
            if !graph.contains_key(p) && !hidden.contains(p) {
                stack.push(*p);
            }
        }
        graph.insert(id, c);
    }
    // Kahn's algorithm: in-degree = number of visible children.
    let mut indeg: HashMap<ObjectId, usize> = graph.keys().map(|k| (*k, 0)).collect();
    for c in graph.values() {
        for p in &c.parents {
            if let Some(d) = indeg.get_mut(p) {
                *d += 1;
            }
        }
    }
    let mut ready: BinaryHeap<(i64, ObjectId)> = indeg
        .iter()
        .filter(|(_, d)| **d == 0)
        .map(|(id, _)| (graph[id].time, *id))
        .collect();
    let mut out = Vec::with_capacity(graph.len());
    while let Some((_, id)) = ready.pop() {
        let c = graph.remove(&id).expect("in graph");
        for p in &c.parents {
            if let Some(d) = indeg.get_mut(p) {
                *d -= 1;
                if *d == 0 {
                    ready.push((graph[p].time, *p));
                }
            }
        }
        out.push(c);
        if opts.limit.is_some_and(|l| out.len() >= l) {
            break;
        }
    }
    Ok(out)
}

/// True if `ancestor` is reachable from `descendant` (a commit is its own ancestor).
pub fn is_ancestor(
    store: &dyn ObjectStore,
    ancestor: ObjectId,
    descendant: ObjectId,
) -> Result<bool> {
    Ok(walk(store, &[ancestor], &[descendant], &WalkOptions::default())?.is_empty())
}
