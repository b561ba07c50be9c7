//! `hako update-server-info`: write the static files a dumb-HTTP mirror
//! serves (format-spec/dumb-http.md): loose objects packed, then
//! `objects/info/packs`, then `info/refs`.

use std::io::Write;

use hako::transport::dumb::update_server_info;

#[derive(clap::Args)]
pub struct Args {
    /// Say what was written.
    #[arg(short, long)]
    verbose: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let info = update_server_info(&ws)?;
    if a.verbose {
        let mut out = std::io::stdout().lock();
        super::out(writeln!(
            out,
            "packed {} loose objects; {} packs; {} refs",
            info.packed_loose, info.packs, info.refs
        ))?;
    }
    Ok(0)
}
