//! `hako for-each-ref`: list refs with a `%(atom)` format.

use std::io::Write;

use anyhow::bail;

use hako::object::{CommitRef, ObjectType, TagRef};
use hako::store::ObjectStore;
use hako::workspace::Workspace;
use hako::ObjectId;

#[derive(clap::Args)]
pub struct Args {
    /// Format with %(objectname), %(objectname:short), %(objecttype),
    /// %(refname), %(refname:short), %(subject), %(authorname),
    /// %(authoremail), %(authordate), %(committerdate); %% and %xx hex escapes.
    #[arg(long, default_value = "%(objectname) %(objecttype)\t%(refname)")]
    format: String,
    /// Sort key: refname, objectname, committerdate or authordate; prefix `-` to reverse.
    #[arg(long, default_value = "refname", allow_hyphen_values = true)]
    sort: String,
    /// Show at most N refs.
    #[arg(long, value_name = "N")]
    count: Option<usize>,
    /// Ref name prefixes (e.g. refs/heads); whole components only.
    patterns: Vec<String>,
}

struct RefInfo {
    name: String,
    id: ObjectId,
    kind: ObjectType,
    subject: String,
    author: Option<hako::identity::Signature>,
    committer: Option<hako::identity::Signature>,
}

fn info(ws: &Workspace, name: String, id: ObjectId) -> anyhow::Result<RefInfo> {
    let o = ws.odb.read(&id)?;
    let mut r = RefInfo {
        name,
        id,
        kind: o.kind,
        subject: String::new(),
        author: None,
        committer: None,
    };
    match o.kind {
        ObjectType::Commit => {
            let c = CommitRef::parse(&o.data)?;
            r.subject = c.summary();
            r.author = Some(c.author_sig());
            r.committer = Some(c.committer_sig());
        }
        ObjectType::Tag => {
            let t = TagRef::parse(&o.data)?;
            r.subject = String::from_utf8_lossy(t.message)
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            r.committer = hako::identity::Signature::parse(t.tagger).ok();
        }
        _ => {}
    }
    Ok(r)
}

fn short_name(n: &str) -> &str {
    for p in ["refs/heads/", "refs/tags/", "refs/remotes/", "refs/"] {
        if let Some(s) = n.strip_prefix(p) {
            return s;
        }
    }
    n
}

fn atom(r: &RefInfo, name: &str) -> anyhow::Result<String> {
    let sig_date = |s: &Option<hako::identity::Signature>| {
        s.as_ref()
            .map(|s| format!("{} {}", s.seconds, s.tz_string()))
            .unwrap_or_default()
    };
    Ok(match name {
        "objectname" => r.id.to_hex(),
        "objectname:short" => r.id.short(),
        "objecttype" => r.kind.to_string(),
        "refname" => r.name.clone(),
        "refname:short" => short_name(&r.name).to_string(),
        "subject" => r.subject.clone(),
        "authorname" => r
            .author
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        "authoremail" => r
            .author
            .as_ref()
            .map(|s| format!("<{}>", s.email))
            .unwrap_or_default(),
        "authordate" => sig_date(&r.author),
        "committerdate" => sig_date(&r.committer),
        _ => bail!("unknown field name: {name}"),
    })
}

fn render(fmt: &str, r: &RefInfo) -> anyhow::Result<String> {
    let mut out = String::new();
    let mut rest = fmt;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(r2) = rest.strip_prefix('%') {
            out.push('%');
            rest = r2;
        } else if let Some(r2) = rest.strip_prefix('(') {
            let close = r2
                .find(')')
                .ok_or_else(|| anyhow::anyhow!("malformed format string {fmt}"))?;
            out.push_str(&atom(r, &r2[..close])?);
            rest = &r2[close + 1..];
        } else if rest.len() >= 2 && u8::from_str_radix(&rest[..2], 16).is_ok() {
            out.push(u8::from_str_radix(&rest[..2], 16).unwrap() as char);
            rest = &rest[2..];
        } else {
            out.push('%');
        }
    }
    out.push_str(rest);
    Ok(out)
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    // Validate the format once, up front, even if there are no refs.
    let probe = RefInfo {
        name: String::new(),
        id: ObjectId::ZERO,
        kind: ObjectType::Blob,
        subject: String::new(),
        author: None,
        committer: None,
    };
    render(&a.format, &probe)?;
    let mut refs = Vec::new();
    for (name, id) in ws.refs.list("refs/")? {
        let keep = a.patterns.is_empty()
            || a.patterns.iter().any(|p| {
                let p = p.trim_end_matches('/');
                name == p || name.starts_with(&format!("{p}/"))
            });
        if keep {
            refs.push(info(&ws, name, id)?);
        }
    }
    let (rev, key) = match a.sort.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, a.sort.as_str()),
    };
    let date =
        |s: &Option<hako::identity::Signature>| s.as_ref().map(|s| s.seconds).unwrap_or(i64::MIN);
    match key {
        "refname" => refs.sort_by(|x, y| x.name.cmp(&y.name)),
        "objectname" => refs.sort_by(|x, y| x.id.cmp(&y.id)),
        "committerdate" => refs.sort_by_key(|x| date(&x.committer)),
        "authordate" => refs.sort_by_key(|x| date(&x.author)),
        k => bail!("unknown sort key: {k}"),
    }
    if rev {
        refs.reverse();
    }
    if let Some(n) = a.count {
        refs.truncate(n);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for r in &refs {
        super::out(writeln!(out, "{}", render(&a.format, r)?))?;
    }
    super::out(out.flush())?;
    Ok(0)
}
