//! What this host lets the sandbox use, each checked by trying it (`hako
//! bootstrap`): a user namespace, cgroup limits, subordinate ids.
#![warn(missing_docs)]

use std::path::Path;

use super::error::ProbeError;
use super::sys;

/// Make a user and mount namespace in a child that exits at once.
pub(crate) fn user_namespaces() -> Result<(), ProbeError> {
    match sys::clone_fork(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) {
        Ok(0) => sys::exit_now(0),
        Ok(pid) => match sys::waitpid(pid, 0) {
            Ok((_, status)) if sys::exit_code(status) == 0 => Ok(()),
            Ok((_, status)) => Err(ProbeError::UserNamespaceChild(sys::exit_code(status))),
            Err(errno) => Err(ProbeError::Sys {
                step: "waitpid",
                errno,
            }),
        },
        Err(errno) => Err(ProbeError::CloneUserNamespace {
            errno,
            diagnosis: super::idmap::userns_diagnosis(),
        }),
    }
}

/// Make (and remove) a cgroup with a pids, memory and cpu limit.
pub(crate) fn cgroup_limits() -> Result<(), ProbeError> {
    let limits = super::CgroupLimits {
        pids: Some(1024),
        memory: Some(1 << 30),
        cpus: Some(1.0),
    };
    super::cgroup::create(&limits)?;
    Ok(())
}

/// The caller's subordinate uid and gid ranges (`--map-users`) and the
/// helpers that write them: "START+COUNT" of each, or what is missing.
pub(crate) fn subordinate_ids() -> Result<String, ProbeError> {
    let uid = sys::geteuid();
    let gid = sys::getegid();
    let user = super::idmap::user_name(uid);
    let (us, uc) = super::idmap::subordinate_range(Path::new("/etc/subuid"), &user, uid)?;
    let (gs, gc) =
        super::idmap::subordinate_range(Path::new("/etc/subgid"), &user, uid).or_else(|_| {
            super::idmap::subordinate_range(
                Path::new("/etc/subgid"),
                &super::idmap::group_name(gid),
                gid,
            )
        })?;
    for helper in ["newuidmap", "newgidmap"] {
        if super::find_in_path(std::ffi::OsStr::new(helper)).is_none() {
            return Err(ProbeError::MissingHelper(helper));
        }
    }
    Ok(format!("uids {us}+{uc}, gids {gs}+{gc}"))
}
