//! Running instances: their state under `.hako/instances/<id>/`
//! (format-spec/runtime.md), the data path each runs on, and the
//! supervisor's lock that tells a live instance from a dead one.
#![warn(missing_docs)]

use std::fs::{self, File};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, IoContext, Result};
use crate::runtime::error::{RecordFault, RuntimeError};
use crate::workspace::Workspace;

// Where they were before the FUSE code shared them.
pub use super::fuse::mount::{check_fuse, is_mounted, mount_device, unmount_lazy};

const RECORD_VERSION: u32 = 1;

/// The data path an instance runs on (its record's `fs` line; `datapath` chooses it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataPath {
    /// A kernel overlay mount over a checkout from the cache.
    Overlay,
    /// hako's FUSE server, reading the tree from the store.
    Fuse,
    /// A checkout of its own, folded back when the command ends.
    Materialize,
}

impl DataPath {
    /// The name as the record and `--fs` spell it.
    pub fn name(self) -> &'static str {
        match self {
            DataPath::Overlay => "overlay",
            DataPath::Fuse => "fuse",
            DataPath::Materialize => "materialize",
        }
    }

    /// The data path a record or `--fs` names, if any.
    pub fn parse(s: &str) -> Option<DataPath> {
        Some(match s {
            "overlay" => DataPath::Overlay,
            "fuse" => DataPath::Fuse,
            "materialize" => DataPath::Materialize,
            _ => return None,
        })
    }
}

/// What an instance may write (format-spec/runtime.md, "Modes and the working root").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Read-write over the container's working root, where its writes land.
    Persistent,
    /// Read-write, but nothing written is kept (`--rm`, or a REV that is not a container).
    Temporary,
    /// Mounted read-only (`--ro`).
    Readonly,
}

impl Mode {
    /// The name as the record spells it.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Persistent => "persistent",
            Mode::Temporary => "temporary",
            Mode::Readonly => "readonly",
        }
    }
    fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "persistent" => Mode::Persistent,
            "temporary" => Mode::Temporary,
            "readonly" => Mode::Readonly,
            _ => return None,
        })
    }
}

/// Where an instance is in its life (its record's `status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The directory exists; the command has not started.
    Created,
    /// The supervisor started the command.
    Running,
    /// The command ended; `exit` and `finished` are set.
    Exited,
    /// The supervisor died before it recorded the exit.
    Dead,
}

impl Status {
    /// The name as the record spells it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Exited => "exited",
            Status::Dead => "dead",
        }
    }
    fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "created" => Status::Created,
            "running" => Status::Running,
            "exited" => Status::Exited,
            "dead" => Status::Dead,
            _ => return None,
        })
    }
}

/// A process named by pid and start time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Proc {
    /// Its pid on the host.
    pub pid: i32,
    /// Its start time from /proc (None: unknown, never taken for alive).
    pub start: Option<u64>,
}

impl Proc {
    /// This process, if /proc tells its start time.
    pub fn of(pid: i32) -> Proc {
        Proc {
            pid,
            start: crate::sandbox::process_start_time(pid),
        }
    }
    /// Whether the process still runs (same pid, same start time).
    pub fn alive(&self) -> bool {
        self.pid > 0
            && self.start.is_some()
            && crate::sandbox::process_start_time(self.pid) == self.start
    }
}

/// The instance record (`state`).
#[derive(Clone, Debug)]
pub struct Instance {
    /// The instance id.
    pub id: String,
    /// `--name`, if given.
    pub name: Option<String>,
    /// The container run (None: a REV that is not one).
    pub container: Option<String>,
    /// What was given: a container name or revision text.
    pub rev: String,
    /// The hex id of the tree the instance started from.
    pub tree: String,
    /// What the instance may write.
    pub mode: Mode,
    /// The command and its arguments.
    pub command: Vec<String>,
    /// When the instance was created, in seconds since the epoch.
    pub created: u64,
    /// The supervising hako process.
    pub supervisor: Option<Proc>,
    /// The FUSE server process, if any.
    pub fuse: Option<Proc>,
    /// The sandbox's pid 1, once started.
    pub pid: Option<Proc>,
    /// The status as recorded (see `effective_status`).
    pub status: Status,
    /// The exit status (128+N for signal N), once exited.
    pub exit: Option<i32>,
    /// When the command ended, in seconds since the epoch.
    pub finished: Option<u64>,
    /// Commit the working root after each `hako exec` (and at exit).
    pub autocommit: bool,
    /// The capabilities the container's root holds (`u64::MAX`: all, as
    /// `--keep-cap`); `hako exec` gives its command the same.
    pub caps: u64,
    /// The data path: `overlay`, `fuse` or `materialize`.
    pub fs: DataPath,
    /// `.hako/instances/<id>`.
    pub dir: PathBuf,
}

/// Seconds since the epoch, now (0 if the clock is before it).
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `.hako/instances`.
pub(crate) fn instances_dir(ws: &Workspace) -> PathBuf {
    ws.dir.join("instances")
}

/// A fresh instance id (runtime.md).
pub(crate) fn new_id(container: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let seed = format!("{} {nanos} {container}", std::process::id());
    blake3::hash(seed.as_bytes()).to_hex()[..12].to_string()
}

fn proc_field(p: &Option<Proc>) -> String {
    match p {
        Some(p) => format!(
            "{} {}",
            p.pid,
            p.start.map_or("-".to_string(), |s| s.to_string())
        ),
        None => "-".into(),
    }
}

fn parse_proc(v: &str) -> Option<Proc> {
    let mut it = v.split(' ');
    let pid = it.next()?.parse().ok()?;
    let start = it.next().and_then(|s| s.parse().ok());
    Some(Proc { pid, start })
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map_or("-".to_string(), |v| v.to_string())
}

impl Instance {
    /// Send `sig` to the instance's sandbox (its pid 1), if it still runs.
    pub fn signal(&self, sig: nix::sys::signal::Signal) {
        if let Some(p) = self.pid.filter(|p| p.alive()) {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(p.pid), sig);
        }
    }

    fn state_path(&self) -> PathBuf {
        self.dir.join("state")
    }
    /// `mnt/`: where the instance's root is mounted.
    pub fn mountpoint(&self) -> PathBuf {
        self.dir.join("mnt")
    }
    /// `log`: a detached instance's output.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("log")
    }
    /// `spill/`: large files being written, removed at exit.
    pub(crate) fn spill_dir(&self) -> PathBuf {
        self.dir.join("spill")
    }
    /// `lock`: held by the supervisor for its life.
    pub(crate) fn lock_path(&self) -> PathBuf {
        self.dir.join("lock")
    }

    /// The record as text.
    pub fn encode(&self) -> String {
        let cmd: Vec<String> = self
            .command
            .iter()
            .map(|a| serde_json::to_string(a).unwrap_or_default())
            .collect();
        format!(
            "version {RECORD_VERSION}\nid {}\nname {}\ncontainer {}\nrev {}\ntree {}\nmode {}\ncommand {}\ncreated {}\nsupervisor {}\nfuse {}\npid {}\nstatus {}\nexit {}\nfinished {}\nautocommit {}\nfs {}\ncaps {:016x}\n",
            self.id,
            opt(&self.name),
            opt(&self.container),
            self.rev,
            self.tree,
            self.mode.name(),
            cmd.join(" "),
            self.created,
            proc_field(&self.supervisor),
            proc_field(&self.fuse),
            proc_field(&self.pid),
            self.status.name(),
            opt(&self.exit),
            opt(&self.finished),
            u8::from(self.autocommit),
            self.fs.name(),
            self.caps,
        )
    }

    /// Replace the record atomically (temp file, rename). Not fsynced: a
    /// record lost in a crash names an instance that died with the machine,
    /// and a start costs two fsyncs less (runtime.md).
    pub fn save(&self) -> Result<()> {
        let path = self.state_path();
        let tmp = self.dir.join(format!("state.tmp{}", std::process::id()));
        fs::write(&tmp, self.encode().as_bytes()).at(&tmp)?;
        fs::rename(&tmp, &path).at(&path)
    }

    /// Read the record in `dir`.
    pub fn load(dir: &Path) -> Result<Instance> {
        let p = dir.join("state");
        let text = fs::read_to_string(&p).at(&p)?;
        let bad = |why: RecordFault| {
            Error::from(RuntimeError::InstanceRecord {
                path: p.clone(),
                why,
            })
        };
        let mut f = std::collections::HashMap::new();
        for l in text.lines() {
            if let Some((k, v)) = l.split_once(' ') {
                f.insert(k, v);
            }
        }
        let get = |k: &str| {
            f.get(k)
                .copied()
                .ok_or_else(|| bad(RecordFault::Missing(k.to_string())))
        };
        let none_or = |v: &str| (v != "-").then(|| v.to_string());
        let command = serde_json::Deserializer::from_str(get("command")?)
            .into_iter::<String>()
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|_| bad(RecordFault::Bad("command")))?;
        Ok(Instance {
            id: get("id")?.to_string(),
            name: none_or(get("name")?),
            container: none_or(get("container")?),
            rev: get("rev")?.to_string(),
            tree: get("tree")?.to_string(),
            mode: Mode::parse(get("mode")?).ok_or_else(|| bad(RecordFault::Bad("mode")))?,
            command,
            created: get("created")?
                .parse()
                .map_err(|_| bad(RecordFault::Bad("created")))?,
            supervisor: parse_proc(get("supervisor")?),
            fuse: parse_proc(get("fuse")?),
            pid: parse_proc(get("pid")?),
            status: Status::parse(get("status")?).ok_or_else(|| bad(RecordFault::Bad("status")))?,
            exit: get("exit")?.parse().ok(),
            finished: get("finished")?.parse().ok(),
            autocommit: f.get("autocommit") == Some(&"1"),
            // Records of older writers held no set: run's default then.
            caps: f
                .get("caps")
                .and_then(|v| u64::from_str_radix(v, 16).ok())
                .unwrap_or(crate::sandbox::DEFAULT_CAPS),
            // Records before the line: FUSE, or a checkout when one is recorded.
            fs: match f.get("fs") {
                Some(v) => DataPath::parse(v).ok_or_else(|| bad(RecordFault::Bad("fs")))?,
                None if dir.join("materialized").exists() => DataPath::Materialize,
                None => DataPath::Fuse,
            },
            dir: dir.to_path_buf(),
        })
    }

    /// Whether the supervisor still holds the instance's lock.
    pub fn supervised(&self) -> bool {
        let Ok(f) = File::open(self.lock_path()) else {
            return false;
        };
        match f.try_lock() {
            Ok(()) => {
                let _ = f.unlock();
                false
            }
            Err(_) => true,
        }
    }

    /// The status to show: `dead` for a record whose supervisor is gone.
    pub fn effective_status(&self) -> Status {
        match self.status {
            Status::Created | Status::Running if !self.supervised() => Status::Dead,
            s => s,
        }
    }
}

/// The supervisor's lock on `instances/<id>/lock`, held for its life.
pub(crate) struct SupervisorLock(File);

impl SupervisorLock {
    /// Take the lock for `inst`, refusing if another supervisor holds it.
    pub(crate) fn take(inst: &Instance) -> Result<SupervisorLock> {
        let p = inst.lock_path();
        let f = crate::fsutil::open_lock_file(&p)?;
        f.try_lock().map_err(|_| RuntimeError::Locked(p.clone()))?;
        Ok(SupervisorLock(f))
    }
    /// The descriptor, for children to close.
    pub fn raw_fd(&self) -> i32 {
        self.0.as_raw_fd()
    }
}

/// Instance directories without a readable record whose supervisor is gone:
/// killed between making the directory and writing `state` (runtime.md,
/// "Reaping"). A directory younger than `grace`, or whose lock is held, may
/// belong to a run still starting and is left alone.
pub fn unrecorded(ws: &Workspace, grace: std::time::Duration) -> Result<Vec<PathBuf>> {
    let now = std::time::SystemTime::now();
    let mut out = Vec::new();
    for p in crate::fsutil::dir_paths(&instances_dir(ws))? {
        if !p.is_dir() || Instance::load(&p).is_ok() || p.join("state").exists() {
            continue;
        }
        let young = fs::symlink_metadata(&p)
            .and_then(|m| m.modified())
            .map_or(true, |t| now.duration_since(t).unwrap_or_default() < grace);
        let held = fs::File::open(p.join("lock")).is_ok_and(|f| f.try_lock().is_err());
        if !young && !held {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// Every instance record, oldest first (unreadable ones are skipped).
pub fn list(ws: &Workspace) -> Result<Vec<Instance>> {
    let mut out: Vec<Instance> = crate::fsutil::dir_paths(&instances_dir(ws))?
        .iter()
        .filter_map(|p| Instance::load(p).ok())
        .collect();
    out.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    Ok(out)
}

/// Refuse `what` (a command that moves the working root: checkout, merge,
/// reset --hard, pull) while a persistent instance of the container writes
/// to it, unless `forced`.
pub fn refuse_if_running(ws: &Workspace, what: &str, forced: bool) -> Result<()> {
    if forced {
        return Ok(());
    }
    if let Some(i) = live_persistent(ws, &ws.container)? {
        let shown = i.name.as_deref().unwrap_or(&i.id);
        return Err(RuntimeError::Running {
            what: what.to_string(),
            container: ws.container.clone(),
            shown: shown.to_string(),
        }
        .into());
    }
    Ok(())
}

/// The live persistent instance of CONTAINER, if any: its command writes to
/// the container's working root, so moving that root under it (checkout,
/// reset, merge, pull, a second run) would mix its writes into another tree.
pub(crate) fn live_persistent(ws: &Workspace, container: &str) -> Result<Option<Instance>> {
    Ok(list(ws)?.into_iter().find(|i| {
        i.container.as_deref() == Some(container)
            && i.mode == Mode::Persistent
            && matches!(i.effective_status(), Status::Created | Status::Running)
    }))
}

/// Exited instances kept by default (`run.keepExited` in the config).
const KEEP_EXITED: usize = 20;

/// How many exited instances `run` keeps: `run.keepExited` of the workspace
/// config, else the user config, else `KEEP_EXITED`.
pub fn keep_exited(ws: &Workspace) -> Result<usize> {
    let user = crate::config::Config::user()?;
    Ok(ws
        .config
        .get("run.keepexited")
        .or_else(|| user.get("run.keepexited"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(KEEP_EXITED))
}

/// Remove the records of exited instances but the KEEP most recently
/// finished (runtime.md, "Reaping"): a session of runs does not pile them
/// up. Running, created and dead instances (a dead one may hold writes not
/// yet folded) are never touched. Returns how many were removed.
pub(crate) fn reap_exited(ws: &Workspace, keep: usize) -> Result<usize> {
    // Every run starts here: read no record while there are too few to reap.
    let present = fs::read_dir(instances_dir(ws)).map_or(0, |d| d.count());
    if present <= keep {
        return Ok(0);
    }
    let mut exited: Vec<Instance> = list(ws)?
        .into_iter()
        .filter(|i| i.effective_status() == Status::Exited)
        .collect();
    // Newest first: by when the record was last written (the exit), which
    // orders runs that finished within the same second.
    let written = |i: &Instance| {
        fs::metadata(i.state_path())
            .and_then(|m| m.modified())
            .unwrap_or(std::time::UNIX_EPOCH)
    };
    exited.sort_by_cached_key(|i| std::cmp::Reverse((i.finished.unwrap_or(i.created), written(i))));
    let mut n = 0;
    for i in exited.into_iter().skip(keep) {
        if fs::remove_dir_all(&i.dir).is_ok() {
            n += 1;
        }
    }
    Ok(n)
}

/// Pull `req` into `ws` as `oci::pull::pull` does, refusing a target
/// container with a running persistent instance (`hako pull`, `apply`, the
/// facade).
pub fn pull(
    ws: &Workspace,
    req: &crate::oci::pull::PullRequest,
    progress: &dyn crate::progress::Progress,
) -> Result<crate::oci::pull::PullOutcome> {
    crate::oci::pull::pull(ws, req, progress, &|c| refuse_if_running(c, "pull", false))
}

/// The instance named by `spec`: its name, id, or a unique id prefix (4+).
pub fn find(ws: &Workspace, spec: &str) -> Result<Instance> {
    let all = list(ws)?;
    if let Some(i) = all
        .iter()
        .find(|i| i.name.as_deref() == Some(spec) || i.id == spec)
    {
        return Ok(i.clone());
    }
    let hits: Vec<&Instance> = if spec.len() >= 4 {
        all.iter().filter(|i| i.id.starts_with(spec)).collect()
    } else {
        Vec::new()
    };
    match hits.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(RuntimeError::NoInstance(spec.to_string()).into()),
        _ => Err(RuntimeError::AmbiguousInstance(spec.to_string()).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let i = Instance {
            id: "0123456789ab".into(),
            name: Some("web".into()),
            container: None,
            rev: "v1".into(),
            tree: "00".repeat(32),
            mode: Mode::Temporary,
            command: vec!["sh".into(), "-c".into(), "echo \"a b\"\n".into()],
            created: 17,
            supervisor: Some(Proc {
                pid: 10,
                start: Some(99),
            }),
            fuse: Some(Proc {
                pid: 11,
                start: None,
            }),
            pid: None,
            status: Status::Exited,
            exit: Some(143),
            finished: Some(20),
            autocommit: true,
            caps: 0,
            fs: DataPath::Overlay,
            dir: dir.path().to_path_buf(),
        };
        i.save().unwrap();
        let j = Instance::load(dir.path()).unwrap();
        assert_eq!(j.encode(), i.encode());
        assert!(i
            .encode()
            .ends_with("autocommit 1\nfs overlay\ncaps 0000000000000000\n"));
        // A record written before the `fs` line reads as a FUSE instance.
        let old = i.encode().replace("fs overlay\n", "");
        std::fs::write(dir.path().join("state"), old).unwrap();
        let k = Instance::load(dir.path()).unwrap();
        assert_eq!(k.fs, DataPath::Fuse);
        assert_eq!(j.command, i.command);
        assert_eq!(j.exit, Some(143));
        assert!(j.autocommit);
        assert_eq!(j.container, None);
        assert!(i.encode().contains("fuse 11 -\npid -\n"));
        // No supervisor holds the lock: a running record reads as dead.
        let mut k = j.clone();
        k.status = Status::Running;
        assert_eq!(k.effective_status(), Status::Dead);
        let _lock = SupervisorLock::take(&k).unwrap();
        assert_eq!(k.effective_status(), Status::Running);
    }
}
