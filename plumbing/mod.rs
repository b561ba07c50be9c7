//! Plumbing: one file per command. Each turns its arguments into engine calls
//! and prints a stable, script-friendly result.

pub mod cache;
pub mod cat_file;
pub mod checkout_tree;
pub mod commit_tree;
pub mod count_objects;
pub mod diff_tree;
pub mod enter;
pub mod fetch_pack;
pub mod for_each_ref;
pub mod hash_object;
pub mod http_fetch;
pub mod index_pack;
pub mod ls_remote;
pub mod ls_tree;
pub mod merge_base;
pub mod merge_tree;
pub mod mktree;
pub mod pack_objects;
pub mod progress_cli;
pub mod receive_pack;
pub mod rev_list;
pub mod rev_parse;
pub mod sandbox_cli;
pub mod send_pack;
pub mod show_ref;
pub mod symbolic_ref;
pub mod unpack_objects;
pub mod unshare_exec;
pub mod update_ref;
pub mod update_server_info;
pub mod upload_pack;
pub mod verify_pack;
pub mod write_tree;

use std::fmt;

use hako::workspace::Workspace;

/// An error that carries its own exit status (e.g. 125 for sandbox setup).
#[derive(Debug)]
pub struct Fatal {
    pub code: i32,
    pub message: String,
}

impl fmt::Display for Fatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Fatal {}

/// A usage error (bad combination of arguments): exit 129, as clap's own.
pub fn usage(msg: impl fmt::Display) -> anyhow::Error {
    Fatal {
        code: 129,
        message: format!("usage: {msg}"),
    }
    .into()
}

/// Traces on stderr, as git's `GIT_TRACE` and `GIT_TRACE_PACKET`:
/// `HAKO_TRACE` is a filter (`1` or `true`: every debug event of hako;
/// else `tracing_subscriber`'s directives, e.g. `hako::http=debug`), and
/// `HAKO_TRACE_PACKET=1` adds every protocol packet sent (`>`) and received
/// (`<`). The engine's warnings (`hako::warnings`) are always collected,
/// and printed by `print_warnings`.
pub fn start_tracing() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::Layer;
    let filter = std::env::var("HAKO_TRACE")
        .ok()
        .filter(|v| !v.is_empty() && v != "0" && v != "false");
    let packets =
        std::env::var("HAKO_TRACE_PACKET").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    if filter.is_none() && !packets {
        let _ = tracing::subscriber::set_global_default(WarningsOnly);
        return;
    }
    let warnings = Warnings.with_filter(tracing_subscriber::filter::filter_fn(|m| {
        m.target() == hako::warnings::TARGET
    }));
    let registry = tracing_subscriber::registry().with(warnings);
    let mut directives = match filter.as_deref() {
        None => String::new(),
        Some("1" | "true") => "hako=debug".to_string(),
        Some(f) => f.to_string(),
    };
    if packets {
        if !directives.is_empty() {
            directives.push(',');
        }
        directives.push_str("packet=trace");
    }
    // Warnings are printed as `warning: …` at the end, not as traces.
    directives.push_str(",hako::warning=off");
    let filter = tracing_subscriber::EnvFilter::builder().parse_lossy(directives);
    let traces = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .without_time()
        .with_ansi(false);
    let _ = tracing::subscriber::set_global_default(registry.with(traces.with_filter(filter)));
}

/// The engine's warnings met so far, each once, in order.
static WARNINGS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// The layer that keeps the engine's warnings (events of the target
/// `hako::warnings::TARGET`) for `print_warnings`.
struct Warnings;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Warnings {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        keep_warning(event);
    }
}

/// Keep a warning event's message, once.
fn keep_warning(event: &tracing::Event<'_>) {
    struct Message(String);
    impl tracing::field::Visit for Message {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
            if field.name() == "message" {
                self.0 = format!("{value:?}");
            }
        }
    }
    let mut m = Message(String::new());
    event.record(&mut m);
    let mut kept = WARNINGS.lock().unwrap_or_else(|e| e.into_inner());
    if !kept.contains(&m.0) {
        kept.push(m.0);
    }
}

/// The subscriber when nothing is traced: it keeps the engine's warnings
/// and ignores the rest, without the span registry (a slab of thousands of
/// slots) that a `tracing_subscriber` stack sets up at every start.
struct WarningsOnly;

impl tracing::Subscriber for WarningsOnly {
    fn register_callsite(
        &self,
        m: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        if self.enabled(m) {
            tracing::subscriber::Interest::always()
        } else {
            tracing::subscriber::Interest::never()
        }
    }
    fn enabled(&self, m: &tracing::Metadata<'_>) -> bool {
        m.is_event() && m.target() == hako::warnings::TARGET
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::WARN)
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        // Never called: no span is enabled.
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        keep_warning(event);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// The container chosen with the global `-c NAME` option, for this process.
pub static CONTAINER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The directory hako was started in, before `-C` (paths the user typed,
/// such as `run --auto-mount ./x`, mean the caller's).
pub static CALLER_CWD: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Open the workspace for the current directory (after `-C`), honouring
/// `HAKO_DIR` and `-c`.
pub fn open_workspace() -> anyhow::Result<Workspace> {
    let cwd = std::env::current_dir()?;
    Ok(Workspace::discover(
        &cwd,
        CONTAINER.get().map(String::as_str),
    )?)
}

/// The result of a write to stdout, as `hako::Error::Output`: `main` ends
/// the command quietly when stdout is a closed pipe (like `git log | head`).
pub fn out(r: std::io::Result<()>) -> anyhow::Result<()> {
    Ok(r.map_err(hako::Error::Output)?)
}

/// True if the command failed writing to a closed pipe: an output error,
/// or a bare io error from a `write!` to stdout.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let io = match c.downcast_ref::<hako::Error>() {
            Some(hako::Error::Output(io)) => Some(io),
            _ => c.downcast_ref::<std::io::Error>(),
        };
        io.is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

pub use hako::quote::quote_path;

/// Non-default metadata as ` key=value` fields (ls-tree and mktree share it).
pub fn meta_fields(m: &hako::prolly::dir::Meta) -> String {
    let mut s = String::new();
    if m.uid != 0 {
        s.push_str(&format!(" uid={}", m.uid));
    }
    if m.gid != 0 {
        s.push_str(&format!(" gid={}", m.gid));
    }
    if let Some((ma, mi)) = m.rdev {
        s.push_str(&format!(" rdev={ma},{mi}"));
    }
    if let Some(t) = m.mtime {
        s.push_str(&format!(" mtime={t}"));
        if m.mtime_nsec != 0 {
            s.push_str(&format!(".{:09}", m.mtime_nsec));
        }
    }
    for (n, v) in &m.xattrs {
        s.push_str(&format!(
            " xattr={}:{}",
            hako::oid::to_hex(n),
            hako::oid::to_hex(v)
        ));
    }
    if let Some(l) = &m.link {
        s.push_str(&format!(" link={}", hako::oid::to_hex(l)));
    }
    s
}

/// The object type an entry's id names: from the mode, except that a regular
/// file's content may be a `blob` or a chunked `file` (read from its header,
/// remembered per id).
pub struct EntryKinds<'a> {
    ws: &'a Workspace,
    seen: std::collections::HashMap<hako::ObjectId, &'static str>,
}

impl<'a> EntryKinds<'a> {
    pub fn new(ws: &'a Workspace) -> Self {
        EntryKinds {
            ws,
            seen: std::collections::HashMap::new(),
        }
    }

    pub fn kind(&mut self, e: &hako::prolly::dir::Entry) -> anyhow::Result<&'static str> {
        use hako::store::ObjectStore;
        if !e.is_file() {
            return Ok(e.kind_name());
        }
        if let Some(k) = self.seen.get(&e.id) {
            return Ok(k);
        }
        let k = match self.ws.odb.read_header(&e.id) {
            Ok((kind, _)) => kind.name(),
            // Trees made with `mktree --missing` may name absent objects.
            Err(hako::Error::NotFound(_)) => e.kind_name(),
            Err(err) => return Err(err.into()),
        };
        self.seen.insert(e.id, k);
        Ok(k)
    }
}

// `--heads` and `--tags` of a ref listing (show-ref, ls-remote): only
// branches, only tags, both, or (neither given) every ref. (A comment, not a
// doc comment: clap would make a flattened struct's doc the command's about.)
#[derive(clap::Args)]
pub struct RefKinds {
    /// Only branches (refs/heads/).
    #[arg(long)]
    pub heads: bool,
    /// Only tags (refs/tags/).
    #[arg(long)]
    pub tags: bool,
}

impl RefKinds {
    /// Whether the listing shows ref `name`: `refs/…`, or a wire name
    /// `containers/C/refs/…`.
    pub fn shows(&self, name: &str) -> bool {
        if !self.heads && !self.tags {
            return true;
        }
        let local = match name.strip_prefix("containers/") {
            Some(rest) => rest.split_once('/').map_or(rest, |(_, n)| n),
            None => name,
        };
        (self.heads && local.starts_with("refs/heads/"))
            || (self.tags && local.starts_with("refs/tags/"))
    }
}

/// One ls-tree line (without terminator).
pub fn ls_tree_line(e: &hako::prolly::dir::Entry, kind: &str, name: &str) -> String {
    format!(
        "{:06o} {} {}{}\t{}",
        e.mode,
        kind,
        e.id,
        meta_fields(&e.meta),
        name
    )
}

/// Print the warnings the engine recorded (`warning: …` on stderr).
pub fn print_warnings() {
    let kept = std::mem::take(&mut *WARNINGS.lock().unwrap_or_else(|e| e.into_inner()));
    for w in kept {
        eprintln!("warning: {}", terminal_safe(&w));
    }
}

/// The most characters of one message put on the terminal.
const SHOWN_MAX: usize = 2000;

/// `s` made safe to print: control characters (what a remote or a file may
/// carry to drive the terminal) shown as `\xNN` or `\u{NN}` escapes, and
/// anything past `SHOWN_MAX` characters cut with a note of how much.
pub fn terminal_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(SHOWN_MAX + 64));
    for (n, c) in s.chars().enumerate() {
        if n == SHOWN_MAX {
            let rest = s.chars().count() - n;
            out.push_str(&format!("... ({rest} more characters)"));
            break;
        }
        match c {
            c if (c as u32) < 0x80 && c.is_control() => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Open the workspace a server end (`upload-pack`, `receive-pack`) serves;
/// when that fails, tell the client why in the protocol (`ERR …`) first.
pub fn open_served_or_tell(dir: &std::path::Path) -> anyhow::Result<Workspace> {
    match hako::transport::connect::open_served(dir) {
        Ok(ws) => Ok(ws),
        Err(e) => {
            let mut w = hako::transport::pkt::PktWriter::new(std::io::stdout().lock());
            let _ = w.line(&format!("ERR {e}"));
            let _ = w.flush_io();
            Err(e.into())
        }
    }
}
