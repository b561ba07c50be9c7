//! `image push` and `image save` (format-spec/oci.md, "Upload", "Saving"):
//! build a commit's image, then upload its blobs and manifest to a
//! registry, or write them as an OCI image layout.
#![warn(missing_docs)]

use crate::progress::{Progress, Unit};
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::credentials::credentials_for;
use super::error::OciError;
use super::manifest::{self, OCI_INDEX, OCI_MANIFEST};
use super::produce::{self, base_of, Descriptor, Image, ImageOptions, LayerSource};
use super::reference::Reference;
use super::registry::{Body, Credentials, Registry};
use crate::error::{Error, IoContext, Result};
use crate::oid::ObjectId;
use crate::workspace::Workspace;

/// What happened to one blob of a push.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlobFate {
    /// The registry had it: nothing sent.
    Present,
    /// Mounted from the base image's repository on the same registry.
    Mounted,
    /// Streamed from the base image's registry.
    Copied,
    /// Made here and uploaded.
    Uploaded,
    /// Made here and written into a layout.
    Written,
}

impl BlobFate {
    /// The word the push report uses for this fate.
    pub fn word(self) -> &'static str {
        match self {
            BlobFate::Present => "reused",
            BlobFate::Mounted => "mounted",
            BlobFate::Copied => "copied",
            BlobFate::Uploaded => "uploaded",
            BlobFate::Written => "written",
        }
    }
}

/// What happened to each blob of an image pushed or saved, in order.
pub type BlobFates = Vec<(Descriptor, BlobFate)>;

/// A reader that tells the progress how many bytes went through.
struct Counted<'a, R> {
    inner: R,
    progress: &'a dyn Progress,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}

/// The progress of sending (or downloading) blob `d`: a part of its own.
fn blob_part<'a>(progress: &'a dyn Progress, d: &Descriptor) -> Box<dyn Progress + 'a> {
    let part = progress.part(&super::reference::short_digest(&d.digest));
    part.begin("sending", Some(d.size), Unit::Bytes);
    part
}

/// How registries are spoken to.
#[derive(Clone, Debug, Default)]
pub struct Access {
    /// Plain HTTP to non-loopback registries too.
    pub insecure: bool,
    /// `--creds`, for the target registry (else the auth files).
    pub creds: Option<Credentials>,
}

/// A directory under `.hako/tmp`, removed when dropped.
struct Scratch(PathBuf);
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Remove `.hako/tmp/PREFIX-PID` directories whose process is gone.
pub fn remove_stale(tmp: &Path, prefix: &str) {
    let Ok(rd) = fs::read_dir(tmp) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix))
            .and_then(|n| n.strip_prefix('-'))
        else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// The registry client of an image's base and the base's reference.
type BaseRegistry = Option<(Registry, Reference)>;

/// Build the image of commit `tip` of `ws` into a scratch directory; with
/// it, the client that read its base's manifest (credentials asked once).
fn make(
    ws: &Workspace,
    tip: &ObjectId,
    opts: &ImageOptions,
    access: &Access,
    progress: &dyn Progress,
) -> Result<(Image, Scratch, BaseRegistry)> {
    let tmp_root = ws.dir.join("tmp");
    remove_stale(&tmp_root, "image");
    let scratch = Scratch(tmp_root.join(format!("image-{}", std::process::id())));
    fs::create_dir_all(&scratch.0).at(&scratch.0)?;
    let base = base_of(&ws.odb, tip)?;
    let mut base_registry = None;
    let body = match &base {
        Some(b) => {
            let r = Reference::parse(&b.record.image)?;
            progress.note(&format!(
                "reading the base image's manifest from {}",
                r.api_host()
            ));
            let reg = Registry::new(&r, access.insecure, credentials_for(&r.domain)?);
            let m = reg
                .manifest(&b.record.digest, Some(&b.record.digest))
                .map_err(|e| OciError::Base {
                    image: b.record.image.clone(),
                    err: Box::new(e),
                })?;
            base_registry = Some((reg, r));
            match manifest::parse(m.content_type.as_deref(), &m.body)? {
                manifest::Parsed::Manifest(_) => Some(m.body),
                manifest::Parsed::Index(_) => {
                    return Err(OciError::BaseIsIndex {
                        image: b.record.image.clone(),
                        digest: b.record.digest.clone(),
                    }
                    .into())
                }
            }
        }
        None => None,
    };
    let image = produce::build(
        &ws.odb,
        tip,
        base,
        body.as_deref(),
        opts,
        &scratch.0,
        &mut |s| progress.note(s),
    )?;
    Ok((image, scratch, base_registry))
}

fn file_body<'a>(path: &Path, len: u64, progress: &'a dyn Progress) -> Body<'a> {
    let p = path.to_path_buf();
    Body {
        open: Box::new(move || {
            Ok(Box::new(Counted {
                inner: File::open(&p)?,
                progress,
            }) as Box<dyn Read + Send + 'a>)
        }),
        len,
        content_type: "application/octet-stream".into(),
    }
}

/// Push the image of commit `tip` to `target` (`DOMAIN/PATH[:TAG]`);
/// returns the manifest's digest, the reference and what happened to each
/// blob. The tag moves only after every blob is in.
pub fn push(
    ws: &Workspace,
    tip: &ObjectId,
    target: &str,
    opts: &ImageOptions,
    access: &Access,
    progress: &dyn Progress,
) -> Result<(String, Reference, BlobFates)> {
    let r = Reference::parse(target)?;
    if r.digest.is_some() {
        return Err(OciError::PushNamesDigest(target.to_string()).into());
    }
    let creds = match &access.creds {
        Some(c) => Some(c.clone()),
        None => credentials_for(&r.domain)?,
    };
    let (image, _scratch, base) = make(ws, tip, opts, access, progress)?;
    let reg = Registry::new(&r, access.insecure, creds).for_push();
    let fail = |what: &str, e: Error| OciError::Push {
        host: r.api_host().to_string(),
        what: what.to_string(),
        err: Box::new(e),
    };
    let mut fates = BlobFates::new();
    for layer in &image.layers {
        let d = &layer.desc;
        let fate = (|| -> Result<BlobFate> {
            if reg.has_blob(&d.digest)? {
                return Ok(BlobFate::Present);
            }
            match &layer.source {
                LayerSource::Base => {
                    let (breg, bref) = base.as_ref().expect("a base layer has a base");
                    let loc = if bref.api_host() == r.api_host() {
                        match reg.mount_blob(&d.digest, &bref.repository)? {
                            None => return Ok(BlobFate::Mounted),
                            Some(loc) => loc,
                        }
                    } else {
                        reg.start_upload()?
                    };
                    let (digest, size) = (d.digest.clone(), d.size);
                    let part = blob_part(progress, d);
                    let counted: &dyn Progress = part.as_ref();
                    let body = Body {
                        open: Box::new(move || {
                            breg.blob(&digest, size)
                                .map(|b| {
                                    Box::new(Counted {
                                        inner: b,
                                        progress: counted,
                                    })
                                        as Box<dyn Read + Send + '_>
                                })
                                .map_err(std::io::Error::other)
                        }),
                        len: d.size,
                        content_type: "application/octet-stream".into(),
                    };
                    reg.put_blob(&loc, &d.digest, &body)?;
                    part.end();
                    Ok(BlobFate::Copied)
                }
                LayerSource::Made { path, .. } => {
                    let loc = reg.start_upload()?;
                    let part = blob_part(progress, d);
                    reg.put_blob(&loc, &d.digest, &file_body(path, d.size, part.as_ref()))?;
                    part.end();
                    Ok(BlobFate::Uploaded)
                }
            }
        })()
        .map_err(|e| fail(&format!("layer {}", d.digest), e))?;
        fates.push((d.clone(), fate));
    }
    let cd = image.config_desc();
    let fate = (|| -> Result<BlobFate> {
        if reg.has_blob(&cd.digest)? {
            return Ok(BlobFate::Present);
        }
        let loc = reg.start_upload()?;
        let bytes = image.config.clone();
        let body = Body {
            open: Box::new(move || {
                Ok(Box::new(std::io::Cursor::new(bytes.clone())) as Box<dyn Read + Send>)
            }),
            len: cd.size,
            content_type: "application/octet-stream".into(),
        };
        reg.put_blob(&loc, &cd.digest, &body)?;
        Ok(BlobFate::Uploaded)
    })()
    .map_err(|e| fail("config", e))?;
    fates.push((cd, fate));
    let tag = r.tag.clone().unwrap_or_else(|| "latest".into());
    let announced = reg
        .put_manifest(&tag, OCI_MANIFEST, &image.manifest)
        .map_err(|e| fail(&format!("manifest {tag}"), e))?;
    if let Some(a) = announced {
        if a != image.manifest_digest {
            return Err(OciError::ManifestChanged {
                host: r.api_host().to_string(),
                stored: a,
                made: image.manifest_digest,
            }
            .into());
        }
    }
    Ok((image.manifest_digest, r, fates))
}

/// Where `save` writes.
pub enum SaveTo {
    /// An OCI image layout directory.
    Layout(PathBuf),
    /// A tar file of one.
    Archive(PathBuf),
}

/// Write the image of commit `tip` as an OCI image layout (or a tar of
/// one) with `tag` as its ref name; returns the manifest's digest and what
/// happened to each layer.
pub fn save(
    ws: &Workspace,
    tip: &ObjectId,
    to: &SaveTo,
    tag: &str,
    opts: &ImageOptions,
    access: &Access,
    progress: &dyn Progress,
) -> Result<(String, BlobFates)> {
    let empty_dir = |d: &Path| {
        fs::read_dir(d)
            .map(|mut r| r.next().is_none())
            .unwrap_or(false)
    };
    match to {
        SaveTo::Layout(d) if d.exists() && !empty_dir(d) => {
            return Err(OciError::SaveDirNotEmpty(d.clone()).into())
        }
        SaveTo::Archive(f) if f.exists() => return Err(OciError::SaveFileExists(f.clone()).into()),
        _ => {}
    }
    let (image, scratch, base) = make(ws, tip, opts, access, progress)?;
    let layout = scratch.0.join("layout");
    let blobs = layout.join("blobs").join("sha256");
    fs::create_dir_all(&blobs).at(&blobs)?;
    let blob_path = |digest: &str| blobs.join(digest.trim_start_matches("sha256:"));
    let mut fates = BlobFates::new();
    for layer in &image.layers {
        let d = &layer.desc;
        let p = blob_path(&d.digest);
        match &layer.source {
            LayerSource::Base => {
                let (breg, _) = base.as_ref().expect("a base layer has a base");
                let part = blob_part(progress, d);
                breg.download(&d.digest, d.size, &p, &|n| {
                    part.advance(n);
                    true
                })?;
                part.end();
                fates.push((d.clone(), BlobFate::Copied));
            }
            LayerSource::Made { path, .. } => {
                fs::rename(path, &p).at(&p)?;
                fates.push((d.clone(), BlobFate::Written));
            }
        }
    }
    let write = |p: &Path, bytes: &[u8]| fs::write(p, bytes).at(p);
    write(&blob_path(&image.config_digest), &image.config)?;
    write(&blob_path(&image.manifest_digest), &image.manifest)?;
    write(
        &layout.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )?;
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [{
            "mediaType": OCI_MANIFEST,
            "digest": image.manifest_digest,
            "size": image.manifest.len(),
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }],
    });
    write(
        &layout.join("index.json"),
        &serde_json::to_vec(&index).map_err(OciError::Encode)?,
    )?;
    match to {
        SaveTo::Layout(d) => {
            if d.exists() {
                fs::remove_dir(d).at(d)?;
            }
            fs::rename(&layout, d).at(d)?;
        }
        SaveTo::Archive(f) => {
            // Beside the destination: a rename cannot cross filesystems.
            let tmp = crate::fsutil::tmp_beside(f)?;
            write_archive(&layout, tmp.as_file(), tmp.path())?;
            crate::fsutil::persist(tmp, f)?;
        }
    }
    Ok((image.manifest_digest, fates))
}

/// The layout as a tar: `oci-layout`, `index.json`, then `blobs/sha256/`
/// and its files in name order; owner 0:0, mtime 0.
fn write_archive(layout: &Path, f: &File, dest: &Path) -> Result<()> {
    let mut b = tar::Builder::new(std::io::BufWriter::new(f));
    let out = Error::Output;
    let header = |size: u64, mode: u32, kind: tar::EntryType| {
        let mut h = tar::Header::new_ustar();
        h.set_size(size);
        h.set_mode(mode);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_entry_type(kind);
        h
    };
    for name in ["oci-layout", "index.json"] {
        let p = layout.join(name);
        let data = fs::read(&p).at(&p)?;
        let mut h = header(data.len() as u64, 0o644, tar::EntryType::Regular);
        b.append_data(&mut h, name, data.as_slice()).map_err(out)?;
    }
    for d in ["blobs/", "blobs/sha256/"] {
        let mut h = header(0, 0o755, tar::EntryType::Directory);
        b.append_data(&mut h, d, std::io::empty()).map_err(out)?;
    }
    let dir = layout.join("blobs").join("sha256");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .at(&dir)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    for n in names {
        let p = dir.join(&n);
        let f = File::open(&p).at(&p)?;
        let len = f.metadata().at(&p)?.len();
        let mut h = header(len, 0o644, tar::EntryType::Regular);
        b.append_data(&mut h, format!("blobs/sha256/{n}"), f)
            .map_err(out)?;
    }
    let mut w = b.into_inner().map_err(out)?;
    w.flush().map_err(out)?;
    w.get_ref().sync_all().at(dest)?;
    Ok(())
}
