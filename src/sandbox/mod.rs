//! The rootless sandbox: namespaces, mounts, seccomp, landlock. With
//! `crate::sys::map_file`, the only place with `unsafe`.
#![warn(missing_docs)]

mod cgroup;
pub mod config;
mod confine;
pub(crate) mod enter;
pub mod error;
mod idmap;
pub(crate) mod mountinfo;
mod overlay;
pub(crate) mod probe;
mod pty;
mod rootfs;
mod spawn;
#[allow(unsafe_code)]
mod sys;

pub use config::{
    Bind, CgroupLimits, Config, EnvBase, NestedOverlay, NetMode, OverlayRoot, Rlimit, SeccompPolicy,
};
pub use confine::{cap_names, parse_cap, DEFAULT_CAPS};
pub use enter::{enter, EnterConfig};
pub use error::{ChildFailed, Error, ProbeError, Warning};
pub use idmap::{
    planned as planned_id_maps, run_in_user_namespace, subordinate_maps, IdMap, IdRanges,
};
pub use overlay::escape_overlay_path;
pub use overlay::probe_overlay;
pub use spawn::{block_supervised_signals, in_own_pool, passwd_home, DEFAULT_PATH, FORWARDED};
pub use spawn::{find_in_path, run, start, start_gated, Exit, Sandbox};

/// Read a pid file written by `unshare-exec --pid-file`: (pid, start time).
pub fn read_pid_file(path: &std::path::Path) -> Result<(i32, Option<u64>), Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("--pid-file '{}': {e}", path.display())))?;
    let pid = text
        .lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
        .filter(|&p: &i32| p > 0)
        .ok_or_else(|| {
            Error::Usage(format!(
                "--pid-file '{}': no pid on the first line",
                path.display()
            ))
        })?;
    // A process that started after the file was written is not the one it
    // names (the pid was reused): its start time is returned only when it is
    // no later than the file's mtime (plus a second of clock granularity).
    let written = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs());
    let start = process_start_time(pid);
    let started_at = start.and_then(|ticks| {
        let btime: u64 = std::fs::read_to_string("/proc/stat")
            .ok()?
            .lines()
            .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())?;
        Some(btime + ticks / sys::clock_ticks_per_second())
    });
    match (start, started_at, written) {
        (Some(s), Some(at), Some(w)) if at <= w + 1 => Ok((pid, Some(s))),
        (Some(_), Some(_), Some(_)) => Err(Error::Setup(format!(
            "enter: process {pid} is not the sandbox named in the pid file (it started after '{}' was written: the pid was reused)",
            path.display()
        ))),
        _ => Ok((pid, None)),
    }
}

/// fork(2) for the runtime's own processes (a detached supervisor, the FUSE
/// server): returns 0 in the child. The caller must be single-threaded.
pub fn fork_process() -> std::io::Result<libc::pid_t> {
    sys::fork().map_err(|e| std::io::Error::from_raw_os_error(e as i32))
}

/// Field 22 of /proc/PID/stat: tells a live process from a reused pid.
pub(crate) fn process_start_time(pid: libc::pid_t) -> Option<u64> {
    spawn::process_start_time(pid)
}
