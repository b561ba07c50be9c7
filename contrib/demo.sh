#!/bin/sh
# hako's main job on a built-in example, in a temporary directory: a workspace
# whose first container holds a small root filesystem; edit a file, commit,
# look at the history and the change.
set -e
HAKO=${HAKO:-$(cd "$(dirname "$0")/.." && pwd)/target/release/hako}
dir=$(mktemp -d "${TMPDIR:-/tmp}/hako-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir"
set -x
$HAKO init
# The demo's throwaway workspace gets an identity of its own (HAKO_AUTHOR_* still win).
printf '[user]\n\tname = hako demo\n\temail = demo@hako.invalid\n' >>.hako/config
$HAKO ls /
$HAKO write /etc/motd hello
$HAKO commit -m "add motd"
$HAKO log
$HAKO diff HEAD~1
