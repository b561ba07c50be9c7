//! Directories as prolly trees: entries, lookups, ordered iteration, point
//! edits that rewrite O(depth) nodes, and top-down diff that skips equal subtrees.
#![warn(missing_docs)]

mod cursor;
mod diff;
mod edit;
mod entry;
pub(crate) mod hardlinks;
mod paths;

/// How deep directories may nest (prolly-tree.md, "Depth limit"): a
/// commit's root directory is level 1. A path that deep has at least 4095
/// bytes, Linux's PATH_MAX, so no deeper tree could be checked out anyway.
pub(crate) const MAX_TREE_DEPTH: usize = 2048;

pub use cursor::{count, get, list, TreeCursor};
pub use diff::{apply, diff, diff_recursive, Change, DiffStep, PathChange, TreeDiff};
pub use edit::{build, edit, empty};
pub use entry::{
    check_entry_name, check_link_path, check_mode, check_name, child, children, leaf_entries, load,
    Entry, Meta, TreeSchema, MAX_META, MAX_NAME, ROOT_RECORD, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO,
    S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK,
};
pub use paths::{lookup_path, split_path, update_path};
