//! The FUSE data path: the read-write FUSE server (runtime/rwfs/), forked
//! before the sandbox, serves the tree on `mnt/` from the host's mount
//! namespace and folds the writes of a persistent instance.
#![warn(missing_docs)]

use std::fs::File;

use super::{Result, Supervised};
use crate::runtime::instance::{self, Mode, Proc};
use crate::runtime::rwfs::{start_fuse_server, FuseServer, Target, WorkingFs};

/// Mount, start, record, wait, unmount (the server folds), record, commit.
pub(super) fn supervise(mut run: Supervised, notify: Option<&mut File>) -> Result<i32> {
    let mode = run.spec.mode;
    let keeps_writes = mode == Mode::Persistent;
    let target = match mode {
        Mode::Persistent => Target::Working,
        _ => Target::Discard,
    };
    let fs = WorkingFs::new(
        run.spec.ws.reopen(),
        run.spec.tree,
        target,
        run.inst.spill_dir(),
        mode == Mode::Readonly,
    )?;
    // A command that is not root, with the host's ids (as root: one to one),
    // gets the kernel's permission checks.
    fs.check_permissions(nix::unistd::geteuid().is_root() && run.spec.sandbox.uid != 0);
    fs.warm(run.spec.program.into_iter().collect());
    let mnt = run.inst.mountpoint();
    let server = match start_fuse_server(fs, &mnt, Some(run.lock.raw_fd())) {
        Ok(s) => s,
        Err(e) => {
            run.abandon();
            return Err(e.into());
        }
    };
    run.inst.fuse = Some(Proc::of(server.pid));
    // A server that keeps the writes folds them after the unmount and is
    // waited for; one that discards them has nothing left to do, so it is
    // reaped if it is done and otherwise left to exit on its own (its
    // parent's exit saves a millisecond at every `run --rm`).
    let finish_mount = |server: FuseServer| -> i32 {
        let _ = instance::unmount_lazy(&mnt);
        if keeps_writes {
            server.wait()
        } else {
            server.try_wait().unwrap_or(0)
        }
    };
    run.spec.sandbox.rootfs = mnt.clone();
    let waited = run.start_and_wait(notify);
    let fuse_code = finish_mount(server);
    let exit = match waited {
        Ok(Ok(exit)) => exit,
        Ok(Err(e)) => {
            run.abandon();
            return Err(e.into());
        }
        Err(e) => return Err(e),
    };
    run.report.sandbox_warnings(&exit.warnings);
    if fuse_code != 0 {
        crate::warnings::warn(format!(
            "the FUSE server of instance {} failed (status {fuse_code}): its last writes may not be in the working root",
            run.inst.id
        ));
    }
    run.finish(exit.status)
}
