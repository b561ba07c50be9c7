//! `hako manpages DIR`: write the man pages (`hako.1` and one
//! `hako-COMMAND.1` per command, with its example) with `clap_mangen`.
//! The checked-in `contrib/man/` is made by this (t3500 keeps it current)
//! and installed by `make install`.

use std::path::PathBuf;

use anyhow::Context;

#[derive(clap::Args)]
pub struct Args {
    /// The directory to write the pages into (created).
    dir: PathBuf,
}

fn write_page(cmd: clap::Command, path: &std::path::Path) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut buf)?;
    hako::fsutil::write_atomic(path, &buf).with_context(|| path.display().to_string())?;
    Ok(())
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    std::fs::create_dir_all(&a.dir).with_context(|| a.dir.display().to_string())?;
    let root = crate::command().name("hako");
    for sub in root.get_subcommands() {
        if sub.is_hide_set() {
            continue;
        }
        // Names are `&'static str` for clap; a handful, leaked once per run.
        let name: &'static str = Box::leak(format!("hako-{}", sub.get_name()).into_boxed_str());
        let bin: &'static str = Box::leak(format!("hako {}", sub.get_name()).into_boxed_str());
        let page = sub.clone().name(name).bin_name(bin);
        write_page(page, &a.dir.join(format!("{name}.1")))?;
    }
    write_page(root, &a.dir.join("hako.1"))?;
    Ok(0)
}
