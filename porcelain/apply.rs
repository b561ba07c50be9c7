//! `hako apply [-f FILE] [--profile P] [--dry-run] [--run]`: make a
//! container what hako.toml describes (format-spec/hako-toml.md). The
//! container is created (pulling `image`) if missing; each setup step not yet
//! applied runs inside it (`hako run`'s engine, in this process) and is
//! committed with its step hash, so a re-run skips what is applied and a
//! changed step re-runs from there.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use hako::apply::config::{load, ApplyConfig, Net, WorkspaceMode};
use hako::apply::plan::{plan, TRAILER};
use hako::container::{commit_tree_of, head_commit, move_head, read_working, working_root};
use hako::runtime::supervisor::RunRequest;
use hako::sandbox::{Bind, NetMode};
use hako::workspace::Workspace;

use crate::plumbing;
use crate::plumbing::sandbox_cli::setup_failed;

#[derive(clap::Args)]
pub struct Args {
    /// The file to apply.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        default_value = "hako.toml"
    )]
    file: PathBuf,
    /// Overlay this profile (a table of the file) on the base.
    #[arg(long, value_name = "P")]
    profile: Option<String>,
    /// Say what would run, change nothing.
    #[arg(short = 'n', long)]
    dry_run: bool,
    /// After the setup, run the `run` command (or the image's).
    #[arg(long)]
    run: bool,
}

/// The run request of a step or of `--run`: CMD in the container, with the
/// file's network, environment, binds (and the workspace's), rlimits.
fn request(
    cfg: &ApplyConfig,
    env: &[(String, String)],
    cmd: &[String],
) -> anyhow::Result<RunRequest> {
    let mut req = RunRequest::new(Some(cfg.name.clone()), cmd.to_vec());
    let sb = &mut req.sandbox;
    sb.net = match cfg.net {
        Net::None => NetMode::None,
        Net::Host => NetMode::Host,
        Net::Pasta => NetMode::Pasta,
    };
    req.env = env.to_vec();
    let home = std::env::var("HOME").unwrap_or_default();
    for b in &cfg.binds {
        let b = match b.strip_prefix("~/") {
            Some(rest) => format!("{home}/{rest}"),
            None => b.clone(),
        };
        sb.binds
            .push(Bind::parse(&b, "--bind").map_err(setup_failed)?);
    }
    let dir = cfg
        .file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = std::fs::canonicalize(dir).with_context(|| dir.display().to_string())?;
    let workspace = |readonly| Bind {
        src: dir.clone(),
        dst: PathBuf::from("/workspace"),
        readonly,
    };
    match cfg.workspace {
        WorkspaceMode::None => {}
        WorkspaceMode::Rw => sb.binds.push(workspace(false)),
        WorkspaceMode::Ro => sb.binds.push(workspace(true)),
    }
    if !cfg.rlimits.is_empty() {
        let l: Vec<String> = cfg
            .rlimits
            .iter()
            .map(|(k, n)| format!("{k}={n}"))
            .collect();
        sb.rlimits = hako::sandbox::config::parse_rlimits(&l.join(",")).map_err(setup_failed)?;
    }
    Ok(req)
}

/// Run CMD in the container; a step (`forget`) leaves no instance record.
fn run_in(
    cfg: &ApplyConfig,
    env: &[(String, String)],
    cmd: &[String],
    forget: bool,
    autocommit: bool,
) -> anyhow::Result<i32> {
    let mut req = request(cfg, env, cmd)?;
    req.forget = forget;
    req.autocommit = autocommit;
    let ws0 = plumbing::open_workspace()?;
    super::run_request(&ws0, req)
}

/// The manifest digest of the image the container was pulled from ("" if none).
fn image_digest(ws: &Workspace) -> anyhow::Result<String> {
    let Some(head) = head_commit(ws)? else {
        return Ok(String::new());
    };
    Ok(hako::oci::record::image_of(&ws.odb, &head)?
        .map(|(r, ..)| r.digest)
        .unwrap_or_default())
}

/// Commit the working root (even when unchanged: the commit records the step).
fn commit_step(ws: &Workspace, message: &str) -> anyhow::Result<hako::ObjectId> {
    Ok(hako::commit::commit_working(ws, message, "apply", true)?
        .expect("an empty commit is allowed"))
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let cfg = load(&a.file, a.profile.as_deref())?;
    let ws0 = plumbing::open_workspace()?;
    let exists = ws0.containers()?.contains(&cfg.name);
    if !exists {
        if a.dry_run {
            println!(
                "would create container '{}'{} and run {} setup step(s)",
                cfg.name,
                cfg.image
                    .as_deref()
                    .map(|i| format!(" from {i}"))
                    .unwrap_or_default(),
                cfg.setup.len()
            );
            return Ok(0);
        }
        match &cfg.image {
            Some(image) => {
                let mut req = hako::oci::pull::PullRequest::new(image);
                req.name = Some(cfg.name.clone());
                hako::runtime::instance::pull(&ws0, &req, &hako::progress::Silent)?;
            }
            None => {
                ws0.create_container(&cfg.name)?;
                let ws = Workspace::open_with(&ws0.dir, Some(&cfg.name))?;
                super::seed_container(&ws, true)?;
            }
        }
        eprintln!("created container '{}'", cfg.name);
    }
    let ws = Workspace::open_with(&ws0.dir, Some(&cfg.name))?;
    let env: Vec<(String, String)> = cfg.step_env().into_iter().collect();
    let hashes = cfg.step_hashes(&image_digest(&ws)?);
    let head = head_commit(&ws)?;
    let p = plan(&ws.odb, head, &hashes)?;
    let n = cfg.setup.len();
    if a.dry_run {
        for (i, step) in cfg.setup.iter().enumerate() {
            let what = if i < p.applied {
                "applied"
            } else {
                "would run"
            };
            println!("step {}/{n} {what}: {step}", i + 1);
        }
        if p.reset {
            println!(
                "would reset '{}' to {} first",
                cfg.name,
                p.base.map(|b| b.short()).unwrap_or_default()
            );
        }
        return Ok(0);
    }
    if p.reset {
        let base = p.base.expect("reset has a base");
        if hako::container::is_dirty(&ws)? {
            bail!(
                "container '{}' has uncommitted changes; steps after {} changed and would be re-run from its commit: commit or reset them first",
                cfg.name,
                p.applied
            );
        }
        let tree = commit_tree_of(&ws, &base)?;
        move_head(
            &ws,
            read_working(&ws)?,
            head,
            base,
            tree,
            "apply: back to the last applied step",
        )?;
        eprintln!(
            "steps after {} changed: '{}' reset to {}",
            p.applied,
            cfg.name,
            base.short()
        );
    }
    if p.applied == n {
        eprintln!("all {n} step(s) already applied");
    } else if p.applied > 0 {
        eprintln!("{} of {n} step(s) already applied", p.applied);
    }
    for (i, step) in cfg.setup.iter().enumerate().skip(p.applied) {
        eprintln!("step {}/{n}: {step}", i + 1);
        let code = run_in(
            &cfg,
            &env,
            &["/bin/sh".into(), "-c".into(), step.clone()],
            true,
            false,
        )?;
        let ws = Workspace::open_with(&ws0.dir, Some(&cfg.name))?;
        if code != 0 {
            // The failed step's writes go; the steps before it stay committed.
            let head = head_commit(&ws)?;
            let tree = match head {
                Some(h) => commit_tree_of(&ws, &h)?,
                None => working_root(&ws)?,
            };
            hako::container::set_working_root(&ws, tree, read_working(&ws)?)?;
            // The step's own status, as the spec says (hako-toml.md).
            return Err(plumbing::Fatal {
                code,
                message: format!(
                    "step {}/{n} failed with exit status {code}: {step} (steps 1 to {} are committed; a re-run resumes here)",
                    i + 1,
                    i
                ),
            }
            .into());
        }
        let msg = format!("{step}\n\n{TRAILER}: {}\n", hashes[i]);
        let id = commit_step(&ws, &msg)?;
        eprintln!("{} {step}", id.short());
    }
    if a.run {
        let cmd: Vec<String> = match &cfg.run {
            Some(r) => vec!["/bin/sh".into(), "-c".into(), r.clone()],
            None => Vec::new(),
        };
        return run_in(&cfg, &env, &cmd, false, cfg.autocommit);
    }
    Ok(0)
}
