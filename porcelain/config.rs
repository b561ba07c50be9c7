//! `hako config [--global] NAME [VALUE]`, `--unset NAME`, `--list`: read and
//! write the workspace's `.hako/config` or the user config, as `git config`
//! does (format-spec/layout.md, "config").

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
    let path = if a.global {
        Config::user_path().ok_or_else(|| {
            anyhow::anyhow!("no user config: neither XDG_CONFIG_HOME nor HOME is set")
        })?
    } else {
        match plumbing::open_workspace() {
            Ok(ws) => ws.dir.join("config"),
            Err(e) if a.list || (a.value.is_none() && !a.unset) => {
                // Reading outside a workspace: the user config alone.
                let _ = e;
                return read_only_user(&a);
            }
            Err(e) => return Err(anyhow::anyhow!("{e} (use --global for the user config)")),
        }
    };
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p)
            .map(|t| Config::parse(&t))
            .unwrap_or_default()
    };
    if a.list {
        let user = read(&Config::user_path().unwrap_or_default());
        let mut out = String::new();
        for (k, v) in &user.values {
            out.push_str(&format!("{k}={v}\n"));
        }
        if !a.global {
            for (k, v) in &read(&path).values {
                out.push_str(&format!("{k}={v}\n"));
            }
        }
        plumbing::out(std::io::Write::write_all(
            &mut std::io::stdout(),
            out.as_bytes(),
        ))?;
        return Ok(0);
    }
    let name = a
        .name
        .as_deref()
        .expect("clap requires NAME without --list");
    let key = Config::normalize_key(name)?;
    if a.unset {
        if read(&path).get(&key).is_none() {
            return Ok(5);
        }
        Config::edit(&path, name, None)?;
        return Ok(0);
    }
    match &a.value {
        Some(v) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            Config::edit(&path, name, Some(v))?;
            Ok(0)
        }
        None => {
            // The workspace's value wins over the user's, as readers see it.
            let v = read(&path).get(&key).map(str::to_string).or_else(|| {
                (!a.global)
                    .then(Config::user)
                    .and_then(|u| u.get(&key).map(str::to_string))
            });
            match v {
                Some(v) => {
                    plumbing::out(std::io::Write::write_all(
                        &mut std::io::stdout(),
                        format!("{v}\n").as_bytes(),
                    ))?;
                    Ok(0)
                }
                None => Ok(1),
            }
        }
    }
}

/// `config NAME` and `--list` outside a workspace: the user config.
fn read_only_user(a: &Args) -> anyhow::Result<i32> {
    let user = Config::user();
    if a.list {
        for (k, v) in &user.values {
            plumbing::out(std::io::Write::write_all(
                &mut std::io::stdout(),
                format!("{k}={v}\n").as_bytes(),
            ))?;
        }
        return Ok(0);
    }
    let key = Config::normalize_key(a.name.as_deref().unwrap_or(""))?;
    match user.get(&key) {
        Some(v) => {
            plumbing::out(std::io::Write::write_all(
                &mut std::io::stdout(),
                format!("{v}\n").as_bytes(),
            ))?;
            Ok(0)
        }
        None => Ok(1),
    }
}
