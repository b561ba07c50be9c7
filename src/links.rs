//! What an object links to (format-spec/gc.md, "Roots"): a commit's tree,
//! parents and pulled image config (its `Image-Config` trailer, oci.md), a
//! tag's object, a tree node's children or entries, a chunk list's
//! children. The one definition that gc's reachability, fsck, pack
//! selection, quarantine and the dumb-HTTP walk follow.
#![warn(missing_docs)]

use crate::error::Result;
use crate::object::{CommitRef, Object, ObjectType, TagRef};
use crate::oid::ObjectId;
use crate::prolly::{dir, file};

/// What a referrer requires of the object it names (objects.md, refs.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requires {
    /// Anything: a tag's target, a reflog entry.
    Any,
    /// Exactly this type.
    Kind(ObjectType),
    /// A regular file's content: a blob or a chunk list.
    Content,
    /// A tag ref's value: a commit or an annotated tag.
    Tagged,
}

impl Requires {
    /// Whether an object of `kind` satisfies this requirement.
    pub fn admits(self, kind: ObjectType) -> bool {
        match self {
            Requires::Any => true,
            Requires::Kind(k) => k == kind,
            Requires::Content => matches!(kind, ObjectType::Blob | ObjectType::File),
            Requires::Tagged => matches!(kind, ObjectType::Commit | ObjectType::Tag),
        }
    }

    /// What the referrer requires, in words.
    pub fn name(self) -> &'static str {
        match self {
            Requires::Any => "object",
            Requires::Kind(k) => k.name(),
            Requires::Content => "blob or file",
            Requires::Tagged => "commit or tag",
        }
    }

    /// What a ref named `name` (`refs/heads/…`, `HEAD`, `refs/tags/…`) must name.
    pub fn of_ref(name: &str) -> Requires {
        if name.starts_with("refs/tags/") {
            Requires::Tagged
        } else if name == "HEAD" || name.starts_with("refs/heads/") {
            Requires::Kind(ObjectType::Commit)
        } else {
            Requires::Any
        }
    }
}

/// What a commit made by `pull` records of the image (format-spec/oci.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullRecord {
    /// The fully qualified reference pulled.
    pub image: String,
    /// `sha256:…` of the manifest (the platform's, not the index's).
    pub digest: String,
    /// The platform pulled, `os/arch[/variant]`.
    pub platform: String,
    /// The blob holding the image config JSON, byte for byte.
    pub config: ObjectId,
    /// `sha256:…` of the config.
    pub config_digest: String,
    /// Bytes of the config and compressed layers, as the manifest gives them.
    pub size: u64,
    /// How many layers the image has.
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

/// The objects `o` (object `id`, consumed) refers to, each with what its
/// type must be (a directory entry's content: a blob or a chunk list; a
/// symlink's target: a blob) and whether it is the root of a directory (a
/// commit's tree, a directory entry; not an internal node of a tree).
/// A `shallow` commit names no parents (layout.md, "Shallow workspaces").
pub(crate) fn children(
    id: &ObjectId,
    o: Object,
    shallow: bool,
    each: &mut dyn FnMut(ObjectId, Requires, bool),
) -> Result<()> {
    match o.kind {
        ObjectType::Blob => {}
        ObjectType::Commit => {
            let c = CommitRef::parse(&o.data)?;
            each(c.tree, Requires::Kind(ObjectType::Tree), true);
            // A pulled image's config blob is named by a trailer (oci.md).
            if let Some(rec) = PullRecord::parse(c.message) {
                each(rec.config, Requires::Kind(ObjectType::Blob), false);
            }
            if !shallow {
                for p in &c.parents {
                    each(*p, Requires::Kind(ObjectType::Commit), false);
                }
            }
        }
        ObjectType::Tag => each(TagRef::parse(&o.data)?.object, Requires::Any, false),
        ObjectType::Tree => {
            let n = crate::prolly::Node::parse::<dir::TreeSchema>(*id, o.data)?;
            if n.level > 0 {
                for (_, _, child) in dir::children(&n) {
                    each(child, Requires::Kind(ObjectType::Tree), false);
                }
            } else {
                for e in dir::leaf_entries(&n)? {
                    if e.is_dir() {
                        each(e.id, Requires::Kind(ObjectType::Tree), true);
                    } else if e.is_file() {
                        each(e.id, Requires::Content, false);
                    } else if e.is_symlink() {
                        each(e.id, Requires::Kind(ObjectType::Blob), false);
                    }
                }
            }
        }
        ObjectType::File => {
            let n = crate::prolly::Node::parse::<file::FileSchema>(*id, o.data)?;
            let kind = if n.level > 0 {
                ObjectType::File
            } else {
                ObjectType::Blob
            };
            for (_, _, child) in file::node_children(&n) {
                each(child, Requires::Kind(kind), false);
            }
        }
    }
    Ok(())
}
