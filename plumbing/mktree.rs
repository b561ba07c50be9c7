//! `hako mktree`: build a tree from `ls-tree`-format lines on stdin.

use std::io::Read;

use anyhow::{bail, Context};

use hako::prolly::dir::{self, Entry, Meta, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG};
use hako::store::{BatchWriter, ObjectStore};
use hako::{ObjectId, ObjectType};

#[derive(clap::Args)]
pub struct Args {
    /// Input lines are NUL-terminated (names are taken verbatim).
    #[arg(short = 'z')]
    nul: bool,
    /// Allow ids of objects that are not stored.
    #[arg(long)]
    missing: bool,
}

fn parse_meta(fields: &[&str]) -> anyhow::Result<Meta> {
    let mut m = Meta::default();
    for f in fields {
        let (k, v) = f
            .split_once('=')
            .with_context(|| format!("bad field '{f}'"))?;
        match k {
            "uid" => m.uid = v.parse().with_context(|| format!("bad uid '{v}'"))?,
            "gid" => m.gid = v.parse().with_context(|| format!("bad gid '{v}'"))?,
            "mtime" => {
                let bad = || format!("bad mtime '{v}'");
                let (secs, nsec) = v.split_once('.').unwrap_or((v, "0"));
                m.mtime = Some(secs.parse().with_context(bad)?);
                m.mtime_nsec = nsec.parse().with_context(bad)?;
                if nsec.len() != 9 && nsec != "0" || m.mtime_nsec > 999_999_999 {
                    bail!(bad());
                }
            }
            "link" => {
                let l = hako::oid::from_hex_bytes(v).with_context(|| format!("bad link '{v}'"))?;
                hako::prolly::dir::check_link_path(&l)?;
                m.link = Some(l);
            }
            "rdev" => {
                let (a, b) = v
                    .split_once(',')
                    .with_context(|| format!("bad rdev '{v}'"))?;
                m.rdev = Some((a.parse()?, b.parse()?));
            }
            "xattr" => {
                let (n, val) = v
                    .split_once(':')
                    .with_context(|| format!("bad xattr '{v}'"))?;
                let n = hako::oid::from_hex_bytes(n)
                    .with_context(|| format!("bad xattr name '{n}'"))?;
                let val = hako::oid::from_hex_bytes(val)
                    .with_context(|| format!("bad xattr value '{val}'"))?;
                m.xattrs.push((n, val));
            }
            _ => bail!("unknown field '{k}'"),
        }
    }
    Ok(m)
}

/// Unquote a C-quoted name ("a\tb") as ls-tree prints it.
fn unquote(s: &str) -> anyhow::Result<Vec<u8>> {
    let Some(inner) = s.strip_prefix('"').and_then(|x| x.strip_suffix('"')) else {
        return Ok(s.as_bytes().to_vec());
    };
    let b = inner.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let c = *b.get(i + 1).context("bad quoting")?;
        i += 2;
        match c {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'"' => out.push(b'"'),
            b'\\' => out.push(b'\\'),
            b'0'..=b'7' => {
                let oct = std::str::from_utf8(b.get(i - 1..i + 2).context("bad octal escape")?)?;
                out.push(u8::from_str_radix(oct, 8).context("bad octal escape")?);
                i += 2;
            }
            _ => bail!("bad escape in {s}"),
        }
    }
    Ok(out)
}

pub fn parse_line(line: &[u8], nul: bool) -> anyhow::Result<Entry> {
    let shown = String::from_utf8_lossy(line).to_string();
    let tab = line
        .iter()
        .position(|&c| c == b'\t')
        .with_context(|| format!("input is not in ls-tree format: '{shown}'"))?;
    let head = std::str::from_utf8(&line[..tab]).with_context(|| format!("bad line '{shown}'"))?;
    let name_raw = &line[tab + 1..];
    let name = if nul {
        name_raw.to_vec()
    } else {
        unquote(std::str::from_utf8(name_raw).context("name is not UTF-8; use -z")?)?
    };
    let fields: Vec<&str> = head.split(' ').collect();
    if fields.len() < 3 {
        bail!("input is not in ls-tree format: '{shown}'");
    }
    let mode = u32::from_str_radix(fields[0], 8)
        .with_context(|| format!("unknown mode '{}'", fields[0]))?;
    let kind = fields[1];
    let id =
        ObjectId::from_hex(fields[2]).with_context(|| format!("bad object id '{}'", fields[2]))?;
    let meta = parse_meta(&fields[3..])?;
    let e = Entry {
        name,
        mode,
        id,
        meta,
    };
    e.validate()?;
    let want = e.kind_name();
    if kind != want && !(kind == "file" && e.is_file()) {
        bail!(
            "entry '{}': mode {:06o} needs type {want}, not {kind}",
            String::from_utf8_lossy(&e.name),
            mode
        );
    }
    Ok(e)
}

fn check_object(store: &dyn ObjectStore, e: &Entry) -> anyhow::Result<()> {
    let name = String::from_utf8_lossy(&e.name);
    let (kind, _) = store.read_header(&e.id).with_context(|| {
        format!(
            "entry '{name}': object {} is not stored (use --missing)",
            e.id
        )
    })?;
    let ok = match e.mode & S_IFMT {
        S_IFDIR => kind == ObjectType::Tree,
        S_IFREG => matches!(kind, ObjectType::Blob | ObjectType::File),
        S_IFLNK => kind == ObjectType::Blob,
        _ => true,
    };
    if !ok {
        bail!(
            "entry '{name}': object {} is a {kind}, which mode {:06o} cannot hold",
            e.id,
            e.mode
        );
    }
    Ok(())
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let mut input = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut input)
        .context("cannot read standard input")?;
    let mut entries = Vec::new();
    let mut checked = std::collections::HashSet::new();
    let sep = if a.nul { 0 } else { b'\n' };
    for line in input.split(|&c| c == sep) {
        if line.is_empty() {
            continue;
        }
        let e = parse_line(line, a.nul)?;
        if !a.missing && !e.id.is_zero() && checked.insert((e.id, e.mode & S_IFMT)) {
            check_object(&ws.odb, &e)?;
        }
        entries.push(e);
    }
    for w in entries.windows(2) {
        if w[0].name >= w[1].name {
            bail!(
                "entries not sorted or duplicated: '{}' then '{}'",
                String::from_utf8_lossy(&w[0].name),
                String::from_utf8_lossy(&w[1].name)
            );
        }
    }
    let batch = BatchWriter::new(&ws.odb);
    let id = dir::build(&batch, entries)?;
    batch.flush()?;
    println!("{id}");
    Ok(0)
}
