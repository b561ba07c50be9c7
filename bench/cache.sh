#!/bin/sh
# The checkout cache of overlay instances: preparing a tree cold (a full
# entry) against checkout-tree of it, preparing a tree one path away (a
# layer) against checking it out whole, using a cached tree (the quick
# check) against a stat walk of a checkout, and the fold of a 1-file upper
# directory against write-tree of the whole checkout (what a materialized
# instance's fold reads).
#
#   bench/cache.sh         (BENCH_ROOTFS=DIR: a root filesystem to import
#                           instead of the generated 100 x 100 files)
#
# Figures, never pass/fail.
. "$(dirname "$0")/lib.sh"

need_release cache

fresh_ws cache
if test -n "$BENCH_ROOTFS"; then
	SRC=$BENCH_ROOTFS
else
	SRC=$W/src
	small_files "$SRC" 400000 4000 3
fi
T=$($H write-tree --owners "$SRC") || exit 1
files=$($H ls-tree -r "$T" | wc -l)
bytes=$(du -sb "$SRC" | cut -f1)
C=$W/ws/.hako/cache
$H cache prepare "$T" >"$W/lower" || exit 1
R=$(cat "$W/lower")
# The same tree with one file changed: an upper directory holding it, folded.
first=$(cd "$R" && find . -type f | sort | head -1)
mkdir -p "$W/up/$(dirname "$first")" && echo changed >"$W/up/$first" || exit 1
(cd "$R" && find . -type d) | while read -r d; do
	test -d "$W/up/$d" && touch -r "$R/$d" "$W/up/$d" && chmod --reference="$R/$d" "$W/up/$d"
done
N=$($H cache fold --base "$T" "$W/up") || exit 1

table_header "checkout cache: $files entries, $bytes bytes"
compare "cold prepare (full entry)" \
	"rm -rf $C/trees $C/files" \
	"$H cache prepare $T" \
	"checkout" "$H checkout-tree --owners $T $W/co" \
	"rm -rf $W/co"
compare "prepare of a 1-path change (a layer)" \
	"$H cache prepare $T; rm -rf $C/trees/$N.*" \
	"$H cache prepare $N" \
	"checkout" "$H checkout-tree --owners $N $W/co" \
	"rm -rf $W/co"
rm -rf "$W/co" && $H checkout-tree --owners "$T" "$W/co" 2>/dev/null
compare "prepare of a cached tree (quick check)" \
	":" \
	"$H cache prepare $T" \
	"find -ls" "find $W/co -ls"
compare "fold of a 1-file upper directory" \
	":" \
	"$H cache fold --base $T $W/up" \
	"write-tree" "$H write-tree --owners $W/co"
echo "(disk: one entry $(du -sb "$C" | cut -f1) bytes for any number of instances of the tree; a checkout $(du -sb "$W/co" | cut -f1) bytes each)"
rm -rf "$W"
