//! Plumbing: one file per command. Each turns its arguments into engine calls
//! and prints a stable, script-friendly result.

pub mod cat_file;
pub mod commit_tree;
pub mod enter;
pub mod for_each_ref;
pub mod hash_object;
pub mod rev_list;
pub mod rev_parse;
pub mod show_ref;
pub mod symbolic_ref;
pub mod unshare_exec;
pub mod update_ref;

use std::fmt;

use hako::workspace::Workspace;

/// An error that carries its own exit status (e.g. 125 for sandbox setup).
#[derive(Debug)]
pub struct Fatal {
    pub code: i32,
    pub message: String,
}

impl fmt::Display for Fatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Fatal {}

/// Open the workspace for the current directory (after `-C`), honouring `HAKO_DIR`.
pub fn open_workspace() -> anyhow::Result<Workspace> {
    let cwd = std::env::current_dir()?;
    Ok(Workspace::discover(&cwd)?)
}

/// Write to stdout, treating a closed pipe as success (like `git log | head`).
pub fn out(r: std::io::Result<()>) -> anyhow::Result<()> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        r => Ok(r?),
    }
}

/// Print a tree node or chunked-file object in `ls-tree` form.
pub fn print_tree_like(
    _ws: &Workspace,
    kind: hako::ObjectType,
    data: &[u8],
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    // Only the empty tree exists before the prolly-tree engine; print it as empty.
    if kind == hako::ObjectType::Tree && data == hako::object::EMPTY_TREE_PAYLOAD {
        return Ok(());
    }
    out.write_all(data)?;
    Ok(())
}
