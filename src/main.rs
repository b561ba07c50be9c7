//! `hako`: parse the command line and dispatch. Nothing else lives here.

use std::path::PathBuf;
use std::process::exit;

use clap::{Parser, Subcommand};

#[path = "../plumbing/mod.rs"]
mod plumbing;
#[path = "../porcelain/mod.rs"]
mod porcelain;

#[derive(Parser)]
#[command(
    name = "hako",
    version,
    about = "A content-addressed, version-controlled filesystem with a rootless container runtime"
)]
struct Cli {
    /// Run as if hako was started in DIR.
    #[arg(short = 'C', global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Command,
}

#[derive(Subcommand)]
enum Command {
    // ---- porcelain ----
    /// Create a workspace.
    Init(porcelain::init::Args),
    /// Show commit history.
    Log(porcelain::log::Args),
    // ---- plumbing ----
    /// Compute an object id, optionally storing the object.
    HashObject(plumbing::hash_object::Args),
    /// Show an object's type, size or content.
    CatFile(plumbing::cat_file::Args),
    /// Create a commit object.
    CommitTree(plumbing::commit_tree::Args),
    /// Update a ref safely (lock + compare-and-swap).
    UpdateRef(plumbing::update_ref::Args),
    /// Read, set or delete a symbolic ref.
    SymbolicRef(plumbing::symbolic_ref::Args),
    /// Resolve revision expressions to ids.
    RevParse(plumbing::rev_parse::Args),
    /// List commits reachable from revisions.
    RevList(plumbing::rev_list::Args),
    /// List refs with their ids.
    ShowRef(plumbing::show_ref::Args),
    /// List refs with a format.
    ForEachRef(plumbing::for_each_ref::Args),
    /// Run a command in a rootless sandbox of a directory.
    UnshareExec(plumbing::unshare_exec::Args),
    /// Run a command inside a running sandbox.
    Enter(plumbing::enter::Args),
}

fn dispatch(cmd: Command) -> anyhow::Result<i32> {
    match cmd {
        Command::Init(a) => porcelain::init::run(a),
        Command::Log(a) => porcelain::log::run(a),
        Command::HashObject(a) => plumbing::hash_object::run(a),
        Command::CatFile(a) => plumbing::cat_file::run(a),
        Command::CommitTree(a) => plumbing::commit_tree::run(a),
        Command::UpdateRef(a) => plumbing::update_ref::run(a),
        Command::SymbolicRef(a) => plumbing::symbolic_ref::run(a),
        Command::RevParse(a) => plumbing::rev_parse::run(a),
        Command::RevList(a) => plumbing::rev_list::run(a),
        Command::ShowRef(a) => plumbing::show_ref::run(a),
        Command::ForEachRef(a) => plumbing::for_each_ref::run(a),
        Command::UnshareExec(a) => plumbing::unshare_exec::run(a),
        Command::Enter(a) => plumbing::enter::run(a),
    }
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind::*;
            if matches!(
                e.kind(),
                DisplayHelp | DisplayVersion | DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                exit(if e.kind() == DisplayHelpOnMissingArgumentOrSubcommand {
                    129
                } else {
                    0
                });
            }
            let text = e.render().to_string();
            // One line: the message up to the first blank line (before "Usage:").
            let msg: Vec<&str> = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            eprintln!("fatal: {}", msg.join(" ").trim_start_matches("error: "));
            exit(129);
        }
    };
    if let Some(dir) = &cli.dir {
        if let Err(e) = std::env::set_current_dir(dir) {
            eprintln!("fatal: cannot change to '{}': {e}", dir.display());
            exit(128);
        }
    }
    match dispatch(cli.cmd) {
        Ok(code) => exit(code),
        Err(e) => {
            let code = e
                .downcast_ref::<plumbing::Fatal>()
                .map(|f| f.code)
                .unwrap_or(128);
            let msg = format!("{e:#}").replace('\n', " ");
            eprintln!("fatal: {msg}");
            exit(code);
        }
    }
}
