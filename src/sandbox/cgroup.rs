//! cgroup v2 limits for the sandbox, where cgroup2 is mounted and the needed
//! controllers are delegated to the caller; otherwise a reason to print.
//!
//! Hosts with hybrid hierarchies (v1 controllers, cgroup2 at
//! /sys/fs/cgroup/unified with no controllers) are detected with statfs.
#![warn(missing_docs)]

use std::path::PathBuf;

use super::config::CgroupLimits;
use super::sys::{self, cstr};

const CGROUP2_SUPER_MAGIC: i64 = 0x6367_7270;

/// A cgroup made for one sandbox, removed when dropped.
pub struct SandboxCgroup {
    dir: PathBuf,
}

/// Why cgroup limits cannot be applied: CONDITION in a few stable words (the
/// same on every run of this host), WHY with the details.
#[derive(Debug, thiserror::Error)]
#[error("{why}")]
pub struct Unavailable {
    pub condition: String,
    pub why: String,
}

/// Create a child cgroup with LIMITS under the caller's own cgroup, or say why not.
pub fn create(limits: &CgroupLimits) -> Result<SandboxCgroup, Unavailable> {
    let mount = cgroup2_mount().ok_or_else(|| Unavailable {
        condition: "cgroup2 not mounted".into(),
        why: "cgroup2 is not mounted".into(),
    })?;
    let own = std::fs::read_to_string("/proc/self/cgroup").map_err(|e| Unavailable {
        condition: "no /proc/self/cgroup".into(),
        why: format!("cannot read /proc/self/cgroup: {e}"),
    })?;
    let rel = own
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .ok_or_else(|| Unavailable {
            condition: "no cgroup v2 membership".into(),
            why: "this process has no cgroup v2 membership".into(),
        })?;
    let parent = mount.join(rel.trim_start_matches('/'));
    let mut wanted = Vec::new();
    if limits.pids.is_some() {
        wanted.push("pids");
    }
    if limits.memory.is_some() {
        wanted.push("memory");
    }
    if limits.cpus.is_some() {
        wanted.push("cpu");
    }
    let enabled =
        std::fs::read_to_string(parent.join("cgroup.subtree_control")).unwrap_or_default();
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|c| !enabled.split_whitespace().any(|e| e == *c))
        .collect();
    if !missing.is_empty() {
        let available =
            std::fs::read_to_string(parent.join("cgroup.controllers")).unwrap_or_default();
        if let Some(c) = missing
            .iter()
            .find(|c| !available.split_whitespace().any(|a| a == **c))
        {
            return Err(Unavailable {
                condition: format!("{c} controller not available"),
                why: format!(
                    "the {c} controller is not available in cgroup2 at {} (hybrid v1/v2 hierarchy or not delegated)",
                    parent.display()
                ),
            });
        }
        let add: Vec<String> = missing.iter().map(|c| format!("+{c}")).collect();
        std::fs::write(parent.join("cgroup.subtree_control"), add.join(" ")).map_err(|e| {
            Unavailable {
                condition: format!("cannot enable {}", missing.join(",")),
                why: format!(
                    "cannot enable {} in {}: {e}",
                    missing.join(","),
                    parent.join("cgroup.subtree_control").display()
                ),
            }
        })?;
    }
    let dir = parent.join(format!("hako-{}", sys::getpid()));
    std::fs::create_dir(&dir).map_err(|e| Unavailable {
        condition: "cgroup not delegated".into(),
        why: format!(
            "cannot create {}: {e} (cgroup not delegated)",
            dir.display()
        ),
    })?;
    let cg = SandboxCgroup { dir };
    let set = |file: &str, value: String| -> Result<(), Unavailable> {
        std::fs::write(cg.dir.join(file), &value).map_err(|e| Unavailable {
            condition: format!("cannot write {file}"),
            why: format!(
                "cannot write {value} to {}: {e}",
                cg.dir.join(file).display()
            ),
        })
    };
    if let Some(p) = limits.pids {
        set("pids.max", p.to_string())?;
    }
    if let Some(m) = limits.memory {
        set("memory.max", m.to_string())?;
        // No swap beyond the limit either, where swap accounting exists.
        let _ = std::fs::write(cg.dir.join("memory.swap.max"), "0");
    }
    if let Some(c) = limits.cpus {
        let period = 100_000u64;
        set(
            "cpu.max",
            format!("{} {period}", ((c * period as f64) as u64).max(1000)),
        )?;
    }
    Ok(cg)
}

/// The cgroup2 mount point: /sys/fs/cgroup (unified) or /sys/fs/cgroup/unified
/// (hybrid); None where cgroup2 is not mounted.
fn cgroup2_mount() -> Option<PathBuf> {
    ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"]
        .into_iter()
        .find(|p| sys::statfs_type(&cstr(p)) == Ok(CGROUP2_SUPER_MAGIC))
        .map(PathBuf::from)
}

impl SandboxCgroup {
    /// Move PID into the cgroup.
    pub fn attach(&self, pid: libc::pid_t) -> Result<(), super::Error> {
        let procs = self.dir.join("cgroup.procs");
        std::fs::write(&procs, pid.to_string()).map_err(|err| super::Error::CgroupAttach {
            cgroup: self.dir.clone(),
            pid,
            procs,
            err,
        })
    }
}

impl Drop for SandboxCgroup {
    fn drop(&mut self) {
        // The last processes of the pid namespace may still be exiting: retry briefly.
        for _ in 0..200 {
            match std::fs::remove_dir(&self.dir) {
                Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                    std::thread::sleep(std::time::Duration::from_millis(5))
                }
                _ => return,
            }
        }
    }
}
