//! `hako ps [-a] [--json]`: list instances (format-spec/runtime.md).

use hako::runtime::instance::{self, Status};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Also list instances that have exited or died.
    #[arg(short, long)]
    all: bool,
    /// Print a JSON array of objects instead of a table (times as seconds
    /// since the epoch).
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let mut rows = Vec::new();
    for i in instance::list(&ws)? {
        let status = i.effective_status();
        if !a.all && !matches!(status, Status::Created | Status::Running) {
            continue;
        }
        rows.push((i, status));
    }
    if a.json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|(i, st)| {
                serde_json::json!({
                    "id": i.id,
                    "name": i.name,
                    "container": i.container,
                    "rev": i.rev,
                    "mode": i.mode.name(),
                    "fs": i.fs.name(),
                    "pid": i.pid.map(|p| p.pid),
                    "command": i.command,
                    "created": i.created,
                    "finished": i.finished,
                    "status": st.name(),
                    "exit": i.exit,
                })
            })
            .collect();
        plumbing::out(writeln_json(&v))?;
        return Ok(0);
    }
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    plumbing::out(writeln!(
        out,
        "{:<12}  {:<12}  {:<12}  {:>7}  {:<10}  {:>4}  {:<16}  COMMAND",
        "ID", "NAME", "CONTAINER", "PID", "STATUS", "EXIT", "CREATED"
    ))?;
    let now = instance::now_secs();
    for (i, st) in &rows {
        plumbing::out(writeln!(
            out,
            "{:<12}  {:<12}  {:<12}  {:>7}  {:<10}  {:>4}  {:<16}  {}",
            i.id,
            i.name.as_deref().unwrap_or("-"),
            i.container.as_deref().unwrap_or(&i.rev),
            i.pid.map_or("-".into(), |p| p.pid.to_string()),
            st.name(),
            i.exit.map_or("-".into(), |e| e.to_string()),
            crate::porcelain::ago(now.saturating_sub(i.created)),
            i.command.join(" ")
        ))?;
    }
    Ok(0)
}

fn writeln_json(v: &[serde_json::Value]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)
}
