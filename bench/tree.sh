#!/bin/sh
# Issue 4: write-tree of 100k files, diff-tree in a 1M-entry directory, chunked storage.
. "$(dirname "$0")/lib.sh"

D="$WORK/tree"
mkdir -p "$D"
# 100k files, ~4 KiB each, in 1000 directories (generated once, reused).
tree_files
nfiles=$(find "$D/files" -type f | wc -l)
nbytes=$(du -sb "$D/files" | cut -f1)
echo "inputs: $nfiles files, $nbytes bytes in $D/files"

table_header "prolly trees (issue 4)"
compare "write-tree of $nfiles files vs git add+write-tree" \
	"rm -rf $D/hws && $HAKO init -q $D/hws" \
	"cd $D/hws && $HAKO write-tree $D/files" \
	git "cd $D/files && GIT_DIR=$D/gws/.git GIT_WORK_TREE=$D/files git add -A && GIT_DIR=$D/gws/.git git write-tree" \
	"rm -rf $D/gws && git init -q $D/gws"

# A 1M-entry flat directory, in hako and in git, and a one-entry edit of each.
# Rebuild when missing or made by an older hako that cannot read it.
if ! test -f "$D/flat.done" || ! (cd "$D/flat-h" && $HAKO cat-file -e "$(cat "$D/h1.id")") 2>/dev/null; then
	rm -rf "$D/flat-h" "$D/flat-g"
	$HAKO init -q "$D/flat-h" && git init -q "$D/flat-g"
	hb=$(echo content | (cd "$D/flat-h" && $HAKO hash-object -w --stdin))
	gb=$(echo content | git -C "$D/flat-g" hash-object -w --stdin)
	hb2=$(echo changed | (cd "$D/flat-h" && $HAKO hash-object -w --stdin))
	gb2=$(echo changed | git -C "$D/flat-g" hash-object -w --stdin)
	awk -v b=$hb 'BEGIN { for (i = 0; i < 1000000; i++) printf "100644 blob %s\tentry%07d\n", b, i }' >"$D/h1.in"
	sed "s/^100644 blob $hb	entry0500000$/100644 blob $hb2	entry0500000/" "$D/h1.in" >"$D/h2.in"
	awk -v b=$gb 'BEGIN { for (i = 0; i < 1000000; i++) printf "100644 blob %s\tentry%07d\n", b, i }' >"$D/g1.in"
	sed "s/^100644 blob $gb	entry0500000$/100644 blob $gb2	entry0500000/" "$D/g1.in" >"$D/g2.in"
	(cd "$D/flat-h" && $HAKO mktree <"$D/h1.in" >"$D/h1.id" && $HAKO mktree <"$D/h2.in" >"$D/h2.id")
	git -C "$D/flat-g" mktree <"$D/g1.in" >"$D/g1.id" && git -C "$D/flat-g" mktree <"$D/g2.in" >"$D/g2.id"
	touch "$D/flat.done"
fi
compare "diff-tree, 1 change in 1M entries vs git" : \
	"cd $D/flat-h && $HAKO diff-tree $(cat "$D/h1.id") $(cat "$D/h2.id")" \
	git "git -C $D/flat-g diff-tree $(cat "$D/g1.id") $(cat "$D/g2.id")"
nodes=$(cd "$D/flat-h" && $HAKO diff-tree --count-nodes $(cat "$D/h1.id") $(cat "$D/h2.id") 2>&1 >/dev/null | sed -n 's/nodes read: //p')
echo
echo "diff-tree in the 1M-entry directory read $nodes tree nodes (git reads the 2 whole tree objects: $(git -C "$D/flat-g" cat-file -s $(cat "$D/g1.id")) bytes each)"

# Two 100 MiB files differing in 1 MiB in the middle.
rm -rf "$D/pair" "$D/pair-ws" && mkdir -p "$D/pair"
head -c 104857600 /dev/urandom >"$D/pair/a"
cp "$D/pair/a" "$D/pair/b"
head -c 1048576 /dev/urandom | dd of="$D/pair/b" bs=1048576 seek=50 conv=notrunc status=none
$HAKO init -q "$D/pair-ws"
(cd "$D/pair-ws" && $HAKO write-tree "$D/pair" >/dev/null)
stored=$(find "$D/pair-ws/.hako/objects" -type f -exec cat {} + | wc -c)
(rm -rf "$D/one" "$D/one-ws" && mkdir "$D/one" && cp "$D/pair/a" "$D/one/" && $HAKO init -q "$D/one-ws" && cd "$D/one-ws" && $HAKO write-tree "$D/one" >/dev/null)
one=$(find "$D/one-ws/.hako/objects" -type f -exec cat {} + | wc -c)
echo "two 100 MiB files differing in 1 MiB: stored $stored bytes (vs 209715200 raw); the second file added $((stored - one)) bytes of new objects"
