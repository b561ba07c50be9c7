//! `hako`: parse the command line and dispatch. Nothing else lives here.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::exit;

use clap::{Parser, Subcommand};

#[path = "../plumbing/mod.rs"]
mod plumbing;
#[path = "../porcelain/mod.rs"]
mod porcelain;

/// The top level: its options, which every command takes too, and no
/// command. `command()` adds all commands, `command_for` only the one named.
#[derive(Parser)]
#[command(
    subcommand_required = true,
    arg_required_else_help = true,
    disable_help_subcommand = true
)]
#[command(
    name = "hako",
    version,
    about = "A content-addressed, version-controlled filesystem with a rootless container runtime"
)]
pub(crate) struct Globals {
    /// Run as if hako was started in DIR.
    #[arg(short = 'C', global = true, value_name = "DIR", id = "hako_chdir")]
    chdir: Option<PathBuf>,
    /// Act on container NAME for this command (default: the active one).
    #[arg(
        short = 'c',
        long = "container",
        global = true,
        value_name = "NAME",
        id = "hako_container"
    )]
    container: Option<String>,
    /// Never page the output (log, diff, show, status and reflog page
    /// through less on a terminal; HAKO_PAGER, core.pager, PAGER choose).
    #[arg(short = 'P', long = "no-pager", global = true, id = "hako_no_pager")]
    no_pager: bool,
}

/// Declares `Command` and `one_command`, which finds the builder of one
/// command by name (or alias) without building the other 87: a start builds
/// only the command it runs (building them all was a sixth of `hako
/// --version`). Each builder is the derive's own, on a one-variant enum, so
/// it builds exactly what the full enum's builder does for that command.
macro_rules! commands {
    ($(#[$emeta:meta])* enum Command { $( $(#[$meta:meta])* $variant:ident($args:ty), )* }) => {
        $(#[$emeta])*
        enum Command { $( $(#[$meta])* $variant($args), )* }

        fn one_command(name: &str) -> Option<fn(clap::Command) -> clap::Command> {
            $( {
                #[derive(Subcommand)]
                #[command(defer = true)]
                #[allow(dead_code)]
                enum One { $(#[$meta])* $variant($args) }
                if <One as Subcommand>::has_subcommand(name) {
                    return Some(<One as Subcommand>::augment_subcommands);
                }
            } )*
            None
        }
    };
}

commands! {
#[derive(Subcommand)]
#[command(defer = true)]
enum Command {
    // ---- porcelain ----
    /// Create a workspace whose first container holds a busybox root filesystem.
    Init(porcelain::init::Args),
    /// Check what this host gives the runtime, and how to enable what is missing.
    Bootstrap(porcelain::bootstrap::Args),
    /// Show commit history.
    Log(porcelain::log::Args),
    /// List containers.
    Containers(porcelain::containers::Args),
    /// Create a container.
    NewContainer(porcelain::new_container::Args),
    /// Delete a container.
    DelContainer(porcelain::del_container::Args),
    /// Switch the active container.
    Is(porcelain::is::Args),
    /// Write a file in the working root.
    Write(porcelain::write::Args),
    /// Print a file.
    Cat(porcelain::cat::Args),
    /// Create directories.
    Mkdir(porcelain::mkdir::Args),
    /// Delete files or directories.
    Del(porcelain::del::Args),
    /// Copy files or directories.
    Cp(porcelain::cp::Args),
    /// Move or rename.
    Mv(porcelain::mv::Args),
    /// Fetch an OCI image from a registry and commit its root filesystem.
    Pull(porcelain::pull::Args),
    /// List the images pulled into containers.
    Images(porcelain::images::Args),
    /// Push a commit to a registry as an OCI image, or save it as a layout.
    #[command(subcommand)]
    Image(porcelain::image::Args),
    /// Import a host file or directory.
    Import(porcelain::import::Args),
    /// Export to a host directory.
    Export(porcelain::export::Args),
    /// List a directory.
    Ls(porcelain::ls::Args),
    /// Mount a revision's tree read-only through FUSE.
    Mount(porcelain::mount::Args),
    /// Unmount a `hako mount`.
    Umount(porcelain::umount::Args),
    /// Run a command in a container (overlayfs over the checkout cache, else FUSE).
    Run(Box<porcelain::run::Args>),
    /// Run an interactive shell in a container.
    Shell(porcelain::shell::Args),
    /// Get and set options of the workspace's or the user's config.
    Config(porcelain::config::Args),
    /// Show a commit with its patch, a tag, a tree, or a file at REV:PATH.
    Show(porcelain::show::Args),
    /// List running instances.
    Ps(porcelain::ps::Args),
    /// Print a detached instance's output.
    Logs(porcelain::logs::Args),
    /// Run a command inside a running instance.
    Exec(porcelain::exec::Args),
    /// Stop instances: SIGTERM, then SIGKILL.
    Stop(porcelain::stop::Args),
    /// Send a signal to an instance.
    Kill(porcelain::kill::Args),
    /// Wait for an instance to end and print its exit status.
    Wait(porcelain::wait::Args),
    /// Clean up after dead and exited instances.
    Reap(porcelain::reap::Args),
    /// Draw a directory hierarchy.
    Tree(porcelain::tree::Args),
    /// Print the current directory.
    Pwd(porcelain::pwd::Args),
    /// Change the current directory.
    Cd(porcelain::cd::Args),
    /// Show uncommitted changes.
    Status(porcelain::status::Args),
    /// Record the working root.
    Commit(porcelain::commit::Args),
    /// List, create, delete or rename branches.
    Branch(porcelain::branch::Args),
    /// Merge another branch, tag or commit into the current branch.
    Merge(porcelain::merge::Args),
    /// Mark conflicted paths of a merge resolved.
    Add(porcelain::add::Args),
    /// Switch branches or detach HEAD.
    Checkout(porcelain::checkout::Args),
    /// List, create or delete tags.
    Tag(porcelain::tag::Args),
    /// Show changes.
    Diff(porcelain::diff::Args),
    /// Build a container from hako.toml, one committed step at a time.
    Apply(porcelain::apply::Args),
    /// Copy a workspace: every container, its branches and tags.
    Clone(porcelain::clone::Args),
    /// Manage the remotes a workspace fetches from and pushes to.
    Remote(porcelain::remote::Args),
    /// Bring branches and tags from a remote (then `merge REMOTE/BRANCH`).
    Fetch(porcelain::fetch::Args),
    /// Update a remote's branches and tags from local ones.
    Push(porcelain::push::Args),
    /// Move the current branch.
    Reset(porcelain::reset::Args),
    /// Show where a ref has been.
    Reflog(porcelain::reflog::Args),
    /// Check objects, connectivity and tree structure.
    Fsck(porcelain::fsck::Args),
    /// Repack, prune and expire reflogs.
    Gc(porcelain::gc::Args),
    /// Pack every reachable object into one pack.
    Repack(porcelain::repack::Args),
    /// Remove old unreachable loose objects.
    Prune(porcelain::prune::Args),
    /// Print a shell completion script.
    Completions(porcelain::completions::Args),
    /// List the commands by what they are for, or describe one.
    Help(porcelain::help::Args),
    /// Write the man pages into a directory.
    #[command(hide = true)]
    Manpages(porcelain::manpages::Args),
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
    /// List the refs another workspace advertises.
    LsRemote(plumbing::ls_remote::Args),
    /// Write the static files of a dumb-HTTP mirror.
    UpdateServerInfo(plumbing::update_server_info::Args),
    /// Download objects from a dumb-HTTP mirror (no ref moves).
    HttpFetch(plumbing::http_fetch::Args),
    /// Serve a fetch on stdin/stdout (run over ssh by fetch and clone).
    UploadPack(plumbing::upload_pack::Args),
    /// Receive a push on stdin/stdout (run over ssh by push).
    ReceivePack(plumbing::receive_pack::Args),
    /// Fetch the objects of remote refs into the store.
    FetchPack(plumbing::fetch_pack::Args),
    /// Push refs to a remote's receive-pack.
    SendPack(plumbing::send_pack::Args),
    /// List refs with a format.
    ForEachRef(plumbing::for_each_ref::Args),
    /// Build a tree from ls-tree lines on stdin.
    Mktree(plumbing::mktree::Args),
    /// List a tree's entries.
    LsTree(plumbing::ls_tree::Args),
    /// Import a host directory as a tree.
    WriteTree(plumbing::write_tree::Args),
    /// Materialise a tree into a host directory.
    CheckoutTree(plumbing::checkout_tree::Args),
    /// The checkout cache of overlay instances: ls, prepare, prune, verify, probe, fold.
    #[command(subcommand)]
    Cache(plumbing::cache::Args),
    /// Compare two trees.
    DiffTree(plumbing::diff_tree::Args),
    /// Find the best common ancestors of two commits.
    MergeBase(plumbing::merge_base::Args),
    /// Merge two trees three-way and write the result (no ref or working root changes).
    MergeTree(plumbing::merge_tree::Args),
    /// Write a pack of objects (or of revisions, with --revs).
    PackObjects(plumbing::pack_objects::Args),
    /// Verify a pack and store it with its index.
    IndexPack(plumbing::index_pack::Args),
    /// Store a pack's objects as loose objects.
    UnpackObjects(plumbing::unpack_objects::Args),
    /// Count loose and packed objects.
    CountObjects(plumbing::count_objects::Args),
    /// Check packs: checksums and every object.
    VerifyPack(plumbing::verify_pack::Args),
    /// Run a command in a rootless sandbox of a directory.
    UnshareExec(Box<plumbing::unshare_exec::Args>),
    /// Run a command inside a running sandbox.
    Enter(plumbing::enter::Args),
}
}

fn dispatch(cmd: Command) -> anyhow::Result<i32> {
    match cmd {
        Command::Init(a) => porcelain::init::run(a),
        Command::Bootstrap(a) => porcelain::bootstrap::run(a),
        Command::Log(a) => porcelain::log::run(a),
        Command::Containers(a) => porcelain::containers::run(a),
        Command::NewContainer(a) => porcelain::new_container::run(a),
        Command::DelContainer(a) => porcelain::del_container::run(a),
        Command::Is(a) => porcelain::is::run(a),
        Command::Write(a) => porcelain::write::run(a),
        Command::Cat(a) => porcelain::cat::run(a),
        Command::Mkdir(a) => porcelain::mkdir::run(a),
        Command::Del(a) => porcelain::del::run(a),
        Command::Cp(a) => porcelain::cp::run(a),
        Command::Mv(a) => porcelain::mv::run(a),
        Command::Pull(a) => porcelain::pull::run(a),
        Command::Images(a) => porcelain::images::run(a),
        Command::Image(a) => porcelain::image::run(a),
        Command::Import(a) => porcelain::import::run(a),
        Command::Export(a) => porcelain::export::run(a),
        Command::Ls(a) => porcelain::ls::run(a),
        Command::Mount(a) => porcelain::mount::run(a),
        Command::Umount(a) => porcelain::umount::run(a),
        Command::Run(a) => porcelain::run::run(*a),
        Command::Shell(a) => porcelain::shell::run(a),
        Command::Config(a) => porcelain::config::run(a),
        Command::Show(a) => porcelain::show::run(a),
        Command::Ps(a) => porcelain::ps::run(a),
        Command::Logs(a) => porcelain::logs::run(a),
        Command::Exec(a) => porcelain::exec::run(a),
        Command::Stop(a) => porcelain::stop::run(a),
        Command::Kill(a) => porcelain::kill::run(a),
        Command::Wait(a) => porcelain::wait::run(a),
        Command::Reap(a) => porcelain::reap::run(a),
        Command::Tree(a) => porcelain::tree::run(a),
        Command::Pwd(a) => porcelain::pwd::run(a),
        Command::Cd(a) => porcelain::cd::run(a),
        Command::Status(a) => porcelain::status::run(a),
        Command::Commit(a) => porcelain::commit::run(a),
        Command::Branch(a) => porcelain::branch::run(a),
        Command::Merge(a) => porcelain::merge::run(a),
        Command::Add(a) => porcelain::add::run(a),
        Command::Checkout(a) => porcelain::checkout::run(a),
        Command::Tag(a) => porcelain::tag::run(a),
        Command::Diff(a) => porcelain::diff::run(a),
        Command::Reset(a) => porcelain::reset::run(a),
        Command::Reflog(a) => porcelain::reflog::run(a),
        Command::Manpages(a) => porcelain::manpages::run(a),
        Command::Completions(a) => porcelain::completions::run(a),
        Command::Help(a) => porcelain::help::run(a),
        Command::Fsck(a) => porcelain::fsck::run(a),
        Command::Gc(a) => porcelain::gc::run(a),
        Command::Repack(a) => porcelain::repack::run(a),
        Command::Prune(a) => porcelain::prune::run(a),
        Command::HashObject(a) => plumbing::hash_object::run(a),
        Command::CatFile(a) => plumbing::cat_file::run(a),
        Command::CommitTree(a) => plumbing::commit_tree::run(a),
        Command::UpdateRef(a) => plumbing::update_ref::run(a),
        Command::SymbolicRef(a) => plumbing::symbolic_ref::run(a),
        Command::RevParse(a) => plumbing::rev_parse::run(a),
        Command::RevList(a) => plumbing::rev_list::run(a),
        Command::ShowRef(a) => plumbing::show_ref::run(a),
        Command::LsRemote(a) => plumbing::ls_remote::run(a),
        Command::Apply(a) => porcelain::apply::run(a),
        Command::UpdateServerInfo(a) => plumbing::update_server_info::run(a),
        Command::HttpFetch(a) => plumbing::http_fetch::run(a),
        Command::Clone(a) => porcelain::clone::run(a),
        Command::Remote(a) => porcelain::remote::run(a),
        Command::Fetch(a) => porcelain::fetch::run(a),
        Command::Push(a) => porcelain::push::run(a),
        Command::UploadPack(a) => plumbing::upload_pack::run(a),
        Command::ReceivePack(a) => plumbing::receive_pack::run(a),
        Command::FetchPack(a) => plumbing::fetch_pack::run(a),
        Command::SendPack(a) => plumbing::send_pack::run(a),
        Command::ForEachRef(a) => plumbing::for_each_ref::run(a),
        Command::Mktree(a) => plumbing::mktree::run(a),
        Command::LsTree(a) => plumbing::ls_tree::run(a),
        Command::WriteTree(a) => plumbing::write_tree::run(a),
        Command::CheckoutTree(a) => plumbing::checkout_tree::run(a),
        Command::Cache(a) => plumbing::cache::run(a),
        Command::DiffTree(a) => plumbing::diff_tree::run(a),
        Command::MergeBase(a) => plumbing::merge_base::run(a),
        Command::MergeTree(a) => plumbing::merge_tree::run(a),
        Command::VerifyPack(a) => plumbing::verify_pack::run(a),
        Command::PackObjects(a) => plumbing::pack_objects::run(a),
        Command::IndexPack(a) => plumbing::index_pack::run(a),
        Command::UnpackObjects(a) => plumbing::unpack_objects::run(a),
        Command::CountObjects(a) => plumbing::count_objects::run(a),
        Command::UnshareExec(a) => plumbing::unshare_exec::run(*a),
        Command::Enter(a) => plumbing::enter::run(a),
    }
}

/// The command line: every command, each with its example in its help.
pub(crate) fn command() -> clap::Command {
    let cmd = porcelain::descriptions::with_descriptions(porcelain::examples::with_examples(
        all_commands(),
    ));
    with_grouped_help(cmd)
}

/// The top level with every command, as the derive builds it.
fn all_commands() -> clap::Command {
    <Command as Subcommand>::augment_subcommands(<Globals as clap::CommandFactory>::command())
}

/// `hako`, `hako -h` and `hako --help` print the grouped list, as git does.
fn with_grouped_help(cmd: clap::Command) -> clap::Command {
    let grouped = porcelain::help::grouped(&cmd, false);
    cmd.override_help(grouped)
}

/// The command line to parse `args` with: what `command()` builds, less
/// what `args` cannot reach (building it all is most of a start). Only help
/// output differs between the two, and only help that is not asked for: the
/// command named is there alone, with its examples and description; the
/// top level alone answers `--version`; everything is there when the top
/// level's help, an unknown command's suggestions or a missing command's
/// list may show.
fn command_for(args: &[std::ffi::OsString]) -> clap::Command {
    let mut words = args.iter().skip(1).map(|a| a.to_str());
    let mut sub = None;
    let mut version = false;
    while let Some(word) = words.next() {
        match word {
            Some("-C" | "-c" | "--container") => {
                words.next();
            }
            Some("-V" | "--version") => version = true,
            Some("-P" | "--no-pager") => {}
            Some(w) if w.starts_with("--container=") => {}
            Some(w) if w.len() > 2 && (w.starts_with("-C") || w.starts_with("-c")) => {}
            Some(w) if !w.starts_with('-') => {
                sub = Some(w);
                break;
            }
            // Help at the top level, `--`, or anything else: everything.
            _ => return command(),
        }
    }
    let top = <Globals as clap::CommandFactory>::command();
    let Some(typed) = sub else {
        return match (version, args.len()) {
            (true, _) => top,
            (false, 0 | 1) => command(),
            (false, _) => all_commands(),
        };
    };
    let Some(add) = one_command(typed) else {
        return command();
    };
    let cmd = add(top);
    let Some(name) = cmd.find_subcommand(typed).map(|c| c.get_name().to_string()) else {
        return command();
    };
    porcelain::descriptions::with_description_of(
        porcelain::examples::with_examples_of(cmd, &name),
        &name,
    )
}

/// What the command line asked for.
struct Cli {
    globals: Globals,
    cmd: Command,
}

impl Cli {
    fn from_matches(m: &clap::ArgMatches) -> Result<Cli, clap::Error> {
        use clap::FromArgMatches;
        Ok(Cli {
            globals: Globals::from_arg_matches(m)?,
            cmd: Command::from_arg_matches(m)?,
        })
    }
}

fn main() {
    // A shell asking for completions (the script of `hako completions`).
    clap_complete::CompleteEnv::with_factory(|| porcelain::complete::with_completers(command()))
        .var(porcelain::complete::ENV)
        .complete();
    plumbing::start_tracing();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = command_for(&args)
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_matches(&m));
    let cli = match parsed {
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
            // One line: the message up to the first blank line (before
            // "Usage:"), and clap's suggestion, as git's "did you mean".
            let msg: Vec<&str> = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let tip = text
                .lines()
                .map(str::trim)
                .find_map(|l| l.strip_prefix("tip: "))
                .filter(|t| t.contains("similar"))
                .map(|t| format!(" ({t})"))
                .unwrap_or_default();
            eprintln!(
                "fatal: {}{tip}",
                msg.join(" ").trim_start_matches("error: ")
            );
            exit(129);
        }
    };
    if let Ok(cwd) = std::env::current_dir() {
        let _ = plumbing::CALLER_CWD.set(cwd);
    }
    if let Some(dir) = &cli.globals.chdir {
        if let Err(e) = std::env::set_current_dir(dir) {
            eprintln!("fatal: cannot change to '{}': {e}", dir.display());
            exit(128);
        }
    }
    if let Some(c) = cli.globals.container {
        let _ = plumbing::CONTAINER.set(c);
    }
    // Commands that spool what a peer sends clean up when interrupted.
    if matches!(
        cli.cmd,
        Command::Clone(_)
            | Command::Fetch(_)
            | Command::Pull(_)
            | Command::HttpFetch(_)
            | Command::ReceivePack(_)
            | Command::FetchPack(_)
            | Command::IndexPack(_)
            | Command::UnpackObjects(_)
    ) {
        hako::fsutil::clean_up_on_signal();
    }
    let pages = matches!(
        cli.cmd,
        Command::Log(_)
            | Command::Diff(_)
            | Command::Show(_)
            | Command::Status(_)
            | Command::Reflog(_)
    );
    let pager = (pages && !cli.globals.no_pager)
        .then(porcelain::pager::start)
        .flatten();
    let result = dispatch(cli.cmd);
    if let Some(p) = pager {
        p.finish();
    }
    if result.as_ref().is_err_and(plumbing::is_broken_pipe) {
        exit(0);
    }
    plumbing::print_warnings();
    match result {
        Ok(code) => exit(code),
        Err(e) => {
            let code = e
                .downcast_ref::<plumbing::Fatal>()
                .map(|f| f.code)
                .unwrap_or(128);
            let msg = format!("{e:#}").replace('\n', " ");
            eprintln!("fatal: {}", plumbing::terminal_safe(&msg));
            exit(code);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<std::ffi::OsString> {
        words.iter().map(|w| w.into()).collect()
    }

    /// What a subcommand's help prints is the same whichever way it is built.
    #[test]
    fn command_for_a_subcommand_helps_as_the_full_command() {
        let mut full = command();
        let names: Vec<String> = full
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        for name in names {
            let mut part = command_for(&args(&["hako", "-C", "x", &name, "--help"]));
            let want = full.find_subcommand_mut(&name).unwrap().render_long_help();
            let got = part.find_subcommand_mut(&name).unwrap().render_long_help();
            assert_eq!(got.to_string(), want.to_string(), "{name}");
            let want = full.find_subcommand_mut(&name).unwrap().render_help();
            let got = part.find_subcommand_mut(&name).unwrap().render_help();
            assert_eq!(got.to_string(), want.to_string(), "{name}");
        }
    }

    /// `one_command` knows every command of the full tree, by its name and
    /// its aliases, and builds it as the full tree does; nothing else.
    #[test]
    fn one_command_builds_each_command_alone() {
        let mut full = all_commands();
        let names: Vec<(String, Vec<String>)> = full
            .get_subcommands()
            .map(|c| {
                let aliases = c.get_all_aliases().map(str::to_string).collect();
                (c.get_name().to_string(), aliases)
            })
            .collect();
        for (name, aliases) in names {
            for typed in std::iter::once(&name).chain(&aliases) {
                let add = one_command(typed).unwrap_or_else(|| panic!("{typed}"));
                let mut alone = add(<Globals as clap::CommandFactory>::command());
                assert_eq!(alone.get_subcommands().count(), 1, "{typed}");
                let want = full.find_subcommand_mut(&name).unwrap().render_long_help();
                let got = alone.find_subcommand_mut(&name).unwrap().render_long_help();
                assert_eq!(got.to_string(), want.to_string(), "{typed}");
            }
        }
        assert!(one_command("nosuch").is_none());
        assert!(one_command("").is_none());
    }

    /// A panic still unwinds to `catch_unwind` with GCC's unwinder linked
    /// statically (build.rs): a panicking rayon task relies on it.
    #[test]
    fn a_panic_unwinds() {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let caught = std::panic::catch_unwind(|| panic!("unwind me"));
        std::panic::set_hook(hook);
        assert!(caught.is_err());
    }

    /// The top level's help is the grouped list whenever it may show.
    #[test]
    fn command_for_the_top_level_helps_as_the_full_command() {
        let want = command().render_help().to_string();
        for words in [
            &["hako"][..],
            &["hako", "-h"],
            &["hako", "-P", "--help"],
            &["hako", "-Pc", "x"],
        ] {
            let got = command_for(&args(words)).render_help().to_string();
            assert_eq!(got, want, "{words:?}");
        }
        let err = command_for(&args(&["hako", "-C", "x", "nosuch"]))
            .try_get_matches_from(args(&["hako", "-C", "x", "nosuch"]))
            .err()
            .unwrap();
        assert_eq!(err.kind(), clap::error::ErrorKind::InvalidSubcommand);
        let v = command_for(&args(&["hako", "--version"]))
            .try_get_matches_from(args(&["hako", "--version"]))
            .err()
            .unwrap();
        assert_eq!(v.kind(), clap::error::ErrorKind::DisplayVersion);
    }
}
