//! `hako completions SHELL`: print a shell completion script (clap_complete).

#[derive(clap::Args)]
pub struct Args {
    /// bash, zsh, fish, elvish or powershell.
    shell: clap_complete::Shell,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let mut cmd = crate::command();
    clap_complete::generate(a.shell, &mut cmd, "hako", &mut std::io::stdout());
    Ok(0)
}
