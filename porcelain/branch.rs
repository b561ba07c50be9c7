//! `hako branch`: list, create (`NAME [START]`), delete (`-d`), rename (`-m`).

use std::io::Write;

use anyhow::bail;

use hako::refs::{check_short_name, Expect};
use hako::revparse::{peel_to_commit, rev_parse};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Delete the branch.
    #[arg(short = 'd', long)]
    delete: bool,
    /// Rename OLD to NEW (`-m NEW` renames the current branch).
    #[arg(short = 'm', long = "move")]
    rename: bool,
    /// Branch name (or OLD with -m).
    name: Option<String>,
    /// Start point (default HEAD), or NEW with -m.
    start: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let who = ws.committer()?;
    let current = ws.refs.head_target()?;
    let Some(name) = &a.name else {
        let mut out = std::io::stdout().lock();
        for (r, _) in ws.refs.list("refs/heads/")? {
            let short = r.trim_start_matches("refs/heads/");
            let mark = if current.as_deref() == Some(r.as_str()) {
                '*'
            } else {
                ' '
            };
            plumbing::out(writeln!(out, "{mark} {short}"))?;
        }
        return Ok(0);
    };
    if a.delete {
        check_short_name("heads", name)?;
        let full = format!("refs/heads/{name}");
        if current.as_deref() == Some(full.as_str()) {
            bail!("cannot delete the current branch '{name}'");
        }
        let Some(id) = ws.refs.resolve(&full)? else {
            bail!("branch '{name}' not found");
        };
        ws.refs
            .delete(&full, Expect::Value(id), &who, "branch: deleted")?;
        println!("Deleted branch {name} (was {}).", id.short());
        return Ok(0);
    }
    if a.rename {
        let (old, new) = match &a.start {
            Some(new) => (name.clone(), new.clone()),
            None => match &current {
                Some(c) => (
                    c.trim_start_matches("refs/heads/").to_string(),
                    name.clone(),
                ),
                None => bail!("HEAD is detached: name the branch to rename"),
            },
        };
        check_short_name("heads", &old)?;
        check_short_name("heads", &new)?;
        let (of, nf) = (format!("refs/heads/{old}"), format!("refs/heads/{new}"));
        let Some(id) = ws.refs.resolve(&of)? else {
            bail!("branch '{old}' not found");
        };
        ws.refs.update(
            &nf,
            id,
            Expect::Absent,
            &who,
            &format!("branch: renamed {of} to {nf}"),
        )?;
        if current.as_deref() == Some(of.as_str()) {
            ws.refs.set_symbolic("HEAD", &nf)?;
        }
        ws.refs.delete(
            &of,
            Expect::Value(id),
            &who,
            &format!("branch: renamed {of} to {nf}"),
        )?;
        return Ok(0);
    }
    check_short_name("heads", name)?;
    let start = a.start.as_deref().unwrap_or("HEAD");
    let id = peel_to_commit(&ws, rev_parse(&ws, start)?)?;
    let full = format!("refs/heads/{name}");
    if ws.refs.resolve(&full)?.is_some() {
        bail!("a branch named '{name}' already exists");
    }
    ws.refs.update(
        &full,
        id,
        Expect::Absent,
        &who,
        &format!("branch: created from {start}"),
    )?;
    Ok(0)
}
