//! `hako images`: the images pulled into containers (format-spec/oci.md):
//! for each container, every pull commit on HEAD's first-parent line, newest
//! first.

use std::io::Write;

use hako::container::head_commit;
use hako::object::{CommitRef, ObjectType};
use hako::oci::record::PullRecord;
use hako::store::ObjectStore;
use hako::workspace::Workspace;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Full digests and sizes in bytes, tab-separated, no header.
    #[arg(long)]
    porcelain: bool,
}

fn human(n: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < units.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n}B")
    } else {
        format!("{v:.1}{}", units[u])
    }
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let mut rows = Vec::new();
    for name in ws.containers()? {
        let c = Workspace::open_with(&ws.dir, Some(&name))?;
        let mut next = head_commit(&c)?;
        while let Some(id) = next {
            let o = c.odb.read_typed(&id, ObjectType::Commit)?;
            let commit = CommitRef::parse(&o.data)?;
            if let Some(r) = PullRecord::parse(commit.message) {
                rows.push((name.clone(), r, id));
            }
            next = commit.parents.first().copied();
        }
    }
    let mut out = std::io::stdout().lock();
    if a.porcelain {
        for (name, r, id) in rows {
            plumbing::out(writeln!(
                out,
                "{name}\t{}\t{}\t{}\t{}\t{id}",
                r.image, r.digest, r.size, r.platform
            ))?;
        }
        return Ok(0);
    }
    let w_name = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(9);
    let w_image = rows
        .iter()
        .map(|r| r.1.image.len())
        .max()
        .unwrap_or(0)
        .max(5);
    plumbing::out(writeln!(
        out,
        "{:w_name$}  {:w_image$}  {:19}  {:>8}  COMMIT",
        "CONTAINER", "IMAGE", "DIGEST", "SIZE"
    ))?;
    for (name, r, id) in rows {
        plumbing::out(writeln!(
            out,
            "{name:w_name$}  {:w_image$}  {:19}  {:>8}  {}",
            r.image,
            hako::oci::reference::short_digest(&r.digest),
            human(r.size),
            id.short()
        ))?;
    }
    Ok(0)
}
