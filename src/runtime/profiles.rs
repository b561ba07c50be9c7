//! Bind profiles (format-spec/runtime.md, "Bind profiles"): named lists of
//! host paths in the user config (format-spec/config.md):
//!
//! ```text
//! [bind-profile "dev"]
//!     bind = ~/.cache
//!     bind = /opt/tools:/tools:ro
//! ```
//!
//! An entry is `PATH` (bound at the same place) or `SRC:DST[:ro]`; `~/`
//! at the start of a path is the user's home. The profiles of the old TOML
//! file beside it (`config.toml`, `[bind_profiles]`) are moved in once.
#![warn(missing_docs)]

use std::path::Path;

use crate::config::{section_text, Config};
use crate::error::{Error, IoContext, Result};
use crate::runtime::error::ProfileError;

/// The section of profile NAME is `bind-profile.NAME`.
pub(crate) const SECTION: &str = "bind-profile";

/// The `--bind` specs of the profiles NAMES, in order, with `~/` expanded.
/// The old `config.toml`'s profiles are moved into the user config first;
/// the note saying so comes second, for the caller to say.
pub(crate) fn binds_of(names: &[String]) -> Result<(Vec<String>, Option<String>)> {
    if names.is_empty() {
        return Ok((Vec::new(), None));
    }
    let path = Config::user_path().ok_or(ProfileError::NoHome)?;
    let moved = migrate_toml(&path)?;
    let cfg = Config::read(&path)?;
    let mut out = Vec::new();
    for name in names {
        let section = format!("{SECTION}.{name}");
        if !cfg.has_section(&section) {
            let prefix = format!("{SECTION}.");
            let known: Vec<&str> = cfg
                .sections()
                .into_iter()
                .filter_map(|s| s.strip_prefix(&prefix))
                .collect();
            let known = match known.is_empty() {
                true => "none".to_string(),
                false => known.join(", "),
            };
            return Err(ProfileError::Unknown {
                path,
                name: name.clone(),
                known,
            }
            .into());
        }
        out.extend(
            cfg.get_all(&format!("{section}.bind"))
                .into_iter()
                .map(expand),
        );
    }
    Ok((out, moved))
}

/// A profile's entry as a `--bind` spec: `PATH` is `PATH:PATH`; `~` expanded.
fn expand(spec: &str) -> String {
    let home = std::env::var("HOME").unwrap_or_default();
    let expand = |p: &str| match p.strip_prefix("~/") {
        Some(rest) => format!("{home}/{rest}"),
        None if p == "~" => home.clone(),
        None => p.to_string(),
    };
    match spec.splitn(3, ':').collect::<Vec<_>>().as_slice() {
        [src, dst, mode] => format!("{}:{}:{mode}", expand(src), expand(dst)),
        [src, dst] => format!("{}:{}", expand(src), expand(dst)),
        _ => {
            let p = expand(spec);
            format!("{p}:{p}")
        }
    }
}

/// Move the `[bind_profiles]` of `config.toml` beside CONFIG into CONFIG
/// as `[bind-profile "NAME"]` sections and rename the old file
/// `config.toml.migrated`; returns what was done, or `None` when there is
/// nothing to move. Idempotent after a crash between the two steps: a
/// profile already in CONFIG with the same binds is not added again.
pub fn migrate_toml(config: &Path) -> Result<Option<String>> {
    let old = config.with_file_name("config.toml");
    let text = match std::fs::read_to_string(&old) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).at(&old),
    };
    let bad = |why: String| -> Error {
        ProfileError::OldContent {
            path: old.clone(),
            why,
        }
        .into()
    };
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
            .unwrap_or(1);
        Error::from(ProfileError::OldSyntax {
            path: old.clone(),
            line,
            why: e.message().to_string(),
        })
    })?;
    let profiles = match table.get("bind_profiles") {
        None => return Ok(None),
        Some(toml::Value::Table(t)) if t.is_empty() => return Ok(None),
        Some(toml::Value::Table(t)) => t,
        Some(_) => return Err(bad("bind_profiles: expected a table".into())),
    };
    let have = Config::read(config)?;
    let mut added = String::new();
    for (name, entries) in profiles {
        let toml::Value::Array(items) = entries else {
            return Err(bad(format!(
                "bind_profiles.{name}: expected an array of paths"
            )));
        };
        let binds = items
            .iter()
            .map(|i| match i {
                toml::Value::String(s) => Ok(s.as_str()),
                _ => Err(bad(format!("bind_profiles.{name}: expected strings"))),
            })
            .collect::<Result<Vec<&str>>>()?;
        let section = format!("{SECTION}.{name}");
        if have.has_section(&section) {
            if have.get_all(&format!("{section}.bind")) == binds {
                continue;
            }
            return Err(bad(format!(
                "bind profile '{name}' is also in {}, with other binds: keep one of them",
                config.display()
            )));
        }
        let lines: Vec<(&str, &str)> = binds.iter().map(|b| ("bind", *b)).collect();
        added.push_str(&section_text(SECTION, Some(name), &lines));
    }
    if !added.is_empty() {
        Config::append(config, &added)?;
    }
    let renamed = old.with_file_name("config.toml.migrated");
    std::fs::rename(&old, &renamed).at(&old)?;
    let names: Vec<&str> = profiles.keys().map(String::as_str).collect();
    Ok(Some(format!(
        "moved bind profiles {} from {} to {} ([{SECTION} \"NAME\"] sections); the old file is now {}",
        names.join(", "),
        old.display(),
        config.display(),
        renamed.display()
    )))
}
