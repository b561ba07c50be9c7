//! `hako logs [-f] [--tail N] ID`: print a detached instance's output.

use std::io::{Read, Seek, SeekFrom, Write};
use std::time::Duration;

use anyhow::bail;

use hako::runtime::instance::{self, Status};

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// Keep printing what the instance writes until it ends.
    #[arg(short, long)]
    follow: bool,
    /// Only the last N lines.
    #[arg(long, value_name = "N")]
    tail: Option<usize>,
    /// Instance id, id prefix or name.
    id: String,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let inst = instance::find(&ws, &a.id)?;
    let path = inst.log_path();
    let mut f = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("instance {} has no log (it ran in the foreground)", inst.id)
        }
        Err(e) => bail!("cannot read '{}': {e}", path.display()),
    };
    let mut text = Vec::new();
    f.read_to_end(&mut text)?;
    let start = match a.tail {
        Some(n) => {
            let body = text.strip_suffix(b"\n").unwrap_or(&text);
            let mut seen = 0;
            let mut at = 0;
            for (i, &b) in body.iter().enumerate().rev() {
                if b == b'\n' {
                    seen += 1;
                    if seen == n {
                        at = i + 1;
                        break;
                    }
                }
            }
            if n == 0 {
                text.len()
            } else {
                at
            }
        }
        None => 0,
    };
    let mut out = std::io::stdout().lock();
    plumbing::out(out.write_all(&text[start..]))?;
    plumbing::out(out.flush())?;
    if !a.follow {
        return Ok(0);
    }
    let mut pos = text.len() as u64;
    loop {
        let running = matches!(
            instance::Instance::load(&inst.dir).map(|i| i.effective_status()),
            Ok(Status::Created | Status::Running)
        );
        f.seek(SeekFrom::Start(pos))?;
        let mut more = Vec::new();
        f.read_to_end(&mut more)?;
        pos += more.len() as u64;
        plumbing::out(out.write_all(&more))?;
        plumbing::out(out.flush())?;
        if !running {
            return Ok(0);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
