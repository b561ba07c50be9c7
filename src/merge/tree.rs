//! The three-way tree merge (format-spec/merge.md): per directory, the
//! changes of each side against the base are found with the top-down diff
//! (which never reads below a subtree whose id both trees share), names
//! changed on one side only take that side's entry, names changed on both are
//! merged entry by entry, and the result is ours with those entries edited in
//! (point edits under the boundary rule, so it equals a fresh build).
#![warn(missing_docs)]

use std::collections::HashMap;
use std::sync::Mutex;

use super::text::{is_binary, merge3, Favor, TEXT_LIMIT};
use crate::error::{MergeError, Result};
use crate::object::{Object, ObjectType};
use crate::oid::ObjectId;
use crate::prolly::dir::{self, Change, Entry, Meta, MAX_TREE_DEPTH, S_IFDIR, S_IFMT, S_IFREG};
use crate::prolly::file;
use crate::store::ObjectStore;

/// The stable names of conflict kinds (format-spec/merge.md, Conflicts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConflictKind {
    /// Both sides changed a file's content or a symlink's target, and the text merge left conflicting hunks or did not apply.
    Content,
    /// The same, with no base entry of that kind (both sides added the name).
    AddAdd,
    /// One side deleted what the other changed.
    ModifyDelete,
    /// Both sides present with different kinds, neither a directory.
    Type,
    /// Both sides present, one a directory and the other not.
    DirectoryFile,
    /// Both sides changed the permission bits differently.
    Mode,
    /// Both sides changed the metadata differently (never the mtime alone).
    Metadata,
}

impl ConflictKind {
    /// The stable name, as `merge-tree --messages` and `status` print it.
    pub fn name(self) -> &'static str {
        match self {
            ConflictKind::Content => "content",
            ConflictKind::AddAdd => "add/add",
            ConflictKind::ModifyDelete => "modify/delete",
            ConflictKind::Type => "type",
            ConflictKind::DirectoryFile => "directory/file",
            ConflictKind::Mode => "mode",
            ConflictKind::Metadata => "metadata",
        }
    }

    /// The kind a stable name names, if any.
    pub fn from_name(s: &str) -> Option<ConflictKind> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }

    /// Every kind, in the order of their names' table.
    pub const ALL: [ConflictKind; 7] = [
        ConflictKind::Content,
        ConflictKind::AddAdd,
        ConflictKind::ModifyDelete,
        ConflictKind::Type,
        ConflictKind::DirectoryFile,
        ConflictKind::Mode,
        ConflictKind::Metadata,
    ];
}

/// One conflict at one path, with the three entries that met there (the
/// index stages 1, 2 and 3 of git).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The path, slash-separated from the root.
    pub path: Vec<u8>,
    /// What kind of conflict.
    pub kind: ConflictKind,
    /// The base's entry (stage 1).
    pub base: Option<Entry>,
    /// Ours' entry (stage 2).
    pub ours: Option<Entry>,
    /// Theirs' entry (stage 3).
    pub theirs: Option<Entry>,
}

impl Conflict {
    /// The stages of the path: 1 base, 2 ours, 3 theirs (absent ones left out).
    pub fn stages(&self) -> impl Iterator<Item = (u8, &Entry)> {
        [(1u8, &self.base), (2, &self.ours), (3, &self.theirs)]
            .into_iter()
            .filter_map(|(s, e)| e.as_ref().map(|e| (s, e)))
    }
}

/// How the merge treats conflicts.
#[derive(Clone, Copy, Debug, Default)]
pub struct MergeOptions {
    /// Write the base section (`|||||||`) in conflict markers.
    pub diff3: bool,
    /// Resolve every conflict in favour of one side (`-X ours|theirs`).
    pub favor: Favor,
}

/// The merged tree (with conflict markers and ours' entries where a
/// conflict was left) and the conflicts, in path order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeOutcome {
    /// The merged tree.
    pub tree: ObjectId,
    /// The conflicts, in path order.
    pub conflicts: Vec<Conflict>,
    /// Distinct tree nodes read from the store.
    pub nodes_fetched: u64,
}

/// Tree nodes read once per merge: both diffs walk the base's nodes on the
/// changed paths, and the edits walk ours' (often the base's) again.
struct NodeCache<'s> {
    inner: &'s dyn ObjectStore,
    nodes: Mutex<HashMap<ObjectId, Object>>,
}

impl ObjectStore for NodeCache<'_> {
    fn contains(&self, id: &ObjectId) -> Result<bool> {
        self.inner.contains(id)
    }
    fn read(&self, id: &ObjectId) -> Result<Object> {
        if let Some(o) = self.nodes.lock().unwrap().get(id) {
            return Ok(o.clone());
        }
        let o = self.inner.read(id)?;
        if o.kind == ObjectType::Tree {
            self.nodes.lock().unwrap().insert(*id, o.clone());
        }
        Ok(o)
    }
    fn read_header(&self, id: &ObjectId) -> Result<(ObjectType, u64)> {
        self.inner.read_header(id)
    }
    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<ObjectId> {
        self.inner.write(kind, data)
    }
    fn write_many(&self, objects: &[(ObjectType, &[u8])]) -> Result<Vec<ObjectId>> {
        self.inner.write_many(objects)
    }
}

impl MergeOutcome {
    /// Whether no conflict was left.
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty()
    }
}

/// Merge trees `ours` and `theirs`, both derived from `base`.
pub fn merge_trees(
    store: &dyn ObjectStore,
    base: &ObjectId,
    ours: &ObjectId,
    theirs: &ObjectId,
    opts: &MergeOptions,
) -> Result<MergeOutcome> {
    let cache = NodeCache {
        inner: store,
        nodes: Mutex::new(HashMap::new()),
    };
    let mut m = TreeMerge {
        store: &cache,
        opts: *opts,
        conflicts: Vec::new(),
        empty: None,
    };
    // The walk recurses once per directory level, at most MAX_TREE_DEPTH
    // deep (it refuses deeper trees): on a stack sized for that depth, not
    // on whatever stack the caller has.
    let merged = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("merge".into())
            .stack_size(MERGE_STACK)
            .spawn_scoped(s, || m.merge_dir(base, ours, theirs, b"", 1))
            .map_err(MergeError::CannotStart)?
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })?;
    // A member changed on one side leaves its hardlink group (prolly-tree.md).
    let tree = crate::prolly::dir::hardlinks::repair_merge(store, ours, &merged)?;
    let conflicts = m.conflicts;
    let nodes_fetched = cache.nodes.lock().unwrap().len() as u64;
    Ok(MergeOutcome {
        tree,
        conflicts,
        nodes_fetched,
    })
}

/// The merge walk's stack: room for every level it may descend (its frames
/// take a few KiB a level, more in a debug build).
const MERGE_STACK: usize = MAX_TREE_DEPTH * (64 << 10);

struct TreeMerge<'s> {
    store: &'s dyn ObjectStore,
    opts: MergeOptions,
    conflicts: Vec<Conflict>,
    empty: Option<ObjectId>,
}

/// What an entry is, for matching sides: its type bits, with the root
/// record kept apart from subdirectories.
fn kind(e: &Entry) -> u32 {
    if e.mode & S_IFMT == S_IFDIR && !e.is_dir() {
        0 // the `.` root record
    } else {
        e.mode & S_IFMT
    }
}

/// Three-way pick of one value: the side that changed it, or None when both
/// changed it differently.
fn pick3<T: PartialEq + Clone>(base: Option<&T>, ours: &T, theirs: &T) -> Option<T> {
    if ours == theirs || base == Some(theirs) {
        Some(ours.clone())
    } else if base == Some(ours) {
        Some(theirs.clone())
    } else {
        None
    }
}

fn join(prefix: &[u8], name: &[u8]) -> Vec<u8> {
    let mut p = prefix.to_vec();
    if !p.is_empty() {
        p.push(b'/');
    }
    p.extend_from_slice(name);
    p
}

impl TreeMerge<'_> {
    fn empty(&mut self) -> Result<ObjectId> {
        if self.empty.is_none() {
            self.empty = Some(dir::empty(self.store)?);
        }
        Ok(self.empty.unwrap())
    }

    fn conflict(
        &mut self,
        path: &[u8],
        kind: ConflictKind,
        b: Option<&Entry>,
        o: Option<&Entry>,
        t: Option<&Entry>,
    ) {
        self.conflicts.push(Conflict {
            path: path.to_vec(),
            kind,
            base: b.cloned(),
            ours: o.cloned(),
            theirs: t.cloned(),
        });
    }

    /// Merge one directory level, `depth` levels below the top (1);
    /// returns the merged tree's id.
    fn merge_dir(
        &mut self,
        base: &ObjectId,
        ours: &ObjectId,
        theirs: &ObjectId,
        prefix: &[u8],
        depth: usize,
    ) -> Result<ObjectId> {
        if ours == theirs || base == theirs {
            return Ok(*ours);
        }
        if base == ours {
            return Ok(*theirs);
        }
        if depth > MAX_TREE_DEPTH {
            return Err(MergeError::TooDeep {
                tree: *ours,
                limit: MAX_TREE_DEPTH,
            }
            .into());
        }
        let d_ours = dir::diff(self.store, base, ours)?;
        let d_theirs = dir::diff(self.store, base, theirs)?;
        let mut edits: Vec<(Vec<u8>, Option<Entry>)> = Vec::new();
        let mut io = d_ours.into_iter().peekable();
        for ct in d_theirs {
            // Ours' own changes are already in ours: skip them.
            while io.next_if(|co| co.name < ct.name).is_some() {}
            let Some(co) = io.next_if(|co| co.name == ct.name) else {
                edits.push((ct.name, ct.new));
                continue;
            };
            let Change { name, old, new } = ct;
            let path = join(prefix, &name);
            let r = self.merge_entry(&path, old.as_ref(), co.new.as_ref(), new.as_ref(), depth)?;
            if r != co.new {
                edits.push((name, r));
            }
        }
        dir::edit(self.store, ours, edits)
    }

    /// Merge one name changed on both sides (`o != b`, `t != b`), in a
    /// directory `depth` levels deep.
    fn merge_entry(
        &mut self,
        path: &[u8],
        b: Option<&Entry>,
        o: Option<&Entry>,
        t: Option<&Entry>,
        depth: usize,
    ) -> Result<Option<Entry>> {
        use ConflictKind::*;
        if o == t {
            return Ok(o.cloned());
        }
        let favor = self.opts.favor;
        let favored = |o: Option<&Entry>, t: Option<&Entry>| match favor {
            Favor::Theirs => t.cloned(),
            _ => o.cloned(),
        };
        let (oe, te) = match (o, t) {
            (Some(oe), Some(te)) => (oe, te),
            _ => {
                // Deleted on one side, changed on the other.
                let m = o.or(t).expect("o != t");
                if let Some(be) = b.filter(|b| b.is_dir() && m.is_dir()) {
                    let empty = self.empty()?;
                    let (oid, tid) = (o.map_or(empty, |e| e.id), t.map_or(empty, |e| e.id));
                    let sub = self.merge_dir(&be.id, &oid, &tid, path, depth + 1)?;
                    if sub == empty {
                        return Ok(None);
                    }
                    let mut e = m.clone();
                    e.id = sub;
                    return Ok(Some(e));
                }
                if favor != Favor::None {
                    return Ok(favored(o, t));
                }
                self.conflict(path, ModifyDelete, b, o, t);
                return Ok(Some(m.clone()));
            }
        };
        if kind(oe) != kind(te) {
            if favor != Favor::None {
                return Ok(favored(o, t));
            }
            let k = if oe.is_dir() != te.is_dir() {
                DirectoryFile
            } else {
                Type
            };
            self.conflict(path, k, b, o, t);
            return Ok(o.cloned());
        }
        // Same kind: merge content, mode and metadata separately.
        let bs = b.filter(|b| kind(b) == kind(oe));
        let mut r = oe.clone();
        r.mode = match pick3(bs.map(|b| &b.mode), &oe.mode, &te.mode) {
            Some(m) => m,
            None if favor == Favor::Theirs => te.mode,
            None if favor == Favor::Ours => oe.mode,
            None => {
                self.conflict(path, Mode, b, o, t);
                oe.mode
            }
        };
        // merge.md: the mtime is its own field and never conflicts (the later wins).
        let untimed = |m: &Meta| Meta {
            mtime: None,
            mtime_nsec: 0,
            ..m.clone()
        };
        let time = |m: &Meta| (m.mtime, m.mtime_nsec);
        let bm = bs.map(|b| untimed(&b.meta));
        r.meta = match pick3(bm.as_ref(), &untimed(&oe.meta), &untimed(&te.meta)) {
            Some(m) => m,
            None if favor == Favor::Theirs => untimed(&te.meta),
            None if favor == Favor::Ours => untimed(&oe.meta),
            None => {
                self.conflict(path, Metadata, b, o, t);
                untimed(&oe.meta)
            }
        };
        let bt = bs.map(|b| time(&b.meta));
        let (mtime, mtime_nsec) = pick3(bt.as_ref(), &time(&oe.meta), &time(&te.meta))
            .unwrap_or_else(|| time(&oe.meta).max(time(&te.meta)));
        r.meta.mtime = mtime;
        r.meta.mtime_nsec = if mtime.is_some() { mtime_nsec } else { 0 };
        let content_kind = if bs.is_some() { Content } else { AddAdd };
        r.id = if oe.is_dir() {
            let bid = match bs {
                Some(b) => b.id,
                None => self.empty()?,
            };
            self.merge_dir(&bid, &oe.id, &te.id, path, depth + 1)?
        } else if let Some(id) = pick3(bs.map(|b| &b.id), &oe.id, &te.id) {
            id
        } else if kind(oe) == S_IFREG {
            match self.merge_text(bs.map(|b| &b.id), &oe.id, &te.id)? {
                Some((id, 0)) => id,
                Some((id, _)) => {
                    if favor == Favor::None {
                        self.conflict(path, content_kind, b, o, t);
                    }
                    id
                }
                None => self.unmerged(path, content_kind, b, o, t),
            }
        } else {
            self.unmerged(path, content_kind, b, o, t)
        };
        Ok(Some(r))
    }

    /// Content both sides changed that is not merged line by line: the
    /// favoured side's, or ours with a conflict.
    fn unmerged(
        &mut self,
        path: &[u8],
        k: ConflictKind,
        b: Option<&Entry>,
        o: Option<&Entry>,
        t: Option<&Entry>,
    ) -> ObjectId {
        let (oe, te) = (o.expect("both sides"), t.expect("both sides"));
        match self.opts.favor {
            Favor::Theirs => te.id,
            Favor::Ours => oe.id,
            Favor::None => {
                self.conflict(path, k, b, o, t);
                oe.id
            }
        }
    }

    /// Line-merge three file contents (an absent base is empty); None if any
    /// side is binary or over the size limit.
    fn merge_text(
        &mut self,
        base: Option<&ObjectId>,
        ours: &ObjectId,
        theirs: &ObjectId,
    ) -> Result<Option<(ObjectId, usize)>> {
        let mut texts = Vec::with_capacity(3);
        for id in [base, Some(ours), Some(theirs)] {
            let Some(id) = id else {
                texts.push(Vec::new());
                continue;
            };
            if file::size(self.store, id)? > TEXT_LIMIT {
                return Ok(None);
            }
            let mut data = Vec::new();
            file::write_to(self.store, id, &mut data)?;
            if is_binary(&data) {
                return Ok(None);
            }
            texts.push(data);
        }
        let m = merge3(
            &texts[0],
            &texts[1],
            &texts[2],
            self.opts.diff3,
            self.opts.favor,
        );
        Ok(Some((
            file::store_content(self.store, &m.text)?,
            m.conflicts,
        )))
    }
}
