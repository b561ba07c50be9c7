//! The FUSE server process: forked, it serves a `WorkingFs` at a mount point until unmounted.
#![warn(missing_docs)]

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::Result;
use crate::runtime::error::RuntimeError;

use super::WorkingFs;

/// The FUSE server: a child process serving the filesystem at a mount point.
pub struct FuseServer {
    /// The server process.
    pub pid: i32,
}

/// Fork the FUSE server (the caller must be single-threaded), mount `fs` at
/// `mountpoint` in the host's mount namespace, and return once it is up.
/// The server closes `close_fd` (the supervisor's lock), leaves the
/// terminal's process group, unmounts on SIGTERM (also sent when its parent
/// dies), folds at unmount and exits.
pub fn start_fuse_server(
    fs: WorkingFs,
    mountpoint: &Path,
    close_fd: Option<i32>,
) -> Result<FuseServer> {
    let (r, w) = nix::unistd::pipe().map_err(|errno| RuntimeError::Sys {
        step: "pipe",
        errno,
    })?;
    let pid = crate::sandbox::fork_process().map_err(|err| RuntimeError::Os {
        step: "cannot fork the FUSE server",
        err,
    })?;
    if pid == 0 {
        drop(r);
        if let Some(fd) = close_fd {
            let _ = nix::unistd::close(fd);
        }
        let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGTERM);
        let _ = nix::unistd::setpgid(nix::unistd::Pid::from_raw(0), nix::unistd::Pid::from_raw(0));
        let mut w = File::from(w);
        // A forked child has only this thread: the server's parallel work
        // goes to a pool of its own (rwfs), never to rayon's global one.
        let r = fs.clone().serve(mountpoint, "hako", || {
            use std::io::Write;
            let _ = w.write_all(b"ok\n");
        });
        let code = match r {
            Ok(()) => 0,
            Err(e) => {
                use std::io::Write;
                let _ = writeln!(w, "{e}");
                1
            }
        };
        let code = if fs.take_error().is_some() { 2 } else { code };
        std::process::exit(code);
    }
    drop(w);
    let mut msg = String::new();
    let _ = File::from(r).read_to_string_until_line(&mut msg);
    if msg.trim() == "ok" {
        return Ok(FuseServer { pid });
    }
    let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid), None);
    let msg = msg.trim();
    Err(if msg.is_empty() {
        RuntimeError::FuseServerExited
    } else {
        RuntimeError::FuseServer(msg.to_string())
    }
    .into())
}

trait ReadLine {
    fn read_to_string_until_line(&mut self, out: &mut String) -> std::io::Result<()>;
}

impl ReadLine for File {
    /// Read up to the first newline or end of file.
    fn read_to_string_until_line(&mut self, out: &mut String) -> std::io::Result<()> {
        let mut b = [0u8; 1];
        let mut bytes = Vec::new();
        while self.read(&mut b)? == 1 {
            if b[0] == b'\n' {
                break;
            }
            bytes.push(b[0]);
        }
        out.push_str(&String::from_utf8_lossy(&bytes));
        Ok(())
    }
}

impl FuseServer {
    /// Wait for the server to exit (after the unmount); its exit status.
    pub fn wait(self) -> i32 {
        use nix::sys::wait::{waitpid, WaitStatus};
        loop {
            match waitpid(nix::unistd::Pid::from_raw(self.pid), None) {
                Ok(WaitStatus::Exited(_, c)) => return c,
                Ok(WaitStatus::Signaled(_, s, _)) => return 128 + s as i32,
                Ok(_) => continue,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => return 0,
            }
        }
    }

    /// Reap the server if it has exited: its exit status, None while it runs
    /// (it then exits on its own, reparented when its parent is gone).
    pub fn try_wait(self) -> Option<i32> {
        use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
        match waitpid(
            nix::unistd::Pid::from_raw(self.pid),
            Some(WaitPidFlag::WNOHANG),
        ) {
            Ok(WaitStatus::Exited(_, c)) => Some(c),
            Ok(WaitStatus::Signaled(_, s, _)) => Some(128 + s as i32),
            _ => None,
        }
    }
}
