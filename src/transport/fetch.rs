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
use crate::transport::pkt::{Packet, PktWriter, StreamReader};
use crate::transport::Event;

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
}

/// Options of a fetch.
#[derive(Default)]
pub struct FetchOptions {
    /// Ask the remote not to send progress.
    pub quiet: bool,
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
        if !odb.contains(w)? && !need.contains(w) {
            need.push(*w);
        }
    }
    let res = (|| -> Result<Fetched> {
        let mut out = Fetched::default();
        let mut w = PktWriter::new(&mut conn.writer);
        if need.is_empty() {
            w.flush_pkt()?;
            w.flush_io()?;
            out.bytes = conn.reader.offset();
            return Ok(out);
        }
        if !conn.caps.iter().any(|x| x == "side-band") {
            return Err(Error::Invalid(
                "the remote does not offer side-band (needed for the pack)".into(),
            ));
        }
        let mut caps = Vec::new();
        for c in ["thin-pack", "side-band"] {
            if conn.caps.iter().any(|x| x == c) {
                caps.push(c.to_string());
            }
        }
        if opts.quiet && conn.caps.iter().any(|x| x == "quiet") {
            caps.push("quiet".into());
        }
        caps.push(format!("agent=hako/{}", env!("CARGO_PKG_VERSION")));
        for (i, id) in need.iter().enumerate() {
            if i == 0 {
                w.line(&format!("want {id} {}", caps.join(" ")))?;
            } else {
                w.line(&format!("want {id}"))?;
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
            // ACKs for this round, then flush.
            loop {
                let at = conn.reader.offset();
                match conn.reader.read()? {
                    None => return Err(Error::Invalid(format!("the remote hung up at byte {at}"))),
                    Some(Packet::Flush) => break,
                    Some(p) => {
                        let line = String::from_utf8_lossy(p.as_line().unwrap_or(b"")).to_string();
                        if let Some(m) = line.strip_prefix("ERR ") {
                            return Err(Error::Invalid(format!("remote error: {m}")));
                        }
                        match line.strip_prefix("ACK ").map(ObjectId::from_hex) {
                            Some(Ok(id)) => walk.common(id)?,
                            _ if line == "ready" => {}
                            _ => {
                                return Err(Error::Invalid(format!(
                                    "expected ACK or flush, got '{line}'"
                                )))
                            }
                        }
                    }
                }
            }
        }
        let mut w = PktWriter::new(&mut conn.writer);
        w.line("done")?;
        w.flush_io()?;
        // The pack.
        let at = conn.reader.offset();
        let first = conn
            .reader
            .read()?
            .ok_or_else(|| Error::Invalid(format!("the remote hung up at byte {at}")))?;
        let line = String::from_utf8_lossy(first.as_line().unwrap_or(b"")).to_string();
        if let Some(m) = line.strip_prefix("ERR ") {
            return Err(Error::Invalid(format!("remote error: {m}")));
        }
        if line != "packfile" {
            return Err(Error::Invalid(format!("expected 'packfile', got '{line}'")));
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
                        Some(f) => Error::Invalid(f.clone()),
                        None => e,
                    })
                }
            };
            if !stream.finished() {
                stream
                    .drain()
                    .map_err(|e| Error::Invalid(format!("after the pack: {e}")))?;
            }
            q
        };
        q.check_connected(&need)
            .map_err(|e| Error::Invalid(format!("the pack is incomplete: {e}")))?;
        out.objects = q.len();
        if !q.is_empty() {
            q.admit()?;
        }
        out.bytes = conn.reader.offset();
        Ok(out)
    })();
    match res {
        Ok(out) => {
            conn.finish().map_err(|e| Error::Invalid(e.to_string()))?;
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
        Ok(CommitRef::parse(&o.data)?.parents.to_vec())
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
