//! Three-way merge (format-spec/merge.md): merge bases over the commit DAG,
//! the three-way prolly tree walk, line merge of text files, and the
//! conflict record kept in a container while a merge is in progress, and
//! the workflow that merges into a branch, concludes or aborts.
#![warn(missing_docs)]

pub(crate) mod base;
pub mod state;
pub(crate) mod text;
pub mod tree;
pub mod workflow;

#[cfg(test)]
mod props;

pub use crate::error::MergeError;
pub use base::{base_tree, merge_bases, merge_bases_of};
pub use text::{merge3, Favor, TextMerge, TEXT_LIMIT};
pub use tree::{merge_trees, Conflict, ConflictKind, MergeOptions, MergeOutcome};
pub use workflow::{
    abort, conclude, continue_merge, merge, merge_commits, Made, MergeRequest, Merged, Strategy,
};
