//! What this host lets the sandbox use, each checked by trying it (`hako
//! bootstrap`): a user namespace, cgroup limits, subordinate ids.
#![warn(missing_docs)]

use std::path::Path;

use super::sys;

/// Make a user and mount namespace in a child that exits at once.
pub(crate) fn user_namespaces() -> Result<(), String> {
    match sys::clone_fork(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) {
        Ok(0) => sys::exit_now(0),
        Ok(pid) => match sys::waitpid(pid, 0) {
            Ok((_, status)) if sys::exit_code(status) == 0 => Ok(()),
            Ok((_, status)) => Err(format!(
                "a child in a new user namespace exited with status {}",
                sys::exit_code(status)
            )),
            Err(e) => Err(format!("waitpid: {e}")),
        },
        Err(e) => Err(match super::idmap::userns_diagnosis() {
            Some(why) => format!("clone(CLONE_NEWUSER): {e}: {why}"),
            None => format!("clone(CLONE_NEWUSER): {e}"),
        }),
    }
}

/// Make (and remove) a cgroup with a pids, memory and cpu limit.
pub(crate) fn cgroup_limits() -> Result<(), String> {
    let limits = super::CgroupLimits {
        pids: Some(1024),
        memory: Some(1 << 30),
        cpus: Some(1.0),
    };
    super::cgroup::create(&limits).map(drop).map_err(|u| u.why)
}

/// The caller's subordinate uid and gid ranges (`--map-users`) and the
/// helpers that write them: "START+COUNT" of each, or what is missing.
pub(crate) fn subordinate_ids() -> Result<String, String> {
    let uid = sys::geteuid();
    let gid = sys::getegid();
    let user = super::idmap::user_name(uid);
    let (us, uc) = super::idmap::subordinate_range(Path::new("/etc/subuid"), &user, uid)
        .map_err(|e| e.to_string())?;
    let (gs, gc) = super::idmap::subordinate_range(Path::new("/etc/subgid"), &user, uid)
        .or_else(|_| {
            super::idmap::subordinate_range(
                Path::new("/etc/subgid"),
                &super::idmap::group_name(gid),
                gid,
            )
        })
        .map_err(|e| e.to_string())?;
    for helper in ["newuidmap", "newgidmap"] {
        if super::find_in_path(std::ffi::OsStr::new(helper)).is_none() {
            return Err(format!("{helper} is missing (apt-get install uidmap)"));
        }
    }
    Ok(format!("uids {us}+{uc}, gids {gs}+{gc}"))
}
