#!/bin/sh
# Issue 25, remotes on object storage: against a single-node Garage 2.5.0 on
# 127.0.0.1 — the 100k-file tree pushed to a bucket; clone from the bucket vs
# clone from the nginx dumb-HTTP mirror of the same workspace (time); a
# 1-file-change push (requests by S3 operation from Garage's /metrics, bytes
# on the wire through a counting relay, bucket growth, time; vs the same push
# into a workspace by path, and its bytes vs the same push over ssh to a real
# sshd on 127.0.0.1); a no-op fetch
# (requests). BENCH_S3_DIRS (default 1000 directories of 100 files) makes a
# smaller tree for a quick run.
. "$(dirname "$0")/lib.sh"

GARAGE=
for g in "$HAKO_TEST_GARAGE" "$BENCH_DIR/../../shared/tools/garage" "$(command -v garage 2>/dev/null)"; do
	test -n "$g" && test -x "$g" || continue
	case "$("$g" --version 2>/dev/null)" in *"cargo:2.5.0 "*) GARAGE=$g; break ;; esac
done
test -n "$GARAGE" || { echo "(s3: no garage 2.5.0 binary: cargo install garage --version 2.5.0 --locked)"; exit 0; }
NGINX=/usr/sbin/nginx
test -x "$NGINX" || { echo "(s3: nginx is not installed: apt-get install nginx-light)"; exit 0; }

tree_files "${BENCH_S3_DIRS:-1000}"

D="$WORK/s3"
rm -rf "$D" && mkdir -p "$D/garage"
s3port=$(free_port) rpcport=$(free_port) adminport=$(free_port) webport=$(free_port)
cat >"$D/garage/garage.toml" <<EOF
metadata_dir = "$D/garage/meta"
data_dir = "$D/garage/data"
db_engine = "sqlite"
replication_factor = 1
compression_level = "none"
rpc_bind_addr = "127.0.0.1:$rpcport"
rpc_public_addr = "127.0.0.1:$rpcport"
rpc_secret = "$(python3 -c 'import os; print(os.urandom(32).hex())')"
[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$s3port"
root_domain = ".s3.garage.localhost"
[admin]
api_bind_addr = "127.0.0.1:$adminport"
admin_token = "admin-token"
metrics_token = "metrics-token"
EOF
G () { "$GARAGE" -c "$D/garage/garage.toml" "$@"; }
"$GARAGE" -c "$D/garage/garage.toml" server >"$D/garage/server.log" 2>&1 &
garage_pid=$!
nginx_pid=
trap 'kill $garage_pid $nginx_pid 2>/dev/null' EXIT
wait_port "$s3port" || fail "garage did not start: $(tail -3 "$D/garage/server.log")"
id=$(G node id -q) && G layout assign -z dc1 -c 10G "${id%%@*}" >/dev/null &&
	G layout apply --version 1 >/dev/null && G bucket create hako-bench >/dev/null &&
	G key create bench >"$D/garage/key" &&
	G bucket allow --read --write --owner hako-bench --key bench >/dev/null || fail "garage setup"
AWS_ACCESS_KEY_ID=$(sed -n 's/^Key ID: *//p' "$D/garage/key")
AWS_SECRET_ACCESS_KEY=$(sed -n 's/^Secret key: *//p' "$D/garage/key")
AWS_ENDPOINT_URL=http://127.0.0.1:$s3port AWS_REGION=garage
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_ENDPOINT_URL AWS_REGION
B=s3://hako-bench/ws

# metric OP: S3 requests of operation OP so far; requests: all of them.
metric () {
	python3 - "$adminport" "$1" <<'PY'
import sys, urllib.request
req = urllib.request.Request("http://127.0.0.1:%s/metrics" % sys.argv[1], headers={"Authorization": "Bearer metrics-token"})
n = 0
for line in urllib.request.urlopen(req).read().decode().splitlines():
    name = line.split(" ")[0]
    if name in ('api_s3_request_counter{api_endpoint="%s"}' % sys.argv[2], sys.argv[2]):
        n = int(float(line.split()[-1]))
print(n)
PY
}
snapshot () {
	printf '%s %s %s %s ' "$(metric GetObject)" "$(metric ListObjectsV2)" "$(metric PutObject)" \
		"$(( $(metric DeleteObject) + $(metric DeleteObjects) ))"
}
# delta BEFORE AFTER: "N requests (G GET, L LIST, P PUT, X DELETE)".
delta () {
	echo "$1 $2" | awk '{ g=$5-$1; l=$6-$2; p=$7-$3; x=$8-$4; printf "%d requests (%d GET, %d LIST, %d PUT, %d DELETE)", g+l+p+x, g, l, p, x }'
}
# Bytes Garage wrote to its data blocks (compression off: the bytes of the
# objects stored, but those under 3 KiB, which live in its metadata).
written () { metric block_bytes_written; }

n=$(find "$T" -type f | wc -l)
echo "inputs: $n files, $(du -sb "$T" | cut -f1) bytes; $("$GARAGE" --version); $("$NGINX" -v 2>&1)"

$HAKO init -q --empty "$D/h" || fail "hako init"
(cd "$D/h" && $HAKO import "$T" /data >/dev/null && $HAKO commit -q -m import &&
	$HAKO update-server-info && $HAKO remote add origin "$B") || fail "hako workspace"
t0=$(now_ns); before=$(snapshot)
(cd "$D/h" && $HAKO push -q origin) || fail "first push"
t1=$(now_ns); after=$(snapshot)
table_header "remotes on object storage: Garage (issue 25)"
echo "| first push of $n files: $(fmt_ms $((t1 - t0))), $(delta "$before" "$after"), $(written) bytes stored |"

port=$(free_port)
nginx_start "$D/nginx" "$port" off "location /h/ { alias \"$D/h/.hako/\"; }" || fail "nginx did not start"

compare "clone of $n files: Garage vs nginx dumb HTTP" \
	"rm -rf $D/c" "$HAKO clone -q $B $D/c" \
	nginx "$HAKO clone -q http://127.0.0.1:$port/h $D/c"
cd "$BENCH_DIR" || fail "cd"
rm -rf "$D/c"
before=$(snapshot)
$HAKO clone -q "$B" "$D/c" || fail "clone"
echo "| clone from Garage: $(delta "$before" "$(snapshot)") |"

# A 1-file change pushed to the bucket, and the same push into a workspace by path.
cp -a "$D/h" "$D/p" && $HAKO init -q --empty "$D/bare" &&
	(cd "$D/p" && $HAKO push -q "$D/bare") || fail "path peer"
f=$(cd "$T" && find . -type f | sort | sed -n 42p | sed 's|^\./||')
echo "one more line" >"$D/line"
cat "$T/$f" "$D/line" >"$D/changed"
(cd "$D/h" && $HAKO write "/data/$f" --from "$D/changed" && $HAKO commit -q -m change) || fail "change"
(cd "$D/p" && $HAKO write "/data/$f" --from "$D/changed" && $HAKO commit -q -m change) || fail "change"

# Bytes on the wire (both ways, HTTP headers included) through a counting
# relay in front of Garage; the ssh push of the same change counted as
# bench/sync.sh counts it (ssh's stdin and stdout).
cat >"$D/relay.py" <<'PY'
import socket, sys, threading
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0)); ls.listen(16)
open(sys.argv[1], "w").write(str(ls.getsockname()[1]))
lock = threading.Lock()
def pump(a, b, i, n):
    while True:
        d = a.recv(65536)
        if not d: break
        n[i] += len(d); b.sendall(d)
    try: b.shutdown(socket.SHUT_WR)
    except OSError: pass
def serve(c):
    u = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    n = [0, 0]
    t = threading.Thread(target=pump, args=(c, u, 0, n)); t.start()
    pump(u, c, 1, n); t.join(); c.close(); u.close()
    with lock, open(sys.argv[3], "a") as f: f.write("%d %d\n" % (n[0], n[1]))
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
python3 "$D/relay.py" "$D/relay.port" "$s3port" "$D/s3wire" &
relay_pid=$!
trap 'kill $garage_pid $nginx_pid $relay_pid 2>/dev/null' EXIT
for i in $(seq 1 50); do test -s "$D/relay.port" && break; sleep 0.1; done
: >"$D/s3wire"
w0=$(written); before=$(snapshot); t0=$(now_ns)
(cd "$D/h" && AWS_ENDPOINT_URL=http://127.0.0.1:$(cat "$D/relay.port") $HAKO push -q origin) || fail "1-file push"
t1=$(now_ns); after=$(snapshot)
sleep 0.2
s3w=$(awk '{s += $1 + $2} END {print s + 0}' "$D/s3wire")
t2=$(now_ns)
(cd "$D/p" && $HAKO push -q "$D/bare") || fail "1-file path push"
t3=$(now_ns)
echo "| push of a 1-file change: Garage $(fmt_ms $((t1 - t0))), $(delta "$before" "$after"), $s3w bytes on the wire, $(( $(written) - w0 )) bytes stored; into a workspace by path $(fmt_ms $((t3 - t2))) | goal: <= 6 requests |"

sshw=
if test -x /usr/sbin/sshd && command -v ssh >/dev/null; then
	K="$D/sshd" && mkdir -p "$K"
	if start_sshd "$K" "$(cd "$(dirname "$HAKO")" && pwd):/usr/bin:/bin"; then
		trap 'kill $garage_pid $nginx_pid $relay_pid $(cat "$K/sshd.pid") 2>/dev/null' EXIT
		# The same counting relay in front of sshd: ssh's own bytes (key
		# exchange, authentication, channel, encryption) are on the wire as
		# the HTTP headers are on Garage's.
		python3 "$D/relay.py" "$K/relay.port" "$SSHD_PORT" "$K/tcpwire" &
		sshrelay_pid=$!
		trap 'kill $garage_pid $nginx_pid $relay_pid $sshrelay_pid $(cat "$K/sshd.pid") 2>/dev/null' EXIT
		for i in $(seq 1 50); do test -s "$K/relay.port" && break; sleep 0.1; done
		rport=$(cat "$K/relay.port")
		ssh_client "$K" "$rport"
		# The same change once more on both sides: over ssh, and to the bucket.
		echo "and one more" >>"$D/changed"
		(cd "$D/p" && $HAKO write "/data/$f" --from "$D/changed" && $HAKO commit -q -m change2) || fail "change"
		(cd "$D/h" && $HAKO write "/data/$f" --from "$D/changed" && $HAKO commit -q -m change2) || fail "change"
		: >"$K/wire"
		: >"$K/tcpwire"
		(cd "$D/p" && HAKO_SSH_COMMAND="python3 $K/count.py $K/wire $SSH" \
			$HAKO push -q "ssh://$(id -un)@127.0.0.1:$rport$D/bare") && sshw=$(awk '{s += $1 + $2} END {print s + 0}' "$K/wire")
		sleep 0.2
		sshtcp=$(awk '{s += $1 + $2} END {print s + 0}' "$K/tcpwire")
		: >"$D/s3wire"
		(cd "$D/h" && AWS_ENDPOINT_URL=http://127.0.0.1:$(cat "$D/relay.port") $HAKO push -q origin) || fail "push"
		sleep 0.2
		s3w=$(awk '{s += $1 + $2} END {print s + 0}' "$D/s3wire")
	fi
fi
if test -n "$sshw"; then
	awk -v s="$s3w" -v t="$sshtcp" -v h="$sshw" 'BEGIN { printf "| bytes on the wire (TCP, both ways), push of a 1-file change: Garage %d (HTTP included), ssh %d (key exchange, authentication and encryption included; %d of them hako'"'"'s protocol) | ratio %.2f (goal: <= 2); against the protocol bytes alone %.2f |\n", s, t, h, s / t, s / h }'
else
	echo "| (ssh push of the same change: sshd not available) |"
fi

before=$(snapshot)
(cd "$D/c" && $HAKO fetch -q) || fail "fetch"
mid=$(snapshot)
(cd "$D/c" && $HAKO fetch -q) || fail "no-op fetch"
echo "| fetch of the 1-file change: $(delta "$before" "$mid"); no-op fetch: $(delta "$mid" "$(snapshot)") | goal: no-op <= 3 requests |"
