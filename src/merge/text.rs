//! Line-by-line three-way merge of text files (format-spec/merge.md, Text
//! merge): the diff3 algorithm over `similar`'s Myers line diffs.
#![warn(missing_docs)]

use similar::{capture_diff_slices, Algorithm, DiffOp};

/// Files larger than this (on any side) are not merged line by line.
pub const TEXT_LIMIT: u64 = 1 << 20;

/// How far into a file a NUL byte makes it binary (as git's heuristic).
const BINARY_PROBE: usize = 8000;

/// Which side wins a conflicting hunk (`-X ours|theirs`); None writes markers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Favor {
    /// Neither: write conflict markers.
    #[default]
    None,
    /// Our side's lines.
    Ours,
    /// Their side's lines.
    Theirs,
}

impl Favor {
    /// The side `-X NAME` names; anything else favours neither.
    pub fn named(name: Option<&str>) -> Favor {
        match name {
            Some("ours") => Favor::Ours,
            Some("theirs") => Favor::Theirs,
            _ => Favor::None,
        }
    }
}

/// The result of a line merge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextMerge {
    /// The merged text.
    pub text: Vec<u8>,
    /// How many hunks conflicted (and were written with markers, or resolved
    /// by the favoured side).
    pub conflicts: usize,
}

/// True if the content looks binary: a NUL byte in its first 8000 bytes.
pub fn is_binary(data: &[u8]) -> bool {
    data[..data.len().min(BINARY_PROBE)].contains(&0)
}

/// Lines with their terminators; the last line may lack one.
fn lines(data: &[u8]) -> Vec<&[u8]> {
    data.split_inclusive(|&b| b == b'\n').collect()
}

/// A changed region: base lines `b0..b1` became side lines `s0..s1`.
#[derive(Clone, Copy, Debug)]
struct Hunk {
    b0: usize,
    b1: usize,
    s0: usize,
    s1: usize,
}

/// The changed regions of `side` against `base`, adjacent ops joined.
/// Positions are counted from the ops' lengths in order (the ops' own
/// indices are not relied on).
fn hunks(base: &[&[u8]], side: &[&[u8]]) -> Vec<Hunk> {
    let mut out: Vec<Hunk> = Vec::new();
    let (mut b, mut s) = (0, 0);
    for op in capture_diff_slices(Algorithm::Myers, base, side) {
        let (bl, sl) = match op {
            DiffOp::Equal { len, .. } => {
                b += len;
                s += len;
                continue;
            }
            DiffOp::Delete { old_len, .. } => (old_len, 0),
            DiffOp::Insert { new_len, .. } => (0, new_len),
            DiffOp::Replace {
                old_len, new_len, ..
            } => (old_len, new_len),
        };
        let h = Hunk {
            b0: b,
            b1: b + bl,
            s0: s,
            s1: s + sl,
        };
        (b, s) = (b + bl, s + sl);
        match out.last_mut() {
            Some(l) if l.b1 == h.b0 && l.s1 == h.s0 => {
                l.b1 = h.b1;
                l.s1 = h.s1;
            }
            _ => out.push(h),
        }
    }
    out
}

/// The side's version of base lines `lo..hi`, given its hunks inside that range.
fn side_text<'a>(
    base: &[&'a [u8]],
    side: &[&'a [u8]],
    hs: &[Hunk],
    lo: usize,
    hi: usize,
) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut pos = lo;
    for h in hs {
        out.extend_from_slice(&base[pos..h.b0]);
        out.extend_from_slice(&side[h.s0..h.s1]);
        pos = h.b1;
    }
    out.extend_from_slice(&base[pos..hi]);
    out
}

fn push_lines(out: &mut Vec<u8>, ls: &[&[u8]]) {
    for l in ls {
        out.extend_from_slice(l);
    }
    // A marker always starts a line.
    if out.last().is_some_and(|&b| b != b'\n') {
        out.push(b'\n');
    }
}

/// Merge `ours` and `theirs`, both derived from `base`, line by line. Hunks
/// changed on one side are taken; hunks whose base ranges overlap or touch
/// conflict unless both sides made the same change. Conflicts are written
/// with markers (and the base section with `diff3`), or resolved by `favor`.
pub fn merge3(base: &[u8], ours: &[u8], theirs: &[u8], diff3: bool, favor: Favor) -> TextMerge {
    let (b, o, t) = (lines(base), lines(ours), lines(theirs));
    let (ho, ht) = (hunks(&b, &o), hunks(&b, &t));
    let mut out = Vec::with_capacity(ours.len().max(theirs.len()));
    let mut conflicts = 0;
    let (mut i, mut j) = (0, 0);
    let mut pos = 0; // next base line not yet emitted
    while i < ho.len() || j < ht.len() {
        // Start a group at the earliest hunk, then absorb every hunk of
        // either side that overlaps or touches the group's base range.
        let (i0, j0) = (i, j);
        let first_ours = j >= ht.len() || (i < ho.len() && ho[i].b0 <= ht[j].b0);
        let (lo, mut hi) = if first_ours {
            i += 1;
            (ho[i0].b0, ho[i0].b1)
        } else {
            j += 1;
            (ht[j0].b0, ht[j0].b1)
        };
        loop {
            if i < ho.len() && ho[i].b0 <= hi {
                hi = hi.max(ho[i].b1);
                i += 1;
            } else if j < ht.len() && ht[j].b0 <= hi {
                hi = hi.max(ht[j].b1);
                j += 1;
            } else {
                break;
            }
        }
        out.extend(b[pos..lo].iter().flat_map(|l| l.iter()));
        pos = hi;
        let (go, gt) = (&ho[i0..i], &ht[j0..j]);
        let ov = side_text(&b, &o, go, lo, hi);
        let tv = side_text(&b, &t, gt, lo, hi);
        if gt.is_empty() || ov == tv {
            out.extend(ov.iter().flat_map(|l| l.iter()));
        } else if go.is_empty() {
            out.extend(tv.iter().flat_map(|l| l.iter()));
        } else {
            conflicts += 1;
            match favor {
                Favor::Ours => out.extend(ov.iter().flat_map(|l| l.iter())),
                Favor::Theirs => out.extend(tv.iter().flat_map(|l| l.iter())),
                Favor::None => {
                    push_lines(&mut out, &[]);
                    out.extend_from_slice(b"<<<<<<< ours\n");
                    push_lines(&mut out, &ov);
                    if diff3 {
                        out.extend_from_slice(b"||||||| base\n");
                        push_lines(&mut out, &b[lo..hi]);
                    }
                    out.extend_from_slice(b"=======\n");
                    push_lines(&mut out, &tv);
                    out.extend_from_slice(b">>>>>>> theirs\n");
                }
            }
        }
    }
    out.extend(b[pos..].iter().flat_map(|l| l.iter()));
    TextMerge {
        text: out,
        conflicts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(b: &str, o: &str, t: &str) -> (String, usize) {
        let r = merge3(b.as_bytes(), o.as_bytes(), t.as_bytes(), false, Favor::None);
        (String::from_utf8(r.text).unwrap(), r.conflicts)
    }

    #[test]
    fn changes_far_apart_merge_cleanly() {
        let b = "1\n2\n3\n4\n5\n6\n7\n";
        assert_eq!(
            m(b, "1\nX\n3\n4\n5\n6\n7\n", "1\n2\n3\n4\n5\nY\n7\n"),
            ("1\nX\n3\n4\n5\nY\n7\n".into(), 0)
        );
    }

    #[test]
    fn same_change_on_both_sides_is_clean() {
        assert_eq!(m("a\nb\n", "a\nc\n", "a\nc\n"), ("a\nc\n".into(), 0));
    }

    #[test]
    fn overlapping_changes_get_markers() {
        assert_eq!(
            m("a\nb\nc\n", "a\nB\nc\n", "a\nβ\nc\n"),
            (
                "a\n<<<<<<< ours\nB\n=======\nβ\n>>>>>>> theirs\nc\n".into(),
                1
            )
        );
        let r = merge3(b"a\nb\nc\n", b"a\nB\nc\n", b"a\nX\nc\n", true, Favor::None);
        assert_eq!(
            String::from_utf8(r.text).unwrap(),
            "a\n<<<<<<< ours\nB\n||||||| base\nb\n=======\nX\n>>>>>>> theirs\nc\n"
        );
    }

    #[test]
    fn adjacent_changes_conflict_and_favor_resolves() {
        let (b, o, t) = ("1\n2\n3\n", "1\nA\n3\n", "1\n2\nB\n");
        assert_eq!(m(b, o, t).1, 1);
        let r = merge3(
            b.as_bytes(),
            o.as_bytes(),
            t.as_bytes(),
            false,
            Favor::Theirs,
        );
        assert_eq!(r.text, b"1\n2\nB\n");
        let r = merge3(b.as_bytes(), o.as_bytes(), t.as_bytes(), false, Favor::Ours);
        assert_eq!(r.text, b"1\nA\n3\n");
    }

    #[test]
    fn missing_final_newline_keeps_markers_on_their_own_lines() {
        assert_eq!(
            m("x", "y", "z").0,
            "<<<<<<< ours\ny\n=======\nz\n>>>>>>> theirs\n"
        );
        assert_eq!(m("", "a\n", "").0, "a\n");
    }

    #[test]
    fn binary_is_a_nul_in_the_first_8000_bytes() {
        assert!(is_binary(b"ab\0c"));
        assert!(!is_binary(b"text\n"));
        let mut late = vec![b'a'; 9000];
        late[8500] = 0;
        assert!(!is_binary(&late));
    }
}
