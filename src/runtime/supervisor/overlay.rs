//! The overlay data path (runtime.md, "Overlay instances"): the sandbox
//! mounts overlay over the cached tree with the instance's upper directory;
//! when the command has ended, a persistent instance folds the upper
//! directory into the working root; the upper directory is then removed.
#![warn(missing_docs)]

use std::fs::File;

use super::{Cached, Result, RunError, Supervised};
use crate::cache::{Lower, Profile};
use crate::runtime::instance::Mode;
use crate::runtime::overlay;
use crate::sandbox;

pub(super) fn supervise(
    mut run: Supervised,
    mut notify: Option<&mut File>,
    cached: Cached,
) -> Result<i32> {
    let abandon = |run: &Supervised| {
        let _ = overlay::discard(&run.inst.dir);
        run.abandon();
    };
    let Cached {
        mut lower,
        profile,
        check,
        mut fresh,
    } = cached;
    run.check = check;
    loop {
        match root(&run, &lower, &profile) {
            Ok(root) => run.spec.sandbox.overlay = Some(root),
            Err(e) => {
                abandon(&run);
                return Err(e);
            }
        }
        run.spec.sandbox.rootfs = run.inst.mountpoint();
        // A failed fold keeps the upper directory: reap folds it later.
        let (dir, upper) = (run.inst.dir.clone(), run.upper_dir());
        let ran = run.run_and_fold(notify.as_deref_mut(), abandon, &upper, |ws| {
            overlay::fold_instance(ws, &dir).map(drop)
        });
        let status = match ran {
            // The entry was damaged: nothing ran; rebuild it and start again.
            Err(RunError::CacheDamaged(why)) => {
                overlay::discard(&run.inst.dir)?;
                drop(lower);
                crate::warnings::warn(format!("cache entry damaged, rebuilt: {why}"));
                let prepared = crate::cache::prepare(&run.spec.ws, &run.spec.tree, &profile);
                match prepared.map(|p| (p.lower, p.written.is_some())) {
                    Ok((Some(l), written)) => (lower, fresh) = (l, written),
                    Ok((None, _)) => {
                        abandon(&run);
                        return Err(RunError::NoLower);
                    }
                    Err(e) => {
                        abandon(&run);
                        return Err(e.into());
                    }
                }
                continue;
            }
            r => r?,
        };
        overlay::discard(&run.inst.dir)?;
        // An entry an earlier run wrote is synced now, off the command's
        // start; the one this run wrote is left to the next use.
        if !fresh {
            if let Err(e) = crate::cache::complete_lower(&run.spec.ws, &lower) {
                crate::warnings::warn(format!("checkout cache: {e}"));
            }
        }
        drop(lower);
        return run.finish(status);
    }
}

/// The instance's directories and record, and the sandbox's overlay root:
/// read-only instances get no upper directory, temporary ones no record.
fn root(run: &Supervised, lower: &Lower, profile: &Profile) -> Result<sandbox::OverlayRoot> {
    let upper = if run.spec.mode == Mode::Readonly {
        None
    } else {
        let dirs = overlay::make_dirs_for(&run.inst.dir, &lower.dirs[0], profile)?;
        if run.spec.mode == Mode::Persistent {
            let (uids, gids) = sandbox::planned_id_maps(&run.spec.sandbox)?;
            let rec = overlay::Record {
                base: run.spec.tree,
                profile: profile.clone(),
                map: overlay::IdMap { uids, gids },
            };
            overlay::save_record(&run.inst.dir, &rec)?;
        }
        Some((dirs.upper, dirs.work))
    };
    Ok(sandbox::OverlayRoot {
        lowerdir: lower.lowerdir(),
        upper,
        skeleton: run.inst.dir.join("skel"),
        volatile: run.spec.mode == Mode::Temporary,
    })
}
