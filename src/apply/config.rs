//! Reading hako.toml (format-spec/hako-toml.md): includes, profiles, typed
//! values, and errors that name the file, the line and the key.
#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::{ApplyError, BadKey};
use crate::error::{Error, IoContext, Result};

/// A network mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Net {
    /// No network: only `lo`.
    None,
    /// The host's network.
    Host,
    /// User-mode networking through `pasta`.
    Pasta,
}

/// How the directory holding hako.toml is bound at `/workspace`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkspaceMode {
    /// Bound writable.
    Rw,
    /// Bound read-only.
    Ro,
    /// Not bound.
    None,
}

/// A loaded, composed configuration.
#[derive(Clone, Debug)]
pub struct ApplyConfig {
    /// The top-level file.
    pub file: PathBuf,
    /// `image`: the OCI reference pulled when the container does not exist.
    pub image: Option<String>,
    /// `name`: the container.
    pub name: String,
    /// `setup`: shell commands run in order inside the container.
    pub setup: Vec<String>,
    /// `run`: what `apply --run` runs (None: the image's command, else /bin/sh).
    pub run: Option<String>,
    /// `workspace`: how the directory holding the file is bound at `/workspace`.
    pub workspace: WorkspaceMode,
    /// `env`: the environment of setup steps and `run`.
    pub env: BTreeMap<String, String>,
    /// `env_pass`: host variables forwarded by name.
    pub env_pass: Vec<String>,
    /// `autocommit`: `apply --run` runs with `run --autocommit`.
    pub autocommit: bool,
    /// `net`: the network of setup steps and `run`.
    pub net: Net,
    /// `binds`: `HOST:CONTAINER[:ro]` bind mounts.
    pub binds: Vec<String>,
    /// `rlimits`: resource limits by name.
    pub rlimits: BTreeMap<String, u64>,
    /// Profiles known (for messages).
    pub profiles: Vec<String>,
}

const KEYS: &[&str] = &[
    "include",
    "image",
    "name",
    "setup",
    "run",
    "workspace",
    "env",
    "env_pass",
    "autocommit",
    "net",
    "binds",
    "rlimits",
];
pub(super) const RLIMITS: &[&str] = &["nofile", "nproc", "as", "cpu", "fsize", "core", "stack"];

/// Where a key was written: for messages.
#[derive(Clone, Debug)]
struct Origin {
    file: PathBuf,
    text: String,
}

impl Origin {
    /// `file:line: why` for `key` (the first line that sets it, or 1).
    fn err(&self, key: &str, why: BadKey) -> Error {
        let last = key.rsplit('.').next().unwrap_or(key);
        let line = self
            .text
            .lines()
            .position(|l| {
                let t = l.trim_start();
                (t.starts_with(last) && t[last.len()..].trim_start().starts_with(['=', '.']))
                    || t == format!("[{key}]")
                    || t == format!("[{last}]")
                    || t.starts_with(&format!("\"{last}\""))
            })
            .map(|i| i + 1)
            .unwrap_or(1);
        ApplyError::At {
            file: self.file.clone(),
            line,
            why,
        }
        .into()
    }
}

/// A table with the origin of each top-level key (the file that set it last).
#[derive(Default)]
struct Layer {
    table: toml::Table,
    origin: BTreeMap<String, Origin>,
}

/// The largest hako.toml (or included file) read: an include naming a
/// device or FIFO (`/dev/zero`) must not be read without end.
const MAX_FILE_BYTES: u64 = 1 << 20;

fn read_file(path: &Path) -> Result<(toml::Table, Origin)> {
    use std::io::Read;
    let f = std::fs::File::open(path).at(path)?;
    if !f.metadata().at(path)?.is_file() {
        return Err(ApplyError::NotRegularFile(path.to_path_buf()).into());
    }
    let mut text = String::new();
    f.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .at(path)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(ApplyError::TooLarge {
            path: path.to_path_buf(),
            max: MAX_FILE_BYTES,
        }
        .into());
    }
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
            .unwrap_or(1);
        ApplyError::At {
            file: path.to_path_buf(),
            line,
            why: BadKey::Syntax(e.message().replace('\n', " ")),
        }
    })?;
    Ok((
        table,
        Origin {
            file: path.to_path_buf(),
            text,
        },
    ))
}

/// Merge `over` into `base` (format-spec/hako-toml.md, "Merging").
fn merge(base: &mut Layer, over: Layer) {
    for (k, v) in over.table {
        let origin = over.origin.get(&k).cloned();
        match (base.table.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o))
                if k == "env" || k == "rlimits" || !KEYS.contains(&k.as_str()) =>
            {
                if KEYS.contains(&k.as_str()) {
                    for (ik, iv) in o {
                        b.insert(ik, iv);
                    }
                } else {
                    // A profile: merged key by key with the same rule.
                    let mut bl = Layer {
                        table: std::mem::take(b),
                        origin: BTreeMap::new(),
                    };
                    merge(
                        &mut bl,
                        Layer {
                            table: o,
                            origin: BTreeMap::new(),
                        },
                    );
                    *b = bl.table;
                }
            }
            (_, v) => {
                base.table.insert(k.clone(), v);
            }
        }
        if let Some(o) = origin {
            base.origin.insert(k, o);
        }
    }
}

fn load_layer(path: &Path, stack: &mut Vec<PathBuf>) -> Result<Layer> {
    let canon = std::fs::canonicalize(path).at(path)?;
    if let Some(i) = stack.iter().position(|p| *p == canon) {
        let chain: Vec<String> = stack[i..]
            .iter()
            .chain(std::iter::once(&canon))
            .map(|p| {
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .to_string()
            })
            .collect();
        return Err(ApplyError::IncludeCycle(chain).into());
    }
    stack.push(canon);
    let (mut table, origin) = read_file(path)?;
    let mut layer = Layer::default();
    if let Some(inc) = table.remove("include") {
        let toml::Value::Array(items) = inc else {
            return Err(origin.err("include", BadKey::IncludeNotArray));
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        for item in items {
            let toml::Value::String(f) = item else {
                return Err(origin.err("include", BadKey::IncludeNotArray));
            };
            let sub = load_layer(&dir.join(&f), stack)?;
            merge(&mut layer, sub);
        }
    }
    let keys: Vec<String> = table.keys().cloned().collect();
    let own = Layer {
        table,
        origin: keys.into_iter().map(|k| (k, origin.clone())).collect(),
    };
    merge(&mut layer, own);
    stack.pop();
    Ok(layer)
}

/// A valid container name from a directory name.
fn name_from_dir(dir: &Path) -> String {
    let base = std::fs::canonicalize(dir)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().to_string()))
        .unwrap_or_default();
    let mut s: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    while s.starts_with(['.', '-']) {
        s.remove(0);
    }
    s.truncate(64);
    if s.is_empty() {
        "default".into()
    } else {
        s
    }
}

/// `path` with its includes, then `profile` overlaid; the top file's
/// origin, and the profiles it knows.
fn compose(path: &Path, profile: Option<&str>) -> Result<(Layer, Origin, Vec<String>)> {
    if !path.is_file() {
        return Err(ApplyError::NoFile(path.to_path_buf()).into());
    }
    let mut layer = load_layer(path, &mut Vec::new())?;
    let top = Origin {
        file: path.to_path_buf(),
        text: std::fs::read_to_string(path).unwrap_or_default(),
    };
    let profiles: Vec<String> = layer
        .table
        .iter()
        .filter(|(k, v)| !KEYS.contains(&k.as_str()) && v.is_table())
        .map(|(k, _)| k.clone())
        .collect();
    // Unknown scalar keys at the top level.
    for (k, v) in &layer.table {
        if !KEYS.contains(&k.as_str()) && !v.is_table() {
            let o = layer.origin.get(k).unwrap_or(&top);
            return Err(o.err(k, BadKey::Unknown(k.clone())));
        }
    }
    if let Some(p) = profile {
        let Some(toml::Value::Table(t)) = layer.table.get(p).cloned() else {
            return Err(ApplyError::UnknownProfile {
                file: path.to_path_buf(),
                profile: p.to_string(),
                known: profiles,
            }
            .into());
        };
        let o = layer.origin.get(p).cloned().unwrap_or(top.clone());
        for k in t.keys() {
            if !KEYS.contains(&k.as_str()) || k == "include" {
                return Err(o.err(k, BadKey::Unknown(format!("{p}.{k}"))));
            }
        }
        let keys: Vec<String> = t.keys().cloned().collect();
        merge(
            &mut layer,
            Layer {
                table: t,
                origin: keys.into_iter().map(|k| (k, o.clone())).collect(),
            },
        );
    }
    Ok((layer, top, profiles))
}

/// The composed keys, read as typed values; errors name the line that set them.
struct Keys<'a> {
    layer: &'a Layer,
    top: &'a Origin,
}

impl Keys<'_> {
    fn origin(&self, k: &str) -> &Origin {
        self.layer.origin.get(k).unwrap_or(self.top)
    }

    /// `key`'s value is not of type `expected`.
    fn wrong(
        &self,
        origin_key: &str,
        line_key: &str,
        key: String,
        expected: &'static str,
        found: String,
    ) -> Error {
        self.origin(origin_key).err(
            line_key,
            BadKey::WrongType {
                key,
                expected,
                found,
            },
        )
    }

    fn string(&self, k: &str) -> Result<Option<String>> {
        match self.layer.table.get(k) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.wrong(k, k, k.into(), "a string", v.type_str().into())),
        }
    }

    fn strings(&self, k: &str) -> Result<Vec<String>> {
        match self.layer.table.get(k) {
            None => Ok(Vec::new()),
            Some(toml::Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    toml::Value::String(s) => Ok(s.clone()),
                    v => Err(self.wrong(k, k, k.into(), "strings", v.type_str().into())),
                })
                .collect(),
            Some(v) => Err(self.wrong(k, k, k.into(), "an array of strings", v.type_str().into())),
        }
    }

    fn choice(&self, k: &str, options: &'static [&'static str]) -> Result<Option<String>> {
        match self.string(k)? {
            None => Ok(None),
            Some(s) if options.contains(&s.as_str()) => Ok(Some(s)),
            Some(s) => Err(self.origin(k).err(
                k,
                BadKey::NotOneOf {
                    key: k.into(),
                    value: s,
                    options,
                },
            )),
        }
    }

    fn env(&self) -> Result<BTreeMap<String, String>> {
        let mut env = BTreeMap::new();
        match self.layer.table.get("env") {
            None => {}
            Some(toml::Value::Table(e)) => {
                for (k, v) in e {
                    if k.is_empty() || k.contains(['=', '\0']) {
                        return Err(self.origin("env").err("env", BadKey::EnvName(k.clone())));
                    }
                    match v {
                        toml::Value::String(s) => {
                            env.insert(k.clone(), s.clone());
                        }
                        v => {
                            let key = format!("env.{k}");
                            return Err(self.wrong(
                                "env",
                                "env",
                                key,
                                "a string",
                                v.type_str().into(),
                            ));
                        }
                    }
                }
            }
            Some(v) => {
                return Err(self.wrong("env", "env", "env".into(), "a table", v.type_str().into()))
            }
        }
        Ok(env)
    }

    fn rlimits(&self) -> Result<BTreeMap<String, u64>> {
        let mut rlimits = BTreeMap::new();
        match self.layer.table.get("rlimits") {
            None => {}
            Some(toml::Value::Table(e)) => {
                for (k, v) in e {
                    if !RLIMITS.contains(&k.as_str()) {
                        return Err(self
                            .origin("rlimits")
                            .err(k, BadKey::UnknownRlimit(k.clone())));
                    }
                    match v {
                        toml::Value::Integer(n) if *n >= 0 => {
                            rlimits.insert(k.clone(), *n as u64);
                        }
                        v => {
                            let key = format!("rlimits.{k}");
                            let expected = "a non-negative integer";
                            return Err(self.wrong("rlimits", k, key, expected, v.to_string()));
                        }
                    }
                }
            }
            Some(v) => {
                let found = v.type_str().to_string();
                return Err(self.wrong("rlimits", "rlimits", "rlimits".into(), "a table", found));
            }
        }
        Ok(rlimits)
    }

    fn autocommit(&self) -> Result<bool> {
        match self.layer.table.get("autocommit") {
            None => Ok(false),
            Some(toml::Value::Boolean(b)) => Ok(*b),
            Some(v) => Err(self.wrong(
                "autocommit",
                "autocommit",
                "autocommit".into(),
                "true or false",
                v.type_str().into(),
            )),
        }
    }

    /// `name`, else one made from `dir`'s name.
    fn name(&self, dir: &Path) -> Result<String> {
        match self.string("name")? {
            Some(n) => {
                crate::workspace::check_container_name(&n)
                    .map_err(|e| self.origin("name").err("name", BadKey::Name(Box::new(e))))?;
                Ok(n)
            }
            None => Ok(name_from_dir(dir)),
        }
    }

    /// `binds`, each checked to be `HOST:CONTAINER[:ro|rw]`.
    fn binds(&self) -> Result<Vec<String>> {
        let binds = self.strings("binds")?;
        for b in &binds {
            let parts: Vec<&str> = b.split(':').collect();
            let ok = matches!(parts.len(), 2 | 3)
                && parts[..2].iter().all(|p| !p.is_empty())
                && (parts.len() == 2 || parts[2] == "ro" || parts[2] == "rw");
            if !ok {
                return Err(self.origin("binds").err("binds", BadKey::Bind(b.clone())));
            }
        }
        Ok(binds)
    }
}

/// Load `path` with its includes, then overlay `profile`.
pub fn load(path: &Path, profile: Option<&str>) -> Result<ApplyConfig> {
    let (layer, top, profiles) = compose(path, profile)?;
    let keys = Keys {
        layer: &layer,
        top: &top,
    };
    let env = keys.env()?;
    let rlimits = keys.rlimits()?;
    let autocommit = keys.autocommit()?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = keys.name(dir)?;
    let binds = keys.binds()?;
    Ok(ApplyConfig {
        file: path.to_path_buf(),
        image: keys.string("image")?,
        name,
        setup: keys.strings("setup")?,
        run: keys.string("run")?,
        workspace: match keys.choice("workspace", &["rw", "ro", "none"])?.as_deref() {
            Some("ro") => WorkspaceMode::Ro,
            Some("none") => WorkspaceMode::None,
            _ => WorkspaceMode::Rw,
        },
        env,
        env_pass: keys.strings("env_pass")?,
        autocommit,
        net: match keys.choice("net", &["none", "host", "pasta"])?.as_deref() {
            Some("host") => Net::Host,
            Some("pasta") => Net::Pasta,
            _ => Net::None,
        },
        binds,
        rlimits,
        profiles,
    })
}

impl ApplyConfig {
    /// The environment of the steps: `env`, then the `env_pass` variables
    /// the host has.
    pub fn step_env(&self) -> BTreeMap<String, String> {
        let mut env = self.env.clone();
        for k in &self.env_pass {
            if let Ok(v) = std::env::var(k) {
                env.insert(k.clone(), v);
            }
        }
        env
    }

    /// What else changes every step's result: the network, the workspace
    /// mode, the binds as written, the rlimits (hako-toml.md, "Applied steps").
    pub fn settings_text(&self) -> String {
        let net = match self.net {
            Net::None => "none",
            Net::Host => "host",
            Net::Pasta => "pasta",
        };
        let ws = match self.workspace {
            WorkspaceMode::Rw => "rw",
            WorkspaceMode::Ro => "ro",
            WorkspaceMode::None => "none",
        };
        let mut t = format!("net={net}\nworkspace={ws}\n");
        for b in &self.binds {
            t.push_str(&format!("bind={b}\n"));
        }
        for (k, n) in &self.rlimits {
            t.push_str(&format!("rlimit.{k}={n}\n"));
        }
        t
    }

    /// The step hashes h_1..h_n (format-spec/hako-toml.md, "Applied steps").
    pub fn step_hashes(&self, image_digest: &str) -> Vec<String> {
        // Passed-through values stay out of the hash (they may be secrets,
        // and the hash is in every commit): their names only.
        let passed: std::collections::BTreeSet<&String> = self
            .env_pass
            .iter()
            .filter(|k| std::env::var_os(k).is_some())
            .collect();
        let mut env_text = String::new();
        for (k, v) in self.step_env() {
            if passed.contains(&k) {
                env_text.push_str(&format!("{k}\n"));
            } else {
                env_text.push_str(&format!("{k}={v}\n"));
            }
        }
        let mut h0 = blake3::Hasher::new();
        h0.update(format!("hako-apply 2\n{image_digest}\n").as_bytes());
        h0.update(self.settings_text().as_bytes());
        let mut h = h0.finalize();
        let mut out = Vec::new();
        for step in &self.setup {
            let mut x = blake3::Hasher::new();
            x.update(h.to_hex().as_bytes());
            x.update(b"\n");
            x.update(env_text.as_bytes());
            x.update(b"\n");
            x.update(step.as_bytes());
            h = x.finalize();
            out.push(h.to_hex().to_string());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn an_include_of_a_device_or_a_huge_file_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let top = write(d.path(), "hako.toml", "include = [\"/dev/zero\"]\n");
        let e = load(&top, None).unwrap_err().to_string();
        assert!(e.contains("/dev/zero: not a regular file"), "{e}");
        write(d.path(), "big.toml", &"# padding\n".repeat(200_000));
        let top = write(d.path(), "hako.toml", "include = [\"big.toml\"]\n");
        let e = load(&top, None).unwrap_err().to_string();
        assert!(e.contains("big.toml: larger than 1048576 bytes"), "{e}");
    }

    #[test]
    fn includes_profiles_and_errors() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "base.toml", "image = \"alpine\"\nsetup = [\"a\"]\nenv = { A = \"1\", B = \"1\" }\n[prod]\nnet = \"host\"\n");
        let top = write(
            d.path(),
            "hako.toml",
            "include = [\"base.toml\"]\nname = \"web\"\nsetup = [\"x\", \"y\"]\nenv = { B = \"2\" }\n[prod]\nenv = { C = \"3\" }\n",
        );
        let c = load(&top, None).unwrap();
        assert_eq!(c.image.as_deref(), Some("alpine"));
        assert_eq!(c.setup, vec!["x", "y"]);
        assert_eq!(c.env.get("A").unwrap(), "1");
        assert_eq!(c.env.get("B").unwrap(), "2");
        assert_eq!(c.net, Net::None);
        let p = load(&top, Some("prod")).unwrap();
        assert_eq!(p.net, Net::Host);
        assert_eq!(p.env.get("C").unwrap(), "3");
        let e = load(&top, Some("nope")).unwrap_err().to_string();
        assert!(e.contains("unknown profile 'nope' (known: prod)"), "{e}");

        let bad = write(d.path(), "bad.toml", "name = \"x\"\n\nstup = [\"a\"]\n");
        let e = load(&bad, None).unwrap_err();
        assert!(
            matches!(&e, Error::Apply(ApplyError::At { line: 3, why: BadKey::Unknown(k), .. }) if k == "stup"),
            "{e:?}"
        );
        let e = e.to_string();
        assert!(e.ends_with("bad.toml:3: unknown key 'stup'"), "{e}");
        let bad = write(d.path(), "bad2.toml", "net = \"wifi\"\n");
        let e = load(&bad, None).unwrap_err().to_string();
        assert!(
            e.contains("bad2.toml:1: key 'net': 'wifi' is not one of none, host, pasta"),
            "{e}"
        );
        let bad = write(d.path(), "bad3.toml", "setup = \"one\"\n");
        let e = load(&bad, None).unwrap_err().to_string();
        assert!(
            e.contains("bad3.toml:1: key 'setup': expected an array of strings, found string"),
            "{e}"
        );
        let bad = write(d.path(), "bad4.toml", "name = \"x\"\nsetup = [\n");
        let e = load(&bad, None).unwrap_err().to_string();
        assert!(e.contains("bad4.toml:"), "{e}");

        write(d.path(), "c1.toml", "include = [\"c2.toml\"]\n");
        write(d.path(), "c2.toml", "include = [\"c1.toml\"]\n");
        let e = load(&d.path().join("c1.toml"), None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("include cycle: c1.toml -> c2.toml -> c1.toml"),
            "{e}"
        );
    }

    #[test]
    fn step_hashes_chain() {
        let d = tempfile::tempdir().unwrap();
        let a = write(d.path(), "a.toml", "setup = [\"s1\", \"s2\", \"s3\"]\n");
        let b = write(d.path(), "b.toml", "setup = [\"s1\", \"S2\", \"s3\"]\n");
        let ha = load(&a, None).unwrap().step_hashes("sha256:x");
        let hb = load(&b, None).unwrap().step_hashes("sha256:x");
        assert_eq!(ha[0], hb[0]);
        assert_ne!(ha[1], hb[1]);
        assert_ne!(ha[2], hb[2]);
        assert_ne!(ha[0], load(&a, None).unwrap().step_hashes("sha256:y")[0]);
        assert_eq!(ha[0].len(), 64);
    }
}
