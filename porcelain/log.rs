//! `hako log`: show history, walking the commit graph.

use std::collections::HashSet;
use std::io::Write;

use hako::object::{CommitRef, ObjectType};
use hako::prolly::dir::diff_recursive;
use hako::revparse::peel_to_commit;
use hako::revwalk::{walk, WalkOptions};
use hako::store::ObjectStore;
use hako::workspace::Workspace;
use hako::worktree;
use hako::ObjectId;

use crate::plumbing;
use crate::porcelain::patch;

#[derive(clap::Args)]
pub struct Args {
    /// One line per commit: short id and subject.
    #[arg(long)]
    oneline: bool,
    /// How each commit is shown: oneline, medium (the default), or a
    /// format with placeholders (%H %h %T %t %P %p %an %ae %ad %at %ar %cn
    /// %ce %cd %ct %cr %s %b %n %%), given bare or as format:/tformat:.
    #[arg(long, visible_alias = "pretty", value_name = "FORMAT")]
    format: Option<String>,
    /// Show at most N commits.
    #[arg(short = 'n', long = "max-count", value_name = "N")]
    max_count: Option<usize>,
    /// Follow only first parents.
    #[arg(long)]
    first_parent: bool,
    /// Start from every ref of the container (branches, tags and HEAD), as if listed as REVs.
    #[arg(long)]
    all: bool,
    /// Show each commit's patch against its first parent (none for merges).
    #[arg(short = 'p', long = "patch")]
    patch: bool,
    /// Show each commit's diffstat against its first parent (none for merges).
    #[arg(long)]
    stat: bool,
    /// Draw the history as a text graph beside the commits (`*` a commit, `|`, `\`, `/` lines of descent).
    #[arg(long)]
    graph: bool,
    /// Revisions (default HEAD); `^REV` and `A..B` exclude.
    #[arg(value_name = "REV")]
    revs: Vec<String>,
    /// Only commits that change these paths.
    #[arg(last = true, value_name = "PATH")]
    paths: Vec<String>,
}

/// True if the commit changes something under the prefixes (against its first parent).
fn touches(ws: &Workspace, c: &CommitRef, prefixes: &[Vec<Vec<u8>>]) -> anyhow::Result<bool> {
    let parent_tree = match c.parents.first() {
        Some(p) => hako::container::commit_tree_of(ws, p)?,
        None => hako::object::empty_tree_id(),
    };
    for p in prefixes {
        let a = worktree::lookup(&ws.odb, &parent_tree, p)?;
        let b = worktree::lookup(&ws.odb, &c.tree, p)?;
        if a != b {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Every ref of the container that names a commit (tags peeled), HEAD first.
fn all_refs(ws: &Workspace) -> anyhow::Result<Vec<ObjectId>> {
    let mut tips = Vec::new();
    if let Some(id) = ws.refs.resolve("HEAD")? {
        tips.push(id);
    }
    for (_, id) in ws.refs.list("refs/")? {
        // A tag may name a tree or a blob: not history, skipped as git does.
        if let Ok(c) = peel_to_commit(&ws.odb, id) {
            tips.push(c);
        }
    }
    tips.dedup();
    Ok(tips)
}

/// The commit's diff against its first parent (the empty tree for a root),
/// limited to the paths; merges have none.
fn changes_of(
    ws: &Workspace,
    c: &CommitRef,
    prefixes: &[Vec<Vec<u8>>],
) -> anyhow::Result<Option<Vec<hako::prolly::dir::PathChange>>> {
    let parent_tree = match c.parents.as_slice() {
        [] => hako::object::empty_tree_id(),
        [p] => hako::container::commit_tree_of(ws, p)?,
        _ => return Ok(None),
    };
    let mut changes = Vec::new();
    diff_recursive(&ws.odb, &parent_tree, &c.tree, true, b"", &mut changes)?;
    Ok(Some(patch::filter(changes, prefixes)))
}

/// Seconds since the epoch, for relative dates.
fn instance_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A `--format` string: `format:X` separates commits by a newline, `tformat:X`
/// and a bare `X` end each with one (as git).
enum Pretty {
    Medium,
    Oneline,
    Format { text: String, terminated: bool },
}

fn pretty(f: Option<&str>, oneline: bool) -> anyhow::Result<Pretty> {
    Ok(match f {
        _ if oneline => Pretty::Oneline,
        None | Some("medium") => Pretty::Medium,
        Some("oneline") => Pretty::Oneline,
        Some(f) => match (f.strip_prefix("format:"), f.strip_prefix("tformat:")) {
            (Some(t), _) => Pretty::Format {
                text: t.to_string(),
                terminated: false,
            },
            (_, Some(t)) => Pretty::Format {
                text: t.to_string(),
                terminated: true,
            },
            _ if f.contains('%') => Pretty::Format {
                text: f.to_string(),
                terminated: true,
            },
            _ => {
                return Err(plumbing::usage(format!(
                    "--format '{f}': expected oneline, medium, format:… or a string with %-placeholders"
                )))
            }
        },
    })
}

/// Expand the placeholders of FMT for commit ID.
fn format_commit(fmt: &str, id: &ObjectId, c: &CommitRef, now: i64) -> anyhow::Result<String> {
    let bad = || plumbing::usage(format!("--format: unknown placeholder in '{fmt}'"));
    let message = String::from_utf8_lossy(c.message);
    let body = message.split_once("\n\n").map_or("", |(_, b)| b).trim_end();
    let mut out = String::new();
    let mut it = fmt.chars();
    while let Some(ch) = it.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        let s = match it.next().ok_or_else(bad)? {
            'H' => id.to_string(),
            'h' => id.short(),
            'T' => c.tree.to_string(),
            't' => c.tree.short(),
            'P' => c
                .parents
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(" "),
            'p' => c
                .parents
                .iter()
                .map(|p| p.short())
                .collect::<Vec<_>>()
                .join(" "),
            's' => c.summary(),
            'b' => body.to_string(),
            'n' => "\n".into(),
            '%' => "%".into(),
            who @ ('a' | 'c') => {
                let sig = if who == 'a' {
                    c.author_sig()
                } else {
                    c.committer_sig()
                };
                match it.next().ok_or_else(bad)? {
                    'n' => sig.name,
                    'e' => sig.email,
                    'd' => sig.date_string(),
                    't' => sig.seconds.to_string(),
                    'r' => crate::porcelain::ago(now.saturating_sub(sig.seconds).max(0) as u64),
                    _ => return Err(bad()),
                }
            }
            _ => return Err(bad()),
        };
        out.push_str(&s);
    }
    Ok(out)
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    let (mut inc, exc) = if a.revs.is_empty() && !a.all {
        if ws.refs.resolve("HEAD")?.is_none() {
            let branch = ws.refs.head_target()?.unwrap_or_else(|| "HEAD".into());
            anyhow::bail!(
                "your current branch '{}' does not have any commits yet",
                branch.trim_start_matches("refs/heads/")
            );
        }
        hako::revparse::commit_ranges(ws.repo(), &["HEAD".to_string()])?
    } else {
        hako::revparse::commit_ranges(ws.repo(), &a.revs)?
    };
    if a.all {
        inc.extend(all_refs(&ws)?);
    }
    let cwd = hako::container::cwd(&ws)?;
    let prefixes: Vec<Vec<Vec<u8>>> = a
        .paths
        .iter()
        .map(|p| hako::container::resolve_path(&cwd, p))
        .collect::<Result<_, _>>()?;
    let opts = WalkOptions {
        first_parent: a.first_parent,
        limit: if prefixes.is_empty() {
            a.max_count
        } else {
            None
        },
    };
    let mut commits = walk(&ws.odb, &inc, &exc, &opts)?;
    if !prefixes.is_empty() {
        let mut kept = Vec::new();
        for wc in commits {
            let o = ws.odb.read_typed(&wc.id, ObjectType::Commit)?;
            if touches(&ws, &CommitRef::parse(&o.data)?, &prefixes)? {
                kept.push(wc);
                if a.max_count.is_some_and(|n| kept.len() >= n) {
                    break;
                }
            }
        }
        commits = kept;
    }
    let style = pretty(a.format.as_deref(), a.oneline)?;
    // One line per commit: no blank line between them, patches right below.
    let oneline = !matches!(style, Pretty::Medium);
    let now = instance_now();
    let shown: HashSet<ObjectId> = commits.iter().map(|c| c.id).collect();
    let mut graph = a.graph.then(Graph::default);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, wc) in commits.iter().enumerate() {
        let o = ws.odb.read_typed(&wc.id, ObjectType::Commit)?;
        let c = CommitRef::parse(&o.data)?;
        let last = i + 1 == commits.len();
        let mut text: Vec<u8> = Vec::new();
        // A shallow commit's history is cut here (sync.md).
        let grafted = if !c.parents.is_empty() && wc.parents.is_empty() {
            " (grafted)"
        } else {
            ""
        };
        if let Pretty::Format {
            text: f,
            terminated,
        } = &style
        {
            text.extend_from_slice(format_commit(f, &wc.id, &c, now)?.as_bytes());
            if *terminated || !last {
                writeln!(text)?;
            }
        } else if oneline {
            writeln!(text, "{}{grafted} {}", wc.id.short(), c.summary())?;
        } else {
            if i > 0 && graph.is_none() {
                writeln!(text)?;
            }
            crate::porcelain::write_commit_medium(&mut text, &wc.id, &c, grafted)?;
        }
        if a.patch || a.stat {
            if let Some(changes) = changes_of(&ws, &c, &prefixes)? {
                if !oneline {
                    writeln!(text)?;
                }
                if a.stat {
                    patch::write_stat(&ws.odb, &changes, &mut text)?;
                }
                if a.patch {
                    if a.stat {
                        writeln!(text)?;
                    }
                    patch::write_patch(&ws.odb, &changes, &mut text)?;
                }
            }
        }
        match &mut graph {
            None => plumbing::out(out.write_all(&text))?,
            Some(g) => {
                if !oneline && !last {
                    writeln!(text)?;
                }
                let parents: Vec<ObjectId> = c
                    .parents
                    .iter()
                    .take(if a.first_parent { 1 } else { usize::MAX })
                    .filter(|p| shown.contains(p))
                    .copied()
                    .collect();
                let rows = g.next(wc.id, &parents);
                for line in rows.beside(&String::from_utf8_lossy(&text)) {
                    plumbing::out(writeln!(out, "{line}"))?;
                }
            }
        }
    }
    plumbing::out(out.flush())?;
    Ok(0)
}

/// The text graph of `log --graph`, drawn as git draws the usual shapes: one
/// column per line of descent, `*` for the commit, `\` where a merge's other
/// parents branch off to the right, `/` where two lines reach the same commit.
#[derive(Default)]
struct Graph {
    /// The commit each column leads to next.
    columns: Vec<ObjectId>,
}

/// The graph rows for one commit: its own row, the rows that rearrange the
/// columns after it, and the row that continues beside further text.
struct GraphRows {
    rows: Vec<String>,
    padding: String,
}

/// A row of `n` columns: column k at character 2k.
fn row(n: usize) -> Vec<char> {
    vec![' '; (2 * n).saturating_sub(1)]
}

impl Graph {
    fn next(&mut self, id: ObjectId, parents: &[ObjectId]) -> GraphRows {
        let col = match self.columns.iter().position(|c| *c == id) {
            Some(i) => i,
            None => {
                self.columns.push(id);
                self.columns.len() - 1
            }
        };
        let mut rows = Vec::new();
        let mut r = row(self.columns.len());
        for k in 0..self.columns.len() {
            r[2 * k] = if k == col { '*' } else { '|' };
        }
        rows.push(r);
        let right = self.columns.split_off(col + 1);
        self.columns.pop();
        match parents.split_first() {
            None if !right.is_empty() => {
                // The line ends here: the columns to its right move left.
                let mut r = row(col + 1 + right.len());
                for k in 0..col {
                    r[2 * k] = '|';
                }
                for k in col + 1..=col + right.len() {
                    r[2 * k - 1] = '/';
                }
                rows.push(r);
            }
            None => {}
            Some((first, others)) => {
                self.columns.push(*first);
                for p in others {
                    // The new column at q, the columns to its right one further.
                    let q = self.columns.len();
                    let mut r = row(q + right.len() + 1);
                    for k in 0..q {
                        r[2 * k] = '|';
                    }
                    r[2 * q - 1] = '\\';
                    for j in 0..right.len() {
                        r[2 * (q + j) + 1] = '\\';
                    }
                    rows.push(r);
                    self.columns.push(*p);
                }
            }
        }
        self.columns.extend(right);
        // Lines that reach the same commit join into the leftmost.
        while let Some(j) =
            (1..self.columns.len()).find(|&j| self.columns[..j].contains(&self.columns[j]))
        {
            let mut r = row(self.columns.len());
            for k in 0..j {
                r[2 * k] = '|';
            }
            for k in j..self.columns.len() {
                r[2 * k - 1] = '/';
            }
            rows.push(r);
            self.columns.remove(j);
        }
        let mut padding = row(self.columns.len());
        for k in 0..self.columns.len() {
            padding[2 * k] = '|';
        }
        GraphRows {
            rows: rows.into_iter().map(|r| r.into_iter().collect()).collect(),
            padding: padding.into_iter().collect(),
        }
    }
}

impl GraphRows {
    /// TEXT's lines with the graph on their left (extra graph rows stand alone).
    fn beside(&self, text: &str) -> Vec<String> {
        let lines: Vec<&str> = text.lines().collect();
        let width = self
            .rows
            .iter()
            .chain([&self.padding])
            .map(|r| r.chars().count())
            .max()
            .unwrap_or(0);
        (0..lines.len().max(self.rows.len()))
            .map(|i| {
                let g = self.rows.get(i).unwrap_or(&self.padding);
                match lines.get(i) {
                    Some(t) if !t.is_empty() => format!("{g:<width$} {t}"),
                    _ => g.trim_end().to_string(),
                }
            })
            .collect()
    }
}
