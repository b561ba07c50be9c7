#!/bin/sh
test_description='hako run --materialize: the tree checked out into the instance directory instead of a FUSE mount, and what the command changed folded back into the working root'
. ./test-lib.sh

skip_unless_busybox
skip_unless_userns

# The uid:gid recorded for PATH in the working root (exported with --owners).
owner_of () {
	rm -rf owner.out && mkdir owner.out &&
	hako -C ws export --owners "$1" "$PWD/owner.out" &&
	stat -c %u:%g owner.out/$(basename "$1")
}

. "$TEST_DIRECTORY/lib-run.sh"

test_expect_success 'setup: a workspace whose container holds the busybox seed, and a file with recorded owners' '
	hako init -q ws &&
	mkdir -p host/srv && echo kept >host/srv/owned &&
	if test "$(id -u)" = 0; then
		chown 123:456 host/srv/owned && owners=--owners
	else
		echo "# not root: the file is imported without owners"
	fi &&
	hako -C ws mkdir /srv &&
	hako -C ws import $owners "$PWD/host/srv/owned" /srv &&
	if test "$(id -u)" = 0; then test "$(owner_of /srv/owned)" = 123:456; fi &&
	hako -C ws commit -q -m owned &&
	hako -C ws status --porcelain >actual &&
	test_must_be_empty actual
'

test_expect_success 'without FUSE at all: --fs fuse suggests --materialize, which runs (overlay needs no FUSE)' '
	mkdir nofuse && ln -s "$HAKO_BUILD_DIR/hako" nofuse/hako &&
	test_must_fail env PATH="$PWD/nofuse" hako -C ws run --fs fuse -- true 2>err &&
	grep "^fatal: FUSE is not available: .*--materialize" err &&
	env PATH="$PWD/nofuse" hako -C ws run --rm -- true 2>err &&
	test_must_be_empty err &&
	test_expect_code 3 env PATH="$PWD/nofuse" hako -C ws run --materialize -- sh -c "echo hello from \$(hostname); exit 3" >out &&
	echo "hello from hako" >expect &&
	test_cmp expect out
'

test_expect_success 'a persistent run folds exactly its changes back; other entries keep their owners' '
	hako -C ws run --materialize -- sh -c "echo made inside >/root/note && rm /etc/hostname && mkdir -p /srv/a && chmod 700 /srv/a" &&
	status_is_note_written &&
	test "$(hako -C ws cat /root/note)" = "made inside" &&
	hako -C ws ls -l /srv >ls &&
	grep "^040700 .* a/" ls &&
	if test "$(id -u)" = 0; then test "$(owner_of /srv/owned)" = 123:456; fi &&
	test_path_is_missing ws/.hako/instances/*/root &&
	hako -C ws fsck
'

test_expect_success '--commit commits; --rm and a revision discard; --ro refuses writes' '
	hako -C ws run --materialize --commit -m inside -- sh -c "echo c >/root/committed" &&
	hako -C ws log --oneline -n 1 >log && grep " inside$" log &&
	hako -C ws status --porcelain >actual && test_must_be_empty actual &&
	hako -C ws reap >/dev/null &&
	hako -C ws run --materialize --rm -- sh -c "echo x >/root/gone && cat /root/gone" >out &&
	echo x >expect && test_cmp expect out &&
	hako -C ws run --materialize --rm HEAD~1 -- sh -c "echo y >/root/gone-too" &&
	hako -C ws status --porcelain >actual && test_must_be_empty actual &&
	test_must_fail hako -C ws run --materialize --rm --ro -- sh -c "echo z >/root/ro" 2>err &&
	grep -i "read-only" err &&
	hako -C ws status --porcelain >actual && test_must_be_empty actual &&
	hako -C ws ps -a >ps && test_line_count = 1 ps &&
	test_path_is_missing ws/.hako/instances/*/root
'

test_expect_success 'a write from outside while the instance runs: the instance changes are applied onto it' '
	id=$(hako -C ws run --materialize -d -- sh -c "echo inside >/root/in-1; sleep 1") &&
	wait_status $id running &&
	hako -C ws write /root/outside "from outside" &&
	hako -C ws wait $id &&
	test "$(hako -C ws cat /root/outside)" = "from outside" &&
	test "$(hako -C ws cat /root/in-1)" = inside
'

test_expect_success 'kill -9 of the supervisor: reap folds the checked-out root back' '
	id=$(hako -C ws run --materialize -d -- sh -c "echo before-kill >/root/killed; exec sleep 60") &&
	wait_status $id running &&
	for i in $(test_seq 100); do
		test -f ws/.hako/instances/$id/root/root/killed && break
		sleep 0.1
	done &&
	sup=$(sed -n "s/^supervisor \([0-9]*\) .*/\1/p" ws/.hako/instances/$id/state) &&
	kill -9 $sup &&
	wait_status $id dead &&
	test_must_fail hako -C ws cat /root/killed &&
	hako -C ws reap >reaped &&
	grep "^$id folded its changes" reaped &&
	grep "^$id dead" reaped &&
	test_path_is_missing ws/.hako/instances/$id &&
	test "$(hako -C ws cat /root/killed)" = before-kill
'

# An unprivileged user needs user namespaces (no FUSE here).
test_lazy_prereq USER_NS '
	test "$(id -u)" = 0 &&
	make_hakotest &&
	setpriv --reuid=hakotest --regid=hakotest --init-groups -- unshare -Ur true
'
test_prereq_reason USER_NS "needs root (to create the user hakotest), and user namespaces usable by that user"

test_expect_success USER_NS 'as an unprivileged user: a materialized run folds its changes, recorded entries keep theirs' '
	hakotest_dir t7110 &&
	as_user ./hako init -q ws &&
	as_user ./hako -C ws run --materialize -- sh -c "echo by-user >/root/u && chmod 600 /root/u" &&
	as_user ./hako -C ws status --porcelain >actual &&
	echo "A root/u" >expect && test_cmp expect actual &&
	as_user ./hako -C ws ls -l /root >ls &&
	grep "^100600 .* u$" ls &&
	test "$(as_user ./hako -C ws cat /root/u)" = by-user &&
	as_user ./hako -C ws fsck
'

test_done
