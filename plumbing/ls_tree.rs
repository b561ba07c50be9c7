//! `hako ls-tree`: list a tree's entries (`<mode> <type> <id>\t<name>`).

use std::io::Write;

use anyhow::bail;

use hako::prolly::dir::{self, Entry, TreeCursor};
use hako::prolly::file;
use hako::revparse::rev_parse_tree;
use hako::workspace::Workspace;
use hako::ObjectId;

#[derive(clap::Args)]
pub struct Args {
    /// Recurse into subdirectories (listing only non-directories, unless -t).
    #[arg(short = 'r')]
    recursive: bool,
    /// With -r, also show the directories themselves.
    #[arg(short = 't')]
    show_trees: bool,
    /// Only directories.
    #[arg(short = 'd')]
    dirs_only: bool,
    /// Terminate lines with NUL and do not quote names.
    #[arg(short = 'z')]
    nul: bool,
    /// Print only names.
    #[arg(long)]
    name_only: bool,
    /// Show file sizes.
    #[arg(short = 'l', long)]
    long: bool,
    /// A tree-ish: tree id, commit, ref, or REV:DIR.
    tree: String,
    /// Only this path inside the tree: the entry itself, as in git (`DIR`
    /// prints the directory's own line); `DIR/`, or `-r`, lists its contents.
    path: Option<String>,
}

struct Printer<'a> {
    ws: &'a Workspace,
    kinds: super::EntryKinds<'a>,
    a: &'a Args,
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
}

impl Printer<'_> {
    fn print(&mut self, e: &Entry, path: &[u8]) -> anyhow::Result<()> {
        // With -z the name goes out as its bytes: it need not be UTF-8.
        let name: Vec<u8> = if self.a.nul {
            path.to_vec()
        } else {
            super::quote_path(path).into_bytes()
        };
        let term: &[u8] = if self.a.nul { b"\0" } else { b"\n" };
        let head = if self.a.name_only {
            String::new()
        } else if self.a.long {
            let size = if e.is_file() || e.is_symlink() {
                file::size(&self.ws.odb, &e.id)?.to_string()
            } else {
                "-".to_string()
            };
            format!(
                "{:06o} {} {}{} {size:>7}\t",
                e.mode,
                self.kinds.kind(e)?,
                e.id,
                super::meta_fields(&e.meta)
            )
        } else {
            super::ls_tree_line(e, self.kinds.kind(e)?, "")
        };
        super::out(self.out.write_all(head.as_bytes()))?;
        super::out(self.out.write_all(&name))?;
        super::out(self.out.write_all(term))
    }

    /// Print `tree`'s entries below `prefix`; with `-r`, directories are
    /// open cursors on an explicit stack (a tree may nest arbitrarily deep).
    fn walk(&mut self, tree: &ObjectId, prefix: &[u8]) -> anyhow::Result<()> {
        let odb = &self.ws.odb;
        // One path buffer; each open directory remembers its own length.
        let mut path = prefix.to_vec();
        let mut stack = vec![(TreeCursor::new(odb, tree)?, path.len())];
        while let Some((cursor, base)) = stack.last_mut() {
            let base = *base;
            let Some(e) = cursor.next() else {
                stack.pop();
                continue;
            };
            let e = e?;
            path.truncate(base);
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(&e.name);
            let is_dir = e.is_dir();
            if self.a.recursive && is_dir {
                if self.a.show_trees || self.a.dirs_only {
                    self.print(&e, &path)?;
                }
                stack.push((TreeCursor::new(odb, &e.id)?, path.len()));
            } else if !self.a.dirs_only || is_dir {
                self.print(&e, &path)?;
            }
        }
        Ok(())
    }
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let ws = super::open_workspace()?;
    let tree = rev_parse_tree(ws.repo(), &a.tree)?;
    let mut p = Printer {
        ws: &ws,
        kinds: super::EntryKinds::new(&ws),
        a: &a,
        out: std::io::BufWriter::new(std::io::stdout().lock()),
    };
    match &a.path {
        None => p.walk(&tree, b"")?,
        Some(path) => {
            let comps = dir::split_path(path)?;
            if comps.is_empty() {
                p.walk(&tree, b"")?;
            } else {
                match dir::lookup_path(&ws.odb, &tree, &comps)? {
                    None => bail!("path '{path}' does not exist in '{}'", a.tree),
                    Some(e) if e.is_dir() && (path.ends_with('/') || a.recursive) => {
                        let prefix = comps.join(&b'/');
                        if a.recursive && !path.ends_with('/') && (a.show_trees || a.dirs_only) {
                            p.print(&e, &prefix)?;
                        }
                        p.walk(&e.id, &prefix)?;
                    }
                    Some(e) => {
                        let full = comps.join(&b'/');
                        p.print(&e, &full)?;
                    }
                }
            }
        }
    }
    super::out(p.out.flush())?;
    Ok(0)
}
