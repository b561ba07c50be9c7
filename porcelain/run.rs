//! `hako run [CONTAINER|REV] [--] [CMD…]`: run a command in a container whose
//! root is its tree (format-spec/runtime.md): on overlay over the checkout
//! cache, through FUSE, or checked out. The command line and its
//! translation into a run request are in `run_cli` (`shell` shares them).

pub use super::run_cli::Args;

pub fn run(a: Args) -> anyhow::Result<i32> {
    super::run_cli::run(a)
}
