//! Replays every committed fuzz input (fuzz/corpus/<target>/ and the fixed
//! crashes in fuzz/regressions/<target>/) through its target's body, on the
//! stable toolchain, under the fuzz targets' allocation cap. `make fuzz` and
//! .ci/run run the targets themselves (nightly, cargo fuzz).

#[path = "../fuzz/cap_alloc.rs"]
mod cap_alloc;

#[global_allocator]
static ALLOC: cap_alloc::CappedAlloc = cap_alloc::CappedAlloc;

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

#[test]
fn every_committed_input_replays_without_panic() {
    let mut failed = Vec::new();
    for (name, body) in hako::fuzzing::TARGETS {
        let corpus = inputs(&fuzz_dir().join("corpus").join(name));
        assert!(!corpus.is_empty(), "fuzz target {name} has no seed corpus");
        let regressions = inputs(&fuzz_dir().join("regressions").join(name));
        for path in corpus.iter().chain(&regressions) {
            let data = std::fs::read(path).unwrap();
            if std::panic::catch_unwind(|| body(&data)).is_err() {
                failed.push(path.display().to_string());
            }
        }
    }
    hako::fuzzing::remove_scratch();
    assert!(failed.is_empty(), "inputs that panic: {failed:?}");
}

#[test]
fn every_target_has_a_libfuzzer_entry_and_back() {
    let mut files: Vec<String> = inputs(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut names: Vec<String> = hako::fuzzing::TARGETS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    names.sort();
    assert_eq!(files, names);
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for n in &names {
        let src = std::fs::read_to_string(fuzz_dir().join(format!("fuzz_targets/{n}.rs"))).unwrap();
        assert!(
            src.contains(&format!("hako::fuzzing::{n}(")),
            "{n}.rs runs another body"
        );
        assert!(
            manifest.contains(&format!("name = \"{n}\"")),
            "{n} is not a [[bin]] of fuzz/Cargo.toml"
        );
    }
}
