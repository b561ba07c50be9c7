#!/bin/sh
# Issue 12, dumb HTTP: hako clone of the 100k-file tree from a hako mirror
# (update-server-info) vs git clone --bare from a git dumb-HTTP mirror (git
# update-server-info), both behind the same nginx on 127.0.0.1; then the
# incremental fetch of a 1-file change: GET requests and bytes from nginx's
# access log.
. "$(dirname "$0")/lib.sh"

NGINX=/usr/sbin/nginx
if ! test -x "$NGINX"; then
	echo "(dumb-http: nginx is not installed: apt-get install nginx-light)"
	exit 0
fi
command -v git >/dev/null || { echo "(dumb-http: git is not installed)"; exit 0; }

tree_files
D="$WORK/dumb-http"
rm -rf "$D" && mkdir -p "$D"
n=$(find "$T" -type f | wc -l)
bytes=$(du -sb "$T" | cut -f1)
echo "inputs: $n files, $bytes bytes; $(git --version); $("$NGINX" -v 2>&1)"

# The mirrors: hako's (import, commit, update-server-info) and git's (add,
# commit, repack -a -d so that its dumb clone fetches one pack, update-server-info).
$HAKO init -q --empty "$D/h" || fail "hako init"
(cd "$D/h" && $HAKO import "$T" /data >/dev/null && $HAKO commit -q -m import &&
	$HAKO update-server-info) || fail "hako mirror"
git init -q "$D/g" || fail "git init"
G="git -c gc.auto=0 --git-dir=$D/g/.git --work-tree=$T"
($G add -A && $G commit -q -m import && $G repack -a -d -q &&
	git --git-dir="$D/g/.git" update-server-info) || fail "git mirror"

port=$(free_port)
N="$D/nginx"
trap 'kill $nginx_pid 2>/dev/null' EXIT
nginx_start "$N" "$port" '$request_method $uri $status $body_bytes_sent' "
	location /h/ { alias \"$D/h/.hako/\"; }
	location /g.git/ { alias \"$D/g/.git/\"; }" || fail "nginx did not start: $(cat "$N/out")"
U=http://127.0.0.1:$port

gets () { grep -c "^GET " "$N/access.log"; }
body () { awk '$1 == "GET" { s += $4 } END { print s + 0 }' "$N/access.log"; }

table_header "dumb HTTP (issue 12)"
# hako's working roots are trees in the store (nothing is written to the
# host), so git's peer is a clone without checkout: --bare.
compare "clone of $n files over dumb HTTP vs git clone --bare" \
	"rm -rf $D/hc" \
	"$HAKO clone -q $U/h $D/hc" \
	git "git clone -q --bare $U/g.git $D/gc" \
	"rm -rf $D/gc"

# Counts of one clone each (not timed).
cd "$BENCH_DIR" || fail "cd"
rm -rf "$D/hc" "$D/gc"
: >"$N/access.log"
$HAKO clone -q "$U/h" "$D/hc" || fail "hako clone"
hg=$(gets) hb=$(body)
: >"$N/access.log"
git clone -q --bare "$U/g.git" "$D/gc" || fail "git clone"
gg=$(gets) gb=$(body)
echo "| clone: hako $hg GETs, $hb bytes; git $gg GETs, $gb bytes | bytes ratio $(awk -v h="$hb" -v g="$gb" 'BEGIN { printf "%.2f", h / g }') |"

# A 1-file change on both mirrors, then the incremental fetch of each.
f=$(cd "$T" && find . -type f | sort | sed -n 4242p | sed 's|^\./||')
cp "$T/$f" "$D/saved"
echo "one more line" >>"$T/$f"
fbytes=$(wc -c <"$T/$f")
(cd "$D/h" && $HAKO write "/data/$f" --from "$T/$f" && $HAKO commit -q -m change &&
	$HAKO update-server-info) || fail "hako change"
($G commit -q -a -m change && git --git-dir="$D/g/.git" update-server-info) || fail "git change"
cp "$D/saved" "$T/$f"
: >"$N/access.log"
t0=$(now_ns)
(cd "$D/hc" && $HAKO fetch -q) || fail "hako incremental fetch"
t1=$(now_ns)
hg=$(gets) hb=$(body)
: >"$N/access.log"
t2=$(now_ns)
git --git-dir="$D/gc" fetch -q "$U/g.git" "+refs/heads/*:refs/heads/*" || fail "git incremental fetch"
t3=$(now_ns)
gg=$(gets) gb=$(body)
echo "| incremental fetch of a 1-file change ($fbytes-byte file): hako $hg GETs, $hb bytes, $(fmt_ms $((t1 - t0))); git $gg GETs, $gb bytes, $(fmt_ms $((t3 - t2))) | goal: <= 5 GETs, <= $((65536 + fbytes)) bytes |"
