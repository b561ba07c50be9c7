//! The bodies of the fuzz targets (fuzz/fuzz_targets/*.rs), one per family of
//! decoders that read untrusted bytes. Said once here so that the libFuzzer
//! targets and the stable replay of the committed corpora (tests/fuzz_replay.rs)
//! run the same code. A body ignores the decoders' errors (bad input is
//! expected) but must never panic, loop or allocate without bound; where a
//! decoder has an encoder, what it accepts must also encode back to itself.
#![warn(missing_docs)]

use std::io::Read;
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::object::{CommitRef, ObjectType, TagRef};
use crate::oid::ObjectId;
use crate::store::{MemStore, ObjectStore};

/// A fuzz target: its name (the directory of its corpus) and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name.
pub const TARGETS: &[Target] = &[
    ("loose", loose),
    ("pack_stream", pack_stream),
    ("compact_stream", compact_stream),
    ("pack_index", pack_index),
    ("delta", delta),
    ("tree_node", tree_node),
    ("chunk_list", chunk_list),
    ("commit_tag", commit_tag),
    ("pkt_line", pkt_line),
    ("dumb_http", dumb_http),
    ("oci_manifest", oci_manifest),
    ("oci_layer", oci_layer),
    ("hako_toml", hako_toml),
    ("config", config),
];

static SCRATCH: OnceLock<PathBuf> = OnceLock::new();

/// A directory of this process's own, for the decoders that read files: in
/// memory (/dev/shm) unless TMPDIR says otherwise, as every execution writes.
fn scratch() -> &'static PathBuf {
    SCRATCH.get_or_init(|| {
        let shm = PathBuf::from("/dev/shm");
        let base = match std::env::var_os("TMPDIR") {
            None if shm.is_dir() => shm,
            _ => std::env::temp_dir(),
        };
        let d = base.join(format!("hako-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("a scratch directory");
        d
    })
}

/// Remove the scratch directory, if one was made (the replay test's end).
pub fn remove_scratch() {
    if let Some(d) = SCRATCH.get() {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// The bytes of a loose object file.
pub fn loose(data: &[u8]) {
    if let Ok(o) = crate::store::loose::decode_loose(data) {
        assert!(o.data.len() as u64 <= crate::object::MAX_OBJECT_SIZE);
    }
    if let Ok((_, len, hlen)) = crate::object::parse_header(data) {
        assert!(hlen <= data.len() && len <= crate::object::MAX_OBJECT_SIZE);
    }
}

/// `data` split from a stream as a receiver does (copy_pack), then returned
/// with a valid trailer (its own, or one appended), so that the records,
/// not the checksum, are what a decoder explores.
fn split_and_trail(data: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mut out = Vec::new();
    if let Ok(n) = crate::pack::ingest::copy_pack(&mut &data[..], &mut out, 1 << 20) {
        assert_eq!(n as usize, out.len());
    }
    let n = data.len();
    if n >= 48 && blake3::hash(&data[..n - 32]).as_bytes() == &data[n - 32..] {
        std::borrow::Cow::Borrowed(data)
    } else {
        std::borrow::Cow::Owned([data, blake3::hash(data).as_bytes()].concat())
    }
}

/// A pack as received: split from a stream (copy_pack), then decoded record
/// by record (the trailer is supplied when the input lacks a valid one, so
/// that the records, not the checksum, are what is explored).
pub fn pack_stream(data: &[u8]) {
    let pack = split_and_trail(data);
    let odb = crate::store::Odb::open(std::path::Path::new("/nonexistent/hako-fuzz"));
    let _ = crate::pack::ingest::decode_pack(&pack, &odb, false, &mut |_, _, _| Ok(()));
}

/// A compact stream (pack version 3) as received: split from a stream
/// (copy_pack), then decoded and rewritten as version 2 records (the trailer
/// is supplied when the input lacks a valid one; thin bases are looked up in
/// a store that does not exist).
pub fn compact_stream(data: &[u8]) {
    let pack = split_and_trail(data);
    let odb = crate::store::Odb::open(std::path::Path::new("/nonexistent/hako-fuzz"));
    let mut sink = std::io::sink();
    if let Ok(d) =
        crate::pack::compact::decode_compact(&pack, &odb, true, &mut sink, &mut |_, _, _| Ok(()))
    {
        assert!(
            d.external_used.is_empty(),
            "bases read from a store that does not exist"
        );
    }
}

/// An index and its pack, concatenated (the pack starts at the first
/// `HAKOPACK` after the index's magic): opened, every record read.
pub fn pack_index(data: &[u8]) {
    let at = data
        .windows(8)
        .skip(8)
        .position(|w| w == b"HAKOPACK")
        .map(|p| p + 8)
        .unwrap_or(data.len());
    let (idx, pack) = data.split_at(at);
    let Ok(p) = crate::store::pack::Pack::from_bytes(idx, pack) else {
        return;
    };
    let _ = p.verify_checksums();
    for i in 0..p.len().min(64) {
        let id = p.id_at(i);
        assert_eq!(p.find(&id), Some(i));
        let _ = p.depth(i);
        let _ = p.raw_record(i);
        let _ = p.read_header(i);
        if let Ok(o) = p.read(i) {
            assert_eq!(o.id(), id);
        }
    }
}

/// A delta: `varint(base length) base record`, the record a delta (or full)
/// pack record; the payload is also re-encoded against the base and decoded.
pub fn delta(data: &[u8]) {
    let mut pos = 0;
    let Ok(blen) = crate::codec::get_varint(data, &mut pos) else {
        return;
    };
    let Ok(base) = crate::codec::take(data, &mut pos, blen.min(usize::MAX as u64) as usize) else {
        return;
    };
    let rec = &data[pos..];
    if let Ok(head) = crate::store::pack::parse_record(rec, 0, rec.len(), 2) {
        let base_data = head.base.map(|_| base);
        if let Ok(payload) =
            crate::store::pack::decode_frame(&rec[head.frame.clone()], head.size, base_data)
        {
            assert_eq!(payload.len() as u64, head.size);
        }
    }
    if rec.len() <= 4096 {
        let base_id = crate::object::hash_object(ObjectType::Blob, base);
        let enc = crate::store::packwrite::encode_delta(ObjectType::Blob, rec, &base_id, base)
            .expect("encoding a small delta");
        let head = crate::store::pack::parse_record(&enc, 0, enc.len(), 2).expect("own record");
        let back = crate::store::pack::decode_frame(&enc[head.frame], head.size, Some(base))
            .expect("own delta");
        assert_eq!(back, rec);
    }
}

/// A tree node's payload; a leaf's entries are decoded and validated.
pub fn tree_node(data: &[u8]) {
    use crate::prolly::dir::{children, leaf_entries, Entry, Meta, TreeSchema};
    if let Ok(m) = Meta::decode(data) {
        assert_eq!(Meta::decode(&m.encode()).ok(), Some(m));
    }
    if let Ok(e) = Entry::decode(data) {
        let _ = e.validate();
    }
    let Ok(node) = crate::prolly::Node::parse::<TreeSchema>(ObjectId([0; 32]), data.to_vec())
    else {
        return;
    };
    if node.level == 0 {
        if let Ok(entries) = leaf_entries(&node) {
            for e in entries {
                let _ = e.validate();
                assert_eq!(
                    Entry::decode(&e.encode()).ok().map(|d| d.name),
                    Some(e.name)
                );
            }
        }
    } else {
        let _ = children(&node).count();
    }
    // Stored alone, read through the directory API (children missing).
    let store = MemStore::new();
    if let Ok(id) = store.write(ObjectType::Tree, data) {
        let _ = crate::prolly::dir::count(&store, &id);
        let _ = crate::prolly::dir::get(&store, &id, b"etc");
        let _ = crate::prolly::dir::list(&store, &id);
    }
}

/// A `file` object (a chunk-list node), stored alone and read through the
/// file API (its children are missing: errors, never panics).
pub fn chunk_list(data: &[u8]) {
    use crate::prolly::file::{self, FileSchema};
    let Ok(node) = crate::prolly::Node::parse::<FileSchema>(ObjectId([0; 32]), data.to_vec())
    else {
        return;
    };
    let _ = file::node_children(&node);
    let store = MemStore::new();
    let Ok(id) = store.write(ObjectType::File, data) else {
        return;
    };
    let _ = file::size(&store, &id);
    let _ = file::chunk_list(&store, &id);
    let _ = file::list_nodes(&store, &id);
    let _ = file::read_range(&store, &id, 0, 1 << 16);
    let _ = file::write_to(&store, &id, &mut std::io::sink());
}

/// A commit or tag payload: what parses encodes back to the same bytes.
pub fn commit_tag(data: &[u8]) {
    if let Ok(c) = CommitRef::parse(data) {
        let _ = (c.author_sig(), c.committer_sig(), c.summary());
        assert_eq!(
            c.encode(),
            data,
            "a commit that does not re-encode to itself"
        );
    }
    if let Ok(t) = TagRef::parse(data) {
        assert_eq!(t.encode(), data, "a tag that does not re-encode to itself");
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = crate::identity::Signature::parse(s);
        let _ = crate::identity::parse_date(s);
    }
}

/// pkt-lines and the protocol's sections: packets, side-band, a ref
/// advertisement, ref lines, and an upload-pack request served from an
/// empty workspace.
pub fn pkt_line(data: &[u8]) {
    use crate::transport::pkt::{PktReader, MAX_PAYLOAD};
    let mut r = PktReader::new(data);
    while let Ok(Some(p)) = r.read() {
        if let Some(line) = p.as_line() {
            assert!(line.len() <= MAX_PAYLOAD);
        }
    }
    let mut sink = Vec::new();
    let _ = PktReader::new(data).read_sideband(&mut sink, &mut |_| {});
    let _ = crate::transport::advertise::read_advertisement(&mut PktReader::new(data));
    if let Ok(s) = std::str::from_utf8(data) {
        for strict in [false, true] {
            let _ = crate::transport::advertise::parse_ref_line(s, strict);
        }
    }
    static WS: OnceLock<crate::workspace::Workspace> = OnceLock::new();
    let ws = WS.get_or_init(|| {
        let root = scratch().join("upload");
        std::fs::create_dir_all(&root).expect("a workspace directory");
        crate::workspace::Workspace::init(&root).expect("an empty workspace")
    });
    let _ = crate::transport::upload::upload_pack(ws, data, std::io::sink());
}

/// The dumb-HTTP files (`info/refs`, `objects/info/packs`, `shallow`) and
/// the range responses: a first line of headers (`Content-Range` and
/// `Content-Type`, split at a tab), then the body.
pub fn dumb_http(data: &[u8]) {
    let url = "http://127.0.0.1/fuzz";
    let _ = crate::transport::dumb::parse_refs_file(data, url);
    let _ = crate::transport::dumb::parse_packs_file(data, url);
    let _ = crate::store::shallow::parse(data);
    let nl = data.iter().position(|&c| c == b'\n').unwrap_or(data.len());
    let (head, body) = (
        String::from_utf8_lossy(&data[..nl]),
        &data[(nl + 1).min(data.len())..],
    );
    let (range, ctype) = head.split_once('\t').unwrap_or((&head, ""));
    crate::transport::dumb::http::fuzz_responses(url, range, ctype, body);
}

/// A manifest, index or image config as a registry sends it; the
/// `WWW-Authenticate` challenge.
pub fn oci_manifest(data: &[u8]) {
    use crate::oci::manifest;
    for ct in [
        None,
        Some("application/vnd.oci.image.index.v1+json"),
        Some("application/vnd.docker.distribution.manifest.v2+json"),
    ] {
        if let Ok(manifest::Parsed::Index(i)) = manifest::parse(ct, data) {
            for m in &i.manifests {
                let _ = m.platform.as_ref().map(|p| p.to_string());
            }
        }
    }
    let _ = manifest::parse_config(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = crate::oci::registry::Challenge::parse(s);
        let _ = crate::oci::registry::base64_decode(s);
        let _ = manifest::Platform::parse(s);
        let _ = manifest::layer_compression(s);
    }
}

/// A layer as a tar stream, applied twice (so that the second application
/// meets whiteouts and replacements), then written as a tree; the same
/// bytes as a gzip and a zstd layer, read up to a cap.
pub fn oci_layer(data: &[u8]) {
    use crate::oci::layer::{decompress, ImageTree};
    use crate::oci::manifest::Compression;
    let store = MemStore::new();
    let mut tree = ImageTree::new();
    if tree.apply_layer(&store, 1, data).is_ok() {
        let _ = tree.apply_layer(&store, 2, data);
        let _ = tree.write(&store);
    }
    for c in [Compression::Gzip, Compression::Zstd] {
        if let Ok(r) = decompress(c, data) {
            let _ = std::io::copy(&mut r.take(1 << 20), &mut std::io::sink());
        }
    }
}

/// A `hako.toml` (read from a file, as `apply` reads it; an include names
/// a file beside it).
pub fn hako_toml(data: &[u8]) {
    let path = scratch().join("hako.toml");
    std::fs::write(&path, data).expect("writing the scratch hako.toml");
    if let Ok(c) = crate::apply::config::load(&path, None) {
        let _ = c.step_env();
        let _ = c.step_hashes("sha256:0");
    }
    let _ = crate::apply::config::load(&path, Some("dev"));
}

/// The workspace and user config file.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(c) = crate::config::Config::parse(&text, std::path::Path::new("config")) else {
        return;
    };
    for e in c.entries() {
        let _ = c.get_bool(&e.name);
        let _ = c.get_all(&e.name);
        let _ = crate::config::Config::normalize_key(&e.name);
    }
}
