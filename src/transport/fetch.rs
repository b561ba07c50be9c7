//! The fetching end (`fetch-pack`, protocol.md section 6): send wants and
//! haves, receive the pack into quarantine, verify it and admit it. Refs are
//! the caller's business, moved only after this returns.
#![warn(missing_docs)]

use std::collections::{BinaryHeap, HashSet};

use crate::error::{Error, Result};
use crate::object::{CommitRef, ObjectType};
use crate::oid::ObjectId;
use crate::pack::quarantine::{self, Quarantine};
use crate::progress::Progress;
use crate::store::shallow::ShallowSet;
use crate::store::{ObjectStore, Odb};
use crate::transport::connect::Connection;
use crate::transport::limits::{SectionLimit, MAX_HAVE_LINES};
use crate::transport::pkt::{Packet, PktWriter, StreamReader};
use crate::transport::{PackBytes, TransportError};

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
    /// Commits that became shallow.
    pub shallowed: usize,
    /// Shallow commits whose history came.
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
/// remote's progress text and the pack's bytes ("Receiving pack").
pub fn fetch_pack(
    odb: &Odb,
    mut conn: Connection,
    wants: &[ObjectId],
    local_tips: &[ObjectId],
    opts: &FetchOptions,
    progress: &dyn Progress,
) -> Result<Fetched> {
    let mut need: Vec<ObjectId> = Vec::new();
    for w in wants {
        if (opts.deepen.is_some() || !odb.contains(w)?) && !need.contains(w) {
            need.push(*w);
        }
    }
    let mine = odb.shallow()?;
    let talk = FetchTalk {
        odb,
        use_shallow: conn.has("shallow"),
        conn: &mut conn,
        need: &need,
        mine: &mine,
        opts,
        out: Fetched::default(),
    };
    match talk.run(local_tips, progress) {
        Ok(out) => {
            conn.finish()?;
            Ok(out)
        }
        Err(e) => Err(conn.fail(e)),
    }
}

/// A fetch's conversation after the advertisement, step by step.
struct FetchTalk<'a> {
    odb: &'a Odb,
    conn: &'a mut Connection,
    /// The wanted objects to ask for.
    need: &'a [ObjectId],
    /// The commits stored here without their parents.
    mine: &'a ShallowSet,
    opts: &'a FetchOptions,
    /// The remote offers `shallow`.
    use_shallow: bool,
    out: Fetched,
}

impl<'a> FetchTalk<'a> {
    fn run(mut self, local_tips: &[ObjectId], progress: &dyn Progress) -> Result<Fetched> {
        let deepens = self.opts.deepen.is_some() || !self.mine.is_empty();
        if !self.use_shallow && deepens && !self.need.is_empty() {
            return Err(TransportError::NoShallowCapability.into());
        }
        if self.need.is_empty() {
            let mut w = PktWriter::new(&mut self.conn.writer);
            w.flush_pkt()?;
            w.flush_io()?;
            self.out.bytes = self.conn.reader.offset();
            return Ok(self.out);
        }
        if !self.conn.has("side-band") {
            return Err(TransportError::NoSideBandCapability.into());
        }
        self.send_wants()?;
        self.negotiate(local_tips)?;
        let (new_shallow, extra_tips) = self.shallow_update()?;
        let q = self.receive(progress)?;
        let tips: Vec<ObjectId> = self.need.iter().chain(&extra_tips).copied().collect();
        q.check_connected(&tips, &new_shallow)
            .map_err(|e| TransportError::IncompletePack(Box::new(e)))?;
        self.out.objects = q.len();
        if !q.is_empty() {
            q.admit()?;
        }
        // After the objects, before any ref moves (protocol.md section 6a).
        if new_shallow != *self.mine {
            self.odb.set_shallow(new_shallow)?;
        }
        self.out.bytes = self.conn.reader.offset();
        Ok(self.out)
    }

    /// The wants, the first with the capabilities asked for, then this
    /// side's shallow commits and the depth.
    fn send_wants(&mut self) -> Result<()> {
        let mut caps = Vec::new();
        for c in ["thin-pack", "shallow", "side-band"] {
            if self.conn.has(c) {
                caps.push(c.to_string());
            }
        }
        if self.opts.quiet && self.conn.has("quiet") {
            caps.push("quiet".into());
        }
        if self.opts.compact && self.conn.has(crate::transport::COMPACT_PACK) {
            caps.push(crate::transport::COMPACT_PACK.into());
        }
        caps.push(format!("agent=hako/{}", env!("CARGO_PKG_VERSION")));
        let mut w = PktWriter::new(&mut self.conn.writer);
        for (i, id) in self.need.iter().enumerate() {
            if i == 0 {
                w.line(&format!("want {id} {}", caps.join(" ")))?;
            } else {
                w.line(&format!("want {id}"))?;
            }
        }
        if self.use_shallow {
            for id in self.mine.iter() {
                w.line(&format!("shallow {id}"))?;
            }
            if let Some(n) = self.opts.deepen {
                w.line(&format!("deepen {n}"))?;
            }
        }
        w.flush_pkt()?;
        Ok(())
    }

    /// Haves in rounds: local commits newest first, never below a common
    /// one; then `done`.
    fn negotiate(&mut self, local_tips: &[ObjectId]) -> Result<()> {
        let mut walk = HaveWalk::new(self.odb, local_tips)?;
        loop {
            let round = walk.next_round(ROUND)?;
            if round.is_empty() || self.out.rounds >= MAX_ROUNDS {
                break;
            }
            let mut w = PktWriter::new(&mut self.conn.writer);
            for id in &round {
                w.line(&format!("have {id}"))?;
            }
            w.flush_pkt()?;
            w.flush_io()?;
            self.out.rounds += 1;
            self.read_acks(&mut walk)?;
        }
        let mut w = PktWriter::new(&mut self.conn.writer);
        w.line("done")?;
        w.flush_io()?;
        Ok(())
    }

    /// The ACKs for one round (at most one per have, and `ready`), then flush.
    fn read_acks(&mut self, walk: &mut HaveWalk) -> Result<()> {
        let mut acks = SectionLimit::lines("ACKs", MAX_HAVE_LINES + 1);
        loop {
            let at = self.conn.reader.offset();
            let Some(p) = self.conn.reader.read()? else {
                return Err(hung_up(at));
            };
            if p == Packet::Flush {
                return Ok(());
            }
            let line = String::from_utf8_lossy(p.as_line().unwrap_or(b"")).to_string();
            acks.take(line.len())?;
            if let Some(m) = line.strip_prefix("ERR ") {
                return Err(TransportError::Remote(m.to_string()).into());
            }
            match line.strip_prefix("ACK ").map(ObjectId::from_hex) {
                Some(Ok(id)) => walk.common(id)?,
                _ if line == "ready" => {}
                _ => return Err(TransportError::unexpected("ACK or flush", &line).into()),
            }
        }
    }

    /// The next line of the answer, `None` for a flush; `ERR` is an error.
    fn next_line(&mut self) -> Result<Option<String>> {
        let at = self.conn.reader.offset();
        let p = self.conn.reader.read()?.ok_or_else(|| hung_up(at))?;
        if p == Packet::Flush {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(p.as_line().unwrap_or(b"")).to_string();
        if let Some(m) = line.strip_prefix("ERR ") {
            return Err(TransportError::Remote(m.to_string()).into());
        }
        Ok(Some(line))
    }

    /// The shallow-update section (protocol.md section 6a), when shallow
    /// was asked for: the shallow set to keep after the pack, and the
    /// commits whose history must come now that they are no longer shallow.
    fn shallow_update(&mut self) -> Result<(ShallowSet, Vec<ObjectId>)> {
        let mut new_shallow = self.mine.clone();
        let mut extra_tips: Vec<ObjectId> = Vec::new();
        if !self.use_shallow {
            return Ok((new_shallow, extra_tips));
        }
        let (mut add, mut remove) = (Vec::new(), Vec::new());
        let mut limit = SectionLimit::new("shallow update");
        while let Some(line) = self.next_line()? {
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
                    if !self.mine.contains(&id) {
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
            let o = crate::revparse::read_commit(self.odb, id)?;
            extra_tips.extend(CommitRef::parse(&o.data)?.parents);
        }
        self.out.shallowed = add.iter().filter(|a| !self.mine.contains(a)).count();
        self.out.unshallowed = remove.len();
        new_shallow.extend(add);
        Ok((new_shallow, extra_tips))
    }

    /// `packfile`, then the pack on side-band channel 1, into quarantine;
    /// the remote's progress goes to `progress`.
    fn receive(&mut self, progress: &dyn Progress) -> Result<Quarantine<'a>> {
        let line = self.next_line()?.unwrap_or_else(|| "flush".into());
        if line != "packfile" {
            return Err(TransportError::unexpected("'packfile'", &line).into());
        }
        let mut remote = |b: &[u8]| progress.remote(b);
        let mut stream = StreamReader::new(&mut self.conn.reader, true, &mut remote);
        let mut bytes = PackBytes::new(progress, "Receiving pack");
        let mut counted = crate::transport::Counting {
            inner: &mut stream,
            total: 0,
            each: &mut |n| bytes.at(n),
        };
        let q = match quarantine::receive(self.odb, &mut counted, true) {
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
        Ok(q)
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
