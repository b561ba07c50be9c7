//! `update-server-info`: what makes a workspace a dumb-HTTP mirror.
#![warn(missing_docs)]

use crate::error::{IoContext, Result};
use crate::oid::ObjectId;
use crate::store::{LocalStore, ObjectStore, Odb};
use crate::transport::advertise::workspace_refs;
use crate::workspace::Workspace;

use super::files::{packs_file, refs_file, PackEntry};

/// What `update_server_info` did.
#[derive(Debug, Default)]
pub struct ServerInfo {
    /// Loose objects packed into a new pack (0: none were unpacked).
    pub packed_loose: usize,
    /// Packs listed in `objects/info/packs`.
    pub packs: usize,
    /// Refs listed in `info/refs`.
    pub refs: usize,
}

/// The packs of `odb`, as `objects/info/packs` lists them (name order).
fn list_packs(odb: &Odb) -> Result<Vec<PackEntry>> {
    odb.rescan();
    let mut out = Vec::new();
    for p in LocalStore::packs(odb)? {
        let stem = p
            .idx_path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let Some(hex) = stem.strip_prefix("pack-") else {
            continue;
        };
        let Ok(checksum) = ObjectId::from_hex(hex) else {
            continue;
        };
        let idx_bytes = std::fs::metadata(&p.idx_path).at(&p.idx_path)?.len();
        out.push(PackEntry {
            name: stem.clone(),
            checksum,
            pack_bytes: p.pack_bytes(),
            idx_bytes,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Write the static files of a dumb-HTTP mirror in `ws`: pack the loose
/// objects no pack holds, then `objects/info/packs`, then `info/refs`.
pub fn update_server_info(ws: &Workspace) -> Result<ServerInfo> {
    let odb = &ws.odb;
    if !odb.shallow()?.is_empty() {
        crate::warnings::warn(
            "this workspace is shallow (.hako/shallow): HTTP clients of the mirror cannot fetch the history below its shallow commits".to_string(),
        );
    }
    // Packs written since this process first looked (a push) count too.
    odb.rescan();
    let packs = LocalStore::packs(odb)?;
    let mut loose = Vec::new();
    for id in odb.loose.list_ids()? {
        if !packs.iter().any(|p| p.find(&id).is_some()) {
            loose.push(id);
        }
    }
    let mut info = ServerInfo::default();
    if !loose.is_empty() {
        odb.writing()?;
        let objects: Vec<crate::object::Object> = loose
            .iter()
            .map(|id| odb.loose.read(id))
            .collect::<Result<_>>()?;
        let refs: Vec<(ObjectId, crate::object::ObjectType, &[u8])> = loose
            .iter()
            .zip(&objects)
            .map(|(id, o)| (*id, o.kind, o.data.as_slice()))
            .collect();
        crate::store::packwrite::write_pack(&odb.pack_dir(), &refs)?;
        info.packed_loose = loose.len();
    }
    let packs = list_packs(odb)?;
    info.packs = packs.len();
    let info_dir = odb.loose.dir().join("info");
    std::fs::create_dir_all(&info_dir).at(&info_dir)?;
    crate::fsutil::write_atomic(&info_dir.join("packs"), packs_file(&packs).as_bytes())?;
    let refs = workspace_refs(ws)?;
    info.refs = refs.len();
    let dir = ws.dir.join("info");
    std::fs::create_dir_all(&dir).at(&dir)?;
    crate::fsutil::write_atomic(&dir.join("refs"), refs_file(&refs).as_bytes())?;
    Ok(info)
}
