//! Mounting and serving a `WorkingFs` until it is unmounted, then folding what is left.
#![warn(missing_docs)]

use std::path::Path;

use fuser::{Config, MountOption, SessionACL};

use crate::error::Result;
use crate::runtime::error::RuntimeError;
use crate::runtime::fuse::mount;

use super::WorkingFs;

impl WorkingFs {
    /// Mount at `mountpoint` and serve until unmounted (from outside, or on
    /// SIGINT/SIGTERM, which unmount lazily); then fold everything. `ready`
    /// runs once the mount is up.
    pub fn serve(self, mountpoint: &Path, fsname: &str, ready: impl FnOnce()) -> Result<()> {
        let sigs = mount::block_stop_signals()?;
        let cfg = config(
            fsname,
            self.inner.readonly,
            self.inner
                .permissions
                .load(std::sync::atomic::Ordering::Relaxed),
        );
        let session = mount::mount(self.clone(), mountpoint, &cfg)?;
        let _ = self.inner.notifier.set(session.notifier());
        let warm = std::mem::take(&mut *self.inner.warm.lock().unwrap_or_else(|p| p.into_inner()));
        // Joined before the server exits, so that a program-cache entry is
        // written whole or not begun.
        let warming = (!warm.is_empty()).then(|| {
            let inner = self.inner.clone();
            let root = self.state().base_root;
            std::thread::Builder::new()
                .name("hako-warm".into())
                .spawn(move || {
                    for id in warm {
                        inner.warm_file(&root, &id, true);
                    }
                })
        });
        mount::unmount_on_signal(sigs, mountpoint)?;
        let timer = self.start_timer().map_err(|err| RuntimeError::Os {
            step: "cannot start fold timer",
            err,
        })?;
        ready();
        let r = mount::serve(session);
        self.stop_timer();
        let _ = timer.join();
        if let Some(Ok(w)) = warming {
            let _ = w.join();
        }
        let folded = self.fold();
        r?;
        folded?;
        Ok(())
    }
}

fn config(fsname: &str, readonly: bool, permissions: bool) -> Config {
    let access = if readonly {
        MountOption::RO
    } else {
        MountOption::RW
    };
    let mut c = mount::config(fsname, [access, MountOption::Dev, MountOption::Suid]);
    if permissions {
        c.mount_options.push(MountOption::DefaultPermissions);
    }
    // Root may let every uid in: a container's users other than root.
    if nix::unistd::geteuid().is_root() {
        c.acl = SessionACL::All;
    } else {
        c.mount_options
            .retain(|o| *o != MountOption::Dev && *o != MountOption::Suid);
    }
    c
}
