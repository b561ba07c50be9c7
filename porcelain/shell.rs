//! `hako shell [CONTAINER]`: `hako run -it CONTAINER /bin/sh`.

use clap::Parser;

#[derive(clap::Args)]
pub struct Args {
    /// Discard what the shell writes.
    #[arg(long)]
    rm: bool,
    /// The container or revision (default: the active container).
    target: Option<String>,
}

#[derive(Parser)]
struct RunLine {
    #[command(flatten)]
    args: super::run::Args,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let mut line = vec!["run".to_string(), "-i".into(), "-t".into()];
    if a.rm {
        line.push("--rm".into());
    }
    line.extend(a.target);
    line.push("/bin/sh".into());
    let r = RunLine::try_parse_from(line)?;
    super::run::run(r.args)
}
