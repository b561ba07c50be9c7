#!/bin/sh
# hako's main job on a built-in example, in a temporary directory:
# make a workspace, store a file, commit a tree, show the history.
set -e
HAKO=${HAKO:-$(cd "$(dirname "$0")/.." && pwd)/target/release/hako}
dir=$(mktemp -d "${TMPDIR:-/tmp}/hako-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir"
set -x
$HAKO init
echo "hello, hako" >greeting
$HAKO hash-object -w greeting
tree=$($HAKO rev-parse 6237ea26bd72)
commit=$($HAKO commit-tree "$tree" -m "first snapshot")
$HAKO update-ref refs/heads/main "$commit"
$HAKO log
$HAKO cat-file -p HEAD
