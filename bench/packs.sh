#!/bin/sh
# Issue 10: repack -a -d, fsck throughput, the thin pack of a 1-file change,
# and random reads from one pack — each against git on the same content.
. "$(dirname "$0")/lib.sh"

T="$WORK/tree/files"
if ! test -f "$WORK/tree/files.done"; then
	sh "$BENCH_DIR/tree.sh" >/dev/null 2>&1 || true
fi
D="$WORK/packs"
rm -rf "$D" && mkdir -p "$D"
n=$(find "$T" -type f | wc -l)
bytes=$(du -sb "$T" | cut -f1)
echo "inputs: $n files, $bytes bytes; 10 commits changing 10 files each; $(git --version)"

# Both stores: the tree, then 10 commits of 10 changed files each.
$HAKO init -q --empty "$D/h"
(cd "$D/h" && $HAKO import "$T" /data >/dev/null && $HAKO commit -q -m import)
git init -q "$D/g"
G="git -c gc.auto=0 --git-dir=$D/g/.git --work-tree=$T"
$G add -A && $G commit -q -m import
files=$(cd "$T" && find . -type f | sort | awk 'NR % 9973 == 1' | head -n 10 | sed 's|^\./||')
mkdir -p "$D/saved"
for f in $files; do mkdir -p "$D/saved/$(dirname "$f")"; cp "$T/$f" "$D/saved/$f"; done
for c in 1 2 3 4 5 6 7 8 9 10; do
	for f in $files; do
		echo "change $c" >>"$T/$f"
		(cd "$D/h" && $HAKO write "/data/$f" --from "$T/$f")
	done
	(cd "$D/h" && $HAKO commit -q -m "change $c")
	$G commit -q -a -m "change $c"
done
for f in $files; do cp "$D/saved/$f" "$T/$f"; done
(cd "$D/h" && $HAKO gc -q --prune=now) && $G gc -q --prune=now

table_header "packs, gc, fsck (issue 10)"
compare "repack -a -d ($n files, 11 commits) vs git" : \
	"cd $D/h && $HAKO repack -a -d -q" \
	git "git --git-dir=$D/g/.git repack -a -d -q"
compare "fsck vs git fsck --full" : \
	"cd $D/h && $HAKO fsck" \
	git "git --git-dir=$D/g/.git fsck --full --no-progress"
t0=$(now_ns); (cd "$D/h" && $HAKO fsck -v 2>"$D/fsck.err"); t1=$(now_ns)
checked=$(sed -n 's/^checked [0-9]* objects, \([0-9]*\) bytes.*/\1/p' "$D/fsck.err")
t2=$(now_ns); git --git-dir="$D/g/.git" fsck --full --no-progress >/dev/null 2>&1; t3=$(now_ns)
awk -v b="$checked" -v h=$((t1 - t0)) -v g=$((t3 - t2)) -v c="$bytes" 'BEGIN {
	printf "| fsck throughput: hako %.0f MB/s of payload checked; both over %.0f MB of content: hako %.0f MB/s, git %.0f MB/s | ratio %.2f |\n",
		b / (h / 1e9) / 1e6, c / 1e6, c / (h / 1e9) / 1e6, c / (g / 1e9) / 1e6, g / h }'

# The thin pack for the last 1-file change (bytes: the goal is <= 1.5x git's).
echo "change 11" >>"$T/$(echo $files | cut -d' ' -f1)"
f1=$(echo $files | cut -d' ' -f1)
(cd "$D/h" && $HAKO write "/data/$f1" --from "$T/$f1" && $HAKO commit -q -m one-more)
$G commit -q -a -m one-more
cp "$D/saved/$f1" "$T/$f1"
compare "pack-objects --revs --thin --stdout, 1-file change" : \
	"cd $D/h && printf 'HEAD\n^HEAD~1\n' | $HAKO pack-objects --revs --thin --stdout >$D/h.pack" \
	git "printf 'HEAD\n^HEAD~1\n' | git --git-dir=$D/g/.git pack-objects --revs --thin --stdout >$D/g.pack"
hb=$(wc -c <"$D/h.pack") gb=$(wc -c <"$D/g.pack")
awk -v h="$hb" -v g="$gb" -v n="$n" 'BEGIN { printf "| thin pack bytes for a 1-file change in %s files: hako %d, git %d | ratio %.2f |\n", n, h, g, h / g }'

# Random reads: 10k objects from the one pack.
(cd "$D/h" && $HAKO verify-pack -v .hako/objects/pack/*.idx | awk 'NF >= 5 && length($1) == 64 {print $1}' | shuf -n 10000 --random-source=/dev/zero >"$D/h.ids")
git --git-dir="$D/g/.git" rev-list --objects --all | cut -d' ' -f1 | shuf -n 10000 --random-source=/dev/zero >"$D/g.ids"
compare "cat-file --batch of 10k random packed objects" : \
	"cd $D/h && $HAKO cat-file --batch <$D/h.ids" \
	git "git --git-dir=$D/g/.git cat-file --batch <$D/g.ids"
