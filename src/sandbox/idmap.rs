//! User and group id maps of the sandbox's user namespace, and the diagnosis
//! printed when the host refuses user namespaces.

use std::path::Path;
use std::process::Command;

use nix::errno::Errno;

use super::error::{Error, Result};

/// Map the caller's own ids to (UID, GID) inside: the one mapping an
/// unprivileged process may write, for itself (PROC "/proc/self") or for its
/// child (PROC "/proc/PID"). setgroups must be denied first.
pub fn map_self(proc: &str, uid: u32, gid: u32, host_uid: u32, host_gid: u32) -> Result<()> {
    write(&format!("{proc}/setgroups"), "deny")?;
    write(&format!("{proc}/uid_map"), &format!("{uid} {host_uid} 1\n"))?;
    write(&format!("{proc}/gid_map"), &format!("{gid} {host_gid} 1\n"))?;
    Ok(())
}

/// How many ids hako maps 1:1 when it runs as root: enough for every system
/// user a distribution has (`_apt` is 42 or 100, `nobody` 65534).
pub const FULL_RANGE: u32 = 65536;

/// True when hako may map ids 0..FULL_RANGE 1:1 into the sandbox: it is root
/// (CAP_SETUID) in a user namespace where all of those ids exist (the host's,
/// not a nested one mapping a single id).
pub fn can_map_full_range(euid: u32) -> bool {
    let covers = |file: &str| {
        std::fs::read_to_string(file).is_ok_and(|t| {
            t.lines().any(|l| {
                let f: Vec<u64> = l
                    .split_whitespace()
                    .filter_map(|x| x.parse().ok())
                    .collect();
                f.len() == 3 && f[0] == 0 && f[2] >= u64::from(FULL_RANGE)
            })
        })
    };
    euid == 0 && covers("/proc/self/uid_map") && covers("/proc/self/gid_map")
}

/// Root's map, written by hako (outside) for its child: ids 0..FULL_RANGE
/// inside are the same ids outside, and setgroups stays allowed, so the
/// sandbox's root can switch to any user (apt's `_apt`, a daemon's own user).
pub fn map_full_range(child: libc::pid_t) -> Result<()> {
    let map = format!("0 0 {FULL_RANGE}\n");
    write(&format!("/proc/{child}/uid_map"), &map)?;
    write(&format!("/proc/{child}/gid_map"), &map)?;
    Ok(())
}

/// The maps a sandbox of CFG gets (as written to `/proc/PID/uid_map` and
/// `gid_map`): (inside, outside, count) ranges of uids, then of gids.
pub fn planned(cfg: &super::Config) -> Result<IdRanges> {
    let (host_uid, host_gid) = (super::sys::geteuid(), super::sys::getegid());
    if cfg.map_users {
        let user = user_name(host_uid);
        let (us, uc) = subordinate_range(Path::new("/etc/subuid"), &user, host_uid)?;
        let (gs, gc) =
            subordinate_range(Path::new("/etc/subgid"), &user, host_uid).or_else(|_| {
                subordinate_range(Path::new("/etc/subgid"), &group_name(host_gid), host_gid)
            })?;
        let r = |s: u64, c: u64| (1, s as u32, c as u32);
        return Ok((
            vec![(0, host_uid, 1), r(us, uc)],
            vec![(0, host_gid, 1), r(gs, gc)],
        ));
    }
    if can_map_full_range(host_uid) {
        return Ok((vec![(0, 0, FULL_RANGE)], vec![(0, 0, FULL_RANGE)]));
    }
    Ok((vec![(cfg.uid, host_uid, 1)], vec![(cfg.gid, host_gid, 1)]))
}

/// uid ranges and gid ranges: (inside, outside, count).
pub type IdRanges = (Vec<(u32, u32, u32)>, Vec<(u32, u32, u32)>);

fn write(path: &str, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| {
        let errno = Errno::from_raw(e.raw_os_error().unwrap_or(0));
        Error::sys_hint(
            format!("user namespace: write '{}' to {path}", text.trim()),
            errno,
            userns_diagnosis(),
        )
    })
}

/// `--map-users`: 0 inside is the caller, 1…N the caller's subordinate ids,
/// written by the setuid helpers newuidmap/newgidmap from outside the namespace.
pub fn map_subordinate(child: libc::pid_t, host_uid: u32, host_gid: u32) -> Result<()> {
    let user = user_name(host_uid);
    let (us, uc) = subordinate_range(Path::new("/etc/subuid"), &user, host_uid)?;
    let group = group_name(host_gid);
    let (gs, gc) = subordinate_range(Path::new("/etc/subgid"), &user, host_uid)
        .or_else(|_| subordinate_range(Path::new("/etc/subgid"), &group, host_gid))?;
    run_helper("newuidmap", child, host_uid, us, uc)?;
    run_helper("newgidmap", child, host_gid, gs, gc)?;
    Ok(())
}

fn run_helper(helper: &str, child: libc::pid_t, host: u32, start: u64, count: u64) -> Result<()> {
    let out = Command::new(helper)
        .args([
            child.to_string(),
            "0".into(),
            host.to_string(),
            "1".into(),
            "1".into(),
            start.to_string(),
            count.to_string(),
        ])
        .output()
        .map_err(|e| {
            Error::Setup(format!(
                "--map-users: cannot run {helper}: {e} (install the uidmap package)"
            ))
        })?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr)
            .trim()
            .replace('\n', " ");
        return Err(Error::Setup(format!("--map-users: {helper} failed: {msg}")));
    }
    Ok(())
}

/// The first `NAME:START:COUNT` line of FILE for NAME (or the numeric id).
pub(crate) fn subordinate_range(file: &Path, name: &str, id: u32) -> Result<(u64, u64)> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::Setup(format!("--map-users: cannot read {}: {e}", file.display())))?;
    let idstr = id.to_string();
    for line in text.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() == 3 && (f[0] == name || f[0] == idstr) {
            if let (Ok(s), Ok(c)) = (f[1].parse(), f[2].parse()) {
                return Ok((s, c));
            }
        }
    }
    Err(Error::Setup(format!(
        "--map-users: no subordinate id range for '{name}' in {}",
        file.display()
    )))
}

pub(crate) fn user_name(uid: u32) -> String {
    nix::unistd::User::from_uid(uid.into())
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| uid.to_string())
}

pub(crate) fn group_name(gid: u32) -> String {
    nix::unistd::Group::from_gid(gid.into())
        .ok()
        .flatten()
        .map(|g| g.name)
        .unwrap_or_else(|| gid.to_string())
}

/// Why the host refuses user namespaces, when a known switch says so.
pub fn userns_diagnosis() -> Option<String> {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
    };
    if read("/proc/sys/user/max_user_namespaces").as_deref() == Some("0") {
        return Some("user namespaces are disabled by sysctl user.max_user_namespaces=0".into());
    }
    if read("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0")
        && nix::unistd::geteuid().as_raw() != 0
    {
        return Some("unprivileged user namespaces are disabled by sysctl kernel.unprivileged_userns_clone=0".into());
    }
    if read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1")
        && nix::unistd::geteuid().as_raw() != 0
    {
        return Some(
            "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1; \
             allow hako with an AppArmor profile granting 'userns')"
                .into(),
        );
    }
    None
}
