//! `hako verify-pack [-v] PACK.idx…`: check a pack's checksums and every object.

use std::io::Write;
use std::path::PathBuf;

use hako::store::pack::Pack;

#[derive(clap::Args)]
pub struct Args {
    /// List every object: `<id> <type> <size>`.
    #[arg(short = 'v', long)]
    verbose: bool,
    /// Pack index files (`.idx`; a `.pack` path is accepted too).
    #[arg(required = true)]
    packs: Vec<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for p in &a.packs {
        let idx = p.with_extension("idx");
        let pack = Pack::open(&idx)?;
        pack.verify_checksums()?;
        for i in 0..pack.len() {
            let o = pack.read(i)?;
            if a.verbose {
                super::out(writeln!(
                    out,
                    "{} {} {}",
                    pack.id_at(i),
                    o.kind,
                    o.data.len()
                ))?;
            }
        }
        super::out(writeln!(
            out,
            "{}: ok ({} objects)",
            idx.display(),
            pack.len()
        ))?;
    }
    super::out(out.flush())?;
    Ok(0)
}
