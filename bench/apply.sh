#!/bin/sh
# Issue 15: `apply` re-run with every step applied (it should cost about
# reading the config and one ref), and `diff -r` over a FUSE-mounted
# 100k-file tree against the same over an exported copy on disk.
. "$(dirname "$0")/lib.sh"

tree_files
D="$WORK/apply"
rm -rf "$D" && mkdir -p "$D"
if ! { test -c /dev/fuse && command -v fusermount3 >/dev/null && command -v busybox >/dev/null; }; then
	echo "(apply: FUSE or busybox missing, section skipped)"; exit 0
fi
$HAKO init -q "$D/ws" || exit 0
mkdir -p "$D/ws/proj"
cat >"$D/ws/proj/hako.toml" <<'TOML'
name = "app"
setup = ["echo one >/one", "echo two >/two", "echo three >/three"]
TOML
(cd "$D/ws/proj" && $HAKO apply 2>/dev/null) || { echo "(apply: first apply failed)"; exit 0; }
n=$(find "$T" -type f | wc -l)
(cd "$D/ws" && $HAKO import "$T" /data >/dev/null && $HAKO commit -q -m data) || exit 0
$HAKO -C "$D/ws" export /data "$D/exported" || exit 0
mkdir -p "$D/mnt"

table_header "apply and mount (issue 15)"
compare "apply re-run, 3 steps applied vs hako rev-parse" : \
	"cd $D/ws/proj && $HAKO apply" \
	rev-parse "$HAKO -C $D/ws -c app rev-parse HEAD"
compare "diff -r mounted tree ($n files) vs exported copy" \
	"$HAKO umount $D/mnt 2>/dev/null; $HAKO -C $D/ws mount HEAD $D/mnt" \
	"diff -r $D/mnt/data $T" \
	"disk" "diff -r $D/exported $T" \
	":"
$HAKO umount "$D/mnt" 2>/dev/null || fusermount3 -u "$D/mnt" 2>/dev/null
echo "(the mounted run starts from a fresh mount each time: cold FUSE, warm page cache of the host side)"
