//! `hako reflog [REF]`: where a ref has been, newest first.

use std::io::Write;

use anyhow::bail;

use hako::revparse::dwim_ref;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// A ref (default HEAD).
    r#ref: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let name = a.r#ref.as_deref().unwrap_or("HEAD");
    let full = if name == "HEAD" {
        "HEAD".to_string()
    } else {
        match dwim_ref(&ws.refs, name)? {
            Some((f, _)) => f,
            None => bail!("ref '{name}' not found"),
        }
    };
    let mut out = std::io::stdout().lock();
    for (i, e) in ws.refs.reflog(&full)?.iter().enumerate() {
        plumbing::out(writeln!(
            out,
            "{} {name}@{{{i}}}: {}",
            e.new.short(),
            e.message
        ))?;
    }
    Ok(0)
}
