#!/bin/bash
# Sandbox start-up latency: hako unshare-exec vs bubblewrap vs the floor
# (unshare -Urmpf true), median of RUNS runs each, alternating command by
# command in the same run so machine noise hits all rows alike.
#
#   bench/sandbox.sh [RUNS]        (default 300; HAKO=path overrides the binary)
#
# Prints figures, never pass/fail.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-300}
WARMUP=20

HAKO=${HAKO:-target/release/hako}
if ! test -x "$HAKO"; then
	echo "# building hako (release)"
	cargo build --release --locked >/dev/null
fi
HAKO=$(realpath "$HAKO")

work=$(mktemp -d /tmp/hako-bench-sandbox.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The peer, installed here if we may.
if ! command -v bwrap >/dev/null && test "$(id -u)" = 0 && command -v apt-get >/dev/null; then
	echo "# installing bubblewrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null 2>&1 || true
fi
BUSYBOX=$(command -v busybox || true)
if test -z "$BUSYBOX"; then
	echo "# skipped: busybox is not installed (apt-get install busybox-static)"
	exit 0
fi

# A minimal rootfs: static busybox, /bin/true, and the mount points all three need.
rootfs=$work/rootfs
mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/dev" "$rootfs/tmp"
cp "$BUSYBOX" "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/true"
ln -s busybox "$rootfs/bin/sh"

# A tiny harness: fork+exec each command in turn, time it with CLOCK_MONOTONIC.
cat >"$work/harness.c" <<'CEOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
extern char **environ;
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }
/* harness RUNS WARMUP N  argc1 argv1... argc2 argv2... */
int main(int argc, char **argv)
{
	int runs = atoi(argv[1]), warm = atoi(argv[2]), n = atoi(argv[3]), i, r, k = 4;
	char **cmds[16]; double *t[16]; int fails[16] = {0};
	for (i = 0; i < n; i++) {
		int c = atoi(argv[k++]);
		cmds[i] = calloc(c + 1, sizeof(char *));
		for (r = 0; r < c; r++) cmds[i][r] = argv[k++];
		t[i] = calloc(runs, sizeof(double));
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	for (r = -warm; r < runs; r++) {
		for (i = 0; i < n; i++) {
			int j = (r & 1) ? n - 1 - i : i; /* alternate the order too */
			struct timespec a, b; pid_t p; int st;
			clock_gettime(CLOCK_MONOTONIC, &a);
			if (posix_spawn(&p, cmds[j][0], &fa, NULL, cmds[j], environ) != 0) { perror("spawn"); return 1; }
			waitpid(p, &st, 0);
			clock_gettime(CLOCK_MONOTONIC, &b);
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) fails[j]++;
			if (r >= 0) t[j][r] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
		}
	}
	for (i = 0; i < n; i++) {
		qsort(t[i], runs, sizeof(double), cmp);
		printf("%d %.3f %.3f %.3f %d\n", i, t[i][runs / 2], t[i][runs / 10], t[i][runs * 9 / 10], fails[i]);
	}
	return 0;
}
CEOF
gcc -O2 -o "$work/harness" "$work/harness.c"

names=() args=()
add () { # add NAME CMD ARGS...
	names+=("$1"); shift
	args+=("$#" "$@")
}
add "hako unshare-exec" "$HAKO" unshare-exec "$rootfs" /bin/true
add "hako unshare-exec --ro-root" "$HAKO" unshare-exec --ro-root "$rootfs" /bin/true
if command -v bwrap >/dev/null; then
	add "bwrap --unshare-all" "$(command -v bwrap)" --unshare-all --ro-bind "$rootfs" / --proc /proc --dev /dev --tmpfs /tmp /bin/true
	bwrap_row=$((${#names[@]} - 1))
else
	echo "# bwrap row skipped: bubblewrap is not installed and could not be installed here"
	bwrap_row=
fi
# Kakuri-style runs of a host program over the host's own files: hako's
# overlays of the host (private directory on a tmpfs, as with
# XDG_RUNTIME_DIR), against bubblewrap showing the host read-only.
add "hako run --host (tmpfs)" "$(command -v env)" TMPDIR=/dev/shm "$HAKO" run --host -- /bin/true
if command -v bwrap >/dev/null; then
	add "bwrap --ro-bind / / (host)" "$(command -v bwrap)" --unshare-all --ro-bind / / --proc /proc --dev /dev --tmpfs /tmp --tmpfs /run /bin/true
fi
add "unshare -Urmpf true (floor)" "$(command -v unshare)" -Urmpf "$rootfs/bin/true"
floor_row=$((${#names[@]} - 1))

echo "# sandbox start-up: $RUNS runs each after $WARMUP warm-up rounds, alternating; $(nproc) CPUs; kernel $(uname -r)"
echo "# rootfs: static busybox $(busybox 2>&1 | head -n 1 | cut -d' ' -f2); hako: $("$HAKO" --version)"
command -v bwrap >/dev/null && echo "# peer: $(bwrap --version)"
echo "# hako: /proc, minimal /dev (6 devices + devpts), tmpfs /tmp, seccomp default, landlock, no_new_privs, caps dropped"
"$HAKO" unshare-exec "$rootfs" /bin/true 2>&1 | sed 's/^/# note from hako: /' || true

"$work/harness" "$RUNS" "$WARMUP" "${#names[@]}" "${args[@]}" >"$work/out"

median () { sed -n "$(($1 + 1))p" "$work/out" | cut -d' ' -f2; }
printf "%-32s %9s %9s %9s %9s %9s\n" command median_ms p10_ms p90_ms vs_bwrap vs_floor
while read -r i med p10 p90 fails; do
	vb=-; test -n "$bwrap_row" && vb=$(awk -v a="$med" -v b="$(median "$bwrap_row")" 'BEGIN { printf "%.2fx", a / b }')
	vf=$(awk -v a="$med" -v b="$(median "$floor_row")" 'BEGIN { printf "%.2fx", a / b }')
	printf "%-32s %9s %9s %9s %9s %9s%s\n" "${names[$i]}" "$med" "$p10" "$p90" "$vb" "$vf" \
		"$(test "$fails" = 0 || echo "  ($fails failed runs)")"
done <"$work/out"
