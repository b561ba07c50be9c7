//! The overlay probe's namespace part (format-spec/runtime.md, "Probe"):
//! mount overlay in a child in new user and mount namespaces and exercise
//! what the fold relies on.
#![warn(missing_docs)]

use std::ffi::CString;
use std::os::fd::AsFd;
use std::path::Path;

use nix::errno::Errno;

use super::error::ProbeError;
use super::sys;

/// The steps the child takes, named in a failure.
const STEPS: [&str; 8] = [
    "new user and mount namespaces",
    "setgroups",
    "uid_map",
    "gid_map",
    "mount",
    "unlink f",
    "rmdir d",
    "mkdir d",
];

/// In a child with new user and mount namespaces (0 inside mapped to the
/// caller), mount overlay on `mnt` with `options`, then remove `mnt/f`,
/// `mnt/d/g` and `mnt/d`, and make `mnt/d` again. Err names the failing
/// step and its error. Only async-signal-safe calls run in the child, which
/// is forked first and then unshares (the caller may have threads: a
/// multi-threaded process cannot enter a new user namespace itself).
pub fn probe_overlay(mnt: &Path, options: &str) -> Result<(), ProbeError> {
    let (uid, gid) = (sys::geteuid(), sys::getegid());
    // Everything the child needs is built before the fork: it allocates nothing.
    let setgroups = sys::cstr("/proc/self/setgroups");
    let uid_map = sys::cstr("/proc/self/uid_map");
    let gid_map = sys::cstr("/proc/self/gid_map");
    let uid_line = format!("0 {uid} 1\n").into_bytes();
    let gid_line = format!("0 {gid} 1\n").into_bytes();
    let target = sys::cstr(mnt);
    let fstype = CString::from(c"overlay");
    let source = CString::from(c"hako");
    let data = CString::new(options).map_err(|_| ProbeError::OptionsNul)?;
    let f = sys::cstr(mnt.join("f"));
    let g = sys::cstr(mnt.join("d/g"));
    let d = sys::cstr(mnt.join("d"));
    let (r, w) = sys::pipe().map_err(|errno| ProbeError::Sys {
        step: "pipe",
        errno,
    })?;
    match sys::fork() {
        Ok(0) => {
            drop(r);
            let fail = |step: u8, e: Errno| -> ! {
                let _ = sys::write_all(w.as_fd(), &[step, e as i32 as u8]);
                sys::exit_now(1)
            };
            let write = |path: &CString, bytes: &[u8]| -> Result<(), Errno> {
                let fd = sys::open(path, libc::O_WRONLY)?;
                sys::write_all(fd.as_fd(), bytes)
            };
            if let Err(e) = sys::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) {
                fail(0, e)
            }
            if let Err(e) = write(&setgroups, b"deny") {
                fail(1, e)
            }
            if let Err(e) = write(&uid_map, &uid_line) {
                fail(2, e)
            }
            if let Err(e) = write(&gid_map, &gid_line) {
                fail(3, e)
            }
            if let Err(e) = sys::mount(Some(&source), &target, Some(&fstype), 0, Some(&data)) {
                fail(4, e)
            }
            if let Err(e) = sys::unlink(&f) {
                fail(5, e)
            }
            if let Err(e) = sys::unlink(&g).and_then(|()| sys::rmdir(&d)) {
                fail(6, e)
            }
            if let Err(e) = sys::mkdir(&d, 0o755) {
                fail(7, e)
            }
            sys::exit_now(0)
        }
        Ok(pid) => {
            drop(w);
            let msg = sys::read_to_end(r.as_fd());
            let status = sys::waitpid(pid, 0).map(|(_, s)| s);
            match (msg.as_slice(), status) {
                ([step, errno], _) => Err(ProbeError::Step {
                    step: STEPS.get(*step as usize).unwrap_or(&"?"),
                    errno: Errno::from_raw(i32::from(*errno)),
                }),
                (_, Ok(s)) if sys::exit_code(s) == 0 => Ok(()),
                (_, Ok(s)) => Err(ProbeError::ProbeExit(sys::exit_code(s))),
                (_, Err(errno)) => Err(ProbeError::Sys {
                    step: "waitpid",
                    errno,
                }),
            }
        }
        Err(errno) => Err(ProbeError::Sys {
            step: "fork",
            errno,
        }),
    }
}

/// A path in overlay's option string: `\`, `:` and `,` escaped with `\`
/// (runtime.md, "Mount options"; the one escaper of the crate).
pub fn escape_overlay_path(p: &Path) -> String {
    let mut s = String::new();
    for c in p.to_string_lossy().chars() {
        if matches!(c, '\\' | ':' | ',') {
            s.push('\\');
        }
        s.push(c);
    }
    s
}
