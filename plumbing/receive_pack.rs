//! `hako receive-pack DIR`: the receiving end of a push, speaking
//! format-spec/protocol.md on stdin/stdout (run by `push` over ssh as
//! `hako receive-pack '/path'`). Received objects are verified in
//! quarantine before any ref moves.

use std::path::PathBuf;

use hako::transport::connect::open_served;
use hako::transport::receive::receive_pack;

#[derive(clap::Args)]
pub struct Args {
    /// The workspace to update: its root (holding .hako) or its .hako directory.
    dir: PathBuf,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = match open_served(&a.dir) {
        Ok(ws) => ws,
        Err(e) => {
            let mut w = hako::transport::pkt::PktWriter::new(std::io::stdout().lock());
            let _ = w.line(&format!("ERR {e}"));
            let _ = w.flush_io();
            return Err(e.into());
        }
    };
    // Refused updates and a refused pack are reported in the protocol; the
    // exit status says only whether the conversation itself completed.
    receive_pack(&ws, std::io::stdin().lock(), std::io::stdout().lock())?;
    Ok(0)
}
