//! Fetch, clone and push as operations on a workspace (format-spec/sync.md):
//! which remote refs map to which local refs, the fast-forward and force
//! rules, new containers, and the remote-tracking refs kept per container
//! (`containers/<c>/refs/remotes/<remote>/<branch>`).

mod fetch;
mod push;
mod remote;

pub use crate::transport::push::{PushOpts, PushRef, PushReport};
pub use fetch::{fetch, FetchOpts, FetchReport, RefChange};
pub use push::push;
pub use remote::{
    ahead_behind, check_remote_name, connect_options, local_tips, remote, remotes, ssh_command,
    stored_url, upstream, Remote, Tracking,
};
