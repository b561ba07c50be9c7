//! `hako merge REF`: bring another branch's history into the current one
//! (format-spec/merge.md): fast-forward where possible, else a three-way
//! merge committed with two parents, or left in the working root with its
//! conflicts recorded until `add` resolves them and `merge --continue` (or
//! `commit`) records it.

use hako::merge::{Favor, MergeOptions, MergeRequest, Merged, Strategy};
use hako::revparse::{peel_to_commit, rev_parse};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// The branch, tag or commit to merge into the current branch.
    #[arg(required_unless_present_any = ["abort", "continue_"])]
    target: Option<String>,
    /// The merge commit's message (default "Merge REF").
    #[arg(short = 'm', value_name = "MSG")]
    message: Option<String>,
    /// Make a merge commit even when a fast-forward is possible.
    #[arg(long, conflicts_with = "ff_only")]
    no_ff: bool,
    /// Refuse unless the merge is a fast-forward.
    #[arg(long)]
    ff_only: bool,
    /// Put the merged tree in the working root without committing or recording a second parent.
    #[arg(long, conflicts_with_all = ["no_ff", "ff_only"])]
    squash: bool,
    /// Whole-merge strategy: the result is one side's tree as it is (`ours`
    /// records the other history as merged without taking any of it),
    /// always as a merge commit.
    #[arg(short = 's', long, value_name = "ours|theirs", value_parser = ["ours", "theirs"],
          conflicts_with_all = ["squash", "ff_only", "favor"])]
    strategy: Option<String>,
    /// Resolve conflicts in favour of one side.
    #[arg(short = 'X', value_name = "ours|theirs", value_parser = ["ours", "theirs"])]
    favor: Option<String>,
    /// Conflict markers include the base section.
    #[arg(long)]
    diff3: bool,
    /// Merge a history that shares no commit with the current one.
    #[arg(long)]
    allow_unrelated_histories: bool,
    /// Give up the merge in progress: HEAD and the working root as before it.
    #[arg(long, conflicts_with_all = ["target", "continue_"])]
    abort: bool,
    /// Record the merge in progress once every conflict is resolved (`hako add`).
    #[arg(long = "continue", id = "continue_", conflicts_with = "target")]
    continue_: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    if a.abort {
        hako::merge::abort(&ws)?;
        return Ok(0);
    }
    if a.continue_ {
        let made = hako::merge::continue_merge(&ws, a.message.as_deref())?;
        println!("{} {}", made.id.short(), made.summary);
        return Ok(0);
    }
    hako::merge::workflow::refuse_in_progress(&ws)?;
    let target = a.target.expect("clap requires it");
    crate::porcelain::refuse_if_running(&ws, "merge", false)?;
    let theirs = peel_to_commit(&ws.odb, rev_parse(ws.repo(), &target)?)?;
    let req = MergeRequest {
        message: a.message,
        no_ff: a.no_ff,
        ff_only: a.ff_only,
        squash: a.squash,
        strategy: a.strategy.as_deref().and_then(Strategy::from_name),
        options: MergeOptions {
            diff3: a.diff3,
            favor: Favor::named(a.favor.as_deref()),
        },
        allow_unrelated: a.allow_unrelated_histories,
    };
    match hako::merge::merge(&ws, &target, theirs, &req)? {
        Merged::UpToDate => println!("Already up to date."),
        Merged::Strategy { commit, strategy } => println!(
            "{} Merge made by the '{}' strategy.",
            commit.short(),
            strategy.name()
        ),
        Merged::FastForward { from, to } => {
            println!("Updating {}..{}\nFast-forward", from.short(), to.short())
        }
        Merged::Committed(made) => println!("{} {}", made.id.short(), made.summary),
        Merged::Squashed => println!(
            "Squash merge: the working root holds the result; 'hako merge --continue' commits it"
        ),
        Merged::Conflicts(conflicts) => {
            for (kind, path) in &conflicts {
                println!(
                    "CONFLICT ({}): /{}",
                    kind.name(),
                    plumbing::quote_path(path)
                );
            }
            println!("Automatic merge failed: fix the conflicts, 'hako add' each path, then 'hako merge --continue'.");
            return Ok(1);
        }
    }
    Ok(0)
}
