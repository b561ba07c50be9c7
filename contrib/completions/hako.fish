# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_hako_global_optspecs
    string join \n C= c/container= h/help V/version
end

function __fish_hako_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_hako_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_hako_using_subcommand
    set -l cmd (__fish_hako_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c hako -n "__fish_hako_needs_command" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_needs_command" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_needs_command" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_needs_command" -s V -l version -d 'Print version'
complete -c hako -n "__fish_hako_needs_command" -f -a "manpages" -d 'Write the man pages into a directory'
complete -c hako -n "__fish_hako_needs_command" -f -a "init" -d 'Create a workspace whose first container holds a busybox root filesystem'
complete -c hako -n "__fish_hako_needs_command" -f -a "log" -d 'Show commit history'
complete -c hako -n "__fish_hako_needs_command" -f -a "containers" -d 'List containers'
complete -c hako -n "__fish_hako_needs_command" -f -a "new-container" -d 'Create a container'
complete -c hako -n "__fish_hako_needs_command" -f -a "del-container" -d 'Delete a container'
complete -c hako -n "__fish_hako_needs_command" -f -a "is" -d 'Switch the active container'
complete -c hako -n "__fish_hako_needs_command" -f -a "write" -d 'Write a file in the working root'
complete -c hako -n "__fish_hako_needs_command" -f -a "cat" -d 'Print a file'
complete -c hako -n "__fish_hako_needs_command" -f -a "mkdir" -d 'Create directories'
complete -c hako -n "__fish_hako_needs_command" -f -a "del" -d 'Delete files or directories'
complete -c hako -n "__fish_hako_needs_command" -f -a "cp" -d 'Copy files or directories'
complete -c hako -n "__fish_hako_needs_command" -f -a "mv" -d 'Move or rename'
complete -c hako -n "__fish_hako_needs_command" -f -a "pull" -d 'Fetch an OCI image from a registry and commit its root filesystem'
complete -c hako -n "__fish_hako_needs_command" -f -a "images" -d 'List the images pulled into containers'
complete -c hako -n "__fish_hako_needs_command" -f -a "import" -d 'Import a host file or directory'
complete -c hako -n "__fish_hako_needs_command" -f -a "export" -d 'Export to a host directory'
complete -c hako -n "__fish_hako_needs_command" -f -a "ls" -d 'List a directory'
complete -c hako -n "__fish_hako_needs_command" -f -a "mount" -d 'Mount a revision\'s tree read-only through FUSE'
complete -c hako -n "__fish_hako_needs_command" -f -a "umount" -d 'Unmount a `hako mount`'
complete -c hako -n "__fish_hako_needs_command" -f -a "run" -d 'Run a command in a container (its tree served through FUSE)'
complete -c hako -n "__fish_hako_needs_command" -f -a "show" -d 'Show a commit with its patch, a tag, a tree, or a file at REV:PATH'
complete -c hako -n "__fish_hako_needs_command" -f -a "config" -d 'Get and set options of the workspace\'s or the user\'s config'
complete -c hako -n "__fish_hako_needs_command" -f -a "shell" -d 'Run an interactive shell in a container'
complete -c hako -n "__fish_hako_needs_command" -f -a "ps" -d 'List running instances'
complete -c hako -n "__fish_hako_needs_command" -f -a "logs" -d 'Print a detached instance\'s output'
complete -c hako -n "__fish_hako_needs_command" -f -a "exec" -d 'Run a command inside a running instance'
complete -c hako -n "__fish_hako_needs_command" -f -a "stop" -d 'Stop instances: SIGTERM, then SIGKILL'
complete -c hako -n "__fish_hako_needs_command" -f -a "kill" -d 'Send a signal to an instance'
complete -c hako -n "__fish_hako_needs_command" -f -a "wait" -d 'Wait for an instance to end and print its exit status'
complete -c hako -n "__fish_hako_needs_command" -f -a "reap" -d 'Clean up after dead and exited instances'
complete -c hako -n "__fish_hako_needs_command" -f -a "tree" -d 'Draw a directory hierarchy'
complete -c hako -n "__fish_hako_needs_command" -f -a "pwd" -d 'Print the current directory'
complete -c hako -n "__fish_hako_needs_command" -f -a "cd" -d 'Change the current directory'
complete -c hako -n "__fish_hako_needs_command" -f -a "status" -d 'Show uncommitted changes'
complete -c hako -n "__fish_hako_needs_command" -f -a "commit" -d 'Record the working root'
complete -c hako -n "__fish_hako_needs_command" -f -a "branch" -d 'List, create, delete or rename branches'
complete -c hako -n "__fish_hako_needs_command" -f -a "merge" -d 'Merge another branch, tag or commit into the current branch'
complete -c hako -n "__fish_hako_needs_command" -f -a "add" -d 'Mark conflicted paths of a merge resolved'
complete -c hako -n "__fish_hako_needs_command" -f -a "checkout" -d 'Switch branches or detach HEAD'
complete -c hako -n "__fish_hako_needs_command" -f -a "tag" -d 'List, create or delete tags'
complete -c hako -n "__fish_hako_needs_command" -f -a "diff" -d 'Show changes'
complete -c hako -n "__fish_hako_needs_command" -f -a "apply" -d 'Build a container from hako.toml, one committed step at a time'
complete -c hako -n "__fish_hako_needs_command" -f -a "clone" -d 'Copy a workspace: every container, its branches and tags'
complete -c hako -n "__fish_hako_needs_command" -f -a "remote" -d 'Manage the remotes a workspace fetches from and pushes to'
complete -c hako -n "__fish_hako_needs_command" -f -a "fetch" -d 'Bring branches and tags from a remote (then `merge REMOTE/BRANCH`)'
complete -c hako -n "__fish_hako_needs_command" -f -a "push" -d 'Update a remote\'s branches and tags from local ones'
complete -c hako -n "__fish_hako_needs_command" -f -a "reset" -d 'Move the current branch'
complete -c hako -n "__fish_hako_needs_command" -f -a "reflog" -d 'Show where a ref has been'
complete -c hako -n "__fish_hako_needs_command" -f -a "fsck" -d 'Check objects, connectivity and tree structure'
complete -c hako -n "__fish_hako_needs_command" -f -a "gc" -d 'Repack, prune and expire reflogs'
complete -c hako -n "__fish_hako_needs_command" -f -a "repack" -d 'Pack every reachable object into one pack'
complete -c hako -n "__fish_hako_needs_command" -f -a "prune" -d 'Remove old unreachable loose objects'
complete -c hako -n "__fish_hako_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c hako -n "__fish_hako_needs_command" -f -a "hash-object" -d 'Compute an object id, optionally storing the object'
complete -c hako -n "__fish_hako_needs_command" -f -a "cat-file" -d 'Show an object\'s type, size or content'
complete -c hako -n "__fish_hako_needs_command" -f -a "commit-tree" -d 'Create a commit object'
complete -c hako -n "__fish_hako_needs_command" -f -a "update-ref" -d 'Update a ref safely (lock + compare-and-swap)'
complete -c hako -n "__fish_hako_needs_command" -f -a "symbolic-ref" -d 'Read, set or delete a symbolic ref'
complete -c hako -n "__fish_hako_needs_command" -f -a "rev-parse" -d 'Resolve revision expressions to ids'
complete -c hako -n "__fish_hako_needs_command" -f -a "rev-list" -d 'List commits reachable from revisions'
complete -c hako -n "__fish_hako_needs_command" -f -a "show-ref" -d 'List refs with their ids'
complete -c hako -n "__fish_hako_needs_command" -f -a "ls-remote" -d 'List the refs another workspace advertises'
complete -c hako -n "__fish_hako_needs_command" -f -a "update-server-info" -d 'Write the static files of a dumb-HTTP mirror'
complete -c hako -n "__fish_hako_needs_command" -f -a "http-fetch" -d 'Download objects from a dumb-HTTP mirror (no ref moves)'
complete -c hako -n "__fish_hako_needs_command" -f -a "upload-pack" -d 'Serve a fetch on stdin/stdout (run over ssh by fetch and clone)'
complete -c hako -n "__fish_hako_needs_command" -f -a "receive-pack" -d 'Receive a push on stdin/stdout (run over ssh by push)'
complete -c hako -n "__fish_hako_needs_command" -f -a "fetch-pack" -d 'Fetch the objects of remote refs into the store'
complete -c hako -n "__fish_hako_needs_command" -f -a "send-pack" -d 'Push refs to a remote\'s receive-pack'
complete -c hako -n "__fish_hako_needs_command" -f -a "for-each-ref" -d 'List refs with a format'
complete -c hako -n "__fish_hako_needs_command" -f -a "mktree" -d 'Build a tree from ls-tree lines on stdin'
complete -c hako -n "__fish_hako_needs_command" -f -a "ls-tree" -d 'List a tree\'s entries'
complete -c hako -n "__fish_hako_needs_command" -f -a "write-tree" -d 'Import a host directory as a tree'
complete -c hako -n "__fish_hako_needs_command" -f -a "checkout-tree" -d 'Materialise a tree into a host directory'
complete -c hako -n "__fish_hako_needs_command" -f -a "cache" -d 'The checkout cache of overlay instances: ls, prepare, prune, verify, probe, fold'
complete -c hako -n "__fish_hako_needs_command" -f -a "diff-tree" -d 'Compare two trees'
complete -c hako -n "__fish_hako_needs_command" -f -a "merge-base" -d 'Find the best common ancestors of two commits'
complete -c hako -n "__fish_hako_needs_command" -f -a "merge-tree" -d 'Merge two trees three-way and write the result (no ref or working root changes)'
complete -c hako -n "__fish_hako_needs_command" -f -a "pack-objects" -d 'Write a pack of objects (or of revisions, with --revs)'
complete -c hako -n "__fish_hako_needs_command" -f -a "index-pack" -d 'Verify a pack and store it with its index'
complete -c hako -n "__fish_hako_needs_command" -f -a "unpack-objects" -d 'Store a pack\'s objects as loose objects'
complete -c hako -n "__fish_hako_needs_command" -f -a "count-objects" -d 'Count loose and packed objects'
complete -c hako -n "__fish_hako_needs_command" -f -a "verify-pack" -d 'Check packs: checksums and every object'
complete -c hako -n "__fish_hako_needs_command" -f -a "unshare-exec" -d 'Run a command in a rootless sandbox of a directory'
complete -c hako -n "__fish_hako_needs_command" -f -a "enter" -d 'Run a command inside a running sandbox'
complete -c hako -n "__fish_hako_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hako -n "__fish_hako_using_subcommand manpages" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand manpages" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand manpages" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand init" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand init" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand init" -s q -l quiet -d 'Print nothing'
complete -c hako -n "__fish_hako_using_subcommand init" -l empty -d 'Leave the first container without commits (no seed root filesystem)'
complete -c hako -n "__fish_hako_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hako -n "__fish_hako_using_subcommand log" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand log" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand log" -l format -l pretty -d 'How each commit is shown: oneline, medium (the default), or a format with placeholders (%H %h %T %t %P %p %an %ae %ad %at %ar %cn %ce %cd %ct %cr %s %b %n %%), given bare or as format:/tformat:' -r
complete -c hako -n "__fish_hako_using_subcommand log" -s n -l max-count -d 'Show at most N commits' -r
complete -c hako -n "__fish_hako_using_subcommand log" -l oneline -d 'One line per commit: short id and subject'
complete -c hako -n "__fish_hako_using_subcommand log" -l first-parent -d 'Follow only first parents'
complete -c hako -n "__fish_hako_using_subcommand log" -l all -d 'Start from every ref of the container (branches, tags and HEAD), as if listed as REVs'
complete -c hako -n "__fish_hako_using_subcommand log" -s p -l patch -d 'Show each commit\'s patch against its first parent (none for merges)'
complete -c hako -n "__fish_hako_using_subcommand log" -l stat -d 'Show each commit\'s diffstat against its first parent (none for merges)'
complete -c hako -n "__fish_hako_using_subcommand log" -l graph -d 'Draw the history as a text graph beside the commits (`*` a commit, `|`, `\\`, `/` lines of descent)'
complete -c hako -n "__fish_hako_using_subcommand log" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand containers" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand containers" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand containers" -l json -d 'JSON output: [{"name": ..., "active": ..., "head": ...}]'
complete -c hako -n "__fish_hako_using_subcommand containers" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand new-container" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand new-container" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand new-container" -l from -d 'Start from this commit (of the active container, or `-c` one) instead of the seed root filesystem' -r
complete -c hako -n "__fish_hako_using_subcommand new-container" -l empty -d 'Start with no commits at all'
complete -c hako -n "__fish_hako_using_subcommand new-container" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand del-container" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand del-container" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand del-container" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand is" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand is" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand is" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand write" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand write" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand write" -s f -l from -d 'Take the content from a host file (`-` for stdin)' -r -F
complete -c hako -n "__fish_hako_using_subcommand write" -l mode -d 'Permission bits in octal (default: keep the old file\'s, else 644)' -r
complete -c hako -n "__fish_hako_using_subcommand write" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand cat" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand cat" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand cat" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand mkdir" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand mkdir" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand mkdir" -s p -l parents -d 'Create parents as needed; an existing directory is not an error'
complete -c hako -n "__fish_hako_using_subcommand mkdir" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand del" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand del" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand del" -s r -l recursive -d 'Delete directories and everything in them'
complete -c hako -n "__fish_hako_using_subcommand del" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand cp" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand cp" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand cp" -s r -l recursive -d 'Copy directories'
complete -c hako -n "__fish_hako_using_subcommand cp" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand mv" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand mv" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand mv" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand pull" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand pull" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand pull" -l as -d 'The container to pull into (default: the repository\'s last component)' -r
complete -c hako -n "__fish_hako_using_subcommand pull" -l platform -d 'The platform to pick from an image index, `os/arch[/variant]` (default: this machine\'s)' -r
complete -c hako -n "__fish_hako_using_subcommand pull" -l jobs -d 'Layers downloaded at once' -r
complete -c hako -n "__fish_hako_using_subcommand pull" -l branch -d 'Commit the image on branch B (made from the last pull when missing) instead of the current branch: the way to take a new image version into a container with commits of its own, then `hako merge B`' -r
complete -c hako -n "__fish_hako_using_subcommand pull" -l insecure -d 'Allow plain HTTP to this registry (always allowed on loopback)'
complete -c hako -n "__fish_hako_using_subcommand pull" -s q -l quiet -d 'Print nothing but errors'
complete -c hako -n "__fish_hako_using_subcommand pull" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand images" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand images" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand images" -l porcelain -d 'Full digests and sizes in bytes, tab-separated, no header'
complete -c hako -n "__fish_hako_using_subcommand images" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand import" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand import" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand import" -l owners -d 'Record owners (uid/gid), xattrs and modification times'
complete -c hako -n "__fish_hako_using_subcommand import" -l merge -d 'Merge a directory into an existing DEST (its entries win) instead of replacing DEST'
complete -c hako -n "__fish_hako_using_subcommand import" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand export" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand export" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand export" -l owners -d 'Apply recorded owners, xattrs and modification times (needs privilege)'
complete -c hako -n "__fish_hako_using_subcommand export" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand ls" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand ls" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand ls" -s l -l long -d 'Long format: mode, size, name'
complete -c hako -n "__fish_hako_using_subcommand ls" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand mount" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand mount" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand mount" -s f -l foreground -d 'Stay in the foreground (serve until unmounted or interrupted)'
complete -c hako -n "__fish_hako_using_subcommand mount" -l rw -d 'Mount the container\'s working root read-write: what host tools write lands in it (folded on fsync, every 5 s and at unmount)'
complete -c hako -n "__fish_hako_using_subcommand mount" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand umount" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand umount" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand umount" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand run" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand run" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand run" -l name -d 'Name the instance (for ps, logs, exec, stop…)' -r
complete -c hako -n "__fish_hako_using_subcommand run" -l bind -d 'Bind a host path: SRC:DST[:ro] (repeatable)' -r
complete -c hako -n "__fish_hako_using_subcommand run" -l bind-profile -d 'Add the binds of a profile of the user config\'s [bind_profiles] (~/.config/hako/config.toml; repeatable)' -r
complete -c hako -n "__fish_hako_using_subcommand run" -l net -d 'Network: none (only lo), host, or pasta' -r
complete -c hako -n "__fish_hako_using_subcommand run" -s e -l env -d 'Set an environment variable (repeatable)' -r
complete -c hako -n "__fish_hako_using_subcommand run" -l env-file -d 'Read K=V lines from a file (# comments and blank lines skipped)' -r -F
complete -c hako -n "__fish_hako_using_subcommand run" -s u -l user -d 'User inside: NAME, UID or UID:GID (default: the image\'s, else root)' -r
complete -c hako -n "__fish_hako_using_subcommand run" -s w -l workdir -d 'Working directory inside (default: the image\'s, else /)' -r
complete -c hako -n "__fish_hako_using_subcommand run" -l rlimit -d 'Resource limits: as=,core=,cpu=,data=,fsize=,memlock=,nofile=,nproc=,stack= (N, SOFT:HARD, unlimited)' -r
complete -c hako -n "__fish_hako_using_subcommand run" -l seccomp -d 'seccomp filter: off, default, or a seccompiler JSON FILE' -r
complete -c hako -n "__fish_hako_using_subcommand run" -l cap-add -d 'Add capabilities to the container root\'s set (podman\'s default: CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP SETGID SETPCAP SETUID SYS_CHROOT); names as CAP_NET_RAW or net_raw, or ALL' -r
complete -c hako -n "__fish_hako_using_subcommand run" -l cap-drop -d 'Remove capabilities from that set (ALL: run with none)' -r
complete -c hako -n "__fish_hako_using_subcommand run" -l tmpfs -d 'Mount a fresh tmpfs at DST (repeatable)' -r -F
complete -c hako -n "__fish_hako_using_subcommand run" -l pid-file -d 'Write the sandbox\'s pid and start time to FILE (as unshare-exec does)' -r -F
complete -c hako -n "__fish_hako_using_subcommand run" -s m -l message -d 'The message of --commit (default: "run: CMD")' -r
complete -c hako -n "__fish_hako_using_subcommand run" -l rm -d 'Discard the command\'s writes (a temporary instance) and its state when it ends'
complete -c hako -n "__fish_hako_using_subcommand run" -s d -l detach -d 'Run in the background; stdout and stderr go to the instance\'s log'
complete -c hako -n "__fish_hako_using_subcommand run" -l ro -d 'Mount the tree read-only'
complete -c hako -n "__fish_hako_using_subcommand run" -s t -l tty -d 'Keep the terminal: stdin stays attached (no pseudo-terminal is allocated)'
complete -c hako -n "__fish_hako_using_subcommand run" -s i -l interactive -d 'Keep stdin attached (default: /dev/null)'
complete -c hako -n "__fish_hako_using_subcommand run" -l auto-mount -d 'Bind the host paths named in the command\'s arguments (absolute, ~/…, ./…, ../…) at the same place inside (relative ones are made absolute)'
complete -c hako -n "__fish_hako_using_subcommand run" -l keep-cap -d 'Keep every capability (inside the user namespace only), for any user'
complete -c hako -n "__fish_hako_using_subcommand run" -l map-users -d 'Map the container\'s ids 0…N to the caller\'s subordinate ids (/etc/subuid, /etc/subgid), as rootless podman does'
complete -c hako -n "__fish_hako_using_subcommand run" -l no-landlock -d 'Do not confine filesystem access with landlock'
complete -c hako -n "__fish_hako_using_subcommand run" -l materialize -d 'Without FUSE: check the tree out into the instance\'s directory, run there, and fold what the command changed back into the working root'
complete -c hako -n "__fish_hako_using_subcommand run" -l forget -d 'Remove the instance\'s record once it has ended (apply\'s steps)'
complete -c hako -n "__fish_hako_using_subcommand run" -l commit -d 'Commit the working root after the command exits'
complete -c hako -n "__fish_hako_using_subcommand run" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand show" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand show" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand show" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand config" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand config" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand config" -l global -d 'The user config (~/.config/hako/config) instead of the workspace\'s'
complete -c hako -n "__fish_hako_using_subcommand config" -l unset -d 'Remove NAME'
complete -c hako -n "__fish_hako_using_subcommand config" -s l -l list -d 'Print every NAME=VALUE (user config first, then the workspace\'s)'
complete -c hako -n "__fish_hako_using_subcommand config" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand shell" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand shell" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand shell" -l rm -d 'Discard what the shell writes'
complete -c hako -n "__fish_hako_using_subcommand shell" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand ps" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand ps" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand ps" -s a -l all -d 'Also list instances that have exited or died'
complete -c hako -n "__fish_hako_using_subcommand ps" -l json -d 'Print a JSON array of objects instead of a table (times as seconds since the epoch)'
complete -c hako -n "__fish_hako_using_subcommand ps" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand logs" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand logs" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand logs" -l tail -d 'Only the last N lines' -r
complete -c hako -n "__fish_hako_using_subcommand logs" -s f -l follow -d 'Keep printing what the instance writes until it ends'
complete -c hako -n "__fish_hako_using_subcommand logs" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand exec" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand exec" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand exec" -s e -l env -d 'Set an environment variable (repeatable)' -r
complete -c hako -n "__fish_hako_using_subcommand exec" -s i -l interactive -d 'Keep stdin attached (default: /dev/null)'
complete -c hako -n "__fish_hako_using_subcommand exec" -s t -l tty -d 'Keep the terminal (no pseudo-terminal is allocated; implies -i)'
complete -c hako -n "__fish_hako_using_subcommand exec" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand stop" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand stop" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand stop" -s t -l time -d 'Seconds to wait after SIGTERM before SIGKILL' -r
complete -c hako -n "__fish_hako_using_subcommand stop" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand kill" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand kill" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand kill" -s s -l signal -d 'Signal name (TERM, SIGHUP…) or number; default KILL' -r
complete -c hako -n "__fish_hako_using_subcommand kill" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand wait" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand wait" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand wait" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand reap" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand reap" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand reap" -l keep-exited -d 'Keep the state of exited instances (reap only dead ones)'
complete -c hako -n "__fish_hako_using_subcommand reap" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand tree" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand tree" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand tree" -s L -l depth -d 'Descend at most DEPTH levels' -r
complete -c hako -n "__fish_hako_using_subcommand tree" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand pwd" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand pwd" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand pwd" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand cd" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand cd" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand cd" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand status" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand status" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand status" -s s -l porcelain -l short -d 'Stable output: `A path`, `M path`, `D path`, `T path` (`-s`, `--short`: the same)'
complete -c hako -n "__fish_hako_using_subcommand status" -s z -d 'NUL-terminated entries (implies --porcelain)'
complete -c hako -n "__fish_hako_using_subcommand status" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand commit" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand commit" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand commit" -s m -l message -d 'The commit message (paragraphs if repeated)' -r
complete -c hako -n "__fish_hako_using_subcommand commit" -l allow-empty -d 'Commit even if nothing changed'
complete -c hako -n "__fish_hako_using_subcommand commit" -s q -l quiet -d 'Print nothing on success'
complete -c hako -n "__fish_hako_using_subcommand commit" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand branch" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand branch" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand branch" -s d -l delete -d 'Delete the branch (it must be merged into HEAD)'
complete -c hako -n "__fish_hako_using_subcommand branch" -s D -d 'Delete the branch even if it is not merged (`-D` = `-d --force`)'
complete -c hako -n "__fish_hako_using_subcommand branch" -s f -l force -d 'With -d: delete even if not merged into HEAD'
complete -c hako -n "__fish_hako_using_subcommand branch" -s m -l move -d 'Rename OLD to NEW (`-m NEW` renames the current branch)'
complete -c hako -n "__fish_hako_using_subcommand branch" -l show-current -d 'Print the current branch\'s name (nothing when HEAD is detached)'
complete -c hako -n "__fish_hako_using_subcommand branch" -s v -l verbose -d 'List with each branch\'s commit and subject'
complete -c hako -n "__fish_hako_using_subcommand branch" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand merge" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand merge" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand merge" -s m -d 'The merge commit\'s message (default "Merge REF")' -r
complete -c hako -n "__fish_hako_using_subcommand merge" -s s -l strategy -d 'Whole-merge strategy: the result is one side\'s tree as it is (`ours` records the other history as merged without taking any of it), always as a merge commit' -r -f -a "ours\t''
theirs\t''"
complete -c hako -n "__fish_hako_using_subcommand merge" -s X -d 'Resolve conflicts in favour of one side' -r -f -a "ours\t''
theirs\t''"
complete -c hako -n "__fish_hako_using_subcommand merge" -l no-ff -d 'Make a merge commit even when a fast-forward is possible'
complete -c hako -n "__fish_hako_using_subcommand merge" -l ff-only -d 'Refuse unless the merge is a fast-forward'
complete -c hako -n "__fish_hako_using_subcommand merge" -l squash -d 'Put the merged tree in the working root without committing or recording a second parent'
complete -c hako -n "__fish_hako_using_subcommand merge" -l diff3 -d 'Conflict markers include the base section'
complete -c hako -n "__fish_hako_using_subcommand merge" -l allow-unrelated-histories -d 'Merge a history that shares no commit with the current one'
complete -c hako -n "__fish_hako_using_subcommand merge" -l abort -d 'Give up the merge in progress: HEAD and the working root as before it'
complete -c hako -n "__fish_hako_using_subcommand merge" -l continue -d 'Record the merge in progress once every conflict is resolved (`hako add`)'
complete -c hako -n "__fish_hako_using_subcommand merge" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand add" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand add" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand add" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand checkout" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand checkout" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand checkout" -s b -d 'Create branch NEW at REF and switch to it' -r
complete -c hako -n "__fish_hako_using_subcommand checkout" -s f -l force -d 'Discard uncommitted changes in the working root'
complete -c hako -n "__fish_hako_using_subcommand checkout" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand tag" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand tag" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand tag" -s m -l message -d 'Tag message (implies -a)' -r
complete -c hako -n "__fish_hako_using_subcommand tag" -s a -l annotate -d 'Make an annotated tag object'
complete -c hako -n "__fish_hako_using_subcommand tag" -s d -l delete -d 'Delete the tag'
complete -c hako -n "__fish_hako_using_subcommand tag" -s f -l force -d 'Replace an existing tag'
complete -c hako -n "__fish_hako_using_subcommand tag" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand diff" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand diff" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand diff" -l stat -d 'Print a diffstat instead of the patch'
complete -c hako -n "__fish_hako_using_subcommand diff" -l name-status -d 'Print `<status>\\t<path>` per change'
complete -c hako -n "__fish_hako_using_subcommand diff" -l name-only -d 'Print changed paths only'
complete -c hako -n "__fish_hako_using_subcommand diff" -l exit-code -d 'Exit 1 if there are differences'
complete -c hako -n "__fish_hako_using_subcommand diff" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand apply" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand apply" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand apply" -s f -l file -d 'The file to apply' -r -F
complete -c hako -n "__fish_hako_using_subcommand apply" -l profile -d 'Overlay this profile (a table of the file) on the base' -r
complete -c hako -n "__fish_hako_using_subcommand apply" -s n -l dry-run -d 'Say what would run, change nothing'
complete -c hako -n "__fish_hako_using_subcommand apply" -l run -d 'After the setup, run the `run` command (or the image\'s)'
complete -c hako -n "__fish_hako_using_subcommand apply" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand clone" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand clone" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand clone" -s o -l origin -d 'The name of the remote (default origin)' -r
complete -c hako -n "__fish_hako_using_subcommand clone" -l depth -d 'Shallow clone: each branch\'s last N commits only (smart protocol)' -r
complete -c hako -n "__fish_hako_using_subcommand clone" -s u -l upload-pack -d 'The program to run on the remote (default `hako upload-pack`)' -r
complete -c hako -n "__fish_hako_using_subcommand clone" -s q -l quiet -d 'Print nothing but errors'
complete -c hako -n "__fish_hako_using_subcommand clone" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand remote; and not __fish_seen_subcommand_from add remove rename set-url get-url help" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand remote; and not __fish_seen_subcommand_from add remove rename set-url get-url help" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand remote; and not __fish_seen_subcommand_from add remove rename set-url get-url help" -s v -l verbose -d 'Show URLs'
complete -c hako -n "__fish_hako_using_subcommand remote; and not __fish_seen_subcommand_from add remove rename set-url get-url help" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand remote; and not __fish_seen_subcommand_from add remove rename set-url get-url help" -f -a "add" -d 'Add a remote'
complete -c hako -n "__fish_hako_using_subcommand remote; and not __fish_seen_subcommand_from add remove rename set-url get-url help" -f -a "remove" -d 'Remove a remote and its remote-tracking refs'
complete -c hako -n "__fish_hako_using_subcommand remote; and not __fish_seen_subcommand_from add remove rename set-url get-url help" -f -a "rename" -d 'Rename a remote and its remote-tracking refs'
complete -c hako -n "__fish_hako_using_subcommand remote; and not __fish_seen_subcommand_from add remove rename set-url get-url help" -f -a "set-url" -d 'Change a remote\'s URL'
complete -c hako -n "__fish_hako_using_subcommand remote; and not __fish_seen_subcommand_from add remove rename set-url get-url help" -f -a "get-url" -d 'Print a remote\'s URL'
complete -c hako -n "__fish_hako_using_subcommand remote; and not __fish_seen_subcommand_from add remove rename set-url get-url help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from add" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from add" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from remove" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from remove" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from rename" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from rename" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from set-url" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from set-url" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from set-url" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from get-url" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from get-url" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from get-url" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a remote'
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a remote and its remote-tracking refs'
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from help" -f -a "rename" -d 'Rename a remote and its remote-tracking refs'
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from help" -f -a "set-url" -d 'Change a remote\'s URL'
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from help" -f -a "get-url" -d 'Print a remote\'s URL'
complete -c hako -n "__fish_hako_using_subcommand remote; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hako -n "__fish_hako_using_subcommand fetch" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand fetch" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand fetch" -l depth -d 'Shallow fetch: cut the fetched branches\' history N commits deep' -r
complete -c hako -n "__fish_hako_using_subcommand fetch" -l upload-pack -d 'The program to run on the remote (default `hako upload-pack`)' -r
complete -c hako -n "__fish_hako_using_subcommand fetch" -l all -d 'Fetch from every configured remote'
complete -c hako -n "__fish_hako_using_subcommand fetch" -s p -l prune -d 'Delete remote-tracking refs whose branch the remote no longer has'
complete -c hako -n "__fish_hako_using_subcommand fetch" -s f -l force -d 'Overwrite local tags that differ from the remote\'s'
complete -c hako -n "__fish_hako_using_subcommand fetch" -s q -l quiet -d 'Print nothing but errors'
complete -c hako -n "__fish_hako_using_subcommand fetch" -l unshallow -d 'Fetch the whole history of a shallow workspace'
complete -c hako -n "__fish_hako_using_subcommand fetch" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand push" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand push" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand push" -l force-with-lease -d 'Force, but only if the remote ref still is what our remote-tracking ref (or the given id) says' -r
complete -c hako -n "__fish_hako_using_subcommand push" -l receive-pack -d 'The program to run on the remote (default `hako receive-pack`)' -r
complete -c hako -n "__fish_hako_using_subcommand push" -s f -l force -d 'Allow non-fast-forward updates (also `+` before a refspec)'
complete -c hako -n "__fish_hako_using_subcommand push" -s d -l delete -d 'Delete the named remote refs'
complete -c hako -n "__fish_hako_using_subcommand push" -l all -d 'Push every branch of every container'
complete -c hako -n "__fish_hako_using_subcommand push" -l tags -d 'Push every tag of every container'
complete -c hako -n "__fish_hako_using_subcommand push" -l atomic -d 'All refs are updated or none is'
complete -c hako -n "__fish_hako_using_subcommand push" -s n -l dry-run -d 'Do everything except send the update'
complete -c hako -n "__fish_hako_using_subcommand push" -s u -l set-upstream -d 'Record the pushed branch as its upstream'
complete -c hako -n "__fish_hako_using_subcommand push" -s q -l quiet -d 'Print nothing but errors'
complete -c hako -n "__fish_hako_using_subcommand push" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand reset" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand reset" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand reset" -l hard -d 'Also reset the working root to REF\'s tree (uncommitted changes are dropped)'
complete -c hako -n "__fish_hako_using_subcommand reset" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand reflog" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand reflog" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand reflog" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand fsck" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand fsck" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand fsck" -l full -d 'Also re-chunk every reachable file\'s content (FastCDC boundaries)'
complete -c hako -n "__fish_hako_using_subcommand fsck" -l connectivity-only -d 'Only check that every reachable object is present'
complete -c hako -n "__fish_hako_using_subcommand fsck" -l unreachable -d 'List objects no ref, reflog or working root reaches'
complete -c hako -n "__fish_hako_using_subcommand fsck" -l dangling -d 'List unreachable objects nothing else refers to'
complete -c hako -n "__fish_hako_using_subcommand fsck" -l lost-found -d 'Write dangling objects\' ids under .hako/lost-found/'
complete -c hako -n "__fish_hako_using_subcommand fsck" -l cache -d 'Check the checkout cache (every entry, content included) instead of the store'
complete -c hako -n "__fish_hako_using_subcommand fsck" -s v -l verbose -d 'Print what was checked (objects, bytes) on stderr'
complete -c hako -n "__fish_hako_using_subcommand fsck" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand gc" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand gc" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand gc" -l prune -d 'Prune unreachable objects older than DATE (default 2.weeks.ago; `now` prunes every unreachable object, `never` none)' -r
complete -c hako -n "__fish_hako_using_subcommand gc" -l aggressive -d 'Spend more effort on deltas (deltas are always chosen afresh)'
complete -c hako -n "__fish_hako_using_subcommand gc" -l auto -d 'Do nothing unless there are many loose objects or packs'
complete -c hako -n "__fish_hako_using_subcommand gc" -s q -l quiet -d 'Print nothing'
complete -c hako -n "__fish_hako_using_subcommand gc" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand repack" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand repack" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand repack" -s a -d 'Pack everything reachable (the only mode: accepted for git\'s habit)'
complete -c hako -n "__fish_hako_using_subcommand repack" -s d -d 'Remove the packs and loose objects the new pack makes redundant'
complete -c hako -n "__fish_hako_using_subcommand repack" -s f -d 'Choose deltas afresh (always done: accepted for git\'s habit)'
complete -c hako -n "__fish_hako_using_subcommand repack" -s q -l quiet -d 'Print nothing'
complete -c hako -n "__fish_hako_using_subcommand repack" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand prune" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand prune" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand prune" -l expire -d 'Only objects last written before DATE (default 2.weeks.ago; `now` for all)' -r
complete -c hako -n "__fish_hako_using_subcommand prune" -s n -l dry-run -d 'List what would be removed; remove nothing'
complete -c hako -n "__fish_hako_using_subcommand prune" -s v -l verbose -d 'List what is removed'
complete -c hako -n "__fish_hako_using_subcommand prune" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand completions" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand completions" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand completions" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand hash-object" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand hash-object" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand hash-object" -s t -d 'Object type' -r
complete -c hako -n "__fish_hako_using_subcommand hash-object" -s w -d 'Store the object in the workspace'
complete -c hako -n "__fish_hako_using_subcommand hash-object" -l stdin -d 'Read the object from standard input'
complete -c hako -n "__fish_hako_using_subcommand hash-object" -l stdin-paths -d 'Read file paths from standard input, one per line'
complete -c hako -n "__fish_hako_using_subcommand hash-object" -l literally -d 'Skip validation of commit and tag payloads'
complete -c hako -n "__fish_hako_using_subcommand hash-object" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand cat-file" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand cat-file" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand cat-file" -s t -d 'Show the object\'s type'
complete -c hako -n "__fish_hako_using_subcommand cat-file" -s s -d 'Show the object\'s size'
complete -c hako -n "__fish_hako_using_subcommand cat-file" -s p -d 'Pretty-print the object\'s content'
complete -c hako -n "__fish_hako_using_subcommand cat-file" -s e -d 'Exit 0 if the object exists and is valid, 1 otherwise; print nothing'
complete -c hako -n "__fish_hako_using_subcommand cat-file" -l batch -d 'For each name on stdin print `<id> <type> <size>` LF, the content, LF'
complete -c hako -n "__fish_hako_using_subcommand cat-file" -l batch-check -d 'For each name on stdin print `<id> <type> <size>`'
complete -c hako -n "__fish_hako_using_subcommand cat-file" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand commit-tree" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand commit-tree" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand commit-tree" -s p -d 'A parent commit (repeatable; order is kept)' -r
complete -c hako -n "__fish_hako_using_subcommand commit-tree" -s m -d 'Message paragraph (repeatable); without -m or -F the message is read from stdin' -r
complete -c hako -n "__fish_hako_using_subcommand commit-tree" -s F -d 'Read the message from FILE (`-` for stdin)' -r
complete -c hako -n "__fish_hako_using_subcommand commit-tree" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand update-ref" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand update-ref" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand update-ref" -s m -d 'Reflog message' -r
complete -c hako -n "__fish_hako_using_subcommand update-ref" -s d -d 'Delete the ref'
complete -c hako -n "__fish_hako_using_subcommand update-ref" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand symbolic-ref" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand symbolic-ref" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand symbolic-ref" -s q -l quiet -d 'Print nothing and exit 1 if NAME is not a symbolic ref'
complete -c hako -n "__fish_hako_using_subcommand symbolic-ref" -l short -d 'Print the target without the refs/heads/ prefix'
complete -c hako -n "__fish_hako_using_subcommand symbolic-ref" -s d -l delete -d 'Delete the symbolic ref'
complete -c hako -n "__fish_hako_using_subcommand symbolic-ref" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand rev-parse" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand rev-parse" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand rev-parse" -l short -d 'Print unique abbreviations (default 12 digits)' -r
complete -c hako -n "__fish_hako_using_subcommand rev-parse" -l verify -d 'Require exactly one argument that names an object'
complete -c hako -n "__fish_hako_using_subcommand rev-parse" -s q -l quiet -d 'With --verify: print nothing on failure, exit 1'
complete -c hako -n "__fish_hako_using_subcommand rev-parse" -l abbrev-ref -d 'Print the short name of the ref instead of the id (HEAD → branch name)'
complete -c hako -n "__fish_hako_using_subcommand rev-parse" -l symbolic-full-name -d 'Print the full ref name instead of the id'
complete -c hako -n "__fish_hako_using_subcommand rev-parse" -l hako-dir -d 'Print the path of the .hako directory'
complete -c hako -n "__fish_hako_using_subcommand rev-parse" -l show-toplevel -d 'Print the workspace\'s top-level directory'
complete -c hako -n "__fish_hako_using_subcommand rev-parse" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand rev-list" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand rev-list" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand rev-list" -s n -l max-count -d 'Stop after N commits' -r
complete -c hako -n "__fish_hako_using_subcommand rev-list" -l count -d 'Print only the number of commits'
complete -c hako -n "__fish_hako_using_subcommand rev-list" -l parents -d 'Print each commit\'s parents after it'
complete -c hako -n "__fish_hako_using_subcommand rev-list" -l first-parent -d 'Follow only the first parent of merges'
complete -c hako -n "__fish_hako_using_subcommand rev-list" -l reverse -d 'Oldest first'
complete -c hako -n "__fish_hako_using_subcommand rev-list" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand show-ref" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand show-ref" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand show-ref" -l heads -d 'Only branches (refs/heads/)'
complete -c hako -n "__fish_hako_using_subcommand show-ref" -l tags -d 'Only tags (refs/tags/)'
complete -c hako -n "__fish_hako_using_subcommand show-ref" -s s -l hash -d 'Print only the ids'
complete -c hako -n "__fish_hako_using_subcommand show-ref" -l head -d 'Also show HEAD'
complete -c hako -n "__fish_hako_using_subcommand show-ref" -l verify -d 'Require an exact full ref name for each PATTERN'
complete -c hako -n "__fish_hako_using_subcommand show-ref" -s q -l quiet -d 'Print nothing; only the exit status tells'
complete -c hako -n "__fish_hako_using_subcommand show-ref" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand ls-remote" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand ls-remote" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand ls-remote" -l heads -d 'Only branches (refs/heads/)'
complete -c hako -n "__fish_hako_using_subcommand ls-remote" -l tags -d 'Only tags (refs/tags/)'
complete -c hako -n "__fish_hako_using_subcommand ls-remote" -l symref -d 'Show the symbolic target of each HEAD as `ref: <target> TAB HEAD`'
complete -c hako -n "__fish_hako_using_subcommand ls-remote" -l exit-code -d 'Exit 2 when no ref is listed'
complete -c hako -n "__fish_hako_using_subcommand ls-remote" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand update-server-info" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand update-server-info" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand update-server-info" -s v -l verbose -d 'Say what was written'
complete -c hako -n "__fish_hako_using_subcommand update-server-info" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand http-fetch" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand http-fetch" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand http-fetch" -s v -l verbose -d 'Print progress and the requests and bytes it took (on stderr)'
complete -c hako -n "__fish_hako_using_subcommand http-fetch" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand upload-pack" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand upload-pack" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand upload-pack" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand receive-pack" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand receive-pack" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand receive-pack" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand fetch-pack" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand fetch-pack" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand fetch-pack" -l depth -d 'Shallow: cut history N commits deep from each ref (`.hako/shallow` records the cut)' -r
complete -c hako -n "__fish_hako_using_subcommand fetch-pack" -l upload-pack -d 'The program to run on the remote (default `hako upload-pack`)' -r
complete -c hako -n "__fish_hako_using_subcommand fetch-pack" -l all -d 'Fetch every advertised ref (the default without REF)'
complete -c hako -n "__fish_hako_using_subcommand fetch-pack" -s q -l quiet -d 'Do not relay the remote\'s progress'
complete -c hako -n "__fish_hako_using_subcommand fetch-pack" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand send-pack" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand send-pack" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand send-pack" -l receive-pack -d 'The program to run on the remote (default `hako receive-pack`)' -r
complete -c hako -n "__fish_hako_using_subcommand send-pack" -l all -d 'Push every branch of every container'
complete -c hako -n "__fish_hako_using_subcommand send-pack" -l tags -d 'Push every tag of every container'
complete -c hako -n "__fish_hako_using_subcommand send-pack" -s f -l force -d 'Allow non-fast-forward updates'
complete -c hako -n "__fish_hako_using_subcommand send-pack" -l atomic -d 'All refs are updated or none is'
complete -c hako -n "__fish_hako_using_subcommand send-pack" -s n -l dry-run -d 'Do everything except send the update'
complete -c hako -n "__fish_hako_using_subcommand send-pack" -s q -l quiet -d 'Do not relay the remote\'s progress'
complete -c hako -n "__fish_hako_using_subcommand send-pack" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand for-each-ref" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand for-each-ref" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand for-each-ref" -l format -d 'Format with %(objectname), %(objectname:short), %(objecttype), %(refname), %(refname:short), %(subject), %(authorname), %(authoremail), %(authordate), %(committerdate); %% and %xx hex escapes' -r
complete -c hako -n "__fish_hako_using_subcommand for-each-ref" -l sort -d 'Sort key: refname, objectname, committerdate or authordate; prefix `-` to reverse' -r
complete -c hako -n "__fish_hako_using_subcommand for-each-ref" -l count -d 'Show at most N refs' -r
complete -c hako -n "__fish_hako_using_subcommand for-each-ref" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand mktree" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand mktree" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand mktree" -s z -d 'Input lines are NUL-terminated (names are taken verbatim)'
complete -c hako -n "__fish_hako_using_subcommand mktree" -l missing -d 'Allow ids of objects that are not stored'
complete -c hako -n "__fish_hako_using_subcommand mktree" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand ls-tree" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand ls-tree" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand ls-tree" -s r -d 'Recurse into subdirectories (listing only non-directories, unless -t)'
complete -c hako -n "__fish_hako_using_subcommand ls-tree" -s t -d 'With -r, also show the directories themselves'
complete -c hako -n "__fish_hako_using_subcommand ls-tree" -s d -d 'Only directories'
complete -c hako -n "__fish_hako_using_subcommand ls-tree" -s z -d 'Terminate lines with NUL and do not quote names'
complete -c hako -n "__fish_hako_using_subcommand ls-tree" -l name-only -d 'Print only names'
complete -c hako -n "__fish_hako_using_subcommand ls-tree" -s l -l long -d 'Show file sizes'
complete -c hako -n "__fish_hako_using_subcommand ls-tree" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand write-tree" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand write-tree" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand write-tree" -l owners -d 'Record owners (uid/gid), xattrs and modification times of every entry'
complete -c hako -n "__fish_hako_using_subcommand write-tree" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand checkout-tree" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand checkout-tree" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand checkout-tree" -l owners -d 'Apply recorded owners, xattrs and modification times (needs privilege)'
complete -c hako -n "__fish_hako_using_subcommand checkout-tree" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand cache; and not __fish_seen_subcommand_from ls prepare prune verify probe fold help" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand cache; and not __fish_seen_subcommand_from ls prepare prune verify probe fold help" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand cache; and not __fish_seen_subcommand_from ls prepare prune verify probe fold help" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand cache; and not __fish_seen_subcommand_from ls prepare prune verify probe fold help" -f -a "ls" -d 'List entries: name, kind, depth, files, bytes, last use (seconds since the epoch), base'
complete -c hako -n "__fish_hako_using_subcommand cache; and not __fish_seen_subcommand_from ls prepare prune verify probe fold help" -f -a "prepare" -d 'Make a tree ready as an overlay lower and print the lowerdir= value'
complete -c hako -n "__fish_hako_using_subcommand cache; and not __fish_seen_subcommand_from ls prepare prune verify probe fold help" -f -a "prune" -d 'Remove entries of unreachable trees and apply the size cap'
complete -c hako -n "__fish_hako_using_subcommand cache; and not __fish_seen_subcommand_from ls prepare prune verify probe fold help" -f -a "verify" -d 'Check entries (quick check; --full: content and attributes against the trees)'
complete -c hako -n "__fish_hako_using_subcommand cache; and not __fish_seen_subcommand_from ls prepare prune verify probe fold help" -f -a "probe" -d 'Whether overlay instances work here (remembered per host, kernel and user)'
complete -c hako -n "__fish_hako_using_subcommand cache; and not __fish_seen_subcommand_from ls prepare prune verify probe fold help" -f -a "fold" -d 'Fold an overlay upper directory onto a tree and print the new tree'
complete -c hako -n "__fish_hako_using_subcommand cache; and not __fish_seen_subcommand_from ls prepare prune verify probe fold help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from ls" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from ls" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from prepare" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from prepare" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from prepare" -l owners -d 'The presentation profile: with owners, xattrs and devices (default: when root)'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from prepare" -l no-owners -d 'Without owners (files owned by the caller)'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from prepare" -s v -l verbose -d 'Say on stderr how the entry was made'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from prepare" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from prune" -l max-size -d 'The size cap (bytes, k, m or g suffix; 0: none); default cache.maxSize' -r
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from prune" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from prune" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from prune" -s v -l verbose -d 'Print each entry removed'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from verify" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from verify" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from verify" -l full
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from probe" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from probe" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from probe" -l force -d 'Probe again instead of using the remembered answer'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from probe" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from fold" -l base -d 'The tree the lower presented' -r
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from fold" -l uid-map -d 'A uid range INSIDE:OUTSIDE:COUNT of the sandbox (repeatable; default: 0:euid:1, or 0:0:65536 as root)' -r
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from fold" -l gid-map -d 'A gid range, likewise' -r
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from fold" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from fold" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from fold" -l owners -d 'The lower was prepared with owners (default: when root)'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from fold" -l no-owners
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from fold" -l working -d 'Also move the container\'s working root from BASE to the result (the changes applied onto it if it moved meanwhile); prints the working root then'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from fold" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List entries: name, kind, depth, files, bytes, last use (seconds since the epoch), base'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "prepare" -d 'Make a tree ready as an overlay lower and print the lowerdir= value'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove entries of unreachable trees and apply the size cap'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check entries (quick check; --full: content and attributes against the trees)'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "probe" -d 'Whether overlay instances work here (remembered per host, kernel and user)'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "fold" -d 'Fold an overlay upper directory onto a tree and print the new tree'
complete -c hako -n "__fish_hako_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hako -n "__fish_hako_using_subcommand diff-tree" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand diff-tree" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand diff-tree" -s r -d 'Recurse into subdirectories'
complete -c hako -n "__fish_hako_using_subcommand diff-tree" -l name-status -d 'Print `<status>\\t<path>` only'
complete -c hako -n "__fish_hako_using_subcommand diff-tree" -l name-only -d 'Print paths only'
complete -c hako -n "__fish_hako_using_subcommand diff-tree" -s z -d 'NUL-terminated output, names unquoted'
complete -c hako -n "__fish_hako_using_subcommand diff-tree" -l exit-code -d 'Exit 1 if the trees differ'
complete -c hako -n "__fish_hako_using_subcommand diff-tree" -l count-nodes -d 'Print the number of tree nodes read to stderr'
complete -c hako -n "__fish_hako_using_subcommand diff-tree" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand merge-base" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand merge-base" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand merge-base" -l all -d 'Print every best common ancestor (criss-cross histories have several)'
complete -c hako -n "__fish_hako_using_subcommand merge-base" -l is-ancestor -d 'Exit 0 if A is an ancestor of B (or B itself), 1 if not; print nothing'
complete -c hako -n "__fish_hako_using_subcommand merge-base" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand merge-tree" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand merge-tree" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand merge-tree" -s X -d 'Resolve conflicts in favour of one side' -r -f -a "ours\t''
theirs\t''"
complete -c hako -n "__fish_hako_using_subcommand merge-tree" -l write-tree -d 'Write the merged tree and print its id (always done; accepted for git\'s spelling)'
complete -c hako -n "__fish_hako_using_subcommand merge-tree" -s z -d 'NUL-terminated records, paths unquoted'
complete -c hako -n "__fish_hako_using_subcommand merge-tree" -l name-only -d 'List each conflicted path once, without stages'
complete -c hako -n "__fish_hako_using_subcommand merge-tree" -l messages -d 'After the conflicted paths, a blank record and one `CONFLICT (kind): path` line per conflict'
complete -c hako -n "__fish_hako_using_subcommand merge-tree" -l diff3 -d 'Conflict markers include the base section (`|||||||`)'
complete -c hako -n "__fish_hako_using_subcommand merge-tree" -l allow-unrelated-histories -d 'Merge commits that share no history (against the empty tree)'
complete -c hako -n "__fish_hako_using_subcommand merge-tree" -l count-nodes -d 'Print the number of tree nodes read and written to stderr'
complete -c hako -n "__fish_hako_using_subcommand merge-tree" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hako -n "__fish_hako_using_subcommand pack-objects" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand pack-objects" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand pack-objects" -l delta-base-from -d 'The receiver has REV too: its tree is a source of delta bases (with --revs)' -r
complete -c hako -n "__fish_hako_using_subcommand pack-objects" -l stdout -d 'Write the pack to standard output (no index)'
complete -c hako -n "__fish_hako_using_subcommand pack-objects" -l revs -d 'Stdin holds revisions (`REV`, `^REV`, `A..B`), not object ids'
complete -c hako -n "__fish_hako_using_subcommand pack-objects" -l thin -d 'Allow deltas against objects the receiver has (a thin pack, for the wire)'
complete -c hako -n "__fish_hako_using_subcommand pack-objects" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand index-pack" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand index-pack" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand index-pack" -l stdin -d 'Read the pack from standard input'
complete -c hako -n "__fish_hako_using_subcommand index-pack" -l fix-thin -d 'Complete a thin pack with the bases this workspace has'
complete -c hako -n "__fish_hako_using_subcommand index-pack" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand unpack-objects" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand unpack-objects" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand unpack-objects" -s q -d 'Print nothing'
complete -c hako -n "__fish_hako_using_subcommand unpack-objects" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand count-objects" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand count-objects" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand count-objects" -s v -l verbose -d 'Every figure, one per line (`name: value`, sizes in KiB)'
complete -c hako -n "__fish_hako_using_subcommand count-objects" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand verify-pack" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand verify-pack" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand verify-pack" -s v -l verbose -d 'List every object: `<id> <type> <size> <record-length> <offset>`, then `<depth> <base>` for a delta; then a line per delta chain length'
complete -c hako -n "__fish_hako_using_subcommand verify-pack" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l uid -d 'uid inside the sandbox (the caller is mapped to it)' -r
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l gid -d 'gid inside the sandbox' -r
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l hostname -d 'Hostname inside (new UTS namespace)' -r
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l net -d 'Network: none (only lo), host, or pasta (user-mode networking)' -r
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l bind -d 'Bind a host path: SRC:DST[:ro] (repeatable)' -r
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l mount -d 'Bind a host path: SRC:DST:ro|rw (repeatable)' -r
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l tmpfs -d 'Mount a fresh tmpfs at DST (repeatable)' -r -F
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l workdir -d 'Working directory inside' -r -F
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l env -d 'Set an environment variable K=V (repeatable)' -r
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l rlimit -d 'Resource limits: as=,core=,cpu=,data=,fsize=,memlock=,nofile=,nproc=,stack= (N, SOFT:HARD, unlimited)' -r
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l seccomp -d 'seccomp filter: off, default, or a seccompiler JSON FILE' -r
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l pids-limit -d 'cgroup v2 pids.max (0: no limit)' -r
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l memory -d 'cgroup v2 memory.max (bytes, or with k/m/g)' -r
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l cpus -d 'cgroup v2 CPU quota, in CPUs (e.g. 0.5)' -r
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l pid-file -d 'Write the sandbox\'s pid to FILE, alone on one line, as hako-run does (removed at exit)' -r -F
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l map-users -d 'Also map the caller\'s subordinate ids (/etc/subuid, newuidmap) as 1…N (as root, ids 0…65535 are always mapped)'
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l ro-root -d 'Make ROOTFS itself read-only'
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l clear-env -d 'Start from an empty environment (only the --env variables)'
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l keep-env -d 'Pass the caller\'s environment (default: only PATH, HOME, TERM and PWD, plus --env)'
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l keep-cap -d 'Keep capabilities (inside the user namespace only)'
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l no-landlock -d 'Do not confine filesystem access with landlock'
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l new-session -d 'Run the command in a new session (no controlling terminal: defeats TIOCSTI)'
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l die-with-parent -d 'Kill the sandbox when hako\'s parent dies'
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -l as-pid-1 -d 'Run the command as pid 1 instead of under hako\'s minimal init'
complete -c hako -n "__fish_hako_using_subcommand unshare-exec" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand enter" -s C -d 'Run as if hako was started in DIR' -r -F
complete -c hako -n "__fish_hako_using_subcommand enter" -s c -l container -d 'Act on container NAME for this command (default: the active one)' -r
complete -c hako -n "__fish_hako_using_subcommand enter" -l pid-file -d 'Read the sandbox\'s pid from FILE instead of PID (a process started after the file was written is refused: the pid was reused)' -r -F
complete -c hako -n "__fish_hako_using_subcommand enter" -l env -d 'Set an environment variable K=V (repeatable)' -r
complete -c hako -n "__fish_hako_using_subcommand enter" -l seccomp -d 'seccomp filter: off, default, or a seccompiler JSON FILE' -r
complete -c hako -n "__fish_hako_using_subcommand enter" -l fork -d 'Accepted for hako-enter compatibility: enter always forks the command'
complete -c hako -n "__fish_hako_using_subcommand enter" -l clear-env -d 'Start from an empty environment (only the --env variables)'
complete -c hako -n "__fish_hako_using_subcommand enter" -l keep-env -d 'Pass the caller\'s environment (default: only PATH, HOME, TERM and PWD, plus --env)'
complete -c hako -n "__fish_hako_using_subcommand enter" -l keep-cap -d 'Keep capabilities (inside the sandbox\'s user namespace)'
complete -c hako -n "__fish_hako_using_subcommand enter" -l no-landlock -d 'Do not confine filesystem access with landlock'
complete -c hako -n "__fish_hako_using_subcommand enter" -s h -l help -d 'Print help'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "manpages" -d 'Write the man pages into a directory'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "init" -d 'Create a workspace whose first container holds a busybox root filesystem'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "log" -d 'Show commit history'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "containers" -d 'List containers'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "new-container" -d 'Create a container'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "del-container" -d 'Delete a container'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "is" -d 'Switch the active container'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "write" -d 'Write a file in the working root'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "cat" -d 'Print a file'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "mkdir" -d 'Create directories'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "del" -d 'Delete files or directories'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "cp" -d 'Copy files or directories'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "mv" -d 'Move or rename'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "pull" -d 'Fetch an OCI image from a registry and commit its root filesystem'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "images" -d 'List the images pulled into containers'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "import" -d 'Import a host file or directory'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "export" -d 'Export to a host directory'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "ls" -d 'List a directory'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "mount" -d 'Mount a revision\'s tree read-only through FUSE'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "umount" -d 'Unmount a `hako mount`'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "run" -d 'Run a command in a container (its tree served through FUSE)'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "show" -d 'Show a commit with its patch, a tag, a tree, or a file at REV:PATH'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "config" -d 'Get and set options of the workspace\'s or the user\'s config'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "shell" -d 'Run an interactive shell in a container'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "ps" -d 'List running instances'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "logs" -d 'Print a detached instance\'s output'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "exec" -d 'Run a command inside a running instance'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "stop" -d 'Stop instances: SIGTERM, then SIGKILL'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "kill" -d 'Send a signal to an instance'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "wait" -d 'Wait for an instance to end and print its exit status'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "reap" -d 'Clean up after dead and exited instances'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "tree" -d 'Draw a directory hierarchy'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "pwd" -d 'Print the current directory'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "cd" -d 'Change the current directory'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "status" -d 'Show uncommitted changes'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "commit" -d 'Record the working root'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "branch" -d 'List, create, delete or rename branches'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "merge" -d 'Merge another branch, tag or commit into the current branch'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "add" -d 'Mark conflicted paths of a merge resolved'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "checkout" -d 'Switch branches or detach HEAD'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "tag" -d 'List, create or delete tags'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "diff" -d 'Show changes'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "apply" -d 'Build a container from hako.toml, one committed step at a time'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "clone" -d 'Copy a workspace: every container, its branches and tags'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "remote" -d 'Manage the remotes a workspace fetches from and pushes to'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "fetch" -d 'Bring branches and tags from a remote (then `merge REMOTE/BRANCH`)'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "push" -d 'Update a remote\'s branches and tags from local ones'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "reset" -d 'Move the current branch'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "reflog" -d 'Show where a ref has been'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "fsck" -d 'Check objects, connectivity and tree structure'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "gc" -d 'Repack, prune and expire reflogs'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "repack" -d 'Pack every reachable object into one pack'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "prune" -d 'Remove old unreachable loose objects'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "completions" -d 'Print a shell completion script'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "hash-object" -d 'Compute an object id, optionally storing the object'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "cat-file" -d 'Show an object\'s type, size or content'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "commit-tree" -d 'Create a commit object'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "update-ref" -d 'Update a ref safely (lock + compare-and-swap)'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "symbolic-ref" -d 'Read, set or delete a symbolic ref'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "rev-parse" -d 'Resolve revision expressions to ids'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "rev-list" -d 'List commits reachable from revisions'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "show-ref" -d 'List refs with their ids'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "ls-remote" -d 'List the refs another workspace advertises'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "update-server-info" -d 'Write the static files of a dumb-HTTP mirror'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "http-fetch" -d 'Download objects from a dumb-HTTP mirror (no ref moves)'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "upload-pack" -d 'Serve a fetch on stdin/stdout (run over ssh by fetch and clone)'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "receive-pack" -d 'Receive a push on stdin/stdout (run over ssh by push)'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "fetch-pack" -d 'Fetch the objects of remote refs into the store'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "send-pack" -d 'Push refs to a remote\'s receive-pack'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "for-each-ref" -d 'List refs with a format'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "mktree" -d 'Build a tree from ls-tree lines on stdin'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "ls-tree" -d 'List a tree\'s entries'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "write-tree" -d 'Import a host directory as a tree'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "checkout-tree" -d 'Materialise a tree into a host directory'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "cache" -d 'The checkout cache of overlay instances: ls, prepare, prune, verify, probe, fold'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "diff-tree" -d 'Compare two trees'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "merge-base" -d 'Find the best common ancestors of two commits'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "merge-tree" -d 'Merge two trees three-way and write the result (no ref or working root changes)'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "pack-objects" -d 'Write a pack of objects (or of revisions, with --revs)'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "index-pack" -d 'Verify a pack and store it with its index'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "unpack-objects" -d 'Store a pack\'s objects as loose objects'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "count-objects" -d 'Count loose and packed objects'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "verify-pack" -d 'Check packs: checksums and every object'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "unshare-exec" -d 'Run a command in a rootless sandbox of a directory'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "enter" -d 'Run a command inside a running sandbox'
complete -c hako -n "__fish_hako_using_subcommand help; and not __fish_seen_subcommand_from manpages init log containers new-container del-container is write cat mkdir del cp mv pull images import export ls mount umount run show config shell ps logs exec stop kill wait reap tree pwd cd status commit branch merge add checkout tag diff apply clone remote fetch push reset reflog fsck gc repack prune completions hash-object cat-file commit-tree update-ref symbolic-ref rev-parse rev-list show-ref ls-remote update-server-info http-fetch upload-pack receive-pack fetch-pack send-pack for-each-ref mktree ls-tree write-tree checkout-tree cache diff-tree merge-base merge-tree pack-objects index-pack unpack-objects count-objects verify-pack unshare-exec enter help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
