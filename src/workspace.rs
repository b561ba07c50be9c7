//! A workspace: the `.hako/` directory, its object database, refs and config
//! (format-spec/layout.md).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};
use crate::identity::{parse_date, Signature};
use crate::refs::RefStore;
use crate::store::Odb;

pub const DIR_NAME: &str = ".hako";
pub const DEFAULT_BRANCH: &str = "main";

pub struct Workspace {
    /// The `.hako` directory.
    pub dir: PathBuf,
    pub odb: Odb,
    pub refs: RefStore,
    pub config: Config,
}

/// `[section]` / `key = value` config.
#[derive(Default, Clone, Debug)]
pub struct Config {
    pub values: BTreeMap<String, String>,
}

impl Config {
    pub fn parse(text: &str) -> Config {
        let mut values = BTreeMap::new();
        let mut section = String::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = s.trim().to_ascii_lowercase();
                continue;
            }
            if let Some((k, v)) = line.split_once('=') {
                let key = format!("{section}.{}", k.trim().to_ascii_lowercase());
                let v = v.trim();
                let v = v
                    .strip_prefix('"')
                    .and_then(|x| x.strip_suffix('"'))
                    .unwrap_or(v);
                values.insert(key, v.to_string());
            }
        }
        Config { values }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }
}

impl Workspace {
    /// Create a new workspace at `root/.hako`. Fails if one exists.
    pub fn init(root: &Path) -> Result<Workspace> {
        let dir = root.join(DIR_NAME);
        if dir.join("HEAD").exists() {
            return Err(Error::Invalid(format!(
                "{} already holds a hako workspace",
                root.display()
            )));
        }
        for sub in ["objects", "objects/pack", "refs/heads", "refs/tags", "logs"] {
            let p = dir.join(sub);
            fs::create_dir_all(&p).at(&p)?;
        }
        let cfg = dir.join("config");
        crate::fsutil::write_atomic(&cfg, b"[core]\n\tformatversion = 1\n")?;
        let ws = Workspace::open(&dir)?;
        ws.refs
            .set_symbolic("HEAD", &format!("refs/heads/{DEFAULT_BRANCH}"))?;
        Ok(ws)
    }

    /// Open the `.hako` directory `dir`.
    pub fn open(dir: &Path) -> Result<Workspace> {
        if !dir.join("HEAD").is_file() && !dir.join("objects").is_dir() {
            return Err(Error::NoWorkspace);
        }
        let config = match fs::read_to_string(dir.join("config")) {
            Ok(s) => Config::parse(&s),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => return Err(e).at(dir.join("config")),
        };
        Ok(Workspace {
            dir: dir.to_path_buf(),
            odb: Odb::open(&dir.join("objects")),
            refs: RefStore::new(dir),
            config,
        })
    }

    /// Find the workspace: `HAKO_DIR`, else walk up from `start`.
    pub fn discover(start: &Path) -> Result<Workspace> {
        if let Some(d) = std::env::var_os("HAKO_DIR") {
            let d = PathBuf::from(d);
            let d = if d.is_absolute() { d } else { start.join(d) };
            return Workspace::open(&d);
        }
        let mut cur = Some(start);
        while let Some(c) = cur {
            let cand = c.join(DIR_NAME);
            if cand.join("HEAD").is_file() {
                return Workspace::open(&cand);
            }
            cur = c.parent();
        }
        Err(Error::NoWorkspace)
    }

    /// The directory containing `.hako`.
    pub fn root(&self) -> &Path {
        self.dir.parent().unwrap_or(&self.dir)
    }

    pub fn author(&self) -> Result<Signature> {
        self.identity("AUTHOR")
    }

    pub fn committer(&self) -> Result<Signature> {
        self.identity("COMMITTER")
    }

    fn identity(&self, role: &str) -> Result<Signature> {
        let env = |k: &str| {
            std::env::var(format!("HAKO_{role}_{k}"))
                .ok()
                .or_else(|| std::env::var(format!("HAKO_AUTHOR_{k}")).ok())
                .filter(|v| !v.is_empty())
        };
        let login = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "hako".into());
        let name = env("NAME")
            .or_else(|| self.config.get("user.name").map(str::to_string))
            .unwrap_or_else(|| login.clone());
        let email = env("EMAIL")
            .or_else(|| self.config.get("user.email").map(str::to_string))
            .unwrap_or_else(|| format!("{login}@localhost"));
        let (secs, tz) = match env("DATE") {
            Some(d) => parse_date(&d)?,
            None => (
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0),
                0,
            ),
        };
        Signature::new(&name, &email, secs, tz)
    }
}
