//! `hako remote [-v] | add NAME URL | remove NAME | rename OLD NEW |
//! set-url NAME URL | get-url NAME`: the named remotes of the workspace
//! (`[remote "NAME"] url = …` in `.hako/config`), as in git.

use std::io::Write;

use anyhow::bail;
use hako::refs::{Expect, RefStore};
use hako::transport::sync::{check_remote_name, remotes, stored_url};
use hako::workspace::Config;

#[derive(clap::Args)]
pub struct Args {
    /// Show URLs.
    #[arg(short, long)]
    verbose: bool,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Add a remote.
    Add { name: String, url: String },
    /// Remove a remote and its remote-tracking refs.
    #[command(alias = "rm")]
    Remove { name: String },
    /// Rename a remote and its remote-tracking refs.
    Rename { old: String, new: String },
    /// Change a remote's URL.
    SetUrl { name: String, url: String },
    /// Print a remote's URL.
    GetUrl { name: String },
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = crate::plumbing::open_workspace()?;
    let cfg = ws.dir.join("config");
    let known = remotes(&ws);
    let exists = |n: &str| known.iter().any(|(k, _)| k == n);
    match a.cmd {
        None => {
            let mut out = std::io::stdout().lock();
            for (name, url) in &known {
                if a.verbose {
                    crate::plumbing::out(writeln!(out, "{name}\t{url} (fetch)"))?;
                    crate::plumbing::out(writeln!(out, "{name}\t{url} (push)"))?;
                } else {
                    crate::plumbing::out(writeln!(out, "{name}"))?;
                }
            }
        }
        Some(Cmd::Add { name, url }) => {
            check_remote_name(&name)?;
            if exists(&name) {
                bail!("remote {name} already exists");
            }
            let url = stored_url(&url)?;
            Config::edit(&cfg, &format!("remote.{name}.url"), Some(&url))?;
        }
        Some(Cmd::SetUrl { name, url }) => {
            if !exists(&name) {
                bail!("no such remote '{name}'");
            }
            let url = stored_url(&url)?;
            Config::edit(&cfg, &format!("remote.{name}.url"), Some(&url))?;
        }
        Some(Cmd::GetUrl { name }) => match known.iter().find(|(k, _)| *k == name) {
            Some((_, url)) => crate::plumbing::out(writeln!(std::io::stdout(), "{url}"))?,
            None => bail!("no such remote '{name}'"),
        },
        Some(Cmd::Remove { name }) => {
            if !exists(&name) {
                bail!("no such remote '{name}'");
            }
            Config::edit_section(&cfg, "remote", &name, None)?;
            let who = ws.committer()?;
            for c in ws.containers()? {
                let refs = RefStore::new(&ws.container_dir(&c));
                for (r, id) in refs.list(&format!("refs/remotes/{name}/"))? {
                    refs.delete(&r, Expect::Value(id), &who, "remote remove")?;
                }
            }
        }
        Some(Cmd::Rename { old, new }) => {
            check_remote_name(&new)?;
            if !exists(&old) {
                bail!("no such remote '{old}'");
            }
            if exists(&new) {
                bail!("remote {new} already exists");
            }
            Config::edit_section(&cfg, "remote", &old, Some(&new))?;
            let who = ws.committer()?;
            let msg = format!("remote rename {old} {new}");
            for c in ws.containers()? {
                let refs = RefStore::new(&ws.container_dir(&c));
                let prefix = format!("refs/remotes/{old}/");
                for (r, id) in refs.list(&prefix)? {
                    let to = format!("refs/remotes/{new}/{}", &r[prefix.len()..]);
                    let mut tx = refs.transaction();
                    tx.update(&to, id, Expect::Absent, &msg);
                    tx.delete(&r, Expect::Value(id), &msg);
                    tx.commit(&who)?;
                }
            }
            // Upstreams that named the old remote.
            for e in ws.config.entries() {
                if let Some(b) = e
                    .name
                    .strip_prefix("branch.")
                    .and_then(|r| r.strip_suffix(".remote"))
                {
                    if e.value.as_deref() == Some(old.as_str()) {
                        Config::edit(&cfg, &format!("branch.{b}.remote"), Some(&new))?;
                    }
                }
            }
        }
    }
    Ok(0)
}
