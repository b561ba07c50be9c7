//! `hako cat-file`: show an object's type, size or content; `--batch` modes.

use std::io::{BufRead, Write};

use anyhow::bail;

use hako::object::{ObjectType, TagRef};
use hako::revparse::rev_parse;
use hako::store::ObjectStore;
use hako::workspace::Workspace;
use hako::{Error, ObjectId};

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

/// Pretty-print an object: a tree as its `ls-tree` listing, a chunked file
/// as its content (streamed chunk by chunk), anything else as it is.
fn pretty(ws: &Workspace, id: &ObjectId, out: &mut dyn Write) -> anyhow::Result<()> {
    match ws.odb.read_header(id)?.0 {
        ObjectType::File => hako::prolly::file::write_to(&ws.odb, id, out)?,
        ObjectType::Tree => {
            let mut kinds = super::EntryKinds::new(ws);
            for e in hako::prolly::dir::TreeCursor::new(&ws.odb, id)? {
                let e = e?;
                let k = kinds.kind(&e)?;
                writeln!(
                    out,
                    "{}",
                    super::ls_tree_line(&e, k, &super::quote_path(&e.name))
                )?;
            }
        }
        _ => out.write_all(&ws.odb.read(id)?.data)?,
    }
    Ok(())
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
        let id = match rev_parse(ws.repo(), name) {
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
            return Err(super::usage(
                "hako cat-file --batch|--batch-check (object names on standard input, not arguments)",
            ));
        }
        return batch(&ws, a.batch);
    }
    let mode = a.t || a.s || a.p || a.e;
    let (want, name) = match (mode, a.args.as_slice()) {
        (true, [name]) => (None, name),
        (false, [t, name]) => (Some(t.parse::<ObjectType>()?), name),
        (true, _) => return Err(super::usage("hako cat-file (-t|-s|-p|-e) OBJECT")),
        (false, _) => {
            return Err(super::usage(
                "hako cat-file TYPE OBJECT (or -t|-s|-p|-e OBJECT)",
            ))
        }
    };
    if a.e {
        let ok = rev_parse(ws.repo(), name)
            .and_then(|id| ws.odb.read(&id))
            .is_ok();
        return Ok(if ok { 0 } else { 1 });
    }
    let id = rev_parse(ws.repo(), name)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.t || a.s {
        let o = ws.odb.read(&id)?;
        if a.t {
            super::out(writeln!(out, "{}", o.kind))?;
        } else {
            super::out(writeln!(out, "{}", o.data.len()))?;
        }
    } else if a.p {
        pretty(&ws, &id, &mut out)?;
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
