//! Why an image could not be named, read, pulled, made or pushed: each
//! variant's message is the one-line `fatal: …` text users see.

use std::path::PathBuf;

use crate::error::Error;

#[derive(Debug, thiserror::Error)]
pub enum OciError {
    #[error("invalid image reference '{reference}': {why}")]
    BadReference {
        reference: String,
        why: &'static str,
    },
    #[error("invalid platform '{0}': expected os/arch[/variant]")]
    BadPlatform(String),
    #[error("malformed manifest: {0}")]
    MalformedManifest(serde_json::Error),
    #[error("malformed manifest: unsupported digest '{0}'")]
    UnsupportedDigest(String),
    #[error("malformed manifest: an index inside an index")]
    IndexInIndex,
    #[error("unsupported manifest schema version {} ({media_type})", version.map(|v| v.to_string()).unwrap_or_else(|| "none".into()))]
    SchemaVersion {
        version: Option<u32>,
        media_type: String,
    },
    #[error("unsupported manifest media type '{0}'")]
    ManifestMediaType(String),
    #[error("unsupported layer media type '{0}'")]
    LayerMediaType(String),
    #[error("malformed image config: {0}")]
    MalformedConfig(serde_json::Error),
    /// An index without the wanted platform; HAVE lists the ones it has.
    #[error("no manifest for platform {want} in the index (it has: {})", if have.is_empty() { "none".to_string() } else { have.join(", ") })]
    NoPlatform { want: String, have: Vec<String> },
    #[error("image config larger than 4 MiB")]
    ConfigTooLarge,
    #[error("config {digest}: {err}")]
    ConfigUnreadable { digest: String, err: std::io::Error },
    #[error("config {0}: digest mismatch")]
    ConfigDigestMismatch(String),
    /// The INDEX-th layer (from 1) could not be downloaded or applied.
    #[error("layer {index} ({digest}): {err}")]
    Layer {
        index: usize,
        digest: String,
        err: Box<Error>,
    },
    /// A layer's tar stream holds an entry that cannot be applied.
    #[error(transparent)]
    Entry(#[from] LayerEntryError),
    #[error("image: {0}: a socket cannot be stored in an OCI layer")]
    SocketInLayer(String),
    #[error("image: {0}: unknown mode")]
    UnknownMode(String),
    #[error("image: {path}: device numbers {major}:{minor} do not fit a tar header")]
    DeviceTooLarge {
        path: String,
        major: u64,
        minor: u64,
    },
    #[error("image: {path}: content is {read} bytes, its list says {listed}")]
    ContentSize {
        path: String,
        read: u64,
        listed: u64,
    },
    #[error("image base: its manifest is needed to reuse its layers")]
    BaseManifestNeeded,
    #[error("image base manifest: malformed: {0}")]
    BaseManifestMalformed(serde_json::Error),
    #[error("image base manifest: no layers")]
    BaseManifestNoLayers,
    #[error("image base manifest: a layer without a sha256 digest")]
    BaseLayerNoDigest,
    #[error("image base manifest: a layer without a size")]
    BaseLayerNoSize,
    #[error("image base config: malformed: {0}")]
    BaseConfigMalformed(serde_json::Error),
    #[error("image base config: not a JSON object")]
    BaseConfigNotObject,
    #[error("image base {image}: its config lists {diff_ids} diffIDs for {layers} layers")]
    DiffIdCount {
        image: String,
        diff_ids: usize,
        layers: usize,
    },
    #[error("--platform {asked}: the base image {image} is {have}")]
    PlatformMismatch {
        asked: String,
        image: String,
        have: String,
    },
    #[error("image base {image}: {err}")]
    Base { image: String, err: Box<Error> },
    #[error("image base {image}: {digest} is an index, not a manifest")]
    BaseIsIndex { image: String, digest: String },
    /// A document hako made could not be encoded as JSON.
    #[error("{0}")]
    Encode(serde_json::Error),
    #[error("{0}: a push names a tag, not a digest")]
    PushNamesDigest(String),
    /// WHAT (a layer, the config, the manifest) could not be pushed to HOST.
    #[error("push to {host}: {what}: {err}")]
    Push {
        host: String,
        what: String,
        err: Box<Error>,
    },
    #[error("push to {host}: the registry stored manifest {stored}, not {made}")]
    ManifestChanged {
        host: String,
        stored: String,
        made: String,
    },
    #[error("{}: exists and is not an empty directory", .0.display())]
    SaveDirNotEmpty(PathBuf),
    #[error("{}: exists", .0.display())]
    SaveFileExists(PathBuf),
    #[error("{}: {err}", path.display())]
    AuthFile { path: PathBuf, err: AuthFileError },
    #[error("{domain}: credential helper name '{name}' is not a program name")]
    HelperName { domain: String, name: String },
    #[error("{domain}: credential helper {program} {err}")]
    Helper {
        domain: String,
        program: String,
        err: HelperError,
    },
    /// A step of pulling IMAGE failed (the message carries ERR's sources).
    #[error("pull {image}: {}", with_sources(err))]
    Pull { image: String, err: Box<Error> },
    #[error("pull {image}: container {name} has uncommitted changes (commit or reset them first)")]
    Dirty { image: String, name: String },
    /// Commits above the last pull, which the new image would hide.
    #[error("pull {image}: {on} of container {name} has {above} commit{} since its last pull, which the new image would hide; pull into another branch ('hako pull --branch NEW {image}'), then 'hako -c {name} merge NEW'", if *above == 1 { "" } else { "s" })]
    WorkAbovePull {
        image: String,
        on: String,
        name: String,
        above: usize,
    },
    #[error("pull {image}: {on} of container {name} holds commits that are not an image's, which the image would hide; pull into another branch ('hako pull --branch NEW {image}') or another container (--as)")]
    NotAnImage {
        image: String,
        on: String,
        name: String,
    },
}

/// `e` and its sources joined as `anyhow` shows a chain.
fn with_sources(e: &Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(x) = src {
        s.push_str(&format!(": {x}"));
        src = x.source();
    }
    s
}

/// An entry of a layer's tar stream that cannot be applied (PATH as shown,
/// escaped).
#[derive(Debug, thiserror::Error)]
pub enum LayerEntryError {
    #[error("absolute path '{0}' in layer")]
    AbsolutePath(String),
    #[error("path '{0}' in layer leaves the image")]
    PathLeaves(String),
    #[error("path '{path}' in layer: {err}")]
    BadName { path: String, err: Box<Error> },
    #[error("zstd layer: {0}")]
    Zstd(std::io::Error),
    #[error("malformed layer: {0}")]
    Malformed(std::io::Error),
    #[error("layer entry passes through the symlink '{0}'")]
    ThroughSymlink(String),
    #[error("layer entry beneath '{0}', which is not a directory")]
    BeneathNonDirectory(String),
    #[error("bad xattr name on '{0}'")]
    BadXattrName(String),
    #[error("bad xattr on '{0}'")]
    BadXattr(String),
    #[error("layer replaces the root directory with a non-directory")]
    RootNotDirectory,
    #[error("whiteout '{0}' leaves the image")]
    WhiteoutLeaves(String),
    #[error("hardlink '{0}' without a target")]
    HardlinkWithoutTarget(String),
    #[error("hardlink '{path}' to '{target}' leaves the image")]
    HardlinkLeaves { path: String, target: String },
    #[error("hardlink '{0}' to the root")]
    HardlinkToRoot(String),
    #[error("hardlink '{path}' to missing '{target}'")]
    HardlinkToMissing { path: String, target: String },
    #[error("hardlink '{0}' to a directory")]
    HardlinkToDirectory(String),
    #[error("reading '{path}' from the layer: {err}")]
    Read { path: String, err: std::io::Error },
    #[error("truncated layer: '{path}' has {read} of {size} bytes")]
    Truncated { path: String, read: u64, size: u64 },
    #[error("symlink '{0}' without a target")]
    SymlinkWithoutTarget(String),
    #[error("symlink '{0}' with an empty target")]
    SymlinkEmptyTarget(String),
    #[error("unsupported tar entry type {kind:?} at '{path}'")]
    UnsupportedType { kind: char, path: String },
}

impl From<LayerEntryError> for Error {
    fn from(e: LayerEntryError) -> Error {
        Error::Oci(OciError::Entry(e))
    }
}

/// Why a Docker auth file (`config.json`) could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AuthFileError {
    #[error("malformed auth file: {0}")]
    Malformed(serde_json::Error),
    #[error("credHelpers entry '{0}' is not a string")]
    HelperNotString(String),
    #[error("credsStore is not a string")]
    StoreNotString,
    /// WHY: not base64, not UTF-8, no ':'.
    #[error("malformed auth entry ({0})")]
    AuthEntry(&'static str),
}

/// What went wrong with a `docker-credential-NAME` helper.
#[derive(Debug, thiserror::Error)]
pub enum HelperError {
    #[error("not found on PATH")]
    NotFound,
    #[error("could not be started: {0}")]
    NotStarted(std::io::Error),
    #[error("could not be waited for: {0}")]
    NotWaited(std::io::Error),
    #[error("could not be read: {0}")]
    NotRead(std::io::Error),
    /// It failed: HOW (`exit N`, a signal), FIRST the first line it printed.
    #[error("failed ({how}): {first}")]
    Failed { how: String, first: String },
    #[error("printed malformed JSON: more than 1 MiB")]
    TooLong,
    #[error("printed malformed JSON: {0}")]
    BadJson(serde_json::Error),
}
