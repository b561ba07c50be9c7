//! `unshare-exec`: the one linear sequence from a `Config` to `execve`.
//! format-spec/sandbox.md describes these steps in the same order.
//!
//! Processes: hako (host namespaces: cgroup, id-map helpers, pasta, signal
//! forwarding, exit status) → pid 1 of the sandbox (builds the namespaces'
//! contents, then reaps) → the command. With `--as-pid-1` the command is pid 1.
#![warn(missing_docs)]

use std::convert::Infallible;
use std::ffi::{CString, OsStr, OsString};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use seccompiler::BpfProgram;

use super::cgroup;
use super::config::{Config, EnvBase, NetMode};
use super::confine;
use super::error::{Error, Result, Warning};
use super::idmap;
use super::overlay::escape_overlay_path;
use super::pty;
use super::rootfs::{self, BindSource};
use super::sys::{self, SigSet};

/// Signals hako passes on to the command (SIGCHLD is waited for, not forwarded).
pub const FORWARDED: [libc::c_int; 7] = [
    libc::SIGTERM,
    libc::SIGINT,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGWINCH,
];

/// si_code of a signal raised by the kernel itself, e.g. the terminal's ^C:
/// every process of the foreground group gets that one directly.
const SI_KERNEL: libc::c_int = 0x80;

/// PATH where the command's environment sets none.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Everything computed on the host before any namespace exists.
struct Prepared {
    rootfs: PathBuf,
    sources: Vec<BindSource>,
    exec: Exec,
    seccomp: Option<BpfProgram>,
    host_uid: u32,
    host_gid: u32,
    /// Map ids 0..65536 1:1 (hako is root) instead of the caller's id alone.
    full_range: bool,
    /// Mount points that ROOTFS lacks: created inside, removed after the run.
    missing: Vec<PathBuf>,
    /// An overlay root to mount on ROOTFS first.
    overlay: Option<rootfs::OverlayMount>,
    /// With `pty`: the caller's window size, given to the pty inside.
    pty_size: Option<libc::winsize>,
}

/// A sandbox whose command is running (or has failed to start).
pub struct Sandbox {
    /// The sandbox's pid 1, as the host sees it.
    pub pid: libc::pid_t,
    /// What the setup did differently from what was asked, for the caller to report.
    pub warnings: Vec<Warning>,
    waitset: SigSet,
    old_mask: SigSet,
    new_session: bool,
    pasta: Option<libc::pid_t>,
    pid_file: Option<PathBuf>,
    cgroup: Option<cgroup::SandboxCgroup>,
    err_r: OwnedFd,
    rootfs: PathBuf,
    missing: Vec<PathBuf>,
    /// With `pty`: the pty's master, relayed by `wait`.
    master: Option<OwnedFd>,
}

/// How a sandbox ended.
#[derive(Debug)]
pub struct Exit {
    /// The command's exit status (128+N for signal N).
    pub status: i32,
    /// Anything hako could not tidy up afterwards.
    pub warnings: Vec<Warning>,
}

/// Run CFG's command in a new sandbox and wait for it: `start`, then `wait`,
/// with the warnings of both.
pub fn run(cfg: &Config) -> Result<Exit> {
    let sb = start(cfg)?;
    let mut warnings = sb.warnings.clone();
    let mut exit = sb.wait()?;
    warnings.append(&mut exit.warnings);
    exit.warnings = warnings;
    Ok(exit)
}

/// Build the sandbox and start CFG's command in it; returns once the command
/// has been exec'd (or has failed to be), with the setup's warnings.
pub fn start(cfg: &Config) -> Result<Sandbox> {
    start_inner(cfg, None)
}

/// `start`, with a gate (sandbox.md, step 23a): `gate` runs in this process
/// while the sandbox builds its filesystem (it may start threads: the
/// sandbox is cloned already), and the command starts only if it returns
/// true; else pid 1 exits 125 before the command, saying nothing (the
/// caller knows why), and the sandbox is returned to be waited for.
pub fn start_gated(cfg: &Config, gate: &mut dyn FnMut() -> bool) -> Result<Sandbox> {
    start_inner(cfg, Some(gate))
}

/// The channels between hako and the sandbox's pid 1, made before the
/// clone: each a (read, write) pair.
struct Channels {
    /// pid 1's setup error.
    err: (OwnedFd, OwnedFd),
    /// pid 1's setup warnings.
    warn: (OwnedFd, OwnedFd),
    /// Released once the host-side steps (maps, cgroup, pasta) are done.
    go: Option<(OwnedFd, OwnedFd)>,
    /// The caller's gate: `g` to start the command, `n` to give up.
    gate: Option<(OwnedFd, OwnedFd)>,
    /// The console socket: pid 1 sends the pty's master over it.
    console: Option<(OwnedFd, OwnedFd)>,
}

impl Channels {
    fn open(cfg: &Config, needs_parent: bool, gated: bool) -> Result<Channels> {
        let pipe = |what: &str| sys::pipe().map_err(|e| Error::sys(what, e));
        Ok(Channels {
            err: pipe("create the error pipe")?,
            warn: pipe("create the warning pipe")?,
            go: needs_parent
                .then(|| pipe("create the sync pipe"))
                .transpose()?,
            gate: gated.then(|| pipe("create the gate pipe")).transpose()?,
            console: cfg
                .pty
                .then(|| {
                    sys::socketpair().map_err(|e| Error::sys("--pty: create the console socket", e))
                })
                .transpose()?,
        })
    }
}

/// The sandbox's cgroup, when limits are asked for; one it cannot make is
/// a warning, not an error.
fn sandbox_cgroup(cfg: &Config, warnings: &mut Vec<Warning>) -> Option<cgroup::SandboxCgroup> {
    if cfg.cgroup.is_empty() {
        return None;
    }
    match cgroup::create(&cfg.cgroup) {
        Ok(cg) => Some(cg),
        Err(u) => {
            warnings.push(Warning::CgroupNotApplied {
                condition: u.condition,
                why: u.why,
            });
            None
        }
    }
}

fn start_inner(cfg: &Config, gate: Option<&mut dyn FnMut() -> bool>) -> Result<Sandbox> {
    let prep = prepare(cfg)?;
    let mut warnings = Vec::new();
    let cg = sandbox_cgroup(cfg, &mut warnings);
    let needs_parent =
        cfg.map_users || prep.full_range || cg.is_some() || cfg.net == NetMode::Pasta;
    let Channels {
        err: (err_r, err_w),
        warn: (warn_r, warn_w),
        go,
        gate: gate_pipe,
        console,
    } = Channels::open(cfg, needs_parent, gate.is_some())?;

    if cfg.die_with_parent {
        let parent = sys::getppid();
        sys::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong)
            .map_err(|e| Error::sys("--die-with-parent: prctl(PR_SET_PDEATHSIG)", e))?;
        if sys::getppid() != parent {
            return Err(Error::Setup(
                "--die-with-parent: hako's parent has already exited".into(),
            ));
        }
    }
    let waitset = SigSet::of(&waited_signals());
    let old_mask = waitset.block();

    let mut flags = libc::CLONE_NEWUSER
        | libc::CLONE_NEWNS
        | libc::CLONE_NEWPID
        | libc::CLONE_NEWUTS
        | libc::CLONE_NEWIPC
        | libc::CLONE_NEWCGROUP;
    if cfg.net != NetMode::Host {
        flags |= libc::CLONE_NEWNET;
    }
    let pid = match sys::clone_fork(flags) {
        Ok(0) => {
            drop(err_r);
            drop(warn_r);
            let go_r = go.map(|(r, w)| {
                drop(w);
                r
            });
            let console = console.map(|(ours, theirs)| {
                drop(ours);
                theirs
            });
            let pipes = ChildFds {
                go: go_r,
                err_w,
                warn_w: Some(warn_w),
                console,
                gate: gate_pipe.map(|(r, w)| {
                    drop(w);
                    r
                }),
            };
            child_main(cfg, &prep, pipes, &old_mask, &waitset)
        }
        Ok(pid) => pid,
        Err(e) => {
            old_mask.set_mask();
            return Err(Error::sys_hint(
                "create namespaces (clone with CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID|…)",
                e,
                idmap::userns_diagnosis(),
            ));
        }
    };
    drop(err_w);
    drop(warn_w);
    let console = console.map(|(ours, theirs)| {
        drop(theirs);
        ours
    });
    let mut sb = Sandbox {
        pid,
        warnings,
        waitset,
        old_mask,
        new_session: cfg.new_session,
        pasta: None,
        pid_file: None,
        cgroup: cg,
        err_r,
        rootfs: prep.rootfs.clone(),
        missing: prep.missing.clone(),
        master: None,
    };

    // Host-side steps the child waits for.
    if let Some((go_r, go_w)) = go {
        drop(go_r);
        let released = host_steps(cfg, &prep, &mut sb).and_then(|()| {
            sys::write_all(go_w.as_fd(), b"g")
                .map_err(|e| Error::sys("release the sandbox (sync pipe)", e))
        });
        if let Err(e) = released {
            sb.abort();
            return Err(e);
        }
    }
    if let Some(pf) = &cfg.pid_file {
        if let Err(e) = write_pid_file(pf, pid) {
            sb.abort();
            return Err(e);
        }
        sb.pid_file = Some(pf.clone());
    }
    // The caller's gate, while pid 1 builds the filesystem.
    if let (Some(gate), Some((gate_r, gate_w))) = (gate, gate_pipe) {
        drop(gate_r);
        let word: &[u8] = if gate() { b"g" } else { b"n" };
        let _ = sys::write_all(gate_w.as_fd(), word);
    }
    // The pty's master, sent once the sandbox's devpts is mounted (none if
    // pid 1 failed first: its error pipe says why).
    if let Some(sock) = &console {
        match pty::receive_master(sock) {
            Ok(m) => sb.master = m,
            Err(e) => {
                sb.abort();
                return Err(e);
            }
        }
    }
    // The setup's own warnings, until the write ends close: pid 1 closes its
    // end once the command is forked, the command's closes on exec.
    let text = sys::read_to_end(warn_r.as_fd());
    sb.warnings.extend(
        String::from_utf8_lossy(&text)
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| Warning::Sandbox(l.to_string())),
    );
    Ok(sb)
}

/// The host-side steps pid 1 waits for: its id maps first (pasta and the
/// cgroup act on a namespace whose ids are mapped), the cgroup, pasta.
fn host_steps(cfg: &Config, prep: &Prepared, sb: &mut Sandbox) -> Result<()> {
    let pid = sb.pid;
    if cfg.map_users {
        idmap::map_subordinate(pid, prep.host_uid, prep.host_gid)?;
    } else if prep.full_range {
        idmap::map_full_range(pid)?;
    } else {
        idmap::map_self(
            &format!("/proc/{pid}"),
            cfg.uid,
            cfg.gid,
            prep.host_uid,
            prep.host_gid,
        )?;
    }
    if let Some(cg) = &sb.cgroup {
        cg.attach(pid)?;
    }
    if cfg.net == NetMode::Pasta {
        sb.pasta = Some(start_pasta(pid, prep.host_uid, prep.host_gid)?);
    }
    Ok(())
}

impl Sandbox {
    /// Wait for the command, forwarding signals sent to hako; then tidy up
    /// (pasta, the pid file, the cgroup, mount points made in ROOTFS).
    pub fn wait(mut self) -> Result<Exit> {
        let status = match self.master.take() {
            Some(master) => pty::relay(master, self.pid, &waited_signals()),
            None => supervise(self.pid, &self.waitset, self.new_session),
        };
        let warnings = self.finish();
        // A message on the error pipe means hako's own setup failed in the sandbox.
        let _ = nix::fcntl::fcntl(
            self.err_r.as_fd(),
            nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
        );
        let msg = sys::read_to_end(self.err_r.as_fd());
        if !msg.is_empty() {
            let msg = String::from_utf8_lossy(&msg).trim_end().to_string();
            // The exec step exits 126 or 127 after its message (see Exec::exec).
            return Err(match status {
                126 | 127 => Error::Exec { code: status, msg },
                _ => Error::Setup(msg),
            });
        }
        Ok(Exit { status, warnings })
    }

    /// Kill the sandbox after a failed host-side step, and tidy up.
    fn abort(&mut self) {
        let _ = sys::kill(self.pid, libc::SIGKILL);
        let _ = sys::waitpid(self.pid, 0);
        self.finish();
    }

    fn finish(&mut self) -> Vec<Warning> {
        self.old_mask.set_mask();
        if let Some(p) = self.pasta.take() {
            let _ = sys::kill(p, libc::SIGKILL);
        }
        if let Some(pf) = self.pid_file.take() {
            let _ = std::fs::remove_file(pf);
        }
        drop(self.cgroup.take());
        rootfs::remove_mountpoints(&self.rootfs, &std::mem::take(&mut self.missing))
            .into_iter()
            .map(|(path, why)| Warning::MountpointLeft { path, why })
            .collect()
    }
}

/// Check the arguments against the host and compute what the child needs,
/// so that bad input fails before any namespace exists.
fn prepare(cfg: &Config) -> Result<Prepared> {
    let rootfs = std::fs::canonicalize(&cfg.rootfs)
        .map_err(|e| Error::Usage(format!("ROOTFS '{}': {e}", cfg.rootfs.display())))?;
    if !rootfs.is_dir() {
        return Err(Error::Usage(format!(
            "ROOTFS '{}' is not a directory",
            cfg.rootfs.display()
        )));
    }
    if cfg.argv.is_empty() {
        return Err(Error::Usage("no command given".into()));
    }
    if !cfg.workdir.is_absolute() {
        return Err(Error::Usage(format!(
            "--workdir '{}' must be an absolute path",
            cfg.workdir.display()
        )));
    }
    let mut sources = Vec::with_capacity(cfg.binds.len());
    for b in &cfg.binds {
        let path = std::fs::canonicalize(&b.src).map_err(|e| {
            Error::Usage(format!(
                "bind source '{}' (for {}): {e}",
                b.src.display(),
                b.dst.display()
            ))
        })?;
        let is_dir = path.is_dir();
        sources.push(BindSource { path, is_dir });
    }
    if cfg.net == NetMode::Pasta && find_in_path(OsStr::new("pasta")).is_none() {
        return Err(Error::Usage(
            "--net pasta: pasta is not installed (apt-get install passt)".into(),
        ));
    }
    if cfg.net == NetMode::Pasta {
        tun_usable()?;
    }
    let seccomp = confine::compile_seccomp(&cfg.seccomp)?;

    // An overlay root holds its mount points in the skeleton under its lower
    // directories: nothing is made in ROOTFS, nothing lands in the upper one.
    let (missing, overlay) = match &cfg.overlay {
        None => (rootfs::missing_mountpoints(&rootfs, cfg), None),
        Some(o) => {
            rootfs::make_skeleton(&o.skeleton, cfg, &sources)?;
            let mut data = format!(
                "lowerdir={}:{}",
                o.lowerdir,
                escape_overlay_path(&o.skeleton)
            );
            if let Some((upper, work)) = &o.upper {
                data.push_str(&format!(
                    ",upperdir={},workdir={}",
                    escape_overlay_path(upper),
                    escape_overlay_path(work)
                ));
            }
            data.push_str(",userxattr,redirect_dir=nofollow,index=off,metacopy=off");
            if o.volatile && o.upper.is_some() {
                data.push_str(",volatile");
            }
            let data = std::ffi::CString::new(data)
                .map_err(|_| Error::Usage("overlay paths hold a NUL byte".into()))?;
            let readonly = o.upper.is_none();
            (Vec::new(), Some(rootfs::OverlayMount { data, readonly }))
        }
    };
    let where_ = format!("in ROOTFS '{}'", rootfs.display());
    let home = cfg
        .home
        .clone()
        .unwrap_or_else(|| home_in(&rootfs, cfg.uid));
    let vars = environment(cfg.env_base, &home, Some(&cfg.workdir), &cfg.env);
    let exec = Exec::new(&cfg.argv, vars, where_)?;
    Ok(Prepared {
        rootfs,
        sources,
        exec,
        seccomp,
        host_uid: sys::geteuid(),
        host_gid: sys::getegid(),
        full_range: !cfg.map_users && idmap::can_map_full_range(sys::geteuid()),
        missing,
        overlay,
        pty_size: if cfg.pty { pty::caller_size() } else { None },
    })
}

/// The descriptors pid 1 starts with: the sync pipe (when hako has
/// host-side steps), the error and warning pipes, the console socket (`pty`).
struct ChildFds {
    go: Option<OwnedFd>,
    err_w: OwnedFd,
    warn_w: Option<OwnedFd>,
    console: Option<OwnedFd>,
    /// The caller's gate (`start_gated`).
    gate: Option<OwnedFd>,
}

/// The sandbox's first process. Never returns: it execs the command, becomes
/// its reaper, or reports the failed step on the error pipe and exits 125.
fn child_main(
    cfg: &Config,
    prep: &Prepared,
    mut fds: ChildFds,
    old_mask: &SigSet,
    waitset: &SigSet,
) -> ! {
    let Err(e) = child_steps(cfg, prep, &mut fds, old_mask, waitset);
    let _ = sys::write_all(fds.err_w.as_fd(), e.to_string().as_bytes());
    sys::exit_now(e.exit_code())
}

fn child_steps(
    cfg: &Config,
    prep: &Prepared,
    fds: &mut ChildFds,
    old_mask: &SigSet,
    waitset: &SigSet,
) -> Result<Infallible> {
    // 1. Die with hako; default signal dispositions for the command.
    sys::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong)
        .map_err(|e| Error::sys("prctl(PR_SET_PDEATHSIG)", e))?;

    sys::default_signals();
    // 2-3. Id maps: root (or --uid/--gid) inside is the caller outside. When
    //    hako has host-side steps (subordinate ids, cgroup, pasta) it writes them
    //    and we wait; otherwise we write our own, saving a round trip.
    if let Some(go) = fds.go.take() {
        let mut b = [0u8; 1];
        if nix::unistd::read(go.as_fd(), &mut b) != Ok(1) {
            sys::exit_now(125); // hako failed first and reports it
        }
    } else {
        idmap::map_self("/proc/self", cfg.uid, cfg.gid, prep.host_uid, prep.host_gid)?;
    }
    // 4. UTS and network.
    if let Some(h) = &cfg.hostname {
        sys::sethostname(h).map_err(|e| Error::sys(format!("--hostname: sethostname '{h}'"), e))?;
    }
    if cfg.net != NetMode::Host {
        sys::loopback_up().map_err(|e| Error::sys("bring up lo (SIOCSIFFLAGS)", e))?;
    }
    // 5. The filesystem, then pivot_root into it.
    for w in rootfs::build(cfg, &prep.rootfs, &prep.sources, prep.overlay.as_ref())? {
        if let Some(warn_w) = &fds.warn_w {
            let _ = sys::write_all(warn_w.as_fd(), format!("{w}\n").as_bytes());
        }
    }
    // 5a. The pty, in the sandbox's devpts; the slave becomes our stdio.
    if let Some(sock) = fds.console.take() {
        let ids = (sys::geteuid(), sys::getegid());
        let owner = (ids != (cfg.uid, cfg.gid)).then_some((cfg.uid, cfg.gid));
        pty::open_inside(sock, prep.pty_size, owner, true)?;
    }
    // 6. Session (sandbox.md, step 23).
    if cfg.new_session || cfg.pty {
        sys::setsid().map_err(|e| Error::sys("setsid (--new-session, --pty)", e))?;
    }
    // 6a. The caller's gate (step 23a): the command starts only once it says so.
    if let Some(gate) = fds.gate.take() {
        let mut b = [0u8; 1];
        if nix::unistd::read(gate.as_fd(), &mut b) != Ok(1) || b[0] != b'g' {
            sys::exit_now(125); // hako knows why and says it
        }
    }
    // 7-8. Limits, identity inside (with --map-users or root's full map, the
    //    map made us 0; switch now), workdir and privileges (steps 24-32).
    confine::finish(&confine::Confinement {
        rlimits: &cfg.rlimits,
        uid: cfg.uid,
        gid: cfg.gid,
        switch_ids: cfg.map_users || prep.full_range,
        drop_groups: cfg.map_users || prep.full_range,
        keep_caps: cfg.keep_caps,
        caps: cfg.caps,
        workdir: Some(cfg.workdir.as_path()),
        landlock: cfg.landlock,
        seccomp: prep.seccomp.as_ref(),
    })?;
    // 9. Exec as pid 1, or fork the command and reap.
    if cfg.as_pid_1 {
        if cfg.pty {
            pty::take_terminal(false)?;
        }
        old_mask.set_mask();
        return Err(prep.exec.exec());
    }
    // Pid 1 is sealed (sandbox.md, "Pid 1"): not dumpable, so nothing in the
    // sandbox can ptrace it or read its memory, /proc/1/environ or its
    // descriptors (execve gives the command its own dumpable flag back).
    sys::prctl(libc::PR_SET_DUMPABLE, 0).map_err(|e| Error::sys("prctl(PR_SET_DUMPABLE, 0)", e))?;
    // The command starts only once pid 1 holds nothing but its standard
    // descriptors and has wiped its arguments: it waits for the end of this
    // pipe, which pid 1's close_from(3) closes (else it could see them).
    let (go_r, go_w) = sys::pipe().map_err(|e| Error::sys("pipe", e))?;
    let cmd = sys::fork().map_err(|e| Error::sys("fork the command", e))?;
    if cmd == 0 {
        drop(go_w);
        let _ = sys::read_to_end(go_r.as_fd());
        drop(go_r);
        let e = match cfg.pty.then(|| pty::take_terminal(true)) {
            Some(Err(e)) => e,
            _ => {
                old_mask.set_mask();
                prep.exec.exec()
            }
        };
        let _ = sys::write_all(fds.err_w.as_fd(), e.to_string().as_bytes());
        sys::exit_now(e.exit_code());
    }
    drop(fds.warn_w.take()); // hako reads warnings until every write end is closed
                             // Nothing of the host stays with pid 1 but its standard descriptors:
                             // no pipe to hako, no lock, no caller environment or arguments.
    let _ = sys::wipe_args_and_environ(b"hako-init");
    match sys::close_from(3) {
        // It closed both ends of the pipe: no destructor may close them again.
        Ok(()) => std::mem::forget((go_r, go_w)),
        // (close_range refused): the command must not wait forever.
        Err(_) => drop((go_r, go_w)),
    }
    reap(cmd, waitset)
}

/// The command line and environment, ready for execve.
pub(super) struct Exec {
    argv: Vec<CString>,
    envp: Vec<CString>,
    /// PATH of the command's environment, searched inside for a bare name.
    path: Vec<u8>,
    /// Where the search happens, for messages ("in ROOTFS '…'").
    where_: String,
}

impl Exec {
    /// ARGV with the environment VARS.
    pub(super) fn new(
        argv: &[OsString],
        vars: Vec<(OsString, OsString)>,
        where_: String,
    ) -> Result<Exec> {
        if argv.is_empty() {
            return Err(Error::Usage("no command given".into()));
        }
        let c = |s: &OsStr| {
            CString::new(s.as_bytes()).map_err(|_| {
                Error::Usage(format!(
                    "argument contains a NUL byte: {}",
                    s.to_string_lossy()
                ))
            })
        };
        let argv = argv.iter().map(|a| c(a)).collect::<Result<Vec<_>>>()?;
        let path = vars
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.as_bytes().to_vec())
            .unwrap_or_else(|| DEFAULT_PATH.as_bytes().to_vec());
        let envp = vars
            .into_iter()
            .map(|(mut k, v)| {
                k.push("=");
                k.push(v);
                c(&k)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Exec {
            argv,
            envp,
            path,
            where_,
        })
    }

    /// Set KEY=VALUE in the command's environment (replacing KEY).
    pub(super) fn set_var(&mut self, key: &[u8], value: &[u8]) {
        let mut kv = key.to_vec();
        kv.push(b'=');
        self.envp.retain(|e| !e.as_bytes().starts_with(&kv));
        kv.extend_from_slice(value);
        if let Ok(c) = CString::new(kv) {
            self.envp.push(c);
        }
    }

    /// execve the command, searching PATH for a bare name; returns the error if every try failed.
    pub(super) fn exec(&self) -> Error {
        let name = self.argv[0].as_bytes();
        let shown = String::from_utf8_lossy(name).into_owned();
        let where_ = &self.where_;
        let failed = |shown: &str, e: Errno| {
            let code = match e {
                Errno::ENOENT | Errno::ENOTDIR => 127,
                _ => 126,
            };
            Error::Exec {
                code,
                msg: format!("exec '{shown}' {where_}: {e}"),
            }
        };
        if name.contains(&b'/') {
            return failed(&shown, sys::execve(&self.argv[0], &self.argv, &self.envp));
        }
        let mut seen = Errno::ENOENT;
        for dir in self.path.split(|&b| b == b':') {
            let dir = if dir.is_empty() { &b"."[..] } else { dir };
            let mut full = dir.to_vec();
            full.push(b'/');
            full.extend_from_slice(name);
            let Ok(full) = CString::new(full) else {
                continue;
            };
            match sys::execve(&full, &self.argv, &self.envp) {
                Errno::ENOENT | Errno::ENOTDIR => {}
                e @ Errno::EACCES => seen = e,
                e => return failed(&full.to_string_lossy(), e),
            }
        }
        if seen == Errno::ENOENT {
            Error::Exec {
                code: 127,
                msg: format!("{shown}: command not found (PATH inside the sandbox, {where_})"),
            }
        } else {
            failed(&shown, seen)
        }
    }
}

/// The command's environment: BASE, then `PWD` (unless BASE is empty), then ENV.
pub(super) fn environment(
    base: EnvBase,
    home: &str,
    pwd: Option<&Path>,
    env: &[(OsString, OsString)],
) -> Vec<(OsString, OsString)> {
    let mut vars: Vec<(OsString, OsString)> = match base {
        EnvBase::Host => std::env::vars_os().collect(),
        EnvBase::Empty => Vec::new(),
        EnvBase::Minimal => {
            let mut v = vec![
                ("PATH".into(), DEFAULT_PATH.into()),
                ("HOME".into(), home.into()),
            ];
            if let Some(t) = std::env::var_os("TERM") {
                v.push(("TERM".into(), t));
            }
            v
        }
    };
    let mut set = |k: &OsStr, v: &OsStr| {
        vars.retain(|(ek, _)| ek != k);
        vars.push((k.to_os_string(), v.to_os_string()));
    };
    if let (Some(p), false) = (pwd, base == EnvBase::Empty) {
        set(OsStr::new("PWD"), p.as_os_str());
    }
    for (k, v) in env {
        set(k, v);
    }
    vars
}

/// The home directory of UID in ROOTFS's /etc/passwd: `/root` for 0, `/`
/// when there is no entry (a symlinked /etc or passwd is not followed on the host).
fn home_in(rootfs: &Path, uid: u32) -> String {
    let fallback = if uid == 0 { "/root" } else { "/" };
    let etc = rootfs.join("etc");
    let passwd = etc.join("passwd");
    let plain = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| !m.file_type().is_symlink());
    if !plain(&etc) || !plain(&passwd) {
        return fallback.into();
    }
    passwd_home(&std::fs::read_to_string(&passwd).unwrap_or_default(), uid)
}

/// The home directory of UID in the text of an /etc/passwd: `/root` for 0,
/// `/` when there is no entry with an absolute home.
pub fn passwd_home(passwd: &str, uid: u32) -> String {
    let uid_s = uid.to_string();
    passwd
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() >= 6 && f[2] == uid_s && f[5].starts_with('/')).then(|| f[5].to_string())
        })
        .unwrap_or_else(|| if uid == 0 { "/root" } else { "/" }.into())
}

/// Pid 1's life after the fork: forward signals to the command, reap every
/// orphan, and exit with the command's status (128+N for signal N).
pub(super) fn reap(cmd: libc::pid_t, waitset: &SigSet) -> ! {
    loop {
        let (sig, code) = waitset.wait();
        if sig == libc::SIGCHLD {
            while let Ok((pid, status)) = sys::waitpid(-1, libc::WNOHANG) {
                if pid == 0 {
                    break;
                }
                if pid == cmd {
                    sys::exit_now(sys::exit_code(status));
                }
            }
        } else if code != SI_KERNEL {
            let _ = sys::kill(cmd, sig);
        }
    }
}

/// hako's own wait: forward signals sent to hako, return the sandbox's status.
///
/// The wait is bounded and the child polled after every wakeup: a SIGCHLD is
/// sent to the process, and a thread started before the signals were blocked
/// here (a worker pool, say) may take it and drop it.
pub(super) fn supervise(pid: libc::pid_t, waitset: &SigSet, new_session: bool) -> i32 {
    loop {
        match waitset.wait_timeout(std::time::Duration::from_millis(250)) {
            Some((sig, code)) if sig != libc::SIGCHLD => {
                if code != SI_KERNEL || new_session {
                    let _ = sys::kill(pid, sig);
                }
            }
            _ => {
                if let Ok((p, status)) = sys::waitpid(pid, libc::WNOHANG) {
                    if p == pid {
                        return sys::exit_code(status);
                    }
                }
            }
        }
    }
}

/// Run `f` (which may use rayon) on a worker pool of its own whose threads
/// are gone when this returns. The caller may be a forked supervisor (where
/// the parent's global pool has no threads), the workers must never take
/// the signals the supervisor waits for, and the sandbox is cloned next: a
/// thread holding a lock (malloc's, libc's) at that moment would leave the
/// lock held forever in the child.
pub fn in_own_pool<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T> {
    let threads = || std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count());
    let before = threads();
    let pool = rayon::ThreadPoolBuilder::new()
        .start_handler(|_| block_supervised_signals())
        .build()
        .map_err(|e| Error::Setup(format!("cannot start worker threads: {e}")))?;
    let out = pool.install(f);
    drop(pool);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while threads() > before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    Ok(out)
}

/// Block the signals a supervisor waits for in the calling thread, for
/// threads that must never take them (a worker pool's, started before a
/// sandbox): they are then delivered to the thread that waits for them.
pub fn block_supervised_signals() {
    SigSet::of(&waited_signals()).block();
}

/// The signals a supervisor waits for: the forwarded ones and SIGCHLD.
pub(super) fn waited_signals() -> Vec<libc::c_int> {
    let mut waited: Vec<libc::c_int> = FORWARDED.to_vec();
    waited.push(libc::SIGCHLD);
    waited
}

/// `PID\n`, as hako-run wrote it (so `hako enter $(cat FILE)` works); the
/// file's mtime tells a live sandbox from a reused pid (`read_pid_file`).
fn write_pid_file(path: &Path, pid: libc::pid_t) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, format!("{pid}\n"))
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            Error::Setup(format!(
                "--pid-file: cannot write '{}': {e}",
                path.display()
            ))
        })
}

/// Field 22 of /proc/PID/stat.
pub fn process_start_time(pid: libc::pid_t) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19)?.parse().ok()
}

/// Let pasta connect the child's network namespace (it joins the child's user
/// namespace too) and return once the interface is configured, with the pid of
/// the pasta process left running in the background (hako stops it at the end:
/// pasta outlives a namespace that is not bound to a file).
/// pasta opens `/dev/net/tun` inside the new namespaces with the caller's
/// host ids: a device the caller may not open fails there with only "Failed
/// to open tun socket in namespace". Say what the host lacks instead.
pub fn tun_usable() -> Result<()> {
    use nix::unistd::{access, AccessFlags};
    let tun = std::path::Path::new("/dev/net/tun");
    if access(tun, AccessFlags::R_OK | AccessFlags::W_OK).is_ok() {
        return Ok(());
    }
    let what = match std::fs::metadata(tun) {
        Ok(m) => format!(
            "is mode {:04o}, owner uid {}, not readable and writable by uid {}",
            m.mode() & 0o7777,
            m.uid(),
            nix::unistd::geteuid()
        ),
        Err(e) => format!("cannot be used ({e}); the tun module may be missing (modprobe tun)"),
    };
    Err(Error::Setup(format!(
        "--net pasta: /dev/net/tun {what}: pasta needs it to make the container's network device (as root: chmod 0666 /dev/net/tun, the mode most distributions ship; a udev rule KERNEL==\"tun\", MODE=\"0666\" keeps it)"
    )))
}

fn start_pasta(pid: libc::pid_t, uid: u32, gid: u32) -> Result<libc::pid_t> {
    let pid_file = std::env::temp_dir().join(format!("hako-pasta-{}.pid", sys::getpid()));
    let out = std::process::Command::new("pasta")
        .args([
            "--config-net",
            "--quiet",
            "--no-map-gw",
            "--runas",
            &format!("{uid}:{gid}"),
            "--pid",
        ])
        .arg(&pid_file)
        .arg(pid.to_string())
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| Error::Setup(format!("--net pasta: cannot run pasta: {e}")));
    let pasta_pid = std::fs::read_to_string(&pid_file)
        .ok()
        .and_then(|s| s.trim().parse().ok());
    let _ = std::fs::remove_file(&pid_file);
    let out = out?;
    if !out.status.success() {
        let msg: Vec<&str> = std::str::from_utf8(&out.stderr)
            .unwrap_or("")
            .lines()
            .filter(|l| !l.starts_with("Failed to send") && !l.trim().is_empty())
            .collect();
        return Err(Error::Setup(format!(
            "--net pasta: pasta failed ({}): {}",
            out.status,
            msg.join("; ")
        )));
    }
    pasta_pid.ok_or_else(|| {
        Error::Setup(format!(
            "--net pasta: pasta wrote no pid to {}",
            pid_file.display()
        ))
    })
}

/// The first executable NAME in the caller's PATH.
pub fn find_in_path(name: &OsStr) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| OsString::from(DEFAULT_PATH));
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}
