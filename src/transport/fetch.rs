//! The fetching end (`fetch-pack`, protocol.md section 6): send wants and
//! haves, receive the pack into quarantine, verify it and admit it. Refs are
//! the caller's business, moved only after this returns.

use std::collections::{BinaryHeap, HashSet};

use crate::error::{Error, Result};
use crate::object::{CommitRef, ObjectType};
use crate::oid::ObjectId;
use crate::pack::quarantine;
use crate::store::{ObjectStore, Odb};
use crate::transport::connect::Connection;
use crate::transport::limits::{SectionLimit, MAX_HAVE_LINES};
use crate::transport::pkt::{Packet, PktWriter, StreamReader};
use crate::transport::{Event, TransportError};

/// Haves per round, and rounds at most (protocol.md section 6).
const ROUND: usize = 256;
const MAX_ROUNDS: usize = 32;

/// What a fetch received.
#[derive(Debug, Default)]
pub struct Fetched {
    /// Objects in the received pack (0: nothing was needed).
    pub objects: usize,
    /// Bytes read from the remote, advertisement included.
    pub bytes: u64,
    /// Have rounds sent.
    pub rounds: usize,
    /// Commits that became shallow, and shallow commits whose history came.
    pub shallowed: usize,
    pub unshallowed: usize,
}

/// Options of a fetch.
#[derive(Default)]
pub struct FetchOptions {
    /// Ask the remote not to send progress.
    pub quiet: bool,
    /// `deepen N` (protocol.md section 6a): cut history N commits deep from
    /// each want; wanted commits already stored are asked for again.
    pub deepen: Option<u32>,
    /// Ask for the compact stream when the remote offers it.
    pub compact: bool,
}

/// Make every object reachable from `wants` present in `odb`, fetching what
/// is missing through `conn` (which is consumed: the conversation ends).
/// `local_tips` are the local commits to offer as haves. `progress` sees the
/// remote's progress text.
pub fn fetch_pack(
    odb: &Odb,
    mut conn: Connection,
    wants: &[ObjectId],
    local_tips: &[ObjectId],
    opts: &FetchOptions,
    progress: &mut dyn FnMut(Event),
) -> Result<Fetched> {
    let mut need: Vec<ObjectId> = Vec::new();
    for w in wants {
        if (opts.deepen.is_some() || !odb.contains(w)?) && !need.contains(w) {
            need.push(*w);
        }
    }
    let mine = odb.shallow()?;
    let res = (|| -> Result<Fetched> {
        let mut out = Fetched::default();
        let use_shallow = conn.caps.iter().any(|x| x == "shallow");
        if !use_shallow && (opts.deepen.is_some() || !mine.is_empty()) && !need.is_empty() {
            return Err(TransportError::NoShallowCapability.into());
        }
        let mut w = PktWriter::new(&mut conn.writer);
        if need.is_empty() {
            w.flush_pkt()?;
            w.flush_io()?;
            out.bytes = conn.reader.offset();
            return Ok(out);
        }
        if !conn.caps.iter().any(|x| x == "side-band") {
            return Err(TransportError::NoSideBandCapability.into());
        }
        let mut caps = Vec::new();
        for c in ["thin-pack", "shallow", "side-band"] {
            if conn.caps.iter().any(|x| x == c) {
                caps.push(c.to_string());
            }
        }
        if opts.quiet && conn.caps.iter().any(|x| x == "quiet") {
            caps.push("quiet".into());
        }
        if opts.compact
            && conn
                .caps
                .iter()
                .any(|x| x == crate::transport::COMPACT_PACK)
        {
            caps.push(crate::transport::COMPACT_PACK.into());
        }
        caps.push(format!("agent=hako/{}", env!("CARGO_PKG_VERSION")));
        for (i, id) in need.iter().enumerate() {
            if i == 0 {
                w.line(&format!("want {id} {}", caps.join(" ")))?;
            } else {
                w.line(&format!("want {id}"))?;
            }
        }
        if use_shallow {
            for id in mine.iter() {
                w.line(&format!("shallow {id}"))?;
            }
            if let Some(n) = opts.deepen {
                w.line(&format!("deepen {n}"))?;
            }
        }
        w.flush_pkt()?;
        // Haves: local commits newest first, never below a common one.
        let mut walk = HaveWalk::new(odb, local_tips)?;
        loop {
            let round = walk.next_round(ROUND)?;
            if round.is_empty() || out.rounds >= MAX_ROUNDS {
                break;
            }
            let mut w = PktWriter::new(&mut conn.writer);
            for id in &round {
                w.line(&format!("have {id}"))?;
            }
            w.flush_pkt()?;
            w.flush_io()?;
            out.rounds += 1;
            // ACKs for this round (at most one per have, and `ready`), then flush.
            let mut acks = SectionLimit::lines("ACKs", MAX_HAVE_LINES + 1);
            loop {
                let at = conn.reader.offset();
                match conn.reader.read()? {
                    None => return Err(hung_up(at)),
                    Some(Packet::Flush) => break,
                    Some(p) => {
                        let line = String::from_utf8_lossy(p.as_line().unwrap_or(b"")).to_string();
                        acks.take(line.len())?;
                        if let Some(m) = line.strip_prefix("ERR ") {
                            return Err(TransportError::Remote(m.to_string()).into());
                        }
                        match line.strip_prefix("ACK ").map(ObjectId::from_hex) {
                            Some(Ok(id)) => walk.common(id)?,
                            _ if line == "ready" => {}
                            _ => {
                                return Err(TransportError::unexpected("ACK or flush", &line).into())
                            }
                        }
                    }
                }
            }
        }
        let mut w = PktWriter::new(&mut conn.writer);
        w.line("done")?;
        w.flush_io()?;
        // The shallow-update section, then the pack.
        let next_line = |conn: &mut Connection| -> Result<Option<String>> {
            let at = conn.reader.offset();
            let p = conn.reader.read()?.ok_or_else(|| hung_up(at))?;
            if p == Packet::Flush {
                return Ok(None);
            }
            let line = String::from_utf8_lossy(p.as_line().unwrap_or(b"")).to_string();
            if let Some(m) = line.strip_prefix("ERR ") {
                return Err(TransportError::Remote(m.to_string()).into());
            }
            Ok(Some(line))
        };
        let mut new_shallow = (*mine).clone();
        let mut extra_tips: Vec<ObjectId> = Vec::new();
        if use_shallow {
            let (mut add, mut remove) = (Vec::new(), Vec::new());
            let mut limit = SectionLimit::new("shallow update");
            while let Some(line) = next_line(&mut conn)? {
                limit.take(line.len())?;
                let bad = || {
                    Error::from(TransportError::BadLine {
                        what: "bad shallow update:",
                        line: line.clone(),
                    })
                };
                match line.split_once(' ') {
                    Some(("shallow", id)) => add.push(ObjectId::from_hex(id).map_err(|_| bad())?),
                    Some(("unshallow", id)) => {
                        let id = ObjectId::from_hex(id).map_err(|_| bad())?;
                        if !mine.contains(&id) {
                            return Err(bad());
                        }
                        remove.push(id)
                    }
                    _ => return Err(bad()),
                }
            }
            if add.iter().any(|a| remove.contains(a)) {
                return Err(TransportError::ShallowAndUnshallow.into());
            }
            for id in &remove {
                new_shallow.remove(id);
                // Its history must now be here.
                let o = crate::revparse::read_commit(odb, id)?;
                extra_tips.extend(CommitRef::parse(&o.data)?.parents);
            }
            out.shallowed = add.iter().filter(|a| !mine.contains(a)).count();
            out.unshallowed = remove.len();
            new_shallow.extend(add);
        }
        let line = next_line(&mut conn)?.unwrap_or_else(|| "flush".into());
        if line != "packfile" {
            return Err(TransportError::unexpected("'packfile'", &line).into());
        }
        let q = {
            let progress = std::cell::RefCell::new(progress);
            let mut remote = |b: &[u8]| (progress.borrow_mut())(Event::Remote(b));
            let mut stream = StreamReader::new(&mut conn.reader, true, &mut remote);
            let mut counted = crate::transport::Counting {
                inner: &mut stream,
                total: 0,
                each: &mut |n| (progress.borrow_mut())(Event::Received(n)),
            };
            let q = quarantine::receive(odb, &mut counted, true);
            let q = match q {
                Ok(q) => q,
                Err(e) => {
                    return Err(match &stream.fault.0 {
                        Some(f) => TransportError::StreamBroken(f.clone()).into(),
                        None => e,
                    })
                }
            };
            if !stream.finished() {
                stream.drain().map_err(TransportError::AfterPack)?;
            }
            q
        };
        let tips: Vec<ObjectId> = need.iter().chain(&extra_tips).copied().collect();
        q.check_connected(&tips, &new_shallow)
            .map_err(|e| TransportError::IncompletePack(Box::new(e)))?;
        out.objects = q.len();
        if !q.is_empty() {
            q.admit()?;
        }
        // After the objects, before any ref moves (protocol.md section 6a).
        if new_shallow != *mine {
            odb.set_shallow(new_shallow)?;
        }
        out.bytes = conn.reader.offset();
        Ok(out)
    })();
    match res {
        Ok(out) => {
            conn.finish()?;
            Ok(out)
        }
        Err(e) => Err(conn.fail(e)),
    }
}

/// Local commits to offer, newest first (committer time), skipping the
/// ancestors of commits known to be common.
struct HaveWalk<'a> {
    odb: &'a Odb,
    heap: BinaryHeap<(i64, ObjectId)>,
    queued: HashSet<ObjectId>,
    common: HashSet<ObjectId>,
}

impl<'a> HaveWalk<'a> {
    fn new(odb: &'a Odb, tips: &[ObjectId]) -> Result<Self> {
        let mut w = HaveWalk {
            odb,
            heap: BinaryHeap::new(),
            queued: HashSet::new(),
            common: HashSet::new(),
        };
        for t in tips {
            w.push(*t)?;
        }
        Ok(w)
    }

    fn push(&mut self, id: ObjectId) -> Result<()> {
        if !self.queued.insert(id) {
            return Ok(());
        }
        match self.odb.read(&id) {
            Ok(o) if o.kind == ObjectType::Commit => {
                let c = CommitRef::parse(&o.data)?;
                let t = crate::identity::Signature::parse(c.committer)
                    .map(|s| s.seconds)
                    .unwrap_or(0);
                self.heap.push((t, id));
            }
            Ok(_) => {}
            Err(Error::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }

    fn parents(&self, id: &ObjectId) -> Result<Vec<ObjectId>> {
        let o = self.odb.read(id)?;
        crate::revparse::visible_parents(self.odb, id, &CommitRef::parse(&o.data)?)
    }

    /// Mark `id` common: its ancestors are never offered.
    fn common(&mut self, id: ObjectId) -> Result<()> {
        if self.common.insert(id) {
            for p in self.parents(&id)? {
                self.common.insert(p);
            }
        }
        Ok(())
    }

    fn next_round(&mut self, n: usize) -> Result<Vec<ObjectId>> {
        let mut out = Vec::new();
        while out.len() < n {
            let Some((_, id)) = self.heap.pop() else {
                break;
            };
            let parents = self.parents(&id)?;
            if self.common.contains(&id) {
                for p in parents {
                    self.common.insert(p);
                    self.push(p)?;
                }
                continue;
            }
            for p in parents {
                self.push(p)?;
            }
            out.push(id);
        }
        Ok(out)
    }
}

fn hung_up(at: u64) -> Error {
    TransportError::HungUp { peer: "remote", at }.into()
}
