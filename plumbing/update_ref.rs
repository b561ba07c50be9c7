//! `hako update-ref`: set or delete a ref under a lock, with compare-and-swap.

use hako::refs::Expect;
use hako::revparse::rev_parse;
use hako::workspace::Workspace;
use hako::ObjectId;

#[derive(clap::Args)]
pub struct Args {
    /// Delete the ref.
    #[arg(short = 'd')]
    delete: bool,
    /// Reflog message.
    #[arg(short = 'm', value_name = "MSG", default_value = "update-ref")]
    message: String,
    /// The full ref name (e.g. refs/heads/main, HEAD).
    name: String,
    /// The new value (any revision) — or, with -d, the expected old value.
    new: Option<String>,
    /// The expected old value; the zero id or "" means "must not exist".
    old: Option<String>,
}

/// Parse an expected-old-value argument.
pub fn parse_old(ws: &Workspace, s: &str) -> anyhow::Result<Expect> {
    if s.is_empty() || (s.len() == 64 && s.bytes().all(|c| c == b'0')) {
        return Ok(Expect::Absent);
    }
    if s.len() == 64 {
        // A full id need not be stored (the ref may point at a lost object).
        return Ok(Expect::Value(ObjectId::from_hex(s)?));
    }
    Ok(Expect::Value(rev_parse(ws.repo(), s)?))
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    hako::refs::check_ref_name(&a.name)?;
    let who = ws.committer()?;
    if a.delete {
        if a.old.is_some() {
            return Err(super::usage("hako update-ref -d REF [OLD]"));
        }
        let expect = match &a.new {
            Some(o) => parse_old(&ws, o)?,
            None => Expect::Any,
        };
        ws.refs.delete(&a.name, expect, &who, &a.message)?;
        return Ok(0);
    }
    let Some(new) = &a.new else {
        return Err(super::usage("hako update-ref REF NEW [OLD]"));
    };
    let new = rev_parse(ws.repo(), new)?;
    let expect = match &a.old {
        Some(o) => parse_old(&ws, o)?,
        None => Expect::Any,
    };
    ws.refs.update(&a.name, new, expect, &who, &a.message)?;
    Ok(0)
}
