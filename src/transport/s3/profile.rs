//! Credentials and region as the AWS CLI reads them: `AWS_PROFILE` in
//! `~/.aws/credentials` and `~/.aws/config` (object-store.md section 1).

use std::path::Path;

use rusty_s3::Credentials;

/// An INI file as the AWS CLI writes them: section → key → value.
fn read_ini(path: &Path) -> Vec<(String, String, String)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut section = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s.trim().to_string();
        } else if let Some((k, v)) = line.split_once('=') {
            out.push((section.clone(), k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

/// What the AWS CLI would use: (credentials, region of the profile).
pub(super) fn aws_profile() -> (Option<Credentials>, Option<String>) {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let home = env("HOME").unwrap_or_default();
    let profile = env("AWS_PROFILE").unwrap_or_else(|| "default".into());
    let creds_file =
        env("AWS_SHARED_CREDENTIALS_FILE").unwrap_or_else(|| format!("{home}/.aws/credentials"));
    let config_file = env("AWS_CONFIG_FILE").unwrap_or_else(|| format!("{home}/.aws/config"));
    let config_section = if profile == "default" {
        "default".to_string()
    } else {
        format!("profile {profile}")
    };
    let mut entries: Vec<(String, String)> = Vec::new();
    for (file, section) in [(creds_file, profile.clone()), (config_file, config_section)] {
        for (s, k, v) in read_ini(Path::new(&file)) {
            if s == section {
                entries.push((k, v));
            }
        }
    }
    let get = |k: &str| {
        entries
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let creds = match (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
        (Some(k), Some(s)) => Some((k, s, env("AWS_SESSION_TOKEN"))),
        _ => match (get("aws_access_key_id"), get("aws_secret_access_key")) {
            (Some(k), Some(s)) => Some((k, s, get("aws_session_token"))),
            _ => None,
        },
    };
    let creds = creds.map(|(k, s, t)| match t {
        Some(t) => Credentials::new_with_token(k, s, t),
        None => Credentials::new(k, s),
    });
    (creds, get("region"))
}
