//! The typed object encoding (format-spec/objects.md): header, hashing, and
//! the commit and tag payloads, parsed zero-copy from a borrowed buffer.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::identity::Signature;
use crate::oid::ObjectId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectType {
    Blob,
    File,
    Tree,
    Commit,
    Tag,
}

impl ObjectType {
    pub const ALL: [ObjectType; 5] = [
        ObjectType::Blob,
        ObjectType::File,
        ObjectType::Tree,
        ObjectType::Commit,
        ObjectType::Tag,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ObjectType::Blob => "blob",
            ObjectType::File => "file",
            ObjectType::Tree => "tree",
            ObjectType::Commit => "commit",
            ObjectType::Tag => "tag",
        }
    }

    pub fn from_name(s: &[u8]) -> Option<ObjectType> {
        Some(match s {
            b"blob" => ObjectType::Blob,
            b"file" => ObjectType::File,
            b"tree" => ObjectType::Tree,
            b"commit" => ObjectType::Commit,
            b"tag" => ObjectType::Tag,
            _ => return None,
        })
    }
}

impl fmt::Display for ObjectType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ObjectType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        ObjectType::from_name(s.as_bytes())
            .ok_or_else(|| Error::Invalid(format!("unknown object type '{s}'")))
    }
}

/// The largest payload of one object (objects.md, "Size limit"): files over
/// 64 KiB are chunked, so only a hand-made blob or a hostile peer comes near it.
pub const MAX_OBJECT_SIZE: u64 = 64 << 20;

/// Refuse to store a payload over `MAX_OBJECT_SIZE`.
pub fn check_size(kind: ObjectType, len: u64) -> Result<()> {
    if len > MAX_OBJECT_SIZE {
        return Err(Error::Invalid(format!(
            "{kind} of {len} bytes is over the 64 MiB limit of one object (store a large file with -t file)"
        )));
    }
    Ok(())
}

/// `type SP len NUL`
pub fn header(kind: ObjectType, len: u64) -> Vec<u8> {
    let mut h = Vec::with_capacity(24);
    h.extend_from_slice(kind.name().as_bytes());
    h.push(b' ');
    h.extend_from_slice(len.to_string().as_bytes());
    h.push(0);
    h
}

/// Parse the header of a full encoding; returns (type, payload length, header length).
pub fn parse_header(buf: &[u8]) -> Result<(ObjectType, u64, usize)> {
    let bad = |why: &str| Error::Malformed {
        kind: "object",
        why: why.to_string(),
    };
    let sp = buf
        .iter()
        .take(16)
        .position(|&c| c == b' ')
        .ok_or_else(|| bad("no type in header"))?;
    let kind = ObjectType::from_name(&buf[..sp]).ok_or_else(|| bad("unknown type"))?;
    let rest = &buf[sp + 1..];
    let nul = rest
        .iter()
        .take(21)
        .position(|&c| c == 0)
        .ok_or_else(|| bad("no length in header"))?;
    let digits = &rest[..nul];
    if digits.is_empty()
        || !digits.iter().all(u8::is_ascii_digit)
        || (digits.len() > 1 && digits[0] == b'0')
    {
        return Err(bad("bad length in header"));
    }
    let len: u64 = std::str::from_utf8(digits)
        .unwrap()
        .parse()
        .map_err(|_| bad("length overflow"))?;
    if len > MAX_OBJECT_SIZE {
        return Err(bad("length over the 64 MiB limit of one object"));
    }
    Ok((kind, len, sp + 1 + nul + 1))
}

/// Hash an object given its payload.
pub fn hash_object(kind: ObjectType, payload: &[u8]) -> ObjectId {
    let mut h = blake3::Hasher::new();
    h.update(&header(kind, payload.len() as u64));
    if payload.len() >= 256 * 1024 {
        h.update_rayon(payload);
    } else {
        h.update(payload);
    }
    ObjectId(*h.finalize().as_bytes())
}

/// The id of a `len`-byte payload read from `r`, streaming (large payloads
/// are hashed in parallel a block at a time). Fails if `r` does not hold
/// exactly `len` bytes (a file that changed while it was read).
pub fn hash_reader(
    kind: ObjectType,
    len: u64,
    mut r: impl std::io::Read + Send,
) -> std::io::Result<ObjectId> {
    /// Fill `buf` as far as `r` goes; returns how much was read.
    fn fill(r: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut filled = 0;
        while filled < buf.len() {
            match r.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(filled)
    }
    let mut h = blake3::Hasher::new();
    h.update(&header(kind, len));
    let mut total = 0u64;
    if len < 4 << 20 {
        let mut buf = vec![0u8; 64 << 10];
        loop {
            let n = fill(&mut r, &mut buf)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > len {
                break;
            }
            h.update(&buf[..n]);
        }
    } else {
        // Large: one thread reads the next block while the others hash this
        // one (reading, not mapping: a file truncated meanwhile must give an
        // error, not SIGBUS).
        const BLOCK: usize = 16 << 20;
        let (full_tx, full_rx) =
            std::sync::mpsc::sync_channel::<std::io::Result<(Vec<u8>, usize)>>(1);
        let (free_tx, free_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
        for _ in 0..2 {
            free_tx
                .send(vec![0u8; BLOCK])
                .expect("room for two buffers");
        }
        std::thread::scope(|scope| -> std::io::Result<()> {
            // Owned here, so leaving early (an error, a file grown) drops it
            // and the reader's next send fails instead of blocking.
            let full_rx = full_rx;
            let free_tx = free_tx;
            scope.spawn(move || {
                while let Ok(mut buf) = free_rx.recv() {
                    let r = fill(&mut r, &mut buf).map(|n| (buf, n));
                    let done = !matches!(r, Ok((_, n)) if n > 0);
                    if full_tx.send(r).is_err() || done {
                        break;
                    }
                }
            });
            while let Ok(next) = full_rx.recv() {
                let (buf, n) = next?;
                if n == 0 {
                    break;
                }
                total += n as u64;
                if total > len {
                    break;
                }
                h.update_rayon(&buf[..n]);
                if free_tx.send(buf).is_err() {
                    break;
                }
            }
            drop(full_rx);
            drop(free_tx);
            Ok(())
        })?;
    }
    if total != len {
        return Err(std::io::Error::other(format!(
            "changed while being read (expected {len} bytes, read {total}{})",
            if total > len { "+" } else { "" }
        )));
    }
    Ok(ObjectId(*h.finalize().as_bytes()))
}

/// Hash a full encoding (header + payload).
pub fn hash_encoding(enc: &[u8]) -> ObjectId {
    ObjectId(*blake3::hash(enc).as_bytes())
}

/// An owned object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub kind: ObjectType,
    pub data: Vec<u8>,
}

impl Object {
    pub fn new(kind: ObjectType, data: Vec<u8>) -> Object {
        Object { kind, data }
    }
    pub fn id(&self) -> ObjectId {
        hash_object(self.kind, &self.data)
    }
}

/// A commit's fields: owned in a `Commit` to be written, borrowed from the
/// payload in a parsed `CommitRef`. One layout, so both encode alike.
#[derive(Clone, Debug)]
pub struct CommitFields<Sig, Msg> {
    pub tree: ObjectId,
    pub parents: Vec<ObjectId>,
    pub author: Sig,
    pub committer: Sig,
    pub message: Msg,
}

/// A commit parsed zero-copy from its payload.
pub type CommitRef<'a> = CommitFields<&'a str, &'a [u8]>;

/// A commit to be written.
pub type Commit = CommitFields<Signature, Vec<u8>>;

impl<Sig: std::fmt::Display, Msg: AsRef<[u8]>> CommitFields<Sig, Msg> {
    pub fn encode(&self) -> Vec<u8> {
        let message = self.message.as_ref();
        let mut out = Vec::with_capacity(256 + message.len());
        out.extend_from_slice(format!("tree {}\n", self.tree).as_bytes());
        for p in &self.parents {
            out.extend_from_slice(format!("parent {p}\n").as_bytes());
        }
        out.extend_from_slice(format!("author {}\n", self.author).as_bytes());
        out.extend_from_slice(format!("committer {}\n", self.committer).as_bytes());
        out.push(b'\n');
        out.extend_from_slice(message);
        out
    }
}

/// Split the header block of a commit/tag into lines; returns (lines, message).
type Headers<'a> = (Vec<(&'a str, &'a str)>, &'a [u8]);

fn split_headers<'a>(kind: &'static str, data: &'a [u8]) -> Result<Headers<'a>> {
    let bad = |why: String| Error::Malformed { kind, why };
    let mut lines = Vec::new();
    let mut pos = 0;
    loop {
        let nl = data[pos..]
            .iter()
            .position(|&c| c == b'\n')
            .ok_or_else(|| bad("unterminated header".into()))?;
        let line = &data[pos..pos + nl];
        pos += nl + 1;
        if line.is_empty() {
            break;
        }
        let line = std::str::from_utf8(line).map_err(|_| bad("header is not UTF-8".into()))?;
        let (k, v) = line
            .split_once(' ')
            .ok_or_else(|| bad(format!("bad header line '{line}'")))?;
        lines.push((k, v));
    }
    Ok((lines, &data[pos..]))
}

/// A full id in a commit or tag: lowercase only, so that one commit has one
/// encoding (and one id); `from_hex` also reads the uppercase a user types.
fn parse_id(kind: &'static str, s: &str) -> Result<ObjectId> {
    let bad = || Error::Malformed {
        kind,
        why: format!("bad id '{s}'"),
    };
    if s.bytes().any(|c| c.is_ascii_uppercase()) {
        return Err(bad());
    }
    ObjectId::from_hex(s).map_err(|_| bad())
}

impl<'a> CommitRef<'a> {
    pub fn parse(data: &'a [u8]) -> Result<CommitRef<'a>> {
        const K: &str = "commit";
        let bad = |why: String| Error::Malformed { kind: K, why };
        let (lines, message) = split_headers(K, data)?;
        let mut it = lines.into_iter().peekable();
        let tree = match it.next() {
            Some(("tree", v)) => parse_id(K, v)?,
            _ => return Err(bad("missing tree".into())),
        };
        let mut parents = Vec::new();
        while let Some(("parent", v)) = it.peek() {
            parents.push(parse_id(K, v)?);
            it.next();
        }
        let author = match it.next() {
            Some(("author", v)) => v,
            _ => return Err(bad("missing author".into())),
        };
        let committer = match it.next() {
            Some(("committer", v)) => v,
            _ => return Err(bad("missing committer".into())),
        };
        if let Some((k, _)) = it.next() {
            return Err(bad(format!("unexpected header '{k}'")));
        }
        Signature::parse(author).map_err(|e| bad(format!("author: {e}")))?;
        Signature::parse(committer).map_err(|e| bad(format!("committer: {e}")))?;
        Ok(CommitRef {
            tree,
            parents,
            author,
            committer,
            message,
        })
    }

    pub fn author_sig(&self) -> Signature {
        Signature::parse(self.author).expect("validated at parse")
    }
    pub fn committer_sig(&self) -> Signature {
        Signature::parse(self.committer).expect("validated at parse")
    }
    pub fn summary(&self) -> String {
        let msg = String::from_utf8_lossy(self.message);
        msg.lines().next().unwrap_or("").to_string()
    }
}

/// An annotated tag's fields: owned in a `Tag` to be written, borrowed from
/// the payload in a parsed `TagRef`. One layout, so both encode alike.
#[derive(Clone, Debug)]
pub struct TagFields<Str, Sig, Msg> {
    pub object: ObjectId,
    pub target_type: ObjectType,
    pub name: Str,
    pub tagger: Sig,
    pub message: Msg,
}

/// An annotated tag parsed zero-copy.
pub type TagRef<'a> = TagFields<&'a str, &'a str, &'a [u8]>;

/// An annotated tag to be written.
pub type Tag = TagFields<String, Signature, Vec<u8>>;

impl<Str: std::fmt::Display, Sig: std::fmt::Display, Msg: AsRef<[u8]>> TagFields<Str, Sig, Msg> {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(
            format!(
                "object {}\ntype {}\ntag {}\ntagger {}\n\n",
                self.object, self.target_type, self.name, self.tagger
            )
            .as_bytes(),
        );
        out.extend_from_slice(self.message.as_ref());
        out
    }
}

impl<'a> TagRef<'a> {
    pub fn parse(data: &'a [u8]) -> Result<TagRef<'a>> {
        const K: &str = "tag";
        let bad = |why: String| Error::Malformed { kind: K, why };
        let (lines, message) = split_headers(K, data)?;
        let get = |i: usize, key: &str| -> Result<&'a str> {
            match lines.get(i) {
                Some((k, v)) if *k == key => Ok(*v),
                _ => Err(bad(format!("missing {key}"))),
            }
        };
        let object = parse_id(K, get(0, "object")?)?;
        let tt = get(1, "type")?;
        let target_type =
            ObjectType::from_name(tt.as_bytes()).ok_or_else(|| bad(format!("bad type '{tt}'")))?;
        let name = get(2, "tag")?;
        let tagger = get(3, "tagger")?;
        if lines.len() != 4 {
            return Err(bad("unexpected header".into()));
        }
        Signature::parse(tagger).map_err(|e| bad(format!("tagger: {e}")))?;
        Ok(TagRef {
            object,
            target_type,
            name,
            tagger,
            message,
        })
    }
}

/// Normalise a user's message: strip trailing whitespace lines, end with one LF.
pub fn clean_message(msg: &str) -> String {
    let lines: Vec<&str> = msg.lines().map(|l| l.trim_end()).collect();
    let mut end = lines.len();
    while end > 0 && lines[end - 1].is_empty() {
        end -= 1;
    }
    let mut start = 0;
    while start < end && lines[start].is_empty() {
        start += 1;
    }
    if start == end {
        return String::new();
    }
    let mut s = lines[start..end].join("\n");
    s.push('\n');
    s
}

/// The payload of the empty tree: version 1, level 0, zero entries.
pub const EMPTY_TREE_PAYLOAD: &[u8] = &[1, 0, 0];

pub fn empty_tree_id() -> ObjectId {
    hash_object(ObjectType::Tree, EMPTY_TREE_PAYLOAD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_roundtrip() {
        let h = header(ObjectType::Commit, 1234);
        assert_eq!(h, b"commit 1234\0");
        let (k, l, n) = parse_header(&h).unwrap();
        assert_eq!((k, l, n), (ObjectType::Commit, 1234, h.len()));
        assert!(parse_header(b"blob 01\0").is_err());
        assert!(parse_header(b"blub 1\0").is_err());
    }

    #[test]
    fn commit_roundtrip() {
        let sig = Signature::parse("A U Thor <a@example.com> 1700000000 +0100").unwrap();
        let c = Commit {
            tree: ObjectId([1; 32]),
            parents: vec![ObjectId([2; 32]), ObjectId([3; 32])],
            author: sig.clone(),
            committer: sig,
            message: b"hello\n".to_vec(),
        };
        let enc = c.encode();
        let p = CommitRef::parse(&enc).unwrap();
        assert_eq!(p.tree, c.tree);
        assert_eq!(p.parents, c.parents);
        assert_eq!(p.message, b"hello\n");
        assert_eq!(p.author, "A U Thor <a@example.com> 1700000000 +0100");
    }

    #[test]
    fn commit_rejects_garbage() {
        assert!(CommitRef::parse(b"tree x\n\n").is_err());
        assert!(CommitRef::parse(b"").is_err());
    }

    /// Found by the commit_tag fuzz target (fuzz/regressions/commit_tag/):
    /// an id in uppercase hex parsed, so one commit had two encodings.
    #[test]
    fn ids_in_uppercase_hex_are_refused() {
        let sig = "A U Thor <a@example.com> 1700000000 +0100";
        let id = ObjectId([0xab; 32]).to_hex();
        let commit = |tree: &str| format!("tree {tree}\nauthor {sig}\ncommitter {sig}\n\nm\n");
        assert!(CommitRef::parse(commit(&id).as_bytes()).is_ok());
        let e = CommitRef::parse(commit(&id.to_uppercase()).as_bytes()).unwrap_err();
        assert!(e.to_string().contains("bad id"), "{e}");
        let tag = |obj: &str| format!("object {obj}\ntype commit\ntag v1\ntagger {sig}\n\nm\n");
        assert!(TagRef::parse(tag(&id).as_bytes()).is_ok());
        assert!(TagRef::parse(tag(&id.replacen('a', "A", 1)).as_bytes()).is_err());
    }

    #[test]
    fn clean() {
        assert_eq!(clean_message("\n hi  \n\n\n"), " hi\n");
        assert_eq!(clean_message("  \n"), "");
    }
}
