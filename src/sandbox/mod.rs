//! The rootless sandbox: namespaces, mounts, seccomp, landlock. With
//! `crate::sys::map_file`, the only place with `unsafe`.

mod cgroup;
pub mod config;
mod confine;
pub mod enter;
pub mod error;
mod idmap;
mod rootfs;
mod spawn;
mod sys;

pub use config::{Bind, CgroupLimits, Config, EnvBase, NetMode, Rlimit, SeccompPolicy};
pub use confine::{cap_names, parse_cap, DEFAULT_CAPS};
pub use enter::{enter, EnterConfig};
pub use error::{Error, Warning};
pub use spawn::{block_supervised_signals, passwd_home, FORWARDED};
pub use spawn::{find_in_path, run, start, Exit, Sandbox};

/// Read a pid file written by `unshare-exec --pid-file`: (pid, start time).
pub fn read_pid_file(path: &std::path::Path) -> Result<(i32, Option<u64>), Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("--pid-file '{}': {e}", path.display())))?;
    let mut lines = text.lines();
    let pid = lines
        .next()
        .and_then(|l| l.trim().parse().ok())
        .ok_or_else(|| {
            Error::Usage(format!(
                "--pid-file '{}': no pid on the first line",
                path.display()
            ))
        })?;
    Ok((pid, lines.next().and_then(|l| l.trim().parse().ok())))
}

/// fork(2) for the runtime's own processes (a detached supervisor, the FUSE
/// server): returns 0 in the child. The caller must be single-threaded.
pub fn fork_process() -> std::io::Result<libc::pid_t> {
    sys::fork().map_err(|e| std::io::Error::from_raw_os_error(e as i32))
}

/// Field 22 of /proc/PID/stat: tells a live process from a reused pid.
pub fn process_start_time(pid: libc::pid_t) -> Option<u64> {
    spawn::process_start_time(pid)
}
