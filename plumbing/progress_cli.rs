//! Drawing the engine's progress (`hako::progress`) on the command line:
//! bars on stderr when it is a terminal, as git's "Counting objects" lines
//! (one more bar for each part running at once, such as the layers of a
//! pull), and nothing otherwise: a script's or a test's stderr stays clean.
//! A remote's own text is shown as git shows it, each line after `remote: `.

use std::io::{IsTerminal, Write};
use std::sync::{Mutex, RwLock};

use hako::progress::{Progress, Silent, Unit};

/// Whether a command shows no progress: `quiet` asked, or stderr is not a
/// terminal (a remote is then asked for none either).
pub fn silent(quiet: bool) -> bool {
    quiet || !std::io::stderr().is_terminal()
}

/// The progress a command shows: bars when stderr is a terminal and the
/// command is not `quiet`, else nothing.
pub fn bars(quiet: bool) -> Box<dyn Progress> {
    if silent(quiet) {
        return Box::new(Silent);
    }
    Box::new(Bars {
        multi: indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr()),
        prefix: String::new(),
        bar: RwLock::new(None),
        remote_line_start: Mutex::new(true),
    })
}

/// The bars of one progress: the current phase's bar among the bars of
/// its parts.
struct Bars {
    multi: indicatif::MultiProgress,
    /// A part's name and a space; empty for the whole operation.
    prefix: String,
    bar: RwLock<Option<Phase>>,
    /// The remote's text so far ended a line (its next byte starts one).
    remote_line_start: Mutex<bool>,
}

/// The current phase: its bar, and what its last line says once done.
struct Phase {
    bar: indicatif::ProgressBar,
    what: String,
    unit: Unit,
    counted: bool,
}

fn style(template: &str) -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
}

/// `s` as literal text in an indicatif template.
fn literal(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}")
}

impl Progress for Bars {
    fn begin(&self, what: &str, total: Option<u64>, unit: Unit) {
        let what = format!("{}{what}", self.prefix);
        let head = literal(&what);
        let running = match (total, unit) {
            (Some(_), Unit::Items) => format!("{head}: {{percent:>3}}% ({{pos}}/{{len}}) {{msg}}"),
            (Some(_), Unit::Bytes) => {
                format!("{head}: {{percent:>3}}% ({{bytes}}/{{total_bytes}}) {{msg}}")
            }
            (None, Unit::Items) => format!("{head}: {{spinner}} {{msg}}"),
            (None, Unit::Bytes) => {
                format!("{head}: {{bytes}} ({{bytes_per_sec}}) {{spinner}} {{msg}}")
            }
        };
        let bar = match total {
            Some(n) => indicatif::ProgressBar::new(n),
            None => indicatif::ProgressBar::new_spinner(),
        }
        .with_style(style(&running));
        let bar = self.multi.add(bar);
        bar.tick();
        let phase = Phase {
            bar,
            what,
            unit,
            counted: total.is_some(),
        };
        let old = self
            .bar
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .replace(phase);
        if let Some(old) = old {
            self.finish(old);
        }
    }

    fn advance(&self, n: u64) {
        if let Some(p) = &*self.bar.read().unwrap_or_else(|e| e.into_inner()) {
            p.bar.inc(n);
        }
    }

    fn end(&self) {
        let current = self.bar.write().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(p) = current {
            self.finish(p);
        }
    }

    fn note(&self, text: &str) {
        match &*self.bar.read().unwrap_or_else(|e| e.into_inner()) {
            Some(p) => p.bar.set_message(text.to_string()),
            // A line of its own, ended, with any bars of parts redrawn below.
            None => self.multi.suspend(|| eprintln!("{text}")),
        }
    }

    fn remote(&self, text: &[u8]) {
        let mut line_start = self
            .remote_line_start
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let shown = remote_text(text, &mut line_start);
        self.multi.suspend(|| {
            let _ = std::io::stderr().write_all(&shown);
        });
    }

    fn part(&self, name: &str) -> Box<dyn Progress + '_> {
        Box::new(Bars {
            multi: self.multi.clone(),
            prefix: format!("{}{name} ", self.prefix),
            bar: RwLock::new(None),
            remote_line_start: Mutex::new(true),
        })
    }
}

impl Bars {
    /// A part's bar goes once done; the whole operation's leaves a line, as
    /// git's "Writing objects: 100% (166/166), done.".
    fn finish(&self, p: Phase) {
        p.bar.finish_and_clear();
        if !self.prefix.is_empty() {
            return;
        }
        let (pos, len) = (p.bar.position(), p.bar.length().unwrap_or(0));
        let line = match (p.counted, p.unit) {
            (true, Unit::Items) => {
                let percent = (pos * 100).checked_div(len).unwrap_or(100);
                format!("{}: {percent:>3}% ({pos}/{len}), done.", p.what)
            }
            (true, Unit::Bytes) => {
                let percent = (pos * 100).checked_div(len).unwrap_or(100);
                format!(
                    "{}: {percent:>3}% ({}/{}), done.",
                    p.what,
                    indicatif::HumanBytes(pos),
                    indicatif::HumanBytes(len)
                )
            }
            // Bytes moved with no total known: how many, and how fast.
            (false, Unit::Bytes) => {
                let secs = p.bar.elapsed().as_secs_f64().max(1e-3);
                format!(
                    "{}: {} in {secs:.1} s ({}/s), done.",
                    p.what,
                    indicatif::HumanBytes(pos),
                    indicatif::HumanBytes((pos as f64 / secs) as u64)
                )
            }
            (false, Unit::Items) => format!("{}, done.", p.what),
        };
        // The bars are cleared: the line goes where they were, and a later
        // phase's bar draws below it.
        eprintln!("{line}");
    }
}

/// A remote's raw text as shown: `remote: ` at each line start (after `\n`
/// or `\r`, whose partial-line updates pass through), and every other
/// control character escaped as `\xNN`: only line ends may move the cursor.
/// `line_start` says whether the text so far ended a line, and is updated.
fn remote_text(text: &[u8], line_start: &mut bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 16);
    for &c in text {
        if *line_start {
            out.extend_from_slice(b"remote: ");
        }
        if (c < 0x20 && c != b'\n' && c != b'\r' && c != b'\t') || c == 0x7f {
            out.extend_from_slice(format!("\\x{c:02x}").as_bytes());
        } else {
            out.push(c);
        }
        *line_start = c == b'\n' || c == b'\r';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::remote_text;

    #[test]
    fn remote_text_prefixes_each_line_across_pieces_and_escapes_controls() {
        let mut start = true;
        let mut shown = remote_text(b"Counting: 1%\rCounting: 100%\nCompr", &mut start);
        shown.extend(remote_text(b"essing\x1b[2J\x7f\tdone\n", &mut start));
        assert_eq!(
            String::from_utf8(shown).unwrap(),
            "remote: Counting: 1%\rremote: Counting: 100%\n\
             remote: Compressing\\x1b[2J\\x7f\tdone\n"
        );
        assert!(start);
    }
}
