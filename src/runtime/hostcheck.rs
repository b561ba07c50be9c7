//! What this host gives the runtime (`hako bootstrap`): each facility is
//! tried, not guessed from versions, and what is missing comes with how to
//! enable it.
#![warn(missing_docs)]

use std::path::Path;

use crate::workspace::Workspace;

/// One facility of the host.
#[derive(Clone, Debug)]
pub struct Check {
    /// What it is ("user namespaces").
    pub what: &'static str,
    /// What needs it.
    pub used_by: &'static str,
    /// Whether the host has it.
    pub ok: bool,
    /// What was found.
    pub detail: String,
    /// How to enable it, when missing.
    pub fix: Option<String>,
}

fn check(what: &'static str, used_by: &'static str, r: Result<String, (String, String)>) -> Check {
    match r {
        Ok(detail) => Check {
            what,
            used_by,
            ok: true,
            detail,
            fix: None,
        },
        Err((detail, fix)) => Check {
            what,
            used_by,
            ok: false,
            detail,
            fix: Some(fix),
        },
    }
}

/// Why a device node cannot be used by this user.
#[derive(Debug, thiserror::Error)]
enum Unusable {
    #[error("{path}: {err}")]
    Missing {
        path: &'static str,
        err: std::io::Error,
    },
    #[error(
        "{path} is mode {mode:04o}, owner uid {owner}: not readable and writable by uid {euid}"
    )]
    NoAccess {
        path: &'static str,
        mode: u32,
        owner: u32,
        euid: nix::unistd::Uid,
    },
}

fn usable(path: &'static str) -> Result<(), Unusable> {
    use nix::unistd::{access, AccessFlags};
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata(path) {
        Err(err) => Err(Unusable::Missing { path, err }),
        Ok(m) => access(Path::new(path), AccessFlags::R_OK | AccessFlags::W_OK).map_err(|_| {
            Unusable::NoAccess {
                path,
                mode: m.mode() & 0o7777,
                owner: m.uid(),
                euid: nix::unistd::geteuid(),
            }
        }),
    }
}

fn in_path(program: &str) -> bool {
    crate::sandbox::find_in_path(std::ffi::OsStr::new(program)).is_some()
}

fn user_namespaces() -> Check {
    check(
        "user namespaces",
        "every container (run, apply, unshare-exec)",
        crate::sandbox::probe::user_namespaces()
            .map(|()| "a user and mount namespace can be made".into())
            .map_err(|e| {
                (
                    e.to_string(),
                    "enable unprivileged user namespaces: sysctl -w user.max_user_namespaces=15000 \
                     (and kernel.unprivileged_userns_clone=1 where it exists; with AppArmor, \
                     kernel.apparmor_restrict_unprivileged_userns=0 or a profile granting userns)"
                        .into(),
                )
            }),
    )
}

fn overlay(ws: Option<&Workspace>) -> Check {
    let answer = match ws {
        Some(ws) => super::overlay::probe(ws, true),
        None => {
            let tmp = std::env::temp_dir().join(format!("hako-bootstrap-{}", std::process::id()));
            let r = super::overlay::probe_now(&tmp);
            let _ = std::fs::remove_dir_all(&tmp);
            r
        }
    };
    let where_ = if ws.is_some() {
        "on the workspace's filesystem"
    } else {
        "in the temporary directory (run inside a workspace to try its filesystem)"
    };
    check(
        "overlay",
        "run's fast data path (containers at host speed)",
        match answer {
            Ok(super::overlay::Probe::Yes) => {
                Ok(format!("a rootless overlay (userxattr) mounts {where_}"))
            }
            Ok(super::overlay::Probe::No(why)) => Err((
                why,
                "rootless overlay needs Linux 5.11 or later and a filesystem with user xattrs \
                 (ext4, xfs, btrfs, tmpfs); without it run uses FUSE"
                    .into(),
            )),
            Err(e) => Err((
                e.to_string(),
                "check that the workspace's .hako/cache is writable".into(),
            )),
        },
    )
}

fn fuse() -> Check {
    let r = usable("/dev/fuse")
        .map_err(|e| e.to_string())
        .and_then(|()| {
            if in_path("fusermount3") {
                Ok(())
            } else {
                Err("fusermount3 is missing".into())
            }
        });
    check(
        "FUSE",
        "hako mount, run --fs fuse (and run where overlay is refused)",
        r.map(|()| "/dev/fuse is usable, fusermount3 is installed".into())
            .map_err(|e| {
                (
                    e.to_string(),
                    "as root: chmod 0666 /dev/fuse (the mode fuse3's udev rule gives it); \
                     apt-get install fuse3 for fusermount3; modprobe fuse where /dev/fuse is \
                     missing; without FUSE and overlay, run --materialize still works"
                        .into(),
                )
            }),
    )
}

fn subordinate_ids() -> Check {
    let root = nix::unistd::geteuid().is_root();
    let r = if root {
        Ok("not needed as root: root maps ids 0 to 65535 one to one".to_string())
    } else {
        crate::sandbox::probe::subordinate_ids().map_err(|e| {
            (
                e.to_string(),
                "as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 USER, \
                 and apt-get install uidmap (newuidmap, newgidmap)"
                    .into(),
            )
        })
    };
    check(
        "subordinate ids",
        "run --map-users: owners other than yours inside, apt-get as a user",
        r,
    )
}

fn pasta() -> Check {
    let r = if !in_path("pasta") {
        Err((
            "pasta is not installed".into(),
            "apt-get install passt".into(),
        ))
    } else {
        usable("/dev/net/tun")
            .map(|()| "pasta is installed, /dev/net/tun is usable".into())
            .map_err(|e| {
                (
                    e.to_string(),
                    "as root: chmod 0666 /dev/net/tun (the mode most distributions ship; \
                     a udev rule KERNEL==\"tun\", MODE=\"0666\" keeps it)"
                        .into(),
                )
            })
    };
    check("pasta", "--net pasta: a container's own network", r)
}

fn cgroups() -> Check {
    check(
        "cgroup limits",
        "--pids-limit, --memory, --cpus",
        crate::sandbox::probe::cgroup_limits()
            .map(|()| "a child cgroup with pids, memory and cpu limits can be made".into())
            .map_err(|e| {
                (
                    e.to_string(),
                    "use a cgroup v2 host and run hako in a delegated cgroup \
                     (systemd-run --user --scope -p Delegate=yes hako …); \
                     without it the limits are not applied (a warning says so)"
                        .into(),
                )
            }),
    )
}

fn busybox() -> Check {
    check(
        "busybox",
        "hako init's seed root filesystem (a shell in a new container)",
        match crate::container::find_busybox() {
            Some(p) => Ok(format!("{}", p.display())),
            None => Err((
                "no static busybox in /bin or /usr/bin".into(),
                "apt-get install busybox-static (or pull an image: hako pull debian)".into(),
            )),
        },
    )
}

/// Every check, in the order they matter.
pub fn checks(ws: Option<&Workspace>) -> Vec<Check> {
    vec![
        user_namespaces(),
        overlay(ws),
        fuse(),
        subordinate_ids(),
        pasta(),
        cgroups(),
        busybox(),
    ]
}
