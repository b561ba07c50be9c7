//! `hako commit -m MSG`: snapshot the working root on the current branch.

use anyhow::bail;

use hako::commit::create_commit_as_user;
use hako::container::{commit_tree_of, head_commit, move_head, read_working, working_root};
use hako::object::clean_message;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// The commit message (paragraphs if repeated).
    #[arg(short = 'm', long = "message", value_name = "MSG", required = true)]
    message: Vec<String>,
    /// Commit even if nothing changed.
    #[arg(long)]
    allow_empty: bool,
    /// Print nothing on success.
    #[arg(short = 'q', long)]
    quiet: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    // Writes of running overlay instances, folded now (runtime.md).
    hako::runtime::overlay::fold_running(&ws)?;
    let msg = a.message.join("\n\n");
    if let Some(st) = hako::merge::state::read_state(&ws.refs)? {
        let made = hako::merge::conclude(&ws, &st, Some(&msg))?;
        if !a.quiet {
            println!("{} {}", made.id.short(), made.summary);
        }
        return Ok(0);
    }
    if clean_message(&msg).is_empty() {
        bail!("empty commit message");
    }
    let raw = read_working(&ws)?;
    let tree = working_root(&ws)?;
    let parent = head_commit(&ws)?;
    if let Some(p) = parent {
        if commit_tree_of(&ws, &p)? == tree && !a.allow_empty {
            println!("nothing to commit, working root clean");
            return Ok(1);
        }
    }
    let parents: Vec<_> = parent.into_iter().collect();
    let id = create_commit_as_user(&ws, tree, &parents, &msg)?;
    let summary = clean_message(&msg).lines().next().unwrap_or("").to_string();
    let kind = if parent.is_none() {
        "commit (initial)"
    } else {
        "commit"
    };
    // Under the working root's lock: the tree committed is the working root
    // when HEAD moves (a write racing this commit is refused, not lost).
    super::test_pause("commit");
    move_head(&ws, raw, parent, id, tree, &format!("{kind}: {summary}"))?;
    if !a.quiet {
        println!("{} {summary}", id.short());
    }
    super::auto_gc(&ws);
    Ok(0)
}
