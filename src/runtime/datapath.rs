//! Which data path an instance runs on (format-spec/runtime.md, "Choosing
//! the data path"): overlay over the checkout cache where it works, else
//! FUSE, else a checkout (materialize).
#![warn(missing_docs)]

use crate::error::Result;
use crate::runtime::error::RuntimeError;
use crate::runtime::{instance, overlay};
use crate::workspace::Workspace;

// The data path is a field of the instance record; named here too, where it is chosen.
pub use super::instance::DataPath;

/// The path chosen, and the note saying why it is not the one asked or the default.
#[derive(Debug)]
pub struct Choice {
    /// The data path.
    pub path: DataPath,
    /// Why it is not the one asked for or the default, if so.
    pub note: Option<String>,
}

/// Why overlay cannot serve this run, if it cannot.
fn overlay_refusal(ws: &Workspace) -> Result<Option<String>> {
    Ok(match overlay::probe(ws, false)? {
        overlay::Probe::Yes => None,
        overlay::Probe::No(why) => Some(why),
    })
}

/// Decide: ASKED (`--fs`), else `run.fs` of the configuration, must work or
/// fail; otherwise overlay where the probe says yes, else FUSE, else
/// materialize, with a note naming why.
pub fn choose(ws: &Workspace, asked: Option<DataPath>) -> Result<Choice> {
    let configured = || -> Result<Option<DataPath>> {
        let seen = crate::config::Config::user()?.then(ws.config.clone());
        match seen.get("run.fs") {
            None => Ok(None),
            Some(v) => DataPath::parse(v.trim()).map(Some).ok_or_else(|| {
                RuntimeError::BadRunFs {
                    at: seen.origin("run.fs").unwrap_or_default(),
                    value: v.to_string(),
                }
                .into()
            }),
        }
    };
    let wanted = match asked {
        Some(p) => Some(p),
        None => configured()?,
    };
    match wanted {
        Some(DataPath::Overlay) => match overlay_refusal(ws)? {
            None => Ok(Choice {
                path: DataPath::Overlay,
                note: None,
            }),
            Some(why) => Err(RuntimeError::OverlayUnavailable(why).into()),
        },
        Some(DataPath::Fuse) => {
            instance::check_fuse()?;
            Ok(Choice {
                path: DataPath::Fuse,
                note: None,
            })
        }
        Some(DataPath::Materialize) => Ok(Choice {
            path: DataPath::Materialize,
            note: None,
        }),
        None => {
            let Some(why) = overlay_refusal(ws)? else {
                return Ok(Choice {
                    path: DataPath::Overlay,
                    note: None,
                });
            };
            Ok(match instance::check_fuse() {
                Ok(()) => fallback_to_fuse(&why),
                Err(e) => Choice {
                    path: DataPath::Materialize,
                    note: Some(format!(
                        "overlay unavailable ({why}) and FUSE unavailable ({e}); using --materialize"
                    )),
                },
            })
        }
    }
}

/// FUSE in place of overlay, and the note saying why.
pub(crate) fn fallback_to_fuse(why: &str) -> Choice {
    Choice {
        path: DataPath::Fuse,
        note: Some(format!("overlay unavailable ({why}); using FUSE")),
    }
}
