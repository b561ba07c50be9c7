//! Drawing the engine's progress (`hako::progress`) on the command line:
//! bars on stderr when it is a terminal, as git's "Counting objects" lines,
//! and nothing otherwise (a script's or a test's stderr stays clean).

use std::io::IsTerminal;
use std::sync::RwLock;

use hako::progress::{Progress, Silent, Unit};

/// The progress a command shows: bars when stderr is a terminal and the
/// command is not `quiet`, else nothing.
pub fn bars(quiet: bool) -> Box<dyn Progress> {
    if quiet || !std::io::stderr().is_terminal() {
        return Box::new(Silent);
    }
    Box::new(Bars {
        bar: RwLock::new(None),
    })
}

/// One bar at a time: the current phase's, with the template it ends with.
struct Bars {
    bar: RwLock<Option<(indicatif::ProgressBar, &'static str)>>,
}

fn style(template: &str) -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
}

impl Progress for Bars {
    fn begin(&self, what: &str, total: Option<u64>, unit: Unit) {
        // While it runs, and (after the bar) once it is done, as git's
        // "Writing objects: 100% (166/166), done.".
        let (running, done) = match (total, unit) {
            (Some(_), Unit::Items) => (
                "{msg}: {percent:>3}% ({pos}/{len})",
                "{msg}: {percent:>3}% ({pos}/{len}), done.",
            ),
            (Some(_), Unit::Bytes) => (
                "{msg}: {percent:>3}% ({bytes}/{total_bytes})",
                "{msg}: {percent:>3}% ({bytes}/{total_bytes}), done.",
            ),
            (None, _) => ("{msg}: {spinner}", "{msg}, done."),
        };
        let bar = match total {
            Some(n) => indicatif::ProgressBar::new(n),
            None => indicatif::ProgressBar::new_spinner(),
        }
        .with_style(style(running))
        .with_message(what.to_string());
        bar.tick();
        let old = self
            .bar
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .replace((bar, done));
        if let Some((old, done)) = old {
            finish(&old, done);
        }
    }

    fn advance(&self, n: u64) {
        if let Some((b, _)) = &*self.bar.read().unwrap_or_else(|e| e.into_inner()) {
            b.inc(n);
        }
    }

    fn end(&self) {
        let current = self.bar.write().unwrap_or_else(|e| e.into_inner()).take();
        if let Some((b, done)) = current {
            finish(&b, done);
        }
    }

    fn note(&self, text: &str) {
        match &*self.bar.read().unwrap_or_else(|e| e.into_inner()) {
            Some((b, _)) => b.println(text),
            None => eprintln!("{text}"),
        }
    }
}

/// Leave the bar's last state on its own line, in its `done` form.
fn finish(bar: &indicatif::ProgressBar, done: &str) {
    bar.set_style(style(done));
    bar.finish();
    eprintln!();
}
