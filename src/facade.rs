//! A small facade for Rust programs: a workspace, its files, history and
//! containers, without the command line. What `hako init`, `write`, `cat`,
//! `import`, `export`, `commit`, `log`, `diff` and `run` do, as calls:
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let hk = hako::Hako::init("/tmp/demo")?;
//! hk.write("/etc/motd", b"hello\n")?;
//! let first = hk.commit("a greeting")?.expect("something changed");
//! hk.write("/etc/motd", b"hello again\n")?;
//! hk.commit("a second greeting")?;
//! assert_eq!(hk.read("/etc/motd")?, b"hello again\n");
//! assert_eq!(hk.read(&format!("{first}:/etc/motd"))?, b"hello\n");
//! for c in hk.log("HEAD", 10)? {
//!     println!("{} {}", c.id.short(), c.subject);
//! }
//! let status = hk.command("/bin/sh").arg("-c").arg("cat /etc/motd").status()?;
//! assert_eq!(status, 0);
//! # Ok(())
//! # }
//! ```
//!
//! Paths in a container are absolute (`/etc/motd`); `REV:PATH` reads a path
//! of a commit, a branch or a tag. Everything here is also reachable in
//! full through [`Hako::workspace`] and the engine's modules.
#![warn(missing_docs)]
#![deny(missing_docs)]

use std::path::Path;

use crate::error::{Error, IoContext, Result};
use crate::oid::ObjectId;
use crate::prolly::dir::PathChange;
use crate::runtime::supervisor::{self, Outcome, RunError, RunRequest};
use crate::workspace::Workspace;

/// A workspace with one of its containers selected: the facade's handle.
pub struct Hako {
    ws: Workspace,
}

/// One commit as [`Hako::log`] lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// The commit's id.
    pub id: ObjectId,
    /// Its parents (none for a root commit or a shallow one).
    pub parents: Vec<ObjectId>,
    /// The first line of the message.
    pub subject: String,
    /// The whole message.
    pub message: String,
    /// The author as `Name <email>`.
    pub author: String,
    /// The committer's time, in seconds since the epoch.
    pub time: i64,
}

impl Hako {
    /// Create a workspace in `dir` (made if missing) whose first
    /// container, `default`, has no commits, as `hako init --empty` does.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let hk = hako::Hako::init(dir.path())?
    ///     .set_config("user.name", "Doc Test")?
    ///     .set_config("user.email", "doc@hako.invalid")?;
    /// hk.write("/greeting", b"hello\n")?;
    /// let id = hk.commit("greet")?.expect("a change");
    /// hk.write("/greeting", b"bye\n")?;
    /// assert_eq!(hk.read("/greeting")?, b"bye\n");
    /// assert_eq!(hk.read(&format!("{id}:/greeting"))?, b"hello\n");
    /// let changes = hk.diff(&id.to_string(), "WORKING")?;
    /// assert_eq!(changes.len(), 1);
    /// assert_eq!(changes[0].status(), 'M');
    /// assert_eq!(hk.log("HEAD", 5)?[0].subject, "greet");
    /// # Ok(())
    /// # }
    /// ```
    pub fn init(dir: impl AsRef<Path>) -> Result<Hako> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).at(dir)?;
        let ws = Workspace::init(dir)?;
        // The empty tree is always present, so a first commit can name it.
        crate::store::ObjectStore::write(
            &ws.odb,
            crate::object::ObjectType::Tree,
            crate::object::EMPTY_TREE_PAYLOAD,
        )?;
        Ok(Hako { ws })
    }

    /// Open the workspace `dir` is in (or below), with its active container.
    pub fn open(dir: impl AsRef<Path>) -> Result<Hako> {
        Ok(Hako {
            ws: Workspace::discover(dir.as_ref(), None)?,
        })
    }

    /// The same workspace with container `name` selected.
    pub fn container(&self, name: &str) -> Result<Hako> {
        Ok(Hako {
            ws: Workspace::open_with(&self.ws.dir, Some(name))?,
        })
    }

    /// Create container `name` (no commits yet) and select it.
    pub fn create_container(&self, name: &str) -> Result<Hako> {
        self.ws.create_container(name)?;
        self.container(name)
    }

    /// Give this container, which has no commits yet, its first commit:
    /// the seed root filesystem (busybox from the host, its applets, /etc
    /// basics), as `hako init` does. The commit, and whether busybox was
    /// there to seed it with.
    pub fn seed(&self) -> Result<(ObjectId, bool)> {
        crate::commit::seed_container(&self.ws)
    }

    /// Set `key` (`user.name`, `user.email`, `cache.maxSize`, …) in the
    /// workspace's config (layout.md), as `hako config KEY VALUE` does; the
    /// returned handle sees it.
    pub fn set_config(&self, key: &str, value: &str) -> Result<Hako> {
        crate::workspace::Config::edit(&self.ws.dir.join("config"), key, Some(value))?;
        self.container(&self.ws.container)
    }

    /// The engine's workspace, for everything the facade does not cover.
    pub fn workspace(&self) -> &Workspace {
        &self.ws
    }

    /// Write `data` as the file `path` of the working root (parents are
    /// made; an old file's mode and metadata are kept, else 644).
    pub fn write(&self, path: &str, data: &[u8]) -> Result<()> {
        let comps = self.comps(path)?;
        crate::worktree::write_file(&self.ws, &comps, data, None, || {})?;
        Ok(())
    }

    /// The bytes of the file or symlink target at `path` of the working
    /// root, or at `REV:PATH`.
    pub fn read(&self, path: &str) -> Result<Vec<u8>> {
        let loc = crate::worktree::locate(&self.ws, path)?;
        let e = crate::worktree::must_lookup(&self.ws.odb, &loc)?;
        if !(e.is_file() || e.is_symlink()) {
            return Err(Error::NotARegularFile(loc.shown()));
        }
        let mut out = Vec::new();
        crate::prolly::file::write_to(&self.ws.odb, &e.id, &mut out)?;
        Ok(out)
    }

    /// Import the host file or directory `host` as `path` of the working
    /// root, replacing what is there (modes, symlinks and hard links kept;
    /// owners and extended attributes are not recorded).
    pub fn import(&self, host: impl AsRef<Path>, path: &str) -> Result<()> {
        let comps = self.comps(path)?;
        let Some(name) = comps.last().cloned() else {
            return Err(Error::ImportNeedsPath);
        };
        let opts = crate::hostfs::ImportOptions {
            owners: false,
            exclude: self.ws.import_exclude(),
        };
        crate::worktree::edit_working(
            &self.ws,
            |batch, root| {
                let e = crate::hostfs::import_entry(batch, host.as_ref(), &name, &opts)?;
                crate::worktree::put(batch, &root, &comps, Some(e))
            },
            || {},
        )?;
        Ok(())
    }

    /// Write the directory at `path` (or `REV:PATH`) into the host
    /// directory `host`, which must be missing or empty; modes, symlinks
    /// and hard links as recorded, owners not applied.
    pub fn export(&self, path: &str, host: impl AsRef<Path>) -> Result<()> {
        let loc = crate::worktree::locate(&self.ws, path)?;
        let e = crate::worktree::must_lookup(&self.ws.odb, &loc)?;
        if !e.is_dir() {
            return Err(Error::NotADirectoryPath(loc.shown()));
        }
        let opts = crate::hostfs::CheckoutOptions {
            root: (!loc.comps.is_empty()).then(|| (e.mode, e.meta.clone())),
            ..Default::default()
        };
        crate::hostfs::checkout_tree(&self.ws.odb, &e.id, host.as_ref(), &opts)?;
        Ok(())
    }

    /// Commit the working root with `message`: the new commit, or None
    /// when nothing changed since HEAD.
    pub fn commit(&self, message: &str) -> Result<Option<ObjectId>> {
        crate::commit::commit_working(&self.ws, message, "commit", false)
    }

    /// Up to `limit` commits reachable from `rev`, newest first.
    pub fn log(&self, rev: &str, limit: usize) -> Result<Vec<LogEntry>> {
        let tip = crate::revparse::rev_parse(self.ws.repo(), rev)?;
        let opts = crate::revwalk::WalkOptions {
            first_parent: false,
            limit: Some(limit),
        };
        crate::revwalk::walk(&self.ws.odb, &[tip], &[], &opts)?
            .into_iter()
            .map(|w| {
                let o = crate::store::ObjectStore::read(&self.ws.odb, &w.id)?;
                let c = crate::object::CommitRef::parse(&o.data)?;
                let message = String::from_utf8_lossy(c.message).into_owned();
                let a = c.author_sig();
                Ok(LogEntry {
                    id: w.id,
                    parents: w.parents,
                    subject: message.lines().next().unwrap_or("").to_string(),
                    message,
                    author: format!("{} <{}>", a.name, a.email),
                    time: w.time,
                })
            })
            .collect()
    }

    /// What changed from tree-ish `a` to `b` (commits, branches, tags,
    /// trees, `WORKING`), file by file.
    pub fn diff(&self, a: &str, b: &str) -> Result<Vec<PathChange>> {
        let ta = crate::revparse::rev_parse_tree(self.ws.repo(), a)?;
        let tb = crate::revparse::rev_parse_tree(self.ws.repo(), b)?;
        let mut out = Vec::new();
        crate::prolly::dir::diff_recursive(&self.ws.odb, &ta, &tb, true, b"", &mut out)?;
        Ok(out)
    }

    /// Pull an image into a container of this workspace (created, or given
    /// one more commit), as `hako pull` does: `PullRequest::new("alpine")`,
    /// with `name` for `--as`. A container with a running persistent
    /// instance is refused. Select the container with [`Hako::container`].
    pub fn pull(
        &self,
        req: &crate::oci::pull::PullRequest,
    ) -> Result<crate::oci::pull::PullOutcome> {
        crate::runtime::instance::pull(&self.ws, req, &crate::progress::Silent)
    }

    /// A command to run in this container, as `hako run` runs it:
    /// rootless, over the working root, its writes folded back into it
    /// when it ends (unless [`Command::discard`]), its record then removed.
    pub fn command(&self, program: &str) -> Command<'_> {
        Command {
            hako: self,
            req: RunRequest::new(Some(self.ws.container.clone()), vec![program.to_string()]),
        }
    }

    fn comps(&self, path: &str) -> Result<Vec<Vec<u8>>> {
        crate::container::resolve_path(&crate::container::cwd(&self.ws)?, path)
    }
}

/// A command in a container, built as a `std::process::Command` is
/// (Hakoniwa's builder reads the same way), and run by [`Command::status`].
pub struct Command<'a> {
    hako: &'a Hako,
    req: RunRequest,
}

impl Command<'_> {
    /// One more argument.
    pub fn arg(mut self, arg: &str) -> Self {
        self.req.command.push(arg.to_string());
        self
    }

    /// More arguments.
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, args: I) -> Self {
        self.req
            .command
            .extend(args.into_iter().map(|a| a.as_ref().to_string()));
        self
    }

    /// Set an environment variable inside.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.req.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Run as `user` (a name or uid of the container's `/etc/passwd`).
    pub fn user(mut self, user: &str) -> Self {
        self.req.user = Some(user.to_string());
        self
    }

    /// Start in directory `dir` of the container.
    pub fn current_dir(mut self, dir: &str) -> Self {
        self.req.workdir = Some(dir.to_string());
        self
    }

    /// Mount the tree read-only: every write fails (`run --ro`).
    pub fn read_only(mut self) -> Self {
        self.req.ro = true;
        self
    }

    /// Discard what the command writes instead of folding it into the
    /// working root (`run --rm`).
    pub fn discard(mut self) -> Self {
        self.req.rm = true;
        self
    }

    /// Run the command to its end: its exit status (128 + N for a signal N).
    /// Its standard streams are this process's.
    pub fn status(self) -> std::result::Result<i32, RunError> {
        let mut req = self.req;
        req.forget = !req.rm;
        let spec = supervisor::plan(&self.hako.ws, req, &Quiet)?;
        match supervisor::run(spec, &Quiet)? {
            Outcome::Exited(code) => Ok(code),
            Outcome::Detached(id) => Err(RunError::Usage(format!("{id}: detached"))),
        }
    }
}

/// The sandbox's warnings go to the crate's warnings; notes and commits are
/// `tracing` events (INFO), for the program's subscriber.
struct Quiet;

impl supervisor::Reporter for Quiet {
    fn sandbox_warnings(&self, warnings: &[crate::sandbox::Warning]) {
        for w in warnings {
            crate::warnings::warn(w.to_string());
        }
    }

    fn note(&self, note: &str) {
        tracing::info!("{note}");
    }

    fn committed(&self, commit: Option<(&crate::oid::ObjectId, &str)>) {
        if let Some((id, summary)) = commit {
            tracing::info!("committed {id}: {summary}");
        }
    }

    // The program's own subscriber has had the warnings as they came.
    fn say_warnings(&self) {}

    // `status` runs in the foreground: no supervisor is detached.
    fn detached_failed(&self, _: &RunError) {}
}
