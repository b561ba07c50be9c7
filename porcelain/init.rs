//! `hako init [PATH]`: create a workspace whose first container (`default`)
//! starts from a small usable root filesystem (busybox from the host).

use std::path::PathBuf;

use anyhow::Context;

use hako::container::seed_rootfs;
use hako::object::{ObjectType, EMPTY_TREE_PAYLOAD};
use hako::refs::Expect;
use hako::store::{BatchWriter, ObjectStore};
use hako::workspace::Workspace;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Where to create the workspace (default: the current directory).
    path: Option<PathBuf>,
    /// Print nothing.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Leave the first container without commits (no seed root filesystem).
    #[arg(long)]
    empty: bool,
}

/// Give a container with no commits its first commit: the seed root filesystem.
pub fn seed_container(ws: &Workspace, quiet: bool) -> anyhow::Result<hako::ObjectId> {
    let batch = BatchWriter::new(&ws.odb);
    let (tree, found) = seed_rootfs(&batch)?;
    batch.flush()?;
    if !found && !quiet {
        eprintln!("note: busybox is not installed on this host (apt-get install busybox-static); the root filesystem has no programs");
    }
    let commit = plumbing::commit_tree::commit_tree(ws, tree, &[], "initial root filesystem")?;
    ws.refs.update(
        "HEAD",
        commit,
        Expect::Absent,
        &ws.committer()?,
        "init: initial root filesystem",
    )?;
    Ok(commit)
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let root = match &a.path {
        Some(p) => {
            std::fs::create_dir_all(p)
                .with_context(|| format!("cannot create '{}'", p.display()))?;
            p.clone()
        }
        None => std::env::current_dir()?,
    };
    let root = root
        .canonicalize()
        .with_context(|| format!("cannot resolve '{}'", root.display()))?;
    let ws = Workspace::init(&root)?;
    // The empty tree is always present, so a first commit can name it.
    ws.odb.write(ObjectType::Tree, EMPTY_TREE_PAYLOAD)?;
    if !a.empty {
        seed_container(&ws, a.quiet)?;
    }
    if !a.quiet {
        println!("Initialized empty hako workspace in {}/", ws.dir.display());
    }
    Ok(0)
}
