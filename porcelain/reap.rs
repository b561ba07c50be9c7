//! `hako reap`: clean up after instances whose supervisor died (leftover
//! FUSE mounts, temporary instances' state), and remove exited ones' state.

use std::time::{Duration, Instant};

use hako::runtime::instance::{self, Mode, Status};
use hako::runtime::materialize;
use hako::runtime::overlay;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Keep the state of exited instances (reap only dead ones).
    #[arg(long)]
    keep_exited: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    for mut inst in instance::list(&ws)? {
        match inst.effective_status() {
            Status::Created | Status::Running => continue,
            Status::Exited if a.keep_exited => continue,
            _ => {}
        }
        // A FUSE server still folding its last writes: let it finish.
        if let Some(f) = inst.fuse {
            let deadline = Instant::now() + Duration::from_secs(10);
            while f.alive() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let mp = inst.mountpoint();
        if instance::is_mounted(&mp) {
            instance::unmount_lazy(&mp)?;
        }
        // A materialized instance's root not yet folded back (runtime.md).
        if let Some(m) = materialize::Materialized::load(&inst.dir)? {
            if inst.mode == Mode::Persistent {
                let cws =
                    hako::workspace::Workspace::open_with(&ws.dir, inst.container.as_deref())?;
                if let Some(t) = materialize::fold_back(&cws, &m).map_err(|e| {
                    anyhow::anyhow!(
                        "instance {}: cannot fold {} into the working root: {e}",
                        inst.id,
                        m.root().display()
                    )
                })? {
                    println!(
                        "{} folded its changes into the working root ({})",
                        inst.id,
                        t.short()
                    );
                }
            }
            materialize::discard(&m)?;
        }
        // An overlay instance's upper directory not yet folded (runtime.md).
        if overlay::holds_data(&inst.dir) && inst.mode == Mode::Persistent {
            let cws = hako::workspace::Workspace::open_with(&ws.dir, inst.container.as_deref())?;
            if let Some(t) = overlay::fold_instance(&cws, &inst.dir).map_err(|e| {
                anyhow::anyhow!(
                    "instance {}: cannot fold {} into the working root: {e}",
                    inst.id,
                    inst.dir.join("upper").display()
                )
            })? {
                println!(
                    "{} folded its changes into the working root ({})",
                    inst.id,
                    t.short()
                );
            }
        }
        // overlay's work directory holds a directory of mode 0 (rootless: not removable as is).
        overlay::discard(&inst.dir)?;
        if inst.status != Status::Exited {
            inst.status = Status::Dead;
            inst.finished = Some(instance::now_secs());
            let _ = inst.save();
        }
        std::fs::remove_dir_all(&inst.dir)
            .map_err(|e| anyhow::anyhow!("cannot remove '{}': {e}", inst.dir.display()))?;
        println!(
            "{} {}{}",
            inst.id,
            if inst.status == Status::Dead {
                "dead"
            } else {
                "exited"
            },
            if inst.mode == Mode::Persistent {
                ""
            } else {
                " (temporary)"
            }
        );
    }
    // Supervisors killed before their first record: nothing ran that a
    // record would let us fold, unless an overlay record says a persistent
    // instance's command may have written (its upper directory is kept).
    for dir in instance::unrecorded(&ws, Duration::from_secs(60))? {
        let id = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if overlay::holds_data(&dir) && dir.join(overlay::RECORD).exists() {
            eprintln!(
                "warning: {id}: its supervisor died before its record was written; its changes are kept in {}",
                dir.join("upper").display()
            );
            continue;
        }
        overlay::discard(&dir)?;
        std::fs::remove_dir_all(&dir)
            .map_err(|e| anyhow::anyhow!("cannot remove '{}': {e}", dir.display()))?;
        println!("{id} never started");
    }
    Ok(0)
}
