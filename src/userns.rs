//! Work on files of the caller's subordinate ids (format-spec/runtime.md,
//! "Mapped users"): a cache entry of the mapped profile and the upper
//! directory of a `--map-users` instance hold files the caller, outside
//! any user namespace, may not read or remove. Such work runs in a forked
//! child inside a user namespace with the instance's maps, as uid 0 there.
#![warn(missing_docs)]

use std::path::Path;

use serde::{de::DeserializeOwned, Serialize};

use crate::error::{Error, Result};
use crate::sandbox::IdMap;

/// Run `f` inside a new user namespace with MAP (in a forked child, as uid
/// 0 there) and return its answer. `f` must not rely on state other
/// threads of this process may hold (a lock taken at the fork stays taken):
/// it opens what it needs afresh.
pub(crate) fn run_mapped<T: Serialize + DeserializeOwned>(
    map: &IdMap,
    f: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let answer = crate::sandbox::run_in_user_namespace(map, || {
        let v = f()?;
        serde_json::to_vec(&v).map_err(|e| Error::UserNamespace(format!("encode the answer: {e}")))
    })
    .map_err(|e| Error::UserNamespace(e.to_string()))?;
    let bytes = answer.map_err(|e| Error::UserNamespace(e.0))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::UserNamespace(format!("user namespace: malformed answer: {e}")))
}

/// The caller's `--map-users` maps, when it has subordinate ids and is not
/// root (root reads and removes every file itself).
pub(crate) fn caller_map() -> Option<IdMap> {
    if nix::unistd::geteuid().is_root() {
        return None;
    }
    crate::sandbox::subordinate_maps().ok()
}

/// Whether this process runs in a user namespace other than the initial one.
pub(crate) fn in_child_namespace() -> bool {
    let m = IdMap::of_this_process();
    m.uids != [(0, 0, u32::MAX)]
}

/// Remove `path` and everything below it: as the caller, then, for what
/// the caller may not remove (files of its subordinate ids), inside a user
/// namespace of the caller's `--map-users` maps.
pub fn remove_tree(path: &Path) -> Result<()> {
    match crate::fsutil::remove_tree(path) {
        Err(Error::Io { err, .. })
            if matches!(err.raw_os_error(), Some(libc::EACCES | libc::EPERM))
                && !in_child_namespace() =>
        {
            let Some(map) = caller_map() else {
                return crate::fsutil::remove_tree(path);
            };
            let p = path.to_path_buf();
            run_mapped(&map, move || crate::fsutil::remove_tree(&p))
        }
        r => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closure_runs_as_root_of_a_namespace_with_the_callers_maps() {
        let Some(map) = caller_map() else {
            eprintln!("skipped: no subordinate ids (or root)");
            return;
        };
        let seen = run_mapped(&map, || {
            Ok((
                nix::unistd::geteuid().as_raw(),
                IdMap::of_this_process().uids,
            ))
        });
        match seen {
            Ok((uid, uids)) => {
                assert_eq!(uid, 0);
                assert_eq!(uids, map.uids);
            }
            // newuidmap may refuse where the host forbids it; say why.
            Err(e) => eprintln!("skipped: {e}"),
        }
        let err = run_mapped(&map, || -> Result<u8> {
            Err(Error::UserNamespace("no".into()))
        });
        if let Err(e) = err {
            assert!(e.to_string().ends_with("no"), "{e}");
        }
    }
}
