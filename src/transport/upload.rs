//! The serving end of a fetch, `upload-pack` (format-spec/protocol.md,
//! sections 5 and 6): advertise every container's refs, read the client's
//! wants and haves, send the objects it lacks as one (thin) pack on the
//! side-band.
#![warn(missing_docs)]

use std::collections::HashSet;
use std::io::{Read, Write};

use crate::error::{Error, Result};
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::pack::compact::write_wire;
use crate::pack::select::{select_revs, select_revs_shallow, Pick, ShallowRequest};
use crate::store::ObjectStore;
use crate::transport::advertise::{
    server_capabilities, workspace_refs, write_advertisement, UPLOAD_CAPABILITIES,
};
use crate::transport::limits::{SectionLimit, MAX_HAVE_LINES, MAX_HAVE_ROUNDS};
use crate::transport::pkt::{BandWriter, PktReader, PktWriter};
use crate::transport::TransportError;
use crate::workspace::Workspace;

/// What a served fetch sent.
#[derive(Debug, Default)]
pub struct Served {
    /// `want` lines the client sent.
    pub wants: usize,
    /// Objects sent.
    pub objects: usize,
    /// Pack bytes sent.
    pub bytes: u64,
}

/// The next text line, `None` for a flush; end of input is an error.
pub(crate) fn next_line<R: Read>(r: &mut PktReader<R>) -> Result<Option<String>> {
    let at = r.offset();
    match r.read()? {
        None => Err(TransportError::HungUp { peer: "client", at }.into()),
        Some(crate::transport::pkt::Packet::Flush) => Ok(None),
        Some(p) => match p.as_line() {
            Some(l) => String::from_utf8(l.to_vec())
                .map(Some)
                .map_err(|_| TransportError::NotUtf8(format!("line at byte {at}")).into()),
            None => Err(TransportError::Unexpected {
                expected: format!("a text line at byte {at}"),
                got: format!("{p:?}"),
            }
            .into()),
        },
    }
}

/// Send `ERR message` (best effort) and return the error.
pub(crate) fn refuse<W: Write>(w: &mut PktWriter<W>, e: Error) -> Error {
    let msg = e.to_string();
    let line: String = msg.chars().take(1000).collect();
    let _ = w.line(&format!("ERR {line}"));
    let _ = w.flush_io();
    e
}

pub(crate) fn parse_id(s: &str, line: &str) -> Result<ObjectId> {
    ObjectId::from_hex(s).map_err(|_| {
        TransportError::BadLine {
            what: "bad object id in",
            line: line.to_string(),
        }
        .into()
    })
}

/// Serve one fetch of workspace `ws` on `input`/`output`.
pub fn upload_pack<R: Read, W: Write>(ws: &Workspace, input: R, output: W) -> Result<Served> {
    // The packet trace tells the server's lines from the client's.
    let _role = tracing::trace_span!(target: "packet", "upload-pack").entered();
    let mut r = PktReader::new(input);
    let mut w = PktWriter::new(std::io::BufWriter::new(output));
    let refs = workspace_refs(ws)?;
    let caps = server_capabilities(ws, UPLOAD_CAPABILITIES);
    write_advertisement(&mut w, &refs, &caps)?;
    w.flush_io()?;
    let mut allowed: HashSet<ObjectId> = HashSet::new();
    for a in &refs {
        allowed.extend(a.id);
        allowed.extend(a.peeled);
    }
    match negotiate_and_send(ws, &allowed, &mut r, &mut w) {
        Ok(s) => Ok(s),
        Err((e, sent_err)) => Err(if sent_err { e } else { refuse(&mut w, e) }),
    }
}

/// The conversation after the advertisement. The error's flag says whether
/// the client was already told (on side-band channel 3).
fn negotiate_and_send<R: Read, W: Write>(
    ws: &Workspace,
    allowed: &HashSet<ObjectId>,
    r: &mut PktReader<R>,
    w: &mut PktWriter<W>,
) -> std::result::Result<Served, (Error, bool)> {
    let early = |e: Error| (e, false);
    let req = read_wants(allowed, r).map_err(early)?;
    if req.wants.is_empty() {
        return Ok(Served::default());
    }
    let common = read_haves(ws, r, w).map_err(early)?;
    let picks = select(ws, &req, &common, w).map_err(early)?;
    w.line("packfile").map_err(|e| early(e.into()))?;
    send_picks(ws, &req, &picks, w)
}

/// What a client asks for: the wants, the capabilities on the first, and
/// with `shallow` its shallow commits and depth.
struct Request {
    wants: Vec<ObjectId>,
    caps: Vec<String>,
    shallow: Option<ShallowRequest>,
}

impl Request {
    fn has(&self, c: &str) -> bool {
        self.caps.iter().any(|x| x == c)
    }
}

/// The want section, up to its flush; each want one of the `allowed` ids.
fn read_wants<R: Read>(allowed: &HashSet<ObjectId>, r: &mut PktReader<R>) -> Result<Request> {
    let mut req = Request {
        wants: Vec::new(),
        caps: Vec::new(),
        shallow: None,
    };
    let mut limit = SectionLimit::new("wants");
    while let Some(line) = next_line(r)? {
        limit.take(line.len())?;
        if line.starts_with("shallow ") || line.starts_with("deepen ") {
            let Some(shallow) = req.shallow.as_mut() else {
                return Err(TransportError::ShallowNotRequested.into());
            };
            shallow_line(shallow, &line)?;
            continue;
        }
        if req_started(&req.shallow) {
            return Err(
                TransportError::unexpected("'shallow ID', 'deepen N' or flush", &line).into(),
            );
        }
        let (body, c) = match line.split_once(' ') {
            Some(("want", rest)) => match rest.split_once(' ') {
                Some((id, c)) => (id.to_string(), Some(c.to_string())),
                None => (rest.to_string(), None),
            },
            _ => return Err(TransportError::unexpected("'want ID'", &line).into()),
        };
        if let Some(c) = c {
            if req.wants.is_empty() {
                req.caps = c.split(' ').map(String::from).collect();
                if req.has("shallow") {
                    req.shallow = Some(ShallowRequest::default());
                }
            }
        }
        let id = parse_id(&body, &line)?;
        if !allowed.contains(&id) {
            return Err(TransportError::NotOurRef(id).into());
        }
        req.wants.push(id);
    }
    Ok(req)
}

/// The haves, in rounds ended by a flush (each ACKed) up to `done`: the
/// commits both sides have.
fn read_haves<R: Read, W: Write>(
    ws: &Workspace,
    r: &mut PktReader<R>,
    w: &mut PktWriter<W>,
) -> Result<Vec<ObjectId>> {
    let mut common: Vec<ObjectId> = Vec::new();
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut round: Vec<ObjectId> = Vec::new();
    let (mut rounds, mut lines) = (0, 0);
    loop {
        let line = next_line(r)?;
        lines += 1;
        if lines > MAX_HAVE_LINES + 1 {
            return Err(TransportError::LimitExceeded {
                what: "have round",
                max: MAX_HAVE_LINES,
                unit: "lines",
            }
            .into());
        }
        match line.as_deref() {
            None => {
                rounds += 1;
                lines = 0;
                if rounds > MAX_HAVE_ROUNDS {
                    return Err(TransportError::LimitExceeded {
                        what: "haves",
                        max: MAX_HAVE_ROUNDS,
                        unit: "rounds before 'done'",
                    }
                    .into());
                }
                for id in round.drain(..) {
                    w.line(&format!("ACK {id}"))?;
                }
                w.flush_pkt()?;
                w.flush_io()?;
            }
            Some("done") => return Ok(common),
            Some(l) => {
                let Some(id) = l.strip_prefix("have ") else {
                    return Err(TransportError::unexpected("'have ID' or 'done'", l).into());
                };
                let id = parse_id(id, l)?;
                if seen.insert(id) && is_commit(&ws.odb, &id)? {
                    common.push(id);
                    round.push(id);
                }
            }
        }
    }
}

/// The objects to send; for a shallow request, the shallow-update section
/// (protocol.md section 6a) is sent first.
fn select<W: Write>(
    ws: &Workspace,
    req: &Request,
    common: &[ObjectId],
    w: &mut PktWriter<W>,
) -> Result<Vec<Pick>> {
    let bases: Vec<ObjectId> = common.iter().take(16).copied().collect();
    let Some(shallow) = &req.shallow else {
        return select_revs(&ws.odb, &req.wants, common, &bases);
    };
    let (picks, update) = select_revs_shallow(&ws.odb, &req.wants, common, &bases, shallow)?;
    let mut lines = Vec::new();
    lines.extend(update.shallow.iter().map(|id| format!("shallow {id}")));
    lines.extend(update.unshallow.iter().map(|id| format!("unshallow {id}")));
    for l in lines {
        w.line(&l)?;
    }
    w.flush_pkt()?;
    Ok(picks)
}

/// The pack of `picks`, on side-band channel 1 with progress on 2 when the
/// client asked for side-band; an error while writing it goes on 3.
fn send_picks<W: Write>(
    ws: &Workspace,
    req: &Request,
    picks: &[Pick],
    w: &mut PktWriter<W>,
) -> std::result::Result<Served, (Error, bool)> {
    let early = |e: crate::transport::pkt::PktError| (Error::from(e), false);
    let (thin, quiet) = (req.has("thin-pack"), req.has("quiet"));
    let compact = req.has(crate::transport::COMPACT_PACK);
    let mut served = Served {
        wants: req.wants.len(),
        objects: picks.len(),
        bytes: 0,
    };
    if req.has("side-band") {
        if !quiet {
            let msg = format!("Enumerating objects: {}, done.\n", picks.len());
            w.sideband(2, msg.as_bytes()).map_err(early)?;
        }
        let mut band = BandWriter::new(w, 1);
        let res = write_wire(compact, &ws.odb, Some(&ws.odb), picks, thin, &mut band);
        match res {
            Ok((written, _)) => {
                band.finish().map_err(early)?;
                served.bytes = written.bytes;
                if !quiet {
                    let msg = format!(
                        "Total {} (delta {}), {} bytes\n",
                        written.objects, written.deltas, written.bytes
                    );
                    w.sideband(2, msg.as_bytes()).map_err(early)?;
                }
            }
            Err(e) => {
                drop(band);
                let _ = w.sideband(3, format!("{e}\n").as_bytes());
                let _ = w.flush_io();
                return Err((e, true));
            }
        }
        w.flush_pkt().map_err(early)?;
    } else {
        w.flush_io().map_err(early)?;
        let (written, _) = write_wire(compact, &ws.odb, Some(&ws.odb), picks, thin, w.get_mut())
            .map_err(|e| (e, true))?;
        served.bytes = written.bytes;
    }
    w.flush_io().map_err(early)?;
    Ok(served)
}

/// Whether the request's shallow part has begun (a want after it is out of order).
fn req_started(req: &Option<ShallowRequest>) -> bool {
    req.as_ref()
        .is_some_and(|r| r.deepen.is_some() || !r.client_shallow.is_empty())
}

/// Parse a `shallow ID` or `deepen N` line into `req`.
fn shallow_line(req: &mut ShallowRequest, line: &str) -> Result<()> {
    if let Some(id) = line.strip_prefix("shallow ") {
        req.client_shallow.insert(parse_id(id, line)?);
        return Ok(());
    }
    let text = line.strip_prefix("deepen ").unwrap_or(line);
    let n = text.parse::<u32>().ok().filter(|n| {
        (1..=MAX_DEPTH).contains(n) && !text.starts_with('+') && !text.starts_with('0')
    });
    match (n, req.deepen) {
        (Some(n), None) => {
            req.deepen = Some(n);
            Ok(())
        }
        _ => Err(TransportError::BadLine {
            what: "deepen: bad depth",
            line: text.to_string(),
        }
        .into()),
    }
}

/// The largest depth, and what `--unshallow` sends (git's `INFINITE_DEPTH`).
pub const MAX_DEPTH: u32 = 2_147_483_647;

/// Whether `id` is a commit stored in `store` (absent: no).
pub(crate) fn is_commit(store: &dyn ObjectStore, id: &ObjectId) -> Result<bool> {
    match store.read_header(id) {
        Ok((k, _)) => Ok(k == ObjectType::Commit),
        Err(Error::NotFound(_)) => Ok(false),
        Err(e) => Err(e),
    }
}
