//! `hako mount [REV] MOUNTPOINT [-f]`: serve a tree read-only through FUSE;
//! `hako mount --rw MOUNTPOINT`: serve the container's working root
//! read-write, folding writes into it (format-spec/runtime.md).
//!
//! Without `-f` the command spawns itself detached (new session, `-f`, the
//! tree already resolved to an id) and returns once the child reports the
//! mount is up, or fails with the child's error. The server unmounts cleanly
//! on SIGINT/SIGTERM; `hako umount` unmounts from outside.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context};

use hako::container::working_root;
use hako::revparse::rev_parse_tree;
use hako::runtime::rwfs::{Target, WorkingFs};
use hako::runtime::treefs::TreeFs;

use crate::plumbing;

/// Set in the detached child: print `READY` on stdout once mounted.
const NOTIFY_ENV: &str = "HAKO_MOUNT_NOTIFY";

#[derive(clap::Args)]
pub struct Args {
    /// Stay in the foreground (serve until unmounted or interrupted).
    #[arg(short, long)]
    foreground: bool,
    /// Mount the container's working root read-write: what host tools write
    /// lands in it (folded on fsync, every 5 s and at unmount).
    #[arg(long)]
    rw: bool,
    /// `[REV] MOUNTPOINT`: a commit, branch, tag or tree id (default HEAD) and
    /// an existing empty directory.
    #[arg(num_args = 1..=2, value_names = ["REV", "MOUNTPOINT"], required = true)]
    args: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let notify = std::env::var_os(NOTIFY_ENV).is_some();
    if notify {
        close_inherited_fds();
    }
    let (rev, mp) = match a.args.as_slice() {
        [mp] => ("HEAD", mp),
        [rev, mp] => (rev.as_str(), mp),
        _ => bail!("usage: hako mount [REV] MOUNTPOINT"),
    };
    if a.rw && a.args.len() == 2 {
        bail!("--rw mounts the container's working root: give no REV");
    }
    let ws = plumbing::open_workspace()?;
    let tree = if a.rw {
        working_root(&ws)?
    } else {
        rev_parse_tree(ws.repo(), rev)?
    };
    let mp = PathBuf::from(mp);
    if !mp.is_dir() {
        bail!(
            "mountpoint '{}' does not exist or is not a directory",
            mp.display()
        );
    }
    let mp = std::fs::canonicalize(&mp)?;
    if std::fs::read_dir(&mp)?.next().is_some() {
        bail!("mountpoint '{}' is not empty", mp.display());
    }
    if !a.foreground {
        let what = if a.rw { None } else { Some(tree.to_string()) };
        return spawn_detached(what.as_deref(), &mp);
    }
    if a.rw {
        let spill = ws
            .dir
            .join("tmp")
            .join(format!("mount-{}", std::process::id()));
        let fs = WorkingFs::new(ws, tree, Target::Working, spill.clone(), false)?;
        let r = fs.clone().serve(&mp, "hako", || {
            if notify {
                println!("READY");
            }
        });
        let _ = std::fs::remove_dir_all(&spill);
        if let Some(e) = fs.take_error() {
            eprintln!("warning: {e}");
        }
        r?;
        return Ok(0);
    }
    let fs = TreeFs::new(ws.odb, tree)?;
    fs.serve(&mp, "hako", || {
        if notify {
            println!("READY");
        }
    })?;
    Ok(0)
}

/// The detached server keeps only stdin, stdout and stderr: a descriptor
/// inherited from the caller's shell (a pipe a test harness or `$(…)` reads)
/// would otherwise stay open as long as the mount.
fn close_inherited_fds() {
    let fds: Vec<i32> = match std::fs::read_dir("/proc/self/fd") {
        Ok(d) => d
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .filter(|&fd| fd > 2)
            .collect(),
        Err(_) => return,
    };
    for fd in fds {
        let _ = nix::unistd::close(fd);
    }
}

/// Run `hako mount -f TREE MP` (or `--rw MP` when TREE is None) in a new
/// session; wait for its `READY`.
fn spawn_detached(tree: Option<&str>, mp: &Path) -> anyhow::Result<i32> {
    let exe = std::env::current_exe().context("cannot find the hako executable")?;
    let mut cmd = Command::new(exe);
    if let Some(c) = plumbing::CONTAINER.get() {
        cmd.arg("-c").arg(c);
    }
    cmd.arg("mount").arg("-f");
    match tree {
        Some(t) => cmd.arg(t),
        None => cmd.arg("--rw"),
    };
    cmd.arg(mp)
        .env(NOTIFY_ENV, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn().context("cannot start the mount server")?;
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped");
    BufReader::new(stdout).read_line(&mut line)?;
    if line.trim() == "READY" {
        // The server keeps running; its later output goes nowhere.
        return Ok(0);
    }
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let status = child.wait()?;
    let msg = err
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("fatal: ")
        .to_string();
    if msg.is_empty() {
        bail!("mount server exited ({status}) before the mount was ready");
    }
    bail!("{msg}")
}
