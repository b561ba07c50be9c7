//! `hako commit -m MSG`: snapshot the working root on the current branch.

use anyhow::bail;

use hako::commit::{commit_working_with, WorkingCommit};
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
    let how = WorkingCommit {
        message: &msg,
        reflog_prefix: "commit",
        mark_initial: true,
        allow_empty: a.allow_empty,
    };
    let Some(id) = commit_working_with(&ws, &how, || super::test_pause("commit"))? else {
        println!("nothing to commit, working root clean");
        return Ok(1);
    };
    if !a.quiet {
        let summary = clean_message(&msg).lines().next().unwrap_or("").to_string();
        println!("{} {summary}", id.short());
    }
    super::auto_gc(&ws);
    Ok(0)
}
