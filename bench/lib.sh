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
