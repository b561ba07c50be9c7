//! hako as a library: a workspace made, written, committed, read back at
//! two revisions, diffed, exported, and a command run in the container,
//! all through `hako::Hako` (src/facade.rs). t/t0050-library.sh runs it and
//! checks what it did with the `hako` command line.
//!
//!   library WORKSPACE EXPORT-DIR

use std::error::Error;

fn main() {
    // The engine's errors are one-line messages (Display), as hako prints
    // them after `fatal:`.
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, export] = &args[..] else {
        return Err("usage: library WORKSPACE EXPORT-DIR".into());
    };
    let hk = hako::Hako::init(dir)?
        .set_config("user.name", "Library Example")?
        .set_config("user.email", "example@hako.invalid")?;
    let (seed, busybox) = hk.seed()?;
    println!("seed {} busybox={busybox}", seed.short());

    hk.write("/etc/motd", b"hello\n")?;
    let first = hk.commit("a greeting")?.ok_or("nothing to commit")?;
    hk.write("/etc/motd", b"hello again\n")?;
    hk.write("/srv/data.txt", b"1 2 3\n")?;
    let second = hk.commit("a second greeting")?.ok_or("nothing to commit")?;
    println!("committed {first} {second}");

    let now = hk.read("/etc/motd")?;
    let then = hk.read(&format!("{first}:/etc/motd"))?;
    println!("motd now: {}", String::from_utf8_lossy(&now).trim_end());
    println!("motd then: {}", String::from_utf8_lossy(&then).trim_end());

    for c in hk.log("HEAD", 10)? {
        println!("log {} {}", c.id, c.subject);
    }
    for ch in hk.diff(&first.to_string(), "HEAD")? {
        println!("diff {} {}", ch.status(), String::from_utf8_lossy(&ch.path));
    }
    hk.export("/srv", export)?;

    if busybox {
        let code = hk
            .command("/bin/sh")
            .arg("-c")
            .arg("cat /etc/motd && echo from-inside >/srv/out && exit 3")
            .status()?;
        println!("run exit {code}");
        println!(
            "run wrote: {}",
            String::from_utf8_lossy(&hk.read("/srv/out")?).trim_end()
        );
    }
    Ok(())
}
