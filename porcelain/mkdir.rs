//! `hako mkdir [-p] PATH…`: create directories in the working root.

use anyhow::bail;

use hako::container::display_path;
use hako::prolly::dir::{self, Entry, S_IFDIR};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Create parents as needed; an existing directory is not an error.
    #[arg(short = 'p', long)]
    parents: bool,
    /// Directories to create (absolute, or relative to the current directory).
    #[arg(required = true)]
    paths: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let all = super::resolve_all(&ws, &a.paths)?;
    super::edit_working(&ws, |batch, mut root| {
        for comps in &all {
            let shown = display_path(comps);
            match super::lookup(batch, &root, comps)? {
                Some(e) if e.is_dir() && a.parents => continue,
                Some(_) => bail!("{shown}: already exists"),
                None => {}
            }
            if !a.parents && comps.len() > 1 {
                match super::lookup(batch, &root, &comps[..comps.len() - 1])? {
                    Some(p) if p.is_dir() => {}
                    Some(_) => bail!(
                        "{}: not a directory",
                        display_path(&comps[..comps.len() - 1])
                    ),
                    None => bail!(
                        "{}: no such directory (use -p)",
                        display_path(&comps[..comps.len() - 1])
                    ),
                }
            }
            let empty = dir::empty(batch)?;
            root = super::put(
                batch,
                &root,
                comps,
                Some(Entry::new(comps.last().unwrap(), S_IFDIR | 0o755, empty)),
            )?;
        }
        Ok(root)
    })?;
    Ok(0)
}
