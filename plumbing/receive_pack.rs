//! `hako receive-pack DIR`: the receiving end of a push, speaking
//! format-spec/protocol.md on stdin/stdout (run by `push` over ssh as
//! `hako receive-pack '/path'`). Received objects are verified in
//! quarantine before any ref moves.

use std::path::PathBuf;

use hako::transport::receive::receive_pack;

#[derive(clap::Args)]
pub struct Args {
    /// The workspace to update: its root (holding .hako) or its .hako directory.
    dir: PathBuf,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_served_or_tell(&a.dir)?;
    // Refused updates and a refused pack are reported in the protocol; the
    // exit status says only whether the conversation itself completed.
    receive_pack(&ws, std::io::stdin().lock(), std::io::stdout().lock())?;
    Ok(0)
}
