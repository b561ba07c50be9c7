#!/bin/sh
test_description='hako run on both data paths: overlay over the checkout cache and FUSE give the same results (status, diff, --rm, --ro, --commit, exit codes, detached instances, exec, stop, reap after kill -9); overlay falls back to FUSE with a note, folds on demand, and never folds a cache file altered behind its back'
. ./test-lib.sh

skip_unless_fuse
skip_unless_busybox
skip_unless_userns mount

. "$TEST_DIRECTORY/lib-run.sh"

# wait_status of lib-run.sh, for workspace $W.
wait_in () {
	for i in $(test_seq 200); do
		hako -C $W ps -a >ps.out &&
		grep -q "^$1 .* $2 " ps.out && return 0
		sleep 0.1
	done
	cat ps.out
	return 1
}

test_expect_success 'setup: overlay works here (the probe says yes)' '
	hako init -q probe-ws &&
	hako -C probe-ws cache probe >probe &&
	grep "^yes" probe
'

for fs in overlay fuse
do
	W=ws-$fs

	test_expect_success "$fs: writes, deletes, renames, chmod, hardlinks and symlinks show in status and diff" '
		hako init -q $W &&
		hako -C $W run --fs $fs -- sh -c "echo new >/root/new && rm /etc/hostname &&
			mv /etc/passwd /etc/passwd.moved && chmod 600 /etc/group &&
			ln /root/new /root/new2 && mkdir -p /srv/d && echo x >/srv/d/f &&
			ln -s new /root/sl" &&
		hako -C $W status --porcelain >actual &&
		cat >expect <<-\EOF &&
		M etc/group
		D etc/hostname
		D etc/passwd
		A etc/passwd.moved
		A root/new
		A root/new2
		A root/sl
		A srv/d/f
		EOF
		test_cmp expect actual &&
		hako -C $W diff >diff &&
		grep "^+new" diff &&
		hako -C $W ls-tree WORKING:root >tree &&
		grep " link=6e6577	new2$" tree &&
		hako -C $W ls-tree WORKING:etc >etc &&
		grep "^100600 .*	group$" etc &&
		hako -C $W ps -a --json >json &&
		grep "\"fs\": \"$fs\"" json
	'

	test_expect_success "$fs: --commit commits; --rm and a revision discard and leave no state" '
		hako -C $W run --fs $fs --commit -m "from run" -- sh -c "echo c >/root/c-file" 2>err &&
		grep "from run" err &&
		hako -C $W status --porcelain >actual && test_must_be_empty actual &&
		hako -C $W reap >/dev/null &&
		hako -C $W run --fs $fs --rm -- sh -c "echo gone >/root/rm && cat /root/rm" >out &&
		echo gone >expect && test_cmp expect out &&
		hako -C $W run --fs $fs main -- sh -c "echo gone >/root/rev" &&
		hako -C $W status --porcelain >actual && test_must_be_empty actual &&
		hako -C $W ps -a >ps && test_line_count = 2 ps &&
		grep " main .* exited " ps &&
		ls $W/.hako/instances/*/ >left &&
		! grep -e upper -e work -e skel -e overlay left
	'

	test_expect_success "$fs: --ro refuses writes and reads the tree" '
		test_must_fail hako -C $W run --fs $fs --rm --ro -- sh -c "cat /root/new; echo x >/root/ro" >out 2>err &&
		grep -i "read-only" err &&
		echo new >expect && test_cmp expect out
	'

	test_expect_success "$fs: exit status passes through; 127 and 126 as a shell" '
		test_expect_code 3 hako -C $W run --fs $fs --rm -- sh -c "exit 3" &&
		test_expect_code 127 hako -C $W run --fs $fs --rm -- no-such-command 2>err &&
		grep "^fatal: no-such-command: command not found" err &&
		test_expect_code 126 hako -C $W run --fs $fs --rm -- /etc/group 2>err &&
		grep "^fatal: /etc/group: Permission denied" err
	'

	test_expect_success "$fs: a detached instance: exec writes, stop, the writes are folded" '
		id=$(hako -C $W run --fs $fs -d -- sh -c "echo started; exec sleep 60") &&
		wait_in $id running &&
		hako -C $W exec $id sh -c "echo via-exec >/root/exec-file" &&
		hako -C $W stop -t 5 $id >out &&
		echo $id >expect && test_cmp expect out &&
		hako -C $W wait $id >code && echo 143 >expect && test_cmp expect code &&
		hako -C $W status --porcelain >actual &&
		echo "A root/exec-file" >expect && test_cmp expect actual &&
		hako -C $W reap >reaped && grep "^$id exited" reaped &&
		hako -C $W commit -q -m exec
	'

	test_expect_success "$fs: status shows the writes of a running instance; kill -9 of the supervisor, then reap keeps them" '
		id=$(hako -C $W run --fs $fs -d -- sh -c "echo before-kill >/root/killed; sync; exec sleep 60") &&
		wait_in $id running &&
		for i in $(test_seq 100); do
			hako -C $W status --porcelain | grep -q killed && break
			sleep 0.1
		done &&
		hako -C $W status --porcelain >actual &&
		echo "A root/killed" >expect && test_cmp expect actual &&
		hako -C $W exec $id sh -c "echo after-status >/root/killed2" &&
		sup=$(sed -n "s/^supervisor \([0-9]*\) .*/\1/p" $W/.hako/instances/$id/state) &&
		kill -9 $sup &&
		wait_in $id dead &&
		hako -C $W reap >reaped && grep "^$id dead" reaped &&
		test_path_is_missing $W/.hako/instances/$id &&
		test "$(hako -C $W cat /root/killed)" = before-kill &&
		test "$(hako -C $W cat /root/killed2)" = after-status
	'

	test_expect_success "$fs: hako write from outside while the instance runs is kept beside its writes" '
		id=$(hako -C $W run --fs $fs -d -- sh -c "echo inside >/root/in-1; exec sleep 60") &&
		wait_in $id running &&
		hako -C $W exec $id sh -c "sync /root/in-1" &&
		hako -C $W write /root/out-1 outside &&
		hako -C $W exec $id sh -c "echo inside2 >/root/in-2" &&
		hako -C $W stop -t 5 $id >/dev/null &&
		hako -C $W wait $id >/dev/null &&
		test "$(hako -C $W cat /root/in-1)" = inside &&
		test "$(hako -C $W cat /root/in-2)" = inside2 &&
		test "$(hako -C $W cat /root/out-1)" = outside &&
		hako -C $W run --fs $fs --rm -- cat /root/out-1 >actual &&
		printf outside >expect && test_cmp expect actual &&
		hako -C $W commit -q -m outside && hako -C $W reap >/dev/null
	'

	test_expect_success ROOT "$fs: as root, -u USER gets the tree owners and modes checked" '
		hako -C $W run --fs $fs -- sh -c "mkdir -p /srv/own /srv/locked && echo secret >/srv/locked/s && chmod 600 /srv/locked/s && chown 65534:65534 /srv/own" &&
		test_must_fail hako -C $W run --fs $fs --rm -u 65534 -- cat /srv/locked/s 2>err &&
		grep "Permission denied" err &&
		hako -C $W run --fs $fs -u 65534 -- sh -c "echo mine >/srv/own/f" &&
		hako -C $W ls-tree WORKING:srv/own >tree &&
		grep "uid=65534 gid=65534" tree &&
		hako -C $W run --fs $fs -- rm -r /srv/own /srv/locked &&
		hako -C $W status --porcelain >actual && test_must_be_empty actual
	'

	test_expect_success "$fs: --autocommit commits after each exec" '
		id=$(hako -C $W run --fs $fs -d --autocommit -- sleep 60) &&
		wait_in $id running &&
		hako -C $W exec $id sh -c "echo one >/root/auto" 2>err &&
		grep "exec: sh -c" err &&
		hako -C $W log --oneline >log && head -n 1 log | grep "exec: sh -c" &&
		test "$(hako -C $W cat HEAD:/root/auto)" = one &&
		hako -C $W exec $id rm /root/auto &&
		test_must_fail hako -C $W cat HEAD:/root/auto &&
		hako -C $W stop -t 5 $id >/dev/null &&
		hako -C $W wait $id >/dev/null &&
		hako -C $W status --porcelain >actual && test_must_be_empty actual
	'
done

test_expect_success 'overlay: status folds while the command keeps making and removing files' '
	W=ws-overlay &&
	id=$(hako -C $W run --fs overlay -d -- sh -c "i=0; while :; do i=\$((i+1)); mkdir -p /root/churn/d\$i; echo \$i >/root/churn/d\$i/f; rm -r /root/churn/d\$i; done") &&
	wait_in $id running &&
	for i in $(test_seq 30); do
		hako -C $W status --porcelain >/dev/null || return 1
	done &&
	hako -C $W stop -t 2 $id >/dev/null &&
	hako -C $W wait $id >/dev/null &&
	hako -C $W reap >/dev/null &&
	test_must_fail hako -C $W cat /root/churn/d1/f
'

test_expect_success 'unshare-exec --overlay: the root is overlay over LOWER; the upper directory records the change; read-only without it' '
	W=ws-fuse &&
	T=$(hako -C $W rev-parse HEAD^{tree}) &&
	hako -C $W checkout-tree $T "$PWD/lower" &&
	mkdir -p ov/upper ov/work ov/mnt &&
	hako unshare-exec --overlay "$PWD/lower" --overlay-upper "$PWD/ov/upper:$PWD/ov/work" ov/mnt \
		sh -c "echo made >/root/ux && rm /etc/group && ls /proc/self >/dev/null" &&
	test "$(cat ov/upper/root/ux)" = made &&
	test "$(stat -c %F:%t:%T ov/upper/etc/group)" = "character special file:0:0" &&
	test -f lower/etc/group && test_path_is_missing lower/root/ux &&
	test_path_is_missing ov/upper/proc &&
	ls ov/mnt >actual && test_must_be_empty actual &&
	test_must_fail hako unshare-exec --overlay "$PWD/lower" ov/mnt sh -c "echo x >/root/ro" 2>err &&
	grep -i "read-only" err &&
	test_must_fail hako unshare-exec --overlay "$PWD/lower" --overlay-upper "$PWD/ov/upper" ov/mnt true 2>err &&
	grep "^fatal: --overlay-upper .*: expected UPPER:WORK" err
'

test_expect_success USER_NS 'as an unprivileged user without subordinate ids: overlay by default; owners collapse and are never folded as changes' '
	hakotest_dir t7410 &&
	as_user ./hako init -q ws &&
	as_user ./hako -C ws run -- sh -c "echo by-user >/root/u && chmod 640 /root/u && ls -ln /etc/passwd" >out 2>err &&
	test_must_be_empty err &&
	as_user ./hako -C ws ps -a --json >json && grep "\"fs\": \"overlay\"" json &&
	as_user ./hako -C ws status --porcelain >actual &&
	echo "A root/u" >expect && test_cmp expect actual &&
	as_user ./hako -C ws ls-tree WORKING:root >tree &&
	grep "^100640 .*	u$" tree &&
	id=$(as_user ./hako -C ws run -d -- sh -c "mkdir -p /d/e && chmod 555 /d/e; exec sleep 60") &&
	wait_in_user () { for i in $(test_seq 100); do as_user ./hako -C ws ps | grep -q "^$id .* running " && return 0; sleep 0.1; done; return 1; } &&
	wait_in_user &&
	as_user ./hako -C ws stop -t 2 $id >/dev/null &&
	as_user ./hako -C ws reap >/dev/null &&
	test_path_is_missing "$D/ws/.hako/instances/$id"
'

# What under hakotest's workspace belongs to neither hakotest nor its
# subordinate ids' cache (the only place files of subordinate ids may stay).
not_users_outside_cache () {
	find "$D/ws/.hako" -path "$D/ws/.hako/cache" -prune -o ! -user hakotest -print
}

test_expect_success USER_NS,HAKOTEST_SUBUID 'as a user with subordinate ids, --map-users runs on overlay: owners kept and folded, the upper directory removed' '
	# hakotest_dir, kept for the next tests (the last removes it).
	D=$(mktemp -d /tmp/hako-t7410m.XXXXXX) && chmod 755 "$D" &&
	cp "$HAKO_BUILD_DIR/hako" "$D/hako" && chown -R hakotest: "$D" &&
	as_user ./hako init -q ws &&
	as_user ./hako -C ws run --map-users -- sh -c "
		echo hundred >/root/h && chown 100:100 /root/h &&
		mkdir -p /srv/p && echo secret >/srv/p/s && chown -R 42:42 /srv/p &&
		chmod 600 /srv/p/s && chmod 700 /srv/p && ls -ln /srv/p/s" >out 2>err &&
	test_must_be_empty err &&
	grep "^-rw------- *1 42 *42 " out &&
	as_user ./hako -C ws ps -a --json >json && grep "\"fs\": \"overlay\"" json &&
	as_user ./hako -C ws ls-tree WORKING:root >tree &&
	grep "uid=100 gid=100 .*	h$" tree &&
	as_user ./hako -C ws ls-tree WORKING:srv/p >tree &&
	grep "^100600 .* uid=42 gid=42 .*	s$" tree &&
	as_user ./hako -C ws cat-file -p WORKING:srv/p/s >s && echo secret >expect && test_cmp expect s &&
	as_user ./hako -C ws status --porcelain >actual &&
	printf "A root/h\nA srv/p/s\n" >expect && test_cmp expect actual &&
	ls "$D/ws/.hako/instances/"*/ >left &&
	! grep -e upper -e work -e skel -e overlay left &&
	not_users_outside_cache >left && test_must_be_empty left &&
	ls "$D/ws/.hako/cache/trees" >entries &&
	grep "\.mapped-[0-9a-f]*$" entries &&
	# A persistent instance killed before its fold: reap folds and removes
	# what it left, as root of the namespace.
	id=$(as_user ./hako -C ws run --map-users -d -- sh -c "mkdir /srv/q && echo q >/srv/q/f && chown -R 42 /srv/q && chmod 600 /srv/q/f && chmod 700 /srv/q; exec sleep 60") &&
	for i in $(test_seq 100); do as_user ./hako -C ws ps | grep -q "^$id .* running " && break; sleep 0.1; done &&
	as_user ./hako -C ws status --porcelain >actual &&
	grep "^A srv/q/f$" actual &&
	sup=$(sed -n "s/^supervisor \([0-9]*\) .*/\1/p" "$D/ws/.hako/instances/$id/state") &&
	kill -9 $sup &&
	for i in $(test_seq 100); do as_user ./hako -C ws ps -a | grep -q "^$id .* dead " && break; sleep 0.1; done &&
	as_user ./hako -C ws reap >reaped && grep "^$id dead" reaped &&
	test_path_is_missing "$D/ws/.hako/instances/$id" &&
	not_users_outside_cache >left && test_must_be_empty left
'

test_expect_success USER_NS,HAKOTEST_SUBUID '--map-users: the next run reuses the mapped entry and shows the owners; a tampered mapped entry is rebuilt' '
	as_user ./hako -C ws commit -q -m mapped &&
	as_user ./hako -C ws run --map-users --rm -- ls -ln /root/h /srv/p/s >out 2>err &&
	test_must_be_empty err &&
	grep "^-rw-r--r-- *[0-9]* 100 *100 .*/root/h$" out &&
	grep "^-rw------- *[0-9]* 42 *42 .*/srv/p/s$" out &&
	as_user ./hako -C ws run --map-users --rm -- true &&
	as_user ./hako -C ws cache ls >ls1 &&
	as_user ./hako -C ws run --map-users --rm -- true &&
	as_user ./hako -C ws cache ls | cut -f1-5 >ls2 && cut -f1-5 ls1 >ls1c && test_cmp ls1c ls2 &&
	# Without --map-users the same workspace uses (and never removes) other entries.
	as_user ./hako -C ws run --rm -- ls -ln /root/h >out &&
	grep " 0 *0 .*/root/h$" out &&
	grep -c "\.mapped-" ls1 >n1 &&
	as_user ./hako -C ws cache ls | grep -c "\.mapped-" >n2 && test_cmp n1 n2 &&
	as_user ./hako -C ws cache verify --full &&
	as_user ./hako -C ws fsck --cache &&
	# A file of the mapped entry altered behind hako (root here) is caught.
	f=$(find "$D/ws/.hako/cache/trees/"*.mapped-*/root/srv/p -name s | head -n 1) &&
	echo tampered >>"$f" &&
	test_must_fail as_user ./hako -C ws cache verify >v &&
	grep "^error in cache entry .*\.mapped-" v &&
	as_user ./hako -C ws run --map-users -- sh -c "cat /srv/p/s; echo fresh >/root/fresh" >out 2>err &&
	grep "^warning: cache entry damaged, rebuilt: " err &&
	! grep tampered out &&
	as_user ./hako -C ws status --porcelain >actual &&
	echo "A root/fresh" >expect && test_cmp expect actual
'

test_expect_success USER_NS,HAKOTEST_SUBUID '--map-users: cache prune and gc remove mapped entries as root of their namespace' '
	test_when_finished "rm -rf \"$D\"" &&
	as_user ./hako -C ws cache prune -v --max-size 1 >pruned &&
	grep "^removed .*\.mapped-.* (size cap)$" pruned &&
	as_user ./hako -C ws cache ls >ls && ! grep "\.mapped-" ls &&
	ls "$D/ws/.hako/cache/tmp" >tmp && test_must_be_empty tmp &&
	as_user ./hako -C ws run --map-users --rm -- true &&
	as_user ./hako -C ws cache ls >ls && grep "\.mapped-" ls &&
	as_user ./hako -C ws config cache.maxSize 1 &&
	as_user ./hako -C ws gc -q &&
	as_user ./hako -C ws cache ls >ls && ! grep "\.mapped-" ls &&
	find "$D/ws/.hako" ! -user hakotest >left && test_must_be_empty left
'

test_expect_success 'the two paths made the same trees (but for times)' '
	hako -C ws-overlay ls-tree -r HEAD | sed -e "s/ mtime=[0-9.]*//" >overlay &&
	hako -C ws-fuse ls-tree -r HEAD | sed -e "s/ mtime=[0-9.]*//" >fuse &&
	test_cmp fuse overlay
'

test_expect_success 'overlay refused (the probe says no): FUSE with a note; --fs overlay fails' '
	W=ws-overlay &&
	echo "$(uname -n) $(uname -r) $(id -u) no mount: EPERM: Operation not permitted" >$W/.hako/cache/overlay-probe &&
	hako -C $W run --rm -- true 2>err &&
	echo "note: overlay unavailable (mount: EPERM: Operation not permitted); using FUSE" >expect &&
	test_cmp expect err &&
	test_must_fail hako -C $W run --fs overlay --rm -- true 2>err &&
	grep "^fatal: overlay unavailable (mount: EPERM" err &&
	# Without fusermount3 either: a checkout, with a note.
	mkdir nofuse && ln -s "$HAKO_BUILD_DIR/hako" nofuse/hako &&
	env PATH="$PWD/nofuse" hako -C $W run --rm -- sh -c "echo checked-out >/root/m; cat /root/m" >out 2>err &&
	echo checked-out >expect && test_cmp expect out &&
	grep "^note: overlay unavailable (mount: EPERM: Operation not permitted) and FUSE unavailable (.*); using --materialize$" err &&
	rm $W/.hako/cache/overlay-probe &&
	hako -C $W run --rm -- true 2>err && test_must_be_empty err
'

test_expect_success 'run.fs in the configuration chooses the path; a bad value is refused' '
	W=ws-overlay &&
	hako -C $W config run.fs fuse &&
	id=$(hako -C $W run -d --rm -- sleep 60) &&
	wait_in $id running &&
	hako -C $W ps --json >json && grep "\"fs\": \"fuse\"" json &&
	hako -C $W stop -t 5 $id >/dev/null &&
	hako -C $W config run.fs bogus &&
	test_must_fail hako -C $W run --rm -- true 2>err &&
	grep "^fatal: .*/.hako/config:[0-9]*: run.fs = .bogus." err &&
	hako -C $W config --unset run.fs &&
	test_must_fail hako -C $W run --fs bogus --rm -- true 2>err &&
	grep "fs .bogus.: expected overlay, fuse or materialize" err
'

test_expect_success 'a cache file altered behind hako is detected, rebuilt and not folded as a change' '
	W=ws-cache && hako init -q $W &&
	hako -C $W run --rm -- true &&
	entry=$(ls -d $W/.hako/cache/trees/*) &&
	test $(echo "$entry" | wc -l) = 1 &&
	f=$(find "$entry/root/etc" -name group) &&
	chmod u+w "$f" && echo tampered >>"$f" &&
	hako -C $W run -- sh -c "cat /etc/group; echo fresh >/root/fresh" >out 2>err &&
	grep "^warning: cache entry damaged, rebuilt: " err &&
	! grep tampered out &&
	# The command started once, on the rebuilt entry (the check gates it).
	test $(grep -c "^root:" out) = 1 &&
	hako -C $W status --porcelain >actual &&
	echo "A root/fresh" >expect && test_cmp expect actual
'

test_expect_success 'a detached run says the rebuilt entry in its log (its stderr), not on the caller'"'"'s' '
	W=ws-cache-d && hako init -q $W &&
	hako -C $W run --rm -- true &&
	f=$(find $W/.hako/cache/trees/*/root/etc -name group) &&
	chmod u+w "$f" && echo tampered >>"$f" &&
	id=$(hako -C $W run -d -- sh -c "cat /etc/group >/dev/null" 2>err) &&
	hako -C $W wait $id >code &&
	echo 0 >expect && test_cmp expect code &&
	# The supervisor says its warnings once it is done, after the record.
	for i in $(test_seq 100); do
		grep "^warning: cache entry damaged, rebuilt: " $W/.hako/instances/$id/log && break
		sleep 0.1
	done &&
	hako -C $W logs $id >log &&
	test $(grep -c "^warning: cache entry damaged, rebuilt: .*etc/group" log) = 1 &&
	! grep damaged err
'

test_expect_success 'reap removes the directory of a run killed before its first record, once it is old and unlocked' '
	W=ws-unrecorded && hako init -q $W &&
	I=$W/.hako/instances &&
	mkdir -p $I/0123456789ab/upper/etc $I/0123456789ab/work/work $I/0123456789ab/skel/proc &&
	echo x >$I/0123456789ab/upper/etc/x &&
	chmod 0 $I/0123456789ab/work/work &&
	mkdir -p $I/fresh0000000/upper &&
	mkdir -p $I/persist00000/upper && echo y >$I/persist00000/upper/y &&
	echo "version 1" >$I/persist00000/overlay &&
	touch -d "2 minutes ago" $I/0123456789ab $I/persist00000 &&
	hako -C $W reap >out 2>err &&
	echo "0123456789ab never started" >expect && test_cmp expect out &&
	test_path_is_missing $I/0123456789ab &&
	test_path_is_dir $I/fresh0000000 &&
	grep "^warning: persist00000: its supervisor died before its record was written; its changes are kept in .*persist00000/upper" err &&
	test_path_is_file $I/persist00000/upper/y &&
	hako -C $W ps -a >ps && test_line_count = 1 ps
'

test_done
