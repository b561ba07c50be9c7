//! Link GCC's unwinder statically, as `-static-libgcc` does for C: loading
//! libgcc_s.so at every start cost about 0.2 ms of hako's 2 (its constructor
//! probes the CPU with CPUID, slow under a hypervisor), where git starts in
//! 1.5. Only for a native glibc build whose compiler has the archive;
//! anything else links as before.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // `make dist` links with this list: a new list must relink the binary.
    println!("cargo:rerun-if-changed=contrib/start-order.txt");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let native = var("HOST") == var("TARGET");
    let static_crt = var("CARGO_CFG_TARGET_FEATURE")
        .split(',')
        .any(|f| f == "crt-static");
    if !native
        || var("CARGO_CFG_TARGET_OS") != "linux"
        || var("CARGO_CFG_TARGET_ENV") != "gnu"
        || static_crt
    {
        return;
    }
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let Ok(out) = Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
    else {
        return;
    };
    let archive = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let Some(dir) = archive
        .parent()
        .filter(|_| archive.is_absolute() && archive.exists())
    else {
        return;
    };
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-lib=static=gcc_eh");
}
