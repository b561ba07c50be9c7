//! `hako show [REV | REV:PATH]`: a commit with its patch, an annotated
//! tag then what it names, a tree's entries, or a file's content.

use std::io::Write;

use hako::object::{CommitRef, ObjectType, TagRef};
use hako::prolly::dir::{self, diff_recursive};
use hako::prolly::file;
use hako::revparse::rev_parse;
use hako::store::ObjectStore;
use hako::worktree;
use hako::ObjectId;

use crate::plumbing;
use crate::porcelain::patch;

#[derive(clap::Args)]
pub struct Args {
    /// A revision (default HEAD), or REV:PATH for a file or directory in it.
    #[arg(default_value = "HEAD")]
    object: String,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if let (Some(_), _) = worktree::split_ref_path(&a.object) {
        let loc = worktree::locate(&ws, &a.object)?;
        let Some((_, e)) = worktree::follow(&ws.odb, &loc.root, &loc.comps)? else {
            return Err(hako::Error::NoSuchPath(loc.shown()).into());
        };
        if e.is_dir() {
            show_tree(&ws.odb, &e.id, &a.object, &mut out)?;
        } else if e.is_file() {
            file::write_to(&ws.odb, &e.id, &mut out)?;
        } else {
            anyhow::bail!("{}: not a regular file or directory", loc.shown());
        }
        plumbing::out(out.flush())?;
        return Ok(0);
    }
    let mut id = rev_parse(ws.repo(), &a.object)?;
    loop {
        let o = ws.odb.read(&id)?;
        match o.kind {
            ObjectType::Tag => {
                let t = TagRef::parse(&o.data)?;
                let tagger = hako::identity::Signature::parse(t.tagger)?;
                writeln!(out, "tag {}", t.name)?;
                writeln!(out, "Tagger: {} <{}>", tagger.name, tagger.email)?;
                writeln!(out, "Date:   {}", tagger.date_string())?;
                writeln!(out)?;
                out.write_all(t.message)?;
                writeln!(out)?;
                id = t.object;
            }
            ObjectType::Commit => {
                let c = CommitRef::parse(&o.data)?;
                show_commit(&ws, &id, &c, &mut out)?;
                break;
            }
            ObjectType::Tree => {
                show_tree(&ws.odb, &id, &a.object, &mut out)?;
                break;
            }
            _ => {
                file::write_to(&ws.odb, &id, &mut out)?;
                break;
            }
        }
    }
    plumbing::out(out.flush())?;
    Ok(0)
}

/// The commit as `log` shows it, then its patch against its first parent.
fn show_commit(
    ws: &hako::workspace::Workspace,
    id: &ObjectId,
    c: &CommitRef,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    crate::porcelain::write_commit_medium(out, id, c, "")?;
    let parent_tree = match c.parents.as_slice() {
        [] => hako::object::empty_tree_id(),
        [p] => hako::container::commit_tree_of(ws, p)?,
        _ => return Ok(()),
    };
    let mut changes = Vec::new();
    diff_recursive(&ws.odb, &parent_tree, &c.tree, true, b"", &mut changes)?;
    if !changes.is_empty() {
        writeln!(out)?;
        patch::write_patch(&ws.odb, &changes, out)?;
    }
    Ok(())
}

/// `tree SPEC`, a blank line, then the entries (directories with `/`).
fn show_tree(
    store: &dyn hako::store::ObjectStore,
    id: &ObjectId,
    spec: &str,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    writeln!(out, "tree {spec}")?;
    writeln!(out)?;
    for e in dir::list(store, id)? {
        let name = String::from_utf8_lossy(&e.name);
        if e.is_dir() {
            writeln!(out, "{name}/")?;
        } else {
            writeln!(out, "{name}")?;
        }
    }
    Ok(())
}
