//! Buffers of files being written: in memory, in a temporary file, or streamed into the store.
#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::Path;

use crate::error::{Error, Result};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::prolly::file;
use crate::runtime::error::RuntimeError;
use crate::store::ObjectStore;

use super::SPILL_AT;

/// The content of a file being written.
pub(super) enum FileBuf {
    Mem(Vec<u8>),
    Spill {
        file: File,
        len: u64,
    },
    /// A new file of a working root, stored as it is written.
    Stream(Box<Stream>),
}

/// Bytes a `Stream` gathers before it chunks and stores them (in parallel).
const SETTLE_AT: usize = 8 << 20;
/// Bytes of out-of-order writes a `Stream` holds before it gives up.
const LATER_MAX: usize = 32 << 20;

/// A file written from its start (about) in order: the chunks that no later
/// append can change are stored as they complete, so a large new file is
/// never copied to a spill file and read back to be stored. A write before
/// the stored part turns it into a `Mem` or `Spill` buffer.
#[derive(Default)]
pub(super) struct Stream {
    /// Stored chunks: (length, blob id), and the offset where each ends.
    chunks: Vec<(u64, ObjectId)>,
    ends: Vec<u64>,
    /// The bytes after the last stored chunk.
    tail: Vec<u8>,
    /// Writes past the end, held until the gap fills (concurrent requests
    /// arrive out of order): offset → bytes, never overlapping.
    later: BTreeMap<u64, Vec<u8>>,
    later_bytes: usize,
}

impl Stream {
    fn stored(&self) -> u64 {
        self.ends.last().copied().unwrap_or(0)
    }
    /// The end of the contiguous content.
    fn end(&self) -> u64 {
        self.stored() + self.tail.len() as u64
    }
    fn len(&self) -> u64 {
        let later = self
            .later
            .last_key_value()
            .map_or(0, |(k, v)| k + v.len() as u64);
        self.end().max(later)
    }

    /// Chunk the tail and store the chunks: all of them with `all`, else
    /// those no later byte can change (at least `CDC_MAX` bytes follow their
    /// start, so FastCDC cuts them as it would cut the whole file).
    fn cut(&self, all: bool) -> Vec<(usize, usize)> {
        let mut cuts = Vec::new();
        for (off, len) in file::chunks(&self.tail) {
            if !all && self.tail.len() - off < file::CDC_MAX as usize {
                break;
            }
            cuts.push((off, len));
        }
        cuts
    }

    fn settle(&mut self, store: &dyn ObjectStore) -> Result<()> {
        let cuts = self.cut(false);
        let Some(&(last, len)) = cuts.last() else {
            return Ok(());
        };
        let stored = store_chunks(store, &self.tail, &cuts)?;
        let mut end = self.stored();
        for c in stored {
            end += c.0;
            self.chunks.push(c);
            self.ends.push(end);
        }
        self.tail.drain(..last + len);
        Ok(())
    }

    /// Write `data` at `off`, which is within or at the end of the tail.
    fn put(&mut self, off: u64, data: &[u8]) {
        let at = (off - self.stored()) as usize;
        let over = data.len().min(self.tail.len() - at);
        self.tail[at..at + over].copy_from_slice(&data[..over]);
        self.tail.extend_from_slice(&data[over..]);
    }

    fn read(&self, store: &dyn ObjectStore, off: u64, out: &mut [u8]) -> Result<()> {
        let end = off + out.len() as u64;
        let first = self.ends.partition_point(|&e| e <= off);
        for i in first..self.chunks.len() {
            let (len, id) = self.chunks[i];
            let s = self.ends[i] - len;
            if s >= end {
                break;
            }
            let o = store.read(&id)?;
            let (from, to) = (off.max(s), end.min(self.ends[i]));
            out[(from - off) as usize..(to - off) as usize]
                .copy_from_slice(&o.data[(from - s) as usize..(to - s) as usize]);
        }
        let mut overlay = |s: u64, bytes: &[u8]| {
            let e = s + bytes.len() as u64;
            let (from, to) = (off.max(s), end.min(e));
            if from < to {
                out[(from - off) as usize..(to - off) as usize]
                    .copy_from_slice(&bytes[(from - s) as usize..(to - s) as usize]);
            }
        };
        overlay(self.stored(), &self.tail);
        for (k, v) in &self.later {
            overlay(*k, v);
        }
        Ok(())
    }
}

/// Store the chunks `cuts` of `data` in parallel; their (length, id).
fn store_chunks(
    store: &dyn ObjectStore,
    data: &[u8],
    cuts: &[(usize, usize)],
) -> Result<Vec<(u64, ObjectId)>> {
    use rayon::prelude::*;
    cuts.par_iter()
        .map(|&(o, l)| Ok((l as u64, store.write(ObjectType::Blob, &data[o..o + l])?)))
        .collect()
}

fn io_err(e: Error) -> std::io::Error {
    match e {
        Error::Io { err, .. } => err,
        e => std::io::Error::other(e.to_string()),
    }
}

impl FileBuf {
    pub(super) fn len(&self) -> u64 {
        match self {
            FileBuf::Mem(v) => v.len() as u64,
            FileBuf::Spill { len, .. } => *len,
            FileBuf::Stream(s) => s.len(),
        }
    }

    pub(super) fn read(
        &self,
        store: &dyn ObjectStore,
        off: u64,
        size: u32,
    ) -> std::io::Result<Vec<u8>> {
        let end = (off + size as u64).min(self.len());
        if off >= end {
            return Ok(Vec::new());
        }
        match self {
            FileBuf::Mem(v) => Ok(v[off as usize..end as usize].to_vec()),
            FileBuf::Spill { file, .. } => {
                let mut out = vec![0; (end - off) as usize];
                file.read_exact_at(&mut out, off)?;
                Ok(out)
            }
            FileBuf::Stream(s) => {
                let mut out = vec![0; (end - off) as usize];
                s.read(store, off, &mut out).map_err(io_err)?;
                Ok(out)
            }
        }
    }

    /// Move an in-memory buffer to a temporary file under `dir`.
    pub(super) fn spill(&mut self, dir: &Path) -> std::io::Result<()> {
        if let FileBuf::Mem(v) = self {
            let file = spill_file(dir)?;
            file.write_all_at(v, 0)?;
            *self = FileBuf::Spill {
                file,
                len: v.len() as u64,
            };
        }
        Ok(())
    }

    /// Turn a `Stream` into a `Mem` or `Spill` buffer with the same content.
    pub(super) fn unstream(&mut self, store: &dyn ObjectStore, dir: &Path) -> std::io::Result<()> {
        let FileBuf::Stream(s) = self else {
            return Ok(());
        };
        let s = std::mem::take(&mut **s);
        *self = if s.len() > SPILL_AT {
            FileBuf::Spill {
                file: spill_file(dir)?,
                len: 0,
            }
        } else {
            FileBuf::Mem(Vec::with_capacity(s.len() as usize))
        };
        let mut pos = 0;
        for (len, id) in &s.chunks {
            let o = store.read(id).map_err(io_err)?;
            self.write_plain(pos, &o.data, dir)?;
            pos += len;
        }
        self.write_plain(pos, &s.tail, dir)?;
        for (k, v) in &s.later {
            self.write_plain(*k, v, dir)?;
        }
        Ok(())
    }

    pub(super) fn write(
        &mut self,
        store: &dyn ObjectStore,
        off: u64,
        data: &[u8],
        dir: &Path,
    ) -> std::io::Result<()> {
        let FileBuf::Stream(s) = self else {
            return self.write_plain(off, data, dir);
        };
        let end = off + data.len() as u64;
        let overlaps_later = s
            .later
            .range(..end)
            .next_back()
            .is_some_and(|(k, v)| k + v.len() as u64 > off);
        if off < s.stored() || overlaps_later {
            self.unstream(store, dir)?;
            return self.write_plain(off, data, dir);
        }
        if off > s.end() {
            s.later.insert(off, data.to_vec());
            s.later_bytes += data.len();
            if s.later_bytes > LATER_MAX {
                self.unstream(store, dir)?;
            }
            return Ok(());
        }
        s.put(off, data);
        // Held writes the gap no longer separates.
        while let Some((&k, _)) = s.later.first_key_value() {
            if k > s.end() {
                break;
            }
            let v = s.later.remove(&k).expect("present");
            s.later_bytes -= v.len();
            s.put(k, &v);
        }
        if s.tail.len() >= SETTLE_AT {
            s.settle(store).map_err(io_err)?;
        }
        Ok(())
    }

    pub(super) fn write_plain(&mut self, off: u64, data: &[u8], dir: &Path) -> std::io::Result<()> {
        let end = off + data.len() as u64;
        if end > SPILL_AT {
            self.spill(dir)?;
        }
        match self {
            FileBuf::Mem(v) => {
                if v.len() < end as usize {
                    v.resize(end as usize, 0);
                }
                v[off as usize..end as usize].copy_from_slice(data);
            }
            FileBuf::Spill { file, len } => {
                file.write_all_at(data, off)?;
                *len = (*len).max(end);
            }
            FileBuf::Stream(_) => unreachable!("streams are written by write"),
        }
        Ok(())
    }

    pub(super) fn truncate(
        &mut self,
        store: &dyn ObjectStore,
        size: u64,
        dir: &Path,
    ) -> std::io::Result<()> {
        if size == self.len() {
            return Ok(());
        }
        self.unstream(store, dir)?;
        match self {
            FileBuf::Mem(v) => v.resize(size as usize, 0),
            FileBuf::Spill { file, len } => {
                file.set_len(size)?;
                *len = size;
            }
            FileBuf::Stream(_) => unreachable!("unstreamed"),
        }
        Ok(())
    }

    /// Store the content: a blob, or chunks and a chunk list.
    pub(super) fn store(&mut self, store: &dyn ObjectStore, dir: &Path) -> Result<ObjectId> {
        if matches!(self, FileBuf::Stream(s) if !s.later.is_empty()) {
            // A hole not filled yet: its bytes are zeros.
            self.unstream(store, dir)
                .map_err(RuntimeError::StoreContent)?;
        }
        match self {
            FileBuf::Mem(v) => file::store_content(store, v),
            FileBuf::Spill { file, len } => {
                let r = PositionedReader { file, pos: 0 }.take(*len);
                Ok(file::store_reader(store, r).map_err(RuntimeError::StoreContent)?)
            }
            FileBuf::Stream(s) => {
                if s.chunks.is_empty() {
                    return file::store_content(store, &s.tail);
                }
                let mut all = s.chunks.clone();
                all.extend(store_chunks(store, &s.tail, &s.cut(true))?);
                file::list_from_chunks(store, &all)
            }
        }
    }
}

/// A new unlinked file in `dir`.
pub(super) fn spill_file(dir: &Path) -> std::io::Result<File> {
    std::fs::create_dir_all(dir)?;
    tempfile::tempfile_in(dir)
}

/// Reads a file from the start with `pread`, leaving its offset alone.
struct PositionedReader<'f> {
    file: &'f File,
    pos: u64,
}

impl Read for PositionedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemStore;

    #[test]
    fn file_buffers_spill_and_store_like_store_content() {
        let dir = tempfile::tempdir().unwrap();
        let s = MemStore::new();
        let mut b = FileBuf::Mem(Vec::new());
        let data: Vec<u8> = (0..(SPILL_AT as usize + 300_000))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        for (i, c) in data.chunks(1 << 20).enumerate() {
            b.write(&s, (i << 20) as u64, c, dir.path()).unwrap();
        }
        assert!(matches!(b, FileBuf::Spill { .. }));
        assert_eq!(b.read(&s, 5, 10).unwrap(), data[5..15].to_vec());
        assert_eq!(
            b.store(&s, dir.path()).unwrap(),
            file::store_content(&s, &data).unwrap()
        );
        b.truncate(&s, 10, dir.path()).unwrap();
        assert_eq!(
            b.store(&s, dir.path()).unwrap(),
            file::store_content(&s, &data[..10]).unwrap()
        );
    }

    fn noise(n: usize, seed: u64) -> Vec<u8> {
        file::xorshift_bytes(n, seed | 1)
    }

    #[test]
    fn streamed_buffers_store_what_store_content_stores() {
        let dir = tempfile::tempdir().unwrap();
        let s = MemStore::new();
        for (n, piece) in [
            (100, 7),
            (70_000, 4096),
            (3 * SETTLE_AT + 12_345, 131_072),
            (SETTLE_AT + 1, 1 << 20),
        ] {
            let data = noise(n, n as u64);
            let mut b = FileBuf::Stream(Box::default());
            // Pieces in pairs, the second of each pair first (out of order).
            let pieces: Vec<(usize, &[u8])> = data
                .chunks(piece)
                .enumerate()
                .map(|(i, c)| (i * piece, c))
                .collect();
            for pair in pieces.chunks(2) {
                for &(off, c) in pair.iter().rev() {
                    b.write(&s, off as u64, c, dir.path()).unwrap();
                }
            }
            assert!(matches!(b, FileBuf::Stream(_)), "{n}");
            assert_eq!(b.len(), n as u64);
            let at = n as u64 / 3;
            let got = b.read(&s, at, 70_000).unwrap();
            assert_eq!(got, data[at as usize..(at as usize + 70_000).min(n)]);
            let want = file::store_content(&s, &data).unwrap();
            assert_eq!(b.store(&s, dir.path()).unwrap(), want, "{n}");
            // Stored while open, then written on: still the same content.
            let more = noise(5000, 3);
            b.write(&s, n as u64, &more, dir.path()).unwrap();
            let mut all = data.clone();
            all.extend_from_slice(&more);
            assert_eq!(
                b.store(&s, dir.path()).unwrap(),
                file::store_content(&s, &all).unwrap()
            );
            // A write into the stored part: a plain buffer, same content.
            b.write(&s, 1, b"xy", dir.path()).unwrap();
            all[1..3].copy_from_slice(b"xy");
            assert_eq!(b.read(&s, 0, 4).unwrap(), all[..4].to_vec());
            assert_eq!(
                b.store(&s, dir.path()).unwrap(),
                file::store_content(&s, &all).unwrap()
            );
        }
        // A hole left by a write past the end reads, and stores, as zeros.
        let mut b = FileBuf::Stream(Box::default());
        b.write(&s, 10, b"abc", dir.path()).unwrap();
        assert_eq!(
            b.read(&s, 0, 20).unwrap(),
            b"\0\0\0\0\0\0\0\0\0\0abc".to_vec()
        );
        let mut want = vec![0u8; 10];
        want.extend_from_slice(b"abc");
        assert_eq!(
            b.store(&s, dir.path()).unwrap(),
            file::store_content(&s, &want).unwrap()
        );
    }
}
