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
