//! A blob's bytes as they arrive from a registry: resumed where a
//! transfer broke, and verified against their digest and size.

use std::io::Read;

use sha2::{Digest, Sha256};

use super::error::RegistryError;
use crate::http::Backoff;

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256:<hex>` of bytes.
pub fn sha256_digest(data: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(data)))
}

/// A GET of one blob, with extra headers: the response.
pub(super) type Get<'r> =
    Box<dyn Fn(&[(&str, &str)]) -> Result<ureq::Response, RegistryError> + Send + Sync + 'r>;

/// The body of a blob as the registry sends it, picked up where it broke: a
/// read that fails (the connection cut) asks again for the bytes from there
/// (`Range`), under the retry policy of `crate::http`; when the registry
/// answers with the whole blob, the bytes already read are skipped.
pub struct BlobBody<'r> {
    /// A GET of the blob with these extra headers.
    get: Get<'r>,
    /// The registry's host, for messages.
    host: String,
    digest: String,
    /// The bytes read so far.
    pos: u64,
    body: Box<dyn Read + Send + Sync>,
    backoff: Backoff,
}

impl<'r> BlobBody<'r> {
    /// The blob `digest` of the registry at `host`, whose GET `get` makes;
    /// the first request is made here.
    pub(super) fn new(
        host: &str,
        digest: &str,
        get: Get<'r>,
    ) -> Result<BlobBody<'r>, RegistryError> {
        let body = get(&[])?.into_reader();
        Ok(BlobBody {
            get,
            host: host.to_string(),
            digest: digest.to_string(),
            pos: 0,
            body,
            backoff: Backoff::new(),
        })
    }

    /// The rest of the blob from `pos`, in a new request.
    fn rest(&self) -> Result<Box<dyn Read + Send + Sync>, RegistryError> {
        let from = self.pos;
        let range = crate::http::resume_from(from);
        let resp = (self.get)(&[("Range", range.as_str())])?;
        if resp.status() == 206 {
            let got = resp.header("Content-Range").unwrap_or("").to_string();
            if !got.starts_with(&format!("bytes {from}-")) {
                return Err(RegistryError::BadResume {
                    host: self.host.clone(),
                    digest: self.digest.clone(),
                    got,
                    from,
                });
            }
            return Ok(resp.into_reader());
        }
        // The whole blob again: skip what was read already.
        let mut whole = resp.into_reader();
        let skipped =
            std::io::copy(&mut (&mut whole).take(from), &mut std::io::sink()).map_err(|err| {
                RegistryError::Blob {
                    digest: self.digest.clone(),
                    err,
                }
            })?;
        if skipped < from {
            return Err(RegistryError::Blob {
                digest: self.digest.clone(),
                err: std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("truncated: {skipped} of the {from} bytes read before"),
                ),
            });
        }
        Ok(whole)
    }
}

impl Read for BlobBody<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            match self.body.read(buf) {
                Ok(n) => {
                    self.pos += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    if !self.backoff.again(None) {
                        return Err(e);
                    }
                    self.body = self.rest().map_err(std::io::Error::other)?;
                }
            }
        }
    }
}

/// Passes bytes through while hashing them. Fails with `InvalidData` when
/// the stream runs past the expected size, or ends short of it ("truncated")
/// or with another sha256 digest ("digest mismatch"): a reader sees the end
/// of the stream only if every byte was right.
pub struct VerifyingReader<R> {
    inner: R,
    hasher: Sha256,
    want: String,
    size: u64,
    seen: u64,
    done: bool,
}

impl<R: Read> VerifyingReader<R> {
    /// A reader of `inner` that must yield `size` bytes hashing to `digest`.
    pub fn new(inner: R, digest: &str, size: u64) -> VerifyingReader<R> {
        VerifyingReader {
            inner,
            hasher: Sha256::new(),
            want: digest.to_string(),
            size,
            seen: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        // Never read past the announced size.
        let room = (self.size - self.seen).min(buf.len() as u64) as usize;
        let n = if room == 0 {
            let mut probe = [0u8; 1];
            self.inner.read(&mut probe)?
        } else {
            self.inner.read(&mut buf[..room])?
        };
        if room == 0 && n > 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("longer than the {} bytes announced", self.size),
            ));
        }
        if n == 0 {
            self.done = true;
            if self.seen != self.size {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("truncated: {} of {} bytes", self.seen, self.size),
                ));
            }
            let got = format!("sha256:{}", hex(&self.hasher.clone().finalize()));
            if got != self.want {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("digest mismatch: got {got}"),
                ));
            }
            return Ok(0);
        }
        self.hasher.update(&buf[..n]);
        self.seen += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifying_reader() {
        let data = b"hello world".to_vec();
        let d = sha256_digest(&data);
        let mut out = Vec::new();
        VerifyingReader::new(&data[..], &d, 11)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, data);
        let mut r = VerifyingReader::new(&data[..10], &d, 11);
        assert!(r.read_to_end(&mut Vec::new()).is_err());
        let mut r = VerifyingReader::new(&data[..], &d, 10);
        assert!(r.read_to_end(&mut Vec::new()).is_err());
        let mut bad = data.clone();
        bad[0] = b'j';
        let mut r = VerifyingReader::new(&bad[..], &d, 11);
        let e = r.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("digest mismatch"));
    }
}
