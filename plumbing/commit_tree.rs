//! `hako commit-tree`: create a commit object from a tree and parents.

use std::io::Read;

use anyhow::{bail, Context};

use hako::identity::Signature;
use hako::object::{clean_message, Commit, ObjectType};
use hako::revparse::{peel_to_commit, rev_parse};
use hako::store::ObjectStore;
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

/// Create and store a commit with the configured identity (refused when
/// there is none); the function porcelain `commit` calls too.
pub fn commit_tree(
    ws: &Workspace,
    tree: ObjectId,
    parents: &[ObjectId],
    message: &str,
) -> anyhow::Result<ObjectId> {
    let (author, committer) = (ws.commit_author()?, ws.commit_committer()?);
    commit_tree_as(ws, tree, parents, message, author, committer)
}

/// Create and store a commit by AUTHOR and COMMITTER.
pub fn commit_tree_as(
    ws: &Workspace,
    tree: ObjectId,
    parents: &[ObjectId],
    message: &str,
    author: Signature,
    committer: Signature,
) -> anyhow::Result<ObjectId> {
    let (kind, _) = ws.odb.read_header(&tree)?;
    if kind != ObjectType::Tree {
        bail!("{tree} is a {kind}, not a tree");
    }
    for p in parents {
        let (k, _) = ws.odb.read_header(p)?;
        if k != ObjectType::Commit {
            bail!("parent {p} is a {k}, not a commit");
        }
    }
    let msg = clean_message(message);
    let c = Commit {
        tree,
        parents: parents.to_vec(),
        author,
        committer,
        message: msg.into_bytes(),
    };
    Ok(ws.odb.write(ObjectType::Commit, &c.encode())?)
}

/// Resolve an expression to a tree: a tree itself, or a commit's tree.
pub fn resolve_tree(ws: &Workspace, spec: &str) -> anyhow::Result<ObjectId> {
    Ok(rev_parse(ws, &format!("{spec}^{{tree}}")).or_else(|_| rev_parse(ws, spec))?)
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let tree = resolve_tree(&ws, &a.tree)?;
    let mut parents = Vec::new();
    for p in &a.parents {
        let id = peel_to_commit(&ws, rev_parse(&ws, p)?)?;
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
    let id = commit_tree(&ws, tree, &parents, &message)?;
    println!("{id}");
    Ok(0)
}
