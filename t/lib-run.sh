# Helpers of the `hako run` tests (t7100, t7110).

# Wait (up to 20 s) until `hako ps` shows instance $1 with status $2.
wait_status () {
	for i in $(test_seq 200); do
		hako -C ws ps -a >ps.out &&
		grep -q "^$1 .* $2 " ps.out && return 0
		sleep 0.1
	done
	cat ps.out
	return 1
}

# The unprivileged user of the run tests (root creates it on first use).
make_hakotest () {
	id hakotest >/dev/null 2>&1 || useradd --create-home --shell /bin/sh hakotest
}

# hakotest has subordinate ids and newuidmap/newgidmap exist (--map-users).
test_lazy_prereq HAKOTEST_SUBUID '
	grep -q "^hakotest:" /etc/subuid && grep -q "^hakotest:" /etc/subgid &&
	command -v newuidmap && command -v newgidmap
'

# In a test body: a fresh directory for hakotest holding a copy of hako, in
# $D, removed when the test ends. $1 names it.
hakotest_dir () {
	D=$(mktemp -d "/tmp/hako-$1.XXXXXX") && chmod 755 "$D" &&
	test_when_finished "rm -rf \"$D\"" &&
	cp "$HAKO_BUILD_DIR/hako" "$D/hako" && chown -R hakotest: "$D"
}

# Run "$@" as hakotest in $D, with HOME=$D and the system PATH.
as_user () {
	(cd "$D" && setpriv --reuid=hakotest --regid=hakotest --init-groups -- \
		env HOME="$D" PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@")
}
