//! `hako init [PATH]`: create a workspace whose first container (`default`)
//! starts from a small usable root filesystem (busybox from the host).

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
    /// Leave the first container without commits (no seed root filesystem).
    #[arg(long)]
    empty: bool,
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
    let seeded = if a.empty {
        None
    } else {
        Some(super::seed_container(&ws, a.quiet)?)
    };
    if !a.quiet {
        let dir = ws.dir.display();
        let c = &ws.container;
        match seeded {
            None => println!("Initialized empty hako workspace in {dir}/ (container '{c}', no commits)"),
            Some((id, busybox)) => println!(
                "Initialized hako workspace in {dir}/ with container '{c}': {}, commit {} on branch {}",
                if busybox {
                    "a busybox root filesystem"
                } else {
                    "a root filesystem without programs (no busybox on this host)"
                },
                id.short(),
                hako::workspace::DEFAULT_BRANCH
            ),
        }
    }
    Ok(0)
}
