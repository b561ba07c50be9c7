//! A tree diff as an OCI layer tar (format-spec/oci.md, "A layer: the diff
//! as a tar"): ustar headers with PAX records, whiteouts for removals,
//! hardlinks within the layer, byte for byte as the spec defines.
#![warn(missing_docs)]

use std::collections::HashSet;
use std::io::Write;

use super::error::OciError;
use crate::error::{Error, Result};
use crate::oid::ObjectId;
use crate::prolly::dir::{self, Entry, ROOT_RECORD, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK};
use crate::prolly::dir::{S_IFMT, S_IFREG, S_IFSOCK};
use crate::prolly::file;
use crate::store::ObjectStore;

const BLOCK: usize = 512;
/// The largest number a ustar field of `width` bytes holds (width-1 octal digits).
fn fits(v: u64, width: usize) -> bool {
    v < 1u64 << (3 * (width - 1))
}

/// What a layer holds, for reports and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LayerCounts {
    /// Tar members written.
    pub members: u64,
    /// Whiteouts among them.
    pub whiteouts: u64,
    /// Bytes of regular-file content.
    pub content_bytes: u64,
}

/// Write the layer of the diff from tree `old` (None: the empty tree) to
/// tree `new` into `out`; entries without a recorded mtime get
/// `default_mtime` (the layer's commit time). Reads only the subtrees that
/// differ.
pub fn write_layer(
    store: &dyn ObjectStore,
    old: Option<&ObjectId>,
    new: &ObjectId,
    default_mtime: u64,
    out: &mut dyn Write,
) -> Result<LayerCounts> {
    let empty = dir::empty(store)?;
    let old = old.copied().unwrap_or(empty);
    let mut w = TarWriter {
        out,
        counts: LayerCounts::default(),
        files: HashSet::new(),
        store,
        default_mtime,
    };
    enum Step {
        Dirs(ObjectId, ObjectId, Vec<u8>),
        Emit(Vec<u8>, Box<Entry>),
        Whiteout(Vec<u8>),
    }
    let mut work = vec![Step::Dirs(old, *new, Vec::new())];
    while let Some(step) = work.pop() {
        let (a, b, prefix) = match step {
            Step::Emit(path, e) => {
                w.entry(&path, &e)?;
                continue;
            }
            Step::Whiteout(path) => {
                w.whiteout(&path)?;
                continue;
            }
            Step::Dirs(a, b, prefix) => (a, b, prefix),
        };
        let mut steps = Vec::new();
        let mut root = None;
        for c in dir::diff(store, &a, &b)? {
            if c.name == ROOT_RECORD {
                // The root record, always first: `./`, as the tree now has it.
                let e = c
                    .new
                    .unwrap_or_else(|| Entry::new(ROOT_RECORD, S_IFDIR | 0o755, empty));
                root = Some(Step::Emit(Vec::new(), Box::new(e)));
                continue;
            }
            let path = join(&prefix, &c.name);
            match (c.old, c.new) {
                (None, Some(n)) => push_new(&mut steps, path, n, empty),
                (Some(_), None) => steps.push(Step::Whiteout(path)),
                (Some(o), Some(n)) if o.is_dir() && n.is_dir() => {
                    if o.mode != n.mode || o.meta != n.meta {
                        steps.push(Step::Emit(path.clone(), Box::new(n.clone())));
                    }
                    steps.push(Step::Dirs(o.id, n.id, path));
                }
                (Some(o), Some(n)) if o.is_dir() || n.is_dir() => {
                    steps.push(Step::Whiteout(path.clone()));
                    push_new(&mut steps, path, n, empty);
                }
                (Some(_), Some(n)) => steps.push(Step::Emit(path, Box::new(n))),
                (None, None) => {}
            }
        }
        fn push_new(steps: &mut Vec<Step>, path: Vec<u8>, n: Entry, empty: ObjectId) {
            let sub = n.is_dir().then_some(n.id);
            steps.push(Step::Emit(path.clone(), Box::new(n)));
            if let Some(id) = sub {
                steps.push(Step::Dirs(empty, id, path));
            }
        }
        work.extend(steps.into_iter().rev());
        if let Some(r) = root {
            work.push(r);
        }
    }
    w.out.write_all(&[0u8; 2 * BLOCK]).map_err(io)?;
    Ok(w.counts)
}

fn join(prefix: &[u8], name: &[u8]) -> Vec<u8> {
    let mut p = prefix.to_vec();
    if !p.is_empty() {
        p.push(b'/');
    }
    p.extend_from_slice(name);
    p
}

fn io(e: std::io::Error) -> Error {
    Error::Output(e)
}

struct TarWriter<'a> {
    out: &'a mut dyn Write,
    counts: LayerCounts,
    /// Regular files written so far (paths), for hardlinks within the layer.
    files: HashSet<Vec<u8>>,
    store: &'a dyn ObjectStore,
    default_mtime: u64,
}

/// One member's header fields before encoding.
struct Member<'p> {
    name: Vec<u8>,
    mode: u32,
    uid: u64,
    gid: u64,
    size: u64,
    mtime: u64,
    mtime_nsec: u32,
    kind: u8,
    link: &'p [u8],
    dev: (u64, u64),
    xattrs: &'p [(Vec<u8>, Vec<u8>)],
}

impl TarWriter<'_> {
    fn whiteout(&mut self, path: &[u8]) -> Result<()> {
        let (dir, name) = match path.iter().rposition(|&b| b == b'/') {
            Some(i) => (&path[..=i], &path[i + 1..]),
            None => (&path[..0], path),
        };
        let mut n = dir.to_vec();
        n.extend_from_slice(b".wh.");
        n.extend_from_slice(name);
        self.counts.whiteouts += 1;
        self.member(&Member {
            name: n,
            mode: 0,
            uid: 0,
            gid: 0,
            size: 0,
            mtime: 0,
            mtime_nsec: 0,
            kind: b'0',
            link: b"",
            dev: (0, 0),
            xattrs: &[],
        })
    }

    fn entry(&mut self, path: &[u8], e: &Entry) -> Result<()> {
        let shown = || String::from_utf8_lossy(path).into_owned();
        let mut name = if path.is_empty() {
            b"./".to_vec()
        } else {
            path.to_vec()
        };
        let m = &e.meta;
        let mut size = 0;
        let mut link = Vec::new();
        let kind = match e.mode & S_IFMT {
            S_IFDIR => {
                if !path.is_empty() {
                    name.push(b'/');
                }
                b'5'
            }
            S_IFREG => {
                let first = m.link.as_ref().and_then(|l| {
                    let comps: Vec<Vec<u8>> =
                        path.split(|&b| b == b'/').map(<[u8]>::to_vec).collect();
                    dir::hardlinks::link_target(&comps, l).map(|t| t.join(&b'/'))
                });
                match first.filter(|f| self.files.contains(f)) {
                    Some(f) => {
                        link = f;
                        b'1'
                    }
                    None => {
                        size = file::size(self.store, &e.id)?;
                        self.files.insert(path.to_vec());
                        b'0'
                    }
                }
            }
            S_IFLNK => {
                link = self.store.read(&e.id)?.data;
                b'2'
            }
            S_IFCHR => b'3',
            S_IFBLK => b'4',
            S_IFIFO => b'6',
            S_IFSOCK => return Err(OciError::SocketInLayer(shown()).into()),
            _ => return Err(OciError::UnknownMode(shown()).into()),
        };
        let dev = m.rdev.map(|(a, b)| (a as u64, b as u64)).unwrap_or((0, 0));
        if !fits(dev.0, 8) || !fits(dev.1, 8) {
            return Err(OciError::DeviceTooLarge {
                path: shown(),
                major: dev.0,
                minor: dev.1,
            }
            .into());
        }
        self.member(&Member {
            name,
            mode: e.mode & 0o7777,
            uid: m.uid as u64,
            gid: m.gid as u64,
            size,
            mtime: m.mtime.unwrap_or(self.default_mtime),
            mtime_nsec: if m.mtime.is_some() { m.mtime_nsec } else { 0 },
            kind,
            link: &link,
            dev,
            xattrs: &m.xattrs,
        })?;
        if kind == b'0' && size > 0 {
            let mut counted = crate::http::Counting::new(&mut *self.out);
            file::write_to(self.store, &e.id, &mut counted)?;
            if counted.total != size {
                return Err(OciError::ContentSize {
                    path: shown(),
                    read: counted.total,
                    listed: size,
                }
                .into());
            }
            self.pad(size)?;
            self.counts.content_bytes += size;
        }
        Ok(())
    }

    fn pad(&mut self, n: u64) -> Result<()> {
        let rest = (BLOCK - (n % BLOCK as u64) as usize) % BLOCK;
        self.out.write_all(&[0u8; BLOCK][..rest]).map_err(io)
    }

    /// A member's header, preceded by a PAX header member when needed.
    fn member(&mut self, m: &Member) -> Result<()> {
        let mut pax: Vec<(&[u8], Vec<u8>)> = Vec::new();
        if m.name.len() > 100 {
            pax.push((b"path", m.name.clone()));
        }
        if m.link.len() > 100 {
            pax.push((b"linkpath", m.link.to_vec()));
        }
        if !fits(m.size, 12) {
            pax.push((b"size", m.size.to_string().into_bytes()));
        }
        if !fits(m.uid, 8) {
            pax.push((b"uid", m.uid.to_string().into_bytes()));
        }
        if !fits(m.gid, 8) {
            pax.push((b"gid", m.gid.to_string().into_bytes()));
        }
        if m.mtime_nsec != 0 || !fits(m.mtime, 12) {
            pax.push((
                b"mtime",
                if m.mtime_nsec != 0 {
                    format!("{}.{:09}", m.mtime, m.mtime_nsec)
                } else {
                    m.mtime.to_string()
                }
                .into_bytes(),
            ));
        }
        let mut xkeys: Vec<(Vec<u8>, Vec<u8>)> = m
            .xattrs
            .iter()
            .map(|(k, v)| ([&b"SCHILY.xattr."[..], k].concat(), v.clone()))
            .collect();
        xkeys.sort();
        let mut records = Vec::new();
        for (k, v) in pax
            .iter()
            .map(|(k, v)| (k.to_vec(), v.clone()))
            .chain(xkeys)
        {
            records.extend(pax_record(&k, &v));
        }
        if !records.is_empty() {
            let h = header(&Member {
                name: b"././@PaxHeader".to_vec(),
                mode: 0o644,
                uid: 0,
                gid: 0,
                size: records.len() as u64,
                mtime: 0,
                mtime_nsec: 0,
                kind: b'x',
                link: b"",
                dev: (0, 0),
                xattrs: &[],
            });
            self.out.write_all(&h).map_err(io)?;
            self.out.write_all(&records).map_err(io)?;
            self.pad(records.len() as u64)?;
        }
        self.out.write_all(&header(m)).map_err(io)?;
        self.counts.members += 1;
        Ok(())
    }
}

/// `LENGTH SP KEY = VALUE LF`, LENGTH counting the whole record and itself.
fn pax_record(key: &[u8], value: &[u8]) -> Vec<u8> {
    let body = key.len() + value.len() + 3; // SP, '=', LF
    let mut len = body + 1;
    while len != body + len.to_string().len() {
        len = body + len.to_string().len();
    }
    let mut r = format!("{len} ").into_bytes();
    r.extend_from_slice(key);
    r.push(b'=');
    r.extend_from_slice(value);
    r.push(b'\n');
    r
}

/// Octal digits filling `field` but its last byte (NUL); 0 when it does not fit.
fn octal(field: &mut [u8], v: u64) {
    let w = field.len() - 1;
    let v = if fits(v, field.len()) { v } else { 0 };
    let s = format!("{v:0w$o}");
    field[..w].copy_from_slice(s.as_bytes());
    field[w] = 0;
}

fn header(m: &Member) -> [u8; BLOCK] {
    let mut h = [0u8; BLOCK];
    let n = m.name.len().min(100);
    h[..n].copy_from_slice(&m.name[..n]);
    octal(&mut h[100..108], m.mode as u64);
    octal(&mut h[108..116], m.uid);
    octal(&mut h[116..124], m.gid);
    octal(&mut h[124..136], m.size);
    octal(&mut h[136..148], m.mtime);
    h[156] = m.kind;
    let l = m.link.len().min(100);
    h[157..157 + l].copy_from_slice(&m.link[..l]);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    octal(&mut h[329..337], m.dev.0);
    octal(&mut h[337..345], m.dev.1);
    // The checksum: the header's bytes summed with the field as spaces.
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    let s = format!("{sum:06o}");
    h[148..154].copy_from_slice(s.as_bytes());
    h[154] = 0;
    h[155] = b' ';
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_records_count_their_own_length() {
        assert_eq!(pax_record(b"path", b"a"), b"9 path=a\n");
        assert_eq!(pax_record(b"path", b"ab"), b"11 path=ab\n");
        assert_eq!(pax_record(b"k", &[b'v'; 93]).len(), 99);
        // 98 bytes and two digits would say 100, which has three: 101.
        let r = pax_record(b"k", &[b'v'; 94]);
        assert_eq!(r.len(), 101);
        assert!(r.starts_with(b"101 k="));
    }

    #[test]
    fn octal_fields_end_in_nul_and_overflow_to_zero() {
        let mut f = [0xffu8; 8];
        octal(&mut f, 0o755);
        assert_eq!(&f, b"0000755\0");
        octal(&mut f, 0o10000000);
        assert_eq!(&f, b"0000000\0");
    }
}
