//! `hako count-objects [-v]`: how many objects are loose and packed, and
//! what garbage lies in the object directory.

use std::io::Write;

use hako::store::count_objects;

#[derive(clap::Args)]
pub struct Args {
    /// Every figure, one per line (`name: value`, sizes in KiB).
    #[arg(short = 'v', long)]
    verbose: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let c = count_objects(&ws.odb)?;
    let kib = |b: u64| b.div_ceil(1024);
    let mut out = std::io::stdout().lock();
    if a.verbose {
        super::out(write!(
            out,
            "count: {}\nsize: {}\nin-pack: {}\npacks: {}\nsize-pack: {}\nprune-packable: {}\ngarbage: {}\nsize-garbage: {}\n",
            c.loose,
            kib(c.loose_bytes),
            c.in_pack,
            c.packs,
            kib(c.pack_bytes),
            c.prune_packable,
            c.garbage,
            kib(c.garbage_bytes)
        ))?;
    } else {
        super::out(writeln!(
            out,
            "{} objects, {} kilobytes",
            c.loose,
            kib(c.loose_bytes)
        ))?;
    }
    Ok(0)
}
