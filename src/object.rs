//! The typed object encoding (format-spec/objects.md): header, hashing, and
//! the commit and tag payloads, parsed zero-copy from a borrowed buffer.
#![warn(missing_docs)]

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::identity::Signature;
use crate::oid::ObjectId;

/// The five kinds of stored object (format-spec/objects.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectType {
    /// File contents: a whole small file, or one chunk of a large file.
    Blob,
    /// A large file as a list of chunks (a node of its prolly tree).
    File,
    /// One node of a directory's prolly tree.
    Tree,
    /// A snapshot with history: a tree, its parents, author, committer and message.
    Commit,
    /// An annotated tag: a name and message pointing to another object.
    Tag,
}

impl ObjectType {
    /// Every type, in the order above.
    pub const ALL: [ObjectType; 5] = [
        ObjectType::Blob,
        ObjectType::File,
        ObjectType::Tree,
        ObjectType::Commit,
        ObjectType::Tag,
    ];

    /// The name the header and `-t` use.
    pub fn name(self) -> &'static str {
        match self {
            ObjectType::Blob => "blob",
            ObjectType::File => "file",
            ObjectType::Tree => "tree",
            ObjectType::Commit => "commit",
            ObjectType::Tag => "tag",
        }
    }

    /// The type a header name names, if any.
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
        ObjectType::from_name(s.as_bytes()).ok_or_else(|| Error::UnknownObjectType(s.to_string()))
    }
}

/// The largest payload of one object (objects.md, "Size limit"): files over
/// 64 KiB are chunked, so only a hand-made blob or a hostile peer comes near it.
pub(crate) const MAX_OBJECT_SIZE: u64 = 64 << 20;

/// Refuse to store a payload over `MAX_OBJECT_SIZE`.
pub(crate) fn check_size(kind: ObjectType, len: u64) -> Result<()> {
    if len > MAX_OBJECT_SIZE {
        return Err(Error::ObjectTooLarge { kind, len });
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
pub(crate) fn parse_header(buf: &[u8]) -> Result<(ObjectType, u64, usize)> {
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

/// The id of the `len`-byte payload `file` holds, read (never mapped: a
/// file truncated meanwhile must give an error, not SIGBUS). Large files
/// are hashed in parallel: each thread reads its own subtrees of BLAKE3's
/// tree with `pread` into a buffer that stays in its cache, and the
/// subtrees' chaining values are merged as `blake3::hash` would. Fails if
/// the file does not hold exactly `len` bytes (it changed while read).
pub fn hash_file(kind: ObjectType, file: &std::fs::File, len: u64) -> std::io::Result<ObjectId> {
    use std::os::unix::fs::FileExt;
    let head = header(kind, len);
    let changed = |why: &str| {
        std::io::Error::other(format!(
            "changed while being read (expected {len} bytes, {why})"
        ))
    };
    let id = if len < PARALLEL_FROM {
        let mut h = blake3::Hasher::new();
        h.update(&head);
        let mut buf = vec![0u8; 64 << 10];
        let mut at = 0u64;
        while at < len {
            let want = buf.len().min((len - at) as usize);
            let n = read_full_at(file, &mut buf[..want], at)?;
            if n < want {
                return Err(changed(&format!("read {}", at + n as u64)));
            }
            h.update(&buf[..n]);
            at += n as u64;
        }
        ObjectId(*h.finalize().as_bytes())
    } else {
        let total = head.len() as u64 + len;
        let left = blake3::hazmat::left_subtree_len(total);
        let (l, r) = rayon::join(
            || subtree_cv(file, &head, 0, left),
            || subtree_cv(file, &head, left, total - left),
        );
        let root = blake3::hazmat::merge_subtrees_root(&l?, &r?, blake3::hazmat::Mode::Hash);
        ObjectId(*root.as_bytes())
    };
    // Grown meanwhile: what was hashed is not the whole file.
    if file.read_at(&mut [0u8; 1], len)? != 0 {
        return Err(changed("read more"));
    }
    Ok(id)
}

/// Payloads from this size on are hashed by several threads.
const PARALLEL_FROM: u64 = 4 << 20;
/// The largest subtree one task hashes (a power of two, in bytes).
const SUBTREE_TASK: u64 = 4 << 20;
/// How much a task reads at a time: small enough to stay in a core's cache.
const READ_PIECE: usize = 256 << 10;

/// `pread` until `buf` is full or the end of the file; how much was read.
fn read_full_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    use std::os::unix::fs::FileExt;
    let mut n = 0;
    while n < buf.len() {
        match file.read_at(&mut buf[n..], at + n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The chaining value of the BLAKE3 subtree of `size` bytes at `start` of
/// the stream `head` + the file's bytes (`start`, `size`: a valid subtree).
fn subtree_cv(
    file: &std::fs::File,
    head: &[u8],
    start: u64,
    size: u64,
) -> std::io::Result<blake3::hazmat::ChainingValue> {
    use blake3::hazmat::{left_subtree_len, merge_subtrees_non_root, HasherExt, Mode};
    if size > SUBTREE_TASK {
        let left = left_subtree_len(size);
        let (l, r) = rayon::join(
            || subtree_cv(file, head, start, left),
            || subtree_cv(file, head, start + left, size - left),
        );
        return Ok(merge_subtrees_non_root(&l?, &r?, Mode::Hash));
    }
    thread_local! {
        static PIECE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    PIECE.with_borrow_mut(|buf| {
        buf.resize(READ_PIECE, 0);
        let mut h = blake3::Hasher::new();
        h.set_input_offset(start);
        let head_len = head.len() as u64;
        let mut at = start;
        let end = start + size;
        while at < end {
            let want = READ_PIECE.min((end - at) as usize);
            let piece = &mut buf[..want];
            // The header's bytes come first in the stream, then the file's.
            let from_head = head_len.saturating_sub(at).min(want as u64) as usize;
            if from_head > 0 {
                piece[..from_head].copy_from_slice(&head[at as usize..at as usize + from_head]);
            }
            let file_at = (at + from_head as u64) - head_len;
            let n = read_full_at(file, &mut piece[from_head..], file_at)?;
            if n < want - from_head {
                return Err(std::io::Error::other(format!(
                    "changed while being read (expected {} bytes, read {})",
                    end - head_len,
                    file_at + n as u64
                )));
            }
            h.update(piece);
            at += want as u64;
        }
        Ok(h.finalize_non_root())
    })
}

/// Hash a full encoding (header + payload).
pub fn hash_encoding(enc: &[u8]) -> ObjectId {
    ObjectId(*blake3::hash(enc).as_bytes())
}

/// An owned object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    /// Its type.
    pub kind: ObjectType,
    /// Its payload (no header).
    pub data: Vec<u8>,
}

impl Object {
    /// An object of `kind` with payload `data`.
    pub fn new(kind: ObjectType, data: Vec<u8>) -> Object {
        Object { kind, data }
    }
    /// Its id: the hash of header and payload.
    pub fn id(&self) -> ObjectId {
        hash_object(self.kind, &self.data)
    }
}

/// A commit's fields: owned in a `Commit` to be written, borrowed from the
/// payload in a parsed `CommitRef`. One layout, so both encode alike.
#[derive(Clone, Debug)]
pub struct CommitFields<Sig, Msg> {
    /// The tree it records.
    pub tree: ObjectId,
    /// Its parents, first parent first.
    pub parents: Vec<ObjectId>,
    /// Who wrote the change, and when.
    pub author: Sig,
    /// Who made the commit, and when.
    pub committer: Sig,
    /// The message, as stored.
    pub message: Msg,
}

/// A commit parsed zero-copy from its payload.
pub type CommitRef<'a> = CommitFields<&'a str, &'a [u8]>;

/// A commit to be written.
pub type Commit = CommitFields<Signature, Vec<u8>>;

impl<Sig: std::fmt::Display, Msg: AsRef<[u8]>> CommitFields<Sig, Msg> {
    /// The payload.
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
    /// Parse and check a commit payload (both signatures included).
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

    /// The author, parsed.
    pub fn author_sig(&self) -> Signature {
        Signature::parse(self.author).expect("validated at parse")
    }
    /// The committer, parsed.
    pub fn committer_sig(&self) -> Signature {
        Signature::parse(self.committer).expect("validated at parse")
    }
    /// The message's first line.
    pub fn summary(&self) -> String {
        let msg = String::from_utf8_lossy(self.message);
        msg.lines().next().unwrap_or("").to_string()
    }
}

/// An annotated tag's fields: owned in a `Tag` to be written, borrowed from
/// the payload in a parsed `TagRef`. One layout, so both encode alike.
#[derive(Clone, Debug)]
pub struct TagFields<Str, Sig, Msg> {
    /// The object it points to.
    pub object: ObjectId,
    /// That object's type.
    pub target_type: ObjectType,
    /// The tag's name.
    pub name: Str,
    /// Who made the tag, and when.
    pub tagger: Sig,
    /// The message, as stored.
    pub message: Msg,
}

/// An annotated tag parsed zero-copy.
pub type TagRef<'a> = TagFields<&'a str, &'a str, &'a [u8]>;

/// An annotated tag to be written.
pub type Tag = TagFields<String, Signature, Vec<u8>>;

impl<Str: std::fmt::Display, Sig: std::fmt::Display, Msg: AsRef<[u8]>> TagFields<Str, Sig, Msg> {
    /// The payload.
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
    /// Parse and check a tag payload.
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

/// The id of the empty tree.
pub fn empty_tree_id() -> ObjectId {
    hash_object(ObjectType::Tree, EMPTY_TREE_PAYLOAD)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reading a file in parallel subtrees gives `hash_object`'s id, at
    /// sizes around the task and header boundaries; a file shorter or
    /// longer than it said is refused.
    #[test]
    fn hash_file_matches_hash_object() {
        use std::io::Write;
        let mut data = vec![0u8; (SUBTREE_TASK * 3 + 4097) as usize];
        for (i, b) in data.iter_mut().enumerate() {
            *b = (i * 7 + i / 1021) as u8;
        }
        let sizes = [
            0,
            1,
            PARALLEL_FROM - 1,
            PARALLEL_FROM,
            PARALLEL_FROM + 1,
            SUBTREE_TASK * 2 - 9,
            SUBTREE_TASK * 2 + 1024,
            data.len() as u64,
        ];
        for size in sizes {
            let payload = &data[..size as usize];
            let mut f = tempfile::tempfile().unwrap();
            f.write_all(payload).unwrap();
            for kind in [ObjectType::Blob, ObjectType::Commit] {
                assert_eq!(
                    hash_file(kind, &f, size).unwrap(),
                    hash_object(kind, payload),
                    "{size} bytes"
                );
            }
            if size > 0 {
                assert!(
                    hash_file(ObjectType::Blob, &f, size - 1).is_err(),
                    "{size}: longer"
                );
                assert!(
                    hash_file(ObjectType::Blob, &f, size + 1).is_err(),
                    "{size}: shorter"
                );
            }
        }
    }

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
