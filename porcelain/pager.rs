//! The pager of long output on a terminal, as git's: `log`, `diff`, `show`,
//! `status` and `reflog` write through `less -FRX` (one screen or less is
//! printed as it is) when standard output is a terminal.
//!
//! The program: `HAKO_PAGER`, else the `core.pager` config (workspace, then
//! user), else `PAGER`, else `less`; run by `sh -c`, so it may carry
//! arguments. Empty or `cat` means no pager. `LESS=FRX` and `LV=-c` are set
//! when the environment has none. `--no-pager` (or `-P`) before the command
//! turns it off.

use std::io::{IsTerminal, Write};
use std::process::{Child, Command, Stdio};

use hako::workspace::Config;

/// A running pager that has this process's standard output.
pub struct Pager {
    child: Child,
}

/// The pager program, or `None` when paging is off.
fn program() -> Option<String> {
    let from_config = || {
        crate::plumbing::open_workspace()
            .ok()
            .and_then(|ws| ws.config.get("core.pager").map(str::to_string))
            .or_else(|| {
                // A user config that does not parse: no pager; the command says why.
                Config::user()
                    .ok()
                    .and_then(|c| c.get("core.pager").map(str::to_string))
            })
    };
    let p = std::env::var("HAKO_PAGER")
        .ok()
        .or_else(from_config)
        .or_else(|| std::env::var("PAGER").ok())
        .unwrap_or_else(|| "less".into());
    let p = p.trim().to_string();
    (!p.is_empty() && p != "cat").then_some(p)
}

/// Start the pager when standard output is a terminal and one is configured;
/// from then on standard output goes to it.
pub fn start() -> Option<Pager> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let prog = program()?;
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c").arg(&prog).stdin(Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        cmd.env("LESS", "FRX");
    }
    if std::env::var_os("LV").is_none() {
        cmd.env("LV", "-c");
    }
    let mut child = cmd.spawn().ok()?;
    let stdin = child.stdin.take()?;
    if nix::unistd::dup2_stdout(&stdin).is_err() {
        let _ = child.kill();
        let _ = child.wait();
        return None;
    }
    drop(stdin);
    // ^C belongs to the pager; quitting it ends this process (broken pipe).
    hako::sys::ignore_interrupts();
    Some(Pager { child })
}

impl Pager {
    /// Hand the pager the end of the output and wait for it to exit (the
    /// reader may still be scrolling).
    pub fn finish(mut self) {
        let _ = std::io::stdout().flush();
        // Standard output now points at /dev/null: the pager sees the end.
        if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
            let _ = nix::unistd::dup2_stdout(&null);
        }
        let _ = self.child.wait();
    }
}
