//! `hako config [--global] NAME [VALUE]`, `--unset NAME`, `--list`: read and
//! write the workspace's `.hako/config` or the user config, as `git config`
//! does (format-spec/layout.md, "config").

use std::io::Write;

use hako::workspace::Config;

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {
    /// The user config (~/.config/hako/config) instead of the workspace's.
    #[arg(long)]
    global: bool,
    /// Remove NAME.
    #[arg(long, conflicts_with_all = ["list", "value"])]
    unset: bool,
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
    let reading = a.list || (a.value.is_none() && !a.unset);
    // The file written and read first; None: reading outside a workspace.
    let path = if a.global {
        Some(Config::user_path().ok_or_else(|| {
            anyhow::anyhow!("no user config: neither XDG_CONFIG_HOME nor HOME is set")
        })?)
    } else {
        match plumbing::open_workspace() {
            Ok(ws) => Some(ws.dir.join("config")),
            Err(_) if reading => None,
            Err(e) => return Err(anyhow::anyhow!("{e} (use --global for the user config)")),
        }
    };
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p)
            .map(|t| Config::parse(&t))
            .unwrap_or_default()
    };
    let local = path.as_deref().map(read).unwrap_or_default();
    // The user config, when it is not the file itself.
    let user = if a.global {
        Config::default()
    } else {
        Config::user()
    };
    let print = |text: String| plumbing::out(std::io::stdout().write_all(text.as_bytes()));
    if a.list {
        let mut out = String::new();
        for (k, v) in user.values.iter().chain(local.values.iter()) {
            out.push_str(&format!("{k}={v}\n"));
        }
        print(out)?;
        return Ok(0);
    }
    let name = a
        .name
        .as_deref()
        .expect("clap requires NAME without --list");
    let key = Config::normalize_key(name)?;
    let Some(path) = path.filter(|_| !reading) else {
        // The file's value wins over the user's, as readers see it.
        return match local.get(&key).or_else(|| user.get(&key)) {
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
    Config::edit(&path, name, a.value.as_deref())?;
    Ok(0)
}
