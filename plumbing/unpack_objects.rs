//! `hako unpack-objects`: store the objects of a pack read from standard
//! input as loose objects (the whole pack is verified first).

use hako::pack::ingest::unpack_objects;

#[derive(clap::Args)]
pub struct Args {
    /// Print nothing.
    #[arg(short = 'q')]
    quiet: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let n = unpack_objects(&ws.odb, &mut std::io::stdin().lock())?;
    if !a.quiet {
        eprintln!("Unpacked {n} objects");
    }
    Ok(0)
}
