#!/bin/sh
# Issue 12: sync over ssh against a real sshd on 127.0.0.1 — clone of the
# 100k-file tree and push of a 1-file change, hako vs git on the same
# content: wall time, and bytes on the wire both ways (counted by a proxy
# between the client and ssh, in separate runs from the timed ones).
. "$(dirname "$0")/lib.sh"

if ! ensure_tool /usr/sbin/sshd openssh-server && ! test -x /usr/sbin/sshd; then
	echo "(sync: sshd not available, section skipped)"; exit 0
fi
tree_files
D="$WORK/sync"
rm -rf "$D" && mkdir -p "$D"
K=$(mktemp -d /tmp/hako-bench-sshd.XXXXXX)
HBIN=$(cd "$(dirname "$HAKO")" && pwd)
start_sshd "$K" "$HBIN:$(dirname "$(command -v git)"):/usr/bin:/bin" || { echo "(sync: sshd failed to start)"; exit 0; }
trap 'kill $(cat "$K/sshd.pid") 2>/dev/null; rm -rf "$K"' EXIT
PORT=$SSHD_PORT
# The counting stand-in: ssh with its stdin and stdout bytes added to $K/wire.
ssh_client "$K" "$PORT"
export HAKO_SSH_COMMAND="$SSH" GIT_SSH_COMMAND="$SSH"
COUNT_H="python3 $K/count.py $K/wire $SSH"
ME=$(id -un)

n=$(find "$T" -type f | wc -l)
echo "inputs: $n files; sshd on 127.0.0.1:$PORT; $(git --version)"
$HAKO init -q --empty "$D/hsrc"
(cd "$D/hsrc" && $HAKO import "$T" /data >/dev/null && $HAKO commit -q -m import) || { echo "(sync: import failed)"; exit 0; }
git init -q --bare "$D/gsrc.git"
git -c gc.auto=0 --git-dir="$D/gsrc.git" --work-tree="$T" add -A
git -c gc.auto=0 --git-dir="$D/gsrc.git" --work-tree="$T" commit -q -m import
git --git-dir="$D/gsrc.git" gc -q
(cd "$D/hsrc" && $HAKO gc -q)

table_header "sync over ssh (issue 12)"
compare "clone over ssh ($n files) vs git clone" \
	"rm -rf $D/hc $D/gc" \
	"$HAKO clone -q ssh://$ME@127.0.0.1:$PORT$D/hsrc $D/hc" \
	git "git clone -q --no-checkout ssh://$ME@127.0.0.1:$PORT$D/gsrc.git $D/gc"
rm -rf "$D/hc" "$D/gc"
$HAKO clone -q "ssh://$ME@127.0.0.1:$PORT$D/hsrc" "$D/hc" || { echo "(sync: clone failed)"; exit 0; }
git clone -q "ssh://$ME@127.0.0.1:$PORT$D/gsrc.git" "$D/gc" 2>/dev/null
f=$(cd "$T" && find . -type f | sort | awk 'NR == 4242' | sed 's|^\./||')
k=0
compare "push of a 1-file change over ssh vs git push" \
	"k=\$((k+1)); cd $D/hc && echo \"change \$k\" >>$D/one && $HAKO write /data/$f --from $D/one && $HAKO commit -q -m c\$k; cd - >/dev/null" \
	"cd $D/hc && $HAKO push -q; cd - >/dev/null" \
	git "cd $D/gc && git push -q; cd - >/dev/null" \
	"k=\$((k+1)); cd $D/gc && echo \"change \$k\" >>$f && git commit -q -a -m c\$k; cd - >/dev/null"
# wire WHAT CMD: the bytes on the wire of `hako CMD` in $D/hc and `git CMD`
# in $D/gc, through the counting stand-in, and their ratio.
wire () {
	: >"$K/wire"
	(cd "$D/hc" && HAKO_SSH_COMMAND="$COUNT_H" $HAKO $2) || echo "bench: hako $2 failed" >&2
	hw=$(awk '{s += $1 + $2} END {print s}' "$K/wire")
	: >"$K/wire"
	(cd "$D/gc" && GIT_SSH_COMMAND="$COUNT_H" git $2) || echo "bench: git $2 failed" >&2
	gw=$(awk '{s += $1 + $2} END {print s}' "$K/wire")
	awk -v w="$1" -v h="$hw" -v g="$gw" 'BEGIN { printf "| bytes on the wire, %s: hako %d, git %d | ratio %.2f |\n", w, h, g, h / g }'
}
# Bytes on the wire for one more 1-file change each.
echo "change bytes" >>"$D/one"
(cd "$D/hc" && $HAKO write "/data/$f" --from "$D/one" && $HAKO commit -q -m bytes)
(cd "$D/gc" && echo "change bytes" >>"$f" && git commit -q -a -m bytes)
wire "push of a 1-file change" "push -q"
wire "fetch with nothing new" "fetch -q"
