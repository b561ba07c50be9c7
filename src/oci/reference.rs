//! Image references as docker writes them: `alpine` is
//! `docker.io/library/alpine:latest`; `host:port/repo:tag`; `repo@sha256:…`.
#![warn(missing_docs)]

use super::error::OciError;
use crate::error::{Error, Result};

pub(crate) const DOCKER_HUB: &str = "docker.io";

/// An image reference, parsed and with docker's defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Registry host (and port), `docker.io` for Docker Hub.
    pub domain: String,
    /// Repository path, e.g. `library/alpine`.
    pub repository: String,
    /// Tag, `latest` when neither a tag nor a digest is given.
    pub tag: Option<String>,
    /// `sha256:<64 hex>`, when the reference pins a manifest.
    pub digest: Option<String>,
}

fn bad(s: &str, why: &'static str) -> Error {
    OciError::BadReference {
        reference: s.to_string(),
        why,
    }
    .into()
}

/// Whether `d` is `sha256:` and 64 lowercase hex digits.
pub(crate) fn is_sha256_digest(d: &str) -> bool {
    d.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

impl Reference {
    /// Parse a reference as docker reads it.
    pub fn parse(s: &str) -> Result<Reference> {
        if s.is_empty() || s.len() > 4096 || s.chars().any(|c| c.is_whitespace()) {
            return Err(bad(s, "empty or contains whitespace"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => {
                if !is_sha256_digest(d) {
                    return Err(bad(s, "digest must be sha256: and 64 lowercase hex digits"));
                }
                (r, Some(d.to_string()))
            }
            None => (s, None),
        };
        // A tag is after the last ':' that follows the last '/'.
        let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(t) = tag {
            let ok = !t.is_empty()
                && t.len() <= 128
                && !t.starts_with(['.', '-'])
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-');
            if !ok {
                return Err(bad(s, "invalid tag"));
            }
        }
        let (domain, repo) = match name.split_once('/') {
            Some((d, r))
                if d.contains(['.', ':'])
                    || d == "localhost"
                    || d.bytes().any(|b| b.is_ascii_uppercase()) =>
            {
                (d.to_string(), r.to_string())
            }
            _ => (DOCKER_HUB.to_string(), name.to_string()),
        };
        let domain = if domain == "index.docker.io" {
            DOCKER_HUB.to_string()
        } else {
            domain
        };
        let repo = if domain == DOCKER_HUB && !repo.contains('/') {
            format!("library/{repo}")
        } else {
            repo
        };
        if repo.is_empty() {
            return Err(bad(s, "no repository"));
        }
        for comp in repo.split('/') {
            let ok = !comp.is_empty()
                && comp
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
                && comp.as_bytes()[0].is_ascii_alphanumeric()
                && comp.as_bytes()[comp.len() - 1].is_ascii_alphanumeric();
            if !ok {
                return Err(bad(
                    s,
                    "repository names are lowercase letters, digits and separators",
                ));
            }
        }
        if domain.is_empty()
            || !domain
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        {
            return Err(bad(s, "invalid registry host"));
        }
        let tag = match (tag, &digest) {
            (Some(t), _) => Some(t.to_string()),
            (None, None) => Some("latest".to_string()),
            (None, Some(_)) => None,
        };
        Ok(Reference {
            domain,
            repository: repo,
            tag,
            digest,
        })
    }

    /// What to ask the registry for: the digest if pinned, else the tag.
    pub fn object(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }

    /// The host the API is served from (Docker Hub's differs from its name).
    pub fn api_host(&self) -> &str {
        if self.domain == DOCKER_HUB {
            "registry-1.docker.io"
        } else {
            &self.domain
        }
    }

    /// The host without a port, bracketed IPv6 unwrapped.
    pub fn host_name(&self) -> &str {
        let d = self.domain.as_str();
        if let Some(rest) = d.strip_prefix('[') {
            return rest.split(']').next().unwrap_or(rest);
        }
        d.rsplit_once(':').map(|(h, _)| h).unwrap_or(d)
    }

    /// Whether the registry is on this machine (plain HTTP is allowed there).
    pub fn is_loopback(&self) -> bool {
        let h = self.host_name();
        h == "localhost"
            || h.parse::<std::net::IpAddr>()
                .map(|ip| ip.is_loopback())
                .unwrap_or(false)
    }

    /// The last path component of the repository (a default container name).
    pub fn short_name(&self) -> &str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(&self.repository)
    }
}

impl std::fmt::Display for Reference {
    /// The fully qualified form: `domain/repository[:tag][@digest]`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.domain, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// `sha256:` and the first 12 hex digits of a digest, for display.
pub fn short_digest(d: &str) -> String {
    let hex = d.strip_prefix("sha256:").unwrap_or(d);
    format!("sha256:{}", &hex[..hex.len().min(12)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(s: &str) -> String {
        Reference::parse(s).unwrap().to_string()
    }

    #[test]
    fn docker_normalisation() {
        assert_eq!(full("alpine"), "docker.io/library/alpine:latest");
        assert_eq!(full("alpine:3.20"), "docker.io/library/alpine:3.20");
        assert_eq!(full("user/app"), "docker.io/user/app:latest");
        assert_eq!(
            full("index.docker.io/library/busybox"),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(full("localhost/app"), "localhost/app:latest");
        assert_eq!(full("127.0.0.1:5000/a/b:v1"), "127.0.0.1:5000/a/b:v1");
        assert_eq!(full("quay.io/x/y:1.0-rc"), "quay.io/x/y:1.0-rc");
        let d = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(
            full(&format!("alpine@{d}")),
            format!("docker.io/library/alpine@{d}")
        );
        assert_eq!(
            full(&format!("host:5000/r:t@{d}")),
            format!("host:5000/r:t@{d}")
        );
        let r = Reference::parse(&format!("host:5000/r:t@{d}")).unwrap();
        assert_eq!(r.object(), d);
        assert_eq!(r.host_name(), "host");
        assert!(Reference::parse("127.0.0.1:5000/x").unwrap().is_loopback());
        assert!(Reference::parse("localhost:1/x").unwrap().is_loopback());
        assert!(!Reference::parse("alpine").unwrap().is_loopback());
        assert_eq!(
            Reference::parse("alpine").unwrap().api_host(),
            "registry-1.docker.io"
        );
        assert_eq!(Reference::parse("a/b/c").unwrap().short_name(), "c");
    }

    #[test]
    fn refused() {
        for s in [
            "",
            "Alpine",
            "alpine:",
            "alpine@sha256:12",
            "a b",
            "host:5000/",
            "x//y",
            "alpine:-bad",
            "alpine@md5:00",
        ] {
            assert!(Reference::parse(s).is_err(), "{s}");
        }
    }
}
