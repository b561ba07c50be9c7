//! A pull without the porcelain: resolve a reference to one platform's
//! manifest, download the config and layers (bounded concurrency, each blob
//! verified into a temporary file), and apply the layers in order to a tree.
#![warn(missing_docs)]

use crate::progress::{Progress, Unit};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};

use super::blob::sha256_digest;
use super::error::OciError;
use super::layer::{decompress, ImageTree, LayerStats};
use super::manifest::{self, layer_compression, Manifest, Parsed, Platform};
use super::reference::Reference;
use super::registry::Registry;
use crate::error::{Error, IoContext, Result};
use crate::oid::ObjectId;
use crate::store::ObjectStore;

/// A reference resolved to one manifest.
pub struct Resolved {
    /// Digest of the platform's manifest.
    pub digest: String,
    /// The manifest.
    pub manifest: Manifest,
    /// The index entry's platform, or the one asked for when the reference
    /// named a manifest (the config's own os and architecture are then
    /// what `Fetched::platform` reports).
    pub platform: Platform,
    /// Whether the manifest was picked from an index.
    pub from_index: bool,
    /// Bytes of manifests fetched (index and manifest).
    pub fetched: u64,
}

/// The `i`-th layer's (from 0) download or application failed with `e`.
fn layer_error(i: usize, digest: &str, e: Error) -> Error {
    OciError::Layer {
        index: i + 1,
        digest: digest.to_string(),
        err: Box::new(e),
    }
    .into()
}

/// Fetch the manifest for `r`; an index is narrowed to `want`'s entry.
pub fn resolve(reg: &Registry, r: &Reference, want: &Platform) -> Result<Resolved> {
    let top = reg.manifest(r.object(), r.digest.as_deref())?;
    let mut fetched = top.body.len() as u64;
    match manifest::parse(top.content_type.as_deref(), &top.body)? {
        Parsed::Manifest(m) => Ok(Resolved {
            digest: top.digest,
            manifest: m,
            platform: want.clone(),
            from_index: false,
            fetched,
        }),
        Parsed::Index(i) => {
            let pick = i
                .manifests
                .iter()
                .find(|d| d.platform.as_ref().is_some_and(|p| want.matches(p)))
                .ok_or_else(|| {
                    let have: Vec<String> = i
                        .manifests
                        .iter()
                        .filter_map(|d| d.platform.as_ref().map(|p| p.to_string()))
                        .collect();
                    OciError::NoPlatform {
                        want: want.to_string(),
                        have,
                    }
                })?;
            let m = reg.manifest(&pick.digest, Some(&pick.digest))?;
            fetched += m.body.len() as u64;
            match manifest::parse(m.content_type.as_deref(), &m.body)? {
                Parsed::Manifest(man) => Ok(Resolved {
                    digest: m.digest,
                    manifest: man,
                    platform: pick.platform.clone().unwrap_or_else(|| want.clone()),
                    from_index: true,
                    fetched,
                }),
                Parsed::Index(_) => Err(OciError::IndexInIndex.into()),
            }
        }
    }
}

/// The result of `fetch_tree`.
pub struct Fetched {
    /// The root tree of the unpacked layers.
    pub tree: ObjectId,
    /// The config JSON, verified against its digest.
    pub config: Vec<u8>,
    /// The platform the config names.
    pub config_platform: Platform,
    /// Blob bytes downloaded (config and layers).
    pub downloaded: u64,
    /// The statistics of each layer, in order.
    pub layers: Vec<LayerStats>,
}

/// Removes a directory when dropped.
struct TempDir(PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Download the config and layers of `m` (at most `jobs` at once, into
/// files under `tmp`, removed afterwards) and apply the layers in order,
/// each as soon as it and those before it are complete.
pub fn fetch_tree(
    reg: &Registry,
    m: &Manifest,
    store: &dyn ObjectStore,
    tmp: &Path,
    jobs: usize,
    progress: &dyn Progress,
) -> Result<Fetched> {
    if m.config.size > super::registry::MAX_MANIFEST {
        return Err(OciError::ConfigTooLarge.into());
    }
    let compressions = m
        .layers
        .iter()
        .map(|l| layer_compression(&l.media_type))
        .collect::<Result<Vec<_>>>()?;
    let mut config = Vec::new();
    std::io::Read::read_to_end(&mut reg.blob(&m.config.digest, m.config.size)?, &mut config)
        .map_err(|err| OciError::ConfigUnreadable {
            digest: m.config.digest.clone(),
            err,
        })?;
    if sha256_digest(&config) != m.config.digest {
        return Err(OciError::ConfigDigestMismatch(m.config.digest.clone()).into());
    }
    let parsed = super::manifest::parse_config(&config)?;
    let config_platform = Platform {
        os: parsed.os,
        architecture: parsed.architecture,
        variant: parsed.variant,
    };

    std::fs::create_dir_all(tmp).at(tmp)?;
    let guard = TempDir(tmp.to_path_buf());
    let n = m.layers.len();
    let done: Mutex<Vec<Option<Result<()>>>> = Mutex::new((0..n).map(|_| None).collect());
    let cv = Condvar::new();
    let next = AtomicU64::new(0);
    let abort = AtomicBool::new(false);
    let downloaded = AtomicU64::new(config.len() as u64);
    let path_of = |i: usize| guard.0.join(format!("layer-{i}"));
    // Each layer's own progress: downloading, then applying.
    let parts: Mutex<Vec<Option<Box<dyn Progress + '_>>>> =
        Mutex::new((0..n).map(|_| None).collect());
    let in_part = |i: usize, f: &dyn Fn(&dyn Progress)| {
        if let Some(p) = &parts.lock().unwrap()[i] {
            f(p.as_ref());
        }
    };

    let result = std::thread::scope(|s| -> Result<(ObjectId, Vec<LayerStats>)> {
        for _ in 0..jobs.clamp(1, 8).min(n.max(1)) {
            s.spawn(|| loop {
                if abort.load(Ordering::Relaxed) {
                    return;
                }
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                if i >= n {
                    return;
                }
                let d = &m.layers[i];
                let part = progress.part(&super::reference::short_digest(&d.digest));
                part.begin("downloading", Some(d.size), Unit::Bytes);
                parts.lock().unwrap()[i] = Some(part);
                let r = reg.download(&d.digest, d.size, &path_of(i), &|k| {
                    downloaded.fetch_add(k, Ordering::Relaxed);
                    in_part(i, &|p| p.advance(k));
                    !abort.load(Ordering::Relaxed)
                });
                done.lock().unwrap()[i] = Some(r.map_err(|e| layer_error(i, &d.digest, e)));
                cv.notify_all();
            });
        }
        let run = || -> Result<(ObjectId, Vec<LayerStats>)> {
            let mut tree = ImageTree::new();
            let mut stats = Vec::new();
            for (i, c) in compressions.iter().enumerate() {
                let mut g = done.lock().unwrap();
                while g[i].is_none() {
                    g = cv.wait(g).unwrap();
                }
                g[i].take().unwrap()?;
                drop(g);
                in_part(i, &|p| p.begin("applying", None, Unit::Items));
                let p = path_of(i);
                let f = std::fs::File::open(&p).at(&p)?;
                let r = decompress(*c, std::io::BufReader::with_capacity(1 << 20, f))?;
                let st = tree
                    .apply_layer(store, (i + 1) as u32, r)
                    .map_err(|e| layer_error(i, &m.layers[i].digest, e))?;
                let _ = std::fs::remove_file(&p);
                in_part(i, &|p| p.end());
                progress.advance(1);
                stats.push(st);
            }
            Ok((tree.write(store)?, stats))
        };
        let r = run();
        if r.is_err() {
            abort.store(true, Ordering::Relaxed);
        }
        r
    });
    let (tree, layers) = result?;
    Ok(Fetched {
        tree,
        config,
        config_platform,
        downloaded: downloaded.load(Ordering::Relaxed),
        layers,
    })
}
