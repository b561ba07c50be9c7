//! `hako new-container NAME [--from REF]`: create a container.

use hako::refs::Expect;
use hako::revparse::{peel_to_commit, rev_parse};
use hako::workspace::Workspace;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// The new container's name (letters, digits, `.`, `_`, `-`).
    name: String,
    /// Start from this commit (of the active container, or `-c` one) instead
    /// of the seed root filesystem.
    #[arg(long, value_name = "REF")]
    from: Option<String>,
    /// Start with no commits at all.
    #[arg(long, conflicts_with = "from")]
    empty: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let start = match &a.from {
        Some(r) => Some(peel_to_commit(&ws.odb, rev_parse(ws.repo(), r)?)?),
        None => None,
    };
    ws.create_container(&a.name)?;
    let c = Workspace::open_with(&ws.dir, Some(&a.name))?;
    match start {
        Some(id) => c.refs.update(
            "HEAD",
            id,
            Expect::Absent,
            &c.committer()?,
            &format!("new-container: from {}", a.from.as_deref().unwrap_or("")),
        )?,
        None if !a.empty => {
            super::seed_container(&c, false)?;
        }
        None => {}
    }
    Ok(0)
}
