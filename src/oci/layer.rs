//! Layer application: tar streams (plain, gzip or zstd) applied in order to an
//! in-memory map of the image's entries, file contents chunked and stored as
//! they stream; whiteouts and opaque directories per the OCI image spec; no
//! entry may land outside the image's tree or pass through a symlink.
//!
//! Only metadata is held in memory (one small record per path); the root
//! filesystem is never materialised on disk.
#![warn(missing_docs)]

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use super::error::LayerEntryError;
use super::manifest::Compression;
use crate::error::{Error, Result};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::prolly::dir::{
    self, check_name, Entry, Meta, ROOT_RECORD, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK,
    S_IFREG,
};
use crate::prolly::file;
use crate::store::ObjectStore;

const WHITEOUT: &[u8] = b".wh.";
const OPAQUE: &[u8] = b".wh..wh..opq";

fn shown(p: &[u8]) -> String {
    String::from_utf8_lossy(p).escape_debug().to_string()
}

struct DirNode {
    mode: u32,
    meta: Meta,
    /// The layer that last wrote this directory (an implicit parent counts).
    layer: u32,
    children: BTreeMap<Vec<u8>, Node>,
}

struct Leaf {
    /// Mode, content id and metadata (the name is the map's key).
    entry: Entry,
    layer: u32,
    /// Equal for the members of a hardlink group.
    inode: u64,
}

enum Node {
    Dir(DirNode),
    Leaf(Leaf),
}

/// Remove everything lower layers than `layer` wrote beneath `node`;
/// whether anything is left (a directory this layer wrote or holds entries of).
fn keep_upper(node: &mut Node, layer: u32) -> bool {
    match node {
        Node::Leaf(l) => l.layer >= layer,
        Node::Dir(d) => {
            d.children.retain(|_, c| keep_upper(c, layer));
            d.layer >= layer || !d.children.is_empty()
        }
    }
}

/// Counts for one applied layer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayerStats {
    /// Tar entries read.
    pub entries: u64,
    /// Regular files among them.
    pub files: u64,
    /// Bytes of regular-file content in the layer.
    pub content_bytes: u64,
    /// Whiteouts applied.
    pub whiteouts: u64,
}

/// The flattened root filesystem of an image being pulled.
pub struct ImageTree {
    root: DirNode,
    next_inode: u64,
}

impl Default for ImageTree {
    fn default() -> Self {
        ImageTree::new()
    }
}

/// A tar path as components: `.` and empty components dropped; `..`, an
/// absolute path and invalid names refused.
fn split_tar_path(p: &[u8]) -> Result<Vec<Vec<u8>>> {
    if p.starts_with(b"/") {
        return Err(LayerEntryError::AbsolutePath(shown(p)).into());
    }
    let mut out = Vec::new();
    for c in p.split(|&b| b == b'/') {
        if c.is_empty() || c == b"." {
            continue;
        }
        if c == b".." {
            return Err(LayerEntryError::PathLeaves(shown(p)).into());
        }
        check_name(c).map_err(|e| LayerEntryError::BadName {
            path: shown(p),
            err: Box::new(e),
        })?;
        out.push(c.to_vec());
    }
    Ok(out)
}

/// A decompressing reader for a layer blob.
pub(crate) fn decompress<'r>(c: Compression, r: impl Read + 'r) -> Result<Box<dyn Read + 'r>> {
    Ok(match c {
        Compression::None => Box::new(r),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(r)),
        Compression::Zstd => {
            Box::new(zstd::stream::read::Decoder::new(r).map_err(LayerEntryError::Zstd)?)
        }
    })
}

/// Counts the bytes read through it.
struct Counted<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

/// What a tar entry's header and pax records say about it.
struct Header {
    path: Vec<u8>,
    kind: tar::EntryType,
    meta: Meta,
    /// Permission bits.
    perm: u32,
    /// Device numbers (major, minor).
    rdev: (u32, u32),
    link: Option<Vec<u8>>,
}

fn malformed(e: std::io::Error) -> Error {
    LayerEntryError::Malformed(e).into()
}

/// The header of `ent` (at `path`), its pax records applied.
fn read_header<R: Read>(ent: &mut tar::Entry<'_, R>, path: Vec<u8>) -> Result<Header> {
    let hdr = ent.header();
    let kind = hdr.entry_type();
    let mut meta = Meta {
        uid: hdr.uid().map_err(malformed)? as u32,
        gid: hdr.gid().map_err(malformed)? as u32,
        mtime: Some(hdr.mtime().map_err(malformed)?),
        ..Meta::default()
    };
    let perm = hdr.mode().map_err(malformed)? & 0o7777;
    let rdev = (
        hdr.device_major().ok().flatten().unwrap_or(0),
        hdr.device_minor().ok().flatten().unwrap_or(0),
    );
    let link = ent.link_name_bytes().map(|l| l.into_owned());
    if let Some(pax) = ent.pax_extensions().map_err(malformed)? {
        for x in pax {
            let x = x.map_err(malformed)?;
            apply_pax(&mut meta, x.key_bytes(), x.value_bytes(), &path)?;
        }
    }
    // One value per name: the first given wins.
    meta.xattrs.sort_by(|a, b| a.0.cmp(&b.0));
    meta.xattrs.dedup_by(|a, b| a.0 == b.0);
    Ok(Header {
        path,
        kind,
        meta,
        perm,
        rdev,
        link,
    })
}

/// Apply the pax record `k` = `v` of the entry at `path` to `meta`:
/// xattrs (GNU's and bsdtar's spellings), mtime with nanoseconds, uid, gid.
fn apply_pax(meta: &mut Meta, k: &[u8], v: &[u8], path: &[u8]) -> Result<()> {
    if let Some(name) = k.strip_prefix(b"SCHILY.xattr.") {
        if name.is_empty() || name.len() > 255 {
            return Err(LayerEntryError::BadXattrName(shown(path)).into());
        }
        meta.xattrs.push((name.to_vec(), v.to_vec()));
    } else if let Some(name) = k.strip_prefix(b"LIBARCHIVE.xattr.") {
        // bsdtar: the name URL-encoded, the value base64.
        let name: Vec<u8> = percent_encoding::percent_decode(name).collect();
        let val = std::str::from_utf8(v)
            .ok()
            .and_then(super::registry::base64_decode);
        match val {
            Some(val) if !name.is_empty() && name.len() <= 255 => meta.xattrs.push((name, val)),
            _ => return Err(LayerEntryError::BadXattr(shown(path)).into()),
        }
    } else if k == b"mtime" {
        let s = String::from_utf8_lossy(v);
        let (secs, frac) = s.split_once('.').unwrap_or((&s, ""));
        if let Ok(secs) = secs.parse::<i64>() {
            meta.mtime = Some(secs.max(0) as u64);
            let digits: String = frac.chars().take(9).collect();
            if secs >= 0 && !digits.is_empty() {
                let ns = format!("{digits:0<9}").parse::<u32>().unwrap_or(0);
                meta.mtime_nsec = ns;
            }
        }
    } else if k == b"uid" || k == b"gid" {
        if let Ok(n) = String::from_utf8_lossy(v).parse::<u32>() {
            if k == b"uid" {
                meta.uid = n
            } else {
                meta.gid = n
            }
        }
    }
    Ok(())
}

impl ImageTree {
    /// An empty root filesystem.
    pub fn new() -> ImageTree {
        ImageTree {
            root: DirNode {
                mode: S_IFDIR | 0o755,
                meta: Meta::default(),
                layer: 0,
                children: BTreeMap::new(),
            },
            next_inode: 1,
        }
    }

    /// The directory at `comps`, creating missing ones (mode 0755) for
    /// `layer` when `create`; refuses a path through a symlink or a file.
    fn dir_mut(
        &mut self,
        comps: &[Vec<u8>],
        layer: u32,
        create: bool,
    ) -> Result<Option<&mut DirNode>> {
        let mut d = &mut self.root;
        for (i, c) in comps.iter().enumerate() {
            if !d.children.contains_key(c) {
                if !create {
                    return Ok(None);
                }
                d.children.insert(
                    c.clone(),
                    Node::Dir(DirNode {
                        mode: S_IFDIR | 0o755,
                        meta: Meta::default(),
                        layer,
                        children: BTreeMap::new(),
                    }),
                );
            }
            d = match d.children.get_mut(c).unwrap() {
                Node::Dir(next) => next,
                Node::Leaf(l) => {
                    let p = comps[..=i]
                        .iter()
                        .map(|c| shown(c))
                        .collect::<Vec<_>>()
                        .join("/");
                    return Err(if l.entry.is_symlink() {
                        LayerEntryError::ThroughSymlink(p)
                    } else {
                        LayerEntryError::BeneathNonDirectory(p)
                    }
                    .into());
                }
            };
        }
        Ok(Some(d))
    }

    /// Apply one (decompressed) tar layer, the `layer`-th (from 1), storing
    /// file contents in `store`.
    pub fn apply_layer(
        &mut self,
        store: &dyn ObjectStore,
        layer: u32,
        r: impl Read,
    ) -> Result<LayerStats> {
        let mut stats = LayerStats::default();
        let mut ar = tar::Archive::new(r);
        for ent in ar.entries().map_err(malformed)? {
            let mut ent = ent.map_err(malformed)?;
            stats.entries += 1;
            if ent.header().entry_type().is_pax_global_extensions() {
                continue;
            }
            let path = ent.path_bytes().into_owned();
            let comps = split_tar_path(&path)?;
            let h = read_header(&mut ent, path)?;
            let Some((name, parent)) = comps.split_last() else {
                // The root itself ("./"): its mode and metadata.
                if !h.kind.is_dir() {
                    return Err(LayerEntryError::RootNotDirectory.into());
                }
                self.root.mode = S_IFDIR | h.perm;
                self.root.meta = h.meta;
                continue;
            };
            // Whiteouts: only regular files are markers.
            if name.starts_with(WHITEOUT) && h.kind.is_file() {
                stats.whiteouts += 1;
                self.whiteout(name, parent, &h.path, layer)?;
                continue;
            }
            let node = if h.kind.is_dir() {
                let d = self.dir_mut(parent, layer, true)?.unwrap();
                if let Some(Node::Dir(old)) = d.children.get_mut(name) {
                    old.mode = S_IFDIR | h.perm;
                    old.meta = h.meta;
                    old.layer = layer;
                    continue;
                }
                Node::Dir(DirNode {
                    mode: S_IFDIR | h.perm,
                    meta: h.meta,
                    layer,
                    children: BTreeMap::new(),
                })
            } else if h.kind.is_hard_link() {
                self.hardlink(h, layer)?
            } else {
                self.leaf(store, &mut ent, h, name, layer, &mut stats)?
            };
            let d = self.dir_mut(parent, layer, true)?.unwrap();
            d.children.insert(name.clone(), node);
        }
        Ok(stats)
    }

    /// Apply the whiteout `name` in `parent` (an opaque marker, or the
    /// removal of what lower layers wrote at one name).
    fn whiteout(&mut self, name: &[u8], parent: &[Vec<u8>], path: &[u8], layer: u32) -> Result<()> {
        let target = &name[WHITEOUT.len()..];
        if name == OPAQUE {
            if let Some(d) = self.dir_mut(parent, layer, true)? {
                d.children.retain(|_, c| keep_upper(c, layer));
            }
        } else if target.starts_with(WHITEOUT) {
            // Other `.wh..wh.` names are aufs bookkeeping: ignored.
        } else {
            check_name(target).map_err(|_| LayerEntryError::WhiteoutLeaves(shown(path)))?;
            if let Some(d) = self.dir_mut(parent, layer, false)? {
                if let Some(n) = d.children.get_mut(target) {
                    if !keep_upper(n, layer) {
                        d.children.remove(target);
                    }
                }
            }
        }
        Ok(())
    }

    /// The node of hardlink entry `h`: the leaf it names, sharing its inode.
    fn hardlink(&mut self, h: Header, layer: u32) -> Result<Node> {
        let path = shown(&h.path);
        let target = h
            .link
            .ok_or_else(|| LayerEntryError::HardlinkWithoutTarget(path.clone()))?;
        let tcomps = split_tar_path(&target).map_err(|_| LayerEntryError::HardlinkLeaves {
            path: path.clone(),
            target: shown(&target),
        })?;
        let Some((tname, tparent)) = tcomps.split_last() else {
            return Err(LayerEntryError::HardlinkToRoot(path).into());
        };
        let missing = || LayerEntryError::HardlinkToMissing {
            path: path.clone(),
            target: shown(&target),
        };
        let td = self.dir_mut(tparent, layer, false)?.ok_or_else(missing)?;
        match td.children.get(tname) {
            Some(Node::Leaf(l)) => Ok(Node::Leaf(Leaf {
                entry: l.entry.clone(),
                layer,
                inode: l.inode,
            })),
            Some(Node::Dir(_)) => Err(LayerEntryError::HardlinkToDirectory(path.clone()).into()),
            None => Err(missing().into()),
        }
    }

    /// The node of a file, symlink, device or FIFO entry `h` named `name`,
    /// a file's content read from `ent` and stored.
    fn leaf<R: Read>(
        &mut self,
        store: &dyn ObjectStore,
        ent: &mut tar::Entry<'_, R>,
        h: Header,
        name: &[u8],
        layer: u32,
        stats: &mut LayerStats,
    ) -> Result<Node> {
        let (kind, perm, mut meta) = (h.kind, h.perm, h.meta);
        let path = || shown(&h.path);
        let (mode, id) = if kind.is_file() || kind.is_contiguous() {
            let size = ent.size();
            let mut c = Counted { inner: ent, n: 0 };
            let id = file::store_reader(store, &mut c)
                .map_err(|err| LayerEntryError::Read { path: path(), err })?;
            if c.n != size {
                return Err(LayerEntryError::Truncated {
                    path: path(),
                    read: c.n,
                    size,
                }
                .into());
            }
            stats.files += 1;
            stats.content_bytes += size;
            (S_IFREG | perm, id)
        } else if kind.is_symlink() {
            let target = h
                .link
                .ok_or_else(|| LayerEntryError::SymlinkWithoutTarget(path()))?;
            if target.is_empty() || target.contains(&0) {
                return Err(LayerEntryError::SymlinkEmptyTarget(path()).into());
            }
            (S_IFLNK | 0o777, store.write(ObjectType::Blob, &target)?)
        } else if kind.is_character_special() || kind.is_block_special() {
            meta.rdev = Some(h.rdev);
            let t = if kind.is_character_special() {
                S_IFCHR
            } else {
                S_IFBLK
            };
            (t | perm, ObjectId::ZERO)
        } else if kind.is_fifo() {
            (S_IFIFO | perm, ObjectId::ZERO)
        } else {
            return Err(LayerEntryError::UnsupportedType {
                kind: kind.as_byte() as char,
                path: path(),
            }
            .into());
        };
        let mut e = Entry::new(name, mode, id);
        e.meta = meta;
        let inode = self.next_inode;
        self.next_inode += 1;
        Ok(Node::Leaf(Leaf {
            entry: e,
            layer,
            inode,
        }))
    }

    /// Write the tree: directories bottom-up, hardlink records for groups
    /// still sharing an inode, the root's own mode in its `.` record.
    pub fn write(&self, store: &dyn ObjectStore) -> Result<ObjectId> {
        let mut counts: HashMap<u64, u32> = HashMap::new();
        count_inodes(&self.root, &mut counts);
        let mut firsts: HashMap<u64, Vec<Vec<u8>>> = HashMap::new();
        let mut comps = Vec::new();
        let mut entries = dir_entries(store, &self.root, &mut comps, &counts, &mut firsts)?;
        if let Some(rec) = crate::hostfs::root_record(self.root.mode, &self.root.meta) {
            let at = entries.partition_point(|e| e.name.as_slice() < ROOT_RECORD);
            entries.insert(at, rec);
        }
        dir::build(store, entries)
    }
}

fn count_inodes(d: &DirNode, counts: &mut HashMap<u64, u32>) {
    for c in d.children.values() {
        match c {
            Node::Dir(sub) => count_inodes(sub, counts),
            Node::Leaf(l) => *counts.entry(l.inode).or_default() += 1,
        }
    }
}

use crate::hostfs::relative_path;

fn dir_entries(
    store: &dyn ObjectStore,
    d: &DirNode,
    comps: &mut Vec<Vec<u8>>,
    counts: &HashMap<u64, u32>,
    firsts: &mut HashMap<u64, Vec<Vec<u8>>>,
) -> Result<Vec<Entry>> {
    let mut out = Vec::with_capacity(d.children.len());
    // Children in name order: a depth-first walk visits paths in tree order.
    for (name, c) in &d.children {
        match c {
            Node::Dir(sub) => {
                comps.push(name.clone());
                let entries = dir_entries(store, sub, comps, counts, firsts)?;
                comps.pop();
                let mut e = Entry::new(name, sub.mode, dir::build(store, entries)?);
                e.meta = sub.meta.clone();
                out.push(e);
            }
            Node::Leaf(l) => {
                let mut e = l.entry.clone();
                e.name = name.clone();
                e.meta.link = None;
                if counts.get(&l.inode).copied().unwrap_or(0) > 1 {
                    match firsts.get(&l.inode) {
                        Some(first) => e.meta.link = Some(relative_path(comps, first)),
                        None => {
                            let mut p = comps.clone();
                            p.push(name.clone());
                            firsts.insert(l.inode, p);
                        }
                    }
                }
                out.push(e);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oci::error::OciError;
    use crate::prolly::dir::{list, lookup_path};
    use crate::store::MemStore;

    enum T<'a> {
        Dir(&'a str, u32),
        File(&'a str, u32, &'a [u8]),
        Sym(&'a str, &'a str),
        Hard(&'a str, &'a str),
        Fifo(&'a str),
        Chr(&'a str, u32, u32),
        /// A header with any path bytes (the builder refuses `..`).
        RawFile(&'a [u8], &'a [u8]),
    }

    fn tar_of(items: &[T]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for it in items {
            let mut h = tar::Header::new_gnu();
            h.set_mtime(1_700_000_000);
            h.set_uid(0);
            h.set_gid(0);
            match it {
                T::Dir(p, m) => {
                    h.set_entry_type(tar::EntryType::Directory);
                    h.set_mode(*m);
                    h.set_size(0);
                    b.append_data(&mut h, p, &[][..]).unwrap();
                }
                T::File(p, m, data) => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(*m);
                    h.set_size(data.len() as u64);
                    b.append_data(&mut h, p, *data).unwrap();
                }
                T::Sym(p, t) => {
                    h.set_entry_type(tar::EntryType::Symlink);
                    h.set_mode(0o777);
                    h.set_size(0);
                    b.append_link(&mut h, p, t).unwrap();
                }
                T::Hard(p, t) => {
                    h.set_entry_type(tar::EntryType::Link);
                    h.set_mode(0o644);
                    h.set_size(0);
                    // Raw link names: the builder would refuse some on purpose.
                    h.set_link_name_literal(t.as_bytes()).unwrap();
                    h.set_path(p).unwrap();
                    h.set_cksum();
                    b.append(&h, &[][..]).unwrap();
                }
                T::Fifo(p) => {
                    h.set_entry_type(tar::EntryType::Fifo);
                    h.set_mode(0o644);
                    h.set_size(0);
                    b.append_data(&mut h, p, &[][..]).unwrap();
                }
                T::Chr(p, ma, mi) => {
                    h.set_entry_type(tar::EntryType::Char);
                    h.set_mode(0o666);
                    h.set_size(0);
                    h.set_device_major(*ma).unwrap();
                    h.set_device_minor(*mi).unwrap();
                    b.append_data(&mut h, p, &[][..]).unwrap();
                }
                T::RawFile(p, data) => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(0o644);
                    h.set_size(data.len() as u64);
                    let name = &mut h.as_old_mut().name;
                    name[..p.len()].copy_from_slice(p);
                    h.set_cksum();
                    b.append(&h, *data).unwrap();
                }
            }
        }
        b.into_inner().unwrap()
    }

    fn names(store: &MemStore, tree: &ObjectId, path: &str) -> Vec<String> {
        let id = if path.is_empty() {
            *tree
        } else {
            let comps = split_tar_path(path.as_bytes()).unwrap();
            lookup_path(store, tree, &comps).unwrap().unwrap().id
        };
        list(store, &id)
            .unwrap()
            .into_iter()
            .map(|e| String::from_utf8(e.name).unwrap())
            .collect()
    }

    fn entry(store: &MemStore, tree: &ObjectId, path: &str) -> Option<Entry> {
        let comps = split_tar_path(path.as_bytes()).unwrap();
        lookup_path(store, tree, &comps).unwrap()
    }

    #[test]
    fn layers_whiteouts_opaque_and_links() {
        let store = MemStore::new();
        let mut t = ImageTree::new();
        let l1 = tar_of(&[
            T::Dir("etc/", 0o755),
            T::File("etc/passwd", 0o644, b"root:x:0:0\n"),
            T::File("etc/gone", 0o644, b"bye"),
            T::Dir("opt/", 0o755),
            T::File("opt/old1", 0o644, b"1"),
            T::Dir("opt/sub/", 0o700),
            T::File("opt/sub/old2", 0o644, b"2"),
            T::File("bin/busybox", 0o4755, b"ELF"),
        ]);
        t.apply_layer(&store, 1, &l1[..]).unwrap();
        let l2 = tar_of(&[
            T::File("etc/.wh.gone", 0o644, b""),
            T::File("opt/new", 0o644, b"n"),
            // The marker hides only lower entries, wherever it sits.
            T::File("opt/.wh..wh..opq", 0o644, b""),
            T::Hard("bin/sh", "bin/busybox"),
            T::Sym("bin/ls", "busybox"),
            T::Fifo("run/fifo"),
            T::Chr("dev/null", 1, 3),
            T::File("etc/.wh.never-existed", 0o644, b""),
        ]);
        let s = t.apply_layer(&store, 2, &l2[..]).unwrap();
        assert_eq!(s.whiteouts, 3);
        let tree = t.write(&store).unwrap();
        assert_eq!(
            names(&store, &tree, ""),
            ["bin", "dev", "etc", "opt", "run"]
        );
        assert_eq!(names(&store, &tree, "etc"), ["passwd"]);
        assert_eq!(names(&store, &tree, "opt"), ["new"]);
        let bb = entry(&store, &tree, "bin/busybox").unwrap();
        let sh = entry(&store, &tree, "bin/sh").unwrap();
        assert_eq!(bb.mode, S_IFREG | 0o4755);
        assert_eq!(bb.meta.link, None);
        assert_eq!((sh.mode, sh.id), (bb.mode, bb.id));
        assert_eq!(sh.meta.link.as_deref(), Some(&b"busybox"[..]));
        let ls = entry(&store, &tree, "bin/ls").unwrap();
        assert_eq!(store.read(&ls.id).unwrap().data, b"busybox");
        assert_eq!(
            entry(&store, &tree, "run/fifo").unwrap().mode,
            S_IFIFO | 0o644
        );
        let null = entry(&store, &tree, "dev/null").unwrap();
        assert_eq!((null.mode, null.meta.rdev), (S_IFCHR | 0o666, Some((1, 3))));
        assert_eq!(bb.meta.mtime, Some(1_700_000_000));
    }

    #[test]
    fn pax_xattrs_times_and_owners() {
        let mut b = tar::Builder::new(Vec::new());
        b.append_pax_extensions([
            ("SCHILY.xattr.user.a", &b"one"[..]),
            ("LIBARCHIVE.xattr.user.b%3Dc", &b"dHdv"[..]),
            ("mtime", &b"1700000000.5"[..]),
            ("uid", &b"70000"[..]),
        ])
        .unwrap();
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o640);
        h.set_size(1);
        h.set_mtime(1);
        h.set_uid(5);
        h.set_gid(6);
        b.append_data(&mut h, "f", &b"x"[..]).unwrap();
        let data = b.into_inner().unwrap();
        let store = MemStore::new();
        let mut t = ImageTree::new();
        t.apply_layer(&store, 1, &data[..]).unwrap();
        let tree = t.write(&store).unwrap();
        let e = entry(&store, &tree, "f").unwrap();
        assert_eq!(
            e.meta.xattrs,
            vec![
                (b"user.a".to_vec(), b"one".to_vec()),
                (b"user.b=c".to_vec(), b"two".to_vec())
            ]
        );
        assert_eq!(
            (e.meta.mtime, e.meta.mtime_nsec),
            (Some(1_700_000_000), 500_000_000)
        );
        assert_eq!((e.meta.uid, e.meta.gid), (70000, 6));
        assert_eq!(e.mode, S_IFREG | 0o640);
    }

    #[test]
    fn whiteout_of_a_directory_keeps_this_layers_entries() {
        let store = MemStore::new();
        let mut t = ImageTree::new();
        let l1 = tar_of(&[T::File("d/a", 0o644, b"a"), T::File("d/b", 0o644, b"b")]);
        t.apply_layer(&store, 1, &l1[..]).unwrap();
        let l2 = tar_of(&[T::File("d/c", 0o644, b"c"), T::File(".wh.d", 0o644, b"")]);
        t.apply_layer(&store, 2, &l2[..]).unwrap();
        let tree = t.write(&store).unwrap();
        assert_eq!(names(&store, &tree, "d"), ["c"]);
        // A file replaces a directory, and a later layer can remove it.
        let l3 = tar_of(&[T::File("d", 0o600, b"file now")]);
        t.apply_layer(&store, 3, &l3[..]).unwrap();
        let tree = t.write(&store).unwrap();
        assert_eq!(entry(&store, &tree, "d").unwrap().mode, S_IFREG | 0o600);
        let l4 = tar_of(&[T::File(".wh.d", 0o644, b"")]);
        t.apply_layer(&store, 4, &l4[..]).unwrap();
        let tree = t.write(&store).unwrap();
        assert!(names(&store, &tree, "").is_empty());
    }

    #[test]
    fn big_files_are_chunked_and_the_root_record_kept() {
        let store = MemStore::new();
        let mut t = ImageTree::new();
        let big: Vec<u8> = (0..300_000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        let l1 = tar_of(&[T::Dir("./", 0o700), T::File("./big", 0o644, &big)]);
        t.apply_layer(&store, 1, &l1[..]).unwrap();
        let tree = t.write(&store).unwrap();
        let e = entry(&store, &tree, "big").unwrap();
        assert_eq!(store.read_header(&e.id).unwrap().0, ObjectType::File);
        let mut out = Vec::new();
        file::write_to(&store, &e.id, &mut out).unwrap();
        assert_eq!(out, big);
        let rec = dir::get(&store, &tree, ROOT_RECORD).unwrap().unwrap();
        assert_eq!(rec.mode, S_IFDIR | 0o700);
    }

    fn refused(items: &[T], why: &str) {
        let store = MemStore::new();
        let mut t = ImageTree::new();
        let l = tar_of(items);
        let e = t.apply_layer(&store, 1, &l[..]).unwrap_err().to_string();
        assert!(e.contains(why), "{e}");
    }

    #[test]
    fn refusals_are_typed() {
        let store = MemStore::new();
        let l = tar_of(&[T::RawFile(b"../evil", b"x")]);
        let e = ImageTree::new().apply_layer(&store, 1, &l[..]).unwrap_err();
        assert!(
            matches!(&e, Error::Oci(OciError::Entry(LayerEntryError::PathLeaves(p))) if p == "../evil"),
            "{e:?}"
        );
        let l = tar_of(&[T::Hard("h", "missing")]);
        let e = ImageTree::new().apply_layer(&store, 1, &l[..]).unwrap_err();
        assert!(
            matches!(
                &e,
                Error::Oci(OciError::Entry(LayerEntryError::HardlinkToMissing { .. }))
            ),
            "{e:?}"
        );
    }

    #[test]
    fn malicious_layers_are_refused() {
        refused(&[T::RawFile(b"../evil", b"x")], "leaves the image");
        refused(&[T::RawFile(b"a/../../evil", b"x")], "leaves the image");
        refused(&[T::RawFile(b"/etc/evil", b"x")], "absolute path");
        refused(
            &[T::Sym("link", "/etc"), T::File("link/passwd", 0o644, b"x")],
            "passes through the symlink 'link'",
        );
        refused(
            &[T::Sym("link", "../../"), T::Dir("link/d/", 0o755)],
            "passes through the symlink",
        );
        refused(
            &[T::File("f", 0o644, b"x"), T::Hard("h", "/f")],
            "leaves the image",
        );
        refused(
            &[T::File("f", 0o644, b"x"), T::Hard("h", "../f")],
            "leaves the image",
        );
        refused(&[T::Hard("h", "missing")], "missing");
        refused(&[T::RawFile(b".wh...", b"")], "leaves the image");
        refused(&[T::RawFile(b"d/.wh...", b"")], "leaves the image");
        refused(
            &[T::File("f", 0o644, b"x"), T::File("f/g", 0o644, b"y")],
            "not a directory",
        );
        refused(
            &[T::Sym("l", "/"), T::Hard("h", "l/etc/passwd")],
            "passes through the symlink",
        );
    }

    #[test]
    fn truncated_and_compressed_layers() {
        let store = MemStore::new();
        let l = tar_of(&[T::File("a", 0o644, &[7u8; 5000])]);
        let mut t = ImageTree::new();
        assert!(t.apply_layer(&store, 1, &l[..1024]).is_err());
        // gzip and zstd round trips.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &l).unwrap();
        let gz = gz.finish().unwrap();
        let zs = zstd::stream::encode_all(&l[..], 3).unwrap();
        let mut ids = Vec::new();
        for (c, data) in [
            (Compression::Gzip, &gz),
            (Compression::Zstd, &zs),
            (Compression::None, &l),
        ] {
            let mut t = ImageTree::new();
            t.apply_layer(&store, 1, decompress(c, &data[..]).unwrap())
                .unwrap();
            ids.push(t.write(&store).unwrap());
        }
        assert!(ids.windows(2).all(|w| w[0] == w[1]));
        let mut t = ImageTree::new();
        assert!(t
            .apply_layer(
                &store,
                1,
                decompress(Compression::Gzip, &gz[..gz.len() / 2]).unwrap()
            )
            .is_err());
    }
}
