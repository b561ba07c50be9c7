//! The receiving end of a push, `receive-pack` (format-spec/protocol.md,
//! sections 7 and 8): advertise, read the commands and the pack, verify the
//! pack in quarantine (ids, types, delta bases, connectivity), admit it, then
//! update the refs by compare-and-swap — all of them or none with `atomic` —
//! and report per ref.
#![warn(missing_docs)]

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};

use crate::container;
use crate::error::{Error, Result};
use crate::links::Requires;
use crate::oid::ObjectId;
use crate::pack::quarantine;
use crate::refs::{Expect, PreparedRefs, RefStore, RefValue};
use crate::store::ObjectStore;
use crate::transport::advertise::{
    server_capabilities, split_wire_name, workspace_refs, write_advertisement, RECEIVE_CAPABILITIES,
};
use crate::transport::limits::SectionLimit;
use crate::transport::pkt::{BandWriter, PktReader, PktWriter, StreamReader};
use crate::transport::upload::{next_line, parse_id, refuse};
use crate::transport::TransportError;
use crate::workspace::Workspace;

/// One push command and what became of it.
#[derive(Clone, Debug)]
pub struct Command {
    /// The ref's id the client expects the server to have (zero: none).
    pub old: ObjectId,
    /// The id to set (zero: delete).
    pub new: ObjectId,
    /// The wire name.
    pub name: String,
    /// `None`: updated; `Some(reason)`: refused.
    pub error: Option<String>,
}

impl Command {
    fn split(&self) -> (&str, &str) {
        split_wire_name(&self.name).expect("checked when read")
    }
}

/// What a served push did.
#[derive(Debug, Default)]
pub struct Received {
    /// The commands, in the order received, each with its outcome.
    pub commands: Vec<Command>,
    /// Objects received (0 when no pack came).
    pub objects: usize,
    /// `None` when the pack was stored; else why it was refused.
    pub unpack_error: Option<String>,
}

/// Serve one push into workspace `ws` on `input`/`output`.
pub fn receive_pack<R: Read, W: Write>(ws: &Workspace, input: R, output: W) -> Result<Received> {
    // The packet trace tells the server's lines from the client's.
    let _role = tracing::trace_span!(target: "packet", "receive-pack").entered();
    let mut r = PktReader::new(input);
    let mut w = PktWriter::new(std::io::BufWriter::new(output));
    let refs = workspace_refs(ws)?;
    let caps = server_capabilities(ws, RECEIVE_CAPABILITIES);
    write_advertisement(&mut w, &refs, &caps)?;
    w.flush_io()?;
    let (mut cmds, caps) = match read_commands(&mut r) {
        Ok(c) => c,
        Err(e) => return Err(refuse(&mut w, e)),
    };
    let mut out = Received::default();
    if cmds.is_empty() {
        return Ok(out);
    }
    let has = |c: &str| caps.iter().any(|x| x == c);
    let (atomic, sideband, report) = (has("atomic"), has("side-band"), has("report-status"));
    for c in cmds.iter_mut() {
        if c.error.is_none() && c.new.is_zero() && !has("delete-refs") {
            c.error = Some("deletion prohibited".into());
        }
    }
    let q = receive_pack_data(ws, &mut r, &mut cmds, &mut out);
    if out.unpack_error.is_none() {
        if let Err(e) = update_refs(ws, &mut cmds, q, atomic) {
            for c in cmds.iter_mut().filter(|c| c.error.is_none()) {
                c.error = Some(format!("failed: {e}"));
            }
        }
    }
    // A dumb-HTTP mirror (it has info/refs) stays current (format-spec/dumb-http.md).
    if ws.dir.join("info").join("refs").is_file() && cmds.iter().any(|c| c.error.is_none()) {
        if let Err(e) = crate::transport::dumb::update_server_info(ws) {
            crate::warnings::warn(format!("update-server-info: {e}"));
        }
    }
    if report {
        send_report(ws, &mut w, &out, &cmds, sideband)?;
    }
    out.commands = cmds;
    Ok(out)
}

/// The command section, up to its flush, and the capabilities on its
/// first line; a command naming a ref it may not is refused, not an error.
fn read_commands<R: Read>(r: &mut PktReader<R>) -> Result<(Vec<Command>, Vec<String>)> {
    let mut cmds: Vec<Command> = Vec::new();
    let mut caps: Vec<String> = Vec::new();
    let mut limit = SectionLimit::new("commands");
    while let Some(line) = next_line(r)? {
        limit.take(line.len())?;
        let mut line = line.as_str();
        if let Some((l, c)) = line.split_once('\0') {
            if cmds.is_empty() {
                caps = c.split(' ').map(String::from).collect();
            }
            line = l;
        }
        let mut words = line.split(' ');
        let (Some(old), Some(new), Some(name), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            return Err(TransportError::BadLine {
                what: "malformed command",
                line: line.to_string(),
            }
            .into());
        };
        let (old, new) = (parse_id(old, line)?, parse_id(new, line)?);
        let valid = matches!(split_wire_name(name), Ok((_, n)) if n != "HEAD");
        cmds.push(Command {
            old,
            new,
            name: name.to_string(),
            error: (!valid).then(|| "invalid ref name".to_string()),
        });
    }
    Ok((cmds, caps))
}

/// The pack, into quarantine, when a command sets a value; why it was
/// refused goes to `out.unpack_error`, and every command fails with it.
fn receive_pack_data<'a, R: Read>(
    ws: &'a Workspace,
    r: &mut PktReader<R>,
    cmds: &mut [Command],
    out: &mut Received,
) -> Option<quarantine::Quarantine<'a>> {
    if !cmds.iter().any(|c| !c.new.is_zero()) {
        return None;
    }
    let mut q = None;
    let mut progress = |_: &[u8]| {};
    let mut stream = StreamReader::new(r, false, &mut progress);
    match quarantine::receive(&ws.odb, &mut stream, true) {
        Ok(qq) => {
            out.objects = qq.len();
            q = Some(qq);
        }
        Err(e) => {
            let why = stream.fault.0.clone().unwrap_or_else(|| e.to_string());
            out.unpack_error = Some(why);
        }
    }
    if out.unpack_error.is_none() && !stream.finished() {
        if let Err(e) = stream.drain() {
            out.unpack_error = Some(e.to_string());
        } else if !stream.finished() {
            out.unpack_error = Some("data after the pack".into());
        }
    }
    if out.unpack_error.is_some() {
        q = None;
        for c in cmds.iter_mut() {
            c.error = Some("unpacker error".into());
        }
    }
    q
}

/// The report (protocol.md section 8): `unpack`, then `ok` or `ng` per
/// command, on side-band channel 1 when the client asked for side-band.
fn send_report<W: Write>(
    ws: &Workspace,
    w: &mut PktWriter<W>,
    out: &Received,
    cmds: &[Command],
    sideband: bool,
) -> Result<()> {
    let mut rep = PktWriter::new(Vec::new());
    let root = ws.dir.parent().unwrap_or(&ws.dir);
    match &out.unpack_error {
        None => rep.line("unpack ok")?,
        Some(e) => rep.line(&format!("unpack {}", for_client(root, e)))?,
    }
    for c in cmds {
        match &c.error {
            None => rep.line(&format!("ok {}", c.name))?,
            Some(e) => rep.line(&format!("ng {} {}", c.name, for_client(root, e)))?,
        }
    }
    rep.flush_pkt()?;
    let bytes = rep.into_inner();
    if sideband {
        let mut band = BandWriter::new(w, 1);
        band.write_all(&bytes).map_err(TransportError::PeerIo)?;
        band.finish()?;
        w.flush_pkt()?;
    } else {
        w.get_mut()
            .write_all(&bytes)
            .map_err(TransportError::PeerIo)?;
    }
    w.flush_io()?;
    Ok(())
}

fn one_line(s: &str) -> String {
    s.replace('\n', " ").chars().take(500).collect()
}

/// A reason as the pushing client may see it (protocol.md section 8): one
/// line, paths relative to the workspace `root`, no OS error numbers.
fn for_client(root: &std::path::Path, s: &str) -> String {
    let mut s = s.replace(&format!("{}/", root.display()), "");
    while let Some(at) = s.find(" (os error ") {
        match s[at..].find(')') {
            Some(end) => s.replace_range(at..at + end + 1, ""),
            None => break,
        }
    }
    one_line(&s)
}

/// Check and apply the commands not already refused.
fn update_refs(
    ws: &Workspace,
    cmds: &mut [Command],
    q: Option<quarantine::Quarantine>,
    atomic: bool,
) -> Result<()> {
    // Connectivity: everything each new value needs, each of the type its
    // place requires (a branch: a commit; a tag: a commit or a tag).
    if let Some(q) = &q {
        let tips: Vec<(ObjectId, Requires)> = cmds
            .iter()
            .filter(|c| c.error.is_none() && !c.new.is_zero())
            .map(|c| (c.new, Requires::of_ref(c.split().1)))
            .collect();
        let shallow = ws.odb.shallow()?;
        if q.check_connected_as(&tips, &shallow).is_err() {
            for c in cmds.iter_mut() {
                if c.error.is_none() && !c.new.is_zero() {
                    let want = Requires::of_ref(c.split().1);
                    match q.read_header(&c.new) {
                        Ok((kind, _)) if !want.admits(kind) => {
                            c.error = Some(format!("not a {}", want.name()));
                            continue;
                        }
                        _ => {}
                    }
                    if let Err(e) = q.check_connected_as(&[(c.new, want)], &shallow) {
                        let e = e.to_string();
                        c.error = Some(match e.strip_prefix("missing objects: ") {
                            Some(what) => format!("missing objects ({what})"),
                            None => format!("invalid objects ({e})"),
                        });
                    }
                }
            }
        }
    }
    let store: &dyn ObjectStore = match &q {
        Some(q) => q,
        None => &ws.odb,
    };
    let deny_ff = ws
        .config
        .get_bool("receive.denynonfastforwards")
        .unwrap_or(false);
    let deny_current = ws
        .config
        .get("receive.denycurrentbranch")
        .unwrap_or("updateInstead")
        .to_ascii_lowercase();
    // Per-command checks that need no lock.
    for c in cmds.iter_mut().filter(|c| c.error.is_none()) {
        let (cname, _) = split_wire_name(&c.name)?;
        let refs = RefStore::new(&ws.container_dir(cname));
        let exists = ws.container_dir(cname).join("HEAD").is_file();
        let current = if exists {
            refs.resolve(c.split().1)?
        } else {
            None
        };
        if current.unwrap_or(ObjectId::ZERO) != c.old {
            c.error = Some("stale info".into());
            continue;
        }
        if deny_ff && !c.old.is_zero() && !c.new.is_zero() {
            let ff = store.contains(&c.old)?
                && crate::revwalk::is_ancestor(store, c.old, c.new).unwrap_or(false);
            if !ff {
                c.error = Some("non-fast-forward".into());
                continue;
            }
        }
        if exists {
            if let Some(RefValue::Symbolic(t)) = refs.read("HEAD")? {
                if t == c.split().1 {
                    if c.new.is_zero() {
                        c.error = Some("deletion of the current branch prohibited".into());
                    } else if deny_current == "refuse" {
                        c.error = Some("deny current branch".into());
                    }
                }
            }
        }
    }
    if atomic && cmds.iter().any(|c| c.error.is_some()) {
        for c in cmds.iter_mut().filter(|c| c.error.is_none()) {
            c.error = Some("atomic push failed".into());
        }
        return Ok(());
    }
    if !cmds.iter().any(|c| c.error.is_none()) {
        return Ok(());
    }
    if let Some(q) = q {
        if cmds.iter().any(|c| c.error.is_none() && !c.new.is_zero()) {
            q.admit()?;
        }
    }
    let who = ws.committer()?;
    let groups: Vec<Vec<usize>> = if atomic {
        vec![(0..cmds.len())
            .filter(|&i| cmds[i].error.is_none())
            .collect()]
    } else {
        (0..cmds.len())
            .filter(|&i| cmds[i].error.is_none())
            .map(|i| vec![i])
            .collect()
    };
    for group in groups {
        if let Err(e) = apply_group(ws, cmds, &group, deny_current != "ignore", &who) {
            let why = match &e {
                Error::RefMismatch { .. } => "stale info".to_string(),
                e => e.to_string(),
            };
            for &i in &group {
                cmds[i].error = Some(if atomic && group.len() > 1 {
                    format!("atomic push failed ({why})")
                } else {
                    why.clone()
                });
            }
        }
    }
    Ok(())
}

/// Apply the commands `group` together: every ref and working-root lock
/// taken and every check passed before anything moves.
fn apply_group(
    ws: &Workspace,
    cmds: &[Command],
    group: &[usize],
    update_instead: bool,
    who: &crate::identity::Signature,
) -> Result<()> {
    let mut by_container: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in group {
        by_container
            .entry(cmds[i].split().0.to_string())
            .or_default()
            .push(i);
    }
    // New containers.
    let mut created = Vec::new();
    for (cname, idx) in &by_container {
        if !ws.container_dir(cname).join("HEAD").is_file() {
            ws.create_container(cname)?;
            created.push(cname.clone());
            let branches: Vec<&str> = idx
                .iter()
                .map(|&i| cmds[i].split().1)
                .filter(|n| n.starts_with("refs/heads/"))
                .collect();
            let head = if branches.contains(&"refs/heads/main") {
                Some("refs/heads/main")
            } else {
                branches.first().copied()
            };
            if let Some(h) = head {
                RefStore::new(&ws.container_dir(cname)).set_symbolic("HEAD", h)?;
            }
        }
    }
    let result = (|| {
        let stores: HashMap<String, RefStore> = by_container
            .keys()
            .map(|c| (c.clone(), RefStore::new(&ws.container_dir(c))))
            .collect();
        // Working roots of containers whose checked-out branch moves.
        let mut working = Vec::new();
        for (cname, idx) in &by_container {
            let refs = &stores[cname];
            let Some(RefValue::Symbolic(head)) = refs.read("HEAD")? else {
                continue;
            };
            let Some(&i) = idx.iter().find(|&&i| cmds[i].split().1 == head) else {
                continue;
            };
            if !update_instead || cmds[i].new.is_zero() {
                continue;
            }
            let cws = Workspace::open_with(&ws.dir, Some(cname))?;
            if crate::merge::state::read_state(&cws.refs)?.is_some() {
                return Err(TransportError::DenyCurrentBranch.into());
            }
            let was = container::read_working(&cws)?;
            let head_tree = container::head_tree(&cws)?;
            if container::working_root(&cws)? != head_tree {
                return Err(TransportError::DenyCurrentBranch.into());
            }
            let lock = container::lock_working(&cws, was)?;
            let tree = container::commit_tree_of(&cws, &cmds[i].new)?;
            working.push((lock, tree));
        }
        let mut prepared: Vec<PreparedRefs> = Vec::new();
        for (cname, idx) in &by_container {
            let mut tx = stores[cname].transaction();
            for &i in idx {
                let c = &cmds[i];
                let name = c.split().1;
                let expect = if c.old.is_zero() {
                    Expect::Absent
                } else {
                    Expect::Value(c.old)
                };
                if c.new.is_zero() {
                    tx.delete(name, expect, "push: delete");
                } else {
                    tx.update(name, c.new, expect, "push");
                }
            }
            prepared.push(tx.prepare()?);
        }
        for p in prepared {
            p.commit(who)?;
        }
        for (lock, tree) in working {
            lock.commit(tree)?;
        }
        Ok(())
    })();
    if result.is_err() {
        for c in created {
            let _ = ws.delete_container(&c);
        }
    }
    result
}
