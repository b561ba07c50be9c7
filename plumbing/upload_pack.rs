//! `hako upload-pack DIR`: the serving end of a fetch, speaking
//! format-spec/protocol.md on stdin/stdout (run by `fetch` and `clone`
//! over ssh as `hako upload-pack '/path'`).

use std::path::PathBuf;

use hako::transport::connect::open_served;
use hako::transport::upload::upload_pack;

#[derive(clap::Args)]
pub struct Args {
    /// The workspace to serve: its root (holding .hako) or its .hako directory.
    dir: PathBuf,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = match open_served(&a.dir) {
        Ok(ws) => ws,
        Err(e) => {
            // Tell the client why, in the protocol, before failing.
            let mut w = hako::transport::pkt::PktWriter::new(std::io::stdout().lock());
            let _ = w.line(&format!("ERR {e}"));
            let _ = w.flush_io();
            return Err(e.into());
        }
    };
    upload_pack(&ws, std::io::stdin().lock(), std::io::stdout().lock())?;
    Ok(0)
}
