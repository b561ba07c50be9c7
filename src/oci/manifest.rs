//! Manifests, image indexes and image configs: the JSON of the OCI image spec
//! and Docker's v2 schema 2, the fields hako reads.
#![warn(missing_docs)]

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::OciError;
use crate::error::Result;

/// The media type of an OCI image index.
pub(crate) const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// The media type of an OCI image manifest.
pub(crate) const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// The media type of a Docker manifest list (an index).
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// The media type of a Docker v2 schema 2 manifest.
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// What the client accepts when asking for a manifest.
pub(crate) const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// An operating system and CPU architecture an image is built for.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Platform {
    /// The operating system (`linux`).
    #[serde(default)]
    pub os: String,
    /// The CPU architecture in OCI's names (`amd64`, `arm64`, …).
    #[serde(default)]
    pub architecture: String,
    /// The CPU variant (`v7`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    /// `os/arch[/variant]`.
    pub fn parse(s: &str) -> Result<Platform> {
        let parts: Vec<&str> = s.split('/').collect();
        if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty()) {
            return Err(OciError::BadPlatform(s.to_string()).into());
        }
        Ok(Platform {
            os: parts[0].to_string(),
            architecture: parts[1].to_string(),
            variant: parts.get(2).map(|v| v.to_string()),
        })
    }

    /// The platform this binary runs on, in OCI's names.
    pub fn host() -> Platform {
        let (arch, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", None),
            "aarch64" => ("arm64", None),
            "x86" => ("386", None),
            "arm" => ("arm", Some("v7")),
            "powerpc64" => ("ppc64le", None),
            "loongarch64" => ("loong64", None),
            a => (a, None),
        };
        Platform {
            os: "linux".into(),
            architecture: arch.into(),
            variant: variant.map(str::to_string),
        }
    }

    /// Whether an index entry's platform satisfies this wanted one: same os
    /// and architecture, and the variant if one is wanted (arm64's is v8 when
    /// unnamed).
    pub fn matches(&self, have: &Platform) -> bool {
        if self.os != have.os || self.architecture != have.architecture {
            return false;
        }
        match &self.variant {
            None => true,
            Some(v) => {
                let theirs = have
                    .variant
                    .clone()
                    .or_else(|| (have.architecture == "arm64").then(|| "v8".to_string()));
                theirs.as_deref() == Some(v.as_str())
            }
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// A reference to a blob: its media type, digest and size.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Descriptor {
    /// The blob's media type.
    #[serde(rename = "mediaType", default)]
    pub media_type: String,
    /// The blob's digest (`sha256:…`).
    pub digest: String,
    /// The blob's size in bytes.
    pub size: u64,
    /// The platform of a manifest an index lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
}

/// An image index (or Docker manifest list): one manifest per platform.
#[derive(Clone, Debug, Deserialize)]
pub struct Index {
    /// The schema version (2).
    #[serde(rename = "schemaVersion")]
    pub schema_version: u32,
    /// The manifests it lists.
    pub manifests: Vec<Descriptor>,
}

/// An image manifest: a config and the layers, bottom first.
#[derive(Clone, Debug, Deserialize)]
pub struct Manifest {
    /// The schema version (2).
    #[serde(rename = "schemaVersion")]
    pub schema_version: u32,
    /// The image config.
    pub config: Descriptor,
    /// The layers, bottom first.
    pub layers: Vec<Descriptor>,
}

/// The manifest kinds hako reads.
pub enum Parsed {
    /// An index of manifests by platform.
    Index(Index),
    /// A manifest of one image.
    Manifest(Manifest),
}

/// Parse a manifest body by its media type (from the response's
/// Content-Type, else the body's own `mediaType`).
pub fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Parsed> {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(rename = "mediaType", default)]
        media_type: Option<String>,
        #[serde(rename = "schemaVersion", default)]
        schema_version: Option<u32>,
        #[serde(default)]
        manifests: Option<serde_json::Value>,
    }
    let probe: Probe = serde_json::from_slice(body).map_err(OciError::MalformedManifest)?;
    let ct = content_type
        .map(|c| c.split(';').next().unwrap_or("").trim().to_string())
        .filter(|c| !c.is_empty() && c != "application/json" && c != "text/plain");
    let kind = match ct.or(probe.media_type) {
        Some(k) => k,
        // An OCI manifest may omit mediaType: tell an index by its list.
        None if probe.manifests.is_some() => OCI_INDEX.to_string(),
        None => OCI_MANIFEST.to_string(),
    };
    if probe.schema_version != Some(2) {
        return Err(OciError::SchemaVersion {
            version: probe.schema_version,
            media_type: kind.clone(),
        }
        .into());
    }
    let malformed = OciError::MalformedManifest;
    match kind.as_str() {
        OCI_INDEX | DOCKER_LIST => Ok(Parsed::Index(
            serde_json::from_slice(body).map_err(malformed)?,
        )),
        OCI_MANIFEST | DOCKER_MANIFEST => {
            let m: Manifest = serde_json::from_slice(body).map_err(malformed)?;
            for d in std::iter::once(&m.config).chain(&m.layers) {
                if !super::reference::is_sha256_digest(&d.digest) {
                    return Err(OciError::UnsupportedDigest(d.digest.clone()).into());
                }
            }
            Ok(Parsed::Manifest(m))
        }
        other => Err(OciError::ManifestMediaType(other.to_string()).into()),
    }
}

/// How a layer blob is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// An uncompressed tar.
    None,
    /// gzip.
    Gzip,
    /// zstd.
    Zstd,
}

/// The compression of a layer media type; unknown types are refused.
pub(crate) fn layer_compression(media_type: &str) -> Result<Compression> {
    let t = media_type;
    let c = match t {
        "application/vnd.oci.image.layer.v1.tar"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar" => Compression::None,
        "application/vnd.oci.image.layer.v1.tar+gzip"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
        | "application/vnd.docker.image.rootfs.diff.tar.gzip"
        | "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" => Compression::Gzip,
        "application/vnd.oci.image.layer.v1.tar+zstd"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
        | "application/vnd.docker.image.rootfs.diff.tar.zstd" => Compression::Zstd,
        _ => return Err(OciError::LayerMediaType(t.to_string()).into()),
    };
    Ok(c)
}

/// The parts of an image config that `run` uses (the whole JSON is kept).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ImageConfig {
    /// The CPU architecture in OCI's names.
    #[serde(default)]
    pub architecture: String,
    /// The operating system.
    #[serde(default)]
    pub os: String,
    /// The CPU variant, if any.
    #[serde(default)]
    pub variant: Option<String>,
    /// What a container of the image runs, and how.
    #[serde(default)]
    pub config: Option<RunConfig>,
}

/// The `config` object of an image config: how a container of the image runs.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunConfig {
    /// `Env`: `K=V` variables.
    #[serde(default)]
    pub env: Option<Vec<String>>,
    /// `Cmd`: the default command, or the default arguments of the entrypoint.
    #[serde(default)]
    pub cmd: Option<Vec<String>>,
    /// `Entrypoint`: the program run before `Cmd`.
    #[serde(default)]
    pub entrypoint: Option<Vec<String>>,
    /// `WorkingDir`: the working directory.
    #[serde(default)]
    pub working_dir: Option<String>,
    /// `User`: the user (and group) to run as.
    #[serde(default)]
    pub user: Option<String>,
    /// `ExposedPorts`, as given.
    #[serde(default)]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    /// `Labels`.
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
}

/// Parse an image config.
pub(crate) fn parse_config(body: &[u8]) -> Result<ImageConfig> {
    Ok(serde_json::from_slice(body).map_err(OciError::MalformedConfig)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms() {
        let p = Platform::parse("linux/arm64/v8").unwrap();
        assert_eq!(p.to_string(), "linux/arm64/v8");
        assert!(p.matches(&Platform::parse("linux/arm64").unwrap()));
        assert!(!p.matches(&Platform::parse("linux/amd64").unwrap()));
        assert!(Platform::parse("linux/amd64")
            .unwrap()
            .matches(&Platform::parse("linux/amd64").unwrap()));
        assert!(!Platform::parse("linux/arm/v7")
            .unwrap()
            .matches(&Platform::parse("linux/arm/v6").unwrap()));
        assert!(Platform::parse("linux").is_err());
        assert!(Platform::parse("linux//x").is_err());
    }

    #[test]
    fn manifests_by_media_type() {
        let d = format!("sha256:{}", "0".repeat(64));
        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST}","config":{{"mediaType":"x","digest":"{d}","size":1}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"{d}","size":2}}]}}"#
        );
        assert!(matches!(
            parse(None, m.as_bytes()).unwrap(),
            Parsed::Manifest(_)
        ));
        let i = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{d}","size":3,"platform":{{"os":"linux","architecture":"amd64"}}}}]}}"#
        );
        let Parsed::Index(i) = parse(Some(OCI_INDEX), i.as_bytes()).unwrap() else {
            panic!()
        };
        assert_eq!(
            i.manifests[0].platform.as_ref().unwrap().architecture,
            "amd64"
        );
        assert!(parse(None, b"{").is_err());
        assert!(parse(None, br#"{"schemaVersion":1,"fsLayers":[]}"#).is_err());
        assert!(parse(Some("application/x-foo"), br#"{"schemaVersion":2}"#).is_err());
        let bad = m.replace(&d, "sha256:xyz");
        assert!(parse(None, bad.as_bytes()).is_err());
        assert_eq!(
            layer_compression("application/vnd.oci.image.layer.v1.tar+zstd").unwrap(),
            Compression::Zstd
        );
        assert!(layer_compression("application/x-tar").is_err());
        let c = parse_config(br#"{"architecture":"amd64","os":"linux","config":{"Env":["A=1"],"Cmd":["sh"],"WorkingDir":"/w","Labels":{"a":"b"}}}"#).unwrap();
        assert_eq!(c.config.unwrap().cmd.unwrap(), vec!["sh"]);
    }
}
