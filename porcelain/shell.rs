//! `hako shell [CONTAINER]`: `hako run -it CONTAINER /bin/sh`.

#[derive(clap::Args)]
pub struct Args {
    /// Discard what the shell writes.
    #[arg(long)]
    rm: bool,
    /// The container or revision (default: the active container).
    target: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let mut r = super::run_cli::Args::defaults();
    r.interactive = true;
    r.tty = true;
    r.rm = a.rm;
    r.args = a
        .target
        .into_iter()
        .chain(["/bin/sh".to_string()])
        .collect();
    super::run_cli::run(r)
}
