//! `hako hash-object`: compute ids of files (in parallel), optionally storing them.

use std::fs::File;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use rayon::prelude::*;

use hako::object::{hash_object, CommitRef, ObjectType, TagRef};
use hako::prolly::file;
use hako::store::{BatchWriter, HashOnly, ObjectStore};
use hako::ObjectId;

#[derive(clap::Args)]
pub struct Args {
    /// Store the object in the workspace.
    #[arg(short = 'w')]
    write: bool,
    /// Object type.
    #[arg(short = 't', default_value = "blob", value_name = "TYPE")]
    kind: String,
    /// Read the object from standard input.
    #[arg(long)]
    stdin: bool,
    /// Read file paths from standard input, one per line.
    #[arg(long)]
    stdin_paths: bool,
    /// Skip validation of commit and tag payloads.
    #[arg(long)]
    literally: bool,
    /// Files to hash.
    files: Vec<PathBuf>,
}

/// How many bytes of small files to stage per durable batch.
const BATCH_BYTES: usize = 256 << 20;

fn open(path: &Path) -> anyhow::Result<(File, u64)> {
    let f = File::open(path).with_context(|| format!("cannot open '{}'", path.display()))?;
    let meta = f
        .metadata()
        .with_context(|| format!("cannot stat '{}'", path.display()))?;
    if meta.is_dir() {
        bail!("'{}' is a directory", path.display());
    }
    Ok((f, meta.len()))
}

/// A file's bytes, read (never mapped: a file truncated meanwhile must not
/// kill us with SIGBUS, and what is stored must be what was hashed).
fn load(path: &Path) -> anyhow::Result<Vec<u8>> {
    let (f, len) = open(path)?;
    let mut buf = Vec::with_capacity(len as usize);
    (&f).read_to_end(&mut buf)
        .with_context(|| format!("cannot read '{}'", path.display()))?;
    Ok(buf)
}

/// The id of a file's bytes as one object, streaming.
fn hash_path(kind: ObjectType, path: &Path) -> anyhow::Result<ObjectId> {
    let (f, len) = open(path)?;
    hako::object::hash_file(kind, &f, len)
        .with_context(|| format!("cannot hash '{}'", path.display()))
}

/// Store (or with `HashOnly`, only hash) a file as a tree entry's content.
fn store_path(store: &dyn ObjectStore, path: &Path) -> anyhow::Result<ObjectId> {
    let (f, _) = open(path)?;
    file::store_reader(store, std::io::BufReader::with_capacity(1 << 20, f))
        .with_context(|| format!("cannot read '{}'", path.display()))
}

fn validate(kind: ObjectType, data: &[u8]) -> anyhow::Result<()> {
    match kind {
        ObjectType::Commit => {
            CommitRef::parse(data)?;
        }
        ObjectType::Tag => {
            TagRef::parse(data)?;
        }
        _ => {}
    }
    Ok(())
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let kind: ObjectType = a.kind.parse()?;
    if kind == ObjectType::Tree && !a.literally {
        bail!("cannot hash a tree from raw bytes; use mktree or write-tree (or --literally)");
    }
    // `-t file`: the id a tree entry holds for this content (a blob when small,
    // else the root of its chunk list).
    let as_file = kind == ObjectType::File && !a.literally;
    if a.stdin && a.stdin_paths {
        return Err(super::usage("--stdin and --stdin-paths cannot be combined"));
    }
    let ws = if a.write {
        Some(super::open_workspace()?)
    } else {
        None
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.stdin {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        if !a.literally {
            validate(kind, &buf)?;
        }
        let id = match (&ws, as_file) {
            (Some(ws), true) => {
                let b = BatchWriter::new(&ws.odb);
                let id = file::store_content(&b, &buf)?;
                b.flush()?;
                id
            }
            (None, true) => file::store_content(&HashOnly, &buf)?,
            (Some(ws), false) => ws.odb.write(kind, &buf)?,
            (None, false) => hash_object(kind, &buf),
        };
        super::out(writeln!(out, "{id}"))?;
    }
    let mut paths = a.files.clone();
    if a.stdin_paths {
        for line in std::io::stdin().lock().lines() {
            let line = line.context("cannot read standard input")?;
            if !line.is_empty() {
                paths.push(PathBuf::from(line));
            }
        }
    }
    let mut start = 0;
    while start < paths.len() {
        // Stage a batch: load files in parallel until the byte budget is reached.
        let mut end = start;
        let mut bytes = 0usize;
        while end < paths.len() && (end == start || bytes < BATCH_BYTES) && end - start < 65536 {
            bytes += std::fs::metadata(&paths[end])
                .map(|m| m.len() as usize)
                .unwrap_or(0);
            end += 1;
        }
        let batch_paths = &paths[start..end];
        let ids: Vec<ObjectId> = if as_file {
            let batch = ws.as_ref().map(|w| BatchWriter::new(&w.odb));
            let store: &dyn ObjectStore = match &batch {
                Some(b) => b,
                None => &HashOnly,
            };
            let ids = batch_paths
                .par_iter()
                .map(|p| store_path(store, p))
                .collect::<anyhow::Result<Vec<_>>>()?;
            if let Some(b) = batch {
                b.flush()?;
            }
            ids
        } else if ws.is_none() && !matches!(kind, ObjectType::Commit | ObjectType::Tag) {
            batch_paths
                .par_iter()
                .map(|p| hash_path(kind, p))
                .collect::<anyhow::Result<_>>()?
        } else {
            let contents: Vec<Vec<u8>> = batch_paths
                .par_iter()
                .map(|p| load(p))
                .collect::<anyhow::Result<_>>()?;
            if !a.literally {
                for c in &contents {
                    validate(kind, c)?;
                }
            }
            match &ws {
                Some(ws) => {
                    let objs: Vec<(ObjectType, &[u8])> =
                        contents.iter().map(|c| (kind, c.as_slice())).collect();
                    ws.odb.write_batch(&objs)?
                }
                None => contents.iter().map(|c| hash_object(kind, c)).collect(),
            }
        };
        for id in ids {
            super::out(writeln!(out, "{id}"))?;
        }
        start = end;
    }
    super::out(out.flush())?;
    Ok(0)
}
