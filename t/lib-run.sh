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

# status_is_note_written: the status of ws is what a run of
# "echo made inside >/root/note && rm /etc/hostname" left.
status_is_note_written () {
	hako -C ws status --porcelain >actual &&
	printf "D etc/hostname\nA root/note\n" >expect &&
	test_cmp expect actual
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

# USER_NS: hakotest (root creates it) can make user and mount namespaces.
test_lazy_prereq USER_NS '
	test "$(id -u)" = 0 && make_hakotest &&
	D=$(mktemp -d /tmp/hako-prereq.XXXXXX) && chmod 755 "$D" &&
	as_user unshare -Urm true; r=$?; rm -rf "$D"; test $r = 0
'
test_prereq_reason USER_NS "needs root (to create the user hakotest), and user namespaces usable by that user"

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
