//! Porcelain: the everyday commands, each composed in-process from plumbing
//! functions and engine calls. Helpers shared by several commands live here.

pub mod add;
pub mod apply;
pub mod bootstrap;
pub mod branch;
pub mod cat;
pub mod cd;
pub mod checkout;
pub mod clone;
pub mod commit;
pub mod complete;
pub mod completions;
pub mod config;
pub mod containers;
pub mod cp;
pub mod del;
pub mod del_container;
pub mod descriptions;
pub mod diff;
pub mod examples;
pub mod exec;
pub mod export;
pub mod fetch;
pub mod fsck;
pub mod gc;
pub mod help;
pub mod image;
pub mod images;
pub mod import;
pub mod init;
pub mod is;
pub mod kill;
pub mod log;
pub mod logs;
pub mod ls;
pub mod manpages;
pub mod merge;
pub mod mkdir;
pub mod mount;
pub mod mv;
pub mod new_container;
pub mod pager;
pub mod patch;
pub mod prune;
pub mod ps;
pub mod pull;
pub mod push;
pub mod pwd;
pub mod reap;
pub mod reflog;
pub mod remote;
pub mod repack;
pub mod reset;
pub mod run;
pub mod run_cli;
pub mod shell;
pub mod show;
pub mod status;
pub mod stop;
pub mod tag;
pub mod tree;
pub mod umount;
pub mod wait;
pub mod write;

use hako::store::BatchWriter;
use hako::workspace::Workspace;
use hako::ObjectId;

/// A commit as `log` and `show` print it by default: `commit ID[NOTE]`,
/// `Merge:` for a merge, author, date, then the message indented by four.
pub fn write_commit_medium(
    out: &mut dyn std::io::Write,
    id: &ObjectId,
    c: &hako::object::CommitRef,
    note: &str,
) -> std::io::Result<()> {
    writeln!(out, "commit {id}{note}")?;
    if c.parents.len() > 1 {
        let ps: Vec<String> = c.parents.iter().map(|p| p.short()).collect();
        writeln!(out, "Merge: {}", ps.join(" "))?;
    }
    let au = c.author_sig();
    writeln!(out, "Author: {} <{}>", au.name, au.email)?;
    writeln!(out, "Date:   {}", au.date_string())?;
    writeln!(out)?;
    for line in String::from_utf8_lossy(c.message).lines() {
        if line.is_empty() {
            writeln!(out)?;
        } else {
            writeln!(out, "    {line}")?;
        }
    }
    Ok(())
}

/// SECS as a person reads an age: `5 seconds ago`, `2 minutes ago`, `3 days ago`.
pub fn ago(secs: u64) -> String {
    let (n, unit) = match secs {
        0..=59 => (secs, "second"),
        60..=3599 => (secs / 60, "minute"),
        3600..=86399 => (secs / 3600, "hour"),
        86400..=2_591_999 => (secs / 86400, "day"),
        2_592_000..=31_535_999 => (secs / 2_592_000, "month"),
        _ => (secs / 31_536_000, "year"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// Refuse to move the working root of WS's container under a live
/// persistent instance (its later writes would land on the new tree),
/// naming the instance; `forced` goes ahead anyway.
pub fn refuse_if_running(ws: &Workspace, what: &str, forced: bool) -> anyhow::Result<()> {
    Ok(hako::runtime::instance::refuse_if_running(
        ws, what, forced,
    )?)
}

/// `hako::worktree::edit_working`, pausing for tests at "write".
pub fn edit_working<F>(ws: &Workspace, edit: F) -> anyhow::Result<ObjectId>
where
    F: FnOnce(&BatchWriter, ObjectId) -> anyhow::Result<ObjectId>,
{
    hako::worktree::edit_working(ws, edit, || test_pause("write"))
}

/// Edit the working root once per user path (`del`, `mkdir`): `edit` gets
/// the root so far and the path's components, and returns the new root.
pub fn edit_paths<F>(ws: &Workspace, paths: &[String], mut edit: F) -> anyhow::Result<ObjectId>
where
    F: FnMut(&BatchWriter, ObjectId, &[Vec<u8>]) -> anyhow::Result<ObjectId>,
{
    let all = hako::worktree::resolve_all(ws, paths)?;
    edit_working(ws, |batch, root| {
        all.iter()
            .try_fold(root, |root, comps| edit(batch, root, comps))
    })
}

/// For tests of concurrent commands: with `HAKO_TEST_PAUSE=POINT:PATH`, the
/// command reaching POINT creates `PATH.ready` and waits (up to 30 s) for
/// `PATH.go` to exist, so a test can run another command in between.
pub fn test_pause(point: &str) {
    let Ok(spec) = std::env::var("HAKO_TEST_PAUSE") else {
        return;
    };
    let Some((p, path)) = spec.split_once(':') else {
        return;
    };
    if p != point {
        return;
    }
    let _ = std::fs::write(format!("{path}.ready"), b"");
    let go = std::path::PathBuf::from(format!("{path}.go"));
    for _ in 0..3000 {
        if go.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// For tests of the panic path: with `HAKO_TEST_PANIC=POINT`, the command
/// reaching POINT panics (what it leaves behind is then checked).
pub fn test_panic(point: &str) {
    if std::env::var("HAKO_TEST_PANIC").is_ok_and(|p| p == point) {
        panic!("HAKO_TEST_PANIC={point}");
    }
}

/// Seed a container with no commits (`commit::seed_container`), with a note
/// unless `quiet` when the host has no busybox to seed it with.
pub fn seed_container(ws: &Workspace, quiet: bool) -> anyhow::Result<(hako::ObjectId, bool)> {
    let (commit, found) = hako::commit::seed_container(ws)?;
    if !found && !quiet {
        eprintln!("note: busybox is not installed on this host (apt-get install busybox-static); the root filesystem has no programs");
    }
    Ok((commit, found))
}

/// After a bulk write: `gc --auto` (quiet; its failure is a warning, never
/// the command's).
pub fn auto_gc(ws: &hako::workspace::Workspace) {
    let expire = std::time::SystemTime::now() - hako::maint::gc::GRACE;
    if let Err(e) = hako::maint::gc::gc(ws, expire, true) {
        hako::warnings::warn(format!("gc --auto: {e}"));
    }
}

/// Plan and run REQ as `hako run` does (also `apply`'s steps and `--run`):
/// the command's exit status, or a detached instance's id printed.
pub fn run_request(
    ws: &Workspace,
    req: hako::runtime::supervisor::RunRequest,
) -> anyhow::Result<i32> {
    use crate::plumbing::sandbox_cli::{run_error, RunWarnings};
    use hako::runtime::supervisor::{self, Outcome};
    let spec = supervisor::plan(ws, req, &RunWarnings).map_err(run_error)?;
    match supervisor::run(spec, &RunWarnings) {
        Ok(Outcome::Exited(code)) => Ok(code),
        Ok(Outcome::Detached(id)) => {
            println!("{id}");
            Ok(0)
        }
        Err(e) => Err(run_error(e)),
    }
}
