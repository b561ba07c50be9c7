//! The byte codec shared by packs and prolly nodes: unsigned LEB128 varints
//! (shortest form only) and bounds-checked slice readers; and the reader of
//! the runtime's small text records (`KEY VALUE` lines).
#![warn(missing_docs)]

use crate::oid::ObjectId;

/// Why a buffer could not be decoded. Each format maps it to its own error
/// (a malformed prolly node, a corrupt pack record).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError(pub &'static str);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for DecodeError {}

/// The result of a decoding step.
pub type DecodeResult<T> = std::result::Result<T, DecodeError>;

/// Append `v` as a LEB128 varint (7 bits a byte, low first).
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(crate) fn varint_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Read a varint at `*pos`, advancing it.
pub fn get_varint(buf: &[u8], pos: &mut usize) -> DecodeResult<u64> {
    let mut v: u64 = 0;
    let mut shift = 0;
    loop {
        let b = *buf.get(*pos).ok_or(DecodeError("truncated varint"))?;
        *pos += 1;
        if shift == 63 && b > 1 {
            return Err(DecodeError("varint overflow"));
        }
        v |= ((b & 0x7f) as u64) << shift;
        if b & 0x80 == 0 {
            if b == 0 && shift > 0 {
                return Err(DecodeError("non-canonical varint"));
            }
            return Ok(v);
        }
        shift += 7;
        if shift > 63 {
            return Err(DecodeError("varint overflow"));
        }
    }
}

/// The `n` bytes at `*pos`, advancing it.
pub fn take<'a>(buf: &'a [u8], pos: &mut usize, n: usize) -> DecodeResult<&'a [u8]> {
    let end = pos.checked_add(n).ok_or(DecodeError("length overflow"))?;
    let s = buf.get(*pos..end).ok_or(DecodeError("truncated entry"))?;
    *pos = end;
    Ok(s)
}

/// The 32-byte object id at `*pos`, advancing it.
pub(crate) fn take_id(buf: &[u8], pos: &mut usize) -> DecodeResult<ObjectId> {
    Ok(ObjectId::from_bytes(take(buf, pos, 32)?).expect("32 bytes"))
}

/// A text record of `KEY VALUE` lines in a fixed order (a checkout cache
/// entry's, a materialized instance's), read a field at a time.
pub(crate) struct Fields<'a>(std::str::Lines<'a>);

impl<'a> Fields<'a> {
    /// The fields of `text`.
    pub(crate) fn new(text: &'a str) -> Fields<'a> {
        Fields(text.lines())
    }

    /// The value of the next line when it is `KEY VALUE`; None otherwise.
    pub(crate) fn next(&mut self, key: &str) -> Option<String> {
        let value = self.0.next()?.strip_prefix(key)?.strip_prefix(' ')?;
        Some(value.to_string())
    }

    /// The lines after the fields read.
    pub(crate) fn rest(self) -> std::str::Lines<'a> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        for v in [0u64, 1, 127, 128, 300, 16384, u32::MAX as u64, u64::MAX] {
            let mut b = Vec::new();
            put_varint(&mut b, v);
            assert_eq!(b.len(), varint_len(v));
            let mut p = 0;
            assert_eq!(get_varint(&b, &mut p).unwrap(), v);
            assert_eq!(p, b.len());
        }
        let mut p = 0;
        assert!(get_varint(&[0x80, 0x00], &mut p).is_err());
    }

    #[test]
    fn take_is_bounded() {
        let buf = [1u8, 2, 3];
        let mut p = 1;
        assert_eq!(take(&buf, &mut p, 2).unwrap(), [2, 3]);
        assert_eq!(p, 3);
        assert_eq!(take(&buf, &mut p, 1), Err(DecodeError("truncated entry")));
        assert_eq!(
            take(&buf, &mut p, usize::MAX),
            Err(DecodeError("length overflow"))
        );
        assert!(take_id(&buf, &mut 0).is_err());
    }
}
