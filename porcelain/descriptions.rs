//! A long description per command: its `--help` (after the one-line
//! summary) and the DESCRIPTION of its man page. Kept in one table, as the
//! examples are, so that a test can check every command has one and that
//! each names only commands and options that exist.
//!
//! Conventions the test relies on: an option of another command is written
//! in backquotes after that command's name (`merge --abort`, `hako add`); an
//! option outside backquotes, or in backquotes starting with the option,
//! belongs to the command described.

/// (command, description). Paragraphs are separated by a blank line; a line
/// starting with two spaces is kept on a line of its own.
pub const DESCRIPTIONS: &[(&str, &str)] = &[
    // ---- porcelain ----
    (
        "bootstrap",
        r#"Checks, by trying each, what this host gives hako's runtime, and says
how to enable what is missing: user namespaces (every container needs
them), a rootless overlay mount on the workspace's filesystem (run's fast
data path), FUSE (`hako mount`, and run where overlay is refused),
subordinate ids (`hako run --map-users`; not needed as root), pasta and a
usable /dev/net/tun (`hako run --net pasta`), cgroup v2 delegation
(`hako run --pids-limit` and the other limits) and a static busybox (the
seed root filesystem of `hako init`).

Each line says ok or MISS, what was found, what needs it and, when
missing, the fix. -q prints only what is missing. The exit status is 0
when `hako run` can work here (user namespaces), 1 otherwise. Nothing is
changed on the host."#,
    ),
    (
        "init",
        r#"Creates a workspace: a `.hako/` directory in PATH (default: the current
directory; created when missing) holding the object store, the config
(`.hako/config`, core.formatversion 1) and the first container, `default`,
which becomes the active one.

The container gets one commit on branch `main`, the seed root filesystem:
the host's static busybox (`/bin/busybox` and a link for each of its
applets), `/etc/passwd`, `/etc/group`, `/tmp` and the other directories a
shell expects, so that `hako run` works at once. When busybox is not
installed on the host the root filesystem has no programs, and init says so.
The seed commit is made by the configured identity, or by
`hako init <init@hako.invalid>` when none is set: init works before
`user.name` and `user.email` are configured.

With --empty the container has no commits at all: pull an image into it,
`hako import` a directory, or write files and commit. Running init where a
workspace exists already is refused; nothing is changed then.

Every other command finds the workspace by walking up from the current
directory to a `.hako/` directory; `hako -C DIR` and the HAKO_DIR
environment variable (the `.hako` directory itself) override the search."#,
    ),
    (
        "log",
        r#"Shows the commits reachable from the given revisions (default HEAD) of
the selected container, newest first, in topological order: a commit is
never shown after one of its parents. `^REV` excludes what REV reaches, and
`A..B` is `^A B`; --all starts from every branch, tag and HEAD of the
container. -n limits the count; --first-parent follows only the first
parent of merges (the history of the branch itself); paths after `--` keep
only commits that change them.

Each commit is printed as `commit ID`, a `Merge:` line for a merge, the
author, the date and the indented message. --oneline prints the short id
and the subject; --format (or --pretty) takes oneline, medium or git's
placeholders (%H %h %T %t %P %p %an %ae %ad %at %ar %cn %ce %cd %ct %cr %s
%b %n %%), bare or as format:… (separators) and tformat:… (terminators).

-p adds each commit's patch against its first parent and --stat its
diffstat (nothing for merges, as git by default). --graph draws the history
beside the commits as git does: `*` a commit, `|`, `/` and `\` the lines
of descent.

Commits of another container are named `CONTAINER:REV`, e.g.
`hako log debian:main`; the global -c option selects the container
whose refs the plain names mean."#,
    ),
    (
        "containers",
        r#"Lists the workspace's containers, one per line, the active one marked
with `*` (the one commands act on without -c). A container is a named
line of history with its own branches, tags, reflog and uncommitted working
root, stored under `.hako/containers/NAME/`; all containers share the
object store, so the same file in two containers is stored once. --json
prints an array of objects with name, active and head."#,
    ),
    (
        "new-container",
        r#"Creates a container named NAME (letters, digits, `.`, `_` and `-`) with
branch `main` checked out. It starts with the seed root filesystem that
`hako init` gives the first container; with --from REF it starts at that
commit instead (of the active container, or of the one -c selects), sharing
its history; with --empty it has no commits. The active container does not
change: switch with `hako is NAME`, or act on it once with `hako -c NAME`."#,
    ),
    (
        "del-container",
        r#"Deletes a container: its refs, reflogs, working root and any merge in
progress. The active container is refused (switch with `hako is` first).
The objects it referenced stay in the store until `hako gc` prunes those
that nothing else reaches, after the grace period."#,
    ),
    (
        "is",
        r#"Makes NAME the active container: the one every command acts on when -c
is not given. This changes only the workspace's record of the active
container (`.hako/active`); no file moves. A clone keeps the source's active
container."#,
    ),
    (
        "write",
        r#"Writes bytes verbatim to a file of the active container's working root:
CONTENT as given (no newline is added), or standard input when CONTENT is
omitted or `-`, or a host file with --from. Missing parent directories are
created. The file keeps its old permission bits, or gets 644 when new;
--mode sets them (octal). Like every file command it changes only the
working root: `hako status` and `hako diff` show the change and
`hako commit` records it."#,
    ),
    (
        "cat",
        r#"Prints a file's content. The path is in the working root, relative to
the current directory (`hako cd`) unless absolute; `REV:PATH` reads it
from a branch, tag, commit, HEAD or WORKING, and `CONTAINER:PATH` or
`CONTAINER:REV:PATH` from another container. Symlinks inside the tree are
followed as the kernel would; a directory is an error
(`hako ls` lists it)."#,
    ),
    (
        "mkdir",
        r#"Creates directories in the working root (mode 755). A missing parent is
an error unless -p, which also accepts a directory that exists already.
Each path is one edit of the tree that rewrites only the nodes on its path."#,
    ),
    (
        "del",
        r#"Deletes files, symlinks and, with -r, directories with everything in
them from the working root. A missing path is an error, and a directory
without -r too; nothing is changed then. What was committed stays in
history (`hako cat HEAD:PATH`)."#,
    ),
    (
        "cp",
        r#"Copies a file or, with -r, a directory within the working root. The
source may be any revision's (`REV:PATH`, `CONTAINER:REV:PATH`), so a file
can be brought back from an old commit or another container. When DST is
an existing directory SRC is copied into it. Copying a directory is a
single entry edit: the subtree is shared, not rewritten, whatever its
size."#,
    ),
    (
        "mv",
        r#"Moves or renames a file or directory within the working root; when DST
is an existing directory SRC goes inside it. A move edits the two parent
directories only: its cost follows the depth of the paths, not the size of
what moves."#,
    ),
    (
        "pull",
        r#"Fetches an OCI or Docker image from a registry and commits its root
filesystem, with the layers applied in order (whiteouts included), to a
container: the one named by --as, else the repository's last component
(`alpine` for docker.io/library/alpine). A missing container is created.

IMAGE is `alpine`, `alpine:3.20`, `host:port/repo:tag` or `repo@sha256:…`.
An image index is narrowed to --platform (default: this machine's). Layers
may be gzip, zstd or plain tar; every blob is verified against its digest
before use, and --jobs layers are downloaded at once. Authentication is
anonymous, or Basic or Bearer-token with the credentials of
REGISTRY_AUTH_FILE, podman's auth.json ($XDG_RUNTIME_DIR/containers, then
~/.config/containers) or docker's config.json, whose credHelpers and
credsStore name the credential helper (docker-credential-NAME) to ask, as
skopeo and docker read them; plain HTTP is used only on loopback or with
--insecure. Files are chunked as every file is, so images sharing files,
or parts of files, store them once; pull prints the bytes downloaded and
the bytes stored. An image whose manifest is stored already is not
downloaded again.

The commit records the image reference, the manifest digest, the platform
and the image config (format-spec/oci.md); `hako run` takes the command,
environment, working directory and user from that config, and
`hako images` lists the pulls.

A re-pull never hides work. The branch the image goes on (the current one,
or --branch B) is inspected first:
  the same image and digest as its last pull: nothing to do
    ("up to date"), even with commits of its own on top;
  a newer image, no commits since the last pull: a commit on top;
  commits since the last pull, or none from an image: refused.
In the last case pull into another branch with --branch B (created from
the last pull when missing; the current branch and the working root do not
move) and bring it in with `hako merge B`. A pull onto the current branch
is refused while the working root has uncommitted changes or an instance of
the container is running."#,
    ),
    (
        "image",
        r#"Turns a commit (REV, default HEAD, of the active container or of -c
NAME) into an OCI image that docker, podman and Kubernetes run.
`image push [REV] REFERENCE` uploads it to a registry; `image save [REV]
--oci DIR` writes an OCI image layout, `--archive FILE` a tar of one.

A container made by `hako pull` keeps its image's layers: they are reused by
digest and never made again (already on the target registry: nothing is
sent; on the same registry: mounted from the base repository; elsewhere:
copied from the base's registry). What changed since the pull becomes new
layers: --layers squash (the default) makes one, --layers commits one per
commit (an `apply`-built container ships one layer per setup step). A
container never pulled gets its whole tree as layers. Layers are tar
streams of the tree diff (whiteouts for deletions, PAX records for xattrs
and long names, hardlinks, devices, owners and times from the tree),
compressed with --compression gzip or zstd; the same commit always gives
the same digests.

The config starts from the base image's (or a bare one for --platform);
--cmd and --entrypoint (JSON arrays), --env, --workdir, --user, --label, and
--from-toml FILE (a hako.toml's run and env) change it; --annotation
annotates the manifest. Auth as `pull` reads it (REGISTRY_AUTH_FILE,
podman's auth.json, docker's config.json and credential helpers, bearer
tokens), or --creds USER:PASSWORD. The tag
moves only after every blob is in: a failed push leaves no tag on a
half-pushed image. Prints `DOMAIN/PATH@DIGEST` (push) or the manifest digest
(save)."#,
    ),
    (
        "images",
        r#"Lists the images pulled into containers: for each container, every pull
commit on the first-parent line of its HEAD, newest first, with the image
reference, manifest digest, size, container and commit. --porcelain prints
full digests and sizes in bytes, tab-separated, without a header."#,
    ),
    (
        "import",
        r#"Copies a host file, symlink or directory into the working root. A
directory becomes DEST itself: an existing DEST is replaced, or with
--merge the directory is laid over it (its entries win, the others stay);
`hako import DIR /` makes DIR the whole root. A file, symlink or device goes
inside DEST when DEST is an existing directory, else becomes DEST; without
DEST it is put in the current directory under its own name. A symlink is
stored as a symlink, never followed, and the workspace's own `.hako` is
never imported.

Modes, symlinks, empty directories, hardlinks and devices are recorded.
Without --owners every file is recorded as owned by root with no xattrs
and no times; --owners records uid, gid, xattrs and modification times, as
`tar -p` would (what a root filesystem needs). Files are hashed in
parallel and a file changing during the import cannot tear an object.
Import runs `gc --auto` at the end."#,
    ),
    (
        "export",
        r#"Copies a directory or file of the working root, or of any revision
(`REV:PATH`, `CONTAINER:REV:PATH`), out to the host. A directory goes to
HOSTDIR, created or empty; a file goes into HOSTDIR when it is a directory,
else to that path. Permission bits are exact, whatever the umask; setuid
and setgid bits, owners, xattrs and modification times are applied only
with --owners (which needs the privilege to set them). Device nodes are
created only with --owners; what cannot be created is named in a warning."#,
    ),
    (
        "ls",
        r#"Lists a directory of the working root (default: the current directory),
or of a revision (`REV:PATH`, `CONTAINER:REV:PATH`), byte-sorted:
directories as `name/`, symlinks as `name@ -> target`. -l adds the mode and
the size."#,
    ),
    (
        "mount",
        r#"Serves a commit's tree read-only through FUSE on an existing empty
directory, for host tools (diff, rsync, editors): REV is a commit, branch,
tag or tree id (default HEAD). Files are read by byte range, so reading part
of a big file loads only its chunks; the content is immutable, so the
kernel's caches are kept; every write fails with EROFS.

With --rw the container's working root is served read-write instead (no
REV): what host tools write lands in it, folded in on fsync, every 5
seconds and at unmount, and `hako status` sees it.

The mount daemonises once it is up, unless -f, which serves in the
foreground until unmounted or interrupted (SIGINT and SIGTERM unmount
cleanly). Unmount with `hako umount`. It needs fusermount3 (package fuse3)
and /dev/fuse."#,
    ),
    (
        "umount",
        r#"Unmounts a `hako mount` (through `fusermount3 -u`), retrying for a few
seconds while the mount is busy. A read-write mount first folds its writes
into the working root, so when umount returns they are there. A directory
that is not a hako mount is refused."#,
    ),
    (
        "run",
        r#"Runs a command in a container: a rootless sandbox (user, mount, pid,
uts, ipc, cgroup and net namespaces; format-spec/sandbox.md) whose root
directory is the container's tree, served through FUSE
(format-spec/runtime.md). The first argument is the container (default:
the active one) or a revision; the command follows, after `--` when it
could be taken for one. Options go before the container; one after it is
refused with a message.

Where the data goes. With a container, the command runs over its working
root and what it writes lands there (a persistent instance): `hako status`
and `hako diff` show it, `hako commit` records it, or --commit commits at
exit (message -m, default `run: CMD`). Nothing of the host is visible
inside unless --bind, --mount, --bind-profile or --auto-mount names it;
--auto-mount binds the host paths the command's arguments name (absolute,
~/…, ./…, ../…, or a relative name that exists) at the same place, and the
existing parent directory of an output file that does not exist yet,
writable.

Modes:
  persistent: a container without --rm; at most one runs per
    container (a second is refused: use --rm, or `hako exec`);
  temporary: --rm, or a revision that is not a container; writes
    are kept in memory and dropped at exit, nothing is stored;
  readonly: --ro; every write fails with EROFS.

The command, environment, working directory and user default to those of
the image the container was pulled from (an ENTRYPOINT and CMD, ENV,
WORKDIR, USER), else /bin/sh as root in /; -e, --env-file, -w and -u
override them. Paths are resolved in the tree as the kernel would, so
usr-merged images (/bin -> usr/bin) work. The container's root holds
podman's default capabilities (CHOWN DAC_OVERRIDE FOWNER FSETID KILL
NET_BIND_SERVICE SETFCAP SETGID SETPCAP SETUID SYS_CHROOT), inside its user
namespace only; --cap-add and --cap-drop change that set. The network is
--net none (loopback only) by default, or host, or pasta.

Exit status: the command's own, 128+N when it is killed by signal N; 127
when the command does not exist in the tree, 126 when it is not an
executable file (both found before anything starts, as a shell would);
125 when hako fails to set the sandbox up.

With -d the instance runs detached: run prints its id and returns, the
command's output goes to the instance's log (`hako logs`); `hako ps`,
`hako exec`, `hako stop`, `hako kill` and `hako wait` act on it by id, id
prefix or --name. -i keeps standard input attached (default /dev/null);
-t gives the command a pseudo-terminal of the container's own (implies -i;
not with -d): job control works inside, and the host's terminal is never
the container's. Each instance is
recorded under `.hako/instances/ID/`; exited ones are removed after the
run.keepExited most recent (default 20) whenever run starts, and
`hako reap` cleans up after dead ones.

The data path (--fs, else run.fs of the configuration): overlay, the
kernel's overlay filesystem over a read-only checkout of the tree shared
through the checkout cache (host speed; the default where it works), its
upper directory folded into the working root when the command ends (and
by status, diff, commit, exec --autocommit and reap while or after it
runs); fuse, the tree served by hako through FUSE (the fallback, with a
note saying why); materialize (--materialize), the tree checked out into
the instance's directory and folded back at exit.

Host programs (--host, as Kakuri's `kakuri CMD`): `hako run --host [--]
CMD` runs a program of the host over the host's own files, in a temporary
container: every host directory is an overlay lower directory, read-only
(one overlay per directory holding no mount point, so other filesystems
such as a separate /home show too), /proc, /dev, /tmp and /run are fresh,
and the sandbox isolates it as any run. It runs as the caller (root, or
the user's own uid with no capabilities; other users' files show as
nobody), in the caller's current directory, with the caller's PATH and
HOME. What it writes is discarded at exit, or, with --keep-as CONTAINER
(in a workspace), kept as a new container: its first commit holds the
host's versions of the paths the command changed, its working root the
change, so `hako status`, `hako diff` and `hako commit` show and record
exactly what the command did. No workspace is needed otherwise. --net,
--bind, --bind-profile, --auto-mount (writes through binds reach the
host), -e, -u, -w, -i, -t, --ro, the capability options and the limits
apply;
a container or revision, -d, --name, --fs, --commit and --map-users are
refused."#,
    ),
    (
        "shell",
        r#"Starts an interactive /bin/sh in a container (default: the active one)
or a revision: `hako run -it TARGET /bin/sh`, on a pseudo-terminal of the
container's own. What the shell writes lands in
the container's working root, unless --rm, which drops it at exit (a
revision that is not a container is always run that way)."#,
    ),
    (
        "config",
        r#"Reads and writes the workspace's `.hako/config` or, with --global, the
user config (`$XDG_CONFIG_HOME/hako/config`, default
`~/.config/hako/config`), in git config's syntax: quotes, escapes,
continuation lines, comments after values, keys with several values
(format-spec/config.md). NAME alone prints the value (the last one: the
workspace's, else the user config's; exit 1 when neither has it); NAME
VALUE sets it; --add NAME VALUE adds one more value; --get-all prints every
value, one a line; --unset removes it (exit 5 when it was not set); --list
prints every name=value line, the user config's first. Values are quoted
and escaped so that they read back the same; writes are crash-safe and keep
every other line of the file as it is. A file that does not parse is
refused by every command with `fatal: FILE:LINE: …`. Outside a workspace
only --global writes.

Keys hako reads:
  user.name, user.email: the author and committer of commits
    and tags (after HAKO_AUTHOR_* and HAKO_COMMITTER_*);
  remote.NAME.url, remote.NAME.uploadpack,
  remote.NAME.receivepack: remotes (`hako remote` writes them);
  branch.CONTAINER/BRANCH.remote and .merge: a branch's
    upstream (set by clone and `push -u`);
  core.sshCommand: the ssh program (after HAKO_SSH_COMMAND and
    HAKO_SSH);
  receive.denyNonFastForwards, receive.denyCurrentBranch: what
    a pushed-to workspace accepts (updateInstead, refuse, ignore);
  gc.auto, gc.autoPackLimit: the loose-object (6700) and pack
    (50) counts above which `gc --auto` works (0: never);
  run.keepExited: how many exited instances run keeps (20);
  run.fs: the data path of run (overlay, fuse or materialize;
    default: overlay where it works, else FUSE);
  sandbox.cgroupWarning: false silences the note that cgroup
    limits could not be applied;
  bind-profile.NAME.bind (user config, several values): the
    binds of `run --bind-profile NAME`;
  core.formatversion: the workspace format, 1 (never change it)."#,
    ),
    (
        "show",
        r#"Shows an object: for a commit (default HEAD), its header and message
as `hako log` prints them, then its patch against its first parent (none
for a merge); for an annotated tag, the tag then what it names; for a tree,
its entries; for `REV:PATH`, a file's content or a directory's entries."#,
    ),
    (
        "ps",
        r#"Lists the instances `hako run` started in this workspace that are
running: id, name, container, mode, status, exit status, age and command.
-a also lists those that have exited (kept up to run.keepExited) or died
(their supervisor was killed: `hako reap` cleans up after them); --json
prints an array of objects, times as seconds since the epoch."#,
    ),
    (
        "logs",
        r#"Prints what a detached instance (`run -d`) wrote on its standard output
and error, from its log under `.hako/instances/ID/`. -f keeps printing
until the instance ends; --tail prints only the last N lines. An instance
that ran in the foreground has no log."#,
    ),
    (
        "exec",
        r#"Runs a command (default /bin/sh) inside a running instance: it joins the
instance's namespaces, sees its root, and runs with the container's default
capabilities. -e sets variables; -i keeps standard input attached and -t
gives the command a pseudo-terminal of the container's own (implies -i).
The exit status is the command's. An instance that is not running is refused."#,
    ),
    (
        "stop",
        r#"Stops instances: SIGTERM to the command, then, after -t seconds (default
10), SIGKILL to the sandbox's pid 1, which takes everything inside with
it. It returns once each supervisor has recorded the exit (and, for a
persistent instance, folded the last writes into the working root), and
prints the ids it stopped."#,
    ),
    (
        "kill",
        r#"Sends a signal (-s, a name like TERM or SIGHUP or a number; default
KILL) to an instance's command. KILL goes to the sandbox's pid 1 directly
and takes every process inside; other signals are forwarded by the
supervisor. The instance must be running."#,
    ),
    (
        "wait",
        r#"Waits for an instance to end and prints its exit status (128+N for
signal N). An instance whose supervisor was killed has no status: wait
fails and names it, and `hako reap` records it as dead. An instance
removed meanwhile (by `run --rm`) is an error too."#,
    ),
    (
        "reap",
        r#"Cleans up after instances: one whose supervisor died (killed, or the
machine stopped) is recorded as dead, its leftover FUSE mount removed, and
the writes of a materialized one folded into the working root; the
records of exited instances are removed, unless --keep-exited. The
directory of a run killed before it wrote its first record is removed once
it is a minute old ("ID never started"), unless it holds a persistent
instance's changes (then a warning names it). It prints one line per
instance it handled. `hako run` already removes exited instances beyond
run.keepExited each time it starts."#,
    ),
    (
        "tree",
        r#"Draws a directory of the working root (default: the current directory),
or of a revision (`REV:PATH`), as an indented hierarchy, as tree(1) does.
-L limits the depth."#,
    ),
    (
        "pwd",
        r#"Prints the current directory inside the active container's working
root: where relative paths of the file commands start. It is the
workspace's, not the shell's, and is changed by `hako cd`."#,
    ),
    (
        "cd",
        r#"Changes the current directory inside the containers (default /): the
directory relative paths of the file commands (write, cat, ls, mkdir, del,
cp, mv, import, export, diff paths) start from. It is recorded in the
workspace and must name a directory of the working root; `hako pwd`
prints it."#,
    ),
    (
        "status",
        r#"Shows the selected container's working root against its HEAD commit:
the branch (or the detached commit), how far the branch is ahead of or
behind its upstream (after a clone or `push -u`; as of the last fetch),
and each changed path as added, modified, deleted or typechange.

During a merge it also says what is being merged and lists the unresolved
conflicts with their kind (content, add/add, modify/delete, type,
directory/file, mode, metadata; format-spec/merge.md), until `hako add`
marks them resolved.

--porcelain (-s, --short) prints stable lines for scripts: `U PATH KIND`
for each unresolved conflict, then `A PATH`, `M PATH`, `D PATH` or
`T PATH` per change, paths relative to the root; -z separates them with NUL
and leaves paths unquoted. The exit status is 0 whether or not there are
changes (`diff --exit-code` tests that)."#,
    ),
    (
        "commit",
        r#"Records the working root as a new commit on the current branch (or the
detached HEAD) and prints `ID SUBJECT`. -m gives the message (several -m
are paragraphs). When the working root equals HEAD's tree nothing is
recorded and the exit status is 1, unless --allow-empty.

The author and committer come from HAKO_AUTHOR_NAME/EMAIL/DATE (and
HAKO_COMMITTER_*), then `user.name` and `user.email` in `.hako/config`, then
in `~/.config/hako/config`; without one commit is refused. The commit is
made under the working root's lock, so a write racing it is refused, never
lost; HEAD's move is in the reflog.

During a merge, commit records the merge (two parents, or one after
`merge --squash`) with its message given by -m; it is refused while a
conflict is unresolved (`hako add` marks them). After committing it runs
`gc --auto`."#,
    ),
    (
        "branch",
        r#"Without arguments lists the selected container's branches, the current
one marked with `*` (-v adds each one's commit and subject); --show-current
prints only the current one.

`hako branch NAME [START]` creates a branch at START (default HEAD) without
switching to it (`checkout -b` does both). -d deletes a branch that is
merged into HEAD (-D, or -d --force, deletes it anyway; its commits stay
reachable from the reflog until it expires). The current branch cannot be
deleted. -m OLD NEW renames (-m NEW renames the current branch): the new
name, HEAD and the old name move in one transaction, and the reflog
follows. Branches of other containers are not touched: each container
has its own."#,
    ),
    (
        "merge",
        r#"Brings another branch, tag or commit (REF; `REMOTE/BRANCH` after a fetch,
`CONTAINER:REV` for another container's) into the current branch.

When REF is already contained in HEAD there is nothing to do. When HEAD is
contained in REF, the branch fast-forwards to it (no commit; --no-ff makes
a merge commit anyway, --ff-only refuses anything else). Otherwise the two
histories are merged three-way over their merge base
(format-spec/merge.md): directories are merged entry by entry, each entry's
mode, metadata and content on their own, and files changed on both sides
line by line (text up to 1 MiB without NUL bytes). A clean merge is
committed at once with two parents (message -m, default `Merge REF`).
Histories without a common commit are refused unless
--allow-unrelated-histories.

On conflicts nothing is committed. The working root holds the merged
result: a file with conflicting hunks holds both versions between markers

  <<<<<<< ours
  (the current branch's lines)
  ||||||| base        (with --diff3 only)
  (the base's lines)
  =======
  (REF's lines)
  >>>>>>> theirs

and for the other kinds (modify/delete, type, directory/file, mode,
metadata, binary content) the current branch's entry. merge prints a
CONFLICT line per path and exits 1; `hako status` lists the unresolved
conflicts (`status --porcelain` prints `U PATH KIND`).

To resolve: edit the working root (`hako write`, `hako cp`, a
`hako run` of an editor, ...) until each path holds what the merge should
record, then `hako add PATH` marks it resolved. `hako merge --continue` (or
`hako commit -m MSG`) records the merge once no conflict is left;
`hako merge --abort` gives it up and restores HEAD and the working root
exactly as they were. While a merge is in progress another merge
and `hako checkout` are refused; `hako reset` gives the merge up.

-X ours (or theirs) resolves every conflict in favour of that side: a
conflicting hunk takes that side's lines and every other kind that side's
entry, and nothing is left unresolved. --strategy (-s) ours or theirs
does not merge at all: the result is that side's tree as it is, recorded
as a merge commit (ours records the other history as merged without taking
any of it). --squash merges as usual but records no second parent: the
working root holds the result and `merge --continue` (or `hako commit`)
commits it as an ordinary commit.

Modification times never conflict: a directory's mtime changes whenever
its entries do, so two sides that each added a file under /etc both changed
the mtime of /etc; the later one is taken, as git, which records none,
would never notice.

Uncommitted changes are carried over when the merge does not touch their
paths; otherwise the merge is refused before anything changes. A merge is
also refused while a persistent instance of the container is running. The
merge state is kept in `.hako/containers/NAME/MERGE` and `MERGE_CONFLICTS`."#,
    ),
    (
        "add",
        r#"Marks conflicted paths of the merge in progress resolved: what the
working root holds at each path is what the merge will record. A directory
resolves every conflict under it. A path without an unresolved conflict is
an error, and so is add without a merge in progress: hako has no index, and
everything else in the working root is committed as it is. When no
conflict is left, `merge --continue` or `commit` records the merge."#,
    ),
    (
        "checkout",
        r#"Switches the selected container to a branch: HEAD names it and the
working root becomes its tree. Given a tag or a commit, HEAD is detached
at that commit (commits made there belong to no branch until
`hako branch NAME` names them). -b NEW creates branch NEW at REF (default
HEAD) and switches to it.

HEAD and the working root move together under the working root's lock. A
working root with uncommitted changes is refused, so nothing is lost;
--force discards them, and also checks out while a persistent instance of
the container is running (which is otherwise refused). A merge in
progress must be finished or aborted first. The move is recorded in the
HEAD reflog."#,
    ),
    (
        "tag",
        r#"Without NAME lists the selected container's tags. `hako tag NAME [REF]`
creates a lightweight tag (a ref to REF, default HEAD); -a with -m (-m
alone implies -a) makes an annotated tag object carrying the tagger (the
configured identity) and the message. An existing tag is replaced only with
-f; -d deletes one. Tags travel with fetch and with `push --tags`; a
fetched tag that differs from a local one is kept local unless
`fetch --force`."#,
    ),
    (
        "diff",
        r#"Shows changes as unified diffs: with no revision, HEAD against the working
root (what `hako commit` would record); with one, that revision against the
working root; with two, the first against the second. Each may be a
commit, branch, tag, tree id, WORKING or `CONTAINER:REV`; paths after
`--` limit the output. --stat prints a diffstat, --name-status one
`STATUS\tPATH` line per change (A, M, D, T), --name-only the paths.
--exit-code makes the exit status 1 when there are differences. Binary
files are reported as differing, not shown. The cost follows the size of
the change: subtrees equal on both sides are skipped unread."#,
    ),
    (
        "apply",
        r#"Makes a container what a hako.toml file describes (-f, default
`hako.toml`; format-spec/hako-toml.md): the image it starts from, the
setup steps that build it, their environment, network, binds and
rlimits, and the command `--run` starts. --profile overlays a table of
the file on the base; `include` files are merged under it.

The container (`name`, default the directory holding the file) is created
when missing: pulled from `image`, or with the seed root filesystem. Each
setup step is a shell command run by /bin/sh -c inside the container, as
`hako run` would, and is committed on its own: its message is the step
and an `Apply-Step: HASH` trailer, where the step hash chains the image's
manifest digest, the network, workspace mode, binds and rlimits, the step
environment and every step so far. The directory holding the file is bound
at /workspace, writable unless `workspace` says `ro` or `none`.

A later apply walks HEAD's first-parent history for those trailers: the
steps whose hashes it finds are applied and skipped. When a step changed
(or was removed), the branch and the working root are reset to the last
step still applied (refused when the working root has uncommitted changes)
and the steps from there run again. When every step is applied nothing
runs. A failing step stops apply with the step's exit status: its writes are
dropped, the steps before it stay committed, and a re-run resumes at it.
With `autocommit = true`, `--run` commits what the command writes when it
exits and after each `hako exec` into it (`hako run --autocommit`).

--dry-run (-n) says what would run and changes nothing; --run starts the
file's `run` command (else the image's) once the setup is done. The values
of `env_pass` variables are never hashed (so never recorded); only their
names are."#,
    ),
    (
        "clone",
        r#"Copies a workspace into a new directory (default: the last component of
URL, without `.hako`): every container with its branches and tags, each
with its remote HEAD's branch checked out, the source's active container
active again. The source is recorded as remote `origin` (-o renames it),
and each checked-out branch gets it as upstream (`hako status` says ahead
or behind).

URL is a path, `file://…`, `ssh://[user@]host[:port]/path`,
`[user@]host:path` (through ssh, which runs `hako upload-pack` there;
HAKO_SSH_COMMAND, HAKO_SSH or core.sshCommand pick the ssh program,
--upload-pack the remote program), or `http://…` and `https://…` for a
dumb-HTTP mirror (`hako update-server-info`; format-spec/dumb-http.md),
or `s3://BUCKET/PREFIX` for a bucket of an object store (endpoint, region
and credentials from remote.NAME.s3endpoint/s3region/s3pathstyle/s3partsize, the
AWS_* environment and ~/.aws; format-spec/object-store.md).
The global -c NAME clones only that container. --depth N makes a shallow
clone: each branch's last N commits (deepen later with `fetch --depth`
or `fetch --unshallow`).

Every object received is verified before it is stored, and only what is
reachable from the refs travels, as one pack. A failed or interrupted
clone leaves no directory behind. The destination must not exist or be
empty (format-spec/sync.md)."#,
    ),
    (
        "remote",
        r#"Manages the named remotes of the workspace, stored as
`[remote "NAME"] url = URL` in `.hako/config`, as git does. Without a
subcommand lists their names (-v adds the URLs). `add NAME URL` records
one; `remove NAME` (or `rm`) deletes it with its remote-tracking refs
(`refs/remotes/NAME/…` of every container); `rename OLD NEW` renames it
and them; `set-url` changes the URL and `get-url` prints it. A remote is
shared by every container of the workspace: fetch and push carry
containers by name."#,
    ),
    (
        "fetch",
        r#"Brings the branches and tags of every container of a remote (default
origin; a configured name or a URL) into this workspace, without touching
any local branch or working root. Branch B of container C lands in the
remote-tracking ref `refs/remotes/REMOTE/B` of the local container C;
tags land in `refs/tags/` (a differing local tag is kept unless --force).
A container the workspace lacks is created, with the remote HEAD's branch
checked out. Integrate with `hako merge REMOTE/B` (`hako pull` is the OCI
image command, not git's pull).

Only objects the workspace lacks travel (the two sides negotiate over their
commits) and each is verified before it is stored. --prune deletes
remote-tracking refs whose branch is gone; --all fetches from every
configured remote. REFSPECs `[+]SRC[:DST]` fetch only some refs of the
selected container; a DST ref is moved by fast-forward only, unless `+`
or --force. --depth N cuts the history N commits deep (a shallow
workspace, recorded in `.hako/shallow`); a larger --depth deepens it and
--unshallow fetches the rest. URLs are those of `hako clone`; an
http(s) mirror is fetched with range requests (format-spec/sync.md,
format-spec/dumb-http.md)."#,
    ),
    (
        "push",
        r#"Updates a remote's refs (default origin) from local ones and sends the
objects they need, as a thin pack of the difference. Without a REFSPEC the
selected container's current branch is pushed to the branch of the same
name of the remote's container of the same name; a container the remote
lacks is created there. REFSPECs are `[+]SRC[:DST]`, `:DST` deletes
(or --delete); --all pushes every branch of every container, --tags every
tag.

A ref is updated only by fast-forward unless --force (or `+`);
--force-with-lease forces only while the remote ref is what the local
remote-tracking ref (or the given ID) says. The remote verifies the pack in
quarantine before any ref moves, and moves each ref by compare-and-swap;
with --atomic every ref moves or none does. One line per ref says
ok, rejected or up to date; the exit status is 1 when any was rejected.
-u records the pushed branch as the upstream of the local one.

A push into a branch checked out on the remote updates that container's
working root when it is clean and is refused when it has uncommitted
changes (receive.denyCurrentBranch; receive.denyNonFastForwards refuses
every non-fast-forward, forced or not). --dry-run does everything but the
update. Pushing needs ssh, a path or an `s3://` bucket: dumb-HTTP mirrors
are read-only. In a bucket each push writes its packs, then one key per
new ref value; two pushes that did not see each other both stay, and the
branch is reported with two heads until a merge (or --force) is pushed;
--atomic is refused there (format-spec/object-store.md)."#,
    ),
    (
        "reset",
        r#"Moves the current branch (or the detached HEAD) to REF. The working root
keeps its content, so what differs from REF now shows as uncommitted
changes (`hako status`); --hard also sets the working root to REF's tree,
dropping uncommitted changes (refused while a persistent instance of the
container is running). The old position stays in the reflog: `hako reset
--hard HEAD@{1}` undoes a reset. A merge in progress is given up."#,
    ),
    (
        "reflog",
        r#"Shows where a ref (default HEAD) of the selected container has been,
newest first: one line per move with its `REF@{N}` name, the id it moved
to and why (commit, merge, checkout, reset, pull, ...). Every REF@{N} works
as a revision anywhere, so an old position can be checked out or reset to.
Entries are kept 90 days; `hako gc` expires older ones."#,
    ),
    (
        "fsck",
        r#"Checks the store: every object's content against its id, and
connectivity: everything reachable from every ref, reflog entry and
working root of every container (and the state of a merge in progress) is
present. Trees and chunk lists are checked to be cut where the boundary
rule puts them (format-spec/prolly-tree.md), so two equal trees always have
one id; --full also re-chunks every file's content. --connectivity-only
checks presence only.

One line per problem, and exit status 1 when there is any. --unreachable
lists objects nothing reaches, --dangling those of them nothing else refers
to, and --lost-found writes the dangling ones under `.hako/lost-found/`.
-v reports what was checked on standard error."#,
    ),
    (
        "gc",
        r#"Tidies the store (format-spec/gc.md): expires reflog entries older than
90 days, writes every reachable object into one pack (deltas chosen
afresh) and removes the packs and loose objects it replaces, then prunes
unreachable loose objects older than --prune (default 2.weeks.ago; `now`
prunes every one, `never` none). Nothing reachable from a ref, a reflog, a
working root or a merge in progress is ever removed, and writers running
meanwhile are held off while gc decides, so no write is lost.

--auto does nothing unless there are more loose objects than gc.auto
(6700) or more packs than gc.autoPackLimit (50); `hako commit` and
`hako import` run it.

--remote NAME tidies the s3:// bucket of remote NAME instead
(format-spec/object-store.md section 7), safely with readers and pushers
at work: the objects its ref values reach are written as one pack, packs
that older packs make redundant are retired (hidden from readers) and
deleted a grace later, and leftovers of killed pushes (and their
unfinished multipart uploads) are removed, all only once older than
--prune-grace (default 24h)."#,
    ),
    (
        "repack",
        r#"Writes every reachable object into one new pack, deltas chosen afresh
(trees and chunk lists against the same place's previous version). -d
then removes the packs and loose objects it makes redundant; the
unreachable objects of removed packs are written out as loose objects that
keep the old pack's age, so `hako prune` judges them as it judges any
other. -a and -f are accepted for git's habit (always done)."#,
    ),
    (
        "prune",
        r#"Removes unreachable loose objects last written before --expire (default
2.weeks.ago; `now` for all). Objects reachable from any ref, reflog, working
root or operation in progress are kept, and so are those a running writer
stored. -n lists what would be removed and removes nothing; -v lists what
is removed. `hako gc` runs it."#,
    ),
    (
        "completions",
        r#"Prints a completion script for SHELL (bash, zsh, fish, elvish or
powershell) on standard output, e.g. into
`/usr/share/bash-completion/completions/hako`. `make install` installs the
bash one; contrib/completions/ holds those for bash, zsh and fish.

The script asks `hako` itself what to offer (it runs `hako` with
HAKO_COMPLETE set), so it completes the branches, tags, remote-tracking
branches and other containers (`CONTAINER:`) of the workspace around the
current directory wherever a revision is expected, the containers after
`-c` and `hako is`, the remotes after `hako fetch` and `hako push`, and
instance names after `hako exec`, `hako stop`, `hako logs` and the
like. Because the script calls the installed `hako`, regenerate it after an
upgrade."#,
    ),
    (
        "help",
        r#"Without COMMAND, prints the everyday commands grouped by what they are
for, as `git help` does (the same list as `hako` alone and `hako --help`);
-a adds the plumbing commands, the stable ones scripts are built on. With
COMMAND, prints what that command's --help prints: its options, its
description and an example.

Output of `hako log`, `hako diff`, `hako show`, `hako status` and
`hako reflog` goes through a pager when standard output is a terminal:
HAKO_PAGER, else the core.pager config, else PAGER, else `less` (with
LESS=FRX when LESS is unset, so that one screen or less is printed as it
is). An empty value or `cat` turns it off, as does the global option
-P (--no-pager)."#,
    ),
    // ---- plumbing ----
    (
        "hash-object",
        r#"Prints the id of each FILE (or of standard input with --stdin, or of the
paths listed on it with --stdin-paths) as an object of type -t (default
blob; `file` chunks it as a big file is). -w also stores it, with one
filesystem sync per batch. Ids are BLAKE3-256 of the typed, length-prefixed
encoding defined in format-spec/objects.md."#,
    ),
    (
        "cat-file",
        r#"Shows an object: -t its type, -s its size, -p its content pretty-printed,
-e only tests that it exists (exit status); `hako cat-file TYPE OBJ` prints
the raw content, checking the type. --batch and --batch-check read ids on
standard input and print each object (or its header), for scripts.
Objects are verified against their id on every read; the encodings are in
format-spec/objects.md."#,
    ),
    (
        "commit-tree",
        r#"Creates a commit object from a tree, -p parents (repeatable, in order)
and -m message paragraphs (or -F FILE, else standard input), with the configured identity, and
prints its id. No ref moves: `hako update-ref` does that
(format-spec/objects.md)."#,
    ),
    (
        "update-ref",
        r#"Sets REF to NEW under the ref's lock, with compare-and-swap when OLD is
given (the zero id: the ref must not exist), and records the move in the
reflog with -m's message; -d deletes the ref. A lock left by a killed
process is taken over with a warning (format-spec/refs.md)."#,
    ),
    (
        "symbolic-ref",
        r#"Reads HEAD's target (`refs/heads/main`; --short: `main`) or, with REF,
points HEAD at REF; -d deletes a symbolic ref; -q is silent when HEAD is
detached (exit status 1). format-spec/refs.md defines HEAD and refs."#,
    ),
    (
        "rev-parse",
        r#"Resolves revision expressions to full ids, one per line: ids and unique
prefixes, refs, `REV^N`, `REV~N`, `REV^{type}`, `REV:PATH`, `REF@{N}`,
WORKING, `CONTAINER:REV` and `A..B` (the whole syntax is in
format-spec/refs.md, "Revisions"). --verify requires exactly one object,
--short abbreviates, --abbrev-ref prints a ref's short name;
--hako-dir and --show-toplevel print the workspace's paths."#,
    ),
    (
        "rev-list",
        r#"Lists the commits reachable from the given revisions and not from those
given as `^REV` (or `A..B`), newest first in topological order: -n limits,
--count counts, --parents adds each one's parents, --first-parent follows
first parents only, --reverse reverses. The commit graph is
format-spec/objects.md's."#,
    ),
    (
        "show-ref",
        r#"Lists the selected container's refs with their ids (`ID REF`): --heads
and --tags filter, --head includes HEAD, -s prints ids only, --verify
checks the named refs exist (exit status 1 when not). Refs are laid out as
format-spec/refs.md says."#,
    ),
    (
        "ls-remote",
        r#"Lists the refs a remote advertises, as `ID\tREF`: every container's,
HEAD first, named `containers/NAME/refs/…`, peeled tags as `REF^{}`.
The remote is a configured name, a path, an ssh URL (format-spec/protocol.md)
an http(s) mirror (format-spec/dumb-http.md) or an s3:// bucket
(format-spec/object-store.md: a diverged branch shows each head). --heads and --tags filter,
--symref shows what HEAD points to, --exit-code exits 2 when nothing
matched."#,
    ),
    (
        "update-server-info",
        r#"Makes the workspace a dumb-HTTP mirror any static web server can serve:
packs the loose objects, then writes `objects/info/packs` and `info/refs`
(crash-safe, in that order). Serve the `.hako` directory; `hako clone`,
`hako fetch` and `hako http-fetch` read it (format-spec/dumb-http.md).
Run it again after each change."#,
    ),
    (
        "http-fetch",
        r#"Downloads from a dumb-HTTP mirror every object the given ids or remote
refs (all refs when none are named) need and the workspace lacks: the
packs' indexes (cached), then range requests for the objects, each verified
and stored only after the objects it names. An interrupted fetch resumes;
no ref moves. -v reports the requests and bytes (format-spec/dumb-http.md)."#,
    ),
    (
        "upload-pack",
        r#"The server end of fetch and clone, speaking on standard input and output
(what ssh runs on the remote): advertises DIR's refs, negotiates, and sends
a pack of what the client lacks. Not meant to be run by hand
(format-spec/protocol.md)."#,
    ),
    (
        "receive-pack",
        r#"The server end of push, speaking on standard input and output (what ssh
runs on the remote): receives a pack, verifies it in quarantine (ids,
types, delta bases, connectivity) before it joins the store, then moves
each ref by compare-and-swap (atomic pushes: every ref or none), applying
receive.denyNonFastForwards and receive.denyCurrentBranch. Not meant to be
run by hand (format-spec/protocol.md, format-spec/sync.md)."#,
    ),
    (
        "fetch-pack",
        r#"The client end of a fetch: asks a remote's upload-pack for the named
refs (--all: every ref), receives and verifies the objects they need, and
prints the refs fetched; no ref moves. --depth makes the fetch shallow
(format-spec/protocol.md)."#,
    ),
    (
        "send-pack",
        r#"The client end of a push: sends the named refs (--all, --tags) to a
remote's receive-pack with the objects it lacks, and prints
`ok|ng|up-to-date REF [reason]` per ref; --force allows non-fast-forwards,
--atomic asks for all or nothing, --dry-run sends nothing
(format-spec/protocol.md)."#,
    ),
    (
        "for-each-ref",
        r#"Lists refs matching the given patterns with a --format of
%(fieldname) placeholders (refname, objectname, objecttype, ...), sorted
by --sort, at most --count of them. Refs are those of format-spec/refs.md."#,
    ),
    (
        "mktree",
        r#"Builds a tree from `ls-tree` lines on standard input (-z: NUL-terminated)
and prints its id. Entries must be sorted and unique; every id must exist
unless --missing. Trees are prolly trees (format-spec/prolly-tree.md): the
same entries always give the same id."#,
    ),
    (
        "ls-tree",
        r#"Lists a tree's entries as `MODE TYPE ID\tNAME`; -r recurses, -t also
shows the trees it recurses into, -d shows only trees, -l adds sizes,
--name-only prints names, -z ends lines with NUL. As in git, PATH is the
entry itself and `DIR/` a directory's contents. Entries and modes are those
of format-spec/objects.md and format-spec/prolly-tree.md."#,
    ),
    (
        "write-tree",
        r#"Stores a host directory as a tree and prints its id: files hashed in
parallel, modes, symlinks, empty directories, devices, hardlinks and the
root's own mode, never the workspace's own `.hako`. --owners adds uid, gid,
xattrs and modification times, as `tar -p` would. Entries are those of
format-spec/objects.md."#,
    ),
    (
        "checkout-tree",
        r#"Writes a tree into a new or empty host directory: modes exact (no
umask), hardlinks recreated; --owners also applies owners, xattrs (on
symlinks too) and modification times, and creates device nodes. The
inverse of write-tree (format-spec/objects.md)."#,
    ),
    (
        "diff-tree",
        r#"Compares two trees (or commits' trees) top-down, skipping equal subtrees
unread, and prints `STATUS\tPATH` lines; -r recurses into changed
directories, --name-only prints paths, -z separates with NUL, --exit-code
exits 1 when they differ. format-spec/prolly-tree.md explains why equal
subtrees have equal ids."#,
    ),
    (
        "merge-base",
        r#"Prints the best common ancestor of two commits (--all: every one, for
criss-cross histories); exit status 1 when there is none.
--is-ancestor A B only tests whether A is an ancestor of B (exit status 0
or 1)."#,
    ),
    (
        "merge-tree",
        r#"Merges three trees (BASE OURS THEIRS) or two commits over their merge
base, as format-spec/merge.md defines, writing only objects: prints the
result tree id, then each conflicted path's stages (--name-only: paths,
--messages: the conflicts' kinds); exit status 1 on conflicts. -X and
--diff3 as in `hako merge`. It reads and writes only the nodes on changed
paths and touches no ref and no working root: `hako merge` is built on
it."#,
    ),
    (
        "pack-objects",
        r#"Writes a pack (format-spec/packs.md, version 2) of the ids on standard
input, or with --revs of everything reachable from `REV` lines and not from
`^REV` ones, into BASENAME-ID.pack and .idx or, with --stdout, to
standard output. Tree nodes and chunk lists are deltas against the same
place's previous version; --thin allows bases the receiver has. --compact
(with --stdout) writes the wire's compact stream instead (version 3: bases
named by where the receiver has them, copy/insert deltas, commits as
deltas against their parent), which index-pack stores as version 2."#,
    ),
    (
        "index-pack",
        r#"Verifies a pack (a file, or standard input with --stdin; version 1, 2
or the compact stream, version 3), resolves its deltas, completes a thin
pack from the store with --fix-thin, and stores it with its index (always
as version 2); prints its checksum. Nothing of it is visible unless all
of it is sound (format-spec/packs.md)."#,
    ),
    (
        "unpack-objects",
        r#"Reads a pack on standard input and stores each of its objects as a loose
object (format-spec/packs.md, format-spec/loose-objects.md), every one
verified against its id."#,
    ),
    (
        "count-objects",
        r#"Prints how many loose objects the store holds and their size; -v adds
packed objects, packs and garbage (files that are no object). See
format-spec/loose-objects.md and format-spec/packs.md."#,
    ),
    (
        "verify-pack",
        r#"Checks packs given by their .idx files: the checksums and every object
against its id; -v lists each object with its type, size, delta depth and
base (format-spec/packs.md)."#,
    ),
    (
        "cache",
        r#"The checkout cache of overlay instances (format-spec/runtime.md,
layout.md and gc.md): read-only materializations of trees under
.hako/cache/, written once and shared by every instance that runs them.
File contents are hardlinks to one plain copy per content and metadata, so
ten containers of one image cost the disk of one; a tree that differs from
a cached one by a few paths is prepared as a small layer stacked on it.

`hako cache prepare TREE` makes a tree ready and prints the value of
overlay's lowerdir= option (`hako cache prepare --map-users TREE`: the
entry `hako run --map-users` uses, its owners mapped to the caller's subordinate ids, written inside a
user namespace); `hako cache ls` lists the entries, `hako cache
verify` checks them (`hako cache verify --full`: every file against its tree, as `hako fsck
--cache` does) and `hako cache prune` removes entries no root reaches and
applies the cache.maxSize cap, as `hako gc` does. `hako cache probe` says
whether overlay instances work on this host (remembered per host, kernel
and user); `hako cache fold` folds an overlay upper directory onto a tree
and prints the new tree's id."#,
    ),
    (
        "unshare-exec",
        r#"Runs a command rootless in a directory ROOTFS: new user, mount, pid,
uts, ipc, cgroup and net namespaces, pivot_root, a fresh /proc, a minimal
/dev and a tmpfs /tmp; --bind, --mount, --ro-root and --tmpfs shape the
filesystem; a minimal environment (--env adds, --keep-env passes the
caller's); no_new_privs, dropped capabilities (--keep-cap keeps them
inside), --rlimit, a default seccomp filter (--seccomp), landlock, and
cgroup v2 limits where delegated (--pids-limit, --memory, --cpus);
--pty gives the command a pseudo-terminal of the sandbox's own devpts,
relayed to the caller's terminal. The command's status passes through (128+N for signal N, 125 when the sandbox
cannot be set up); signals are forwarded. Every step is listed, in order,
in format-spec/sandbox.md; `hako run` is built on it."#,
    ),
    (
        "enter",
        r#"Runs a command inside a running sandbox (the pid of its pid 1, or
--pid-file): joins its namespaces and applies the same restrictions
(seccomp, landlock, capabilities) as the sandbox's own processes
(format-spec/sandbox.md); --pty gives the command a pseudo-terminal of the
sandbox's devpts. `hako exec` does this for instances."#,
    ),
];

/// `cmd` with each subcommand's description after its one-line summary
/// (clap's `long_about`: `--help` and the man page's DESCRIPTION).
pub fn with_descriptions(mut cmd: clap::Command) -> clap::Command {
    for (name, _) in DESCRIPTIONS {
        cmd = with_description_of(cmd, name);
    }
    cmd
}

/// `cmd` with the long description of its subcommand `name`.
pub fn with_description_of(cmd: clap::Command, name: &str) -> clap::Command {
    let Some(sub) = cmd.find_subcommand(name) else {
        return cmd;
    };
    let Some((_, text)) = DESCRIPTIONS.iter().find(|(n, _)| *n == name) else {
        return cmd;
    };
    let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
    let long = format!("{about}\n\n{text}");
    cmd.mut_subcommand(name, |c| c.long_about(long))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spans of `text` between backquotes.
    fn spans(text: &str) -> Vec<&str> {
        text.split('`').skip(1).step_by(2).collect()
    }

    /// `text` with its backquoted spans removed.
    fn outside(text: &str) -> String {
        text.split('`').step_by(2).collect::<Vec<_>>().join(" ")
    }

    /// Option words (`--name`, `-x`) of a piece of text, trimmed of what
    /// follows the name (`=VALUE`, punctuation).
    fn options(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for w in text.split(|c: char| c.is_whitespace() || "(),;/[]|".contains(c)) {
            let name_end = |s: &str| {
                s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                    .unwrap_or(s.len())
            };
            if let Some(rest) = w.strip_prefix("--") {
                let n = &rest[..name_end(rest)];
                if !n.is_empty() && n.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
                    out.push(format!("--{}", n.trim_end_matches('-')));
                }
            } else if let Some(rest) = w.strip_prefix('-') {
                let n = &rest[..name_end(rest)];
                let single = n.len() == 1 && n.chars().all(|c| c.is_ascii_alphabetic());
                if single && (rest.len() == 1 || !rest[1..].starts_with(char::is_alphanumeric)) {
                    out.push(format!("-{n}"));
                }
            }
        }
        out
    }

    /// The command line with every subcommand built (`defer` leaves their
    /// arguments out until then).
    fn built() -> clap::Command {
        let mut root = crate::command();
        root.build();
        root
    }

    /// Whether `opt` is an option of `cmd` (or a global one).
    fn has_option(cmd: &clap::Command, opt: &str) -> bool {
        if ["--help", "-h", "-C", "-c", "--container"].contains(&opt) {
            return true;
        }
        // An option of a subcommand (`image push --creds`) counts for its command.
        if cmd.get_subcommands().any(|sub| has_option(sub, opt)) {
            return true;
        }
        cmd.get_arguments().any(|a| {
            if let Some(l) = opt.strip_prefix("--") {
                a.get_long() == Some(l)
                    || a.get_all_aliases().is_some_and(|v| v.contains(&l))
                    || a.get_visible_aliases().is_some_and(|v| v.contains(&l))
            } else {
                let s = opt.chars().nth(1);
                a.get_short().is_some() && a.get_short() == s
                    || a.get_all_short_aliases()
                        .is_some_and(|v| s.is_some_and(|s| v.contains(&s)))
            }
        })
    }

    /// The command a backquoted span is about: `hako [-c X] CMD …` or
    /// `CMD …` (a subcommand of CMD too, `remote add`); None when it starts
    /// with anything else (a path, another program, an option).
    fn span_command<'a>(
        root: &'a clap::Command,
        span: &str,
    ) -> Result<Option<&'a clap::Command>, String> {
        let mut words = span.split_whitespace().peekable();
        let named_hako = words.peek() == Some(&"hako");
        if named_hako {
            words.next();
            while let Some(w) = words.peek() {
                if ["-C", "-c", "--container"].contains(w) {
                    words.next();
                    words.next();
                } else {
                    break;
                }
            }
        }
        let Some(first) = words.next() else {
            return Ok(None);
        };
        let Some(mut cmd) = root.find_subcommand(first) else {
            if named_hako && !first.starts_with('-') && !first.contains(['.', '<']) {
                return Err(format!("`{span}` names no command '{first}'"));
            }
            return Ok(None);
        };
        if let Some(next) = words.next() {
            if let Some(sub) = cmd.find_subcommand(next) {
                cmd = sub;
            }
        }
        Ok(Some(cmd))
    }

    #[test]
    fn every_command_has_a_description() {
        let cmd = crate::command();
        for sub in cmd.get_subcommands() {
            let name = sub.get_name();
            if sub.is_hide_set() {
                continue;
            }
            let n = DESCRIPTIONS.iter().filter(|(n, _)| *n == name).count();
            assert_eq!(n, 1, "command {name} has {n} descriptions");
        }
        for (name, text) in DESCRIPTIONS {
            assert!(
                cmd.find_subcommand(name).is_some(),
                "a description for '{name}', which is no command"
            );
            assert!(text.trim().len() > 100, "{name}: not a real paragraph");
            assert!(!text.contains('\t'), "{name}: a TAB (use spaces)");
            // An indented line is a line of its own in the man page: it
            // must fit one (80 columns less the page's indent).
            for l in text.lines().filter(|l| l.starts_with(' ')) {
                assert!(l.len() <= 66, "{name}: indented line too long: {l}");
            }
        }
    }

    #[test]
    fn descriptions_name_only_existing_commands_and_options() {
        let root = built();
        let mut errors = Vec::new();
        for (name, text) in DESCRIPTIONS {
            let own = root.find_subcommand(name).expect("checked above");
            for opt in options(&outside(text)) {
                if !has_option(own, &opt) {
                    errors.push(format!("{name}: {opt} is no option of {name}"));
                }
            }
            for span in spans(text) {
                let about = match span_command(&root, span) {
                    Err(e) => {
                        errors.push(format!("{name}: {e}"));
                        continue;
                    }
                    Ok(Some(c)) => c,
                    Ok(None) if span.starts_with('-') => own,
                    Ok(None) => continue,
                };
                for opt in options(span) {
                    if !has_option(about, &opt) {
                        errors.push(format!(
                            "{name}: `{span}`: {opt} is no option of {}",
                            about.get_name()
                        ));
                    }
                }
            }
            // Man page references, hako-CMD(1).
            for (i, _) in text.match_indices("hako-") {
                let rest = &text[i + 5..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_lowercase() || c == '-'))
                    .unwrap_or(rest.len());
                let page = &rest[..end];
                if rest[end..].starts_with("(1)") && root.find_subcommand(page).is_none() {
                    errors.push(format!("{name}: hako-{page}(1) does not exist"));
                }
            }
        }
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }

    #[test]
    fn the_checker_catches_a_wrong_option() {
        let root = built();
        let merge = root.find_subcommand("merge").unwrap();
        assert!(has_option(merge, "--abort"));
        assert!(has_option(merge, "-X"));
        assert!(!has_option(merge, "--no-such"));
        assert_eq!(
            options("use --abort, -X ours or --strategy=ours."),
            ["--abort", "-X", "--strategy"]
        );
        assert!(span_command(&root, "hako nosuch --x").is_err());
        let c = span_command(&root, "hako -c web remote add")
            .unwrap()
            .unwrap();
        assert_eq!(c.get_name(), "add");
    }
}
