//! The materialize data path (runtime.md, "Materialized instances"): check
//! the tree out into the instance's directory, run on it, fold it back.
#![warn(missing_docs)]

use std::fs::File;

use super::{Result, RunError, Supervised};
use crate::runtime::instance::Mode;
use crate::runtime::materialize;

pub(super) fn supervise(mut run: Supervised, notify: Option<&mut File>) -> Result<i32> {
    let abandon = |run: &Supervised| {
        if let Ok(Some(m)) = materialize::Materialized::load(&run.inst.dir) {
            let _ = materialize::discard(&m);
        }
        run.abandon();
    };
    let (m, skipped) = match materialize::materialize(&run.spec.ws, run.spec.tree, &run.inst.dir) {
        Ok(r) => r,
        Err(e) => {
            abandon(&run);
            return Err(RunError::Checkout(Box::new(e)));
        }
    };
    // Device nodes are never made there (runtime.md); /dev is the sandbox's own.
    for s in skipped.iter().filter(|s| !s.contains("(device node ")) {
        crate::warnings::warn(format!("not created in the checked-out root: {s}"));
    }
    run.spec.sandbox.rootfs = m.root();
    run.spec.sandbox.ro_root = run.spec.mode == Mode::Readonly;
    // A failed fold keeps the checked-out root: reap folds it later.
    let status = run.run_and_fold(notify, abandon, &m.root(), |ws| {
        materialize::fold_back(ws, &m).map(drop)
    })?;
    materialize::discard(&m)?;
    run.finish(status)
}
