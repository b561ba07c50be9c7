//! `hako bootstrap`: check what this host gives the runtime (user
//! namespaces, overlay, FUSE, subordinate ids, pasta, cgroups, busybox)
//! and say how to enable what is missing.

use std::io::Write;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Print only what is missing (nothing when all is there).
    #[arg(short = 'q', long)]
    quiet: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace().ok();
    let checks = hako::runtime::hostcheck::checks(ws.as_ref());
    let out = &mut std::io::stdout().lock();
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    if !a.quiet {
        plumbing::out(writeln!(
            out,
            "what this host gives hako's runtime (uid {}, Linux {}):",
            nix::unistd::geteuid(),
            release.trim()
        ))?;
    }
    for c in &checks {
        if a.quiet && c.ok {
            continue;
        }
        let mark = if c.ok { "ok  " } else { "MISS" };
        plumbing::out(writeln!(out, "{mark} {:<16} {}", c.what, c.detail))?;
        plumbing::out(writeln!(out, "     {:<16} for {}", "", c.used_by))?;
        if let Some(fix) = &c.fix {
            plumbing::out(writeln!(out, "     {:<16} fix: {fix}", ""))?;
        }
    }
    let ok = |w: &str| checks.iter().any(|c| c.what == w && c.ok);
    let path = if ok("overlay") {
        "overlay"
    } else if ok("FUSE") {
        "FUSE"
    } else {
        "--materialize (a checkout per run)"
    };
    if !ok("user namespaces") {
        plumbing::out(writeln!(
            out,
            "hako run cannot work here: it needs user namespaces"
        ))?;
        return Ok(1);
    }
    if !a.quiet {
        plumbing::out(writeln!(out, "hako run works here; its data path: {path}"))?;
    }
    Ok(0)
}
