//! A commit as an OCI image (format-spec/oci.md, "Producing images"): the
//! base image's layers reused by digest, new layers from tree diffs, the
//! config and the manifest, byte for byte as the spec defines.
#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::blob::hex;
use super::error::OciError;
use super::manifest::{self, Platform, OCI_MANIFEST};
use super::record::{last_pull, PullRecord};
use super::tarlayer::{write_layer, LayerCounts};
use crate::error::{Error, IoContext, Result};
use crate::object::{CommitRef, ObjectType};
use crate::oid::ObjectId;
use crate::store::ObjectStore;

/// The media type of the image config hako writes.
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// The media type of a gzip layer.
const LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// The media type of a zstd layer.
const LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";

/// `--layers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayersMode {
    /// One layer for everything since the image.
    Squash,
    /// One layer per commit since the image.
    Commits,
}

/// `--compression`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerCompression {
    /// gzip (the default).
    Gzip,
    /// zstd.
    Zstd,
}

impl LayerCompression {
    /// The media type of a layer compressed so.
    pub fn media_type(self) -> &'static str {
        match self {
            LayerCompression::Gzip => LAYER_GZIP,
            LayerCompression::Zstd => LAYER_ZSTD,
        }
    }
}

/// What the image is built with besides the commit.
#[derive(Clone, Debug)]
pub struct ImageOptions {
    /// One layer, or one per commit.
    pub layers: LayersMode,
    /// How the layers made here are compressed.
    pub compression: LayerCompression,
    /// The platform (None: the base image's, or this host's without one); must match the base's.
    pub platform: Option<Platform>,
    /// `Cmd` of the config.
    pub cmd: Option<Vec<String>>,
    /// `Entrypoint` of the config.
    pub entrypoint: Option<Vec<String>>,
    /// Variables set in `Env`, replacing the base's of the same name.
    pub env: Vec<(String, String)>,
    /// `WorkingDir` of the config.
    pub workdir: Option<String>,
    /// `User` of the config.
    pub user: Option<String>,
    /// `Labels` added to the config.
    pub labels: Vec<(String, String)>,
    /// Annotations of the manifest.
    pub annotations: BTreeMap<String, String>,
}

impl Default for ImageOptions {
    fn default() -> Self {
        ImageOptions {
            layers: LayersMode::Squash,
            compression: LayerCompression::Gzip,
            platform: None,
            cmd: None,
            entrypoint: None,
            env: Vec::new(),
            workdir: None,
            user: None,
            labels: Vec::new(),
            annotations: BTreeMap::new(),
        }
    }
}

/// A manifest descriptor, keys in the spec's order.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Descriptor {
    /// The blob's media type.
    #[serde(rename = "mediaType")]
    pub media_type: String,
    /// The blob's digest (`sha256:…`).
    pub digest: String,
    /// The blob's size in bytes.
    pub size: u64,
    /// The descriptor's annotations, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<serde_json::Value>,
}

/// Where a layer's bytes are.
#[derive(Clone, Debug)]
pub enum LayerSource {
    /// A layer of the base image, on the base's registry.
    Base,
    /// A layer made here, in this file.
    Made {
        /// The file.
        path: PathBuf,
        /// What the layer holds, counted.
        counts: LayerCounts,
    },
}

/// One layer of an image being made: its descriptor and where its bytes are.
#[derive(Clone, Debug)]
pub struct Layer {
    /// Its descriptor in the manifest.
    pub desc: Descriptor,
    /// Where its bytes are.
    pub source: LayerSource,
}

/// The base image a commit was pulled from.
#[derive(Clone, Debug)]
pub struct Base {
    /// The pull record of the base image.
    pub record: PullRecord,
    /// The commit holding the pull record.
    pub commit: ObjectId,
    /// That commit's tree: the image's root filesystem.
    pub tree: ObjectId,
}

/// An image built from a commit: layers, config and manifest.
pub struct Image {
    /// The base image, if the commit was pulled from one.
    pub base: Option<Base>,
    /// The layers, bottom first.
    pub layers: Vec<Layer>,
    /// The image config's bytes.
    pub config: Vec<u8>,
    /// Their digest.
    pub config_digest: String,
    /// The manifest's bytes.
    pub manifest: Vec<u8>,
    /// Their digest.
    pub manifest_digest: String,
}

impl Image {
    /// The config's descriptor.
    pub(crate) fn config_desc(&self) -> Descriptor {
        Descriptor {
            media_type: OCI_CONFIG.into(),
            digest: self.config_digest.clone(),
            size: self.config.len() as u64,
            annotations: None,
        }
    }
}

/// The digest of `data` as a registry writes it: `sha256:` and lowercase hex.
pub fn sha256(data: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(data)))
}

/// The base of `commit`: the nearest pull record on its first-parent line.
pub(crate) fn base_of(store: &dyn ObjectStore, commit: &ObjectId) -> Result<Option<Base>> {
    Ok(last_pull(store, commit)?.map(|(c, r, tree, _)| Base {
        record: r,
        commit: c,
        tree,
    }))
}

/// The commits after `base` (exclusive; None: from the root) up to `tip`
/// on `tip`'s first-parent line, oldest first, each with its parent's tree.
fn commits_since(
    store: &dyn ObjectStore,
    tip: &ObjectId,
    base: Option<&ObjectId>,
) -> Result<Vec<(ObjectId, CommitInfo)>> {
    let mut out = Vec::new();
    let mut next = Some(*tip);
    while let Some(id) = next {
        if Some(&id) == base {
            break;
        }
        let info = commit_info(store, &id)?;
        next = info.first_parent;
        out.push((id, info));
    }
    out.reverse();
    Ok(out)
}

#[derive(Clone, Debug)]
struct CommitInfo {
    tree: ObjectId,
    first_parent: Option<ObjectId>,
    time: i64,
    subject: String,
}

fn commit_info(store: &dyn ObjectStore, id: &ObjectId) -> Result<CommitInfo> {
    let o = store.read_typed(id, ObjectType::Commit)?;
    let c = CommitRef::parse(&o.data)?;
    let first_parent = crate::revparse::visible_parents(store, id, &c)?
        .first()
        .copied();
    let subject = String::from_utf8_lossy(c.message)
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    Ok(CommitInfo {
        tree: c.tree,
        first_parent,
        time: committer_time(c.committer),
        subject,
    })
}

/// The seconds of a `NAME <EMAIL> SECONDS TZ` identity line (0 if unreadable).
fn committer_time(line: &str) -> i64 {
    let mut it = line.rsplit(' ');
    it.next();
    it.next().and_then(|t| t.parse().ok()).unwrap_or(0)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of `secs` since the epoch (UTC).
fn rfc3339(secs: i64) -> String {
    let (y, m, d) = crate::identity::civil_from_days(secs.div_euclid(86400));
    let rem = secs.rem_euclid(86400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Hashes what passes and counts it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    n: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(b)?;
        self.hash.update(&b[..n]);
        self.n += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Write the layer of the diff `old` → `new` into `dest`, compressed; its
/// descriptor and diffID.
fn make_layer(
    store: &dyn ObjectStore,
    old: Option<&ObjectId>,
    new: &ObjectId,
    mtime: u64,
    compression: LayerCompression,
    dest: &Path,
) -> Result<(Descriptor, String, LayerCounts)> {
    let f = File::create(dest).at(dest)?;
    let blob = Hashing {
        inner: BufWriter::with_capacity(1 << 20, f),
        hash: Sha256::new(),
        n: 0,
    };
    let out = Error::Output;
    let (counts, diff_id, mut blob) = match compression {
        LayerCompression::Gzip => {
            let gz = flate2::GzBuilder::new()
                .mtime(0)
                .operating_system(255)
                .write(blob, flate2::Compression::new(6));
            let mut tar = Hashing {
                inner: gz,
                hash: Sha256::new(),
                n: 0,
            };
            let counts = write_layer(store, old, new, mtime, &mut tar)?;
            let diff_id = format!("sha256:{}", hex(&tar.hash.finalize()));
            (counts, diff_id, tar.inner.finish().map_err(out)?)
        }
        LayerCompression::Zstd => {
            let mut z = zstd::stream::write::Encoder::new(blob, 3).map_err(out)?;
            z.include_checksum(false).map_err(out)?;
            z.include_contentsize(false).map_err(out)?;
            let mut tar = Hashing {
                inner: z,
                hash: Sha256::new(),
                n: 0,
            };
            let counts = write_layer(store, old, new, mtime, &mut tar)?;
            let diff_id = format!("sha256:{}", hex(&tar.hash.finalize()));
            (counts, diff_id, tar.inner.finish().map_err(out)?)
        }
    };
    blob.flush().map_err(out)?;
    let desc = Descriptor {
        media_type: compression.media_type().into(),
        digest: format!("sha256:{}", hex(&blob.hash.finalize())),
        size: blob.n,
        annotations: None,
    };
    Ok((desc, diff_id, counts))
}

/// The base image's manifest layers, as descriptors in OCI media types.
fn base_layers(body: &[u8]) -> Result<Vec<Descriptor>> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(OciError::BaseManifestMalformed)?;
    let layers = v
        .get("layers")
        .and_then(|l| l.as_array())
        .ok_or(OciError::BaseManifestNoLayers)?;
    let mut out = Vec::new();
    for l in layers {
        let media = l.get("mediaType").and_then(|m| m.as_str()).unwrap_or("");
        let oci = match manifest::layer_compression(media)? {
            manifest::Compression::Gzip => LAYER_GZIP,
            manifest::Compression::Zstd => LAYER_ZSTD,
            manifest::Compression::None => "application/vnd.oci.image.layer.v1.tar",
        };
        let oci = if media.contains("nondistributable") || media.contains("foreign") {
            media
        } else {
            oci
        };
        let digest = l
            .get("digest")
            .and_then(|d| d.as_str())
            .filter(|d| super::reference::is_sha256_digest(d))
            .ok_or(OciError::BaseLayerNoDigest)?;
        let size = l
            .get("size")
            .and_then(|s| s.as_u64())
            .ok_or(OciError::BaseLayerNoSize)?;
        out.push(Descriptor {
            media_type: oci.to_string(),
            digest: digest.to_string(),
            size,
            annotations: l.get("annotations").cloned(),
        });
    }
    Ok(out)
}

/// The image's start: its config, diffIDs and layers so far, the tree its
/// layers are made over.
struct Start {
    config: serde_json::Value,
    diff_ids: Vec<String>,
    layers: Vec<Layer>,
    base_tree: Option<ObjectId>,
}

/// The base's config, diffIDs and layers (`body`: its manifest), or a
/// config of the platform alone when there is no base.
fn start_from(
    store: &dyn ObjectStore,
    base: Option<&Base>,
    base_manifest: Option<&[u8]>,
    opts: &ImageOptions,
) -> Result<Start> {
    let Some(b) = base else {
        let p = opts.platform.clone().unwrap_or_else(Platform::host);
        let mut m = serde_json::Map::new();
        m.insert("architecture".into(), p.architecture.clone().into());
        m.insert("os".into(), p.os.clone().into());
        if let Some(v) = &p.variant {
            m.insert("variant".into(), v.clone().into());
        }
        return Ok(Start {
            config: serde_json::Value::Object(m),
            diff_ids: Vec::new(),
            layers: Vec::new(),
            base_tree: None,
        });
    };
    let body = base_manifest.ok_or(OciError::BaseManifestNeeded)?;
    let raw = store.read_typed(&b.record.config, ObjectType::Blob)?.data;
    let config: serde_json::Value =
        serde_json::from_slice(&raw).map_err(OciError::BaseConfigMalformed)?;
    let ids: Vec<String> = config
        .pointer("/rootfs/diff_ids")
        .and_then(|d| d.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let descs = base_layers(body)?;
    if ids.len() != descs.len() {
        return Err(OciError::DiffIdCount {
            image: b.record.image.clone(),
            diff_ids: ids.len(),
            layers: descs.len(),
        }
        .into());
    }
    let layers = descs
        .into_iter()
        .map(|desc| Layer {
            desc,
            source: LayerSource::Base,
        })
        .collect();
    let have = Platform::parse(&b.record.platform)?;
    if let Some(p) = &opts.platform {
        if *p != have {
            return Err(OciError::PlatformMismatch {
                asked: p.to_string(),
                image: b.record.image.clone(),
                have: have.to_string(),
            }
            .into());
        }
    }
    Ok(Start {
        config,
        diff_ids: ids,
        layers,
        base_tree: Some(b.tree),
    })
}

/// A layer to make: the tree it goes from (None: from nothing) and to, the
/// commit's time, its history entry.
struct Planned {
    old: Option<ObjectId>,
    new: ObjectId,
    time: i64,
    history: serde_json::Value,
}

/// The layers to make over `base_tree`: one for the whole change
/// (squash), or one per commit since the base.
fn plan_layers(
    commits: &[(ObjectId, CommitInfo)],
    tip: &ObjectId,
    tip_info: &CommitInfo,
    has_base: bool,
    base_tree: Option<ObjectId>,
    mode: LayersMode,
) -> Vec<Planned> {
    let history = |id: &ObjectId, info: &CommitInfo| {
        serde_json::json!({
            "created": rfc3339(info.time),
            "created_by": format!("hako commit {id}"),
            "comment": info.subject,
        })
    };
    let mut plan = Vec::new();
    match mode {
        LayersMode::Squash => {
            if !has_base || !commits.is_empty() {
                plan.push(Planned {
                    old: base_tree,
                    new: tip_info.tree,
                    time: tip_info.time,
                    history: history(tip, tip_info),
                });
            }
        }
        LayersMode::Commits => {
            let mut prev = base_tree;
            for (id, info) in commits {
                plan.push(Planned {
                    old: prev,
                    new: info.tree,
                    time: info.time,
                    history: history(id, info),
                });
                prev = Some(info.tree);
            }
        }
    }
    plan
}

/// The config as the image's: the base's, every field kept, then rootfs,
/// history (the base's and `history`), created, options.
fn finish_config(
    mut config: serde_json::Value,
    diff_ids: &[String],
    history: Vec<serde_json::Value>,
    created: i64,
    opts: &ImageOptions,
) -> Result<Vec<u8>> {
    let obj = config
        .as_object_mut()
        .ok_or(OciError::BaseConfigNotObject)?;
    obj.insert(
        "rootfs".into(),
        serde_json::json!({"type": "layers", "diff_ids": diff_ids}),
    );
    let mut hist: Vec<serde_json::Value> = obj
        .get("history")
        .and_then(|h| h.as_array())
        .cloned()
        .unwrap_or_default();
    hist.extend(history);
    obj.insert("history".into(), hist.into());
    obj.insert("created".into(), rfc3339(created).into());
    apply_run_options(obj, opts);
    Ok(serde_json::to_vec(&config).map_err(OciError::Encode)?)
}

/// The manifest naming `config` (with digest `config_digest`) and `layers`.
fn manifest_of(
    config: &[u8],
    config_digest: &str,
    layers: &[Layer],
    annotations: &BTreeMap<String, String>,
) -> Result<Vec<u8>> {
    #[derive(Serialize)]
    struct ManifestOut<'a> {
        #[serde(rename = "schemaVersion")]
        schema_version: u32,
        #[serde(rename = "mediaType")]
        media_type: &'a str,
        config: Descriptor,
        layers: Vec<&'a Descriptor>,
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        annotations: &'a BTreeMap<String, String>,
    }
    let m = ManifestOut {
        schema_version: 2,
        media_type: OCI_MANIFEST,
        config: Descriptor {
            media_type: OCI_CONFIG.into(),
            digest: config_digest.to_string(),
            size: config.len() as u64,
            annotations: None,
        },
        layers: layers.iter().map(|l| &l.desc).collect(),
        annotations,
    };
    Ok(serde_json::to_vec(&m).map_err(OciError::Encode)?)
}

/// Build the image of `tip`: base layers from `base_manifest` (the body of
/// the base's manifest, already verified against its digest; required when
/// the commit has a base), new layers written into `tmp`.
pub fn build(
    store: &dyn ObjectStore,
    tip: &ObjectId,
    base: Option<Base>,
    base_manifest: Option<&[u8]>,
    opts: &ImageOptions,
    tmp: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<Image> {
    let Start {
        config,
        mut diff_ids,
        mut layers,
        base_tree,
    } = start_from(store, base.as_ref(), base_manifest, opts)?;
    let commits = commits_since(store, tip, base.as_ref().map(|b| &b.commit))?;
    let tip_info = commit_info(store, tip)?;
    let plan = plan_layers(
        &commits,
        tip,
        &tip_info,
        base.is_some(),
        base_tree,
        opts.layers,
    );
    let mut hist_new = Vec::new();
    for (i, mut p) in plan.into_iter().enumerate() {
        if p.old == Some(p.new) {
            p.history["empty_layer"] = true.into();
            hist_new.push(p.history);
            continue;
        }
        progress(&format!("making layer {}", i + 1));
        let path = tmp.join(format!("layer-{i}"));
        let mtime = p.time.max(0) as u64;
        let (desc, diff_id, counts) = make_layer(
            store,
            p.old.as_ref(),
            &p.new,
            mtime,
            opts.compression,
            &path,
        )?;
        diff_ids.push(diff_id);
        layers.push(Layer {
            desc,
            source: LayerSource::Made { path, counts },
        });
        hist_new.push(p.history);
    }
    let config = finish_config(config, &diff_ids, hist_new, tip_info.time, opts)?;
    let config_digest = sha256(&config);
    let manifest = manifest_of(&config, &config_digest, &layers, &opts.annotations)?;
    let manifest_digest = sha256(&manifest);
    Ok(Image {
        base,
        layers,
        config,
        config_digest,
        manifest,
        manifest_digest,
    })
}

/// The run settings of `--cmd`, `--entrypoint`, `--env`, `--workdir`,
/// `--user` and `--label` written into the config's `config` object.
fn apply_run_options(obj: &mut serde_json::Map<String, serde_json::Value>, o: &ImageOptions) {
    let touched = o.cmd.is_some()
        || o.entrypoint.is_some()
        || !o.env.is_empty()
        || o.workdir.is_some()
        || o.user.is_some()
        || !o.labels.is_empty();
    if !touched {
        return;
    }
    let cfg = obj
        .entry("config")
        .or_insert_with(|| serde_json::Value::Object(Default::default()));
    if !cfg.is_object() {
        *cfg = serde_json::Value::Object(Default::default());
    }
    let cfg = cfg.as_object_mut().expect("an object");
    if let Some(c) = &o.cmd {
        cfg.insert("Cmd".into(), c.clone().into());
    }
    if let Some(e) = &o.entrypoint {
        cfg.insert("Entrypoint".into(), e.clone().into());
    }
    if !o.env.is_empty() {
        let mut env: Vec<String> = cfg
            .get("Env")
            .and_then(|e| e.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        for (k, v) in &o.env {
            let line = format!("{k}={v}");
            match env
                .iter_mut()
                .find(|e| e.split('=').next() == Some(k.as_str()))
            {
                Some(e) => *e = line,
                None => env.push(line),
            }
        }
        cfg.insert("Env".into(), env.into());
    }
    if let Some(w) = &o.workdir {
        cfg.insert("WorkingDir".into(), w.clone().into());
    }
    if let Some(u) = &o.user {
        cfg.insert("User".into(), u.clone().into());
    }
    if !o.labels.is_empty() {
        let labels = cfg
            .entry("Labels")
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
        if !labels.is_object() {
            *labels = serde_json::Value::Object(Default::default());
        }
        let labels = labels.as_object_mut().expect("an object");
        for (k, v) in &o.labels {
            labels.insert(k.clone(), v.clone().into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951782400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1796515200 + 3723), "2026-12-06T01:02:03Z");
    }
}
