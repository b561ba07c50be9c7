//! User and group id maps of the sandbox's user namespace, and the diagnosis
//! printed when the host refuses user namespaces.
#![warn(missing_docs)]

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
        let m = subordinate_maps()?;
        return Ok((m.uids, m.gids));
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
    write_maps_with_helpers(child, &subordinate_maps_of(host_uid, host_gid)?)
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

/// Id ranges of a user namespace: (inside, outside, count), as in `/proc/PID/uid_map`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdMap {
    /// uid ranges.
    pub uids: Vec<(u32, u32, u32)>,
    /// gid ranges.
    pub gids: Vec<(u32, u32, u32)>,
}

fn inside(ranges: &[(u32, u32, u32)], host: u32) -> Option<u32> {
    ranges.iter().find_map(|&(i, o, n)| {
        (host >= o && u64::from(host) < u64::from(o) + u64::from(n)).then(|| i + (host - o))
    })
}

fn outside(ranges: &[(u32, u32, u32)], id: u32) -> Option<u32> {
    ranges.iter().find_map(|&(i, o, n)| {
        (id >= i && u64::from(id) < u64::from(i) + u64::from(n)).then(|| o + (id - i))
    })
}

impl IdMap {
    /// The one-id map of a rootless sandbox: 0 inside is (uid, gid) outside.
    pub fn single(uid: u32, gid: u32) -> IdMap {
        IdMap {
            uids: vec![(0, uid, 1)],
            gids: vec![(0, gid, 1)],
        }
    }

    /// Ids 0..count mapped to themselves (root's sandbox).
    pub fn identity(count: u32) -> IdMap {
        IdMap {
            uids: vec![(0, 0, count)],
            gids: vec![(0, 0, count)],
        }
    }

    /// The map's inside ids mapped to themselves: how a process inside the
    /// namespace sees the ids this map gives files.
    pub fn seen_inside(&self) -> IdMap {
        let same = |r: &[(u32, u32, u32)]| r.iter().map(|&(i, _, n)| (i, i, n)).collect();
        IdMap {
            uids: same(&self.uids),
            gids: same(&self.gids),
        }
    }

    /// The uid inside that host uid `host` maps to, if any.
    pub fn uid_inside(&self, host: u32) -> Option<u32> {
        inside(&self.uids, host)
    }

    /// The gid inside that host gid `host` maps to, if any.
    pub fn gid_inside(&self, host: u32) -> Option<u32> {
        inside(&self.gids, host)
    }

    /// The host uid that uid `id` inside maps to, if any.
    pub fn uid_outside(&self, id: u32) -> Option<u32> {
        outside(&self.uids, id)
    }

    /// The host gid that gid `id` inside maps to, if any.
    pub fn gid_outside(&self, id: u32) -> Option<u32> {
        outside(&self.gids, id)
    }

    /// The maps of this process's user namespace (`/proc/self/uid_map` and
    /// `gid_map`); the initial namespace maps every id to itself.
    pub fn of_this_process() -> IdMap {
        let read = |f: &str| -> Vec<(u32, u32, u32)> {
            std::fs::read_to_string(f)
                .unwrap_or_default()
                .lines()
                .filter_map(|l| {
                    let n: Vec<u64> = l
                        .split_whitespace()
                        .filter_map(|x| x.parse().ok())
                        .collect();
                    match n[..] {
                        [i, o, c] => Some((i as u32, o as u32, c.min(u64::from(u32::MAX)) as u32)),
                        _ => None,
                    }
                })
                .collect()
        };
        IdMap {
            uids: read("/proc/self/uid_map"),
            gids: read("/proc/self/gid_map"),
        }
    }

    /// The map as `uidmap`/`gidmap` lines (runtime.md's records).
    pub fn lines(&self) -> String {
        let mut s = String::new();
        for (i, o, n) in &self.uids {
            s.push_str(&format!("uidmap {i} {o} {n}\n"));
        }
        for (i, o, n) in &self.gids {
            s.push_str(&format!("gidmap {i} {o} {n}\n"));
        }
        s
    }
}

/// `--map-users`' maps for the caller: 0 inside is the caller, 1…N its
/// subordinate ids (`/etc/subuid`, `/etc/subgid`).
pub fn subordinate_maps() -> Result<IdMap> {
    subordinate_maps_of(super::sys::geteuid(), super::sys::getegid())
}

/// The same for the user and group HOST_UID and HOST_GID.
fn subordinate_maps_of(host_uid: u32, host_gid: u32) -> Result<IdMap> {
    let user = user_name(host_uid);
    let (us, uc) = subordinate_range(Path::new("/etc/subuid"), &user, host_uid)?;
    let (gs, gc) = subordinate_range(Path::new("/etc/subgid"), &user, host_uid).or_else(|_| {
        subordinate_range(Path::new("/etc/subgid"), &group_name(host_gid), host_gid)
    })?;
    let r = |s: u64, c: u64| (1, s as u32, c as u32);
    Ok(IdMap {
        uids: vec![(0, host_uid, 1), r(us, uc)],
        gids: vec![(0, host_gid, 1), r(gs, gc)],
    })
}

/// Run `f` in a forked child inside a new user namespace with MAP (written
/// from outside by newuidmap/newgidmap, as `--map-users` does), as uid and
/// gid 0 there: it may then chown, read and remove files of every mapped
/// id. Its answer comes back over a pipe: Ok(bytes), or Err(the message
/// of `f`'s error); the outer error is the namespace's. The caller may have
/// threads: the child, single-threaded after fork, unshares.
pub fn run_in_user_namespace<E: std::fmt::Display>(
    map: &IdMap,
    f: impl FnOnce() -> std::result::Result<Vec<u8>, E>,
) -> Result<std::result::Result<Vec<u8>, super::ChildFailed>> {
    use std::os::fd::AsFd;
    let sys_err = |what: &str, e: Errno| Error::Setup(format!("user namespace: {what}: {e}"));
    let (ready_r, ready_w) = super::sys::pipe().map_err(|e| sys_err("pipe", e))?;
    let (go_r, go_w) = super::sys::pipe().map_err(|e| sys_err("pipe", e))?;
    let (out_r, out_w) = super::sys::pipe().map_err(|e| sys_err("pipe", e))?;
    match super::sys::fork() {
        Ok(0) => {
            drop((ready_r, go_w, out_r));
            if let Err(e) = super::sys::unshare(libc::CLONE_NEWUSER) {
                let _ = super::sys::write_all(ready_w.as_fd(), &[e as i32 as u8]);
                super::sys::exit_now(1)
            }
            drop(ready_w);
            // The parent says "1" once the maps are written.
            if super::sys::read_to_end(go_r.as_fd()) != b"1" {
                super::sys::exit_now(1)
            }
            let ok = super::sys::setresgid(0).and_then(|()| super::sys::setresuid(0));
            let msg = match ok {
                Err(e) => {
                    let mut m = vec![b'E'];
                    m.extend_from_slice(
                        format!("become root in the user namespace: {e}").as_bytes(),
                    );
                    m
                }
                Ok(()) => match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
                    Ok(Ok(bytes)) => [b"O".as_slice(), &bytes].concat(),
                    Ok(Err(e)) => [b"E".as_slice(), e.to_string().as_bytes()].concat(),
                    Err(_) => b"Epanicked".to_vec(),
                },
            };
            let _ = super::sys::write_all(out_w.as_fd(), &msg);
            super::sys::exit_now(0)
        }
        Ok(pid) => {
            drop((ready_w, go_r, out_w));
            let unshared = super::sys::read_to_end(ready_r.as_fd());
            let mapped = match unshared.as_slice() {
                [] => write_maps_with_helpers(pid, map),
                [e, ..] => Err(Error::sys_hint(
                    "user namespace: unshare",
                    Errno::from_raw(i32::from(*e)),
                    userns_diagnosis(),
                )),
            };
            if mapped.is_ok() {
                let _ = super::sys::write_all(go_w.as_fd(), b"1");
            }
            drop(go_w);
            let out = super::sys::read_to_end(out_r.as_fd());
            let _ = super::sys::waitpid(pid, 0);
            mapped?;
            match out.split_first() {
                Some((b'O', rest)) => Ok(Ok(rest.to_vec())),
                Some((b'E', rest)) => Ok(Err(super::ChildFailed(
                    String::from_utf8_lossy(rest).into_owned(),
                ))),
                _ => Err(Error::Setup(
                    "user namespace: the child exited without an answer".into(),
                )),
            }
        }
        Err(e) => Err(sys_err("fork", e)),
    }
}

/// Write MAP for process `child` with the setuid helpers (every range, in order).
fn write_maps_with_helpers(child: libc::pid_t, map: &IdMap) -> Result<()> {
    for (helper, ranges) in [("newuidmap", &map.uids), ("newgidmap", &map.gids)] {
        let mut args = vec![child.to_string()];
        for (i, o, n) in ranges {
            args.extend([i.to_string(), o.to_string(), n.to_string()]);
        }
        let out = Command::new(helper).args(&args).output().map_err(|e| {
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
    }
    Ok(())
}
