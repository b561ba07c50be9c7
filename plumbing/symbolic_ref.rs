//! `hako symbolic-ref`: read, set or delete a symbolic ref such as HEAD.

use anyhow::bail;

use hako::refs::RefValue;

#[derive(clap::Args)]
pub struct Args {
    /// Print nothing and exit 1 if NAME is not a symbolic ref.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Print the target without the refs/heads/ prefix.
    #[arg(long)]
    short: bool,
    /// Delete the symbolic ref.
    #[arg(short = 'd', long)]
    delete: bool,
    /// The symbolic ref (e.g. HEAD).
    name: String,
    /// Set NAME to point at this ref.
    target: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    hako::refs::check_ref_name(&a.name)?;
    if let Some(t) = &a.target {
        if !t.starts_with("refs/") {
            bail!("refusing to point {} outside refs/: '{t}'", a.name);
        }
        ws.refs.set_symbolic(&a.name, t)?;
        return Ok(0);
    }
    match ws.refs.read(&a.name)? {
        Some(RefValue::Symbolic(t)) => {
            if a.delete {
                let p = ws.refs.path(&a.name);
                std::fs::remove_file(&p)?;
                return Ok(0);
            }
            let shown = if a.short {
                t.strip_prefix("refs/heads/")
                    .or_else(|| t.strip_prefix("refs/tags/"))
                    .unwrap_or(&t)
            } else {
                &t
            };
            println!("{shown}");
            Ok(0)
        }
        _ if a.quiet => Ok(1),
        _ => bail!("ref {} is not a symbolic ref", a.name),
    }
}
