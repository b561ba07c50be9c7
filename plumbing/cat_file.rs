//! `hako cat-file`: show an object's type, size or content; `--batch` modes.

use std::io::{BufRead, Write};

use anyhow::bail;

use hako::object::{ObjectType, TagRef};
use hako::revparse::rev_parse;
use hako::store::ObjectStore;
use hako::workspace::Workspace;
use hako::Error;

#[derive(clap::Args)]
#[command(group = clap::ArgGroup::new("mode").args(["t", "s", "p", "e", "batch", "batch_check"]))]
pub struct Args {
    /// Show the object's type.
    #[arg(short = 't')]
    t: bool,
    /// Show the object's size.
    #[arg(short = 's')]
    s: bool,
    /// Pretty-print the object's content.
    #[arg(short = 'p')]
    p: bool,
    /// Exit 0 if the object exists and is valid, 1 otherwise; print nothing.
    #[arg(short = 'e')]
    e: bool,
    /// For each name on stdin print `<id> <type> <size>` LF, the content, LF.
    #[arg(long)]
    batch: bool,
    /// For each name on stdin print `<id> <type> <size>`.
    #[arg(long)]
    batch_check: bool,
    /// TYPE OBJECT, or OBJECT with -t/-s/-p/-e.
    args: Vec<String>,
}

/// Pretty-print an object to `out` (trees are printed by ls-tree's format).
pub fn pretty(
    ws: &Workspace,
    kind: ObjectType,
    data: &[u8],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match kind {
        ObjectType::Tree | ObjectType::File => super::print_tree_like(ws, kind, data, out),
        _ => Ok(out.write_all(data)?),
    }
}

fn batch(ws: &Workspace, with_content: bool) -> anyhow::Result<i32> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let name = line?;
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let id = match rev_parse(ws, name) {
            Ok(id) => id,
            Err(Error::Ambiguous(_)) => {
                super::out(writeln!(out, "{name} ambiguous"))?;
                continue;
            }
            Err(Error::BadObjectName(_) | Error::NotFound(_)) => {
                super::out(writeln!(out, "{name} missing"))?;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if with_content {
            let o = ws.odb.read(&id)?;
            super::out(writeln!(out, "{id} {} {}", o.kind, o.data.len()))?;
            super::out(out.write_all(&o.data))?;
            super::out(writeln!(out))?;
        } else {
            let (k, n) = ws.odb.read_header(&id)?;
            super::out(writeln!(out, "{id} {k} {n}"))?;
        }
        // Let a driving script see each answer before it sends the next name.
        super::out(out.flush())?;
    }
    Ok(0)
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    if a.batch || a.batch_check {
        if !a.args.is_empty() {
            bail!("--batch and --batch-check take object names on standard input, not arguments");
        }
        return batch(&ws, a.batch);
    }
    let mode = a.t || a.s || a.p || a.e;
    let (want, name) = match (mode, a.args.as_slice()) {
        (true, [name]) => (None, name),
        (false, [t, name]) => (Some(t.parse::<ObjectType>()?), name),
        (true, _) => bail!("usage: hako cat-file (-t|-s|-p|-e) OBJECT"),
        (false, _) => bail!("usage: hako cat-file TYPE OBJECT (or -t|-s|-p|-e OBJECT)"),
    };
    if a.e {
        let ok = rev_parse(&ws, name).and_then(|id| ws.odb.read(&id)).is_ok();
        return Ok(if ok { 0 } else { 1 });
    }
    let id = rev_parse(&ws, name)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.t || a.s {
        let o = ws.odb.read(&id)?;
        if a.t {
            super::out(writeln!(out, "{}", o.kind))?;
        } else {
            super::out(writeln!(out, "{}", o.data.len()))?;
        }
    } else if a.p {
        let o = ws.odb.read(&id)?;
        pretty(&ws, o.kind, &o.data, &mut out)?;
    } else {
        let want = want.expect("type given");
        let mut o = ws.odb.read(&id)?;
        // Peel tags when another type is asked for, as git does.
        while o.kind == ObjectType::Tag && want != ObjectType::Tag {
            let target = TagRef::parse(&o.data)?.object;
            o = ws.odb.read(&target)?;
        }
        if o.kind != want {
            bail!("{name}: object {id} is a {}, not a {want}", o.kind);
        }
        super::out(out.write_all(&o.data))?;
    }
    super::out(out.flush())?;
    Ok(0)
}
