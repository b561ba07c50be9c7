//! Hardlink groups: one inode's names, their records in folded trees, a group joined on lookup.
#![warn(missing_docs)]

use crate::prolly::dir::Entry;

use super::inodes::{content_id, State};
use super::{WorkingFs, R};

impl State {
    /// The names of a hardlink group's members all change when it gains or
    /// loses one: which member is first, and the records, may change.
    pub(super) fn group_changed(&mut self, ino: u64, before: usize) {
        let Some(n) = self.nodes.get(&ino) else {
            return;
        };
        if n.is_dir() || (before < 2 && n.links.len() < 2) {
            return;
        }
        for (p, name) in n.links.clone() {
            WorkingFs::changed_name(self, p, name);
        }
    }

    /// Give inode `ino` the name `name` in directory `parent`.
    pub(super) fn add_link(&mut self, ino: u64, parent: u64, name: &[u8]) {
        let Some(n) = self.nodes.get_mut(&ino) else {
            return;
        };
        let before = n.links.len();
        n.links.push((parent, name.to_vec()));
        if let Some(pn) = self.nodes.get_mut(&parent) {
            pn.kids += 1;
        }
        self.group_changed(ino, before);
    }

    /// Take the name `name` in directory `parent` from inode `ino`.
    pub(super) fn drop_link(&mut self, ino: u64, parent: u64, name: &[u8]) {
        let Some(n) = self.nodes.get_mut(&ino) else {
            return;
        };
        let before = n.links.len();
        n.links.retain(|(p, nm)| !(*p == parent && nm == name));
        if n.links.len() < before {
            if let Some(pn) = self.nodes.get_mut(&parent) {
                pn.kids = pn.kids.saturating_sub(1);
            }
        }
        self.group_changed(ino, before);
    }

    /// The path of directory `ino` from the root, by components.
    pub(super) fn dir_path(&self, mut ino: u64) -> Option<Vec<Vec<u8>>> {
        let mut comps = Vec::new();
        while ino != 1 {
            let (p, name) = self.nodes.get(&ino)?.links.first()?.clone();
            comps.push(name);
            ino = p;
        }
        comps.reverse();
        Some(comps)
    }

    /// The hardlink record (prolly-tree.md, Hardlinks) of the entry `name`
    /// of directory `dir`, a name of inode `ino`: none for a single name or
    /// for the group's first member in tree order, else the first member's
    /// path relative to `dir`.
    pub(super) fn link_record(&self, ino: u64, dir: u64, name: &[u8]) -> Option<Vec<u8>> {
        let n = self.nodes.get(&ino)?;
        if n.is_dir() || n.links.len() < 2 {
            return None;
        }
        let first = n
            .links
            .iter()
            .filter_map(|(p, nm)| {
                let mut c = self.dir_path(*p)?;
                c.push(nm.clone());
                Some(c)
            })
            .min()?;
        let from = self.dir_path(dir)?;
        if first.len() == from.len() + 1
            && first[..from.len()] == from[..]
            && first[from.len()] == name
        {
            return None;
        }
        Some(crate::hostfs::relative_path(&from, &first))
    }
}

impl WorkingFs {
    /// The inode of the first member of the hardlink group that entry `e` of
    /// directory `parent` names in its record `link`, if that member precedes
    /// it in tree order, carries no record and has the same mode, content and
    /// metadata (as checkout requires); `e` then joins that inode.
    pub(super) fn group_first(
        &self,
        st: &mut State,
        parent: u64,
        e: &Entry,
        link: &[u8],
    ) -> R<Option<u64>> {
        let Some(mut at) = st.dir_path(parent) else {
            return Ok(None);
        };
        let mut me = at.clone();
        me.push(e.name.clone());
        for c in link.split(|&b| b == b'/') {
            if c == b".." {
                if at.pop().is_none() {
                    return Ok(None);
                }
            } else {
                at.push(c.to_vec());
            }
        }
        if at >= me {
            return Ok(None);
        }
        let mut ino = 1;
        for (k, c) in at.iter().enumerate() {
            match self.resolve(st, ino, c)? {
                Some(i) if k + 1 == at.len() || st.nodes.get(&i).is_some_and(|n| n.is_dir()) => {
                    // Kept only while the kernel or a change needs it.
                    st.orphans.insert(i);
                    ino = i
                }
                _ => return Ok(None),
            }
        }
        let Some(n) = st.nodes.get(&ino) else {
            return Ok(None);
        };
        let mut want = e.meta.clone();
        want.link = None;
        let same =
            !n.is_dir() && !n.dirty && n.mode == e.mode && content_id(n) == e.id && n.meta == want;
        Ok(same.then_some(ino))
    }
}
