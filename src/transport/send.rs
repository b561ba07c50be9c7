//! The pushing end (`send-pack`, protocol.md sections 7 and 8): send the
//! ref commands and a thin pack of what the remote lacks, read the per-ref
//! report.
#![warn(missing_docs)]

use std::collections::HashSet;

use crate::error::Result;
use crate::oid::ObjectId;
use crate::pack::compact::write_wire;
use crate::pack::select::{select_revs, Pick};
use crate::progress::Progress;
use crate::store::Odb;
use crate::transport::connect::Connection;
use crate::transport::limits::SectionLimit;
use crate::transport::pkt::{DataWriter, Packet, PktError, PktReader, PktWriter, SidebandEnd};
use crate::transport::upload::is_commit;
use crate::transport::{PackBytes, TransportError};

/// One ref to change on the remote.
#[derive(Clone, Debug)]
pub struct Update {
    /// The wire name (`containers/C/refs/heads/B`).
    pub name: String,
    /// What the remote's ref is believed to hold (zero: absent).
    pub old: ObjectId,
    /// The value to set (zero: delete).
    pub new: ObjectId,
}

/// The remote's answer for one ref.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefStatus {
    /// The ref's wire name.
    pub name: String,
    /// `None`: updated; else the reason it was not.
    pub error: Option<String>,
}

/// What a push did.
#[derive(Debug, Default)]
pub struct Pushed {
    /// The remote's answer for each ref.
    pub statuses: Vec<RefStatus>,
    /// `None`: the remote stored the pack; else why not.
    pub unpack_error: Option<String>,
    /// Objects sent.
    pub objects: usize,
    /// Pack bytes sent.
    pub pack_bytes: u64,
}

/// Options of a push.
#[derive(Default, Clone)]
pub struct PushOptions {
    /// Update all refs or none.
    pub atomic: bool,
    /// Ask the remote for less output (`quiet`, if it offers it).
    pub quiet: bool,
    /// Send the compact stream when the remote offers it.
    pub compact: bool,
}

/// Send `updates` through `conn` (consumed). The pack holds everything the
/// new values need that is not reachable from a value the remote advertised
/// (and this side has), with deltas against those.
pub fn send_pack(
    odb: &Odb,
    mut conn: Connection,
    updates: &[Update],
    opts: &PushOptions,
    progress: &dyn Progress,
) -> Result<Pushed> {
    match push_through(odb, &mut conn, updates, opts, progress) {
        Ok(out) => {
            conn.finish()?;
            Ok(out)
        }
        Err(e) => Err(conn.fail(e)),
    }
}

/// The conversation after the advertisement: commands, pack, report.
fn push_through(
    odb: &Odb,
    conn: &mut Connection,
    updates: &[Update],
    opts: &PushOptions,
    progress: &dyn Progress,
) -> Result<Pushed> {
    let mut out = Pushed::default();
    if updates.is_empty() {
        let mut w = PktWriter::new(&mut conn.writer);
        w.flush_pkt()?;
        w.flush_io()?;
        return Ok(out);
    }
    if opts.atomic && !conn.has("atomic") {
        return Err(TransportError::NoAtomicCapability.into());
    }
    if updates.iter().any(|u| u.new.is_zero()) && !conn.has("delete-refs") {
        return Err(TransportError::NoDeleteCapability.into());
    }
    // What to send.
    let include: Vec<ObjectId> = updates
        .iter()
        .filter(|u| !u.new.is_zero())
        .map(|u| u.new)
        .collect();
    let mut exclude: Vec<ObjectId> = Vec::new();
    let mut seen = HashSet::new();
    for r in &conn.refs {
        for id in [r.id, r.peeled].into_iter().flatten() {
            if seen.insert(id) && is_commit(odb, &id)? {
                exclude.push(id);
            }
        }
    }
    let bases: Vec<ObjectId> = exclude.iter().take(16).copied().collect();
    let picks = if include.is_empty() {
        None
    } else {
        Some(select_revs(odb, &include, &exclude, &bases)?)
    };
    out.objects = picks.as_ref().map_or(0, Vec::len);
    out.pack_bytes = send_commands(odb, conn, updates, picks.as_deref(), opts, progress)?;
    read_report(conn, &mut out, progress)?;
    Ok(out)
}

/// The commands, the first with the capabilities asked for, then the pack
/// of `picks` (when a new value is sent): the pack's size.
fn send_commands(
    odb: &Odb,
    conn: &mut Connection,
    updates: &[Update],
    picks: Option<&[Pick]>,
    opts: &PushOptions,
    progress: &dyn Progress,
) -> Result<u64> {
    let mut caps = vec!["report-status".to_string()];
    for c in ["side-band", "delete-refs"] {
        if conn.has(c) {
            caps.push(c.into());
        }
    }
    if opts.atomic {
        caps.push("atomic".into());
    }
    if opts.quiet && conn.has("quiet") {
        caps.push("quiet".into());
    }
    let compact = opts.compact && conn.has(crate::transport::COMPACT_PACK);
    if compact {
        caps.push(crate::transport::COMPACT_PACK.into());
    }
    caps.push(format!("agent=hako/{}", env!("CARGO_PKG_VERSION")));
    let mut w = PktWriter::new(&mut conn.writer);
    for (i, u) in updates.iter().enumerate() {
        let line = format!("{} {} {}", u.old, u.new, u.name);
        if i == 0 {
            w.line(&format!("{line}\0{}", caps.join(" ")))?;
        } else {
            w.line(&line)?;
        }
    }
    w.flush_pkt()?;
    let mut pack_bytes = 0;
    if let Some(picks) = picks {
        let mut data = DataWriter::new(&mut w);
        let mut bytes = PackBytes::new(progress, "Sending pack");
        let mut counted = crate::transport::Counting {
            inner: &mut data,
            total: 0,
            each: &mut |n| bytes.at(n),
        };
        let (written, _) = write_wire(compact, odb, Some(odb), picks, true, &mut counted)?;
        data.finish()?;
        w.flush_pkt()?;
        pack_bytes = written.bytes;
    }
    w.flush_io()?;
    Ok(pack_bytes)
}

/// The remote's report: whether it stored the pack, then each ref's status.
fn read_report(conn: &mut Connection, out: &mut Pushed, progress: &dyn Progress) -> Result<()> {
    let lines = if conn.has("side-band") {
        let mut buf = Vec::new();
        conn.reader
            .read_sideband(&mut buf, &mut |b| progress.remote(b))
            .map_err(|e| match e {
                SidebandEnd::Pkt(PktError::TruncatedHeader { offset, got: 0 }) => {
                    TransportError::HungUp {
                        peer: "remote",
                        at: offset,
                    }
                }
                SidebandEnd::Pkt(e) => TransportError::SideBand(e),
                SidebandEnd::Remote(m) => TransportError::Remote(m),
            })?;
        report_lines(&mut PktReader::new(&buf[..]))?
    } else {
        report_lines(&mut conn.reader)?
    };
    let mut it = lines.into_iter();
    match it.next().as_deref() {
        Some("unpack ok") => {}
        Some(l) if l.starts_with("unpack ") => out.unpack_error = Some(l[7..].to_string()),
        Some(l) if l.starts_with("ERR ") => {
            return Err(TransportError::Remote(l[4..].to_string()).into())
        }
        other => {
            return Err(TransportError::Unexpected {
                expected: "'unpack'".into(),
                got: format!("{other:?}"),
            }
            .into())
        }
    }
    for l in it {
        if let Some(name) = l.strip_prefix("ok ") {
            out.statuses.push(RefStatus {
                name: name.to_string(),
                error: None,
            });
        } else if let Some(rest) = l.strip_prefix("ng ") {
            let (name, why) = rest.split_once(' ').unwrap_or((rest, "rejected"));
            out.statuses.push(RefStatus {
                name: name.to_string(),
                error: Some(why.to_string()),
            });
        } else {
            return Err(TransportError::BadLine {
                what: "bad report line",
                line: l,
            }
            .into());
        }
    }
    Ok(())
}

/// The text lines of a report, up to its flush.
fn report_lines<R: std::io::Read>(r: &mut PktReader<R>) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    let mut limit = SectionLimit::new("report");
    loop {
        match r.read()? {
            None => return Err(TransportError::HungUpBeforeReport.into()),
            Some(Packet::Flush) => return Ok(lines),
            Some(p) => {
                let line = String::from_utf8_lossy(p.as_line().unwrap_or(b"")).to_string();
                limit.take(line.len())?;
                lines.push(line)
            }
        }
    }
}
