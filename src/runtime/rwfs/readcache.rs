//! Reading file content: a cache of decoded chunks, chunk maps, read-ahead, programs warmed.
#![warn(missing_docs)]

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::Result;
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::prolly::file;
use crate::store::ObjectStore;

use super::Inner;

/// Decoded, verified objects by id, up to `READ_CACHE_BYTES`, oldest out
/// first; shared, so a read served from the cache copies nothing.
#[derive(Default)]
pub(super) struct ReadCache {
    pub(super) objects: HashMap<ObjectId, (ObjectType, Arc<Vec<u8>>)>,
    pub(super) order: std::collections::VecDeque<ObjectId>,
    pub(super) bytes: usize,
}

/// Where the chunks of a file's content end, and their ids (a blob is one chunk).
pub(super) struct ChunkMap {
    pub(super) ends: Vec<u64>,
    pub(super) ids: Vec<ObjectId>,
    /// Where the last read ended: a read starting there is sequential.
    pub(super) next: std::sync::atomic::AtomicU64,
}

/// How far ahead of a sequential reader chunks are decoded.
const READ_AHEAD: u64 = 4 << 20;

/// Bytes read from file content: part of a shared chunk, or a copy.
pub(super) enum Bytes {
    Shared(Arc<Vec<u8>>, std::ops::Range<usize>),
    Mapped(Arc<memmap2::Mmap>, std::ops::Range<usize>),
    Owned(Vec<u8>),
}

impl Bytes {
    pub(super) fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Shared(d, r) => &d[r.clone()],
            Bytes::Mapped(m, r) => &m[r.clone()],
            Bytes::Owned(v) => v,
        }
    }
}

/// How many files' chunk maps are kept.
const CHUNK_MAPS: usize = 64;

const READ_CACHE_BYTES: usize = 64 << 20;

/// Largest program `warm` decodes ahead (a quarter of the cache).
const WARM_MAX: u64 = (READ_CACHE_BYTES / 4) as u64;

/// The PT_INTERP path of a 64-bit little-endian ELF image whose first bytes
/// are `head` (None for anything else, or when it lies beyond `head`).
fn elf_interpreter(head: &[u8]) -> Option<String> {
    let u16_at = |o: usize| Some(u16::from_le_bytes(head.get(o..o + 2)?.try_into().ok()?));
    let u32_at = |o: usize| Some(u32::from_le_bytes(head.get(o..o + 4)?.try_into().ok()?));
    let u64_at = |o: usize| Some(u64::from_le_bytes(head.get(o..o + 8)?.try_into().ok()?));
    if head.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let (phoff, phentsize, phnum) = (
        u64_at(0x20)? as usize,
        u16_at(0x36)? as usize,
        u16_at(0x38)?,
    );
    for i in 0..phnum as usize {
        let ph = phoff.checked_add(i.checked_mul(phentsize)?)?;
        if u32_at(ph)? == 3 {
            let (off, len) = (u64_at(ph + 8)? as usize, u64_at(ph + 32)? as usize);
            let raw = head.get(off..off.checked_add(len)?)?;
            let raw = raw.split(|&b| b == 0).next()?;
            return std::str::from_utf8(raw)
                .ok()
                .filter(|p| p.starts_with('/'))
                .map(String::from);
        }
    }
    None
}

impl Inner {
    /// An object's verified content, from the cache or the store.
    pub(super) fn read_shared(&self, id: &ObjectId) -> Result<(ObjectType, Arc<Vec<u8>>)> {
        let lock = || self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((kind, data)) = lock().objects.get(id) {
            return Ok((*kind, data.clone()));
        }
        let o = match self.in_batches(|b| b.read(id)) {
            Some(o) => o,
            None => self.ws.odb.read(id)?,
        };
        let (kind, data) = (o.kind, Arc::new(o.data));
        if matches!(kind, ObjectType::Blob | ObjectType::File | ObjectType::Tree)
            && data.len() <= 1 << 20
        {
            let mut c = lock();
            if !c.objects.contains_key(id) {
                c.bytes += data.len();
                c.order.push_back(*id);
                c.objects.insert(*id, (kind, data.clone()));
                while c.bytes > READ_CACHE_BYTES {
                    let Some(old) = c.order.pop_front() else {
                        break;
                    };
                    if let Some((_, gone)) = c.objects.remove(&old) {
                        c.bytes -= gone.len();
                    }
                }
            }
        }
        Ok((kind, data))
    }

    /// The chunk map of file content `id`, kept for the next reads.
    pub(super) fn chunk_map(&self, id: &ObjectId) -> Result<Arc<ChunkMap>> {
        let lock = || self.maps.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = lock().get(id) {
            return Ok(m.clone());
        }
        let (kind, len) = self.read_header(id)?;
        let map = if kind == ObjectType::Blob {
            ChunkMap {
                ends: vec![len],
                ids: vec![*id],
                next: 0.into(),
            }
        } else {
            let list = file::chunk_list(self, id)?;
            let mut end = 0;
            ChunkMap {
                ends: list
                    .iter()
                    .map(|(l, _)| {
                        end += l;
                        end
                    })
                    .collect(),
                ids: list.into_iter().map(|(_, i)| i).collect(),
                next: 0.into(),
            }
        };
        let map = Arc::new(map);
        let mut maps = lock();
        if maps.len() >= CHUNK_MAPS {
            maps.clear();
        }
        maps.insert(*id, map.clone());
        Ok(map)
    }

    /// `len` bytes at `off` of file content `id`: a slice of the cached
    /// chunk when one chunk holds them, else the chunks copied together once.
    /// A sequential reader's next chunks are decoded meanwhile on the pool
    /// (decoding a request's own chunks there too cost more in wake-ups than
    /// it saved, on two cores).
    pub(super) fn read_content(
        self: &Arc<Self>,
        id: &ObjectId,
        off: u64,
        len: u64,
    ) -> Result<Bytes> {
        use std::sync::atomic::Ordering;
        let map = self.chunk_map(id)?;
        let total = map.ends.last().copied().unwrap_or(0);
        let end = off.saturating_add(len).min(total);
        if off >= end {
            return Ok(Bytes::Owned(Vec::new()));
        }
        if let Some(m) = self
            .programs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
        {
            return Ok(Bytes::Mapped(m.clone(), off as usize..end as usize));
        }
        let first = map.ends.partition_point(|&e| e <= off);
        let last = map.ends.partition_point(|&e| e < end);
        // Small files (a program's start) are read without: the pool's
        // threads would cost more than they save.
        if map.next.swap(end, Ordering::Relaxed) == off
            && total > 2 * READ_AHEAD
            && last + 1 < map.ids.len()
        {
            self.read_ahead(&map, last + 1);
        }
        let start_of = |i: usize| if i == 0 { 0 } else { map.ends[i - 1] };
        if first == last {
            let (_, d) = self.read_shared(&map.ids[first])?;
            let s = start_of(first);
            return Ok(Bytes::Shared(d, (off - s) as usize..(end - s) as usize));
        }
        let parts: Vec<Arc<Vec<u8>>> = (first..=last)
            .map(|i| Ok(self.read_shared(&map.ids[i])?.1))
            .collect::<Result<_>>()?;
        let mut out = Vec::with_capacity((end - off) as usize);
        for (i, d) in (first..=last).zip(&parts) {
            let s = start_of(i);
            let (from, to) = (off.max(s) - s, end.min(map.ends[i]) - s);
            out.extend_from_slice(&d[from as usize..to as usize]);
        }
        Ok(Bytes::Owned(out))
    }

    /// Decode file `id` into the cache (up to `WARM_MAX` bytes), and with
    /// `interp`, the ELF interpreter it names (looked up in tree `root`).
    pub(super) fn warm_file(&self, root: &ObjectId, id: &ObjectId, interp: bool) {
        let Ok(map) = self.chunk_map(id) else {
            return;
        };
        let total = map.ends.last().copied().unwrap_or(0);
        if total == 0 || total > WARM_MAX {
            return;
        }
        // From the program cache when it holds this content (then reads are
        // served from its mapping), else decoded from the store into the
        // read cache and then kept in the program cache for the next start.
        let cache_dir = crate::runtime::programs::dir(&self.ws.dir);
        let head =
            if let Some(m) = crate::runtime::programs::load(&cache_dir, id, &map.ends, &map.ids) {
                let m = Arc::new(m);
                self.programs
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(*id, m.clone());
                Bytes::Mapped(m, 0..map.ends[0] as usize)
            } else {
                let mut parts = Vec::with_capacity(map.ids.len());
                for chunk in &map.ids {
                    match self.read_shared(chunk) {
                        Ok((_, d)) => parts.push(d),
                        Err(_) => return,
                    }
                }
                let slices: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
                crate::runtime::programs::store(&cache_dir, id, &slices);
                let n = parts[0].len();
                Bytes::Shared(parts.swap_remove(0), 0..n)
            };
        if interp {
            if let Some(path) = elf_interpreter(head.as_slice()) {
                let found = crate::container::resolve_path("/", &path)
                    .ok()
                    .and_then(|c| crate::worktree::follow(&self.ws.odb, root, &c).ok())
                    .flatten();
                if let Some((_, e)) = found.filter(|(_, e)| e.is_file()) {
                    self.warm_file(root, &e.id, false);
                }
            }
        }
    }

    /// Decode chunks from `from` on, `READ_AHEAD` bytes of them, into the
    /// cache on the pool, while the reader is served what it asked for.
    pub(super) fn read_ahead(self: &Arc<Self>, map: &ChunkMap, from: usize) {
        let start = map.ends[from - 1];
        let mut want = Vec::new();
        {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            let mut busy = self.decoding.lock().unwrap_or_else(|p| p.into_inner());
            for i in from..map.ids.len() {
                if map.ends[i] - start > READ_AHEAD {
                    break;
                }
                let id = map.ids[i];
                if !cache.objects.contains_key(&id) && busy.insert(id) {
                    want.push(id);
                }
            }
        }
        if want.is_empty() {
            return;
        }
        let me = self.clone();
        self.par(move || {
            rayon::spawn(move || {
                for id in want {
                    let _ = me.read_shared(&id);
                    me.decoding
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .remove(&id);
                }
            })
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 64-bit little-endian ELF header with one program header of `ptype`
    /// whose segment is `seg`, placed after the headers.
    fn elf(ptype: u32, seg: &[u8]) -> Vec<u8> {
        let mut h = vec![0u8; 64 + 56];
        h[..6].copy_from_slice(b"\x7fELF\x02\x01");
        h[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        h[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        h[0x38..0x3a].copy_from_slice(&1u16.to_le_bytes());
        h[64..68].copy_from_slice(&ptype.to_le_bytes());
        h[72..80].copy_from_slice(&120u64.to_le_bytes());
        h[96..104].copy_from_slice(&(seg.len() as u64).to_le_bytes());
        h.extend_from_slice(seg);
        h
    }

    #[test]
    fn elf_interpreter_reads_pt_interp_and_refuses_the_rest() {
        let image = elf(3, b"/lib64/ld-linux-x86-64.so.2\0");
        assert_eq!(
            elf_interpreter(&image).as_deref(),
            Some("/lib64/ld-linux-x86-64.so.2")
        );
        // No PT_INTERP (a static program), a relative path, a 32-bit or
        // truncated image, a script: nothing.
        assert_eq!(elf_interpreter(&elf(1, b"/lib/x\0")), None);
        assert_eq!(elf_interpreter(&elf(3, b"lib/x\0")), None);
        let mut c32 = image.clone();
        c32[4] = 1;
        assert_eq!(elf_interpreter(&c32), None);
        assert_eq!(elf_interpreter(&image[..100]), None);
        assert_eq!(elf_interpreter(b"#!/bin/sh\n"), None);
        // A segment reaching past what was read, or an absurd header count.
        let mut far = image.clone();
        far[96..104].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(elf_interpreter(&far), None);
        let mut many = image;
        many[0x38..0x3a].copy_from_slice(&u16::MAX.to_le_bytes());
        assert_eq!(
            elf_interpreter(&many).as_deref(),
            Some("/lib64/ld-linux-x86-64.so.2")
        );
    }
}
