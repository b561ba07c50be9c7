#!/bin/sh
# hako run: sequential write and read of a large file inside a container
# vs the same on the host disk, and the start-up latency of `run /bin/true`
# vs `unshare-exec` on an exported copy, on each data path (overlay over
# the checkout cache, and FUSE), one beside the other.
#
#   bench/runtime.sh            (RT_SIZE_MB=1024, BENCH_RUNS=5 by default)
#
# Figures, never pass/fail; a failed timed command is reported, not timed.
. "$(dirname "$0")/lib.sh"
SIZE_MB=${RT_SIZE_MB:-1024}
FILES=${RT_FILES:-100000}

need_release runtime
need_tools runtime busybox fusermount3
if ! test -c /dev/fuse; then
	echo "# runtime: skipped, /dev/fuse is missing"
	exit 0
fi

fresh_ws runtime
mkdir -p "$W/src" || exit 1
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$W/src/rand" || exit 1
# The same file committed in the container, for the read.
$H run --bind "$W/src:/src:ro" -- cp /src/rand /big || { echo "# runtime: cannot write the big file"; exit 1; }
$H commit -q -m big || exit 1
# Many small files (100 bytes each, 100 directories), imported and committed.
small_files "$W/many" "$FILES" 100 4
$H import ../many /many >/dev/null && $H commit -q -m many || exit 1
$H export / "$W/exported" || exit 1
mkdir -p "$W/exported/proc" "$W/exported/dev" "$W/exported/tmp"

RUNS0=$RUNS
for FS in overlay fuse; do
table_header "hako run --fs $FS ($SIZE_MB MiB file; $(nproc) cores; $(uname -r))"
compare "$FS: write inside, --rm (discarded)" \
	"rm -f $W/host-copy; sync" \
	"$H run --fs $FS --rm --bind $W/src:/src:ro -- cp /src/rand /copy" \
	"host cp" "cp $W/src/rand $W/host-copy && sync $W/host-copy"
# Fresh content each time: stored (chunked, compressed) into the container.
compare "$FS: write inside, persistent (stored, folded)" \
	"head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >$W/src/fresh; $H del /copy 2>/dev/null; rm -f $W/host-copy; sync" \
	"$H run --fs $FS --bind $W/src:/src:ro -- cp /src/fresh /copy" \
	"host cp" "cp $W/src/fresh $W/host-copy && sync $W/host-copy"
# Reads come after 1 GiB writes: each timed run starts with the dirty pages
# written back (sync, untimed), or the writeback competes for both cores.
compare "$FS: sequential read inside (cat, incl. start)" \
	"sync; cat $W/src/rand >/dev/null" \
	"$H run --fs $FS --rm -- sh -c 'cat /big >/dev/null'" \
	"host cat" "cat $W/src/rand >/dev/null"
compare "$FS: find | xargs cat over $FILES files inside" \
	":" \
	"$H run --fs $FS --rm -- sh -c 'find /many -type f | xargs cat >/dev/null'" \
	"host" "find $W/many -type f | xargs cat >/dev/null"
RUNS=$((RUNS * 4))
compare "$FS: run --rm /bin/true" \
	":" \
	"$H run --fs $FS --rm -- /bin/true" \
	"unshare-exec" "$HAKO unshare-exec --pids-limit 0 $W/exported /bin/true"
RUNS=$RUNS0
done
# The floor: the same bytes through a FUSE mount served from memory (no
# store, no decompression, no hashing; examples/fuse_floor.rs), vs host cat.
FLOOR=$(dirname "$HAKO")/examples/fuse_floor
if test -x "$FLOOR"; then
	mkdir -p "$W/floor"
	compare "FUSE floor: cat of $SIZE_MB MiB served from memory" \
		"sync; $FLOOR $W/floor $((SIZE_MB * 1024 * 1024)) & sleep 0.3" \
		"cat $W/floor/f >/dev/null; fusermount3 -u $W/floor" \
		"host cat" "cat $W/src/rand >/dev/null" \
		"sync; cat $W/src/rand >/dev/null"
else
	echo "# FUSE floor skipped: cargo build --release --example fuse_floor"
fi
rm -rf "$W"
