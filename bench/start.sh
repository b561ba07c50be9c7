#!/bin/sh
# Issue 28: process start — `hako --version` and `hako rev-parse HEAD`
# against git's, 200 runs each (hyperfine -N: no shell in between), the
# pair measured three times in turn; the median of the three means.
. "$(dirname "$0")/lib.sh"

D="$WORK/start"
rm -rf "$D" && mkdir -p "$D"
$HAKO init -q --empty "$D/h" && echo x >"$D/x" &&
	(cd "$D/h" && $HAKO import "$D/x" /x >/dev/null && $HAKO commit -q -m x) || { echo "(start: setup failed)"; exit 0; }
git init -q "$D/g" && git -C "$D/g" commit -q --allow-empty -m x
echo "peers: $(git --version); $(hyperfine --version 2>/dev/null || echo 'hyperfine missing: a shell loop instead')"

# mean_ms CMD: the mean of 200 runs, in ms.
mean_ms () {
	if command -v hyperfine >/dev/null; then
		hyperfine -N -w 20 -r 200 --export-json "$D/h.json" "$1" >/dev/null 2>&1
		python3 -c 'import json, sys; print("%.3f" % (json.load(open(sys.argv[1]))["results"][0]["mean"] * 1e3))' "$D/h.json"
	else
		t0=$(now_ns); i=0; while test $i -lt 200; do $1 >/dev/null 2>&1; i=$((i + 1)); done; t1=$(now_ns)
		awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f", ns / 200 / 1e6 }'
	fi
}

# start_row TITLE HAKO-CMD GIT-CMD
start_row () {
	: >"$D/h.ms"; : >"$D/g.ms"
	for _ in 1 2 3; do
		mean_ms "$2" >>"$D/h.ms"
		mean_ms "$3" >>"$D/g.ms"
	done
	h=$(sort -n "$D/h.ms" | sed -n 2p) g=$(sort -n "$D/g.ms" | sed -n 2p)
	awk -v t="$1" -v h="$h" -v g="$g" 'BEGIN { printf "| %-46s | %9.3f ms | %-10s %9.3f ms | %7.3f |\n", t, h, "git", g, h / g }'
}

RUNS=3 table_header "process start (issue 28; the median of 3 means of 200 runs)"
start_row "hako --version vs git --version" "$HAKO --version" "git --version"
start_row "hako rev-parse HEAD vs git rev-parse HEAD" "$HAKO -C $D/h rev-parse HEAD" "git -C $D/g rev-parse HEAD"
