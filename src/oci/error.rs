//! Why an image could not be named, read, pulled, made or pushed: each
//! variant's message is the one-line `fatal: …` text users see.
#![warn(missing_docs)]

use std::path::PathBuf;

use crate::error::Error;

/// Why an OCI image operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum OciError {
    /// An image reference does not parse.
    #[error("invalid image reference '{reference}': {why}")]
    BadReference {
        /// The reference as given.
        reference: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A platform is not `os/arch[/variant]`.
    #[error("invalid platform '{0}': expected os/arch[/variant]")]
    BadPlatform(String),
    /// A manifest or index is not valid JSON of the expected shape.
    #[error("malformed manifest: {0}")]
    MalformedManifest(serde_json::Error),
    /// A manifest names a digest with an algorithm or form hako does not read.
    #[error("malformed manifest: unsupported digest '{0}'")]
    UnsupportedDigest(String),
    /// An index names another index where a manifest is expected.
    #[error("malformed manifest: an index inside an index")]
    IndexInIndex,
    /// A manifest's schema version is not 2.
    #[error("unsupported manifest schema version {} ({media_type})", version.map(|v| v.to_string()).unwrap_or_else(|| "none".into()))]
    SchemaVersion {
        /// The version it declares, if any.
        version: Option<u32>,
        /// Its media type.
        media_type: String,
    },
    /// A manifest's media type is none that hako reads.
    #[error("unsupported manifest media type '{0}'")]
    ManifestMediaType(String),
    /// A layer's media type is none that hako can apply.
    #[error("unsupported layer media type '{0}'")]
    LayerMediaType(String),
    /// An image config is not valid JSON of the expected shape.
    #[error("malformed image config: {0}")]
    MalformedConfig(serde_json::Error),
    /// An index without the wanted platform; HAVE lists the ones it has.
    #[error("no manifest for platform {want} in the index (it has: {})", if have.is_empty() { "none".to_string() } else { have.join(", ") })]
    NoPlatform {
        /// The platform wanted.
        want: String,
        /// The platforms the index has.
        have: Vec<String>,
    },
    /// An image config passes the 4 MiB limit.
    #[error("image config larger than 4 MiB")]
    ConfigTooLarge,
    /// An image config could not be read.
    #[error("config {digest}: {err}")]
    ConfigUnreadable {
        /// The config's digest.
        digest: String,
        /// What the system reported.
        err: std::io::Error,
    },
    /// An image config's bytes do not hash to its digest.
    #[error("config {0}: digest mismatch")]
    ConfigDigestMismatch(String),
    /// The INDEX-th layer (from 1) could not be downloaded or applied.
    #[error("layer {index} ({digest}): {err}")]
    Layer {
        /// Its position, from 1.
        index: usize,
        /// Its digest.
        digest: String,
        /// Why it failed.
        err: Box<Error>,
    },
    /// A layer's tar stream holds an entry that cannot be applied.
    #[error(transparent)]
    Entry(#[from] LayerEntryError),
    /// A socket was met while making a layer.
    #[error("image: {0}: a socket cannot be stored in an OCI layer")]
    SocketInLayer(String),
    /// A file of unknown type was met while making a layer.
    #[error("image: {0}: unknown mode")]
    UnknownMode(String),
    /// A device's numbers do not fit a tar header.
    #[error("image: {path}: device numbers {major}:{minor} do not fit a tar header")]
    DeviceTooLarge {
        /// The device file.
        path: String,
        /// Its major number.
        major: u64,
        /// Its minor number.
        minor: u64,
    },
    /// A file's content is not the size its list says.
    #[error("image: {path}: content is {read} bytes, its list says {listed}")]
    ContentSize {
        /// The file.
        path: String,
        /// The bytes read.
        read: u64,
        /// The size listed.
        listed: u64,
    },
    /// Reusing a base image's layers needs its manifest, and there is none.
    #[error("image base: its manifest is needed to reuse its layers")]
    BaseManifestNeeded,
    /// A base image's manifest is not valid JSON of the expected shape.
    #[error("image base manifest: malformed: {0}")]
    BaseManifestMalformed(serde_json::Error),
    /// A base image's manifest lists no layers.
    #[error("image base manifest: no layers")]
    BaseManifestNoLayers,
    /// A base image's layer has no sha256 digest.
    #[error("image base manifest: a layer without a sha256 digest")]
    BaseLayerNoDigest,
    /// A base image's layer has no size.
    #[error("image base manifest: a layer without a size")]
    BaseLayerNoSize,
    /// A base image's config is not valid JSON.
    #[error("image base config: malformed: {0}")]
    BaseConfigMalformed(serde_json::Error),
    /// A base image's config is not a JSON object.
    #[error("image base config: not a JSON object")]
    BaseConfigNotObject,
    /// A base image's config lists another number of diffIDs than it has layers.
    #[error("image base {image}: its config lists {diff_ids} diffIDs for {layers} layers")]
    DiffIdCount {
        /// The base image.
        image: String,
        /// The diffIDs its config lists.
        diff_ids: usize,
        /// The layers its manifest lists.
        layers: usize,
    },
    /// The platform asked for is not the base image's.
    #[error("--platform {asked}: the base image {image} is {have}")]
    PlatformMismatch {
        /// The platform asked for.
        asked: String,
        /// The base image.
        image: String,
        /// Its platform.
        have: String,
    },
    /// Reading a base image failed.
    #[error("image base {image}: {err}")]
    Base {
        /// The base image.
        image: String,
        /// Why.
        err: Box<Error>,
    },
    /// A base image's digest names an index, not a manifest.
    #[error("image base {image}: {digest} is an index, not a manifest")]
    BaseIsIndex {
        /// The base image.
        image: String,
        /// The digest.
        digest: String,
    },
    /// A document hako made could not be encoded as JSON.
    #[error("{0}")]
    Encode(serde_json::Error),
    /// A push target must name a tag, and this one names a digest.
    #[error("{0}: a push names a tag, not a digest")]
    PushNamesDigest(String),
    /// WHAT (a layer, the config, the manifest) could not be pushed to HOST.
    #[error("push to {host}: {what}: {err}")]
    Push {
        /// The registry.
        host: String,
        /// What was being pushed.
        what: String,
        /// Why it failed.
        err: Box<Error>,
    },
    /// The registry stored another manifest than the one pushed.
    #[error("push to {host}: the registry stored manifest {stored}, not {made}")]
    ManifestChanged {
        /// The registry.
        host: String,
        /// The digest it stored.
        stored: String,
        /// The digest hako made.
        made: String,
    },
    /// The directory to save an image into exists and holds something.
    #[error("{}: exists and is not an empty directory", .0.display())]
    SaveDirNotEmpty(PathBuf),
    /// The archive to save an image into exists.
    #[error("{}: exists", .0.display())]
    SaveFileExists(PathBuf),
    /// A Docker auth file could not be read.
    #[error("{}: {err}", path.display())]
    AuthFile {
        /// The auth file.
        path: PathBuf,
        /// What is wrong with it.
        err: AuthFileError,
    },
    /// A credential helper's name is not a plain program name.
    #[error("{domain}: credential helper name '{name}' is not a program name")]
    HelperName {
        /// The registry it is configured for.
        domain: String,
        /// The name given.
        name: String,
    },
    /// A credential helper failed.
    #[error("{domain}: credential helper {program} {err}")]
    Helper {
        /// The registry it was asked about.
        domain: String,
        /// The helper program.
        program: String,
        /// What went wrong.
        err: HelperError,
    },
    /// A step of pulling IMAGE failed (the message carries ERR's sources).
    #[error("pull {image}: {}", with_sources(err))]
    Pull {
        /// The image.
        image: String,
        /// The step's error.
        err: Box<Error>,
    },
    /// A pull into a container found uncommitted changes.
    #[error("pull {image}: container {name} has uncommitted changes (commit or reset them first)")]
    Dirty {
        /// The image.
        image: String,
        /// The container.
        name: String,
    },
    /// Commits above the last pull, which the new image would hide.
    #[error("pull {image}: {on} of container {name} has {above} commit{} since its last pull, which the new image would hide; pull into another branch ('hako pull --branch NEW {image}'), then 'hako -c {name} merge NEW'", if *above == 1 { "" } else { "s" })]
    WorkAbovePull {
        /// The image.
        image: String,
        /// The branch.
        on: String,
        /// The container.
        name: String,
        /// How many commits.
        above: usize,
    },
    /// A pull found commits on the branch that no image made.
    #[error("pull {image}: {on} of container {name} holds commits that are not an image's, which the image would hide; pull into another branch ('hako pull --branch NEW {image}') or another container (--as)")]
    NotAnImage {
        /// The image.
        image: String,
        /// The branch.
        on: String,
        /// The container.
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
    /// An entry's path is absolute.
    #[error("absolute path '{0}' in layer")]
    AbsolutePath(String),
    /// An entry's path leaves the image through `..`.
    #[error("path '{0}' in layer leaves the image")]
    PathLeaves(String),
    /// An entry's path is not a valid name.
    #[error("path '{path}' in layer: {err}")]
    BadName {
        /// The entry.
        path: String,
        /// Why.
        err: Box<Error>,
    },
    /// The zstd stream of a layer is broken.
    #[error("zstd layer: {0}")]
    Zstd(std::io::Error),
    /// The tar stream of a layer is broken.
    #[error("malformed layer: {0}")]
    Malformed(std::io::Error),
    /// An entry would be written through a symbolic link.
    #[error("layer entry passes through the symlink '{0}'")]
    ThroughSymlink(String),
    /// An entry lies beneath something that is not a directory.
    #[error("layer entry beneath '{0}', which is not a directory")]
    BeneathNonDirectory(String),
    /// An extended attribute's name is not valid.
    #[error("bad xattr name on '{0}'")]
    BadXattrName(String),
    /// An extended attribute record is not valid.
    #[error("bad xattr on '{0}'")]
    BadXattr(String),
    /// The layer replaces the root directory with a non-directory.
    #[error("layer replaces the root directory with a non-directory")]
    RootNotDirectory,
    /// A whiteout's path leaves the image.
    #[error("whiteout '{0}' leaves the image")]
    WhiteoutLeaves(String),
    /// A hard link names no target.
    #[error("hardlink '{0}' without a target")]
    HardlinkWithoutTarget(String),
    /// A hard link's target leaves the image.
    #[error("hardlink '{path}' to '{target}' leaves the image")]
    HardlinkLeaves {
        /// The link.
        path: String,
        /// Its target.
        target: String,
    },
    /// A hard link points to the root directory.
    #[error("hardlink '{0}' to the root")]
    HardlinkToRoot(String),
    /// A hard link's target is not in the image.
    #[error("hardlink '{path}' to missing '{target}'")]
    HardlinkToMissing {
        /// The link.
        path: String,
        /// Its target.
        target: String,
    },
    /// A hard link points to a directory.
    #[error("hardlink '{0}' to a directory")]
    HardlinkToDirectory(String),
    /// An entry's content could not be read.
    #[error("reading '{path}' from the layer: {err}")]
    Read {
        /// The entry.
        path: String,
        /// What the system reported.
        err: std::io::Error,
    },
    /// The layer ends inside an entry's content.
    #[error("truncated layer: '{path}' has {read} of {size} bytes")]
    Truncated {
        /// The entry.
        path: String,
        /// The bytes read.
        read: u64,
        /// The size its header says.
        size: u64,
    },
    /// A symbolic link has no target.
    #[error("symlink '{0}' without a target")]
    SymlinkWithoutTarget(String),
    /// A symbolic link's target is empty.
    #[error("symlink '{0}' with an empty target")]
    SymlinkEmptyTarget(String),
    /// An entry's tar type is none that hako applies.
    #[error("unsupported tar entry type {kind:?} at '{path}'")]
    UnsupportedType {
        /// The tar type flag.
        kind: char,
        /// The entry.
        path: String,
    },
}

impl From<LayerEntryError> for Error {
    fn from(e: LayerEntryError) -> Error {
        Error::Oci(OciError::Entry(e))
    }
}

/// Why a Docker auth file (`config.json`) could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AuthFileError {
    /// The file is not valid JSON of the expected shape.
    #[error("malformed auth file: {0}")]
    Malformed(serde_json::Error),
    /// A `credHelpers` entry is not a string.
    #[error("credHelpers entry '{0}' is not a string")]
    HelperNotString(String),
    /// `credsStore` is not a string.
    #[error("credsStore is not a string")]
    StoreNotString,
    /// WHY: not base64, not UTF-8, no ':'.
    #[error("malformed auth entry ({0})")]
    AuthEntry(&'static str),
}

/// What went wrong with a `docker-credential-NAME` helper.
#[derive(Debug, thiserror::Error)]
pub enum HelperError {
    /// No such program on PATH.
    #[error("not found on PATH")]
    NotFound,
    /// It could not be started.
    #[error("could not be started: {0}")]
    NotStarted(std::io::Error),
    /// Waiting for it failed.
    #[error("could not be waited for: {0}")]
    NotWaited(std::io::Error),
    /// Its output could not be read.
    #[error("could not be read: {0}")]
    NotRead(std::io::Error),
    /// It failed: HOW (`exit N`, a signal), FIRST the first line it printed.
    #[error("failed ({how}): {first}")]
    Failed {
        /// How it ended.
        how: String,
        /// The first line it printed.
        first: String,
    },
    /// It printed more than 1 MiB.
    #[error("printed malformed JSON: more than 1 MiB")]
    TooLong,
    /// It printed something that is not the expected JSON.
    #[error("printed malformed JSON: {0}")]
    BadJson(serde_json::Error),
}

/// Why a registry request failed; each message is the one users see.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The registry's error answer: its status and the first message of
    /// its JSON error body (or the status text).
    #[error("{host}: {code} {detail}")]
    Refused {
        /// The registry's host.
        host: String,
        /// The HTTP status code.
        code: u16,
        /// The registry's first error message, or the status text.
        detail: String,
    },
    /// The request got no HTTP answer (connection or TLS failure).
    #[error("registry {host} unreachable: {reason}")]
    Unreachable {
        /// The registry's host.
        host: String,
        /// Why the request failed.
        reason: String,
    },
    /// A 401 answer carries no `WWW-Authenticate` challenge hako can use.
    #[error("{host}: 401 Unauthorized without a usable challenge")]
    NoChallenge {
        /// The registry's host.
        host: String,
    },
    /// The registry answered 401 again with the credentials sent.
    #[error("{host}: 401 Unauthorized: the credentials were refused")]
    CredentialsRefused {
        /// The registry's host.
        host: String,
    },
    /// The registry wants credentials and none are configured for it.
    #[error("{host}: 401 Unauthorized: no credentials for this registry (docker login, REGISTRY_AUTH_FILE)")]
    NoCredentials {
        /// The registry's host.
        host: String,
    },
    /// The only credentials are an identity token and the registry asks for Basic auth.
    #[error("{host}: 401 Unauthorized: an identity token answers only a Bearer challenge, this registry asks for Basic")]
    IdentityTokenForBasic {
        /// The registry's host.
        host: String,
    },
    /// A Bearer challenge names no token server (`realm`).
    #[error("{host}: Bearer challenge without a realm")]
    NoRealm {
        /// The registry's host.
        host: String,
    },
    /// The challenge is neither Basic nor Bearer.
    #[error("{host}: unsupported authentication scheme '{scheme}'")]
    UnsupportedScheme {
        /// The registry's host.
        host: String,
        /// The scheme offered.
        scheme: String,
    },
    /// The token server answered with an error status.
    #[error("{host}: token server refused ({code}){}", token_refusal(*.identity, *.credentials))]
    TokenRefused {
        /// The registry's host.
        host: String,
        /// The HTTP status code.
        code: u16,
        /// Whether the credentials sent were an identity token.
        identity: bool,
        /// Whether any credentials were sent.
        credentials: bool,
    },
    /// The token server gave no HTTP answer.
    #[error("token server {realm} unreachable: {reason}")]
    TokenServerUnreachable {
        /// The token server's URL.
        realm: String,
        /// Why the request failed.
        reason: String,
    },
    /// The token server's answer could not be read.
    #[error("token server {realm}: {err}")]
    TokenRead {
        /// The token server's URL.
        realm: String,
        /// The underlying error.
        err: std::io::Error,
    },
    /// The token server's answer is not the expected JSON.
    #[error("token server {realm}: malformed answer: {err}")]
    TokenMalformed {
        /// The token server's URL.
        realm: String,
        /// The underlying error.
        err: serde_json::Error,
    },
    /// The token server's answer holds no token.
    #[error("token server {realm}: no token in the answer")]
    NoToken {
        /// The token server's URL.
        realm: String,
    },
    /// An upload answer has no `Location` header.
    #[error("{host}: upload answer without a Location")]
    NoLocation {
        /// The registry's host.
        host: String,
    },
    /// The registry's base URL does not parse (to resolve an upload Location against).
    #[error("{base}: {err}")]
    BadBase {
        /// The base URL.
        base: String,
        /// The underlying error.
        err: url::ParseError,
    },
    /// An upload's `Location` header does not parse as a URL.
    #[error("{host}: bad upload Location '{location}': {err}")]
    BadLocation {
        /// The registry's host.
        host: String,
        /// The `Location` header's value.
        location: String,
        /// The underlying error.
        err: url::ParseError,
    },
    /// An upload's `Location` points at another host than the registry.
    #[error("{host}: upload Location '{location}' is on another host")]
    ForeignLocation {
        /// The registry's host.
        host: String,
        /// The `Location` header's value.
        location: String,
    },
    /// A blob upload was answered with an unexpected status.
    #[error("{host}: blob {digest}: upload answered {code}")]
    UploadAnswer {
        /// The registry's host.
        host: String,
        /// The blob's digest.
        digest: String,
        /// The HTTP status code.
        code: u16,
    },
    /// A manifest's body could not be read.
    #[error("{host}: reading manifest {object}: {err}")]
    ManifestRead {
        /// The registry's host.
        host: String,
        /// The manifest's tag or digest.
        object: String,
        /// The underlying error.
        err: std::io::Error,
    },
    /// A manifest is larger than `MAX_MANIFEST`.
    #[error("manifest {object} is larger than 4 MiB")]
    ManifestTooLarge {
        /// The manifest's tag or digest.
        object: String,
    },
    /// A manifest's bytes do not hash to the digest asked for.
    #[error("manifest digest mismatch: expected {want}, got {got}")]
    ManifestDigest {
        /// The digest asked for.
        want: String,
        /// The digest of the bytes received.
        got: String,
    },
    /// A blob download that failed: cut off (after every attempt), the
    /// wrong bytes, or cancelled.
    #[error("blob {digest}: {err}")]
    Blob {
        /// The blob's digest.
        digest: String,
        /// The underlying error.
        err: std::io::Error,
    },
    /// A resumed blob download does not start at the byte asked for.
    #[error("{host}: blob {digest}: Content-Range '{got}' does not resume at byte {from}")]
    BadResume {
        /// The registry's host.
        host: String,
        /// The blob's digest.
        digest: String,
        /// The `Content-Range` header received.
        got: String,
        /// The byte the download resumes at.
        from: u64,
    },
}

/// How a refused token request ends its message.
fn token_refusal(identity: bool, credentials: bool) -> &'static str {
    if identity {
        ": the identity token was refused"
    } else if !credentials {
        ": no credentials for this registry (docker login, REGISTRY_AUTH_FILE)"
    } else {
        ": the credentials were refused"
    }
}
