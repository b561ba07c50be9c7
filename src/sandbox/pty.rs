//! `--pty`: a pseudo-terminal of the sandbox's own devpts for the command,
//! and hako's relay between its standard descriptors and the pty's master
//! (format-spec/sandbox.md, "The terminal").
//!
//! Inside, the pty is opened after the sandbox's devpts is mounted (pid 1,
//! after pivot_root; `enter`'s child, after chroot), so it is an inode of
//! that devpts and nothing of the caller's terminal reaches the command;
//! the master goes to hako over the console socket (`SCM_RIGHTS`, as runc's
//! console socket), since hako cannot see the sandbox's mounts.
#![warn(missing_docs)]

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::Signal;
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::termios::{self, LocalFlags, SetArg, SpecialCharacterIndices, Termios};

use super::error::{Error, Result};
use super::sys::{self, cstr};

/// The caller's window size, from fd 0, else fd 1, when one is a terminal.
pub(super) fn caller_size() -> Option<libc::winsize> {
    [0, 1]
        .into_iter()
        .filter(|&fd| sys::isatty(fd))
        .find_map(|fd| sys::window_size(sys::stdio(fd)).ok())
}

/// Inside the sandbox: open a pty of `/dev/pts` (the sandbox's devpts),
/// give it SIZE, make its slave OWNER's, bind it on `/dev/console` if
/// CONSOLE, send the master to hako over SOCK, and put the slave on
/// descriptors 0, 1 and 2 (no descriptor of the caller's terminal is left).
pub(super) fn open_inside(
    sock: OwnedFd,
    size: Option<libc::winsize>,
    owner: Option<(u32, u32)>,
    console: bool,
) -> Result<()> {
    let master = sys::open(c"/dev/pts/ptmx", libc::O_RDWR | libc::O_NOCTTY)
        .map_err(|e| Error::sys("--pty: open /dev/pts/ptmx", e))?;
    sys::unlockpt(master.as_fd())
        .map_err(|e| Error::sys("--pty: unlock the pty (TIOCSPTLCK)", e))?;
    let slave = sys::pty_peer(master.as_fd())
        .map_err(|e| Error::sys("--pty: open the pty's slave (TIOCGPTPEER)", e))?;
    let n = sys::pty_number(master.as_fd())
        .map_err(|e| Error::sys("--pty: the pty's number (TIOCGPTN)", e))?;
    if let Some(ws) = size {
        sys::set_window_size(master.as_fd(), &ws)
            .map_err(|e| Error::sys("--pty: set the window size (TIOCSWINSZ)", e))?;
    }
    if let Some((uid, gid)) = owner {
        sys::fchown(slave.as_fd(), uid, gid)
            .map_err(|e| Error::sys(format!("--pty: chown /dev/pts/{n} to {uid}:{gid}"), e))?;
    }
    if console {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open("/dev/console")
            .map_err(|e| Error::Setup(format!("--pty: create /dev/console: {e}")))?;
        let pts = cstr(format!("/dev/pts/{n}"));
        sys::mount(Some(&pts), c"/dev/console", None, libc::MS_BIND, None)
            .map_err(|e| Error::sys(format!("--pty: bind /dev/pts/{n} on /dev/console"), e))?;
    }
    sys::send_fd(sock.as_fd(), master.as_fd())
        .map_err(|e| Error::sys("--pty: send the pty's master to hako (SCM_RIGHTS)", e))?;
    drop(master);
    drop(sock);
    for fd in 0..3 {
        sys::dup_onto(slave.as_fd(), fd)
            .map_err(|e| Error::sys(format!("--pty: dup2 the pty's slave on {fd}"), e))?;
    }
    Ok(())
}

/// In the command's process: a new session (unless this process already
/// leads one) whose controlling terminal is the pty on descriptor 0; its
/// process group becomes the terminal's foreground group.
pub(super) fn take_terminal(new_session: bool) -> Result<()> {
    if new_session {
        sys::setsid().map_err(|e| Error::sys("--pty: setsid", e))?;
    }
    sys::set_controlling_terminal(sys::stdio(0)).map_err(|e| {
        Error::sys(
            "--pty: make the pty the controlling terminal (TIOCSCTTY)",
            e,
        )
    })
}

/// hako's end of the console socket: the master, or `None` when the
/// sandbox closed it first (its setup failed; the error pipe says why).
pub(super) fn receive_master(sock: &OwnedFd) -> Result<Option<OwnedFd>> {
    sys::recv_fd(sock.as_fd()).map_err(|e| Error::sys("--pty: receive the pty's master", e))
}

/// The caller's terminal in raw mode for as long as this lives: every byte
/// (^C, ^Z included) goes to the pty, whose own line discipline acts on it.
struct RawMode {
    saved: Option<Termios>,
}

impl RawMode {
    fn enter() -> RawMode {
        let stdin = sys::stdio(0);
        if !sys::isatty(0) {
            return RawMode { saved: None };
        }
        let Ok(saved) = termios::tcgetattr(stdin) else {
            return RawMode { saved: None };
        };
        let mut raw = saved.clone();
        termios::cfmakeraw(&mut raw);
        if termios::tcsetattr(stdin, SetArg::TCSANOW, &raw).is_err() {
            return RawMode { saved: None };
        }
        RawMode { saved: Some(saved) }
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        if let Some(t) = &self.saved {
            let _ = termios::tcsetattr(sys::stdio(0), SetArg::TCSANOW, t);
        }
    }
}

/// Copy the caller's window size to the pty.
fn copy_size(master: BorrowedFd) {
    if let Some(ws) = caller_size() {
        let _ = sys::set_window_size(master, &ws);
    }
}

/// Write all of BUF to descriptor 1, waiting while it is full; false when it is gone.
fn write_out(mut buf: &[u8]) -> bool {
    let out = sys::stdio(1);
    while !buf.is_empty() {
        match nix::unistd::write(out, buf) {
            Ok(n) => buf = &buf[n..],
            Err(Errno::EINTR) => {}
            Err(Errno::EAGAIN) => {
                let mut p = [PollFd::new(out, PollFlags::POLLOUT)];
                let _ = poll(&mut p, PollTimeout::from(1000u16));
            }
            Err(_) => return false,
        }
    }
    true
}

/// hako's side while the command runs (sandbox.md, "The terminal relay"):
/// bytes of descriptor 0 go to MASTER, MASTER's to descriptor 1; signals in
/// SIGNALS (blocked by the caller) are forwarded to PID, SIGWINCH resizes
/// the pty. Returns PID's exit status once it has been reaped and the pty's
/// last output relayed; the caller's terminal is restored before that.
pub(super) fn relay(master: OwnedFd, pid: libc::pid_t, signals: &[libc::c_int]) -> i32 {
    let raw = RawMode::enter();
    let stdin_tty = sys::isatty(0);
    copy_size(master.as_fd());
    let _ = nix::fcntl::fcntl(
        master.as_fd(),
        nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
    );
    let mut mask = nix::sys::signal::SigSet::empty();
    for &s in signals {
        if let Ok(sig) = Signal::try_from(s) {
            mask.add(sig);
        }
    }
    let sigfd = SignalFd::with_flags(&mask, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC).ok();
    let stdin = sys::stdio(0);
    let mut input: Vec<u8> = Vec::new();
    let mut stdin_open = true;
    // End of input to pass on as the pty's EOF character, once `input` is written.
    let mut eof_due = false;
    let mut last_newline = true;
    let mut master_open = true;
    let mut out_open = true;
    let mut buf = vec![0u8; 64 * 1024];
    let status = loop {
        if let Ok((p, status)) = sys::waitpid(pid, libc::WNOHANG) {
            if p == pid {
                break sys::exit_code(status);
            }
        }
        if eof_due && input.is_empty() && master_open {
            eof_due = false;
            input = end_of_file(master.as_fd(), last_newline);
        }
        let mut fds = Vec::with_capacity(3);
        let stdin_at = (stdin_open && input.is_empty()).then(|| {
            fds.push(PollFd::new(stdin, PollFlags::POLLIN));
            fds.len() - 1
        });
        let master_at = master_open.then(|| {
            let mut ev = PollFlags::POLLIN;
            if !input.is_empty() {
                ev |= PollFlags::POLLOUT;
            }
            fds.push(PollFd::new(master.as_fd(), ev));
            fds.len() - 1
        });
        let sig_at = sigfd.as_ref().map(|s| {
            fds.push(PollFd::new(s.as_fd(), PollFlags::POLLIN));
            fds.len() - 1
        });
        match poll(&mut fds, PollTimeout::from(250u16)) {
            Ok(0) | Err(_) => continue,
            Ok(_) => {}
        }
        let ready = |at: Option<usize>| -> PollFlags {
            at.and_then(|i| fds[i].revents())
                .unwrap_or(PollFlags::empty())
        };
        let (stdin_ev, master_ev, sig_ev) = (ready(stdin_at), ready(master_at), ready(sig_at));
        drop(fds);
        if !stdin_ev.is_empty() {
            match nix::unistd::read(stdin, &mut buf) {
                Ok(n) if n > 0 => {
                    last_newline = buf[n - 1] == b'\n';
                    input.extend_from_slice(&buf[..n]);
                }
                Err(Errno::EAGAIN | Errno::EINTR) => {}
                // End of file, or a descriptor that cannot be read (EIO: a hung-up terminal).
                _ => {
                    stdin_open = false;
                    eof_due = !stdin_tty;
                }
            }
        }
        if master_ev.contains(PollFlags::POLLOUT) && !input.is_empty() {
            match nix::unistd::write(&master, &input) {
                Ok(n) => {
                    input.drain(..n);
                }
                Err(Errno::EAGAIN | Errno::EINTR) => {}
                Err(_) => input.clear(),
            }
        }
        if master_ev.intersects(PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR) {
            match nix::unistd::read(&master, &mut buf) {
                Ok(n) if n > 0 => {
                    if out_open {
                        out_open = write_out(&buf[..n]);
                    }
                }
                Err(Errno::EAGAIN | Errno::EINTR) => {}
                // EIO: every slave is closed; nothing more will come.
                _ => {
                    master_open = false;
                    input.clear();
                }
            }
        }
        if sig_ev.contains(PollFlags::POLLIN) {
            while let Some(Ok(Some(info))) = sigfd.as_ref().map(|s| s.read_signal()) {
                let sig = info.ssi_signo as libc::c_int;
                match sig {
                    libc::SIGCHLD => {}
                    // The pty signals its own foreground group when its size changes.
                    libc::SIGWINCH => copy_size(master.as_fd()),
                    // Always: the command is not in the caller's terminal's group.
                    _ => {
                        let _ = sys::kill(pid, sig);
                    }
                }
            }
        }
    };
    // The last output: what the pty still holds once the command is gone.
    while master_open && out_open {
        let mut p = [PollFd::new(master.as_fd(), PollFlags::POLLIN)];
        if !matches!(poll(&mut p, PollTimeout::from(50u16)), Ok(n) if n > 0) {
            break;
        }
        match nix::unistd::read(&master, &mut buf) {
            Ok(n) if n > 0 => out_open = write_out(&buf[..n]),
            Err(Errno::EINTR) => {}
            _ => break,
        }
    }
    drop(raw);
    status
}

/// What ends the pty's input as a pipe's end would: its EOF character
/// (^D), twice when the last line has no newline (the first ends the line)
/// and the pty is in canonical mode.
fn end_of_file(master: BorrowedFd, last_newline: bool) -> Vec<u8> {
    let Ok(t) = termios::tcgetattr(master) else {
        return vec![4];
    };
    let eof = t.control_chars[SpecialCharacterIndices::VEOF as usize];
    if t.local_flags.contains(LocalFlags::ICANON) && !last_newline {
        vec![eof, eof]
    } else {
        vec![eof]
    }
}
