//! Object ids: BLAKE3-256 of an object's typed encoding.
#![warn(missing_docs)]

use std::fmt;
use std::str::FromStr;

/// A string that is not 64 hex digits, where an object id was expected
/// (`Error::BadObjectName` in the crate's error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid object name: {0}")]
pub struct BadObjectName(pub String);

/// The length of an object id in bytes.
pub const OID_LEN: usize = 32;
/// The length of an object id in hex digits.
pub(crate) const HEX_LEN: usize = 64;
/// The shortest prefix accepted as an abbreviated id.
pub const MIN_PREFIX: usize = 4;

/// An object's id: the BLAKE3-256 hash of its header and payload.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct ObjectId(pub [u8; OID_LEN]);

/// Ids are BLAKE3 outputs: eight of their bytes spread as well as all 32,
/// and hash tables of ids (a repack keeps several of every object) hash a
/// quarter of the bytes. The table's hasher stays keyed (no chosen collisions).
impl std::hash::Hash for ObjectId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let mut head = [0u8; 8];
        head.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_ne_bytes(head));
    }
}

impl ObjectId {
    /// The zero id: no object (an absent ref's old value, a device's entry).
    pub const ZERO: ObjectId = ObjectId([0; OID_LEN]);

    /// The id of 32 raw bytes, if there are exactly 32.
    pub fn from_bytes(b: &[u8]) -> Option<ObjectId> {
        let arr: [u8; OID_LEN] = b.try_into().ok()?;
        Some(ObjectId(arr))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; OID_LEN] {
        &self.0
    }

    /// Whether this is the zero id.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; OID_LEN]
    }

    /// 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(HEX_LEN);
        for b in self.0 {
            s.push(HEX[(b >> 4) as usize] as char);
            s.push(HEX[(b & 15) as usize] as char);
        }
        s
    }

    /// Parse exactly 64 hex digits.
    pub fn from_hex(s: &str) -> Result<ObjectId, BadObjectName> {
        let bad = || BadObjectName(s.to_string());
        let b = s.as_bytes();
        if b.len() != HEX_LEN {
            return Err(bad());
        }
        let mut out = [0u8; OID_LEN];
        for i in 0..OID_LEN {
            let hi = hexval(b[2 * i]).ok_or_else(bad)?;
            let lo = hexval(b[2 * i + 1]).ok_or_else(bad)?;
            out[i] = (hi << 4) | lo;
        }
        Ok(ObjectId(out))
    }

    /// The first 12 hex digits, as messages show an id.
    pub fn short(&self) -> String {
        self.to_hex()[..12].to_string()
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hexval(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// True if `s` looks like an (abbreviated) hex id: 4..=64 hex digits.
pub(crate) fn is_hex_prefix(s: &str) -> bool {
    (MIN_PREFIX..=HEX_LEN).contains(&s.len()) && s.bytes().all(|c| hexval(c).is_some())
}

/// Any bytes as lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// Bytes from hex digits (either case), if `s` is an even number of them.
pub fn from_hex_bytes(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks(2)
        .map(|p| Some((hexval(p[0])? << 4) | hexval(p[1])?))
        .collect()
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({})", self.to_hex())
    }
}

impl FromStr for ObjectId {
    type Err = BadObjectName;
    fn from_str(s: &str) -> Result<Self, BadObjectName> {
        ObjectId::from_hex(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_roundtrip() {
        let id = ObjectId([0xab; 32]);
        assert_eq!(ObjectId::from_hex(&id.to_hex()).unwrap(), id);
        assert!(ObjectId::from_hex("xyz").is_err());
        assert!(is_hex_prefix("abcd"));
        assert!(!is_hex_prefix("abc"));
        assert!(!is_hex_prefix("abcg"));
    }
}
