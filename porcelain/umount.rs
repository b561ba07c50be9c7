//! `hako umount MOUNTPOINT`: unmount a `hako mount` (through `fusermount3 -u`),
//! after an fsync that folds a read-write mount's writes into the working root.

use std::path::PathBuf;

use anyhow::{bail, Context};

#[derive(clap::Args)]
pub struct Args {
    /// Directory a `hako mount` is mounted on.
    mountpoint: PathBuf,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let mp = std::fs::canonicalize(&a.mountpoint)
        .with_context(|| format!("cannot access '{}'", a.mountpoint.display()))?;
    if !hako::runtime::fuse::mount::is_hako_mount(&mp)? {
        bail!("'{}' is not a hako mount", a.mountpoint.display());
    }
    // A read-write mount folds every write into the working root on fsync:
    // done before the unmount, `umount` returns with the writes in place.
    if let Ok(d) = std::fs::File::open(&mp) {
        let _ = d.sync_all();
    }
    // Busy can be transient: a sandbox starting elsewhere holds a copy of
    // every mount until it has made its own private. Retry for 3 s.
    for attempt in 0.. {
        let out = std::process::Command::new("fusermount3")
            .arg("-u")
            .arg("--")
            .arg(&mp)
            .stdin(std::process::Stdio::null())
            .output()
            .context("cannot run fusermount3 (install fuse3)")?;
        if out.status.success() {
            break;
        }
        let err = String::from_utf8_lossy(&out.stderr);
        let err = err.lines().next().unwrap_or("").trim();
        if !err.contains("busy") || attempt == 30 {
            bail!("cannot unmount '{}': {err}", a.mountpoint.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Ok(0)
}
