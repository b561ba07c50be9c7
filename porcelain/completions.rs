//! `hako completions SHELL`: print the completion script of a shell. The
//! script asks `hako` itself (clap's dynamic completion, through
//! `HAKO_COMPLETE`), so branches, tags, containers, remotes and instances
//! of the workspace at hand complete, not only commands and options.

#[derive(clap::Args)]
pub struct Args {
    /// bash, zsh, fish, elvish or powershell.
    shell: clap_complete::Shell,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let shell = a.shell.to_string();
    // The registration script is what clap prints when asked with no words.
    std::env::set_var(crate::porcelain::complete::ENV, &shell);
    let done = clap_complete::CompleteEnv::with_factory(crate::command)
        .var(crate::porcelain::complete::ENV)
        .bin("hako")
        .completer("hako")
        .try_complete(["hako"], None)?;
    if !done {
        anyhow::bail!("no completion script for {shell}");
    }
    Ok(0)
}
