//! Mounting and serving a `WorkingFs` until it is unmounted, then folding what is left.

use std::path::Path;

use fuser::{Config, MountOption, SessionACL};

use crate::error::{Error, Result};

use super::WorkingFs;

impl WorkingFs {
    /// Mount at `mountpoint` and serve until unmounted (from outside, or on
    /// SIGINT/SIGTERM, which unmount lazily); then fold everything. `ready`
    /// runs once the mount is up.
    pub fn serve(self, mountpoint: &Path, fsname: &str, ready: impl FnOnce()) -> Result<()> {
        use nix::sys::signal::{SigSet, Signal};
        let mut sigs = SigSet::empty();
        sigs.add(Signal::SIGINT);
        sigs.add(Signal::SIGTERM);
        sigs.thread_block()
            .map_err(|e| Error::Invalid(format!("cannot block signals: {e}")))?;
        let cfg = config(
            fsname,
            self.inner.readonly,
            self.inner
                .permissions
                .load(std::sync::atomic::Ordering::Relaxed),
        );
        let session = fuser::Session::new(self.clone(), mountpoint, &cfg)
            .map_err(|e| crate::runtime::fuse::mount_error(mountpoint, e))?;
        let _ = self.inner.notifier.set(session.notifier());
        crate::runtime::fuse::widen_readahead(mountpoint);
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
        let mp = mountpoint.to_path_buf();
        std::thread::Builder::new()
            .name("hako-fuse-signals".into())
            .spawn(move || {
                if sigs.wait().is_ok() {
                    // Lazy: the mount goes even while the command still uses it.
                    let _ = crate::runtime::instance::unmount_lazy(&mp);
                }
            })
            .map_err(|e| Error::Invalid(format!("cannot start signal thread: {e}")))?;
        let timer = self
            .start_timer()
            .map_err(|e| Error::Invalid(format!("cannot start fold timer: {e}")))?;
        ready();
        let r = session
            .run()
            .map_err(|e| Error::Invalid(format!("FUSE session failed: {e}")));
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
    let mut c = Config::default();
    c.mount_options = vec![
        if readonly {
            MountOption::RO
        } else {
            MountOption::RW
        },
        MountOption::Dev,
        MountOption::Suid,
        MountOption::NoAtime,
        MountOption::FSName(fsname.to_string()),
        MountOption::Subtype("hako".to_string()),
    ];
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
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    c.n_threads = Some(cores.clamp(2, 8));
    c
}
