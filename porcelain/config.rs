//! `hako config [--global] NAME [VALUE]`, `--add NAME VALUE`, `--get-all
//! NAME`, `--unset NAME`, `--list`: read and write the workspace's
//! `.hako/config` or the user config, as `git config` does
//! (format-spec/config.md).

use std::io::Write;

use hako::workspace::Config;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// The user config (~/.config/hako/config) instead of the workspace's.
    #[arg(long)]
    global: bool,
    /// Remove NAME (every value of it).
    #[arg(long, conflicts_with_all = ["list", "value", "add", "get_all"])]
    unset: bool,
    /// Add VALUE as one more value of NAME (a multi-valued key) instead of replacing it.
    #[arg(long, requires = "value", conflicts_with_all = ["list", "get_all"])]
    add: bool,
    /// Print every value of NAME, one a line, in order (user config first).
    #[arg(long, conflicts_with_all = ["list", "value"])]
    get_all: bool,
    /// Print every NAME=VALUE (user config first, then the workspace's).
    #[arg(short, long, conflicts_with_all = ["name", "value"])]
    list: bool,
    /// section.[subsection.]key, e.g. user.email, remote.origin.url.
    #[arg(required_unless_present = "list")]
    name: Option<String>,
    /// The value to set.
    value: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let reading = a.list || a.get_all || (a.value.is_none() && !a.unset);
    // The file written and read last; None: reading outside a workspace.
    let path = if a.global {
        Some(Config::user_path().ok_or_else(|| {
            anyhow::anyhow!("no user config: neither XDG_CONFIG_HOME nor HOME is set")
        })?)
    } else {
        match plumbing::open_workspace() {
            Ok(ws) => Some(ws.dir.join("config")),
            // A config that does not parse is refused, as by every command.
            Err(e) if matches!(e.downcast_ref(), Some(hako::Error::Config(_))) => return Err(e),
            Err(_) if reading => None,
            Err(e) => return Err(anyhow::anyhow!("{e} (use --global for the user config)")),
        }
    };
    let local = match path.as_deref() {
        Some(p) => Config::read(p)?,
        None => Config::default(),
    };
    // The user config, when it is not the file itself, read first.
    let seen = if a.global {
        local.clone()
    } else {
        Config::user()?.then(local.clone())
    };
    let print = |text: String| plumbing::out(std::io::stdout().write_all(text.as_bytes()));
    if a.list {
        let mut out = String::new();
        for e in seen.entries() {
            match &e.value {
                Some(v) => out.push_str(&format!("{}={v}\n", e.name)),
                None => out.push_str(&format!("{}\n", e.name)),
            }
        }
        print(out)?;
        return Ok(0);
    }
    let name = a
        .name
        .as_deref()
        .expect("clap requires NAME without --list");
    let key = Config::normalize_key(name)?;
    if a.get_all {
        let all = seen.get_all(&key);
        if all.is_empty() {
            return Ok(1);
        }
        print(all.iter().map(|v| format!("{v}\n")).collect())?;
        return Ok(0);
    }
    let Some(path) = path.filter(|_| !reading) else {
        return match seen.get(&key) {
            Some(v) => print(format!("{v}\n")).map(|()| 0),
            None => Ok(1),
        };
    };
    if a.unset {
        if local.get(&key).is_none() {
            return Ok(5);
        }
        Config::edit(&path, name, None)?;
        return Ok(0);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let value = a.value.as_deref().expect("a write has VALUE");
    if a.add {
        Config::add(&path, name, value)?;
    } else {
        Config::edit(&path, name, Some(value))?;
    }
    Ok(0)
}
