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
# Run a command in the container (its tree is the root; rootless sandbox);
# without FUSE, --materialize checks the tree out instead.
hako_run () {
	if [ -e /dev/fuse ] && command -v fusermount3 >/dev/null 2>&1; then
		"$HAKO" run "$@"
	else
		"$HAKO" run --materialize "$@"
	fi
}
hako_run --rm -- sh -c 'cat /etc/motd; echo "$(hostname): uid $(id -u), $(ls /bin | wc -l) programs, $(env | wc -l) environment variables"' ||
	echo "the sandbox step needs user namespaces and busybox (see format-spec/sandbox.md)"
# What a command writes lands in the container's working root: commit it.
hako_run -- sh -c 'echo "written inside" >/etc/note' &&
	"$HAKO" status && "$HAKO" commit -m "a note written by a command in the container" ||
	echo "the sandbox step needs user namespaces and busybox (see format-spec/sandbox.md)"
# Build a container step by step (one commit per step, re-runs skip what is done).
printf 'name = "built"\nsetup = ["echo step one >/etc/steps", "echo step two >>/etc/steps"]\n' >hako.toml
"$HAKO" apply -f hako.toml ||
	echo "apply needs the sandbox and FUSE (see format-spec/sandbox.md)"
"$HAKO" -c built log --oneline
"$HAKO" -c built cat /etc/steps
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
