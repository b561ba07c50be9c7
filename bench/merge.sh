#!/bin/sh
# Issue 11: merge-tree --write-tree of two branches that each change 100
# paths, in a flat 1M-entry tree (made with mktree) and in a 100k-file tree
# with deep directories, against git merge-tree --write-tree on equal content.
. "$(dirname "$0")/lib.sh"

D="$WORK/merge"
mkdir -p "$D"

# commit_both NAME H-TREE G-TREE [PARENT-NAME]: a commit in each repo, ids in NAME.h / NAME.g.
commit_both () {
	hp= gp=
	if test -n "$4"; then hp="-p $(cat "$D/$4.h")" gp="-p $(cat "$D/$4.g")"; fi
	(cd "$D/flat-h" && $HAKO commit-tree $hp -m "$1" "$2") >"$D/$1.h"
	git -C "$D/flat-g" commit-tree $gp -m "$1" "$3" >"$D/$1.g"
}

# The flat 1M-entry tree: ours changes entries 1, 10001, …; theirs 5001, 15001, … (100 each).
if ! test -f "$D/flat.done" || ! (cd "$D/flat-h" && $HAKO cat-file -e "$(cat "$D/theirs.h")") 2>/dev/null; then
	rm -rf "$D/flat-h" "$D/flat-g"
	$HAKO init -q --empty "$D/flat-h" && git init -q "$D/flat-g"
	for side in base ours theirs; do
		hb=$(echo "$side" | (cd "$D/flat-h" && $HAKO hash-object -w --stdin))
		gb=$(echo "$side" | git -C "$D/flat-g" hash-object -w --stdin)
		eval "hb_$side=$hb gb_$side=$gb"
	done
	gen () { # gen BLOB-BASE BLOB-SIDE OFFSET
		awk -v b="$1" -v s="$2" -v o="$3" 'BEGIN { for (i = 0; i < 1000000; i++)
			printf "100644 blob %s\tentry%07d\n", (o >= 0 && i % 10000 == o ? s : b), i }'
	}
	gen $hb_base x -1 | (cd "$D/flat-h" && $HAKO mktree) >"$D/tb.h"
	gen $hb_base $hb_ours 1 | (cd "$D/flat-h" && $HAKO mktree) >"$D/to.h"
	gen $hb_base $hb_theirs 5001 | (cd "$D/flat-h" && $HAKO mktree) >"$D/tt.h"
	gen $gb_base x -1 | git -C "$D/flat-g" mktree >"$D/tb.g"
	gen $gb_base $gb_ours 1 | git -C "$D/flat-g" mktree >"$D/to.g"
	gen $gb_base $gb_theirs 5001 | git -C "$D/flat-g" mktree >"$D/tt.g"
	commit_both base "$(cat "$D/tb.h")" "$(cat "$D/tb.g")"
	commit_both ours "$(cat "$D/to.h")" "$(cat "$D/to.g")" base
	commit_both theirs "$(cat "$D/tt.h")" "$(cat "$D/tt.g")" base
	touch "$D/flat.done"
fi

# The deep tree: 100k files at depth 5 (10 x 10 x 10 x 10 directories of 10 files).
if ! test -f "$D/deep.done"; then
	rm -rf "$D/deep" "$D/deep-h" "$D/deep-g"
	python3 - "$D/deep" <<'PY'
import os, sys
root = sys.argv[1]
for n in range(10000):
    d = os.path.join(root, *("l%d" % ((n // 10 ** k) % 10) for k in (3, 2, 1, 0)))
    os.makedirs(d, exist_ok=True)
    for f in range(10):
        with open(os.path.join(d, "f%d" % f), "w") as fh:
            fh.write("file %d %d\n" % (n, f))
PY
	$HAKO init -q --empty "$D/deep-h" && git init -q "$D/deep-g"
	hw () { (cd "$D/deep-h" && $HAKO write-tree "$D/deep"); }
	gw () { GIT_DIR="$D/deep-g/.git" GIT_WORK_TREE="$D/deep" git add -A && GIT_DIR="$D/deep-g/.git" git write-tree; }
	# touch FIRST: append a line to 100 files spread over the tree (every 100th directory).
	touch100 () { python3 - "$D/deep" "$1" "$2" <<'PY'
import os, sys
root, first, text = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for i in range(100):
    n = (first + i * 100) % 10000
    p = os.path.join(root, *("l%d" % ((n // 10 ** k) % 10) for k in (3, 2, 1, 0)), "f3")
    with open(p, "a") as fh:
        fh.write(text)
PY
	}
	dc () { # dc NAME TREE-H TREE-G [PARENT]
		hp= gp=
		if test -n "$4"; then hp="-p $(cat "$D/deep-$4.h")" gp="-p $(cat "$D/deep-$4.g")"; fi
		(cd "$D/deep-h" && $HAKO commit-tree $hp -m "$1" "$2") >"$D/deep-$1.h"
		GIT_DIR="$D/deep-g/.git" git commit-tree $gp -m "$1" "$3" >"$D/deep-$1.g"
	}
	dc base "$(hw)" "$(gw)"
	cp -r "$D/deep" "$D/deep.orig"
	touch100 7 "ours\n"; dc ours "$(hw)" "$(gw)" base
	rm -rf "$D/deep" && cp -r "$D/deep.orig" "$D/deep"
	touch100 57 "theirs\n"; dc theirs "$(hw)" "$(gw)" base
	rm -rf "$D/deep.orig"
	touch "$D/deep.done"
fi

echo "inputs: a flat tree of 1000000 entries and a 100000-file tree 5 levels deep; each side of each merge changes 100 files; $(git --version)"
table_header "three-way merge (issue 11)"
compare "merge-tree --write-tree, flat 1M entries" : \
	"cd $D/flat-h && $HAKO merge-tree --write-tree $(cat "$D/ours.h") $(cat "$D/theirs.h")" \
	git "git -C $D/flat-g merge-tree --write-tree $(cat "$D/ours.g") $(cat "$D/theirs.g")"
compare "merge-tree --write-tree, 100k files, depth 5" : \
	"cd $D/deep-h && $HAKO merge-tree --write-tree $(cat "$D/deep-ours.h") $(cat "$D/deep-theirs.h")" \
	git "GIT_DIR=$D/deep-g/.git git merge-tree --write-tree $(cat "$D/deep-ours.g") $(cat "$D/deep-theirs.g")"
echo
for case in flat deep; do
	if test $case = flat; then dir=$D/flat-h o=$D/ours.h t=$D/theirs.h; else dir=$D/deep-h o=$D/deep-ours.h t=$D/deep-theirs.h; fi
	counts=$(cd "$dir" && $HAKO merge-tree --count-nodes --write-tree $(cat "$o") $(cat "$t") 2>&1 >/dev/null | tr '\n' ' ')
	echo "$case: 200 changed paths; $counts"
done
# The same merges checked equal to git's (content and modes, file by file).
hm=$(cd "$D/flat-h" && $HAKO merge-tree --write-tree $(cat "$D/ours.h") $(cat "$D/theirs.h"))
gm=$(git -C "$D/flat-g" merge-tree --write-tree $(cat "$D/ours.g") $(cat "$D/theirs.g"))
hn=$(cd "$D/flat-h" && $HAKO diff-tree -r $(cat "$D/tb.h") "$hm" | wc -l)
gn=$(git -C "$D/flat-g" diff-tree -r $(cat "$D/tb.g") "$gm" | wc -l)
echo "flat: the merged tree differs from the base in $hn entries (git: $gn)"
