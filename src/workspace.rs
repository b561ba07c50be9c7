//! A workspace: the `.hako/` directory, its object database, refs and config
//! (format-spec/layout.md).
#![warn(missing_docs)]

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};
use crate::identity::{parse_date, Signature};
use crate::refs::RefStore;
use crate::store::Odb;

const DIR_NAME: &str = ".hako";
/// The branch a new container's HEAD names.
pub const DEFAULT_BRANCH: &str = "main";
/// The `core.formatversion` this hako writes and reads (format-spec/layout.md).
pub const FORMAT_VERSION: &str = "1";

/// An open workspace, with one container selected.
pub struct Workspace {
    /// The `.hako` directory.
    pub dir: PathBuf,
    /// The object database (`objects/`).
    pub odb: Odb,
    /// The refs of the selected container (`containers/<name>/`).
    pub refs: RefStore,
    /// The workspace's configuration (`.hako/config`).
    pub config: Config,
    /// The selected container's name.
    pub container: String,
}

/// The container `init` makes and selects.
pub const DEFAULT_CONTAINER: &str = "default";

pub use crate::refs::{check_container_name, check_simple_name};

pub use crate::config::Config;

/// Lay out an empty container directory: HEAD -> refs/heads/main, no commits.
fn make_container(d: &Path) -> Result<()> {
    for sub in ["refs/heads", "refs/tags", "logs"] {
        let p = d.join(sub);
        fs::create_dir_all(&p).at(&p)?;
    }
    RefStore::new(d).set_symbolic("HEAD", &format!("refs/heads/{DEFAULT_BRANCH}"))
}

impl Workspace {
    /// Create a new workspace at `root/.hako`. Fails if one exists.
    pub fn init(root: &Path) -> Result<Workspace> {
        let dir = root.join(DIR_NAME);
        if dir.join("config").exists() {
            return Err(Error::WorkspaceExists(root.to_path_buf()));
        }
        for sub in ["objects", "objects/pack", "containers"] {
            let p = dir.join(sub);
            fs::create_dir_all(&p).at(&p)?;
        }
        make_container(&dir.join("containers").join(DEFAULT_CONTAINER))?;
        crate::fsutil::write_atomic(
            &dir.join("active"),
            format!("{DEFAULT_CONTAINER}\n").as_bytes(),
        )?;
        // The config is written last: discovery looks for it, so a crash
        // before this point never leaves a half-made workspace to be found.
        let cfg = dir.join("config");
        crate::fsutil::write_atomic(
            &cfg,
            format!("[core]\n\tformatversion = {FORMAT_VERSION}\n").as_bytes(),
        )?;
        Workspace::open(&dir)
    }

    /// The directory holding a container's refs, reflogs and working root.
    pub fn container_dir(&self, name: &str) -> PathBuf {
        self.dir.join("containers").join(name)
    }

    /// Create an empty container (HEAD -> refs/heads/main, no commits).
    pub fn create_container(&self, name: &str) -> Result<()> {
        check_container_name(name)?;
        let d = self.container_dir(name);
        if d.exists() {
            return Err(Error::ContainerExists(name.to_string()));
        }
        make_container(&d)
    }

    /// All containers, sorted by name.
    pub fn containers(&self) -> Result<Vec<String>> {
        let d = self.dir.join("containers");
        let mut out = Vec::new();
        for ent in fs::read_dir(&d).at(&d)? {
            let ent = ent.at(&d)?;
            let name = ent.file_name().to_string_lossy().to_string();
            if check_container_name(&name).is_ok() && ent.path().join("HEAD").is_file() {
                out.push(name);
            }
        }
        out.sort();
        Ok(out)
    }

    /// The name recorded as active in `.hako/active`.
    pub fn active_container(dir: &Path) -> Result<String> {
        let p = dir.join("active");
        let s = fs::read_to_string(&p).at(&p)?;
        Ok(s.trim().to_string())
    }

    /// Make `name` the active container.
    pub fn set_active(&self, name: &str) -> Result<()> {
        check_container_name(name)?;
        if !self.container_dir(name).join("HEAD").is_file() {
            return Err(Error::NoContainer(name.to_string()));
        }
        crate::fsutil::write_atomic(&self.dir.join("active"), format!("{name}\n").as_bytes())
    }

    /// Remove a container's refs and working root (objects stay until gc).
    pub fn delete_container(&self, name: &str) -> Result<()> {
        check_container_name(name)?;
        let d = self.container_dir(name);
        if !d.join("HEAD").is_file() {
            return Err(Error::NoContainer(name.to_string()));
        }
        // Rename first so a crash never leaves a half-deleted container visible.
        let trash = self
            .dir
            .join("containers")
            .join(format!(".deleted-{name}-{}", std::process::id()));
        fs::rename(&d, &trash).at(&d)?;
        fs::remove_dir_all(&trash).at(&trash)
    }

    /// Open the `.hako` directory `dir` with its active container.
    pub fn open(dir: &Path) -> Result<Workspace> {
        Workspace::open_with(dir, None)
    }

    /// Open `dir`, selecting `container` (default: the active one).
    /// Another handle on this workspace and container, sharing the packs
    /// loaded so far.
    pub fn reopen(&self) -> Workspace {
        Workspace {
            dir: self.dir.clone(),
            odb: self.odb.reopen(),
            refs: RefStore::new(&self.dir.join("containers").join(&self.container)),
            config: self.config.clone(),
            container: self.container.clone(),
        }
    }

    /// Open the workspace whose `.hako` directory is `dir`, selecting `container` (None: the active one).
    pub fn open_with(dir: &Path, container: Option<&str>) -> Result<Workspace> {
        if !dir.join("config").is_file() || !dir.join("objects").is_dir() {
            return Err(Error::NoWorkspace);
        }
        let container = match container {
            Some(c) => c.to_string(),
            None => Workspace::active_container(dir)?,
        };
        check_container_name(&container)?;
        let cdir = dir.join("containers").join(&container);
        if !cdir.join("HEAD").is_file() {
            return Err(Error::NoContainer(container.to_string()));
        }
        let config = Config::read(&dir.join("config"))?;
        // A workspace of another format would be misread: refuse it whole.
        if let Some(v) = config.get("core.formatversion") {
            if v != FORMAT_VERSION {
                return Err(Error::FormatVersion {
                    at: config.origin("core.formatversion").unwrap_or_default(),
                    found: v.to_string(),
                    supported: FORMAT_VERSION,
                });
            }
        }
        // A bad value refuses the packs it would limit, not every command
        // (`hako config` must still be able to fix it).
        let max_pack = match config.get("transfer.maxpacksize") {
            None => Ok(crate::store::DEFAULT_MAX_PACK_BYTES),
            Some(v) => crate::config::parse_size(v)
                .filter(|n| *n > 0)
                .ok_or_else(|| crate::store::BadMaxPackSize {
                    at: config.origin("transfer.maxpacksize").unwrap_or_default(),
                    value: v.to_string(),
                }),
        };
        Ok(Workspace {
            dir: dir.to_path_buf(),
            odb: Odb::open(&dir.join("objects")).with_max_pack_bytes(max_pack),
            refs: RefStore::new(&cdir),
            config,
            container,
        })
    }

    /// Find the workspace: `HAKO_DIR`, else walk up from `start`; select
    /// `container` or the active one.
    pub fn discover(start: &Path, container: Option<&str>) -> Result<Workspace> {
        if let Some(d) = std::env::var_os("HAKO_DIR") {
            let d = PathBuf::from(d);
            let d = if d.is_absolute() { d } else { start.join(d) };
            return Workspace::open_with(&d, container);
        }
        let mut cur = Some(start);
        while let Some(c) = cur {
            let cand = c.join(DIR_NAME);
            if cand.join("config").is_file() {
                return Workspace::open_with(&cand, container);
            }
            cur = c.parent();
        }
        Err(Error::NoWorkspace)
    }

    /// The objects and the selected container's refs, for revision parsing.
    pub fn repo(&self) -> crate::revparse::Repo<'_> {
        crate::revparse::Repo {
            odb: &self.odb,
            refs: &self.refs,
            hako_dir: Some(&self.dir),
        }
    }

    /// The directories an import of host files leaves out, by (device,
    /// inode): the workspace's own `.hako` (write-tree, import).
    pub fn import_exclude(&self) -> Vec<(u64, u64)> {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(&self.dir)
            .map(|m| vec![(m.dev(), m.ino())])
            .unwrap_or_default()
    }

    /// The directory containing `.hako`.
    pub fn root(&self) -> &Path {
        self.dir.parent().unwrap_or(&self.dir)
    }

    /// The author recorded in a new commit: `HAKO_AUTHOR_NAME`/`_EMAIL`, else
    /// `user.name`/`user.email` of the workspace config, else of the user
    /// config; refused when none gives one.
    pub fn commit_author(&self) -> Result<Signature> {
        self.identity("AUTHOR")?.ok_or(Error::NoIdentity("author"))
    }

    /// The committer (or tagger) recorded in a new commit or tag:
    /// `HAKO_COMMITTER_*`, then as `commit_author`.
    pub fn commit_committer(&self) -> Result<Signature> {
        self.identity("COMMITTER")?
            .ok_or(Error::NoIdentity("committer"))
    }

    /// The configured author, or `NAME <EMAIL>` when none is (the seed commit of `init`).
    pub fn author_or(&self, name: &str, email: &str) -> Result<Signature> {
        match self.identity("AUTHOR")? {
            Some(s) => Ok(s),
            None => {
                let (secs, tz) = self.date("AUTHOR")?;
                Signature::new(name, email, secs, tz)
            }
        }
    }

    /// Who moved a ref, for reflog entries: the configured committer, else
    /// the login name (`$USER <$USER@localhost>`), never refused.
    pub fn committer(&self) -> Result<Signature> {
        if let Some(s) = self.identity("COMMITTER")? {
            return Ok(s);
        }
        let login = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "hako".into());
        let (secs, tz) = self.date("COMMITTER")?;
        Signature::new(&login, &format!("{login}@localhost"), secs, tz)
    }

    fn env(role: &str, key: &str) -> Option<String> {
        std::env::var(format!("HAKO_{role}_{key}"))
            .ok()
            .or_else(|| std::env::var(format!("HAKO_AUTHOR_{key}")).ok())
            .filter(|v| !v.is_empty())
    }

    fn date(&self, role: &str) -> Result<(i64, i32)> {
        match Workspace::env(role, "DATE") {
            Some(d) => parse_date(&d),
            None => Ok((
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0),
                0,
            )),
        }
    }

    /// The identity the environment or a config gives for ROLE, if complete.
    fn identity(&self, role: &str) -> Result<Option<Signature>> {
        let user = Config::user()?;
        let from = |key: &str| {
            Workspace::env(role, &key.to_ascii_uppercase())
                .or_else(|| self.config.get(&format!("user.{key}")).map(str::to_string))
                .or_else(|| user.get(&format!("user.{key}")).map(str::to_string))
                .filter(|v| !v.trim().is_empty())
        };
        let (Some(name), Some(email)) = (from("name"), from("email")) else {
            return Ok(None);
        };
        let (secs, tz) = self.date(role)?;
        Signature::new(&name, &email, secs, tz).map(Some)
    }
}
