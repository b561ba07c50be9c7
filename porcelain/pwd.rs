//! `hako pwd`: print the current directory inside the containers.

use crate::plumbing;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_a: Args) -> anyhow::Result<i32> {
    let ws = plumbing::open_workspace()?;
    println!("{}", hako::container::cwd(&ws)?);
    Ok(0)
}
