//! `hako write PATH [CONTENT]`: write bytes verbatim to a file in the working root.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;

use hako::container::{cwd, resolve_path};
use hako::worktree;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// The file to write (parents are created).
    path: String,
    /// The content (written as is, no newline added); omit or `-` to read stdin.
    content: Option<String>,
    /// Take the content from a host file (`-` for stdin).
    #[arg(long, short = 'f', value_name = "FILE", conflicts_with = "content")]
    from: Option<PathBuf>,
    /// Permission bits in octal (default: keep the old file's, else 644).
    #[arg(long, value_name = "OCTAL")]
    mode: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let comps = resolve_path(&cwd(&ws)?, &a.path)?;
    let data: Vec<u8> = match (&a.content, &a.from) {
        (Some(c), _) if c != "-" => c.as_bytes().to_vec(),
        (_, Some(f)) if f.as_os_str() != "-" => {
            std::fs::read(f).with_context(|| format!("cannot read '{}'", f.display()))?
        }
        _ => {
            let mut v = Vec::new();
            std::io::stdin()
                .read_to_end(&mut v)
                .context("cannot read standard input")?;
            v
        }
    };
    let perm = match &a.mode {
        Some(m) => Some(
            u32::from_str_radix(m, 8)
                .ok()
                .filter(|p| *p <= 0o7777)
                .with_context(|| format!("invalid mode '{m}'"))?,
        ),
        None => None,
    };
    worktree::write_file(&ws, &comps, &data, perm, || super::test_pause("write"))?;
    Ok(0)
}
