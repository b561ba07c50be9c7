//! What a long operation reports as it goes. The engine never draws: it
//! calls a [`Progress`] it is given, in phases with counts ("Checking
//! objects" 1,200 of 4,800). hako's command line draws them as bars on a
//! terminal and shows nothing otherwise; a program using the library may
//! pass [`Silent`] or its own. A transfer reports the bytes it moves as a
//! phase counted in [`Unit::Bytes`] with no total ("Receiving pack"), and
//! what the remote says through [`Progress::remote`].

/// What a phase counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Objects, files, entries.
    Items,
    /// Bytes.
    Bytes,
}

/// The receiver of an operation's progress. Every method has a default that
/// does nothing, and may be called from several threads at once.
pub trait Progress: Send + Sync {
    /// A phase begins: `what` ("Checking objects"), its `total` when known.
    fn begin(&self, _what: &str, _total: Option<u64>, _unit: Unit) {}
    /// `n` more of the current phase are done.
    fn advance(&self, _n: u64) {}
    /// The current phase is over.
    fn end(&self) {}
    /// A line of text to show beside the counts.
    fn note(&self, _text: &str) {}
    /// Text a remote sent for its user (side-band channel 2, protocol.md),
    /// as raw bytes in the pieces they came in: a line may be split across
    /// calls, `\r` rewrites the current line, and nothing in it is checked.
    /// A receiver that shows it must escape control characters, as hako's
    /// command line does (`remote: ` at each line start, every control
    /// character other than `\n`, `\r` and `\t` as `\xNN`). By default it
    /// goes nowhere: untrusted bytes never reach `note` unasked.
    fn remote(&self, _text: &[u8]) {}
    /// The progress of one part of the work that runs beside others (a
    /// layer among the layers downloaded at once), named `name`; its phases
    /// are its own.
    fn part(&self, _name: &str) -> Box<dyn Progress + '_> {
        Box::new(Silent)
    }
}

/// Progress that goes nowhere.
pub struct Silent;

impl Progress for Silent {}

/// Run `f` as one phase of `p`: `begin`, then `end` whether `f` succeeded
/// or not.
pub fn phase<T>(
    p: &dyn Progress,
    what: &str,
    total: Option<u64>,
    unit: Unit,
    f: impl FnOnce() -> T,
) -> T {
    p.begin(what, total, unit);
    let out = f();
    p.end();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);
    impl Progress for Log {
        fn begin(&self, what: &str, total: Option<u64>, _: Unit) {
            self.0
                .lock()
                .unwrap()
                .push(format!("begin {what} {total:?}"));
        }
        fn advance(&self, n: u64) {
            self.0.lock().unwrap().push(format!("+{n}"));
        }
        fn end(&self) {
            self.0.lock().unwrap().push("end".into());
        }
    }

    #[test]
    fn a_phase_ends_even_when_its_work_fails() {
        let log = Log::default();
        let r: Result<(), &str> = phase(&log, "Checking", Some(2), Unit::Items, || {
            log.advance(1);
            Err("broken")
        });
        assert!(r.is_err());
        assert_eq!(
            *log.0.lock().unwrap(),
            ["begin Checking Some(2)", "+1", "end"]
        );
        Silent.begin("x", None, Unit::Bytes);
    }
}
