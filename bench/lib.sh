# Shared helpers for hako's benchmarks: alternating runs, medians, ratios.
# Figures only, never pass/fail.

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
HAKO=${HAKO:-$BENCH_DIR/../target/release/hako}
WORK=${BENCH_WORK:-$BENCH_DIR/work}
RUNS=${BENCH_RUNS:-5}
mkdir -p "$WORK"
export HAKO_AUTHOR_NAME=bench HAKO_AUTHOR_EMAIL=bench@localhost
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost

now_ns () { date +%s%N; }

# wait_port, nginx_start and nginx_stop, as the tests use them.
. "$BENCH_DIR/../t/lib-net.sh"

free_port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

fail () { echo "bench: $*" >&2; exit 1; }

# need_release NAME: end the section NAME (skipped) without a release binary.
need_release () {
	test -x "$HAKO" && return 0
	echo "# $1: skipped, no release binary at $HAKO (make build)"
	exit 0
}

# need_tools NAME CMD...: end the section NAME (skipped) where a CMD is missing.
need_tools () {
	name=$1
	shift
	for need; do
		command -v "$need" >/dev/null 2>&1 && continue
		echo "# $name: skipped, $need is not installed"
		exit 0
	done
}

# fresh_ws NAME: W, an empty $WORK/NAME holding the workspace W/ws; H, hako in it.
fresh_ws () {
	W=$WORK/$1
	rm -rf "$W" && mkdir -p "$W" || exit 1
	H="$HAKO -C $W/ws"
	$HAKO init -q "$W/ws" || exit 1
}

# small_files DIR BYTES SIZE SUFFIX: in DIR, 100 directories d0..d99 of
# BYTES random bytes each, split in files of SIZE bytes (SUFFIX letters).
small_files () {
	mkdir -p "$1" && (
		cd "$1" && i=0 && while test $i -lt 100; do
			mkdir d$i && (cd d$i && head -c "$2" /dev/urandom | split -b "$3" -a "$4" - f) || exit 1
			i=$((i + 1))
		done
	) || exit 1
}

# tree_files [DIRS]: T, a tree of DIRS (1000) directories of 100 files of
# ~4 KiB (100k files), generated once and kept in $WORK for every section.
tree_files () {
	if test "${1:-1000}" = 1000; then T="$WORK/tree/files"; else T="$WORK/tree-$1/files"; fi
	test -f "$T.done" && return 0
	rm -rf "$T" && mkdir -p "$(dirname "$T")" || exit 1
	python3 - "$T" "${1:-1000}" <<'PY' || fail "tree generation"
import os, sys, random
root = sys.argv[1]
rnd = random.Random(42)
for d in range(int(sys.argv[2])):
    dd = os.path.join(root, "d%03d" % (d // 50), "s%04d" % d)
    os.makedirs(dd, exist_ok=True)
    for f in range(100):
        with open(os.path.join(dd, "f%03d.txt" % f), "wb") as fh:
            body = "".join("line %d of file %d in dir %d\n" % (i, f, d) for i in range(100))
            fh.write(body.encode() + rnd.randbytes(512).hex().encode() + b"\n")
PY
	touch "$T.done"
}

# start_registry DIR: a docker-registry on 127.0.0.1 storing in DIR/data
# (stopped on exit); R, its address. False when it does not answer.
start_registry () {
	R=127.0.0.1:$(free_port)
	mkdir -p "$1/data" || return 1
	cat >"$1/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $1/data
http:
  addr: $R
EOF
	docker-registry serve "$1/config.yml" >"$1/log" 2>&1 &
	regpid=$!
	trap 'kill $regpid 2>/dev/null' EXIT
	trap 'kill $regpid 2>/dev/null; exit 1' INT TERM HUP PIPE
	python3 - "$R" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen("http://%s/v2/" % sys.argv[1], timeout=1); sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
PY
}

# start_sshd K PATH: a real sshd on 127.0.0.1:$SSHD_PORT (a free port), its
# keys, config and pid file in K, commands run with PATH; the user's key is
# K/user_key. False when it does not start.
start_sshd () {
	SSHD_PORT=$(free_port)
	mkdir -p /run/sshd
	ssh-keygen -q -t ed25519 -N "" -f "$1/host_key" && ssh-keygen -q -t ed25519 -N "" -f "$1/user_key" &&
		cp "$1/user_key.pub" "$1/authorized_keys" && chmod 600 "$1/authorized_keys" || return 1
	cat >"$1/sshd_config" <<EOF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $1/host_key
AuthorizedKeysFile $1/authorized_keys
PidFile $1/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin yes
StrictModes no
UsePAM no
SetEnv PATH=$2
EOF
	/usr/sbin/sshd -f "$1/sshd_config" -E "$1/sshd.log" || return 1
	for i in $(seq 1 50); do test -s "$1/sshd.pid" && break; sleep 0.1; done
}

# ssh_client K PORT: SSH, the ssh command that trusts the sshd of K at
# 127.0.0.1:PORT (its own port, or a relay's); and K/count.py, which runs
# the command after its first argument (a file), adding to that file the
# bytes of its stdin and stdout.
ssh_client () {
	echo "[127.0.0.1]:$2 $(cat "$1/host_key.pub")" >"$1/known_hosts"
	SSH="ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o UserKnownHostsFile=$1/known_hosts -o StrictHostKeyChecking=yes -i $1/user_key"
	cat >"$1/count.py" <<'PY'
import os, subprocess, sys, threading
p = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
n = [0, 0]
def pump(src, dst, i):
    while True:
        b = os.read(src, 65536)
        if not b: break
        n[i] += len(b); os.write(dst, b)
    os.close(dst)
t = threading.Thread(target=pump, args=(0, p.stdin.fileno(), 0), daemon=True); t.start()
pump(p.stdout.fileno(), 1, 1)
rc = p.wait()
with open(sys.argv[1], "a") as f: f.write("%d %d\n" % (n[0], n[1]))
sys.exit(rc)
PY
}

# ensure_tool CMD DEBIAN-PACKAGE: install the peer if missing; false if impossible.
ensure_tool () {
	command -v "$1" >/dev/null 2>&1 && return 0
	if test "$(id -u)" = 0 && command -v apt-get >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1
	fi
	command -v "$1" >/dev/null 2>&1
}

median () {
	sort -n | awk '{a[NR]=$1} END {if (NR==0) {print 0; exit} if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'
}

# time_once PREPARE CMD: run PREPARE (untimed), then time CMD in ns.
time_once () {
	eval "$1" >/dev/null 2>&1
	t0=$(now_ns)
	eval "$2" >/dev/null 2>&1 || { echo "bench: command failed: $2" >&2; echo -1; return; }
	t1=$(now_ns)
	echo $((t1 - t0))
}

fmt_ms () { awk -v ns="$1" 'BEGIN { printf "%.1f ms", ns / 1e6 }'; }

# compare TITLE PREPARE HAKO_CMD PEER_NAME PEER_CMD [PEER_PREPARE]
# One warm-up each, then RUNS alternating measured runs; prints medians and ratio.
compare () {
	title=$1 prep=$2 hcmd=$3 pname=$4 pcmd=$5 pprep=${6:-$2}
	time_once "$prep" "$hcmd" >/dev/null
	time_once "$pprep" "$pcmd" >/dev/null
	: >"$WORK/h.times"; : >"$WORK/p.times"
	i=0
	while test $i -lt "$RUNS"; do
		time_once "$prep" "$hcmd" >>"$WORK/h.times"
		time_once "$pprep" "$pcmd" >>"$WORK/p.times"
		i=$((i + 1))
	done
	h=$(median <"$WORK/h.times") p=$(median <"$WORK/p.times")
	ratio=$(awk -v h="$h" -v p="$p" 'BEGIN { if (p > 0) printf "%.3f", h / p; else print "n/a" }')
	printf '| %-46s | %12s | %-10s %12s | %7s |\n' "$title" "$(fmt_ms "$h")" "$pname" "$(fmt_ms "$p")" "$ratio"
}

table_header () {
	printf '\n## %s\n\n' "$1"
	printf '| %-46s | %12s | %-10s %12s | %7s |\n' "benchmark (median of $RUNS)" "hako" "peer" "peer time" "ratio"
	printf '|%s|%s|%s|%s|\n' "------------------------------------------------" "--------------" "-------------------------" "---------"
}
