//! Multipart uploads (object-store.md, "How a push writes"): a file
//! larger than the part size goes up in parts, each retried on its own; a
//! killed upload is resumed by the next push (parts whose MD5 matches are
//! not sent again) and aborted by gc once old.
#![warn(missing_docs)]

use std::path::Path;

use crate::error::{IoContext, Result};

use super::*;

/// The limits S3 puts on a part (but the last).
pub(super) const MIN_PART: u64 = 5 << 20;

pub(super) const MAX_PART: u64 = 5 << 30;

/// The MD5 of bytes `offset..offset + len` of `path`, in hex (the ETag S3
/// gives a part).
fn md5_hex(path: &Path, offset: u64, len: u64) -> Result<String> {
    use md5::Digest;
    use std::io::Seek;
    let mut f = std::fs::File::open(path).at(path)?;
    f.seek(std::io::SeekFrom::Start(offset)).at(path)?;
    let mut h = md5::Md5::new();
    let mut r = f.take(len);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = r.read(&mut buf).at(path)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// A multipart upload in progress (never completed nor aborted).
#[derive(Clone, Debug)]
pub struct PendingUpload {
    /// The key below the prefix.
    pub path: String,
    /// The upload id the store gave.
    pub id: String,
    /// When it started, seconds since the epoch (store time; 0 if absent).
    pub initiated: u64,
}

impl S3Client {
    /// The multipart uploads in progress of keys starting with `path`
    /// (ListMultipartUploads, which rusty-s3 has no action for: signed here).
    pub fn pending_uploads(&mut self, path: &str) -> Result<Vec<PendingUpload>> {
        let strip = self.key("");
        let prefix = self.key(path);
        let mut out = Vec::new();
        let mut marker: Option<(String, String)> = None;
        loop {
            let mut query: Vec<(&str, String)> =
                vec![("prefix", prefix.clone()), ("uploads", String::new())];
            if let Some((k, u)) = &marker {
                query.push(("key-marker", k.clone()));
                query.push(("upload-id-marker", u.clone()));
            }
            query.sort();
            let pairs = query.iter().map(|(k, v)| (*k, v.as_str()));
            let base = self.bucket.object_url("");
            let url = match &self.creds {
                Some(c) => rusty_s3::signing::sign(
                    &self.signing_time(),
                    rusty_s3::Method::Get,
                    base,
                    c.key(),
                    c.secret(),
                    c.token(),
                    self.bucket.region(),
                    SIGNED_FOR.as_secs(),
                    pairs,
                    std::iter::empty(),
                ),
                None => {
                    let mut u = base;
                    u.query_pairs_mut().extend_pairs(pairs);
                    u
                }
            };
            let what = "LIST multipart uploads";
            let text = self.answer_text(what, "GET", url, &[], None)?;
            for up in text.split("<Upload>").skip(1) {
                let key = xml_field(up, "Key");
                let Some(path) = key.strip_prefix(&strip) else {
                    continue;
                };
                out.push(PendingUpload {
                    path: path.to_string(),
                    id: xml_field(up, "UploadId"),
                    initiated: parse_iso_time(&xml_field(up, "Initiated")).unwrap_or(0),
                });
            }
            if xml_field(&text, "IsTruncated") != "true" {
                break;
            }
            let next = (
                xml_field(&text, "NextKeyMarker"),
                xml_field(&text, "NextUploadIdMarker"),
            );
            if next.0.is_empty() || marker.as_ref() == Some(&next) {
                break;
            }
            marker = Some(next);
        }
        Ok(out)
    }

    /// Abort the multipart upload `id` of `path`.
    pub fn abort_upload(&mut self, path: &str, id: &str) -> Result<()> {
        let key = self.key(path);
        let url = self.sign(
            &self
                .bucket
                .abort_multipart_upload(self.creds.as_ref(), &key, id),
        );
        match self.request("DELETE", url, &[], None, None) {
            Ok(_) => Ok(()),
            Err(f) if f.status() == 404 && f.code() != "NoSuchBucket" => Ok(()),
            Err(f) => Err(self
                .fail(&format!("abort the multipart upload of {path}"), f)
                .into()),
        }
    }

    /// PUT the file `local` (`len` bytes) as the write-once key `path`: one
    /// PUT, or a multipart upload when it is larger than a part (each part
    /// retried as any request is; an upload that fails is aborted, and one
    /// cut off leaves no key a reader sees).
    pub fn put_file(&mut self, path: &str, local: &Path, len: u64) -> Result<()> {
        if len <= self.part_size {
            return self.put(path, None, Some((local, len)), true);
        }
        let key = self.key(path);
        let what = format!("multipart upload of {path}");
        // An upload of the same key that a push cut off: continued, its
        // parts that match this file's kept.
        let earlier = self
            .pending_uploads(path)?
            .into_iter()
            .filter(|u| u.path == path)
            .max_by_key(|u| u.initiated);
        let (upload, done) = match earlier {
            Some(u) => {
                let done = self.uploaded_parts(path, &key, &u.id)?;
                (u.id, done)
            }
            None => {
                let url = self.sign(
                    &self
                        .bucket
                        .create_multipart_upload(self.creds.as_ref(), &key),
                );
                let text = self.answer_text(&what, "POST", url, &[], Some(b""))?;
                let id = rusty_s3::actions::CreateMultipartUpload::parse_response(&text)
                    .map_err(|e| self.bad_answer(&what, e))?
                    .upload_id()
                    .to_string();
                (id, HashMap::new())
            }
        };
        let result = self.upload_parts(path, &key, &upload, local, len, &done);
        if result.is_err() {
            let url = self.sign(&self.bucket.abort_multipart_upload(
                self.creds.as_ref(),
                &key,
                &upload,
            ));
            let _ = self.request("DELETE", url, &[], None, None);
        }
        result
    }

    /// The parts of upload `upload` already there: number → (ETag, size).
    fn uploaded_parts(
        &mut self,
        path: &str,
        key: &str,
        upload: &str,
    ) -> Result<HashMap<u16, (String, u64)>> {
        let mut out = HashMap::new();
        let mut marker: Option<u16> = None;
        loop {
            let mut action = self.bucket.list_parts(self.creds.as_ref(), key, upload);
            if let Some(m) = marker {
                action.set_part_number_marker(m);
            }
            let url = self.sign(&action);
            let what = format!("LIST the parts of {path}");
            let text = self.answer_text(&what, "GET", url, &[], None)?;
            let page = rusty_s3::actions::ListParts::parse_response(&text)
                .map_err(|e| self.bad_answer(&what, e))?;
            for p in page.parts {
                out.insert(p.number, (p.etag, p.size));
            }
            match page.next_part_number_marker {
                Some(m) if Some(m) != marker => marker = Some(m),
                _ => break,
            }
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn upload_parts(
        &mut self,
        path: &str,
        key: &str,
        upload: &str,
        local: &Path,
        len: u64,
        done: &HashMap<u16, (String, u64)>,
    ) -> Result<()> {
        let mut etags = Vec::new();
        let mut offset = 0;
        while offset < len {
            let n = etags.len() + 1;
            let number = u16::try_from(n).map_err(|_| S3Error::TooManyParts {
                remote: self.display.clone(),
                path: path.into(),
            })?;
            let part = (len - offset).min(self.part_size);
            if let Some((etag, size)) = done.get(&number) {
                if *size == part && etag.trim_matches('"') == md5_hex(local, offset, part)? {
                    etags.push(etag.clone());
                    offset += part;
                    continue;
                }
            }
            let url = self.sign(
                &self
                    .bucket
                    .upload_part(self.creds.as_ref(), key, number, upload),
            );
            let what = format!("PUT {path} part {n}");
            let resp = self
                .request("PUT", url, &[], None, Some((local, offset, part)))
                .map_err(|f| self.fail(&what, f))?;
            let etag = resp
                .header("ETag")
                .map(String::from)
                .ok_or_else(|| S3Error::NoEtag {
                    remote: self.display.clone(),
                    what: what.clone(),
                })?;
            etags.push(etag);
            offset += part;
            test_pause("HAKO_TEST_S3_PART_WAIT");
        }
        let action = self.bucket.complete_multipart_upload(
            self.creds.as_ref(),
            key,
            upload,
            etags.iter().map(String::as_str),
        );
        let url = self.sign(&action);
        let body = action.body();
        let what = format!("PUT {path} (completing {} parts)", etags.len());
        let text = self.answer_text(&what, "POST", url, &[], Some(body.as_bytes()))?;
        // A store may fail a completion with a 200 and an error body.
        if text.contains("<Error>") {
            let (code, message) = error_fields(&text);
            return Err(S3Error::ErrorInAnswer {
                remote: self.display.clone(),
                what,
                code,
                message,
            }
            .into());
        }
        Ok(())
    }
}
