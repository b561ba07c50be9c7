//! The configuration files, in git's config format (format-spec/config.md):
//! the reader, the writer that edits entries in place, and the integer rule
//! (sizes with `k`/`m`/`g`/`t`) every size setting is read with.
#![warn(missing_docs)]

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Result;

/// Why a configuration file or name was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A line does not parse.
    #[error("{}:{line}: {what}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        what: String,
    },
    /// The file could not be read or written.
    #[error("{}: {err}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system reported.
        err: std::io::Error,
    },
    /// A key is not `section.[sub.]name`.
    #[error("bad config key '{0}': use section.[sub.]name")]
    BadKey(String),
    /// Another process holds the file's lock.
    #[error("{} is locked by another process", .0.display())]
    Locked(PathBuf),
}

/// One `key = value` of a file, in file order.
#[derive(Clone, Debug)]
pub struct Entry {
    /// `section.key` or `section.subsection.key`, section and key lowercased.
    pub name: String,
    /// `None`: the key has no `=` (true as a boolean).
    pub value: Option<String>,
    /// The line (from 1) the key is on.
    pub line: usize,
    /// Byte range in the file: the key's first byte to the end of its line
    /// (before LF), for the writer.
    start: usize,
    end: usize,
    /// Index of the section header it is under.
    header: usize,
    /// Index of its file in `Config::files`.
    file: usize,
}

/// A section header: its section (`remote.Origin`) and byte range.
#[derive(Clone, Debug)]
struct Header {
    section: String,
    start: usize,
    end: usize,
}

/// The entries of one file or of several read in order (later wins).
#[derive(Default, Clone, Debug)]
pub struct Config {
    entries: Vec<Entry>,
    headers: Vec<Header>,
    /// The files read, in order.
    files: Vec<PathBuf>,
}

impl Config {
    /// Parse the text of `path` (named in errors).
    pub fn parse(text: &str, path: &Path) -> std::result::Result<Config, ConfigError> {
        Parser::new(text, path).run()
    }

    /// Read and parse `path`; a missing file is an empty config.
    pub fn read(path: &Path) -> std::result::Result<Config, ConfigError> {
        match fs::read(path) {
            Ok(bytes) => Config::parse(utf8(&bytes, path)?, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(err) => Err(ConfigError::Io {
                path: path.to_path_buf(),
                err,
            }),
        }
    }

    /// The user config: `$XDG_CONFIG_HOME/hako/config`, else `~/.config/hako/config`.
    pub fn user_path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("hako").join("config"))
    }

    /// The user config's entries (empty when there is no such file).
    pub fn user() -> std::result::Result<Config, ConfigError> {
        match Config::user_path() {
            Some(p) => Config::read(&p),
            None => Ok(Config::default()),
        }
    }

    /// These entries followed by LATER's: a single get then prefers LATER.
    pub fn then(mut self, later: Config) -> Config {
        let (headers, files) = (self.headers.len(), self.files.len());
        self.headers.extend(later.headers);
        self.files.extend(later.files);
        self.entries
            .extend(later.entries.into_iter().map(|e| Entry {
                header: e.header + headers,
                file: e.file + files,
                ..e
            }));
        self
    }

    /// `FILE:LINE` of the value `get` gives for KEY, for messages about it.
    pub fn origin(&self, key: &str) -> Option<String> {
        let e = self.entries.iter().rev().find(|e| e.name == key)?;
        Some(format!("{}:{}", self.files.get(e.file)?.display(), e.line))
    }

    /// Every entry, in order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// Whether a header names SECTION (`bind-profile.dev`), even with no entries.
    pub fn has_section(&self, section: &str) -> bool {
        self.headers.iter().any(|h| h.section == section)
    }

    /// The sections seen, in order, each once.
    pub fn sections(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for h in &self.headers {
            if !out.contains(&h.section.as_str()) {
                out.push(&h.section);
            }
        }
        out
    }

    /// The last value of KEY (normalized: see `normalize_key`); a key with
    /// no value reads as "".
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.name == key)
            .map(|e| e.value.as_deref().unwrap_or(""))
    }

    /// Every value of KEY, in order.
    pub fn get_all(&self, key: &str) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|e| e.name == key)
            .map(|e| e.value.as_deref().unwrap_or(""))
            .collect()
    }

    /// A boolean: no value, `true`/`yes`/`on`/`1` or `false`/`no`/`off`/`0`/"";
    /// `None` when unset or not a boolean.
    pub fn get_bool(&self, key: &str) -> Option<bool> {
        let e = self.entries.iter().rev().find(|e| e.name == key)?;
        match e.value.as_deref() {
            None => Some(true),
            Some(v) => parse_bool(v),
        }
    }

    /// KEY as `get` looks it up: section and name lowercased, the subsection
    /// as written (`Remote.Origin.URL` → `remote.Origin.url`).
    pub fn normalize_key(key: &str) -> std::result::Result<String, ConfigError> {
        let (section, sub, name) = split_key(key)?;
        Ok(full_name(&section, sub.as_deref(), &name))
    }

    /// Set KEY to VALUE (`None`: remove every entry of it) in the file
    /// PATH, keeping every other byte; crash-safe, under `PATH.lock`.
    pub fn edit(path: &Path, key: &str, value: Option<&str>) -> Result<()> {
        let (section, sub, name) = split_key(key)?;
        let full = full_name(&section, sub.as_deref(), &name);
        let want = section_name(&section, sub.as_deref());
        Config::rewrite(path, |text, cfg| {
            let mine: Vec<&Entry> = cfg.entries.iter().filter(|e| e.name == full).collect();
            let mut edits: Vec<(usize, usize, String)> = Vec::new();
            let mut rest = &mine[..];
            if let (Some(v), Some((first, later))) = (value, mine.split_first()) {
                edits.push((
                    first.start,
                    first.end,
                    format!("{name} = {}", quote_value(v)),
                ));
                rest = later;
            }
            for e in rest {
                edits.push(removal(text, e.start, e.end));
            }
            if let (Some(v), true) = (value, mine.is_empty()) {
                edits.push(insertion(
                    text,
                    cfg,
                    &want,
                    &section,
                    sub.as_deref(),
                    &name,
                    v,
                ));
            }
            Ok(apply(text, edits))
        })
    }

    /// Add one more entry KEY = VALUE after the existing ones of its section
    /// (a multi-valued key), in the file PATH.
    pub fn add(path: &Path, key: &str, value: &str) -> Result<()> {
        let (section, sub, name) = split_key(key)?;
        let want = section_name(&section, sub.as_deref());
        Config::rewrite(path, |text, cfg| {
            let edit = insertion(text, cfg, &want, &section, sub.as_deref(), &name, value);
            Ok(apply(text, vec![edit]))
        })
    }

    /// Remove section `[section "sub"]` (with `new`: rename it to `sub` =
    /// `new`) in the config file `path`. Returns whether it existed.
    pub fn edit_section(path: &Path, section: &str, sub: &str, new: Option<&str>) -> Result<bool> {
        let want = section_name(section, Some(sub));
        let mut found = false;
        Config::rewrite(path, |text, cfg| {
            let mut edits = Vec::new();
            for (i, h) in cfg.headers.iter().enumerate() {
                if h.section != want {
                    continue;
                }
                found = true;
                match new {
                    Some(n) => edits.push((h.start, h.end, header_text(section, Some(n)))),
                    None => {
                        let end = match cfg.headers.get(i + 1) {
                            Some(next) => own_line_start(text, next.start),
                            None => text.len(),
                        };
                        edits.push((own_line_start(text, h.start), end, String::new()));
                    }
                }
            }
            Ok(apply(text, edits))
        })?;
        Ok(found)
    }

    /// Append TEXT (whole lines) to the file PATH, creating it (and its
    /// directory); the file must parse before and after.
    pub fn append(path: &Path, more: &str) -> Result<()> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|err| ConfigError::Io {
                path: dir.to_path_buf(),
                err,
            })?;
        }
        Config::rewrite(path, |text, _| {
            let mut out = text.to_string();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(more);
            Config::parse(&out, path)?;
            Ok(out)
        })
    }

    /// Rewrite PATH under its lock with F(text, parsed text).
    fn rewrite(path: &Path, f: impl FnOnce(&str, &Config) -> Result<String>) -> Result<()> {
        let mut lock = crate::fsutil::LockFile::acquire(path, |p| ConfigError::Locked(p).into())?;
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(err) => {
                return Err(ConfigError::Io {
                    path: path.to_path_buf(),
                    err,
                }
                .into())
            }
        };
        let text = utf8(&bytes, path)?;
        let cfg = Config::parse(text, path)?;
        let data = f(text, &cfg)?;
        lock.write(data.as_bytes())?;
        lock.commit(path)
    }
}

/// A section header and its entries as lines hako writes (`Config::append`).
pub(crate) fn section_text(section: &str, sub: Option<&str>, entries: &[(&str, &str)]) -> String {
    let mut out = header_text(section, sub);
    out.push('\n');
    for (key, value) in entries {
        out.push_str(&format!("\t{key} = {}\n", quote_value(value)));
    }
    out
}

/// `true`/`yes`/`on`/`1` or `false`/`no`/`off`/`0`/"", any case.
pub(crate) fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" | "" => Some(false),
        _ => None,
    }
}

/// An integer of config.md: decimal digits with an optional `k`, `m`, `g`
/// or `t` (either case; powers of 1024), white space around ignored.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, shift) = match s.as_bytes().last()?.to_ascii_lowercase() {
        b'k' => (&s[..s.len() - 1], 10),
        b'm' => (&s[..s.len() - 1], 20),
        b'g' => (&s[..s.len() - 1], 30),
        b't' => (&s[..s.len() - 1], 40),
        _ => (s, 0),
    };
    let digits = num.strip_prefix('+').unwrap_or(num);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    num.parse::<u64>().ok()?.checked_mul(1u64 << shift)
}

fn utf8<'a>(bytes: &'a [u8], path: &Path) -> std::result::Result<&'a str, ConfigError> {
    std::str::from_utf8(bytes).map_err(|e| ConfigError::Syntax {
        path: path.to_path_buf(),
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count(),
        what: "not UTF-8".into(),
    })
}

fn section_name(section: &str, sub: Option<&str>) -> String {
    match sub {
        Some(s) => format!("{section}.{s}"),
        None => section.to_string(),
    }
}

fn full_name(section: &str, sub: Option<&str>, name: &str) -> String {
    format!("{}.{name}", section_name(section, sub))
}

/// Split a key into (section, subsection, name): `core.x`, `remote.o.url`.
fn split_key(key: &str) -> std::result::Result<(String, Option<String>, String), ConfigError> {
    let bad = || ConfigError::BadKey(key.to_string());
    let (first, rest) = key.split_once('.').ok_or_else(bad)?;
    let (sub, name) = match rest.rsplit_once('.') {
        Some((sub, name)) => (Some(sub.to_string()), name),
        None => (None, rest),
    };
    let word = |w: &str| !w.is_empty() && w.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-');
    let starts_alpha = name.bytes().next().is_some_and(|c| c.is_ascii_alphabetic());
    if !word(first)
        || !word(name)
        || !starts_alpha
        || sub.as_ref().is_some_and(|s| s.contains('\n'))
    {
        return Err(bad());
    }
    Ok((first.to_ascii_lowercase(), sub, name.to_ascii_lowercase()))
}

/// `[section]` or `[section "sub"]`, the subsection's `\` and `"` escaped.
fn header_text(section: &str, sub: Option<&str>) -> String {
    match sub {
        Some(s) => format!(
            "[{section} \"{}\"]",
            s.replace('\\', "\\\\").replace('"', "\\\"")
        ),
        None => format!("[{section}]"),
    }
}

/// VALUE written so that it reads back the same (config.md, "How hako writes").
fn quote_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            c => out.push(c),
        }
    }
    let edge = [' ', '\r'];
    if v.is_empty() || v.starts_with(edge) || v.ends_with(edge) || v.contains(['#', ';', '\r']) {
        format!("\"{out}\"")
    } else {
        out
    }
}

/// The start of POS's line when only white space precedes POS on it, else POS.
fn own_line_start(text: &str, pos: usize) -> usize {
    let ls = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    if text[ls..pos].bytes().all(|b| b == b' ' || b == b'\t') {
        ls
    } else {
        pos
    }
}

/// Just past the LF ending POS's line (the end of the text without one).
fn line_end_after(text: &str, pos: usize) -> usize {
    text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1)
}

/// The edit removing the entry START..END: its whole line when it is alone on it.
fn removal(text: &str, start: usize, end: usize) -> (usize, usize, String) {
    let ls = text[..start].rfind('\n').map_or(0, |i| i + 1);
    if text[ls..start].bytes().all(|b| b == b' ' || b == b'\t') {
        (ls, line_end_after(text, end), String::new())
    } else {
        (start, end, String::new())
    }
}

/// The edit adding `name = value` after the last entry under the last
/// header of WANT, or under a new header at the end.
fn insertion(
    text: &str,
    cfg: &Config,
    want: &str,
    section: &str,
    sub: Option<&str>,
    name: &str,
    value: &str,
) -> (usize, usize, String) {
    let line = format!("\t{name} = {}\n", quote_value(value));
    let lf = if text.is_empty() || text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    match cfg.headers.iter().rposition(|h| h.section == want) {
        Some(h) => {
            let mut at = line_end_after(text, cfg.headers[h].end);
            for e in cfg.entries.iter().filter(|e| e.header == h) {
                at = at.max(line_end_after(text, e.end));
            }
            let lead = if at == text.len() { lf } else { "" };
            (at, at, format!("{lead}{line}"))
        }
        None => (
            text.len(),
            text.len(),
            format!("{lf}{}\n{line}", header_text(section, sub)),
        ),
    }
}

/// TEXT with the (start, end, replacement) edits made; edits do not overlap.
fn apply(text: &str, mut edits: Vec<(usize, usize, String)>) -> String {
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, with) in edits {
        out.replace_range(start..end, &with);
    }
    out
}

/// The reader of config.md's grammar, character by character.
struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    /// The line of `b[i]`.
    line: usize,
    path: &'a Path,
    cfg: Config,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, path: &'a Path) -> Parser<'a> {
        let i = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Parser {
            b: text.as_bytes(),
            i,
            line: 1,
            path,
            cfg: Config {
                files: vec![path.to_path_buf()],
                ..Config::default()
            },
        }
    }

    fn fail(&self, line: usize, what: impl Into<String>) -> ConfigError {
        ConfigError::Syntax {
            path: self.path.to_path_buf(),
            line,
            what: what.into(),
        }
    }

    /// The next character (CR LF as LF), where it starts, and its line.
    fn next(&mut self) -> Option<(u8, usize, usize)> {
        let at = self.i;
        let line = self.line;
        let mut c = *self.b.get(at)?;
        self.i += 1;
        if c == b'\r' && self.b.get(self.i) == Some(&b'\n') {
            self.i += 1;
            c = b'\n';
        }
        if c == b'\n' {
            self.line += 1;
        }
        Some((c, at, line))
    }

    fn peek(&self) -> Option<u8> {
        match self.b.get(self.i)? {
            b'\r' if self.b.get(self.i + 1) == Some(&b'\n') => Some(b'\n'),
            c => Some(*c),
        }
    }

    /// Skip to just past the end of the line; returns where the LF was.
    fn skip_line(&mut self) -> usize {
        while let Some((c, at, _)) = self.next() {
            if c == b'\n' {
                return at;
            }
        }
        self.b.len()
    }

    fn run(mut self) -> std::result::Result<Config, ConfigError> {
        while let Some((c, at, line)) = self.next() {
            match c {
                b'\n' | b' ' | b'\t' | b'\r' => {}
                b'#' | b';' => {
                    self.skip_line();
                }
                b'[' => self.header(at)?,
                c if c.is_ascii_alphabetic() => {
                    if self.cfg.headers.is_empty() {
                        return Err(self.fail(line, "entry before any section"));
                    }
                    self.entry(at, line)?;
                }
                _ => return Err(self.fail(line, "unexpected character")),
            }
        }
        Ok(self.cfg)
    }

    fn header(&mut self, start: usize) -> std::result::Result<(), ConfigError> {
        let mut name = String::new();
        loop {
            let (c, _, line) = self
                .next()
                .ok_or_else(|| self.fail(self.line, "bad section header"))?;
            match c {
                c if c.is_ascii_alphanumeric() || c == b'-' || c == b'.' => {
                    name.push(c.to_ascii_lowercase() as char)
                }
                b']' if !name.is_empty() => {
                    return self.push_header(name, start);
                }
                b' ' | b'\t' if !name.is_empty() => break,
                _ => return Err(self.fail(line, "bad section header")),
            }
        }
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.next();
        }
        match self.next() {
            Some((b'"', _, _)) => {}
            other => {
                let line = other.map_or(self.line, |o| o.2);
                return Err(self.fail(line, "bad section header"));
            }
        }
        let mut sub = Vec::new();
        loop {
            match self.next() {
                None => return Err(self.fail(self.line, "bad subsection in section header")),
                Some((b'\n', _, l)) => return Err(self.fail(l, "bad subsection in section header")),
                Some((b'\\', _, _)) => match self.next() {
                    None => return Err(self.fail(self.line, "bad subsection in section header")),
                    Some((b'\n', _, l)) => {
                        return Err(self.fail(l, "bad subsection in section header"))
                    }
                    Some((c, _, _)) => sub.push(c),
                },
                Some((b'"', _, _)) => break,
                Some((c, _, _)) => sub.push(c),
            }
        }
        match self.next() {
            Some((b']', _, _)) => {}
            other => {
                let line = other.map_or(self.line, |o| o.2);
                return Err(self.fail(line, "bad section header"));
            }
        }
        let sub = String::from_utf8_lossy(&sub).into_owned();
        self.push_header(format!("{name}.{sub}"), start)
    }

    fn push_header(
        &mut self,
        section: String,
        start: usize,
    ) -> std::result::Result<(), ConfigError> {
        self.cfg.headers.push(Header {
            section,
            start,
            end: self.i,
        });
        Ok(())
    }

    fn entry(&mut self, start: usize, line: usize) -> std::result::Result<(), ConfigError> {
        let mut key = String::from(self.b[start].to_ascii_lowercase() as char);
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_ascii_alphanumeric() || *c == b'-')
        {
            key.push(c.to_ascii_lowercase() as char);
            self.next();
        }
        let mut spaced = false;
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r')) {
            spaced = true;
            self.next();
        }
        let (value, end) = match self.peek() {
            None => (None, self.b.len()),
            Some(b'\n') => (None, self.i),
            Some(b'#' | b';') => (None, self.skip_line()),
            Some(b'=') => {
                self.next();
                let (v, end) = self.value()?;
                (Some(v), end)
            }
            Some(_) if spaced => return Err(self.fail(self.line, "expected '=' after the key")),
            Some(_) => return Err(self.fail(self.line, "bad key name")),
        };
        let header = self.cfg.headers.len() - 1;
        let section = &self.cfg.headers[header].section;
        self.cfg.entries.push(Entry {
            name: format!("{section}.{key}"),
            value,
            line,
            start,
            end,
            header,
            file: 0,
        });
        Ok(())
    }

    /// A value up to its unescaped end of line, and where that LF is.
    fn value(&mut self) -> std::result::Result<(String, usize), ConfigError> {
        let mut out: Vec<u8> = Vec::new();
        let (mut quoted, mut comment) = (false, false);
        let mut spaces = 0;
        let end = loop {
            let Some((c, at, line)) = self.next() else {
                if quoted {
                    return Err(self.fail(self.line, "unterminated quote"));
                }
                break self.b.len();
            };
            if c == b'\n' {
                if quoted {
                    return Err(self.fail(line, "unterminated quote"));
                }
                break at;
            }
            if comment {
                continue;
            }
            if matches!(c, b' ' | b'\t' | b'\r') && !quoted {
                if !out.is_empty() {
                    spaces += 1;
                }
                continue;
            }
            if !quoted && (c == b'#' || c == b';') {
                comment = true;
                continue;
            }
            out.resize(out.len() + spaces, b' ');
            spaces = 0;
            match c {
                b'\\' => match self.next() {
                    None => {}
                    Some((b'\n', _, _)) => {}
                    Some((e, _, eline)) => out.push(match e {
                        b't' => b'\t',
                        b'b' => 8,
                        b'n' => b'\n',
                        b'\\' | b'"' => e,
                        _ => {
                            let shown = std::str::from_utf8(&self.b[self.i - 1..])
                                .ok()
                                .and_then(|s| s.chars().next())
                                .unwrap_or('?');
                            return Err(self.fail(eline, format!("unknown escape '\\{shown}'")));
                        }
                    }),
                },
                b'"' => quoted = !quoted,
                c => out.push(c),
            }
        };
        let v = String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Ok((v, end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<(String, Option<String>)> {
        Config::parse(text, Path::new("f"))
            .unwrap()
            .entries()
            .map(|e| (e.name.clone(), e.value.clone()))
            .collect()
    }

    #[test]
    fn values_read_as_git_reads_them() {
        let e = parse("[Core]\n\tPager = \"less  -R\" # c\n\tbare\n[remote \"O\\\"x\"]\nurl = a\\\n b\\tc ; d\n");
        assert_eq!(e[0], ("core.pager".into(), Some("less  -R".into())));
        assert_eq!(e[1], ("core.bare".into(), None));
        assert_eq!(e[2], ("remote.O\"x.url".into(), Some("a b\tc".into())));
    }

    #[test]
    fn written_values_read_back_the_same() {
        for v in [
            "", " x", "x ", "a#b", "a;b", "q\"q", "b\\s", "l\nf", "\tt", "a  b", "c\rr", "\u{8}",
        ] {
            let text = format!("[s]\nk = {}\n", quote_value(v));
            let c = Config::parse(&text, Path::new("f")).unwrap();
            assert_eq!(c.get("s.k"), Some(v), "{text:?}");
        }
    }

    #[test]
    fn sizes_take_k_m_g_t_in_either_case() {
        assert_eq!(parse_size("512m"), Some(512 << 20));
        assert_eq!(parse_size(" 64K "), Some(64 << 10));
        assert_eq!(parse_size("2T"), Some(2 << 40));
        assert_eq!(parse_size("10"), Some(10));
        assert_eq!(parse_size("+3g"), Some(3 << 30));
        for bad in [
            "",
            "k",
            "x",
            "-1",
            "+",
            "++1",
            "1.5m",
            "1kb",
            "99999999999999999999",
        ] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }
}
