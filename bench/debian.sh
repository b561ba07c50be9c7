#!/bin/sh
# hako run on a real distribution: a Debian minbase root (debootstrap, as
# the tests make it; BENCH_ROOTFS=DIR to use another root), each figure
# beside its peer measured in the same run:
#   - the first run of the uncached tree against checkout-tree of it;
#   - the fold of a 1-file change in that root against write-tree of it;
#   - dpkg -i of a package of 2,000 files inside (folded and stored) against
#     the same under bwrap on a plain directory;
#   - commit after that install;
#   - the disk used by ten containers of the image against one checkout.
# Root only (owners, bwrap as root). Figures, never pass/fail.
. "$(dirname "$0")/lib.sh"

if ! test -x "$HAKO"; then
	echo "# debian: skipped, no release binary at $HAKO (make build)"
	exit 0
fi
if test "$(id -u)" != 0; then
	echo "# debian: skipped, needs root (the root's owners, bwrap on a plain root)"
	exit 0
fi
W=$WORK/debian
rm -rf "$W" && mkdir -p "$W" || exit 1
if test -n "$BENCH_ROOTFS"; then
	ROOT=$BENCH_ROOTFS
else
	. "$BENCH_DIR/../t/lib-debian.sh"
	if ! debian_root "$W/root"; then
		echo "# debian: skipped, $debian_why"
		rm -rf "$W"
		exit 0
	fi
	ROOT=$W/root
fi
command -v dpkg-deb >/dev/null 2>&1 || { echo "# debian: skipped, dpkg-deb is missing"; exit 0; }

# A package of 2,000 small files in 20 directories (as an apt-get install
# of a middling package writes), built on the host.
P=$W/pkg
mkdir -p "$P/DEBIAN" && cat >"$P/DEBIAN/control" <<EOF || exit 1
Package: hako-bench
Version: 1.0
Architecture: all
Maintainer: bench <bench@localhost>
Description: 2000 files for hako's benchmark
EOF
d=0
while test $d -lt 20; do
	mkdir -p "$P/usr/share/hako-bench/d$d" &&
	(cd "$P/usr/share/hako-bench/d$d" && head -c 200000 /dev/urandom | split -b 2000 -a 3 - f) || exit 1
	d=$((d + 1))
done
dpkg-deb -Zgzip --root-owner-group --build "$P" "$W/bench.deb" >/dev/null || exit 1
mkdir -p "$W/debs" && cp "$W/bench.deb" "$W/debs/" || exit 1

H="$HAKO -C $W/ws"
$HAKO init -q --empty "$W/ws" || exit 1
$H import --owners "$ROOT" / >/dev/null && $H commit -q -m "debian minbase" && $H tag base || exit 1
T=$($H rev-parse base^{tree}) || exit 1
files=$($H ls-tree -r "$T" | wc -l)
C=$W/ws/.hako/cache

table_header "Debian minbase root ($files entries; $(nproc) cores; $(uname -r))"
compare "first run --rm /bin/true, uncached tree" \
	"rm -rf $C/trees $C/files; sync" \
	"$H run --fs overlay --rm -- /bin/true" \
	"checkout" "$H checkout-tree --owners $T $W/co" \
	"rm -rf $W/co; sync"
rm -rf "$W/co"
compare "run --rm /bin/true, cached tree" \
	":" \
	"$H run --fs overlay --rm -- /bin/true" \
	"unshare-exec" "$HAKO unshare-exec --pids-limit 0 $ROOT /bin/true"

# The fold of a 1-file upper directory over the cached root.
$H cache prepare "$T" >"$W/lower" || exit 1
L=$(cat "$W/lower")
mkdir -p "$W/up/etc" && echo changed >"$W/up/etc/motd" &&
	touch -r "$L/etc" "$W/up/etc" && chmod --reference="$L/etc" "$W/up/etc" || exit 1
$H checkout-tree --owners "$T" "$W/co" || exit 1
compare "fold of a 1-file change (cache fold)" \
	":" \
	"$H cache fold --base $T $W/up" \
	"write-tree" "$H write-tree --owners $W/co"
rm -rf "$W/co"

# dpkg -i of 2,000 files: hako persistent (the fold stores them) vs bwrap
# on a plain copy of the root (prepared untimed each time).
if ensure_tool bwrap bubblewrap; then
	for FS in overlay fuse; do
		compare "$FS: dpkg -i of 2,000 files (stored)" \
			"$H reset --hard base" \
			"$H run --fs $FS --bind $W/debs:/debs:ro -- dpkg -i /debs/bench.deb" \
			"bwrap" "bwrap --bind $W/plain / --dev /dev --proc /proc --tmpfs /tmp --ro-bind $W/debs /debs dpkg -i /debs/bench.deb" \
			"rm -rf $W/plain; cp -a $ROOT $W/plain; sync"
	done
	rm -rf "$W/plain"
else
	echo "| dpkg -i: bwrap is not installed (apt-get install bubblewrap): no peer, no figure |"
fi

# commit after an install of 2,000 files: its cost is the fold's, paid at
# the command's end on overlay; on FUSE the commit folds what is unfolded.
for FS in overlay fuse; do
	: >"$W/c.times"
	i=0
	while test $i -lt "$RUNS"; do
		$H reset --hard base >/dev/null 2>&1
		$H run --fs $FS --bind "$W/debs:/debs:ro" -- dpkg -i /debs/bench.deb >/dev/null 2>&1 ||
			echo "bench: dpkg -i failed on $FS" >&2
		time_once ":" "$H commit -q -m install" >>"$W/c.times"
		i=$((i + 1))
	done
	printf '| %-46s | %12s | %-10s %12s | %7s |\n' "$FS: commit after dpkg -i (2,000 files)" \
		"$(fmt_ms "$(median <"$W/c.times")")" "goal" "1000.0 ms" \
		"$(awk -v h="$(median <"$W/c.times")" 'BEGIN { printf "%.3f", h / 1e9 }')"
done

# Disk: ten containers of the image, each run once (a file changed), against
# one plain checkout of the tree.
$H reset --hard base >/dev/null 2>&1
rm -rf "$C/trees" "$C/files"
before=$(du -sb "$W/ws/.hako" | cut -f1)
i=0
while test $i -lt 10; do
	$H new-container --from base "c$i" >/dev/null || exit 1
	$H -c "c$i" run --fs overlay -- sh -c "echo $i >/etc/instance" || exit 1
	i=$((i + 1))
done
after=$(du -sb "$W/ws/.hako" | cut -f1)
$H checkout-tree --owners "$T" "$W/co" || exit 1
one=$(du -sb "$W/co" | cut -f1)
printf '| %-46s | %12s | %-10s %12s | %7s |\n' "disk of ten containers (cache + store growth)" \
	"$(((after - before) / 1024)) KiB" "checkout" "$((one / 1024)) KiB" \
	"$(awk -v h=$((after - before)) -v p="$one" 'BEGIN { printf "%.3f", h / p }')"
rm -rf "$W"
