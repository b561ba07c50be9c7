#!/bin/sh
# Run the fuzz targets (cargo fuzz, nightly): each for FUZZ_TIME seconds, one
# after the other, from the committed corpus (new inputs go to
# fuzz/corpus-work/, which is not committed; fuzz/seed.py and `cargo fuzz
# cmin` refresh the committed one). A crash, a timeout, an allocation over
# the cap (fuzz/cap_alloc.rs) or RSS over 512 MB fails the run; its input is
# in fuzz/artifacts/<target>/. Prints one line of figures per target.
#
# usage: fuzz/run.sh [TARGET...]
#   FUZZ_TIME  seconds per target (default 600)
#   FUZZ_RUNS  stop a target earlier, after this many executions (default: no limit)
#   FUZZ_PROFILE  release (default: fast executions) or dev (a faster build, for CI's short runs)
set -eu
cd "$(dirname "$0")"
time=${FUZZ_TIME:-600}
targets=${*:-$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^hako-fuzz$')}
case ${FUZZ_PROFILE:-release} in
release) build="-s none -a" bin=target/x86_64-unknown-linux-gnu/release ;;
dev) build="-s none --dev" bin=target/x86_64-unknown-linux-gnu/debug ;;
*) echo "FUZZ_PROFILE is release or dev" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086
cargo +nightly fuzz build $build >build.log 2>&1 || { cat build.log; exit 1; }
status=0
printf '%-14s %12s %9s %8s %s\n' target execs exec/s rss_mb result
for t in $targets; do
	mkdir -p "corpus-work/$t" "artifacts/$t" "regressions/$t"
	log="artifacts/$t.log"
	"$bin/$t" "corpus-work/$t" "corpus/$t" "regressions/$t" \
		-artifact_prefix="artifacts/$t/" -max_total_time="$time" -runs="${FUZZ_RUNS:--1}" \
		-rss_limit_mb=512 -malloc_limit_mb=256 -timeout=10 \
		-print_final_stats=1 >"$log" 2>&1 &
	pid=$!
	if wait $pid; then
		result=ok
	else
		result="FAILED (see fuzz/$log and fuzz/artifacts/$t/)"
		status=1
	fi
	# The scratch directory of the targets that read files (src/fuzzing.rs).
	rm -rf "/dev/shm/hako-fuzz-$pid" "${TMPDIR:-/tmp}/hako-fuzz-$pid"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
	secs=$(sed -n 's/.*Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
	rate=$(( ${execs:-0} / ${secs:-1} ))
	[ "${secs:-0}" -gt 0 ] || rate=?
	printf '%-14s %12s %9s %8s %s\n' "$t" "${execs:-?}" "$rate" "${rss:-?}" "$result"
	[ "$result" = ok ] || tail -30 "$log"
done
exit $status
