//! `hako cache ls | prepare TREE | prune | verify | probe | fold`: the
//! checkout cache of overlay instances (format-spec/runtime.md, "The
//! checkout cache"), and the fold from an upper directory, for scripts and
//! tests.

use std::io::Write;
use std::path::PathBuf;

use hako::cache::{self, Kind};
use hako::revparse::rev_parse_tree;
use hako::runtime::overlay::{self, IdMap, Presentation, Probe};

use crate::plumbing;

/// The arguments: one of the subcommands.
#[derive(clap::Subcommand)]
pub enum Args {
    /// List entries: name, kind, depth, files, bytes, last use (seconds since the epoch), base.
    Ls,
    /// Make a tree ready as an overlay lower and print the lowerdir= value.
    Prepare {
        /// The presentation profile: with owners, xattrs and devices (default: when root).
        #[arg(long, overrides_with = "no_owners")]
        owners: bool,
        /// Without owners (files owned by the caller).
        #[arg(long)]
        no_owners: bool,
        /// The profile of `run --map-users`: owners through the caller's
        /// subordinate ids, written in a user namespace.
        #[arg(long, conflicts_with_all = ["owners", "no_owners"])]
        map_users: bool,
        /// Say on stderr how the entry was made.
        #[arg(short, long)]
        verbose: bool,
        /// A tree-ish.
        tree: String,
    },
    /// Remove entries of unreachable trees and apply the size cap.
    Prune {
        /// The size cap (bytes, k, m or g suffix; 0: none); default cache.maxSize.
        #[arg(long)]
        max_size: Option<String>,
        /// Print each entry removed.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Check entries (quick check; --full: content and attributes against the trees).
    Verify {
        #[arg(long)]
        full: bool,
    },
    /// Whether overlay instances work here (remembered per host, kernel and user).
    Probe {
        /// Probe again instead of using the remembered answer.
        #[arg(long)]
        force: bool,
    },
    /// Fold an overlay upper directory onto a tree and print the new tree.
    Fold {
        /// The tree the lower presented.
        #[arg(long)]
        base: String,
        /// The lower was prepared with owners (default: when root).
        #[arg(long, overrides_with = "no_owners")]
        owners: bool,
        #[arg(long)]
        no_owners: bool,
        /// A uid range INSIDE:OUTSIDE:COUNT of the sandbox (repeatable; default: 0:euid:1, or 0:0:65536 as root).
        #[arg(long)]
        uid_map: Vec<String>,
        /// A gid range, likewise.
        #[arg(long)]
        gid_map: Vec<String>,
        /// Also move the container's working root from BASE to the result
        /// (the changes applied onto it if it moved meanwhile); prints the working root then.
        #[arg(long)]
        working: bool,
        upper: PathBuf,
    },
}

fn profile(owners: bool, no_owners: bool) -> bool {
    if owners || no_owners {
        owners
    } else {
        nix::unistd::geteuid().is_root()
    }
}

fn ranges(specs: &[String], what: &str) -> anyhow::Result<Vec<(u32, u32, u32)>> {
    specs
        .iter()
        .map(|s| {
            let n: Vec<u32> = s.split(':').filter_map(|x| x.parse().ok()).collect();
            match n[..] {
                [i, o, c] if s.split(':').count() == 3 => Ok((i, o, c)),
                _ => Err(plumbing::usage(format!(
                    "--{what} '{s}': expected INSIDE:OUTSIDE:COUNT"
                ))),
            }
        })
        .collect()
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let mut out = std::io::stdout().lock();
    match a {
        Args::Ls => list(&ws, &mut out)?,
        Args::Prepare {
            owners,
            no_owners,
            map_users,
            verbose,
            tree,
        } => {
            let tree = rev_parse_tree(ws.repo(), &tree)?;
            let profile = if map_users {
                cache::Profile::Mapped(hako::sandbox::subordinate_maps()?)
            } else if profile(owners, no_owners) {
                cache::Profile::Owners
            } else {
                cache::Profile::Plain
            };
            let p = cache::prepare(&ws, &tree, &profile)?;
            if let Some(why) = &p.damaged {
                eprintln!("warning: cache entry damaged, rebuilt: {why}");
            }
            for s in &p.skipped {
                eprintln!("warning: not created: {s}");
            }
            if verbose {
                match &p.written {
                    None => eprintln!("cached"),
                    Some(Kind::Full) => eprintln!("written: full, {} new copies", p.copies),
                    Some(Kind::Layer { base }) => {
                        eprintln!("written: layer over {base}, {} new copies", p.copies)
                    }
                }
            }
            let lower = p.lower.expect("prepare returns a lower");
            plumbing::out(writeln!(out, "{}", lower.lowerdir()))?;
        }
        Args::Prune { max_size, verbose } => {
            let max = match max_size {
                None => cache::max_size(&ws)?,
                Some(v) => {
                    let n = hako::config::parse_size(&v)
                        .ok_or_else(|| plumbing::usage(format!("--max-size '{v}': not a size")))?;
                    (n > 0).then_some(n)
                }
            };
            let keep = hako::maint::reach::root_trees(&ws)?;
            let r = cache::prune(&ws, |t| keep.contains(t), max)?;
            for w in r.foreign_warnings(&ws) {
                eprintln!("warning: {w}");
            }
            if verbose {
                for (n, why) in &r.entries {
                    plumbing::out(writeln!(out, "removed {n} ({why})"))?;
                }
            }
        }
        Args::Verify { full } => {
            let damage = cache::verify(&ws, full)?;
            for d in &damage {
                plumbing::out(writeln!(out, "error in cache entry {}: {}", d.entry, d.why))?;
            }
            return Ok(i32::from(!damage.is_empty()));
        }
        Args::Probe { force } => match overlay::probe(&ws, force)? {
            Probe::Yes => plumbing::out(writeln!(out, "yes"))?,
            Probe::No(why) => {
                plumbing::out(writeln!(out, "no: {why}"))?;
                return Ok(1);
            }
        },
        Args::Fold {
            base,
            owners,
            no_owners,
            uid_map,
            gid_map,
            working,
            upper,
        } => {
            let base = rev_parse_tree(ws.repo(), &base)?;
            let p = Presentation {
                owners: profile(owners, no_owners),
                ..presentation(&uid_map, &gid_map)?
            };
            let id = fold(&ws, base, &p, working, &upper)?;
            plumbing::out(writeln!(out, "{id}"))?;
        }
    }
    Ok(0)
}

/// `cache ls`: one line per entry.
fn list(ws: &hako::workspace::Workspace, out: &mut impl Write) -> anyhow::Result<()> {
    for e in cache::list(ws)? {
        let used = e
            .last_use
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let line = match &e.record {
            Ok(r) => {
                let (kind, base) = match &r.kind {
                    Kind::Full => ("full", "-"),
                    Kind::Layer { base } => ("layer", base.as_str()),
                };
                format!(
                    "{}\t{kind}\t{}\t{}\t{}\t{used}\t{base}",
                    e.name, r.depth, r.files, r.bytes
                )
            }
            Err(err) => format!("{}\tdamaged\t-\t-\t-\t{used}\t{err}", e.name),
        };
        plumbing::out(writeln!(out, "{line}"))?;
    }
    Ok(())
}

/// How `cache fold` reads owners: the caller's ids and the maps given
/// (default: root's identity map of 65536 ids, else the caller alone).
fn presentation(uid_map: &[String], gid_map: &[String]) -> anyhow::Result<Presentation> {
    let (uid, gid) = (
        nix::unistd::geteuid().as_raw(),
        nix::unistd::getegid().as_raw(),
    );
    let default = if uid == 0 {
        IdMap::identity(65536)
    } else {
        IdMap::single(uid, gid)
    };
    let map = IdMap {
        uids: match ranges(uid_map, "uid-map")? {
            r if r.is_empty() => default.uids,
            r => r,
        },
        gids: match ranges(gid_map, "gid-map")? {
            r if r.is_empty() => default.gids,
            r => r,
        },
    };
    Ok(Presentation {
        owners: false,
        host_uid: uid,
        host_gid: gid,
        map,
    })
}

/// `cache fold`: the tree `upper` folds to over `base`, or (`working`) the
/// working root after folding it there.
fn fold(
    ws: &hako::workspace::Workspace,
    base: hako::ObjectId,
    p: &Presentation,
    working: bool,
    upper: &std::path::Path,
) -> anyhow::Result<hako::ObjectId> {
    if working {
        let rec = overlay::Record {
            base,
            profile: if p.owners {
                cache::Profile::Owners
            } else {
                cache::Profile::Plain
            },
            map: p.map.clone(),
        };
        overlay::fold_into_working(ws, &rec, upper)?;
        return Ok(hako::container::working_root(ws)?);
    }
    let batch = hako::store::BatchWriter::new(&ws.odb);
    let id = overlay::fold_upper(&batch, &base, upper, p)?;
    batch.flush()?;
    Ok(id)
}
