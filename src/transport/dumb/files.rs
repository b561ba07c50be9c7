//! The static files of a dumb-HTTP mirror (format-spec/dumb-http.md):
//! `info/refs` and `objects/info/packs`, written and parsed, and where the
//! client keeps what it fetched.
#![warn(missing_docs)]

use std::path::Path;

use super::DumbError;
use crate::error::{Error, Result};
use crate::oid::ObjectId;
use crate::store::Odb;
use crate::transport::advertise::{parse_ref_line, ref_line, AdvertisedRef, RefLineError};

/// The first line of `info/refs`.
pub const REFS_VERSION_LINE: &str = "hako-mirror 1";

/// One line of `objects/info/packs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackEntry {
    /// `pack-<hex>` (without extension).
    pub name: String,
    /// The pack's checksum (its name's hex).
    pub checksum: ObjectId,
    /// The size of the `.pack` file in bytes.
    pub pack_bytes: u64,
    /// The size of the `.idx` file in bytes.
    pub idx_bytes: u64,
}

/// The text of `info/refs` for `refs`.
pub fn refs_file(refs: &[AdvertisedRef]) -> String {
    let mut s = format!("{REFS_VERSION_LINE}\n");
    for r in refs {
        s.push_str(&ref_line(r));
        s.push('\n');
    }
    s
}

fn bad_line(url: &str, file: &'static str, line: usize, why: &str) -> Error {
    DumbError::BadLine {
        url: url.into(),
        file,
        line,
        why: why.into(),
    }
    .into()
}

fn not_utf8(url: &str, file: &'static str) -> Error {
    DumbError::NotUtf8 {
        url: url.into(),
        file,
    }
    .into()
}

/// Parse `info/refs` fetched from `url` (for messages).
pub fn parse_refs_file(text: &[u8], url: &str) -> Result<Vec<AdvertisedRef>> {
    let text = std::str::from_utf8(text).map_err(|_| not_utf8(url, "info/refs"))?;
    let mut lines = text.split_terminator('\n');
    if lines.next() != Some(REFS_VERSION_LINE) {
        return Err(DumbError::NotHakoMirror { url: url.into() }.into());
    }
    let mut out = Vec::new();
    for (i, line) in lines.enumerate() {
        let n = i + 2;
        let bad = |why: &str| bad_line(url, "info/refs", n, why);
        let r = parse_ref_line(line, true).map_err(|e| match e {
            RefLineError::Malformed => bad("expected '<id> <name>'"),
            RefLineError::BadName(n) => bad(&format!("bad ref name '{n}'")),
            RefLineError::BadId => bad("bad object id"),
            RefLineError::BadTarget(t) => bad(&format!("bad symref target '{t}'")),
            RefLineError::BadPeeled => bad("bad peeled id"),
            RefLineError::UnknownAttribute(a) => bad(&format!("unknown attribute '{a}'")),
        })?;
        out.push(r);
    }
    Ok(out)
}

/// The text of `objects/info/packs`.
pub fn packs_file(packs: &[PackEntry]) -> String {
    packs
        .iter()
        .map(|p| format!("P {}.pack {} {}\n", p.name, p.pack_bytes, p.idx_bytes))
        .collect()
}

/// Parse `objects/info/packs` fetched from `url`.
pub fn parse_packs_file(text: &[u8], url: &str) -> Result<Vec<PackEntry>> {
    let text = std::str::from_utf8(text).map_err(|_| not_utf8(url, "objects/info/packs"))?;
    let mut out = Vec::new();
    for (i, line) in text.split_terminator('\n').enumerate() {
        let bad = |why: &str| bad_line(url, "objects/info/packs", i + 1, why);
        let w: Vec<&str> = line.split(' ').collect();
        let [p, file, pb, ib] = w[..] else {
            return Err(bad("expected 'P pack-<hex>.pack <pack-bytes> <idx-bytes>'"));
        };
        let hex = file
            .strip_prefix("pack-")
            .and_then(|f| f.strip_suffix(".pack"))
            .filter(|_| p == "P")
            .ok_or_else(|| bad("expected 'P pack-<hex>.pack'"))?;
        let checksum = ObjectId::from_hex(hex).map_err(|_| bad("bad pack name"))?;
        let num = |s: &str| {
            s.parse::<u64>()
                .ok()
                .filter(|_| !s.starts_with('+'))
                .ok_or_else(|| bad("bad size"))
        };
        out.push(PackEntry {
            name: format!("pack-{hex}"),
            checksum,
            pack_bytes: num(pb)?,
            idx_bytes: num(ib)?,
        });
    }
    Ok(out)
}

/// `.hako/dumb-http/`: the client's cache of indexes and whole packs.
pub fn cache_dir(odb: &Odb) -> std::path::PathBuf {
    odb.loose
        .dir()
        .parent()
        .unwrap_or(Path::new("."))
        .join("dumb-http")
}

/// True for the URLs this module serves.
pub fn is_http_url(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_file_round_trips_and_refuses_junk() {
        let refs = crate::transport::advertise::sample_refs();
        let text = refs_file(&refs);
        assert_eq!(parse_refs_file(text.as_bytes(), "U").unwrap(), refs);
        let e = parse_refs_file(b"0123 refs/heads/main\n", "U").unwrap_err();
        assert!(e.to_string().contains("U: not a hako mirror"), "{e}");
        let e = parse_refs_file(b"hako-mirror 1\nxyz containers/a/HEAD\n", "U").unwrap_err();
        assert!(e.to_string().contains("line 2: bad object id"), "{e}");
    }

    #[test]
    fn packs_file_round_trips() {
        let p = PackEntry {
            name: format!("pack-{}", "ab".repeat(32)),
            checksum: ObjectId::from_hex(&"ab".repeat(32)).unwrap(),
            pack_bytes: 1234,
            idx_bytes: 1160,
        };
        let text = packs_file(std::slice::from_ref(&p));
        assert_eq!(text, format!("P pack-{}.pack 1234 1160\n", "ab".repeat(32)));
        assert_eq!(parse_packs_file(text.as_bytes(), "U").unwrap(), vec![p]);
        assert!(parse_packs_file(b"P pack-xx.pack 1 2\n", "U").is_err());
        assert!(parse_packs_file(b"P pack-00.pack 1\n", "U").is_err());
    }
}
