#!/bin/sh
# Issue 10: repack -a -d, fsck throughput, the thin pack of a 1-file change,
# and random reads from one pack — each against git on the same content.
. "$(dirname "$0")/lib.sh"

tree_files
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
# pack_bytes_rows TITLE HAKO-PACK GIT-PACK GIT-DIR: the bytes of both packs by what they carry.
pack_bytes_rows () {
	echo "| $1, hako: $(python3 "$BENCH_DIR/pack-bytes.py" hako "$2") |"
	echo "| $1, git:  $(python3 "$BENCH_DIR/pack-bytes.py" git "$3" "$4") |"
}
# compact_rows WHAT HAKO-COMPACT-PACK GIT-PACK GIT-DIR: the compact stream's
# bytes against git's thin pack, with both breakdowns.
compact_rows () {
	hb=$(wc -c <"$2") gb=$(wc -c <"$3")
	awk -v h="$hb" -v g="$gb" -v w="$1" 'BEGIN { printf "| compact stream (pack version 3) for a 1-file change in %s: hako %d, git %d | ratio %.2f |\n", w, h, g, h / g }'
	pack_bytes_rows "compact stream of a 1-file change in $1" "$2" "$3" "$4"
}
pack_bytes_rows "thin pack of a 1-file change in $n files" "$D/h.pack" "$D/g.pack" "$D/g/.git"
# The same change as the compact stream (pack version 3), what fetch and push
# send when both ends offer compact-pack (the goal is <= 1x git's bytes).
(cd "$D/h" && printf 'HEAD\n^HEAD~1\n' | $HAKO pack-objects --revs --thin --compact --stdout >"$D/hc.pack" 2>/dev/null)
compact_rows "$n files" "$D/hc.pack" "$D/g.pack" "$D/g/.git"

# The same in a tree of small flat directories: 50 directories of 200 small
# files (a changed leaf node, its parents and a commit, where 32-byte ids
# weigh most; the goal is <= 1.5x git's bytes).
S="$WORK/packs-small"
rm -rf "$S" && mkdir -p "$S"
python3 - "$S/files" <<'PY'
import os, random, sys
rnd = random.Random(7)
for d in range(50):
    dd = os.path.join(sys.argv[1], "dir%02d" % d)
    os.makedirs(dd)
    for f in range(200):
        with open(os.path.join(dd, "file%03d.txt" % f), "w") as fh:
            fh.write("file %d in dir %d\n%s\n" % (f, d, rnd.randbytes(24).hex()))
PY
$HAKO init -q --empty "$S/h"
(cd "$S/h" && $HAKO import "$S/files" /data >/dev/null && $HAKO commit -q -m import)
git init -q "$S/g"
GS="git -c gc.auto=0 --git-dir=$S/g/.git --work-tree=$S/files"
$GS add -A && $GS commit -q -m import
echo "change" >>"$S/files/dir17/file123.txt"
(cd "$S/h" && $HAKO write /data/dir17/file123.txt --from "$S/files/dir17/file123.txt" && $HAKO commit -q -m one)
$GS commit -q -a -m one
(cd "$S/h" && printf 'HEAD\n^HEAD~1\n' | $HAKO pack-objects --revs --thin --stdout >"$S/h.pack" 2>/dev/null)
printf 'HEAD\n^HEAD~1\n' | git --git-dir="$S/g/.git" pack-objects --revs --thin --stdout >"$S/g.pack" 2>/dev/null
hb=$(wc -c <"$S/h.pack") gb=$(wc -c <"$S/g.pack")
awk -v h="$hb" -v g="$gb" 'BEGIN { printf "| thin pack bytes for a 1-file change in 50 dirs x 200 small files: hako %d, git %d | ratio %.2f |\n", h, g, h / g }'
pack_bytes_rows "thin pack of a 1-file change in 50 x 200 small files" "$S/h.pack" "$S/g.pack" "$S/g/.git"
(cd "$S/h" && printf 'HEAD\n^HEAD~1\n' | $HAKO pack-objects --revs --thin --compact --stdout >"$S/hc.pack" 2>/dev/null)
compact_rows "50 dirs x 200 small files" "$S/hc.pack" "$S/g.pack" "$S/g/.git"

# Random reads: 10k objects from the one pack.
(cd "$D/h" && $HAKO verify-pack -v .hako/objects/pack/*.idx | awk 'NF >= 5 && length($1) == 64 {print $1}' | shuf -n 10000 --random-source=/dev/zero >"$D/h.ids")
git --git-dir="$D/g/.git" rev-list --objects --all | cut -d' ' -f1 | shuf -n 10000 --random-source=/dev/zero >"$D/g.ids"
compare "cat-file --batch of 10k random packed objects" : \
	"cd $D/h && $HAKO cat-file --batch <$D/h.ids" \
	git "git --git-dir=$D/g/.git cat-file --batch <$D/g.ids"
