//! Why a fetch, push, clone or served conversation failed, grouped by what
//! the caller can do about it. Each message is the one-line `fatal: …` text
//! users see (the shell suite compares them). No variant names a `source`:
//! the CLI prints an error's chain, and each message already holds its cause.
#![warn(missing_docs)]

use std::path::PathBuf;

use crate::error::Error;
use crate::object::ObjectType;
use crate::oid::ObjectId;
use crate::transport::pkt::PktError;

/// Why a transport operation failed; each message is the one users see.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    // The remote is named wrongly or cannot be reached: fix the URL, the
    // config or the command line.
    /// A remote URL cannot be parsed.
    #[error("bad remote URL '{url}': {why}")]
    BadUrl {
        /// The remote URL.
        url: String,
        /// What is wrong.
        why: &'static str,
    },
    /// An ssh host or user name begins with '-', which ssh would take for an option.
    #[error("'{url}': the ssh {what} '{name}' begins with '-' (refused: ssh would take it for an option)")]
    SshNameIsOption {
        /// The remote URL.
        url: String,
        /// What the name is (`host` or `user`).
        what: &'static str,
        /// The name refused.
        name: String,
    },
    /// A name is neither a configured remote nor a URL.
    #[error("'{0}' is neither a configured remote nor a URL (see 'hako remote add')")]
    UnknownRemote(String),
    /// A local remote's path is not a hako workspace.
    #[error("'{}' does not appear to be a hako workspace", .0.display())]
    NotAWorkspace(PathBuf),
    /// A workspace to serve has no container.
    #[error("{}: no container", .0.display())]
    NoContainerToServe(PathBuf),
    /// A local remote's path could not be made absolute.
    #[error("{url}: {err}")]
    UnresolvedPath {
        /// The remote URL.
        url: String,
        /// The underlying error.
        err: std::io::Error,
    },
    /// A local remote could not be opened for serving.
    #[error("{remote}: {err}")]
    CannotServe {
        /// The remote, as shown to the user.
        remote: String,
        /// The underlying error.
        err: Box<Error>,
    },
    /// The pipes to an in-process server could not be made.
    #[error("{remote}: {err}")]
    CannotConnect {
        /// The remote, as shown to the user.
        remote: String,
        /// The underlying error.
        err: std::io::Error,
    },
    /// The ssh program could not be started.
    #[error("{remote}: cannot run ssh ({ssh}): {err}")]
    CannotRunSsh {
        /// The remote, as shown to the user.
        remote: String,
        /// The ssh command run.
        ssh: String,
        /// The underlying error.
        err: std::io::Error,
    },

    // The kind of remote, or the remote's version, cannot do what was
    // asked: use another remote or drop the option.
    /// A dumb HTTP mirror was asked for a service it lacks.
    #[error("{url}: dumb HTTP remotes are read-only and have no {service}")]
    MirrorHasNoService {
        /// The remote URL.
        url: String,
        /// The service asked for.
        service: &'static str,
    },
    /// An object-store remote was asked for a service it lacks.
    #[error("{url}: an object-store remote has no {service}")]
    BucketHasNoService {
        /// The remote URL.
        url: String,
        /// The service asked for.
        service: &'static str,
    },
    /// A push was aimed at a read-only dumb HTTP mirror.
    #[error("{0}: dumb HTTP mirrors are read-only (push to the workspace they serve)")]
    MirrorIsReadOnly(String),
    /// A shallow fetch was asked of a remote without the smart protocol.
    #[error("{0}: shallow fetches need the smart protocol (ssh or a local path)")]
    ShallowNeedsSmartProtocol(String),
    /// A shallow fetch was asked of a remote without the `shallow` capability.
    #[error("the remote does not support shallow fetches (no 'shallow' capability)")]
    NoShallowCapability,
    /// The remote does not offer side-band, which carries the pack.
    #[error("the remote does not offer side-band (needed for the pack)")]
    NoSideBandCapability,
    /// An atomic push was asked of a remote without the `atomic` capability.
    #[error("the remote does not support --atomic")]
    NoAtomicCapability,
    /// A ref deletion was pushed to a remote that cannot delete refs.
    #[error("the remote does not support deleting refs")]
    NoDeleteCapability,
    /// The remote uses an object format hako does not support.
    #[error("object format {0} is not supported")]
    ObjectFormat(String),
    /// The remote speaks a protocol version hako does not support.
    #[error("protocol version {0} is not supported")]
    ProtocolVersion(String),

    // A refspec or the ref it names does not work: fix the command line.
    /// A refspec cannot be parsed.
    #[error("bad refspec '{0}'")]
    BadRefspec(String),
    /// `verb`: "pushed to" or "fetched into".
    #[error("refspec '{spec}': a ref is {verb} the container of the same name")]
    OtherContainer {
        /// The refspec.
        spec: String,
        /// How the ref is moved.
        verb: &'static str,
    },
    /// `container`: the container the name was looked up in, unless the
    /// refspec named its container itself.
    #[error("src refspec {spec} does not match any{}", in_container(.container))]
    NoMatchingRef {
        /// The refspec.
        spec: String,
        /// The container looked in, if the refspec named none.
        container: Option<String>,
    },
    /// A push without a refspec while HEAD names no branch.
    #[error("HEAD is detached: name the branch to push")]
    DetachedHead,
    /// A container's current branch has no commit to push.
    #[error("container '{0}' has no commit on its current branch to push")]
    NothingToPush(String),
    /// A ref named for fetching is not among the remote's refs.
    #[error("couldn't find remote ref {src} (in container '{container}')")]
    NoRemoteRef {
        /// The ref looked for.
        src: String,
        /// The container of the ref.
        container: String,
    },

    // The peer broke the protocol: it sent something malformed, out of
    // order, or stopped in the middle.
    /// `peer`: "remote" or "client".
    #[error("the {peer} hung up at byte {at}")]
    HungUp {
        /// Which side hung up: "remote" or "client".
        peer: &'static str,
        /// The byte offset in the stream where it hung up.
        at: u64,
    },
    /// The remote hung up before sending its push report.
    #[error("the remote hung up before its report")]
    HungUpBeforeReport,
    /// The peer sent another line than the one the protocol expects.
    #[error("expected {expected}, got {got}")]
    Unexpected {
        /// What the protocol expects here.
        expected: String,
        /// What came instead (quoted).
        got: String,
    },
    /// `what`: the text line, e.g. "line at byte 12".
    #[error("{0} is not UTF-8")]
    NotUtf8(String),
    /// A line that does not parse; `what` says as what, e.g. "malformed
    /// command", "bad object id in".
    #[error("{what} '{line}'")]
    BadLine {
        /// What the line was parsed as.
        what: &'static str,
        /// The line as received.
        line: String,
    },
    /// A shallow update names the same id as both shallow and unshallow.
    #[error("bad shallow update: an id both shallow and unshallow")]
    ShallowAndUnshallow,
    /// Capabilities came after the first ref line.
    #[error("capabilities after the first ref line")]
    LateCapabilities,
    /// A symref's target is not a branch of the same container.
    #[error("{name}: symref-target '{target}' is not a branch of the same container")]
    ForeignSymref {
        /// The symref's name.
        name: String,
        /// The symref's target.
        target: String,
    },
    /// A client sent `shallow` or `deepen` lines without asking for the `shallow` capability.
    #[error("shallow: capability not requested")]
    ShallowNotRequested,
    /// A side-band stream's framing (without the `protocol error:` prefix).
    #[error("{0}")]
    SideBand(PktError),
    /// The pack stream failed: the reason the stream reader kept.
    #[error("{0}")]
    StreamBroken(String),
    /// Reading what follows the pack failed.
    #[error("after the pack: {0}")]
    AfterPack(std::io::Error),
    /// The received pack leaves objects missing.
    #[error("the pack is incomplete: {0}")]
    IncompletePack(Box<Error>),
    /// A ref points at an object of the wrong type.
    #[error("{name}: {id} is a {kind}, not a {want}")]
    WrongRefType {
        /// The ref's name.
        name: String,
        /// The object the ref points at.
        id: ObjectId,
        /// The object's type.
        kind: ObjectType,
        /// The type the ref needs.
        want: &'static str,
    },

    // The peer refused, reported an error, or failed.
    /// The remote reported an error (`ERR` line or side-band error).
    #[error("remote error: {0}")]
    Remote(String),
    /// A client wants an object it is not allowed to fetch.
    #[error("want {0}: not our ref")]
    NotOurRef(ObjectId),
    /// The last line the remote program wrote on stderr, without `fatal: `.
    #[error("{0}")]
    RemoteSaid(String),
    /// The remote program exited unsuccessfully.
    #[error("the remote program exited with {0}")]
    RemoteExited(std::process::ExitStatus),
    /// Waiting for the remote program failed.
    #[error("{0}")]
    CannotWait(std::io::Error),
    /// The conversation failed; `err` says how.
    #[error("{remote}: {err}")]
    AtRemote {
        /// The remote, as shown to the user.
        remote: String,
        /// How the conversation failed.
        err: Box<Error>,
    },
    /// The peer hung up; `why` is its own last word (ssh's stderr, the
    /// in-process server's error).
    #[error("{remote}: {why}")]
    HungUpSaying {
        /// The remote, as shown to the user.
        remote: String,
        /// The peer's last word.
        why: String,
    },
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
        /// What exceeded the limit.
        what: &'static str,
        /// The limit.
        max: usize,
        /// What the limit counts.
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
