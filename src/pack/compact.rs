//! The compact stream, pack version 3 (format-spec/packs.md, "The compact
//! stream"): a wire-only form whose deltas name their bases by where the
//! receiver already has them, whose records are raw or plain copy/insert
//! deltas when that is smaller, and whose zstd frames go without their magic.
//! `write_wire` writes one (or a version 2 pack, for a peer that does not
//! take it); `decode_compact` turns one into the records of a stored
//! version 2 pack.
#![warn(missing_docs)]

use crate::store::PackError;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use rayon::prelude::*;

use super::select::Pick;
use super::write::Written;
use super::{ObjectVisitor, Seen};
use crate::codec::{get_varint, put_varint, varint_len};
use crate::error::{Error, Result};
use crate::object::{hash_object, CommitRef, ObjectType, TagRef};
use crate::oid::ObjectId;
use crate::prolly::{dir, file, Node};
use crate::store::error::{OpsFault, RecordFault};
use crate::store::pack::{
    parse_record, type_code, type_from_code, DELTA_BIT, MAX_DELTA_DEPTH, MAX_FRAME,
};
use crate::store::packwrite::{delta_frame, encode_record, full_frame, PackStream};
use crate::store::{Damage, LocalStore, ObjectStore, Odb};

/// The version number of the compact stream.
pub(crate) const VERSION: u32 = 3;
/// The magic number of a zstd frame, left out of a compact record's body.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// How a record names its base (the head's bits 3–4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseRef {
    /// A full record.
    None,
    /// By its id.
    Id(ObjectId),
    /// The object of the record `back` records before.
    Record(u64),
    /// Slot `slot` of the base of the record `back` records before.
    Slot(u64, u64),
}

/// How a record's body holds its payload (the head's bits 5–6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    /// The payload as is (full records only).
    Raw,
    /// One zstd frame without its magic number (a delta's uses the base as prefix).
    Zstd,
    /// Insert and copy instructions over the base's payload (deltas only).
    Ops,
}

/// A compact record's header, parsed.
#[derive(Clone, Debug)]
pub struct CompactHead {
    /// The object's type.
    pub kind: ObjectType,
    /// The delta base, if any.
    pub base: BaseRef,
    /// How the body holds the payload.
    pub body: Body,
    /// The payload's size.
    pub size: u64,
    /// Where the record starts in the buffer.
    pub offset: usize,
    /// Where the body lies in the buffer.
    pub range: std::ops::Range<usize>,
}

/// The head byte of a record.
pub fn head_byte(kind: ObjectType, base: &BaseRef, body: Body) -> u8 {
    let form = match base {
        BaseRef::None => 0,
        BaseRef::Id(_) => 1,
        BaseRef::Record(_) => 2,
        BaseRef::Slot(..) => 3,
    };
    let body = match body {
        Body::Raw => 0,
        Body::Zstd => 1,
        Body::Ops => 2,
    };
    type_code(kind) | form << 3 | body << 5
}

/// Parse the record at `buf[off..]`; `limit` is where records must end.
/// Errors say what is wrong, without the file.
pub fn parse_compact_record(
    buf: &[u8],
    off: usize,
    limit: usize,
) -> std::result::Result<CompactHead, Damage> {
    let bad = |why: RecordFault| Damage::Record { at: off, why };
    if off >= limit {
        return Err(bad(RecordFault::PastEnd));
    }
    let head = buf[off];
    let kind = type_from_code(head & 7)
        .filter(|_| head & 0x80 == 0)
        .ok_or_else(|| bad(RecordFault::BadHeadByte(head)))?;
    let body = match head >> 5 & 3 {
        0 => Body::Raw,
        1 => Body::Zstd,
        2 => Body::Ops,
        _ => return Err(bad(RecordFault::BadHeadByte(head))),
    };
    let buf = &buf[..limit];
    let mut pos = off + 1;
    let varint = |pos: &mut usize| get_varint(buf, pos).map_err(|e| bad(RecordFault::Varint(e)));
    let base = match head >> 3 & 3 {
        0 => BaseRef::None,
        1 => {
            let b = buf
                .get(pos..pos + 32)
                .ok_or_else(|| bad(RecordFault::TruncatedBase))?;
            pos += 32;
            BaseRef::Id(ObjectId::from_bytes(b).expect("32 bytes"))
        }
        2 => BaseRef::Record(varint(&mut pos)?),
        _ => {
            let back = varint(&mut pos)?;
            BaseRef::Slot(back, varint(&mut pos)?)
        }
    };
    match (body, base) {
        (Body::Ops, BaseRef::None) => return Err(bad(RecordFault::OpsWithoutBase)),
        (Body::Raw, BaseRef::Id(_) | BaseRef::Record(_) | BaseRef::Slot(..)) => {
            return Err(bad(RecordFault::RawWithBase))
        }
        _ => {}
    }
    let size = varint(&mut pos)?;
    if size > crate::object::MAX_OBJECT_SIZE {
        return Err(bad(RecordFault::OverObjectLimit(size)));
    }
    let length = if body == Body::Raw {
        size
    } else {
        varint(&mut pos)?
    };
    if length > MAX_FRAME {
        return Err(bad(RecordFault::BodyOverLimit(length)));
    }
    let end = pos
        .checked_add(length as usize)
        .filter(|e| *e <= limit)
        .ok_or_else(|| bad(RecordFault::TruncatedBody))?;
    Ok(CompactHead {
        kind,
        base,
        body,
        size,
        offset: off,
        range: pos..end,
    })
}

/// The ids an object's payload names, in order: its slots (a commit's tree
/// then parents; a tag's object; a leaf tree node's entries' ids, zero ids
/// included; an internal node's or a chunk list's children).
fn slots(kind: ObjectType, data: &[u8]) -> Result<Vec<ObjectId>> {
    Ok(match kind {
        ObjectType::Blob => Vec::new(),
        ObjectType::Commit => {
            let c = CommitRef::parse(data)?;
            std::iter::once(c.tree).chain(c.parents).collect()
        }
        ObjectType::Tag => vec![TagRef::parse(data)?.object],
        ObjectType::Tree => {
            let n = Node::parse::<dir::TreeSchema>(ObjectId::ZERO, data.to_vec())?;
            if n.level > 0 {
                dir::children(&n).map(|c| c.2).collect()
            } else {
                dir::leaf_entries(&n)?.into_iter().map(|e| e.id).collect()
            }
        }
        ObjectType::File => {
            let n = Node::parse::<file::FileSchema>(ObjectId::ZERO, data.to_vec())?;
            file::node_children(&n).into_iter().map(|c| c.2).collect()
        }
    })
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Rebuild a payload of exactly `size` bytes from `ops` and the base.
fn apply_ops(
    ops: &[u8],
    base: &[u8],
    base_id: &ObjectId,
    size: u64,
) -> std::result::Result<Vec<u8>, OpsFault> {
    let mut out: Vec<u8> = Vec::with_capacity(size.min(1 << 20) as usize);
    let mut pos = 0usize;
    let room = |out: &Vec<u8>, n: u64, at: usize| -> std::result::Result<(), OpsFault> {
        match (out.len() as u64).checked_add(n) {
            Some(end) if end <= size => Ok(()),
            _ => Err(OpsFault::Overflow { at, size }),
        }
    };
    while pos < ops.len() {
        let at = pos;
        let x = get_varint(ops, &mut pos).map_err(OpsFault::Varint)?;
        let n = x >> 2;
        match x & 3 {
            0 | 2 => {
                let hex = x & 3 == 2;
                if n == 0 {
                    return Err(OpsFault::EmptyInsert(at));
                }
                room(&out, if hex { n.saturating_mul(2) } else { n }, at)?;
                let bytes = ops
                    .get(pos..)
                    .and_then(|r| r.get(..n as usize))
                    .ok_or(OpsFault::TruncatedInsert(at))?;
                pos += n as usize;
                if hex {
                    for b in bytes {
                        out.push(HEX[(b >> 4) as usize]);
                        out.push(HEX[(b & 15) as usize]);
                    }
                } else {
                    out.extend_from_slice(bytes);
                }
            }
            1 => {
                let offset = get_varint(ops, &mut pos).map_err(OpsFault::Varint)?;
                if n == 0 {
                    return Err(OpsFault::EmptyCopy(at));
                }
                room(&out, n, at)?;
                let end = offset
                    .checked_add(n)
                    .filter(|e| *e <= base.len() as u64)
                    .ok_or(OpsFault::CopyPastBase {
                        at,
                        len: base.len(),
                    })?;
                out.extend_from_slice(&base[offset as usize..end as usize]);
            }
            _ => match n {
                0 => {
                    room(&out, 64, at)?;
                    out.extend_from_slice(base_id.to_hex().as_bytes());
                }
                1 => {
                    room(&out, 32, at)?;
                    out.extend_from_slice(base_id.as_bytes());
                }
                _ => return Err(OpsFault::BadBaseIdOp(at)),
            },
        }
    }
    if out.len() as u64 != size {
        return Err(OpsFault::WrongSize {
            built: out.len(),
            size,
        });
    }
    Ok(out)
}

/// Window of the copy finder: shorter common runs go as inserts.
const WINDOW: usize = 8;
/// Payloads up to this size are tried as ops deltas.
const OPS_MAX: usize = 64 << 10;

/// Instructions building `target` from `base` (whose id is `base_id`):
/// copies of common runs found through a hash of 8-byte strings, the base's
/// id where it appears, and the rest as inserts (hex runs as `hex`).
pub fn encode_ops(target: &[u8], base: &[u8], base_id: &ObjectId) -> Vec<u8> {
    let hex_id = base_id.to_hex();
    let (hex_id, raw_id) = (hex_id.as_bytes(), base_id.as_bytes());
    // Past 4 KiB only every 4th position of the base is indexed: a match
    // found a few bytes late grows back over them, and the index costs a
    // quarter (a small base, a commit say, keeps its short runs).
    let stride = if base.len() <= 4096 { 1 } else { 4 };
    let mut index: HashMap<[u8; WINDOW], Vec<u32>> = HashMap::new();
    for p in (0..base.len().saturating_sub(WINDOW - 1)).step_by(stride) {
        let v = index
            .entry(base[p..p + WINDOW].try_into().expect("window"))
            .or_default();
        if v.len() < 8 {
            v.push(p as u32);
        }
    }
    // Where the base's id appears: a copy never runs into one (it would
    // leave the rest of the id to go as an insert).
    let mut specials: Vec<(usize, u64, usize)> = Vec::new(); // (at, n, len)
    for (id, n) in [(hex_id, 0u64), (&raw_id[..], 1)] {
        let mut at = 0;
        while let Some(p) = target[at..].windows(id.len()).position(|w| w == id) {
            specials.push((at + p, n, id.len()));
            at += p + id.len();
        }
    }
    specials.sort_unstable();
    let mut next = specials.iter().peekable();
    let mut out = Vec::new();
    let (mut i, mut lit) = (0usize, 0usize);
    while i < target.len() {
        while next.peek().is_some_and(|s| s.0 < i) {
            next.next();
        }
        let stop = next.peek().map_or(target.len(), |s| s.0);
        if stop == i {
            let (_, n, len) = *next.next().expect("peeked");
            put_inserts(&mut out, &target[lit..i]);
            put_varint(&mut out, n << 2 | 3);
            i += len;
            lit = i;
            continue;
        }
        let rest = &target[i..stop];
        let mut best: Option<(usize, usize, usize)> = None; // (start, base pos, len)
        if rest.len() >= WINDOW {
            if let Some(cands) = index.get(&rest[..WINDOW]) {
                for &p in cands {
                    let p = p as usize;
                    let mut len = base[p..]
                        .iter()
                        .zip(rest)
                        .take_while(|(a, b)| a == b)
                        .count();
                    // Grow back into the pending insert.
                    let (mut s, mut bp) = (i, p);
                    while s > lit && bp > 0 && target[s - 1] == base[bp - 1] {
                        s -= 1;
                        bp -= 1;
                        len += 1;
                    }
                    if best.is_none_or(|b| len > b.2) {
                        best = Some((s, bp, len));
                    }
                }
            }
        }
        match best {
            Some((s, bp, len)) => {
                put_inserts(&mut out, &target[lit..s]);
                put_varint(&mut out, (len as u64) << 2 | 1);
                put_varint(&mut out, bp as u64);
                i = s + len;
                lit = i;
            }
            None => i += 1,
        }
    }
    put_inserts(&mut out, &target[lit..]);
    out
}

/// Inserts of `bytes`: runs of at least 8 lowercase hex digits as `hex`
/// (two digits a byte), the rest as plain inserts.
fn put_inserts(out: &mut Vec<u8>, bytes: &[u8]) {
    let is_hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
    let plain = |out: &mut Vec<u8>, b: &[u8]| {
        if !b.is_empty() {
            put_varint(out, (b.len() as u64) << 2);
            out.extend_from_slice(b);
        }
    };
    let (mut start, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        let run = bytes[i..].iter().take_while(|b| is_hex(b)).count();
        if run >= 8 {
            let even = run & !1;
            plain(out, &bytes[start..i]);
            put_varint(out, ((even / 2) as u64) << 2 | 2);
            for pair in bytes[i..i + even].chunks(2) {
                let d = |c: u8| (c as char).to_digit(16).expect("hex digit") as u8;
                out.push(d(pair[0]) << 4 | d(pair[1]));
            }
            i += even;
            start = i;
        } else {
            i += run.max(1);
        }
    }
    plain(out, &bytes[start..]);
}

/// `picks` in the compact stream's order: each commit moves in front of the
/// records picked for it since the previous commit (its tree's), so that
/// its tree's root can name its base by a slot of the commit's base.
fn stream_order(picks: &[Pick]) -> Vec<usize> {
    let mut order = Vec::with_capacity(picks.len());
    let mut segment = Vec::new();
    for (i, p) in picks.iter().enumerate() {
        if p.kind == ObjectType::Commit {
            order.push(i);
            order.append(&mut segment);
        } else {
            segment.push(i);
        }
    }
    order.append(&mut segment);
    order
}

/// One record's candidate bodies, computed in parallel.
struct Candidates {
    size: u64,
    full: (Body, Vec<u8>),
    /// With a base: the smaller delta body, and the base's slots.
    delta: Option<(Body, Vec<u8>, Vec<ObjectId>)>,
}

/// Payloads up to this size are also tried raw.
const RAW_MAX: u64 = 4096;
/// The most slot entries the writer remembers (a bound on its memory).
const MAX_SLOT_ENTRIES: usize = 1 << 20;

fn candidates(
    store: &dyn ObjectStore,
    reuse: Option<&dyn LocalStore>,
    pick: &Pick,
    base: Option<ObjectId>,
) -> Result<Candidates> {
    let (kind, size) = store.read_header(&pick.id)?;
    // A stored full record's frame is copied, not recompressed.
    let mut reused: Option<Vec<u8>> = None;
    if let (Some(r), None) = (reuse, base) {
        if let Some(rec) = r.full_record(&pick.id)? {
            if let Ok(h) = parse_record(&rec, 0, rec.len(), 2) {
                let frame = &rec[h.frame.clone()];
                if h.base.is_none() && h.frame.end == rec.len() && frame.starts_with(&ZSTD_MAGIC) {
                    reused = Some(frame[4..].to_vec());
                }
            }
        }
    }
    // The payload is read unless a reused frame makes it needless (too big
    // to go raw, and no delta wanted).
    let (data, zstd) = match reused {
        Some(z) if size > RAW_MAX => (None, z),
        Some(z) => (Some(store.read(&pick.id)?.data), z),
        None => {
            let d = store.read(&pick.id)?.data;
            let z = full_frame(kind, &d)?[4..].to_vec();
            (Some(d), z)
        }
    };
    let full = match &data {
        Some(d) if size <= RAW_MAX && d.len() <= zstd.len() + 1 => (Body::Raw, d.clone()),
        _ => (Body::Zstd, zstd),
    };
    let delta = match (base, &data) {
        (Some(b), Some(d)) => {
            let bo = store.read(&b)?;
            let z = delta_frame(d, &bo.data)?[4..].to_vec();
            let mut body = (Body::Zstd, z);
            if d.len() <= OPS_MAX && bo.data.len() <= OPS_MAX {
                let ops = encode_ops(d, &bo.data, &b);
                if ops.len() <= body.1.len() {
                    body = (Body::Ops, ops);
                }
            }
            // Where later records may find their bases (none if unparsable).
            let s = slots(bo.kind, &bo.data).unwrap_or_default();
            Some((body.0, body.1, s))
        }
        _ => None,
    };
    Ok(Candidates { size, full, delta })
}

/// Write `picks` for the wire to `out`: as a compact stream if `compact`,
/// else as a version 2 pack (`thin`: bases outside the stream allowed, the
/// receiver has them). Chains never exceed the format's maximum depth.
pub fn write_wire<W: Write>(
    compact: bool,
    store: &dyn ObjectStore,
    reuse: Option<&dyn LocalStore>,
    picks: &[Pick],
    thin: bool,
    out: W,
) -> Result<(Written, W)> {
    if !compact {
        let silent = &crate::progress::Silent;
        return super::write::write_pack(store, reuse, picks, thin, out, silent);
    }
    let order = stream_order(picks);
    // Bases in stream order; commits too (against their parent).
    let (bases, pos) = super::write::plan_bases(picks, &order, thin, true);
    let all: std::collections::HashSet<ObjectId> = picks.iter().map(|p| p.id).collect();
    let oerr = |e: std::io::Error| Error::Output(e);
    let mut stream = PackStream::with_version(out, VERSION, order.len() as u32).map_err(oerr)?;
    let mut w = Written {
        objects: order.len(),
        ..Written::default()
    };
    // Where the receiver will know each id from: a record, or a slot of a
    // delta record's base.
    let mut slot_of: HashMap<ObjectId, (usize, u64)> = HashMap::new();
    let mut i = 0;
    while i < order.len() {
        let j = super::write::round_end(store, &order, picks, i)?;
        let cands: Vec<Candidates> = (i..j)
            .into_par_iter()
            .map(|r| candidates(store, reuse, &picks[order[r]], bases[r]))
            .collect::<Result<_>>()?;
        for (r, c) in (i..j).zip(cands) {
            let kind = picks[order[r]].kind;
            let full_cost = match c.full.0 {
                Body::Raw => c.full.1.len(),
                _ => varint_len(c.full.1.len() as u64) + c.full.1.len(),
            };
            let mut rec = Vec::new();
            let mut chosen = None;
            if let (Some(b), Some((body, data, base_slots))) = (bases[r], c.delta) {
                let base_ref = match (pos.get(&b), slot_of.get(&b)) {
                    (Some(&at), _) => BaseRef::Record((r - at) as u64),
                    (None, Some(&(at, s))) => BaseRef::Slot((r - at) as u64, s),
                    _ => BaseRef::Id(b),
                };
                let addr = match base_ref {
                    BaseRef::Id(_) => 32,
                    BaseRef::Record(back) => varint_len(back),
                    BaseRef::Slot(back, s) => varint_len(back) + varint_len(s),
                    BaseRef::None => 0,
                };
                if addr + varint_len(data.len() as u64) + data.len() < full_cost {
                    chosen = Some((base_ref, body, data, base_slots));
                }
            }
            let (base_ref, body, data) = match chosen {
                Some((base_ref, body, data, base_slots)) => {
                    w.deltas += 1;
                    if !all.contains(&bases[r].expect("a delta has a base")) {
                        w.external += 1;
                    }
                    if slot_of.len() + base_slots.len() > MAX_SLOT_ENTRIES {
                        slot_of.clear();
                    }
                    for (s, id) in base_slots.into_iter().enumerate() {
                        slot_of.insert(id, (r, s as u64));
                    }
                    (base_ref, body, data)
                }
                None => (BaseRef::None, c.full.0, c.full.1),
            };
            rec.push(head_byte(kind, &base_ref, body));
            match base_ref {
                BaseRef::Id(b) => rec.extend_from_slice(b.as_bytes()),
                BaseRef::Record(back) => put_varint(&mut rec, back),
                BaseRef::Slot(back, s) => {
                    put_varint(&mut rec, back);
                    put_varint(&mut rec, s);
                }
                BaseRef::None => {}
            }
            put_varint(&mut rec, c.size);
            if body != Body::Raw {
                put_varint(&mut rec, data.len() as u64);
            }
            rec.extend_from_slice(&data);
            stream.add(&rec).map_err(oerr)?;
        }
        i = j;
    }
    let (sum, total, out) = stream.finish().map_err(oerr)?;
    w.bytes = total;
    w.checksum = sum;
    Ok((w, out))
}

/// The payloads decoded so far, bounded in bytes (as index-pack's).
struct Payloads {
    map: HashMap<ObjectId, Arc<Vec<u8>>>,
    bytes: usize,
}

const CACHE_BYTES: usize = 256 << 20;

/// What decoding a compact stream found: each record as stored (version 2),
/// and the external bases the stored pack must hold in front of it.
pub(crate) struct Decoded {
    pub seen: Vec<Seen>,
    /// Every base read from the store (for the Order check).
    pub external_used: Vec<ObjectId>,
    /// Those that stored deltas need (put in front of the stored pack).
    pub external_stored: Vec<ObjectId>,
}

/// Decoding state: the stream, each record's resolved base, the payloads.
struct Decoder<'a> {
    map: &'a [u8],
    odb: &'a Odb,
    fix_thin: bool,
    heads: Vec<CompactHead>,
    bases: Vec<Option<ObjectId>>,
    ids: Vec<ObjectId>,
    by_id: HashMap<ObjectId, usize>,
    cache: Payloads,
}

fn bad(why: String) -> Error {
    PackError::Bad(why).into()
}

impl Decoder<'_> {
    /// The payload of a base: an earlier record (decoded again if it left
    /// the cache) or, thin, a stored object; with its depth in the stream.
    fn base_payload(&mut self, base: &ObjectId, at: usize) -> Result<(Arc<Vec<u8>>, bool)> {
        if let Some(&j) = self.by_id.get(base) {
            return Ok((self.payload(j)?, false));
        }
        if let Some(d) = self.cache.map.get(base) {
            return Ok((d.clone(), true));
        }
        if !self.fix_thin {
            return Err(bad(format!(
                "delta base {base} (offset {at}) is not in the pack (a thin pack needs --fix-thin)"
            )));
        }
        let o = self.odb.read(base).map_err(|e| match e {
            Error::NotFound(_) => bad(format!(
                "delta base {base} (offset {at}) is neither in the pack nor stored here"
            )),
            e => e,
        })?;
        let data = Arc::new(o.data);
        self.remember(*base, data.clone());
        Ok((data, true))
    }

    /// Record `j`'s payload.
    fn payload(&mut self, j: usize) -> Result<Arc<Vec<u8>>> {
        if let Some(d) = self.cache.map.get(&self.ids[j]) {
            return Ok(d.clone());
        }
        let data = Arc::new(self.rebuild(j)?);
        self.remember(self.ids[j], data.clone());
        Ok(data)
    }

    fn remember(&mut self, id: ObjectId, data: Arc<Vec<u8>>) {
        if self.cache.bytes + data.len() > CACHE_BYTES {
            self.cache.map.clear();
            self.cache.bytes = 0;
        }
        self.cache.bytes += data.len();
        self.cache.map.insert(id, data);
    }

    /// Rebuild record `j`'s payload from its body and resolved base.
    fn rebuild(&mut self, j: usize) -> Result<Vec<u8>> {
        let head = self.heads[j].clone();
        let at = head.offset;
        let base = match self.bases[j] {
            Some(b) => Some((b, self.base_payload(&b, at)?.0)),
            None => None,
        };
        let body = &self.map[head.range.clone()];
        let why = |w: Damage| bad(format!("record at offset {at}: {w}"));
        match (head.body, base) {
            (Body::Raw, _) => Ok(body.to_vec()),
            (Body::Zstd, base) => {
                let frame = [&ZSTD_MAGIC[..], body].concat();
                crate::store::pack::decode_frame(
                    &frame,
                    head.size,
                    base.as_ref().map(|b| b.1.as_slice()),
                )
                .map_err(why)
            }
            (Body::Ops, Some((b, data))) => {
                apply_ops(body, &data, &b, head.size).map_err(|e| why(Damage::Ops(e)))
            }
            (Body::Ops, None) => Err(why(Damage::OpsWithoutBase)),
        }
    }

    /// The id record `i`'s base form names.
    fn resolve(&mut self, i: usize) -> Result<Option<ObjectId>> {
        let head = self.heads[i].clone();
        let at = head.offset;
        let back_to = |back: u64| -> Result<usize> {
            (back >= 1 && back <= i as u64)
                .then(|| i - back as usize)
                .ok_or_else(|| {
                    bad(format!(
                        "record {i} (offset {at}) names the record {back} before it, but {i} come before it"
                    ))
                })
        };
        Ok(match head.base {
            BaseRef::None => None,
            BaseRef::Id(b) => Some(b),
            BaseRef::Record(back) => Some(self.ids[back_to(back)?]),
            BaseRef::Slot(back, slot) => {
                let j = back_to(back)?;
                let Some(jb) = self.bases[j] else {
                    return Err(bad(format!(
                        "record {i} (offset {at}) names a slot of record {j}'s base, but record {j} has none"
                    )));
                };
                let (data, _) = self.base_payload(&jb, at)?;
                let kind = match self.by_id.get(&jb) {
                    Some(&k) => self.heads[k].kind,
                    None => self.odb.read_header(&jb)?.0,
                };
                let s = slots(kind, &data).map_err(|e| {
                    bad(format!("record {i} (offset {at}): the slots of {jb}: {e}"))
                })?;
                let id = s.get(slot as usize).copied().ok_or_else(|| {
                    bad(format!(
                        "record {i} (offset {at}) names slot {slot} of {jb}, which has {}",
                        s.len()
                    ))
                })?;
                Some(id)
            }
        })
    }
}

/// Decode every record of the compact stream in `map` (header and trailer
/// checked), verifying ids, depths and bounds, and write each as a version 2
/// record to `out` (offsets in `Seen` are from the first record written);
/// `each` sees every object.
pub(crate) fn decode_compact(
    map: &[u8],
    odb: &Odb,
    fix_thin: bool,
    out: &mut dyn Write,
    each: &mut ObjectVisitor,
) -> Result<Decoded> {
    let n = map.len();
    if n < 48 || &map[..8] != b"HAKOPACK" {
        return Err(bad("not a hako pack (bad magic or truncated)".into()));
    }
    let version = u32::from_be_bytes(map[8..12].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(bad(format!("unknown version {version}")));
    }
    let count = u32::from_be_bytes(map[12..16].try_into().expect("4 bytes")) as usize;
    if blake3::hash(&map[..n - 32]).as_bytes() != &map[n - 32..] {
        return Err(bad("checksum mismatch (truncated or corrupt)".into()));
    }
    let mut d = Decoder {
        map,
        odb,
        fix_thin,
        heads: Vec::with_capacity(count.min(1 << 20)),
        bases: Vec::with_capacity(count.min(1 << 20)),
        ids: Vec::with_capacity(count.min(1 << 20)),
        by_id: HashMap::new(),
        cache: Payloads {
            map: HashMap::new(),
            bytes: 0,
        },
    };
    let mut depth: Vec<usize> = Vec::with_capacity(count.min(1 << 20));
    let mut dec = Decoded {
        seen: Vec::with_capacity(count.min(1 << 20)),
        external_used: Vec::new(),
        external_stored: Vec::new(),
    };
    let mut written = 0u64;
    let mut pos = 16usize;
    for i in 0..count {
        let head = parse_compact_record(map, pos, n - 32).map_err(|e| bad(e.to_string()))?;
        d.heads.push(head.clone());
        d.bases.push(None);
        d.ids.push(ObjectId::ZERO);
        let base = d.resolve(i)?;
        d.bases[i] = base;
        let mut external = false;
        let dep = match base {
            None => 0,
            Some(b) => match d.by_id.get(&b) {
                Some(&j) => depth[j] + 1,
                None => {
                    external = true;
                    1
                }
            },
        };
        if dep > MAX_DELTA_DEPTH {
            return Err(bad(format!(
                "delta chain deeper than {MAX_DELTA_DEPTH} at offset {pos}"
            )));
        }
        let data = d.rebuild(i)?;
        let id = hash_object(head.kind, &data);
        if d.by_id.insert(id, i).is_some() {
            return Err(bad(format!("object {id} appears twice")));
        }
        d.ids[i] = id;
        depth.push(dep);
        if external {
            let b = base.expect("external base");
            if !dec.external_used.contains(&b) {
                dec.external_used.push(b);
            }
        }
        // The stored form (packs.md, "Storing it").
        let body = &map[head.range.clone()];
        let stays_delta = head.body == Body::Zstd
            && base.is_some()
            && !matches!(head.kind, ObjectType::Commit | ObjectType::Tag);
        let rec = if head.body == Body::Zstd && (base.is_none() || stays_delta) {
            let mut r = Vec::with_capacity(body.len() + 48);
            match base.filter(|_| stays_delta) {
                Some(b) => {
                    r.push(DELTA_BIT | type_code(head.kind));
                    put_varint(&mut r, head.size);
                    r.extend_from_slice(b.as_bytes());
                    if external && !dec.external_stored.contains(&b) {
                        dec.external_stored.push(b);
                    }
                }
                None => {
                    r.push(type_code(head.kind));
                    put_varint(&mut r, head.size);
                }
            }
            put_varint(&mut r, body.len() as u64 + 4);
            r.extend_from_slice(&ZSTD_MAGIC);
            r.extend_from_slice(body);
            r
        } else {
            encode_record(head.kind, &data)?
        };
        out.write_all(&rec).map_err(PackError::Write)?;
        dec.seen.push(Seen {
            id,
            offset: written,
            len: rec.len() as u64,
            size: head.size,
            depth: if stays_delta { dep } else { 0 },
        });
        written += rec.len() as u64;
        each(dec.seen.last().expect("pushed"), head.kind, &data)?;
        if head.kind != ObjectType::Blob || data.len() <= 1 << 20 {
            d.remember(id, Arc::new(data));
        }
        pos = head.range.end;
    }
    if pos != n - 32 {
        return Err(bad(format!(
            "{} bytes after the last of {count} records",
            n - 32 - pos
        )));
    }
    Ok(dec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ObjectId {
        ObjectId([n; 32])
    }

    #[test]
    fn ops_round_trip_and_name_the_base_and_hex() {
        let base_id = id(7);
        let base = format!("tree {}\nauthor a <b> 1700000000 +0000\n\nmsg\n", id(1)).into_bytes();
        let target = format!(
            "tree {}\nparent {base_id}\nauthor a <b> 1700000042 +0000\n\nmsg two\n",
            id(2)
        )
        .into_bytes();
        let ops = encode_ops(&target, &base, &base_id);
        assert!(ops.len() < 70, "{} bytes", ops.len());
        assert_eq!(
            apply_ops(&ops, &base, &base_id, target.len() as u64).unwrap(),
            target
        );
    }

    #[test]
    fn a_copy_stops_where_the_base_id_starts() {
        // The base's text goes on with the id's first digit: a greedy copy
        // would take it and leave 63 digits to insert.
        let base_id = id(0xaa);
        let base = format!("commit header\nparent a{}\n", "b".repeat(63)).into_bytes();
        let target = format!("commit header\nparent {base_id}\n").into_bytes();
        let ops = encode_ops(&target, &base, &base_id);
        assert!(ops.len() < 12, "{ops:?}");
        assert_eq!(
            apply_ops(&ops, &base, &base_id, target.len() as u64).unwrap(),
            target
        );
    }

    #[test]
    fn ops_refuse_what_would_overrun() {
        let b = b"0123456789";
        // copy 4 bytes at offset 8: past the base.
        let mut ops = Vec::new();
        put_varint(&mut ops, 4 << 2 | 1);
        put_varint(&mut ops, 8);
        assert!(apply_ops(&ops, b, &id(1), 4)
            .unwrap_err()
            .to_string()
            .contains("past the base"));
        // insert of 5 bytes into a 3-byte object.
        let ops = [5 << 2, b'a', b'b', b'c', b'd', b'e'];
        assert!(apply_ops(&ops, b, &id(1), 3)
            .unwrap_err()
            .to_string()
            .contains("builds more than"));
        // a huge hex insert is refused before anything is read.
        let mut ops = Vec::new();
        put_varint(&mut ops, (u64::MAX >> 2) << 2 | 2);
        assert!(apply_ops(&ops, b, &id(1), 3).is_err());
        // fewer bytes than declared.
        assert!(apply_ops(&[], b, &id(1), 1)
            .unwrap_err()
            .to_string()
            .contains("build 0"));
        // a bad base id op.
        assert!(apply_ops(&[2 << 2 | 3], b, &id(1), 64).is_err());
    }

    #[test]
    fn heads_refuse_bad_forms() {
        // a raw body with a base; ops without one; body 3; bit 7; type 0.
        for head in [0x0b_u8, 0x43, 0x63, 0x83, 0x00, 0x06] {
            let buf = [head, 1, 1, 0, 0, 0];
            assert!(
                parse_compact_record(&buf, 0, buf.len()).is_err(),
                "{head:#x}"
            );
        }
        // a size over the object limit.
        let mut buf = vec![0x01];
        put_varint(&mut buf, crate::object::MAX_OBJECT_SIZE + 1);
        assert!(parse_compact_record(&buf, 0, buf.len())
            .unwrap_err()
            .to_string()
            .contains("64 MiB"));
    }
}
