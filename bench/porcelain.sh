#!/bin/sh
# Issue 5: import+commit of 100k files vs git add+commit; status with one
# change vs git status; write+commit of one file at 10k and 100k files.
. "$(dirname "$0")/lib.sh"

T="$WORK/tree/files"
if ! test -f "$WORK/tree/files.done"; then
	sh "$BENCH_DIR/tree.sh" >/dev/null 2>&1 || true
fi
D="$WORK/porcelain"
mkdir -p "$D"
n=$(find "$T" -type f | wc -l)
echo "inputs: $n files, $(du -sb "$T" | cut -f1) bytes"

table_header "porcelain (issue 5)"
compare "import+commit of $n files vs git add+commit" \
	"rm -rf $D/h && $HAKO init -q --empty $D/h" \
	"cd $D/h && $HAKO import $T /data && $HAKO commit -q -m import" \
	git "cd $T && GIT_DIR=$D/g/.git GIT_WORK_TREE=$T git add -A && GIT_DIR=$D/g/.git GIT_WORK_TREE=$T git commit -q -m import" \
	"rm -rf $D/g && git init -q $D/g"

# Status with one changed file: hako compares the working root with HEAD;
# git compares the work tree on disk with the index.
rm -rf "$D/h" "$D/g"
$HAKO init -q --empty "$D/h" && (cd "$D/h" && $HAKO import "$T" /data >/dev/null && $HAKO commit -m import >/dev/null)
git init -q "$D/g" && (cd "$T" && GIT_DIR="$D/g/.git" GIT_WORK_TREE="$T" git add -A && GIT_DIR="$D/g/.git" GIT_WORK_TREE="$T" git commit -q -m import)
f=d000/s0000/f000.txt
cp "$T/$f" "$D/saved"
(cd "$D/h" && $HAKO write /data/$f "changed")
echo changed >"$T/$f"
compare "status, 1 changed file in $n vs git status" : \
	"cd $D/h && $HAKO status" \
	git "GIT_DIR=$D/g/.git GIT_WORK_TREE=$T git status"
cp "$D/saved" "$T/$f"

# write + commit of one file: must not grow with the tree.
rm -rf "$D/h10" && $HAKO init -q --empty "$D/h10"
(cd "$D/h10" && $HAKO import "$T/d000" /d000 && $HAKO import "$T/d001" /d001 && $HAKO commit -m import) >/dev/null
n10=$(cd "$D/h10" && $HAKO ls-tree -r HEAD | wc -l)
i=0
compare "write+commit 1 file, tree of $n10 files" : \
	"cd $D/h10 && $HAKO write /d000/s0000/new \$(date +%s%N) && $HAKO commit -m w" \
	git "cd $T && echo \$(date +%s%N) >d000/s0000/new && GIT_DIR=$D/g/.git GIT_WORK_TREE=$T git add d000/s0000/new && GIT_DIR=$D/g/.git GIT_WORK_TREE=$T git commit -q -m w"
compare "write+commit 1 file, tree of $n files" : \
	"cd $D/h && $HAKO write /data/d000/s0000/new \$(date +%s%N) && $HAKO commit -m w" \
	git "cd $T && echo \$(date +%s%N) >d000/s0000/new && GIT_DIR=$D/g/.git GIT_WORK_TREE=$T git add d000/s0000/new && GIT_DIR=$D/g/.git GIT_WORK_TREE=$T git commit -q -m w"
rm -f "$T/d000/s0000/new"
