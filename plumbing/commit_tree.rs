//! `hako commit-tree`: create a commit object from a tree and parents.

use std::io::Read;

use anyhow::{bail, Context};

use hako::commit::create_commit_as_user;
use hako::revparse::{peel_to_commit, peel_to_tree, rev_parse};
use hako::workspace::Workspace;
use hako::ObjectId;

#[derive(clap::Args)]
pub struct Args {
    /// The tree (any expression resolving to a tree, or a commit's tree).
    tree: String,
    /// A parent commit (repeatable; order is kept).
    #[arg(short = 'p', value_name = "PARENT")]
    parents: Vec<String>,
    /// Message paragraph (repeatable); without -m or -F the message is read from stdin.
    #[arg(short = 'm', value_name = "MSG")]
    message: Vec<String>,
    /// Read the message from FILE (`-` for stdin).
    #[arg(short = 'F', value_name = "FILE")]
    file: Option<String>,
}

/// Resolve an expression to a tree: a tree itself, or what peels to one;
/// anything else is returned as is, for `create_commit` to refuse.
fn resolve_tree(ws: &Workspace, spec: &str) -> anyhow::Result<ObjectId> {
    let id = rev_parse(ws.repo(), spec)?;
    Ok(peel_to_tree(&ws.odb, id).unwrap_or(id))
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let tree = resolve_tree(&ws, &a.tree)?;
    let mut parents = Vec::new();
    for p in &a.parents {
        let id = peel_to_commit(&ws.odb, rev_parse(ws.repo(), p)?)?;
        if parents.contains(&id) {
            bail!("duplicate parent {id}");
        }
        parents.push(id);
    }
    let message = if let Some(f) = &a.file {
        let mut s = String::new();
        if f == "-" {
            std::io::stdin()
                .read_to_string(&mut s)
                .context("cannot read standard input")?;
        } else {
            s = std::fs::read_to_string(f).with_context(|| format!("cannot read '{f}'"))?;
        }
        s
    } else if !a.message.is_empty() {
        a.message.join("\n\n")
    } else {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read standard input")?;
        s
    };
    let id = create_commit_as_user(&ws, tree, &parents, &message)?;
    println!("{id}");
    Ok(0)
}
