//! `hako branch`: list, create (`NAME [START]`), delete (`-d`), rename (`-m`).

use std::io::Write;

use anyhow::bail;

use hako::refs::{check_short_name, Expect};
use hako::revparse::{peel_to_commit, rev_parse};
use hako::revwalk::is_ancestor;
use hako::store::ObjectStore;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Delete the branch (it must be merged into HEAD).
    #[arg(short = 'd', long)]
    delete: bool,
    /// Delete the branch even if it is not merged (`-D` = `-d --force`).
    #[arg(short = 'D', hide = true)]
    delete_force: bool,
    /// With -d: delete even if not merged into HEAD.
    #[arg(short = 'f', long)]
    force: bool,
    /// Rename OLD to NEW (`-m NEW` renames the current branch).
    #[arg(short = 'm', long = "move")]
    rename: bool,
    /// Print the current branch's name (nothing when HEAD is detached).
    #[arg(long, conflicts_with_all = ["delete", "rename", "name"])]
    show_current: bool,
    /// List with each branch's commit and subject.
    #[arg(short = 'v', long)]
    verbose: bool,
    /// Branch name (or OLD with -m).
    name: Option<String>,
    /// Start point (default HEAD), or NEW with -m.
    start: Option<String>,
}

pub fn run(mut a: Args) -> anyhow::Result<i32> {
    if a.delete_force {
        a.delete = true;
        a.force = true;
    }
    let ws = plumbing::open_workspace()?;
    let who = ws.committer()?;
    let current = ws.refs.head_target()?;
    if a.show_current {
        if let Some(c) = current
            .as_deref()
            .and_then(|c| c.strip_prefix("refs/heads/"))
        {
            plumbing::out(writeln!(std::io::stdout(), "{c}"))?;
        }
        return Ok(0);
    }
    let Some(name) = &a.name else {
        let mut out = std::io::stdout().lock();
        let branches = ws.refs.list("refs/heads/")?;
        let width = branches
            .iter()
            .map(|(r, _)| r.len() - "refs/heads/".len())
            .max()
            .unwrap_or(0);
        for (r, id) in branches {
            let short = r.trim_start_matches("refs/heads/");
            let mark = if current.as_deref() == Some(r.as_str()) {
                '*'
            } else {
                ' '
            };
            if a.verbose {
                let o = ws.odb.read_typed(&id, hako::object::ObjectType::Commit)?;
                let c = hako::object::CommitRef::parse(&o.data)?;
                let subject = String::from_utf8_lossy(c.message)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                plumbing::out(writeln!(
                    out,
                    "{mark} {short:<width$} {} {subject}",
                    id.short()
                ))?;
            } else {
                plumbing::out(writeln!(out, "{mark} {short}"))?;
            }
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
        if !a.force {
            let merged = match ws.refs.resolve("HEAD")? {
                Some(head) => is_ancestor(&ws.odb, id, head)?,
                None => false,
            };
            if !merged {
                bail!(
                    "the branch '{name}' is not fully merged into HEAD; use 'branch -D {name}' to delete it anyway"
                );
            }
        }
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
        // One transaction: the new name, HEAD and the old name move together.
        let msg = format!("branch: renamed {of} to {nf}");
        let mut t = ws.refs.transaction();
        t.update(&nf, id, Expect::Absent, &msg);
        if current.as_deref() == Some(of.as_str()) {
            t.set_symbolic("HEAD", &nf, "");
        }
        t.delete(&of, Expect::Value(id), &msg);
        t.commit(&who)?;
        return Ok(0);
    }
    check_short_name("heads", name)?;
    let start = a.start.as_deref().unwrap_or("HEAD");
    let id = peel_to_commit(&ws.odb, rev_parse(ws.repo(), start)?)?;
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
