//! Why a fetch, push, clone or served conversation failed, grouped by what
//! the caller can do about it. Each message is the one-line `fatal: …` text
//! users see (the shell suite compares them). No variant names a `source`:
//! the CLI prints an error's chain, and each message already holds its cause.

use std::path::PathBuf;

use crate::error::Error;
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::transport::pkt::PktError;

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    // The remote is named wrongly or cannot be reached: fix the URL, the
    // config or the command line.
    #[error("bad remote URL '{url}': {why}")]
    BadUrl { url: String, why: &'static str },
    #[error("'{url}': the ssh {what} '{name}' begins with '-' (refused: ssh would take it for an option)")]
    SshNameIsOption {
        url: String,
        what: &'static str,
        name: String,
    },
    #[error("'{0}' is neither a configured remote nor a URL (see 'hako remote add')")]
    UnknownRemote(String),
    #[error("'{}' does not appear to be a hako workspace", .0.display())]
    NotAWorkspace(PathBuf),
    #[error("{}: no container", .0.display())]
    NoContainerToServe(PathBuf),
    /// A local remote's path could not be made absolute.
    #[error("{url}: {err}")]
    UnresolvedPath { url: String, err: std::io::Error },
    /// A local remote could not be opened for serving.
    #[error("{remote}: {err}")]
    CannotServe { remote: String, err: Box<Error> },
    /// The pipes to an in-process server could not be made.
    #[error("{remote}: {err}")]
    CannotConnect { remote: String, err: std::io::Error },
    #[error("{remote}: cannot run ssh ({ssh}): {err}")]
    CannotRunSsh {
        remote: String,
        ssh: String,
        err: std::io::Error,
    },

    // The kind of remote, or the remote's version, cannot do what was
    // asked: use another remote or drop the option.
    #[error("{url}: dumb HTTP remotes are read-only and have no {service}")]
    MirrorHasNoService { url: String, service: &'static str },
    #[error("{url}: an object-store remote has no {service}")]
    BucketHasNoService { url: String, service: &'static str },
    #[error("{0}: dumb HTTP mirrors are read-only (push to the workspace they serve)")]
    MirrorIsReadOnly(String),
    #[error("{0}: shallow fetches need the smart protocol (ssh or a local path)")]
    ShallowNeedsSmartProtocol(String),
    #[error("the remote does not support shallow fetches (no 'shallow' capability)")]
    NoShallowCapability,
    #[error("the remote does not offer side-band (needed for the pack)")]
    NoSideBandCapability,
    #[error("the remote does not support --atomic")]
    NoAtomicCapability,
    #[error("the remote does not support deleting refs")]
    NoDeleteCapability,
    #[error("object format {0} is not supported")]
    ObjectFormat(String),
    #[error("protocol version {0} is not supported")]
    ProtocolVersion(String),

    // A refspec or the ref it names does not work: fix the command line.
    #[error("bad refspec '{0}'")]
    BadRefspec(String),
    /// `verb`: "pushed to" or "fetched into".
    #[error("refspec '{spec}': a ref is {verb} the container of the same name")]
    OtherContainer { spec: String, verb: &'static str },
    /// `container`: the container the name was looked up in, unless the
    /// refspec named its container itself.
    #[error("src refspec {spec} does not match any{}", in_container(.container))]
    NoMatchingRef {
        spec: String,
        container: Option<String>,
    },
    #[error("HEAD is detached: name the branch to push")]
    DetachedHead,
    #[error("container '{0}' has no commit on its current branch to push")]
    NothingToPush(String),
    #[error("couldn't find remote ref {src} (in container '{container}')")]
    NoRemoteRef { src: String, container: String },

    // The peer broke the protocol: it sent something malformed, out of
    // order, or stopped in the middle.
    /// `peer`: "remote" or "client".
    #[error("the {peer} hung up at byte {at}")]
    HungUp { peer: &'static str, at: u64 },
    #[error("the remote hung up before its report")]
    HungUpBeforeReport,
    #[error("expected {expected}, got {got}")]
    Unexpected { expected: String, got: String },
    /// `what`: the text line, e.g. "line at byte 12".
    #[error("{0} is not UTF-8")]
    NotUtf8(String),
    /// A line that does not parse; `what` says as what, e.g. "malformed
    /// command", "bad object id in".
    #[error("{what} '{line}'")]
    BadLine { what: &'static str, line: String },
    #[error("bad shallow update: an id both shallow and unshallow")]
    ShallowAndUnshallow,
    #[error("capabilities after the first ref line")]
    LateCapabilities,
    #[error("{name}: symref-target '{target}' is not a branch of the same container")]
    ForeignSymref { name: String, target: String },
    #[error("shallow: capability not requested")]
    ShallowNotRequested,
    /// A side-band stream's framing (without the `protocol error:` prefix).
    #[error("{0}")]
    SideBand(PktError),
    /// The pack stream failed: the reason the stream reader kept.
    #[error("{0}")]
    StreamBroken(String),
    #[error("after the pack: {0}")]
    AfterPack(std::io::Error),
    #[error("the pack is incomplete: {0}")]
    IncompletePack(Box<Error>),
    #[error("{name}: {id} is a {kind}, not a {want}")]
    WrongRefType {
        name: String,
        id: ObjectId,
        kind: ObjectType,
        want: &'static str,
    },

    // The peer refused, reported an error, or failed.
    #[error("remote error: {0}")]
    Remote(String),
    #[error("want {0}: not our ref")]
    NotOurRef(ObjectId),
    /// The last line the remote program wrote on stderr, without `fatal: `.
    #[error("{0}")]
    RemoteSaid(String),
    #[error("the remote program exited with {0}")]
    RemoteExited(std::process::ExitStatus),
    #[error("{0}")]
    CannotWait(std::io::Error),
    /// The conversation failed; `err` says how.
    #[error("{remote}: {err}")]
    AtRemote { remote: String, err: Box<Error> },
    /// The peer hung up; `why` is its own last word (ssh's stderr, the
    /// in-process server's error).
    #[error("{remote}: {why}")]
    HungUpSaying { remote: String, why: String },
    /// `what`: "local server", "s3 push", "http fetch".
    #[error("the {0} thread panicked")]
    Panicked(&'static str),
    /// Writing to the peer failed.
    #[error("{0}")]
    PeerIo(std::io::Error),

    // A configured limit was exceeded (format-spec/protocol.md, "Limits").
    /// `unit`: "lines", "bytes", "rounds before 'done'".
    #[error("{what}: more than {max} {unit} (the protocol's limit)")]
    LimitExceeded {
        what: &'static str,
        max: usize,
        unit: &'static str,
    },

    // A served ref update was refused.
    /// The checked-out branch's working root is not clean, or a merge is
    /// in progress there (`receive.denyCurrentBranch`).
    #[error("deny current branch")]
    DenyCurrentBranch,
}

fn in_container(c: &Option<String>) -> String {
    c.as_ref()
        .map_or(String::new(), |c| format!(" ref of container '{c}'"))
}

impl TransportError {
    /// A line other than the `expected` one (quoted as it came).
    pub fn unexpected(expected: &str, line: &str) -> TransportError {
        TransportError::Unexpected {
            expected: expected.to_string(),
            got: format!("'{line}'"),
        }
    }

    /// Whether the peer went away: then its own last words say why.
    pub fn is_hang_up(&self) -> bool {
        match self {
            TransportError::HungUp { .. } | TransportError::HungUpBeforeReport => true,
            TransportError::StreamBroken(why) => why.contains("hung up"),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts the variants had as `Error::Invalid` strings, which the
    /// shell suite compares.
    #[test]
    fn messages_are_the_ones_users_know() {
        let id = ObjectId::from_hex(&"c9".repeat(32)).unwrap();
        let io = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let cases: Vec<(TransportError, String)> = vec![
            (
                TransportError::BadUrl {
                    url: "ssh://h".into(),
                    why: "no path",
                },
                "bad remote URL 'ssh://h': no path".into(),
            ),
            (
                TransportError::SshNameIsOption {
                    url: "-h:p".into(),
                    what: "host",
                    name: "-h".into(),
                },
                "'-h:p': the ssh host '-h' begins with '-' (refused: ssh would take it for an option)"
                    .into(),
            ),
            (
                TransportError::NotAWorkspace("/x y".into()),
                "'/x y' does not appear to be a hako workspace".into(),
            ),
            (
                TransportError::NoMatchingRef {
                    spec: "main".into(),
                    container: Some("c".into()),
                },
                "src refspec main does not match any ref of container 'c'".into(),
            ),
            (
                TransportError::NoMatchingRef {
                    spec: "containers/c/refs/heads/x".into(),
                    container: None,
                },
                "src refspec containers/c/refs/heads/x does not match any".into(),
            ),
            (
                TransportError::OtherContainer {
                    spec: "a:b".into(),
                    verb: "fetched into",
                },
                "refspec 'a:b': a ref is fetched into the container of the same name".into(),
            ),
            (
                TransportError::HungUp {
                    peer: "client",
                    at: 14,
                },
                "the client hung up at byte 14".into(),
            ),
            (
                TransportError::Unexpected {
                    expected: "'packfile'".into(),
                    got: "'flush'".into(),
                },
                "expected 'packfile', got 'flush'".into(),
            ),
            (
                TransportError::BadLine {
                    what: "deepen: bad depth",
                    line: "0".into(),
                },
                "deepen: bad depth '0'".into(),
            ),
            (
                TransportError::NotOurRef(id),
                format!("want {id}: not our ref"),
            ),
            (
                TransportError::LimitExceeded {
                    what: "haves",
                    max: 32,
                    unit: "rounds before 'done'",
                },
                "haves: more than 32 rounds before 'done' (the protocol's limit)".into(),
            ),
            (
                TransportError::WrongRefType {
                    name: "containers/c/refs/heads/b".into(),
                    id,
                    kind: ObjectType::Blob,
                    want: "commit",
                },
                format!("containers/c/refs/heads/b: {id} is a blob, not a commit"),
            ),
            (
                TransportError::AtRemote {
                    remote: "h:/x".into(),
                    err: Box::new(TransportError::Remote("no".into()).into()),
                },
                "h:/x: remote error: no".into(),
            ),
            (
                TransportError::CannotRunSsh {
                    remote: "h:/x".into(),
                    ssh: "ssh".into(),
                    err: io(),
                },
                format!("h:/x: cannot run ssh (ssh): {}", io()),
            ),
            (
                TransportError::Panicked("s3 push"),
                "the s3 push thread panicked".into(),
            ),
        ];
        for (e, want) in cases {
            let e = Error::from(e);
            assert_eq!(e.to_string(), want);
            // The CLI prints the chain: nothing may follow the message.
            assert!(std::error::Error::source(&e).is_none(), "{e}");
        }
    }
}
