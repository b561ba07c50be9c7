//! What to send: the objects reachable from some commits (or objects) and not
//! from others, found by walking each new tree top-down against the trees the
//! other side has and skipping every subtree whose id they share, without
//! reading below it — a 1-file change in a 100k-file tree costs O(depth)
//! node reads. Each object comes with a suggested delta base: the node at the
//! same place (same level, overlapping keys) on the other side.
#![warn(missing_docs)]

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::error::Result;
use crate::object::{CommitRef, ObjectType, TagRef};
use crate::oid::ObjectId;
use crate::prolly::dir::{self, Entry};
use crate::prolly::{file, Node};
use crate::store::ObjectStore;

/// A pending step of `Selection::tree`'s walk.
enum Walk {
    /// A directory's root node against the other side's roots at its path.
    Tree(ObjectId, Vec<ObjectId>),
    /// A node, the other side's candidates, the key its range starts after.
    Node(ObjectId, Rc<Vec<Node>>, Option<Vec<u8>>),
    /// A regular file's content and its prior version.
    Content(ObjectId, Option<ObjectId>),
    /// A symlink's target blob.
    Link(ObjectId),
}

/// One object to send, with a delta base candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pick {
    /// The object.
    pub id: ObjectId,
    /// Its type.
    pub kind: ObjectType,
    /// The same path's previous node or content, if there is one; for a
    /// commit, its first parent the receiver has (only the compact stream
    /// deltifies commits: a stored commit stays readable without a base).
    pub base: Option<ObjectId>,
}

/// The walk's state: what is picked, in order, and what was seen.
pub struct Selection<'s> {
    store: &'s dyn ObjectStore,
    /// The objects picked, in send order.
    pub picks: Vec<Pick>,
    sent: HashSet<ObjectId>,
}

impl<'s> Selection<'s> {
    /// An empty selection reading from `store`.
    pub fn new(store: &'s dyn ObjectStore) -> Selection<'s> {
        Selection {
            store,
            picks: Vec::new(),
            sent: HashSet::new(),
        }
    }

    fn pick(&mut self, id: ObjectId, kind: ObjectType, base: Option<ObjectId>) -> bool {
        if !self.sent.insert(id) {
            return false;
        }
        self.picks.push(Pick { id, kind, base });
        true
    }

    /// Pick exactly one object, as given.
    pub fn add_object(&mut self, id: ObjectId) -> Result<()> {
        let (kind, _) = self.store.read_header(&id)?;
        self.pick(id, kind, None);
        Ok(())
    }

    /// Pick commits `commits` (oldest first: a commit's parents, when also
    /// picked, come before it) and the parts of their trees that their
    /// parents' trees (and `extra_bases`) lack.
    pub fn add_commits(&mut self, commits: &[ObjectId], extra_bases: &[ObjectId]) -> Result<()> {
        self.add_commits_against(commits, extra_bases, &|_| true)
    }

    /// `add_commits`, walking each tree only against the parents for which
    /// `other_has` is true: the receiver will have them (a shallow fetch's
    /// cut commits have parents it will not have).
    pub fn add_commits_against(
        &mut self,
        commits: &[ObjectId],
        extra_bases: &[ObjectId],
        other_has: &dyn Fn(&ObjectId) -> bool,
    ) -> Result<()> {
        let mut trees: HashMap<ObjectId, ObjectId> = HashMap::new();
        let tree_of = |s: &dyn ObjectStore,
                       c: &ObjectId,
                       trees: &mut HashMap<ObjectId, ObjectId>|
         -> Result<ObjectId> {
            if let Some(t) = trees.get(c) {
                return Ok(*t);
            }
            let o = s.read(c)?;
            let t = CommitRef::parse(&o.data)?.tree;
            trees.insert(*c, t);
            Ok(t)
        };
        for c in commits {
            let o = self.store.read(c)?;
            let commit = CommitRef::parse(&o.data)?;
            let tree = commit.tree;
            trees.insert(*c, tree);
            let mut olds: Vec<ObjectId> = Vec::new();
            let mut parent_base = None;
            for p in crate::revparse::visible_parents(self.store, c, &commit)? {
                if other_has(&p) {
                    olds.push(tree_of(self.store, &p, &mut trees)?);
                    parent_base = parent_base.or(Some(p));
                }
            }
            olds.extend_from_slice(extra_bases);
            self.tree(tree, &olds)?;
            // A pulled image's config blob travels with its commit (oci.md).
            if let Some(rec) = crate::links::PullRecord::parse(commit.message) {
                self.pick(rec.config, ObjectType::Blob, None);
            }
            self.pick(*c, ObjectType::Commit, parent_base);
        }
        Ok(())
    }

    /// Pick what `include` names that is not a commit (tags, and trees,
    /// files or blobs they or the ids name); returns the commits, peeled.
    fn add_includes(&mut self, include: &[ObjectId]) -> Result<Vec<ObjectId>> {
        let mut commits = Vec::new();
        for id in include {
            let peeled = self.add_tag(*id)?;
            match self.store.read_header(&peeled)?.0 {
                ObjectType::Commit => commits.push(peeled),
                ObjectType::Tree => self.tree(peeled, &[])?,
                ObjectType::File => self.file(peeled, None)?,
                _ => self.add_object(peeled)?,
            }
        }
        Ok(commits)
    }

    /// Pick an annotated tag (and tags it points to); returns what it peels to.
    pub fn add_tag(&mut self, id: ObjectId) -> Result<ObjectId> {
        let mut cur = id;
        loop {
            let o = self.store.read(&cur)?;
            if o.kind != ObjectType::Tag {
                return Ok(cur);
            }
            self.pick(cur, ObjectType::Tag, None);
            cur = TagRef::parse(&o.data)?.object;
        }
    }

    /// Pick the nodes of directory tree `new` that trees `olds` (the other
    /// side's, at the same path) lack. The walk keeps its own stack (a tree
    /// may nest directories arbitrarily deep) and picks in the order a
    /// depth-first recursion would.
    pub fn tree(&mut self, new: ObjectId, olds: &[ObjectId]) -> Result<()> {
        let mut work = vec![Walk::Tree(new, olds.to_vec())];
        while let Some(step) = work.pop() {
            match step {
                Walk::Tree(new, olds) => {
                    if olds.contains(&new) {
                        continue;
                    }
                    let mut cands = Vec::with_capacity(olds.len());
                    for o in &olds {
                        cands.push(dir::load(self.store, o)?);
                    }
                    work.push(Walk::Node(new, Rc::new(cands), None));
                }
                Walk::Node(id, cands, lo) => self.node(id, &cands, lo, &mut work)?,
                Walk::Content(id, prior) => self.content(id, prior)?,
                Walk::Link(id) => {
                    self.pick(id, ObjectType::Blob, None);
                }
            }
        }
        Ok(())
    }

    /// Node `id` covering keys in (`lo`, its last key], against candidate
    /// nodes of the other side covering (at least) the same keys; what lies
    /// below it goes on `work`, last first.
    fn node(
        &mut self,
        id: ObjectId,
        cands: &[Node],
        lo: Option<Vec<u8>>,
        work: &mut Vec<Walk>,
    ) -> Result<()> {
        if cands.iter().any(|c| c.id == id) || self.sent.contains(&id) {
            return Ok(());
        }
        let n = dir::load(self.store, &id)?;
        let hi = if n.is_empty() {
            None
        } else {
            Some(n.last_key().to_vec())
        };
        let cands = self.at_level(cands.to_vec(), n.level, lo.as_deref(), hi.as_deref())?;
        if cands.iter().any(|c| c.id == id) {
            return Ok(());
        }
        let base = cands.iter().find(|c| c.level == n.level).map(|c| c.id);
        self.pick(id, ObjectType::Tree, base);
        let mut below = Vec::new();
        if n.level > 0 {
            // Children the other side has at this level are skipped unread.
            let old_children: HashSet<ObjectId> = cands
                .iter()
                .filter(|c| c.level == n.level)
                .flat_map(|c| dir::children(c).map(|(_, _, id)| id).collect::<Vec<_>>())
                .collect();
            let cands = Rc::new(cands);
            let mut prev: Option<Vec<u8>> = lo;
            for (key, _, child) in dir::children(&n) {
                if !old_children.contains(&child) {
                    below.push(Walk::Node(child, cands.clone(), prev.clone()));
                }
                prev = Some(key.to_vec());
            }
        } else {
            let old: HashMap<Vec<u8>, Entry> = cands
                .iter()
                .filter(|c| c.level == 0)
                .map(dir::leaf_entries)
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .flatten()
                .map(|e| (e.name.clone(), e))
                .collect();
            for e in dir::leaf_entries(&n)? {
                let before = old.get(&e.name);
                if before.is_some_and(|b| b.id == e.id) || e.id.is_zero() {
                    continue;
                }
                if e.is_dir() {
                    let olds: Vec<ObjectId> = before
                        .filter(|b| b.is_dir())
                        .map(|b| b.id)
                        .into_iter()
                        .collect();
                    below.push(Walk::Tree(e.id, olds));
                } else if e.is_file() {
                    let prior = before.filter(|b| b.is_file()).map(|b| b.id);
                    below.push(Walk::Content(e.id, prior));
                } else if e.is_symlink() {
                    below.push(Walk::Link(e.id));
                }
            }
        }
        work.extend(below.into_iter().rev());
        Ok(())
    }

    /// Expand candidates above `level` into their children overlapping
    /// (`lo`, `hi`]; keep those at or below it.
    fn at_level(
        &self,
        cands: Vec<Node>,
        level: u8,
        lo: Option<&[u8]>,
        hi: Option<&[u8]>,
    ) -> Result<Vec<Node>> {
        let mut out = Vec::new();
        let mut work = cands;
        while let Some(c) = work.pop() {
            if c.level <= level || c.is_empty() {
                out.push(c);
                continue;
            }
            let mut prev: Option<&[u8]> = None;
            for (key, _, child) in dir::children(&c) {
                // Child covers (prev, key]: keep it if that meets (lo, hi].
                let after_lo = lo.is_none_or(|l| key > l);
                let before_hi = match (prev, hi) {
                    (Some(p), Some(h)) => p < h,
                    _ => true,
                };
                if after_lo && before_hi {
                    work.push(dir::load(self.store, &child)?);
                }
                prev = Some(key);
            }
        }
        Ok(out)
    }

    /// A regular file's content: a blob, or a chunk list whose nodes and
    /// chunks the prior version lacks.
    fn content(&mut self, id: ObjectId, prior: Option<ObjectId>) -> Result<()> {
        if self.sent.contains(&id) {
            return Ok(());
        }
        let (kind, _) = self.store.read_header(&id)?;
        // The prior version is only a delta base: not having it is no error.
        let prior_kind = prior.and_then(|p| self.store.read_header(&p).ok().map(|h| (p, h.0)));
        if kind == ObjectType::Blob {
            let base = prior_kind.filter(|p| p.1 == ObjectType::Blob).map(|p| p.0);
            self.pick(id, ObjectType::Blob, base);
            return Ok(());
        }
        let prior = prior_kind.filter(|p| p.1 == ObjectType::File).map(|p| p.0);
        self.file(id, prior)
    }

    fn file(&mut self, id: ObjectId, prior: Option<ObjectId>) -> Result<()> {
        // What the prior version has (if it can be read: it only saves bytes).
        let prior_parts = prior.and_then(|p| {
            let nodes = file::list_nodes(self.store, &p).ok()?;
            let chunks = file::chunk_list(self.store, &p).ok()?;
            Some((nodes, chunks))
        });
        let (nodes, chunks) = prior_parts.unwrap_or_default();
        let old_nodes: HashMap<(u8, usize), ObjectId> =
            nodes.into_iter().map(|(id, l, i)| ((l, i), id)).collect();
        let old_chunks: HashSet<ObjectId> = chunks.into_iter().map(|c| c.1).collect();
        let old_ids: HashSet<ObjectId> = old_nodes.values().copied().collect();
        for (node, level, pos) in file::list_nodes(self.store, &id)? {
            if !old_ids.contains(&node) {
                let base = old_nodes.get(&(level, pos)).copied();
                self.pick(node, ObjectType::File, base);
            }
        }
        for (_, chunk) in file::chunk_list(self.store, &id)? {
            if !old_chunks.contains(&chunk) {
                self.pick(chunk, ObjectType::Blob, None);
            }
        }
        Ok(())
    }
}

/// Everything reachable from `include` (commits, tags, trees or blobs) and
/// not from the commits `exclude`, walking each new commit's tree against
/// its parents' (and `extra_bases`' trees: commits the receiver also has).
/// Oldest commits first, so an object's base, when sent too, precedes it.
pub fn select_revs(
    store: &dyn ObjectStore,
    include: &[ObjectId],
    exclude: &[ObjectId],
    extra_bases: &[ObjectId],
) -> Result<Vec<Pick>> {
    let mut sel = Selection::new(store);
    let commits = sel.add_includes(include)?;
    let mut walked = crate::revwalk::walk(store, &commits, exclude, &Default::default())?;
    walked.reverse();
    let ids: Vec<ObjectId> = walked.into_iter().map(|c| c.id).collect();
    let mut base_trees = Vec::with_capacity(extra_bases.len());
    for b in extra_bases {
        base_trees.push(crate::revparse::tree_of_commit(store, b)?);
    }
    sel.add_commits(&ids, &base_trees)?;
    Ok(sel.picks)
}

/// A shallow fetch's request (protocol.md section 6a).
#[derive(Clone, Debug, Default)]
pub struct ShallowRequest {
    /// The client's shallow commits.
    pub client_shallow: HashSet<ObjectId>,
    /// `deepen N`: history cut N commits deep from each want.
    pub deepen: Option<u32>,
}

/// The shallow-update section: sorted ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShallowUpdate {
    /// Commits the client will have without all their parents.
    pub shallow: Vec<ObjectId>,
    /// Shallow commits of the client whose missing history is being sent.
    pub unshallow: Vec<ObjectId>,
}

/// The commit's parents as named in its object, and as this store's walks
/// see them (none for one of its own shallow commits).
fn both_parents(store: &dyn ObjectStore, id: &ObjectId) -> Result<(Vec<ObjectId>, Vec<ObjectId>)> {
    let o = crate::revparse::read_commit(store, id)?;
    let c = CommitRef::parse(&o.data)?;
    let visible = crate::revparse::visible_parents(store, id, &c)?;
    Ok((c.parents, visible))
}

/// `select_revs` for a client using the `shallow` capability: *E* (what the
/// client has), *S* (the commits to send, depth-limited with `deepen`), the
/// shallow-update lines, and the objects, exactly as protocol.md section 6a
/// defines them.
pub(crate) fn select_revs_shallow(
    store: &dyn ObjectStore,
    include: &[ObjectId],
    haves: &[ObjectId],
    extra_bases: &[ObjectId],
    req: &ShallowRequest,
) -> Result<(Vec<Pick>, ShallowUpdate)> {
    let mut sel = Selection::new(store);
    let wants = sel.add_includes(include)?;
    let is_commit = |id: &ObjectId| matches!(store.read_header(id), Ok((ObjectType::Commit, _)));
    let cs: HashSet<ObjectId> = req
        .client_shallow
        .iter()
        .filter(|id| is_commit(id))
        .copied()
        .collect();
    // E: the client's shallow commits, the haves, and what is below them,
    // never below a client shallow commit.
    let mut e: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<ObjectId> = cs.iter().chain(haves).copied().collect();
    while let Some(id) = stack.pop() {
        if !e.insert(id) || cs.contains(&id) {
            continue;
        }
        stack.extend(both_parents(store, &id)?.1);
    }
    // S, with each commit's parents (as named, as walked).
    let mut s: HashMap<ObjectId, (Vec<ObjectId>, Vec<ObjectId>)> = HashMap::new();
    match req.deepen {
        None => {
            let mut stack = wants.clone();
            while let Some(id) = stack.pop() {
                if e.contains(&id) || s.contains_key(&id) {
                    continue;
                }
                let ps = both_parents(store, &id)?;
                stack.extend(ps.1.iter().copied());
                s.insert(id, ps);
            }
        }
        Some(n) => {
            let mut depth: HashMap<ObjectId, u32> = HashMap::new();
            let mut queue: std::collections::VecDeque<ObjectId> = std::collections::VecDeque::new();
            for w in &wants {
                if depth.insert(*w, 1).is_none() {
                    queue.push_back(*w);
                }
            }
            while let Some(id) = queue.pop_front() {
                // Through commits the client has too: below one of them may
                // be a client shallow commit to deepen.
                let d = depth[&id];
                let ps = both_parents(store, &id)?;
                if d < n {
                    for p in &ps.1 {
                        if !depth.contains_key(p) {
                            depth.insert(*p, d + 1);
                            queue.push_back(*p);
                        }
                    }
                }
                if !e.contains(&id) {
                    s.insert(id, ps);
                }
            }
        }
    }
    let have_after = |p: &ObjectId| s.contains_key(p) || e.contains(p);
    let mut update = ShallowUpdate::default();
    for (id, (named, _)) in &s {
        if named.iter().any(|p| !have_after(p)) {
            update.shallow.push(*id);
        }
    }
    for c in &cs {
        if store.is_shallow(c)? {
            continue;
        }
        if both_parents(store, c)?.0.iter().all(have_after) {
            update.unshallow.push(*c);
        }
    }
    update.shallow.sort();
    update.unshallow.sort();
    // Oldest first: a commit after every parent of it that is sent.
    let mut order: Vec<ObjectId> = Vec::with_capacity(s.len());
    let mut done: HashSet<ObjectId> = HashSet::new();
    let mut roots: Vec<&ObjectId> = s.keys().collect();
    roots.sort();
    for r in roots {
        let mut stack: Vec<(ObjectId, bool)> = vec![(*r, false)];
        while let Some((id, expanded)) = stack.pop() {
            if expanded {
                order.push(id);
                continue;
            }
            if !s.contains_key(&id) || !done.insert(id) {
                continue;
            }
            stack.push((id, true));
            for p in &s[&id].1 {
                stack.push((*p, false));
            }
        }
    }
    let mut base_trees = Vec::with_capacity(extra_bases.len());
    for b in extra_bases {
        base_trees.push(crate::revparse::tree_of_commit(store, b)?);
    }
    sel.add_commits_against(&order, &base_trees, &have_after)?;
    Ok((sel.picks, update))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::{hash_object, Object};
    use crate::prolly::dir::S_IFREG;
    use crate::store::MemStore;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts reads, to check the walk's cost.
    struct Counting<'a>(&'a MemStore, AtomicUsize);

    impl ObjectStore for Counting<'_> {
        fn contains(&self, id: &ObjectId) -> Result<bool> {
            self.0.contains(id)
        }
        fn read(&self, id: &ObjectId) -> Result<Object> {
            self.1.fetch_add(1, Ordering::Relaxed);
            self.0.read(id)
        }
        fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
            self.0.read_header(id)
        }
        fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId> {
            self.0.write(kind, data)
        }
    }

    #[test]
    fn one_change_in_a_large_tree_picks_and_reads_o_depth_nodes() {
        let store = MemStore::new();
        let entry = |i: u32, salt: u32| {
            Entry::new(
                format!("e{i:08}").as_bytes(),
                S_IFREG | 0o644,
                hash_object(ObjectType::Blob, &(i ^ salt).to_le_bytes()),
            )
        };
        let old = dir::build(&store, (0..200_000).map(|i| entry(i, 0))).unwrap();
        let blob = store.write(ObjectType::Blob, b"new content").unwrap();
        let mut changed = entry(123_456, 0);
        changed.id = blob;
        let new = dir::edit(&store, &old, vec![(changed.name.clone(), Some(changed))]).unwrap();
        let counting = Counting(&store, AtomicUsize::new(0));
        let mut sel = Selection::new(&counting);
        sel.tree(new, &[old]).unwrap();
        let trees = sel
            .picks
            .iter()
            .filter(|p| p.kind == ObjectType::Tree)
            .count();
        let reads = counting.1.load(Ordering::Relaxed);
        assert!(trees <= 4, "{trees} tree nodes picked");
        assert!(sel.picks.iter().any(|p| p.id == blob));
        assert!(sel
            .picks
            .iter()
            .filter(|p| p.kind == ObjectType::Tree)
            .all(|p| p.base.is_some()));
        assert!(
            reads <= 12,
            "{reads} nodes read for a 1-entry change in 200k"
        );
    }
}
