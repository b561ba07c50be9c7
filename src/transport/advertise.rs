//! The ref advertisement (format-spec/protocol.md, sections 3 to 5): the
//! version line, one line per ref of every container (HEAD first, then
//! branches, then tags), capabilities on the first line, and a flush; and
//! its parser, for the client side.
#![warn(missing_docs)]

use std::io::{Read, Write};

use crate::error::{Error, Result};
use crate::oid::ObjectId;
use crate::refs::{RefStore, RefValue};
use crate::store::ObjectStore;
use crate::transport::pkt::{Packet, PktReader, PktWriter};
use crate::transport::TransportError;
use crate::workspace::Workspace;

/// The protocol version this implementation speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// Capabilities of upload-pack's advertisement.
pub const UPLOAD_CAPABILITIES: &[&str] = &["thin-pack", "shallow", "side-band", "quiet"];
/// Capabilities of receive-pack's advertisement.
pub const RECEIVE_CAPABILITIES: &[&str] = &[
    "report-status",
    "delete-refs",
    "atomic",
    "side-band",
    "quiet",
];

/// A server's capabilities: `base` and, unless the workspace turned it
/// off, `compact-pack`.
pub fn server_capabilities(ws: &Workspace, base: &[&'static str]) -> Vec<&'static str> {
    let mut caps = base.to_vec();
    if crate::transport::compact_pack_enabled(&ws.config) {
        caps.push(crate::transport::COMPACT_PACK);
    }
    caps
}

/// One advertised ref.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdvertisedRef {
    /// The wire name (`containers/<name>/refs/heads/main`).
    pub name: String,
    /// `None`: an unborn HEAD.
    pub id: Option<ObjectId>,
    /// For HEAD: the wire name of the branch it names.
    pub symref_target: Option<String>,
    /// For an annotated tag: what it peels to.
    pub peeled: Option<ObjectId>,
    /// For HEAD: its container is the workspace's active one (`active`).
    pub active: bool,
}

/// The wire name of a container's ref.
pub fn wire_name(container: &str, name: &str) -> String {
    format!("containers/{container}/{name}")
}

/// Split a wire name into container and ref name (both checked).
pub fn split_wire_name(wire: &str) -> Result<(&str, &str)> {
    let bad = || Error::BadRefName(wire.to_string());
    let rest = wire.strip_prefix("containers/").ok_or_else(bad)?;
    let (container, name) = rest.split_once('/').ok_or_else(bad)?;
    crate::workspace::check_container_name(container).map_err(|_| bad())?;
    if !(name == "HEAD" || name.starts_with("refs/heads/") || name.starts_with("refs/tags/")) {
        return Err(bad());
    }
    crate::refs::check_ref_name(name).map_err(|_| bad())?;
    Ok((container, name))
}

/// Every ref of every container of the workspace, in advertisement order.
pub fn workspace_refs(ws: &Workspace) -> Result<Vec<AdvertisedRef>> {
    let mut out = Vec::new();
    let active = Workspace::active_container(&ws.dir).ok();
    for c in ws.containers()? {
        let refs = RefStore::new(&ws.container_dir(&c));
        let (id, symref_target) = match refs.read("HEAD")? {
            Some(RefValue::Symbolic(t)) => (refs.resolve(&t)?, Some(wire_name(&c, &t))),
            Some(RefValue::Direct(id)) => (Some(id), None),
            None => (None, None),
        };
        if id.is_some() || symref_target.is_some() {
            out.push(AdvertisedRef {
                name: wire_name(&c, "HEAD"),
                id,
                symref_target,
                peeled: None,
                active: active.as_deref() == Some(c.as_str()),
            });
        }
        for prefix in ["refs/heads/", "refs/tags/"] {
            for (name, id) in refs.list(prefix)? {
                let peeled = if prefix == "refs/tags/" {
                    Some(crate::revparse::peel(&ws.odb as &dyn ObjectStore, id)?)
                        .filter(|p| *p != id)
                } else {
                    None
                };
                out.push(AdvertisedRef {
                    name: wire_name(&c, &name),
                    id: Some(id),
                    symref_target: None,
                    peeled,
                    active: false,
                });
            }
        }
    }
    Ok(out)
}

/// The text of one ref line (without capabilities and LF).
pub fn ref_line(r: &AdvertisedRef) -> String {
    let mut s = match r.id {
        Some(id) => format!("{id} {}", r.name),
        None => format!("unborn {}", r.name),
    };
    if let Some(t) = &r.symref_target {
        s.push_str(" symref-target:");
        s.push_str(t);
    }
    if let Some(p) = &r.peeled {
        s.push_str(&format!(" peeled:{p}"));
    }
    if r.active {
        s.push_str(" active");
    }
    s
}

/// Write the version line, the ref lines (capabilities on the first) and a
/// flush.
pub fn write_advertisement<W: Write>(
    w: &mut PktWriter<W>,
    refs: &[AdvertisedRef],
    capabilities: &[&str],
) -> Result<()> {
    w.line(&format!("version {PROTOCOL_VERSION}"))?;
    let mut caps: Vec<String> = capabilities.iter().map(|c| c.to_string()).collect();
    caps.push(format!("agent=hako/{}", env!("CARGO_PKG_VERSION")));
    caps.push("object-format=blake3".into());
    let caps = caps.join(" ");
    if refs.is_empty() {
        w.line(&format!("{} capabilities^{{}}\0{caps}", ObjectId::ZERO))?;
    }
    for (i, r) in refs.iter().enumerate() {
        if i == 0 {
            w.line(&format!("{}\0{caps}", ref_line(r)))?;
        } else {
            w.line(&ref_line(r))?;
        }
    }
    w.flush_pkt()?;
    Ok(())
}

fn text(p: &Packet) -> Result<String, TransportError> {
    let line = p.as_line().ok_or_else(|| TransportError::Unexpected {
        expected: "a text line".into(),
        got: format!("{p:?}"),
    })?;
    String::from_utf8(line.to_vec()).map_err(|_| TransportError::NotUtf8("ref line".into()))
}

/// Why a ref line (`ID NAME [ATTRIBUTE…]`) was refused.
#[derive(Debug)]
pub enum RefLineError {
    /// The line lacks an id or a name.
    Malformed,
    /// The name is not a valid wire ref name.
    BadName(String),
    /// The id is neither a valid object id nor `unborn`.
    BadId,
    /// A `symref-target:` is not a valid wire ref name.
    BadTarget(String),
    /// A `peeled:` value is not a valid object id.
    BadPeeled,
    /// An attribute unknown here, refused in strict mode.
    UnknownAttribute(String),
}

/// Parse one ref line (section 5): an id or `unborn`, a wire name, then
/// `symref-target:` and `peeled:` attributes; other attributes are ignored,
/// or refused when `strict` (a mirror's info/refs, dumb-http.md).
pub fn parse_ref_line(
    line: &str,
    strict: bool,
) -> std::result::Result<AdvertisedRef, RefLineError> {
    let mut words = line.split(' ');
    let (Some(id), Some(name)) = (words.next(), words.next()) else {
        return Err(RefLineError::Malformed);
    };
    split_wire_name(name).map_err(|_| RefLineError::BadName(name.to_string()))?;
    let id = if id == "unborn" {
        None
    } else {
        Some(ObjectId::from_hex(id).map_err(|_| RefLineError::BadId)?)
    };
    let mut ad = AdvertisedRef {
        name: name.to_string(),
        id,
        symref_target: None,
        peeled: None,
        active: false,
    };
    for attr in words {
        if let Some(t) = attr.strip_prefix("symref-target:") {
            split_wire_name(t).map_err(|_| RefLineError::BadTarget(t.to_string()))?;
            ad.symref_target = Some(t.to_string());
        } else if let Some(p) = attr.strip_prefix("peeled:") {
            ad.peeled = Some(ObjectId::from_hex(p).map_err(|_| RefLineError::BadPeeled)?);
        } else if attr == "active" && name.ends_with("/HEAD") {
            ad.active = true;
        } else if strict {
            return Err(RefLineError::UnknownAttribute(attr.to_string()));
        }
    }
    Ok(ad)
}

/// Read an advertisement: the refs and the capabilities. An `ERR` line
/// becomes an error carrying the remote's message.
pub fn read_advertisement<R: Read>(
    r: &mut PktReader<R>,
) -> Result<(Vec<AdvertisedRef>, Vec<String>)> {
    let next = |r: &mut PktReader<R>| -> Result<Packet> {
        let at = r.offset();
        r.read()?
            .ok_or_else(|| TransportError::HungUp { peer: "remote", at }.into())
    };
    let first = text(&next(r)?)?;
    if let Some(m) = first.strip_prefix("ERR ") {
        return Err(TransportError::Remote(m.to_string()).into());
    }
    match first.strip_prefix("version ") {
        Some(v) if v == PROTOCOL_VERSION.to_string() => {}
        Some(v) => return Err(TransportError::ProtocolVersion(v.to_string()).into()),
        None => return Err(TransportError::unexpected("a version line", &first).into()),
    }
    let mut refs = Vec::new();
    let mut caps = Vec::new();
    let mut first_ref = true;
    let mut limit = crate::transport::limits::SectionLimit::new("ref advertisement");
    loop {
        let p = next(r)?;
        if p == Packet::Flush {
            break;
        }
        let mut line = text(&p)?;
        limit.take(line.len())?;
        if let Some(m) = line.strip_prefix("ERR ") {
            return Err(TransportError::Remote(m.to_string()).into());
        }
        if let Some(nul) = line.find('\0') {
            if !first_ref {
                return Err(TransportError::LateCapabilities.into());
            }
            caps = line[nul + 1..]
                .split(' ')
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect();
            line.truncate(nul);
        }
        first_ref = false;
        if line.split(' ').nth(1) == Some("capabilities^{}") {
            continue;
        }
        let bad = |what| TransportError::BadLine {
            what,
            line: line.clone(),
        };
        let ad = parse_ref_line(&line, false).map_err(|e| match e {
            RefLineError::Malformed => bad("malformed ref line").into(),
            RefLineError::BadName(n) | RefLineError::BadTarget(n) => Error::BadRefName(n),
            RefLineError::BadId | RefLineError::BadPeeled => {
                bad("bad object id in ref line").into()
            }
            RefLineError::UnknownAttribute(_) => unreachable!("not strict"),
        })?;
        if let Some(t) = &ad.symref_target {
            // A container's HEAD names one of its own branches (section 5).
            let (c, _) = split_wire_name(&ad.name)?;
            let own =
                split_wire_name(t).is_ok_and(|(tc, n)| tc == c && n.starts_with("refs/heads/"));
            if !own {
                return Err(TransportError::ForeignSymref {
                    name: ad.name,
                    target: t.clone(),
                }
                .into());
            }
        }
        refs.push(ad);
    }
    Ok((refs, caps))
}

/// Refs that use every field of the advertisement: a HEAD naming its
/// branch, a tag with its peeled value, an unborn HEAD. For tests.
#[cfg(test)]
pub(crate) fn sample_refs() -> Vec<AdvertisedRef> {
    let h = ObjectId::from_hex(&"c9".repeat(32)).unwrap();
    vec![
        AdvertisedRef {
            name: "containers/a/HEAD".into(),
            id: Some(h),
            symref_target: Some("containers/a/refs/heads/main".into()),
            peeled: None,
            active: true,
        },
        AdvertisedRef {
            name: "containers/a/refs/tags/v1".into(),
            id: Some(h),
            symref_target: None,
            peeled: Some(h),
            active: false,
        },
        AdvertisedRef {
            name: "containers/b/HEAD".into(),
            id: None,
            symref_target: Some("containers/b/refs/heads/main".into()),
            peeled: None,
            active: false,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advertisement_round_trips() {
        let refs = sample_refs();
        let mut w = PktWriter::new(Vec::new());
        write_advertisement(&mut w, &refs, UPLOAD_CAPABILITIES).unwrap();
        let bytes = w.into_inner();
        let (got, caps) = read_advertisement(&mut PktReader::new(&bytes[..])).unwrap();
        assert_eq!(got, refs);
        assert!(caps.iter().any(|c| c == "thin-pack"));
        assert!(caps.iter().any(|c| c == "object-format=blake3"));

        let mut w = PktWriter::new(Vec::new());
        write_advertisement(&mut w, &[], RECEIVE_CAPABILITIES).unwrap();
        let bytes = w.into_inner();
        let (got, caps) = read_advertisement(&mut PktReader::new(&bytes[..])).unwrap();
        assert!(got.is_empty());
        assert!(caps.iter().any(|c| c == "atomic"));
    }

    #[test]
    fn refuses_versions_errors_and_bad_names() {
        let read = |lines: &[&str]| {
            let mut w = PktWriter::new(Vec::new());
            for l in lines {
                w.line(l).unwrap();
            }
            w.flush_pkt().unwrap();
            let bytes = w.into_inner();
            read_advertisement(&mut PktReader::new(&bytes[..])).map(|_| ())
        };
        let e = read(&["version 2"]).unwrap_err().to_string();
        assert!(e.contains("protocol version 2 is not supported"), "{e}");
        let e = read(&["ERR not a hako workspace: /x"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("remote error: not a hako workspace: /x"), "{e}");
        let z = ObjectId::ZERO;
        let e = read(&["version 1", &format!("{z} refs/heads/main")]).unwrap_err();
        assert!(matches!(e, Error::BadRefName(_)), "{e}");
        let e = read(&["version 1", &format!("{z} containers/a/refs/remotes/x")]).unwrap_err();
        assert!(matches!(e, Error::BadRefName(_)), "{e}");
        assert!(read(&["version 1", &format!("{z} containers/a/refs/heads/m")]).is_ok());
        // Truncated: no flush.
        let e = read_advertisement(&mut PktReader::new(&b"000eversion 1\n"[..])).unwrap_err();
        assert!(e.to_string().contains("hung up at byte 14"), "{e}");
    }
}
