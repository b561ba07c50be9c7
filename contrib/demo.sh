#!/bin/sh
# hako's main job on a built-in example, in a temporary directory: a workspace
# whose first container holds a small root filesystem; edit a file, commit,
# look at the history and the change; then run a command from that root in
# hako's rootless sandbox.
set -e
# The hako to show: $HAKO, else the one in PATH, else this checkout's release build.
if [ -z "${HAKO:-}" ]; then
	HAKO=$(command -v hako 2>/dev/null) ||
		HAKO=$(cd "$(dirname "$0")/.." && pwd)/target/release/hako
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/hako-demo.XXXXXX")
trap 'rm -rf "$dir" "$dir.copy"' EXIT
cd "$dir"
set -x
"$HAKO" init
# The demo's throwaway workspace gets an identity of its own (HAKO_AUTHOR_* still win).
printf '[user]\n\tname = hako demo\n\temail = demo@hako.invalid\n' >>.hako/config
"$HAKO" ls /
"$HAKO" write /etc/motd "hello from the container's root filesystem
"
"$HAKO" commit -m "add motd"
"$HAKO" log
"$HAKO" diff HEAD~1
# The committed root as a host directory, and a command run from it, sandboxed.
"$HAKO" checkout-tree HEAD rootfs
"$HAKO" unshare-exec --hostname demo rootfs sh -c 'cat /etc/motd; echo "$(hostname): uid $(id -u), $(ls /bin | wc -l) programs, $(env | wc -l) environment variables"' ||
	echo "the sandbox step needs user namespaces and busybox (see format-spec/sandbox.md)"
# Move it to another workspace and back: clone (every container), change,
# push (a thin pack of what the other side lacks), then see it arrive.
"$HAKO" clone . "$dir.copy"
printf '[user]\n\tname = hako demo\n\temail = demo@hako.invalid\n' >>"$dir.copy/.hako/config"
"$HAKO" -C "$dir.copy" write /etc/motd "edited in the clone
"
"$HAKO" -C "$dir.copy" commit -m "edit motd in the clone"
"$HAKO" -C "$dir.copy" push
"$HAKO" log --oneline -n 3
"$HAKO" cat /etc/motd
