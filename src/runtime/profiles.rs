//! Bind profiles (format-spec/runtime.md, "Bind profiles"): named lists of
//! host paths in the user config `$XDG_CONFIG_HOME/hako/config.toml`
//! (default `~/.config/hako/config.toml`):
//!
//! ```toml
//! [bind_profiles]
//! dev = ["~/.cache", "/opt/tools:/tools:ro"]
//! ```
//!
//! An entry is `PATH` (bound at the same place) or `SRC:DST[:ro]`; `~/`
//! at the start of a path is the user's home.

use std::path::PathBuf;

use crate::error::{Error, Result};

/// The user's TOML config file.
pub fn user_toml_path() -> Option<PathBuf> {
    crate::workspace::Config::user_path().map(|p| p.with_file_name("config.toml"))
}

/// The `--bind` specs of profile `name`, with `~/` expanded.
pub fn bind_profile(name: &str) -> Result<Vec<String>> {
    let path = user_toml_path()
        .ok_or_else(|| Error::Invalid("no home directory for the user config".into()))?;
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::Invalid(format!(
            "bind profile '{name}': cannot read {}: {e}",
            path.display()
        ))
    })?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
            .unwrap_or(1);
        Error::Invalid(format!("{}:{line}: {}", path.display(), e.message()))
    })?;
    let known = |t: &toml::Table| t.keys().cloned().collect::<Vec<_>>().join(", ");
    let profiles = match table.get("bind_profiles") {
        Some(toml::Value::Table(t)) => t,
        _ => {
            return Err(Error::Invalid(format!(
                "{}: no [bind_profiles] table (bind profile '{name}')",
                path.display()
            )))
        }
    };
    let Some(entries) = profiles.get(name) else {
        return Err(Error::Invalid(format!(
            "{}: unknown bind profile '{name}' (known: {})",
            path.display(),
            known(profiles)
        )));
    };
    let toml::Value::Array(items) = entries else {
        return Err(Error::Invalid(format!(
            "{}: bind_profiles.{name}: expected an array of paths",
            path.display()
        )));
    };
    let home = std::env::var("HOME").unwrap_or_default();
    let expand = |p: &str| match p.strip_prefix("~/") {
        Some(rest) => format!("{home}/{rest}"),
        None if p == "~" => home.clone(),
        None => p.to_string(),
    };
    let mut out = Vec::new();
    for item in items {
        let toml::Value::String(s) = item else {
            return Err(Error::Invalid(format!(
                "{}: bind_profiles.{name}: expected strings",
                path.display()
            )));
        };
        let parts: Vec<&str> = s.splitn(3, ':').collect();
        out.push(match parts.as_slice() {
            [p] => {
                let p = expand(p);
                format!("{p}:{p}")
            }
            [src, dst] => format!("{}:{}", expand(src), expand(dst)),
            [src, dst, mode] => format!("{}:{}:{mode}", expand(src), expand(dst)),
            _ => unreachable!("splitn(3) gives 1 to 3 parts"),
        });
    }
    Ok(out)
}
