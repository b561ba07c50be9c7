//! `/proc/self/mountinfo`: the mount points of a mount namespace, for
//! `run --host` (runtime.md, "Host instances"), which plans its root from
//! them on the host and checks them again inside the sandbox.
#![warn(missing_docs)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// The first words of the setup error of a sandbox whose mount table, as
/// copied into it, has a mount point below a nested overlay's lower
/// directory (one made since the plan): the caller plans again.
pub(crate) const MOUNTS_CHANGED: &str = "the host's mounts changed since the plan";

/// A mountinfo field with its octal escapes (`\040`…) decoded.
fn unescape(s: &str) -> PathBuf {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 4 <= b.len() {
            if let Some(v) = std::str::from_utf8(&b[i + 1..i + 4])
                .ok()
                .and_then(|o| u8::from_str_radix(o, 8).ok())
            {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    PathBuf::from(OsStr::from_bytes(&out))
}

/// Mount points and filesystem types of mountinfo TEXT, in its order.
pub fn parse(text: &str) -> Vec<(PathBuf, String)> {
    let mut points = Vec::new();
    for line in text.lines() {
        let Some((pre, post)) = line.split_once(" - ") else {
            continue;
        };
        let (Some(mp), Some(fstype)) = (pre.split(' ').nth(4), post.split(' ').next()) else {
            continue;
        };
        points.push((unescape(mp), fstype.to_string()));
    }
    points
}

/// This process's mount points (empty where /proc cannot be read).
pub fn read() -> std::io::Result<Vec<(PathBuf, String)>> {
    Ok(parse(&std::fs::read_to_string("/proc/self/mountinfo")?))
}

/// Whether a mount point of POINTS lies strictly below P.
pub(crate) fn has_below(points: &[(PathBuf, String)], p: &Path) -> bool {
    points.iter().any(|(m, _)| m != p && m.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_give_mount_points_and_types() {
        let t = parse(
            "22 27 0:21 / /proc rw,relatime - proc proc rw\n\
             27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n\
             40 27 0:40 / /mnt/my\\040disk rw - ext4 /dev/vdb rw\n\
             41 40 0:41 / /mnt/my\\040disk/in rw shared:1 - tmpfs t rw\n",
        );
        assert_eq!(t[2], (PathBuf::from("/mnt/my disk"), "ext4".to_string()));
        assert!(has_below(&t, Path::new("/")));
        assert!(has_below(&t, Path::new("/mnt")));
        assert!(has_below(&t, Path::new("/mnt/my disk")));
        assert!(!has_below(&t, Path::new("/mnt/my disk/in")));
        assert!(!has_below(&t, Path::new("/etc")));
    }
}
