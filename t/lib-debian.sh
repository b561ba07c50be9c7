# A Debian stable minbase root for the tests that need a real distribution
# (t2150, t8002, t8003). The first script of a test run that asks makes it
# with debootstrap (about a minute; under a lock, so scripts run in parallel
# wait and share it); later ones copy it. debootstrap takes its mirror from
# HAKO_TEST_DEBIAN_MIRROR when set, else uses its own default.
DEBIAN_CACHE=${HAKO_TEST_DEBIAN_CACHE:-${TMPDIR:-/tmp}/hako-test-debian-$(id -u)}

# debian_root DIR: copy the root into DIR (created). On failure returns 1
# with the reason in $debian_why.
debian_root () {
	debian_why=
	if ! command -v debootstrap >/dev/null 2>&1; then
		debian_why="debootstrap is not installed (apt-get install debootstrap)"
		return 1
	fi
	mkdir -p "$DEBIAN_CACHE" || { debian_why="cannot create $DEBIAN_CACHE"; return 1; }
	(
		flock 9 &&
		if ! test -f "$DEBIAN_CACHE/done"; then
			rm -rf "$DEBIAN_CACHE/root" &&
			debootstrap --variant=minbase stable "$DEBIAN_CACHE/root" \
				${HAKO_TEST_DEBIAN_MIRROR-} >"$DEBIAN_CACHE/log" 2>&1 &&
			touch "$DEBIAN_CACHE/done"
		fi
	) 9>"$DEBIAN_CACHE/lock"
	if ! test -f "$DEBIAN_CACHE/done"; then
		debian_why="debootstrap of Debian stable from ${HAKO_TEST_DEBIAN_MIRROR:-its default mirror} failed (mirror unreachable?): $(grep -E '^[EW]:' "$DEBIAN_CACHE/log" 2>/dev/null | tail -n 1)"
		return 1
	fi
	cp -a "$DEBIAN_CACHE/root" "$1" || { debian_why="cannot copy the Debian root"; return 1; }
}
