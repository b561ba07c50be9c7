//! `hako show-ref`: list refs (`<id> <name>`), or verify one.

use std::io::Write;

use anyhow::bail;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    kinds: super::RefKinds,
    /// Print only the ids.
    #[arg(short = 's', long)]
    hash: bool,
    /// Also show HEAD.
    #[arg(long)]
    head: bool,
    /// Require an exact full ref name for each PATTERN.
    #[arg(long)]
    verify: bool,
    /// Print nothing; only the exit status tells.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Patterns matched against the tail of ref names (whole components).
    patterns: Vec<String>,
}

fn tail_matches(name: &str, pat: &str) -> bool {
    name == pat || name.ends_with(&format!("/{pat}"))
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut shown = 0;
    let print = |out: &mut dyn Write, id: hako::ObjectId, name: &str| -> anyhow::Result<()> {
        if !a.quiet {
            if a.hash {
                super::out(writeln!(out, "{id}"))?;
            } else {
                super::out(writeln!(out, "{id} {name}"))?;
            }
        }
        Ok(())
    };
    if a.verify {
        if a.patterns.is_empty() {
            return Err(super::usage("hako show-ref --verify REF…"));
        }
        for p in &a.patterns {
            match ws.refs.resolve(p).ok().flatten() {
                Some(id) if p == "HEAD" || p.starts_with("refs/") => print(&mut out, id, p)?,
                _ => {
                    if a.quiet {
                        return Ok(1);
                    }
                    bail!("'{p}' - not a valid ref");
                }
            }
        }
        super::out(out.flush())?;
        return Ok(0);
    }
    if a.head {
        if let Some(id) = ws.refs.resolve("HEAD")? {
            print(&mut out, id, "HEAD")?;
            shown += 1;
        }
    }
    for (name, id) in ws.refs.list("refs/")? {
        if !a.kinds.shows(&name) {
            continue;
        }
        if !a.patterns.is_empty() && !a.patterns.iter().any(|p| tail_matches(&name, p)) {
            continue;
        }
        print(&mut out, id, &name)?;
        shown += 1;
    }
    super::out(out.flush())?;
    Ok(if shown == 0 { 1 } else { 0 })
}
