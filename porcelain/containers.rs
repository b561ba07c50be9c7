//! `hako containers`: list containers, marking the active one with `*`.

use std::io::Write;

use hako::workspace::Workspace;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// JSON output: [{"name": ..., "active": ..., "head": ...}].
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let active = Workspace::active_container(&ws.dir)?;
    let mut out = std::io::stdout().lock();
    let names = ws.containers()?;
    if a.json {
        let items: Vec<String> = names
            .iter()
            .map(|n| -> anyhow::Result<String> {
                let c = Workspace::open_with(&ws.dir, Some(n))?;
                let head = c
                    .refs
                    .resolve("HEAD")?
                    .map(|h| format!("\"{h}\""))
                    .unwrap_or("null".into());
                Ok(format!(
                    "{{\"name\":\"{n}\",\"active\":{},\"head\":{head}}}",
                    *n == active
                ))
            })
            .collect::<anyhow::Result<_>>()?;
        plumbing::out(writeln!(out, "[{}]", items.join(",")))?;
        return Ok(0);
    }
    for n in names {
        plumbing::out(writeln!(out, "{} {n}", if n == active { '*' } else { ' ' }))?;
    }
    Ok(0)
}
