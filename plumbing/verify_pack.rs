//! `hako verify-pack [-v] PACK.idx…`: check a pack's checksums, its index
//! and every object (deltas resolved).

use std::io::Write;
use std::path::PathBuf;

use hako::store::pack::Pack;

#[derive(clap::Args)]
pub struct Args {
    /// List every object: `<id> <type> <size> <record-length> <offset>`, then
    /// `<depth> <base>` for a delta; then a line per delta chain length.
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
        let mut chains: std::collections::BTreeMap<usize, usize> = Default::default();
        for i in pack.positions_by_offset() {
            let o = pack.read(i)?;
            let head = pack.record(i)?;
            let depth = pack.depth(i)?;
            if head.base.is_some() {
                *chains.entry(depth).or_default() += 1;
            }
            if a.verbose {
                let len = head.frame.end as u64 - pack.offset_at(i);
                super::out(write!(
                    out,
                    "{} {} {} {} {}",
                    pack.id_at(i),
                    o.kind,
                    o.data.len(),
                    len,
                    pack.offset_at(i)
                ))?;
                if let Some(b) = head.base {
                    super::out(write!(out, " {depth} {b}"))?;
                }
                super::out(writeln!(out))?;
            }
        }
        if a.verbose {
            for (depth, n) in &chains {
                super::out(writeln!(
                    out,
                    "chain length = {depth}: {n} object{}",
                    if *n == 1 { "" } else { "s" }
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
