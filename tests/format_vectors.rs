//! The format-spec test vectors, checked against the engine.

use hako::object::{hash_object, ObjectType};
use hako::oid::{from_hex_bytes, ObjectId};

fn vectors(name: &str) -> Vec<Vec<String>> {
    let path = format!("{}/format-spec/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

#[test]
fn object_ids_match_the_spec() {
    let v = vectors("objects.tsv");
    assert!(v.len() >= 8, "too few vectors");
    for f in v {
        let kind: ObjectType = f[0].parse().unwrap();
        let payload = from_hex_bytes(&f[1]).expect("hex payload");
        let want = ObjectId::from_hex(&f[2]).unwrap();
        assert_eq!(
            hash_object(kind, &payload),
            want,
            "vector {} {}",
            f[0],
            &f[1][..f[1].len().min(32)]
        );
        // Commit and tag vectors must also parse.
        match kind {
            ObjectType::Commit => {
                hako::object::CommitRef::parse(&payload).unwrap();
            }
            ObjectType::Tag => {
                hako::object::TagRef::parse(&payload).unwrap();
            }
            _ => {}
        }
    }
}

#[test]
fn empty_tree_matches_the_spec() {
    let spec = std::fs::read_to_string(format!(
        "{}/format-spec/objects.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let id = hako::object::empty_tree_id().to_hex();
    assert!(
        spec.contains(&format!("empty tree: {id}")),
        "objects.md must state the empty tree id {id}"
    );
}

use hako::prolly::dir::{self, Entry, Meta};
use hako::prolly::file::xorshift_bytes;
use hako::store::{HashOnly, ObjectStore};

fn tree_input(spec: &str) -> Vec<Entry> {
    let (kind, arg) = spec.split_once(':').unwrap();
    match kind {
        "gen" => (0..arg.parse::<usize>().unwrap())
            .map(|i| {
                let name = format!("f{i:06}");
                Entry::new(
                    name.as_bytes(),
                    0o100644,
                    hash_object(ObjectType::Blob, format!("{name}\n").as_bytes()),
                )
            })
            .collect(),
        "maxclose" => {
            let (n, skip) = match arg.split_once('-') {
                Some((n, k)) => (
                    n.parse::<usize>().unwrap(),
                    Some(k.parse::<usize>().unwrap()),
                ),
                None => (arg.parse().unwrap(), None),
            };
            (0..n)
                .filter(|i| Some(*i) != skip)
                .map(|i| {
                    let mut e = Entry::new(
                        format!("t029-{i:06}").as_bytes(),
                        0o100644,
                        hash_object(ObjectType::Blob, b"x"),
                    );
                    if i % 400 == 399 {
                        e.meta.xattrs = vec![(b"user.x".to_vec(), vec![b'v'; 8000])];
                    }
                    e
                })
                .collect()
        }
        "lines" => {
            let mut v: Vec<Entry> = arg
                .split(';')
                .map(|item| {
                    let f: Vec<&str> = item.split(' ').collect();
                    let id = match f[1] {
                        "tree" => hako::object::empty_tree_id(),
                        "none" => ObjectId::ZERO,
                        _ => hash_object(ObjectType::Blob, f[2].as_bytes()),
                    };
                    let mut e =
                        Entry::new(f[3].as_bytes(), u32::from_str_radix(f[0], 8).unwrap(), id);
                    e.meta = f.get(4).map(|m| meta(m)).unwrap_or_default();
                    e
                })
                .collect();
            v.sort_by(|a, b| a.name.cmp(&b.name));
            v
        }
        _ => panic!("unknown input {spec}"),
    }
}

/// `key=value,...` as in trees.tsv's header.
fn meta(fields: &str) -> Meta {
    let mut m = Meta::default();
    for f in fields.split(',') {
        let (k, v) = f.split_once('=').unwrap();
        match k {
            "uid" => m.uid = v.parse().unwrap(),
            "gid" => m.gid = v.parse().unwrap(),
            "rdev" => {
                let (a, b) = v.split_once(':').unwrap();
                m.rdev = Some((a.parse().unwrap(), b.parse().unwrap()));
            }
            "xattr" => {
                let (n, x) = v.split_once(':').unwrap();
                m.xattrs
                    .push((from_hex_bytes(n).unwrap(), from_hex_bytes(x).unwrap()));
            }
            "mtime" => {
                let (s, ns) = v.split_once('.').unwrap_or((v, "0"));
                m.mtime = Some(s.parse().unwrap());
                m.mtime_nsec = format!("{ns:0<9}").parse().unwrap();
            }
            "link" => m.link = Some(from_hex_bytes(v).unwrap()),
            _ => panic!("unknown meta field {k}"),
        }
    }
    m
}

#[test]
fn tree_ids_match_the_independent_implementation() {
    let v = vectors("trees.tsv");
    assert!(v.len() >= 7, "the metadata vector is missing");
    for f in v {
        let got = dir::build(&HashOnly, tree_input(&f[1])).unwrap();
        assert_eq!(got.to_hex(), f[2], "tree vector {}", f[0]);
    }
}

/// The size-limit vector edited (entry 1199 deleted) equals the vector built
/// without it: point edits agree with the one-pass build.
#[test]
fn edited_maxclose_vector_equals_the_built_one() {
    let store = hako::store::MemStore::new();
    let v = vectors("trees.tsv");
    let find = |name: &str| v.iter().find(|f| f[0] == name).expect(name).clone();
    let (full, without) = (find("maxclose"), find("maxclose-without-1199"));
    let root = dir::build(&store, tree_input(&full[1])).unwrap();
    assert_eq!(root.to_hex(), full[2]);
    let edited = dir::edit(&store, &root, vec![(b"t029-001199".to_vec(), None)]).unwrap();
    assert_eq!(edited.to_hex(), without[2]);
}

#[test]
fn chunked_file_ids_match_the_spec() {
    let v = vectors("files.tsv");
    assert!(v.len() >= 3);
    for f in v {
        let data = generated_bytes(&f[1]);
        let got = hako::prolly::file::store_content(&HashOnly, &data).unwrap();
        assert_eq!(got.to_hex(), f[2], "file vector {}", f[0]);
    }
}

/// The bytes of a files.tsv generator: `bytes:N:SEED` or `zeros:N`.
fn generated_bytes(spec: &str) -> Vec<u8> {
    let parts: Vec<&str> = spec.split(':').collect();
    match parts[0] {
        "bytes" => xorshift_bytes(parts[1].parse().unwrap(), parts[2].parse().unwrap()),
        "zeros" => vec![0; parts[1].parse().unwrap()],
        other => panic!("unknown generator {other}"),
    }
}

/// prolly-tree.md, FastCDC: the gear table and the cut loop as the spec
/// writes them, independent of the fastcdc crate.
fn spec_cut(src: &[u8], gear: &[u64; 256]) -> usize {
    const MIN: usize = 16384;
    const AVG: usize = 65536;
    const MAX: usize = 262144;
    const MASK_S: u64 = 0x0000_d907_0353_7000;
    const MASK_L: u64 = 0x0000_d90f_0353_0000;
    let mut n = src.len();
    if n <= MIN {
        return n;
    }
    let mut center = AVG;
    if n > MAX {
        n = MAX;
    } else if n < center {
        center = n;
    }
    let mut h: u64 = 0;
    let mut i = MIN / 2;
    for (limit, mask) in [(center / 2, MASK_S), (n / 2, MASK_L)] {
        while i < limit {
            let a = 2 * i;
            h = (h << 2).wrapping_add(gear[src[a] as usize] << 1);
            if h & (mask << 1) == 0 {
                return a;
            }
            h = h.wrapping_add(gear[src[a + 1] as usize]);
            if h & mask == 0 {
                return a + 1;
            }
            i += 1;
        }
    }
    n
}

#[test]
fn fastcdc_cuts_match_the_spec_loop_and_the_vectors() {
    let rows = vectors("fastcdc-gear.tsv");
    assert_eq!(rows.len(), 256);
    let mut gear = [0u64; 256];
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0], i.to_string());
        gear[i] = u64::from_str_radix(&r[1], 16).unwrap();
    }
    let v = vectors("fastcdc-cuts.tsv");
    assert!(v.len() >= 5);
    for f in v {
        let data = generated_bytes(&f[1]);
        let want: Vec<usize> = f[2].split(',').map(|n| n.parse().unwrap()).collect();
        let mut by_spec = Vec::new();
        let mut at = 0;
        while at < data.len() {
            let len = spec_cut(&data[at..], &gear);
            by_spec.push(len);
            at += len;
        }
        assert_eq!(by_spec, want, "spec loop, vector {}", f[0]);
        let by_hako: Vec<usize> = hako::prolly::file::chunks(&data)
            .into_iter()
            .map(|(_, len)| len)
            .collect();
        assert_eq!(by_hako, want, "hako, vector {}", f[0]);
    }
}

#[test]
#[ignore]
fn print_file_vectors() {
    for (name, n, seed) in [
        ("small", 1000usize, 1u64),
        ("inline-max", 65536, 2),
        ("two-chunks", 200_000, 3),
        ("8MiB", 8 << 20, 4),
    ] {
        let data = xorshift_bytes(n, seed);
        let id = hako::prolly::file::store_content(&HashOnly, &data).unwrap();
        println!("{name}\tbytes:{n}:{seed}\t{id}");
    }
}

fn vector_objects() -> Vec<(ObjectId, ObjectType, Vec<u8>)> {
    vectors("objects.tsv")
        .into_iter()
        .map(|f| {
            let kind: ObjectType = f[0].parse().unwrap();
            let payload = from_hex_bytes(&f[1]).unwrap();
            (ObjectId::from_hex(&f[2]).unwrap(), kind, payload)
        })
        .collect()
}

#[test]
fn pack_vector_reads_back() {
    let idx = std::path::PathBuf::from(format!(
        "{}/format-spec/vectors/pack-small.idx",
        env!("CARGO_MANIFEST_DIR")
    ));
    let p = hako::store::pack::Pack::open(&idx).unwrap();
    p.verify_checksums().unwrap();
    let objs = vector_objects();
    assert_eq!(p.len(), objs.len());
    for (id, kind, data) in objs {
        let i = p.find(&id).unwrap_or_else(|| panic!("{id} not in pack"));
        let o = p.read(i).unwrap();
        assert_eq!((o.kind, o.data), (kind, data));
    }
}

/// The trees of `gen:10`, `gen:11`, `gen:12` (one leaf node each), stored.
fn delta_trees(store: &dyn hako::store::ObjectStore) -> Vec<ObjectId> {
    [10, 11, 12]
        .iter()
        .map(|n| dir::build(store, tree_input(&format!("gen:{n}"))).unwrap())
        .collect()
}

fn pick(id: ObjectId, base: Option<ObjectId>) -> hako::pack::select::Pick {
    hako::pack::select::Pick {
        id,
        kind: ObjectType::Tree,
        base,
    }
}

/// Regenerates vectors/pack-delta.* and pack-thin.* (run with --ignored).
#[test]
#[ignore]
fn write_delta_vectors() {
    use hako::pack::write::write_pack_files;
    let store = hako::store::MemStore::new();
    let t = delta_trees(&store);
    let dir = tempfile::tempdir().unwrap();
    let out = format!("{}/format-spec/vectors", env!("CARGO_MANIFEST_DIR"));
    let picks = [
        pick(t[0], None),
        pick(t[1], Some(t[0])),
        pick(t[2], Some(t[1])),
    ];
    let (sum, w) = write_pack_files(&store, None, &picks, false, &dir.path().join("d")).unwrap();
    assert_eq!(w.deltas, 2);
    for ext in ["pack", "idx"] {
        std::fs::copy(
            dir.path().join(format!("d-{sum}.{ext}")),
            format!("{out}/pack-delta.{ext}"),
        )
        .unwrap();
    }
    let (sum, w) = write_pack_files(
        &store,
        None,
        &[pick(t[2], Some(t[1]))],
        true,
        &dir.path().join("t"),
    )
    .unwrap();
    assert_eq!(w.external, 1);
    std::fs::copy(
        dir.path().join(format!("t-{sum}.pack")),
        format!("{out}/pack-thin.pack"),
    )
    .unwrap();
    std::fs::write(format!("{out}/pack-thin.bases"), format!("{}\n", t[1])).unwrap();
}

#[test]
fn delta_pack_vector_reads_back_with_its_chain() {
    let store = hako::store::MemStore::new();
    let t = delta_trees(&store);
    let idx = std::path::PathBuf::from(format!(
        "{}/format-spec/vectors/pack-delta.idx",
        env!("CARGO_MANIFEST_DIR")
    ));
    let p = hako::store::pack::Pack::open(&idx).unwrap();
    assert_eq!(p.version(), 2);
    p.verify_checksums().unwrap();
    let rows = vectors("pack-delta.tsv");
    assert_eq!(rows.len(), 3);
    for (row, id) in rows.iter().zip(&t) {
        assert_eq!(row[0], id.to_hex());
        let i = p.find(id).unwrap();
        let o = p.read(i).unwrap();
        assert_eq!(o.data, store.read(id).unwrap().data);
        let raw = p.raw_record(i).unwrap();
        assert_eq!(format!("{:#04x}", raw[0]), row[1], "kind byte of {id}");
        assert_eq!(o.data.len().to_string(), row[2]);
        assert_eq!(p.depth(i).unwrap().to_string(), row[3]);
        assert_eq!(p.size_at(i), Some(o.data.len() as u64));
    }
}

#[test]
fn thin_pack_vector_needs_its_external_base() {
    use hako::pack::ingest::index_pack;
    let vec_dir = format!("{}/format-spec/vectors", env!("CARGO_MANIFEST_DIR"));
    let bases = std::fs::read_to_string(format!("{vec_dir}/pack-thin.bases")).unwrap();
    let base = ObjectId::from_hex(bases.trim()).unwrap();
    let scratch = hako::store::MemStore::new();
    let t = delta_trees(&scratch);
    assert_eq!(base, t[1]);
    // Without the base: refused, nothing visible.
    let empty = tempfile::tempdir().unwrap();
    let odb = hako::store::Odb::open(empty.path());
    let mut f = std::fs::File::open(format!("{vec_dir}/pack-thin.pack")).unwrap();
    assert!(index_pack(&odb, &mut f, true).is_err());
    assert!(hako::store::LocalStore::packs(&odb).unwrap().is_empty());
    // With it: completed, and the node reads back.
    let o = scratch.read(&base).unwrap();
    odb.write(o.kind, &o.data).unwrap();
    let mut f = std::fs::File::open(format!("{vec_dir}/pack-thin.pack")).unwrap();
    let done = index_pack(&odb, &mut f, true).unwrap();
    assert_eq!((done.objects, done.thin_bases), (2, 1));
    assert_eq!(
        odb.read(&t[2]).unwrap().data,
        scratch.read(&t[2]).unwrap().data
    );
}

// The compact stream (packs.md, "The compact stream", vectors/pack-compact.*).

/// A commit of tree `tree` (and `parent`) with a fixed identity.
fn vector_commit(tree: &ObjectId, parent: Option<&ObjectId>, msg: &str) -> Vec<u8> {
    let ident = "A U Thor <author@example.com> 1112911993 +0000";
    let parent = parent.map(|p| format!("parent {p}\n")).unwrap_or_default();
    format!("tree {tree}\n{parent}author {ident}\ncommitter {ident}\n\n{msg}\n").into_bytes()
}

/// The compact vector's objects: (C0, C1, blob 1, blob 2) payloads.
fn compact_objects(t: &[ObjectId]) -> [Vec<u8>; 4] {
    let c0 = vector_commit(&t[0], None, "base");
    let c1 = vector_commit(&t[1], Some(&hash_object(ObjectType::Commit, &c0)), "next");
    [
        c0,
        c1,
        b"hello compact\n".to_vec(),
        b"a line repeated to compress\n".repeat(12),
    ]
}

/// Regenerates vectors/pack-compact.* (run with --ignored): each record in
/// the form the spec's vector section names.
#[test]
#[ignore]
fn write_compact_vector() {
    use hako::codec::put_varint;
    use hako::pack::compact::{encode_ops, head_byte, BaseRef, Body};
    use hako::store::packwrite::{delta_frame, full_frame};
    let store = hako::store::MemStore::new();
    let t = delta_trees(&store);
    let [c0, c1, b1, b2] = compact_objects(&t);
    let c0_id = hash_object(ObjectType::Commit, &c0);
    let node = |id: &ObjectId| store.read(id).unwrap().data;
    let (n10, n11, n12) = (node(&t[0]), node(&t[1]), node(&t[2]));
    // (type, base, body form, payload, body)
    type Rec<'a> = (ObjectType, BaseRef, Body, &'a [u8], Vec<u8>);
    let records: Vec<Rec> = vec![
        (
            ObjectType::Commit,
            BaseRef::Id(c0_id),
            Body::Ops,
            &c1,
            encode_ops(&c1, &c0, &c0_id),
        ),
        (
            ObjectType::Tree,
            BaseRef::Slot(1, 0),
            Body::Ops,
            &n11,
            encode_ops(&n11, &n10, &t[0]),
        ),
        (
            ObjectType::Tree,
            BaseRef::Record(1),
            Body::Zstd,
            &n12,
            delta_frame(&n12, &n11).unwrap()[4..].to_vec(),
        ),
        (ObjectType::Blob, BaseRef::None, Body::Raw, &b1, b1.clone()),
        (
            ObjectType::Blob,
            BaseRef::None,
            Body::Zstd,
            &b2,
            full_frame(ObjectType::Blob, &b2).unwrap()[4..].to_vec(),
        ),
    ];
    let mut out = b"HAKOPACK".to_vec();
    out.extend_from_slice(&3u32.to_be_bytes());
    out.extend_from_slice(&(records.len() as u32).to_be_bytes());
    let mut tsv = String::from("# id\thead\tsize\tdepth\n");
    for ((kind, base, body, payload, data), depth) in records.iter().zip([1, 1, 2, 0, 0]) {
        let head = head_byte(*kind, base, *body);
        out.push(head);
        match base {
            BaseRef::Id(b) => out.extend_from_slice(b.as_bytes()),
            BaseRef::Record(back) => put_varint(&mut out, *back),
            BaseRef::Slot(back, slot) => {
                put_varint(&mut out, *back);
                put_varint(&mut out, *slot);
            }
            BaseRef::None => {}
        }
        put_varint(&mut out, payload.len() as u64);
        if *body != Body::Raw {
            put_varint(&mut out, data.len() as u64);
        }
        out.extend_from_slice(data);
        let id = hash_object(*kind, payload);
        tsv.push_str(&format!("{id}\t{head:#04x}\t{}\t{depth}\n", payload.len()));
    }
    let sum = blake3::hash(&out);
    out.extend_from_slice(sum.as_bytes());
    let dir = format!("{}/format-spec/vectors", env!("CARGO_MANIFEST_DIR"));
    std::fs::write(format!("{dir}/pack-compact.pack"), out).unwrap();
    std::fs::write(format!("{dir}/pack-compact.tsv"), tsv).unwrap();
    let hex: String = c0.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(format!("{dir}/pack-compact.bases"), format!("{hex}\n")).unwrap();
}

#[test]
fn compact_vector_is_stored_as_version_2_with_every_id() {
    use hako::pack::compact::parse_compact_record;
    use hako::pack::ingest::index_pack;
    let dir = format!("{}/format-spec/vectors", env!("CARGO_MANIFEST_DIR"));
    let scratch = hako::store::MemStore::new();
    let t = delta_trees(&scratch);
    let objs = compact_objects(&t);
    let c0 = from_hex_bytes(
        std::fs::read_to_string(format!("{dir}/pack-compact.bases"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    assert_eq!(c0, objs[0]);
    let bytes = std::fs::read(format!("{dir}/pack-compact.pack")).unwrap();
    assert_eq!(&bytes[8..12], &3u32.to_be_bytes());
    let rows = vectors("pack-compact.tsv");
    assert_eq!(rows.len(), 5);
    let mut pos = 16;
    for row in &rows {
        let h = parse_compact_record(&bytes, pos, bytes.len() - 32).unwrap();
        assert_eq!(format!("{:#04x}", bytes[pos]), row[1]);
        assert_eq!(h.size.to_string(), row[2]);
        pos = h.range.end;
    }
    assert_eq!(pos, bytes.len() - 32);
    // Without the bases: refused, nothing visible.
    let empty = tempfile::tempdir().unwrap();
    let odb = hako::store::Odb::open(empty.path());
    assert!(index_pack(&odb, &mut &bytes[..], true).is_err());
    assert!(hako::store::LocalStore::packs(&odb).unwrap().is_empty());
    // With C0 and the gen:10 node: stored as version 2, every id reads back.
    odb.write(ObjectType::Commit, &c0).unwrap();
    let n10 = scratch.read(&t[0]).unwrap();
    odb.write(ObjectType::Tree, &n10.data).unwrap();
    let done = index_pack(&odb, &mut &bytes[..], true).unwrap();
    assert_eq!((done.objects, done.thin_bases), (5, 0));
    let p = hako::store::pack::Pack::open(&done.idx_path).unwrap();
    assert_eq!(p.version(), 2);
    p.verify_checksums().unwrap();
    let payloads = [
        objs[1].clone(),
        scratch.read(&t[1]).unwrap().data,
        scratch.read(&t[2]).unwrap().data,
        objs[2].clone(),
        objs[3].clone(),
    ];
    for (row, payload) in rows.iter().zip(&payloads) {
        let id = ObjectId::from_hex(&row[0]).unwrap();
        let i = p.find(&id).unwrap();
        assert_eq!(&p.read(i).unwrap().data, payload);
    }
    // The zstd delta stays a delta against the node before it; the rest are full.
    let deltas = rows
        .iter()
        .filter(|r| {
            p.record(p.find(&ObjectId::from_hex(&r[0]).unwrap()).unwrap())
                .unwrap()
                .base
                .is_some()
        })
        .count();
    assert_eq!(deltas, 1);
}

// Packet framing (format-spec/protocol.md, vectors/pkt.tsv).

/// Hex with `{XX*N}` runs expanded.
fn pkt_hex(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        out.extend(from_hex_bytes(&rest[..open]).expect("hex"));
        let close = open + rest[open..].find('}').expect("closing brace");
        let (byte, n) = rest[open + 1..close].split_once('*').expect("XX*N");
        let byte = u8::from_str_radix(byte, 16).unwrap();
        out.extend(std::iter::repeat_n(byte, n.parse().unwrap()));
        rest = &rest[close + 1..];
    }
    out.extend(from_hex_bytes(rest).expect("hex"));
    out
}

#[test]
fn packet_vectors_match_the_spec() {
    use hako::transport::pkt::{demux, encode, Packet, PktReader};
    let v = vectors("pkt.tsv");
    let (mut ok, mut bad) = (0, 0);
    for f in v {
        match f[0].as_str() {
            "ok" => {
                ok += 1;
                let packet = match f[2].as_str() {
                    "flush" => Packet::Flush,
                    "delim" => Packet::Delim,
                    "response-end" => Packet::ResponseEnd,
                    d => Packet::Data(pkt_hex(d.strip_prefix("data:").expect("data:"))),
                };
                let bytes = pkt_hex(&f[3]);
                assert_eq!(encode(&packet).unwrap(), bytes, "encode {}", f[1]);
                let mut r = PktReader::new(&bytes[..]);
                assert_eq!(r.read().unwrap(), Some(packet.clone()), "decode {}", f[1]);
                assert_eq!(r.read().unwrap(), None, "{}: bytes left", f[1]);
                if f[1].starts_with("sideband-") {
                    let Packet::Data(p) = &packet else { panic!() };
                    demux(p, 0).unwrap_or_else(|e| panic!("{}: {e}", f[1]));
                }
            }
            "bad" => {
                bad += 1;
                let bytes = pkt_hex(&f[4]);
                let mut r = PktReader::new(&bytes[..]);
                let err = loop {
                    let at = r.offset();
                    match r.read() {
                        Err(e) => break e,
                        Ok(None) => panic!("{}: accepted", f[1]),
                        Ok(Some(Packet::Data(p))) if f[2] == "bad-channel" => {
                            if let Err(e) = demux(&p, at) {
                                break e;
                            }
                        }
                        Ok(Some(_)) => {}
                    }
                };
                assert_eq!(err.kind(), f[2], "{}: {err}", f[1]);
                assert_eq!(err.offset(), Some(f[3].parse().unwrap()), "{}: {err}", f[1]);
            }
            other => panic!("unknown row kind {other}"),
        }
    }
    assert!(ok >= 10 && bad >= 8, "too few vectors: {ok} ok, {bad} bad");
}

#[test]
fn apply_step_hashes_match_the_spec() {
    let rows = vectors("apply-steps.tsv");
    assert!(!rows.is_empty());
    let dir = tempfile::tempdir().unwrap();
    for row in rows {
        let digest = if row[0] == "-" { "" } else { row[0].as_str() };
        let mut toml = String::from("setup = [");
        for step in row[2].split(" ;; ") {
            toml.push_str(&format!("{step:?}, "));
        }
        toml.push_str("]\nenv = {");
        if row[1] != "-" {
            let kv: Vec<String> = row[1]
                .split(';')
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap();
                    format!("{k} = {v:?}")
                })
                .collect();
            toml.push_str(&kv.join(", "));
        }
        toml.push_str("}\n");
        if let Some(pass) = row.get(4).filter(|p| *p != "-") {
            let names: Vec<String> = pass.split(';').map(|n| format!("{n:?}")).collect();
            toml.push_str(&format!("env_pass = [{}]\n", names.join(", ")));
        }
        if let Some(settings) = row.get(5) {
            for line in settings.split(" | ") {
                toml.push_str(line);
                toml.push('\n');
            }
        }
        let path = dir.path().join("hako.toml");
        std::fs::write(&path, toml).unwrap();
        let cfg = hako::apply::config::load(&path, None).unwrap();
        let want: Vec<&str> = row[3].split(',').collect();
        assert_eq!(cfg.step_hashes(digest), want, "row {row:?}");
    }
}

// `.hako/shallow` (format-spec/layout.md, "Shallow workspaces").
#[test]
fn shallow_vector_parses_and_writes_back() {
    use hako::store::shallow::{parse, serialize};
    let path = format!("{}/format-spec/vectors/shallow", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(path).unwrap();
    let set = parse(&bytes).unwrap();
    assert_eq!(set.len(), 2);
    assert!(set.contains(
        &ObjectId::from_hex("c9a94c1a9145087554f265dc47aecd93fd8fe3bbac49d768cf69c6a816bf51ce")
            .unwrap()
    ));
    assert_eq!(serialize(&set), bytes);
    // The same ids out of order, or one repeated, are refused.
    let lines: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\n').collect();
    let swapped = [lines[1], lines[0]].concat();
    assert!(parse(&swapped).is_err());
    let repeated = [lines[0], lines[0]].concat();
    assert!(parse(&repeated).is_err());
}

// A materialized instance's record (format-spec/runtime.md).
#[test]
fn materialized_record_vector_loads() {
    let src = format!(
        "{}/format-spec/vectors/materialized",
        env!("CARGO_MANIFEST_DIR")
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&src, dir.path().join(hako::runtime::materialize::RECORD)).unwrap();
    let m = hako::runtime::materialize::Materialized::load(dir.path())
        .unwrap()
        .expect("a record");
    assert_eq!(
        m.base.to_string(),
        "6237ea26bd7273588101502f70eecddcdabeaf25f9fa0cd309d4288edc785a55"
    );
    assert_eq!(
        m.seen.to_string(),
        "c9a94c1a9145087554f265dc47aecd93fd8fe3bbac49d768cf69c6a816bf51ce"
    );
    assert!(!m.owners);
    let text = std::fs::read_to_string(&src).unwrap();
    std::fs::write(
        dir.path().join(hako::runtime::materialize::RECORD),
        text.replace("owners 0", "owners 2"),
    )
    .unwrap();
    assert!(hako::runtime::materialize::Materialized::load(dir.path()).is_err());
}

#[test]
fn message_cleanup_matches_the_spec() {
    let v = vectors("messages.tsv");
    assert!(v.len() >= 8);
    for f in v {
        let given = String::from_utf8(from_hex_bytes(&f[1]).unwrap()).unwrap();
        let want = String::from_utf8(from_hex_bytes(&f[2]).unwrap()).unwrap();
        assert_eq!(
            hako::object::clean_message(&given),
            want,
            "message vector {}",
            f[0]
        );
    }
}

#[test]
fn the_constants_the_spec_states_are_hakos() {
    let read = |doc: &str| {
        std::fs::read_to_string(format!("{}/format-spec/{doc}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
    };
    let packs = read("packs.md");
    let batch = hako::store::mem::BATCH_BYTES;
    assert!(
        packs.contains(&format!("**256 MiB** ({batch} bytes")),
        "packs.md: {batch}"
    );
    let threshold = hako::store::PACK_THRESHOLD;
    assert!(
        packs.contains(&format!("fewer than **{threshold}**")),
        "packs.md: {threshold}"
    );
    let prolly = read("prolly-tree.md");
    use hako::prolly::file::{CDC_AVG, CDC_MAX, CDC_MIN, INLINE_MAX};
    assert!(prolly.contains(&format!(
        "MIN = {CDC_MIN}   AVG = {CDC_AVG}   MAX = {CDC_MAX}"
    )));
    assert!(prolly.contains(&format!(
        "at most `{INLINE_MAX}` bytes is stored as one `blob`"
    )));
}

// Plain-copy keys of the checkout cache (format-spec/runtime.md, "Plain copies").
#[test]
fn cache_key_vectors_match() {
    use hako::prolly::dir::Entry;
    let text = std::fs::read_to_string(format!(
        "{}/format-spec/vectors/cache-keys.tsv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let unhex = |h: &str| -> Vec<u8> {
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect()
    };
    let mut n = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        // The mapped rows' map: 0 is 1000, 1… are 100000… (uids and gids).
        let map = hako::sandbox::IdMap {
            uids: vec![(0, 1000, 1), (1, 100000, 65536)],
            gids: vec![(0, 1000, 1), (1, 100000, 65536)],
        };
        let profile = match f[0] {
            "owners" => hako::cache::Profile::Owners,
            "plain" => hako::cache::Profile::Plain,
            _ => hako::cache::Profile::Mapped(map),
        };
        let mut e = Entry::new(
            b"any name",
            u32::from_str_radix(f[1], 8).unwrap(),
            hako::oid::ObjectId::from_hex(f[2]).unwrap(),
        );
        e.meta.uid = f[3].parse().unwrap();
        e.meta.gid = f[4].parse().unwrap();
        if f[5] != "-" {
            let (s, ns) = f[5].split_once('.').unwrap();
            e.meta.mtime = Some(s.parse().unwrap());
            e.meta.mtime_nsec = ns.parse().unwrap();
        }
        if f[6] != "-" {
            for x in f[6].split(',') {
                let (name, value) = x.split_once(':').unwrap();
                e.meta.xattrs.push((unhex(name), unhex(value)));
            }
        }
        assert_eq!(hako::cache::files::key(&e, &profile), f[7], "{line}");
        n += 1;
    }
    assert_eq!(n, 6);
}

// An overlay instance's record and a cache entry's record (format-spec/runtime.md).
#[test]
fn overlay_and_cache_entry_record_vectors_load() {
    let dir = format!("{}/format-spec/vectors", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(format!("{dir}/overlay")).unwrap();
    let p = std::path::Path::new("overlay");
    let r = hako::runtime::overlay::Record::parse(&text, p).unwrap();
    assert_eq!(r.profile, hako::cache::Profile::Plain);
    assert_eq!(r.map.uids, [(0, 1000, 1), (1, 100000, 65536)]);
    assert_eq!(r.map.gid_inside(100033), Some(34));
    assert_eq!(r.encode(), text);
    assert!(
        hako::runtime::overlay::Record::parse(&text.replace("owners 0", "owners x"), p).is_err()
    );
    let text = std::fs::read_to_string(format!("{dir}/cache-entry")).unwrap();
    let p = std::path::Path::new("entry");
    let e = hako::cache::Record::parse(&text, p).unwrap();
    assert_eq!(e.depth, 1);
    assert_eq!(
        e.kind,
        hako::cache::Kind::Layer {
            base: "6237ea26bd7273588101502f70eecddcdabeaf25f9fa0cd309d4288edc785a55.owners".into()
        }
    );
    assert_eq!(e.encode(), text);
    assert!(hako::cache::Record::parse(&text.replace("depth 1", "depth 0"), p).is_err());
    // The mapped profile: its map after the fields, its hash in the name.
    let text = std::fs::read_to_string(format!("{dir}/cache-entry-mapped")).unwrap();
    let e = hako::cache::Record::parse(&text, p).unwrap();
    assert_eq!(
        e.name(),
        "c9a94c1a9145087554f265dc47aecd93fd8fe3bbac49d768cf69c6a816bf51ce.mapped-5d2e3914bc4a69d5"
    );
    assert_eq!(e.encode(), text);
    assert!(hako::cache::Record::parse(&text.replace("owners mapped", "owners 1"), p).is_err());
}

// An instance's record, `state` (format-spec/runtime.md, "The instance
// record"): every field read, and written back byte for byte.
#[test]
fn instance_state_vector_round_trips() {
    let src = format!(
        "{}/format-spec/vectors/instance-state",
        env!("CARGO_MANIFEST_DIR")
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&src, dir.path().join("state")).unwrap();
    let i = hako::runtime::instance::Instance::load(dir.path()).unwrap();
    assert_eq!(i.name.as_deref(), Some("web"));
    assert_eq!(i.command, ["sh", "-c", "echo \"a b\""]);
    assert_eq!(i.exit, Some(0));
    assert!(i.autocommit);
    assert_eq!(i.fs.name(), "overlay");
    assert_eq!(i.caps, 0x8004_25fa);
    assert_eq!(i.encode(), std::fs::read_to_string(&src).unwrap());
    // An older writer's record: no autocommit, fs or caps line.
    let old: String = std::fs::read_to_string(&src)
        .unwrap()
        .lines()
        .take(15)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.path().join("state"), old).unwrap();
    let j = hako::runtime::instance::Instance::load(dir.path()).unwrap();
    assert!(!j.autocommit);
    assert_eq!(j.caps, hako::sandbox::DEFAULT_CAPS);
}

#[test]
fn oci_layers_match_the_spec() {
    use hako::oci::tarlayer::write_layer;
    use hako::prolly::dir::{build, Entry, Meta, S_IFDIR, S_IFLNK, S_IFREG};
    use hako::prolly::file::store_content;
    use hako::store::{MemStore, ObjectStore};
    use sha2::{Digest, Sha256};
    let store = MemStore::new();
    let entry = |name: &[u8], mode: u32, id: ObjectId, meta: Meta| Entry {
        name: name.to_vec(),
        mode,
        id,
        meta,
    };
    let small = {
        let f = store_content(&store, b"hi\n").unwrap();
        let d = build(
            &store,
            vec![entry(b"f", S_IFREG | 0o644, f, Meta::default())],
        )
        .unwrap();
        let l = store.write(ObjectType::Blob, b"d/f").unwrap();
        build(
            &store,
            vec![
                entry(b"d", S_IFDIR | 0o755, d, Meta::default()),
                entry(b"l", S_IFLNK | 0o777, l, Meta::default()),
            ],
        )
        .unwrap()
    };
    let pax = {
        let meta = |xattrs: Vec<(Vec<u8>, Vec<u8>)>| Meta {
            uid: 7,
            gid: 8,
            mtime: Some(1234567890),
            xattrs,
            ..Meta::default()
        };
        let f = store_content(&store, b"x").unwrap();
        let inner = build(
            &store,
            vec![entry(
                &[b'e'; 60],
                S_IFREG | 0o600,
                f,
                meta(vec![(b"user.k".to_vec(), b"v1".to_vec())]),
            )],
        )
        .unwrap();
        build(
            &store,
            vec![entry(&[b'd'; 60], S_IFDIR | 0o750, inner, meta(vec![]))],
        )
        .unwrap()
    };
    let v = vectors("oci-layer.tsv");
    assert_eq!(v.len(), 2);
    for f in v {
        let tree = match f[0].as_str() {
            "small" => small,
            "pax" => pax,
            other => panic!("unknown vector {other}"),
        };
        let mut tar = Vec::new();
        write_layer(&store, None, &tree, 1000, &mut tar).unwrap();
        let got = format!("sha256:{}", hako::oci::blob::hex(&Sha256::digest(&tar)));
        assert_eq!(got, f[1], "vector {}", f[0]);
    }
}

// A full cache entry's `unsynced` (format-spec/runtime.md, "Entries: full
// and layered"): each valid case parsed and written back byte for byte,
// each malformed one refused.
#[test]
fn unsynced_vector() {
    let path = format!(
        "{}/format-spec/vectors/unsynced.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let (mut ok, mut bad) = (0, 0);
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        let bytes = f[1].replace("\\0", "\0").into_bytes();
        let parsed = hako::cache::Unsynced::parse(&bytes);
        match f[0] {
            "ok" => {
                let u = parsed.unwrap_or_else(|e| panic!("{line}: {e}"));
                assert_eq!(u.boot, f[2], "{line}");
                let copies: Vec<String> = u
                    .copies
                    .iter()
                    .map(|(k, n, p)| format!("{k},{n},{}", String::from_utf8_lossy(p)))
                    .collect();
                assert_eq!(copies.join("|"), f[3], "{line}");
                assert_eq!(u.encode(), bytes, "{line}");
                ok += 1;
            }
            "malformed" => {
                assert!(parsed.is_err(), "{line}: accepted");
                bad += 1;
            }
            v => panic!("bad verdict {v}"),
        }
    }
    assert!(ok >= 2 && bad >= 10, "{ok} {bad}");
}

// Configuration files (format-spec/config.md, vectors/config).

/// A vector line with `\\` `\n` `\t` `\b` decoded.
fn config_unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match it.next() {
            Some('n') => '\n',
            Some('t') => '\t',
            Some('b') => '\u{8}',
            Some('\\') => '\\',
            other => panic!("vectors/config: bad escape {other:?} in {s:?}"),
        });
    }
    out
}

/// The bytes of a case's file: its lines, each ended by LF (not the last
/// with `noeol`), with `{SP}`, `{CR}`, `{BOM}` and `{xFF}` replaced.
fn config_case_bytes(lines: &[&str], noeol: bool) -> Vec<u8> {
    let mut text = lines.join("\n");
    if !noeol {
        text.push('\n');
    }
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find('{') {
        out.extend_from_slice(&rest.as_bytes()[..i]);
        let token = &rest[i..];
        let (bytes, len): (&[u8], usize) = match () {
            _ if token.starts_with("{SP}") => (b" ", 4),
            _ if token.starts_with("{CR}") => (b"\r", 4),
            _ if token.starts_with("{BOM}") => (b"\xef\xbb\xbf", 5),
            _ if token.starts_with("{xFF}") => (b"\xff", 5),
            _ => (b"{", 1),
        };
        out.extend_from_slice(bytes);
        rest = &token[len..];
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

#[test]
fn config_vectors_read_as_the_spec_says() {
    let path = format!("{}/format-spec/vectors/config", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().skip_while(|l| !l.starts_with("%% ")).collect();
    assert_eq!(
        lines.last(),
        Some(&"%% end"),
        "vectors/config ends with %% end"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    let (mut ok, mut bad) = (0, 0);
    let mut i = 0;
    while lines[i] != "%% end" {
        let head = lines[i];
        let body_end = i
            + 1
            + lines[i + 1..]
                .iter()
                .position(|l| l.starts_with("%% "))
                .unwrap();
        let body = &lines[i + 1..body_end];
        i = body_end;
        let noeol = lines[i] == "%% noeol";
        if noeol {
            i += 1;
        }
        std::fs::write(&file, config_case_bytes(body, noeol)).unwrap();
        let read = hako::config::Config::read(&file);
        if let Some(title) = head.strip_prefix("%% ok ") {
            assert_eq!(lines[i], "%% entries", "{title}");
            let want_end = i
                + 1
                + lines[i + 1..]
                    .iter()
                    .position(|l| l.starts_with("%% "))
                    .unwrap();
            let want: Vec<String> = lines[i + 1..want_end]
                .iter()
                .map(|l| config_unescape(l))
                .collect();
            i = want_end;
            let cfg = read.unwrap_or_else(|e| panic!("{title}: {e}"));
            let got: Vec<String> = cfg
                .entries()
                .map(|e| match &e.value {
                    Some(v) => format!("{}={v}", e.name),
                    None => e.name.clone(),
                })
                .collect();
            assert_eq!(got, want, "{title}");
            ok += 1;
        } else {
            let spec = head.strip_prefix("%% bad ").expect("%% ok or %% bad");
            let (line, what) = spec.split_once(' ').unwrap();
            let want = format!("{}:{line}: {what}", file.display());
            match read {
                Err(e) => assert_eq!(e.to_string(), want),
                Ok(c) => panic!("{spec}: read as {:?}", c.entries().collect::<Vec<_>>()),
            }
            bad += 1;
        }
    }
    assert!(ok >= 5 && bad >= 5, "{ok} ok and {bad} bad cases");
}

#[test]
fn config_values_written_read_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    let values = [
        "plain",
        "",
        " lead",
        "trail ",
        "a # b",
        "c;d",
        "q\"q",
        "b\\s",
        "l\nf",
        "\ttab",
        "cr\r",
        "two  spaces",
    ];
    for (n, v) in values.iter().enumerate() {
        let key = format!("s.sub \"x\\.k{n}");
        hako::config::Config::edit(&file, &key, Some(v)).unwrap();
    }
    hako::config::Config::add(&file, "s.sub \"x\\.k0", "second").unwrap();
    let cfg = hako::config::Config::read(&file).unwrap();
    for (n, v) in values.iter().enumerate() {
        let key = format!("s.sub \"x\\.k{n}");
        let want = if n == 0 { "second" } else { v };
        assert_eq!(cfg.get(&key), Some(want), "{key}");
    }
    assert_eq!(cfg.get_all("s.sub \"x\\.k0"), ["plain", "second"]);
}
