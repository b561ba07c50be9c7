//! `hako checkout-tree`: materialise a tree into a host directory.

use std::path::PathBuf;

use hako::hostfs::{checkout_tree, CheckoutOptions};
use hako::revparse::rev_parse_tree;

#[derive(clap::Args)]
pub struct Args {
    /// Apply recorded owners, xattrs and modification times (needs privilege).
    #[arg(long)]
    owners: bool,
    /// A tree-ish: tree id, commit, ref, or REV:DIR.
    tree: String,
    /// Destination directory (created if missing; must be empty).
    dir: PathBuf,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let tree = rev_parse_tree(ws.repo(), &a.tree)?;
    let report = checkout_tree(
        &ws.odb,
        &tree,
        &a.dir,
        &CheckoutOptions {
            owners: a.owners,
            devices: a.owners,
            root: None,
            ..Default::default()
        },
    )?;
    for s in &report.skipped {
        eprintln!("warning: not created: {s}");
    }
    Ok(0)
}
