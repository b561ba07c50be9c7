//! The record of a pull in its commit message (format-spec/oci.md): trailer
//! lines naming the image, its manifest digest, platform, size and the blob
//! that holds the image config.

use crate::oid::ObjectId;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullRecord {
    /// The fully qualified reference pulled.
    pub image: String,
    /// `sha256:…` of the manifest (the platform's, not the index's).
    pub digest: String,
    pub platform: String,
    /// The blob holding the image config JSON, byte for byte.
    pub config: ObjectId,
    /// `sha256:…` of the config.
    pub config_digest: String,
    /// Bytes of the config and compressed layers, as the manifest gives them.
    pub size: u64,
    pub layers: usize,
}

impl PullRecord {
    /// The commit message: a subject line, a blank line, the trailers.
    pub fn message(&self) -> String {
        format!(
            "pull {}\n\nImage: {}\nImage-Digest: {}\nImage-Platform: {}\nImage-Config: {}\nImage-Config-Digest: {}\nImage-Size: {}\nImage-Layers: {}\n",
            self.image,
            self.image,
            self.digest,
            self.platform,
            self.config,
            self.config_digest,
            self.size,
            self.layers
        )
    }

    /// The record in a commit message, if its last paragraph has the
    /// trailers (in any order; unknown trailers are ignored).
    pub fn parse(message: &[u8]) -> Option<PullRecord> {
        let text = std::str::from_utf8(message).ok()?;
        let last = text.trim_end().rsplit("\n\n").next()?;
        let get = |k: &str| {
            last.lines()
                .find_map(|l| l.strip_prefix(k)?.strip_prefix(": "))
                .map(str::to_string)
        };
        Some(PullRecord {
            image: get("Image")?,
            digest: get("Image-Digest")?,
            platform: get("Image-Platform")?,
            config: ObjectId::from_hex(&get("Image-Config")?).ok()?,
            config_digest: get("Image-Config-Digest")?,
            size: get("Image-Size")?.parse().ok()?,
            layers: get("Image-Layers")?.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let r = PullRecord {
            image: "127.0.0.1:5000/t/a:v1".into(),
            digest: format!("sha256:{}", "a".repeat(64)),
            platform: "linux/amd64".into(),
            config: ObjectId::ZERO,
            config_digest: format!("sha256:{}", "b".repeat(64)),
            size: 1234,
            layers: 2,
        };
        let m = r.message();
        assert!(m.starts_with("pull 127.0.0.1:5000/t/a:v1\n\nImage: "));
        assert_eq!(PullRecord::parse(m.as_bytes()), Some(r));
        assert_eq!(PullRecord::parse(b"just a commit\n"), None);
    }
}
