//! `hako init`: create a workspace.

use std::path::PathBuf;

use anyhow::Context;

use hako::object::{ObjectType, EMPTY_TREE_PAYLOAD};
use hako::store::ObjectStore;
use hako::workspace::Workspace;

#[derive(clap::Args)]
pub struct Args {
    /// Where to create the workspace (default: the current directory).
    path: Option<PathBuf>,
    /// Print nothing.
    #[arg(short = 'q', long)]
    quiet: bool,
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
    if !a.quiet {
        println!("Initialized empty hako workspace in {}/", ws.dir.display());
    }
    Ok(0)
}
