//! `hako del [-r] PATH…`: delete files (and, with -r, directories).

use anyhow::bail;

use hako::container::display_path;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Delete directories and everything in them.
    #[arg(short = 'r', long)]
    recursive: bool,
    /// Files or directories to delete.
    #[arg(required = true)]
    paths: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let all = super::resolve_all(&ws, &a.paths)?;
    super::edit_working(&ws, |batch, mut root| {
        for comps in &all {
            let shown = display_path(comps);
            if comps.is_empty() {
                bail!("refusing to delete the root directory");
            }
            match super::lookup(batch, &root, comps)? {
                None => bail!("{shown}: no such file or directory"),
                Some(e) if e.is_dir() && !a.recursive => bail!("{shown}: is a directory (use -r)"),
                Some(_) => root = super::put(batch, &root, comps, None)?,
            }
        }
        Ok(root)
    })?;
    Ok(0)
}
