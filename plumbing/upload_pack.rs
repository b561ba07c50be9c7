//! `hako upload-pack DIR`: the serving end of a fetch, speaking
//! format-spec/protocol.md on stdin/stdout (run by `fetch` and `clone`
//! over ssh as `hako upload-pack '/path'`).

use std::path::PathBuf;

use hako::transport::upload::upload_pack;

#[derive(clap::Args)]
pub struct Args {
    /// The workspace to serve: its root (holding .hako) or its .hako directory.
    dir: PathBuf,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_served_or_tell(&a.dir)?;
    upload_pack(&ws, std::io::stdin().lock(), std::io::stdout().lock())?;
    Ok(0)
}
