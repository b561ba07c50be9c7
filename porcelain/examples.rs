//! One example per command, shown at the end of its `--help` (and in its
//! man page). Kept in one table so that a test can check every command has
//! one and that each still parses.

/// (command, example command line, what it does).
pub const EXAMPLES: &[(&str, &str, &str)] = &[
    (
        "init",
        "hako init ws",
        "create ./ws with a busybox root filesystem",
    ),
    (
        "bootstrap",
        "hako bootstrap -q",
        "say only what the runtime lacks on this host, and how to enable it",
    ),
    (
        "log",
        "hako log --oneline -n 5",
        "the last five commits, one line each",
    ),
    (
        "containers",
        "hako containers",
        "list containers, the active one starred",
    ),
    (
        "new-container",
        "hako new-container web",
        "create the container 'web'",
    ),
    (
        "del-container",
        "hako del-container web",
        "delete the container 'web'",
    ),
    ("is", "hako is web", "make 'web' the active container"),
    (
        "write",
        "hako write /etc/motd 'hello'",
        "write a file in the working root",
    ),
    (
        "cat",
        "hako cat main:/etc/os-release",
        "print a file of a commit",
    ),
    ("mkdir", "hako mkdir -p /srv/www", "create directories"),
    ("del", "hako del -r /tmp/cache", "delete a directory"),
    ("cp", "hako cp /etc/hosts /etc/hosts.orig", "copy a file"),
    ("mv", "hako mv /srv/old /srv/new", "rename a directory"),
    (
        "pull",
        "hako pull docker.io/library/alpine:3.20",
        "commit an OCI image's root filesystem",
    ),
    (
        "images",
        "hako images",
        "list the images pulled into containers",
    ),
    (
        "image",
        "hako image push --layers commits registry.example:5000/team/app:1.0",
        "push the container as an OCI image, one layer per commit since its base image",
    ),
    (
        "import",
        "hako import ./site /srv/www",
        "copy a host directory into the working root",
    ),
    (
        "export",
        "hako export main:/etc ./etc-copy",
        "copy a directory out to the host",
    ),
    (
        "ls",
        "hako ls -l /etc",
        "list a directory with modes and sizes",
    ),
    (
        "mount",
        "hako mount v1 /mnt/v1",
        "mount tag v1 read-only for host tools",
    ),
    ("umount", "hako umount /mnt/v1", "unmount it"),
    (
        "run",
        "hako run --rm -e GREETING=hi default -- sh -c 'echo $GREETING'",
        "a throwaway run of a command in a container",
    ),
    (
        "run",
        "hako run --host --keep-as tried -- pip install --user requests",
        "a host program over the host's files, isolated; what it changed kept as the container 'tried'",
    ),
    (
        "show",
        "hako show HEAD~1:/etc/hostname",
        "a file as it was one commit ago",
    ),
    (
        "config",
        "hako config --global user.email me@example.com",
        "set the email of the commits you make, for every workspace",
    ),
    (
        "config",
        "hako config --global --add bind-profile.dev.bind /opt/tools:/tools:ro",
        "add a bind to the profile `run --bind-profile dev` uses",
    ),
    (
        "shell",
        "hako shell web",
        "an interactive shell in a container (writes kept)",
    ),
    (
        "ps",
        "hako ps -a --json",
        "every instance, running or exited, as JSON",
    ),
    (
        "logs",
        "hako logs -f --tail 20 web",
        "follow a detached instance's output",
    ),
    (
        "exec",
        "hako exec -it web sh",
        "a shell inside a running instance, on a terminal of its own",
    ),
    (
        "stop",
        "hako stop -t 5 web",
        "SIGTERM, then SIGKILL after 5 seconds",
    ),
    (
        "kill",
        "hako kill -s HUP web",
        "send a signal to an instance",
    ),
    (
        "wait",
        "hako wait web",
        "wait for an instance and exit with its status",
    ),
    (
        "reap",
        "hako reap",
        "clean up instances whose supervisor died",
    ),
    ("tree", "hako tree -L 2 /", "draw two levels of the root"),
    (
        "pwd",
        "hako pwd",
        "print the current directory inside the container",
    ),
    (
        "cd",
        "hako cd /etc",
        "change the current directory inside the container",
    ),
    (
        "status",
        "hako status",
        "uncommitted changes and the upstream's distance",
    ),
    (
        "commit",
        "hako commit -m 'install nginx'",
        "record the working root",
    ),
    (
        "branch",
        "hako branch experiment",
        "create a branch at HEAD",
    ),
    ("merge", "hako merge origin/main", "merge a fetched branch"),
    (
        "add",
        "hako add /etc/nginx.conf",
        "mark a conflicted path resolved",
    ),
    ("checkout", "hako checkout experiment", "switch branches"),
    (
        "tag",
        "hako tag -m 'release' v1",
        "an annotated tag at HEAD",
    ),
    (
        "diff",
        "hako diff HEAD~1",
        "changes since the previous commit",
    ),
    (
        "apply",
        "hako apply --profile prod --run",
        "build the container of ./hako.toml, then run it",
    ),
    (
        "clone",
        "hako clone ssh://host/srv/ws",
        "copy a workspace with every container",
    ),
    (
        "remote",
        "hako remote add origin host:/srv/ws",
        "name a remote",
    ),
    (
        "fetch",
        "hako fetch --prune",
        "bring every container's branches and tags",
    ),
    (
        "push",
        "hako push -u origin main",
        "push a branch and track it",
    ),
    (
        "reset",
        "hako reset --hard HEAD~1",
        "drop the last commit and its changes",
    ),
    ("reflog", "hako reflog", "where HEAD has been"),
    (
        "fsck",
        "hako fsck",
        "check every object and the connectivity",
    ),
    (
        "gc",
        "hako gc --prune=now",
        "repack and drop unreachable objects",
    ),
    (
        "repack",
        "hako repack -a -d",
        "pack every reachable object into one pack",
    ),
    (
        "prune",
        "hako prune",
        "remove old unreachable loose objects",
    ),
    (
        "completions",
        "hako completions bash >/etc/bash_completion.d/hako",
        "install bash completion",
    ),
    (
        "help",
        "hako help -a",
        "every command by what it is for, plumbing included",
    ),
    (
        "hash-object",
        "hako hash-object -w big.iso",
        "store a file, print its id",
    ),
    (
        "cat-file",
        "hako cat-file -p HEAD",
        "pretty-print an object",
    ),
    (
        "commit-tree",
        "hako commit-tree -p HEAD -m msg TREE",
        "make a commit object",
    ),
    (
        "update-ref",
        "hako update-ref refs/heads/main NEW OLD",
        "move a ref if it still is OLD",
    ),
    (
        "symbolic-ref",
        "hako symbolic-ref HEAD refs/heads/dev",
        "point HEAD at a branch",
    ),
    (
        "rev-parse",
        "hako rev-parse HEAD~2",
        "resolve a revision to an id",
    ),
    (
        "rev-list",
        "hako rev-list --count main ^v1",
        "count commits since v1",
    ),
    (
        "show-ref",
        "hako show-ref --tags",
        "list tags with their ids",
    ),
    (
        "ls-remote",
        "hako ls-remote origin",
        "the refs a remote advertises",
    ),
    (
        "update-server-info",
        "hako update-server-info",
        "publish this workspace as a dumb-HTTP mirror (serve its .hako directory)",
    ),
    (
        "http-fetch",
        "hako http-fetch -v https://example.com/ws containers/default/refs/heads/main",
        "download one remote branch's objects from a dumb-HTTP mirror",
    ),
    (
        "upload-pack",
        "hako upload-pack /srv/ws",
        "serve a fetch on stdin/stdout (run by ssh)",
    ),
    (
        "receive-pack",
        "hako receive-pack /srv/ws",
        "receive a push on stdin/stdout (run by ssh)",
    ),
    (
        "fetch-pack",
        "hako fetch-pack host:/srv/ws default/main",
        "fetch one branch's objects",
    ),
    (
        "send-pack",
        "hako send-pack --atomic host:/srv/ws main dev",
        "push two refs, all or nothing",
    ),
    (
        "for-each-ref",
        "hako for-each-ref --format='%(refname) %(objectname)'",
        "list refs with a format",
    ),
    (
        "mktree",
        "hako ls-tree HEAD | hako mktree",
        "build a tree from ls-tree lines",
    ),
    (
        "ls-tree",
        "hako ls-tree -r HEAD /etc",
        "list a tree recursively",
    ),
    (
        "write-tree",
        "hako write-tree ./rootfs",
        "store a host directory as a tree",
    ),
    (
        "checkout-tree",
        "hako checkout-tree HEAD^{tree} ./out",
        "write a tree to a host directory",
    ),
    (
        "cache",
        "hako cache prepare HEAD",
        "make a commit's tree ready as an overlay lower directory",
    ),
    (
        "diff-tree",
        "hako diff-tree -r HEAD~1 HEAD",
        "paths changed by the last commit",
    ),
    (
        "merge-base",
        "hako merge-base --all main dev",
        "every best common ancestor",
    ),
    (
        "merge-tree",
        "hako merge-tree --write-tree main dev",
        "merge two commits without touching a working root",
    ),
    (
        "pack-objects",
        "printf 'HEAD\\n^v1\\n' | hako pack-objects --revs --thin --stdout >p",
        "a thin pack since v1",
    ),
    (
        "index-pack",
        "hako index-pack --fix-thin --stdin <p",
        "store and index a received pack",
    ),
    (
        "unpack-objects",
        "hako unpack-objects <p",
        "store a pack's objects as loose objects",
    ),
    (
        "count-objects",
        "hako count-objects -v",
        "loose and packed object counts",
    ),
    (
        "verify-pack",
        "hako verify-pack -v .hako/objects/pack/pack-*.idx",
        "check a pack and list its objects",
    ),
    (
        "unshare-exec",
        "hako unshare-exec ./rootfs -- /bin/sh -c 'id'",
        "run a command in a rootless sandbox",
    ),
    (
        "enter",
        "hako enter 4242 -- /bin/sh",
        "join a sandboxed process's namespaces",
    ),
];

/// `cmd` with each subcommand's examples appended to its help.
pub fn with_examples(mut cmd: clap::Command) -> clap::Command {
    let mut done: Vec<&str> = Vec::new();
    for (name, ..) in EXAMPLES {
        if done.contains(name) {
            continue;
        }
        done.push(name);
        cmd = with_examples_of(cmd, name);
    }
    cmd
}

/// `cmd` with the examples of its subcommand `name` appended to that one's help.
pub fn with_examples_of(cmd: clap::Command, name: &str) -> clap::Command {
    if cmd.find_subcommand(name).is_none() {
        return cmd;
    }
    let mut text = String::from("Examples:");
    let mut any = false;
    for (_, line, what) in EXAMPLES.iter().filter(|(n, ..)| *n == name) {
        text.push_str(&format!("\n  # {what}\n  {line}"));
        any = true;
    }
    if !any {
        return cmd;
    }
    cmd.mut_subcommand(name, |c| c.after_help(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of the example's `hako …` command (the last one of a
    /// pipeline), without redirections; single quotes group words.
    fn words(line: &str) -> Vec<String> {
        let start = line.rfind("hako ").expect("an example runs hako");
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        let mut any = false;
        for c in line[start..].chars() {
            match c {
                '\'' => {
                    quoted = !quoted;
                    any = true;
                }
                ' ' if !quoted => {
                    if any {
                        out.push(std::mem::take(&mut cur));
                    }
                    any = false;
                }
                _ => {
                    cur.push(c);
                    any = true;
                }
            }
        }
        if any {
            out.push(cur);
        }
        out.retain(|w| !w.starts_with('>') && !w.starts_with('<'));
        out
    }

    #[test]
    fn every_command_has_an_example_that_parses() {
        let cmd = crate::command();
        for sub in cmd.get_subcommands() {
            let name = sub.get_name();
            if sub.is_hide_set() || name == "help" {
                continue;
            }
            assert!(
                EXAMPLES.iter().any(|(n, ..)| *n == name),
                "command {name} has no example"
            );
        }
        for (name, line, _) in EXAMPLES {
            let w = words(line);
            assert_eq!(w[1], *name, "the example of {name} runs {}", w[1]);
            if let Err(e) = crate::command().try_get_matches_from(&w) {
                panic!("example of {name} does not parse: {line}: {e}");
            }
        }
    }
}
