//! `hako tag`: list, create (lightweight or `-a -m` annotated), delete (`-d`).

use std::io::Write;

use anyhow::bail;

use hako::commit::create_tag;
use hako::object::clean_message;
use hako::refs::{check_short_name, Expect};
use hako::revparse::rev_parse;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Make an annotated tag object.
    #[arg(short = 'a', long)]
    annotate: bool,
    /// Tag message (implies -a).
    #[arg(short = 'm', long = "message", value_name = "MSG")]
    message: Option<String>,
    /// Delete the tag.
    #[arg(short = 'd', long)]
    delete: bool,
    /// Replace an existing tag.
    #[arg(short = 'f', long)]
    force: bool,
    /// The tag's name (without it, list the tags).
    name: Option<String>,
    /// What to tag (default HEAD).
    target: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let who = ws.committer()?;
    let Some(name) = &a.name else {
        let mut out = std::io::stdout().lock();
        for (r, _) in ws.refs.list("refs/tags/")? {
            plumbing::out(writeln!(out, "{}", r.trim_start_matches("refs/tags/")))?;
        }
        return Ok(0);
    };
    check_short_name("tags", name)?;
    let full = format!("refs/tags/{name}");
    if a.delete {
        let Some(id) = ws.refs.resolve(&full)? else {
            bail!("tag '{name}' not found");
        };
        ws.refs
            .delete(&full, Expect::Value(id), &who, "tag: deleted")?;
        println!("Deleted tag '{name}' (was {})", id.short());
        return Ok(0);
    }
    let target = rev_parse(ws.repo(), a.target.as_deref().unwrap_or("HEAD"))?;
    let existing = ws.refs.resolve(&full)?;
    if existing.is_some() && !a.force {
        bail!("tag '{name}' already exists");
    }
    let id = if a.annotate || a.message.is_some() {
        let Some(msg) = &a.message else {
            return Err(plumbing::usage(
                "hako tag -a -m MSG NAME [REF] (an annotated tag needs a message)",
            ));
        };
        if clean_message(msg).is_empty() {
            bail!("empty tag message");
        }
        create_tag(&ws.odb, target, name, ws.commit_committer()?, msg)?
    } else {
        target
    };
    let expect = Expect::unchanged(existing);
    ws.refs.update(&full, id, expect, &who, "tag")?;
    Ok(0)
}
