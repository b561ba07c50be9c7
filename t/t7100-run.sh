#!/bin/sh
test_description='hako run and the instance lifecycle: a container tree served through FUSE as the root of a sandbox'
. ./test-lib.sh

skip_unless_fuse
skip_unless_busybox
skip_unless_userns

# How many mounts there are under this workspace's instances.
instance_mounts () {
	grep -cF "$(cd "$TRASH_DIRECTORY" && pwd -P | sed "s/ /\\040/g")/ws/.hako/instances/" /proc/self/mountinfo
}

. "$TEST_DIRECTORY/lib-run.sh"

test_expect_success 'setup: a workspace whose container holds the busybox seed' '
	hako init -q ws &&
	# These are the FUSE path'"'"'s tests (t7410 runs the common ones on overlay too).
	hako -C ws config run.fs fuse &&
	hako -C ws status --porcelain >actual &&
	test_must_be_empty actual
'

test_expect_success 'run busybox sh -c in the seeded root; the exit status passes through' '
	test_expect_code 3 hako -C ws run -- sh -c "echo hello from \$(hostname); exit 3" >out &&
	echo "hello from hako" >expect &&
	test_cmp expect out
'

test_expect_success 'a write in the persistent container shows in status and diff' '
	hako -C ws run -- sh -c "echo made inside >/root/note && rm /etc/hostname && mkdir -p /srv/a" &&
	status_is_note_written &&
	hako -C ws diff >diff &&
	grep "^+made inside" diff &&
	hako -C ws ls /srv >actual && echo "a/" >expect && test_cmp expect actual &&
	test "$(hako -C ws cat /root/note)" = "made inside"
'

test_expect_success 'run --commit commits what the command wrote' '
	hako -C ws run --commit -m "note from run" -- sh -c "echo second >>/root/note" 2>err &&
	grep "note from run" err &&
	hako -C ws log --oneline >log && head -n 1 log | grep "note from run" &&
	hako -C ws status --porcelain >actual && test_must_be_empty actual &&
	printf "made inside\nsecond\n" >expect &&
	hako -C ws cat HEAD:/root/note >actual && test_cmp expect actual
'

test_expect_success '--rm and a revision discard the writes and leave no state' '
	hako -C ws reap >reaped && test_line_count = 3 reaped &&
	hako -C ws run --rm -- sh -c "echo gone >/root/rm-file && cat /root/rm-file" >out &&
	echo gone >expect && test_cmp expect out &&
	hako -C ws run --rm main -- sh -c "echo gone >/root/rev-file" &&
	hako -C ws status --porcelain >actual && test_must_be_empty actual &&
	hako -C ws ps -a >ps && test_line_count = 1 ps &&
	test "$(instance_mounts)" = 0
'

test_expect_success '--ro refuses writes' '
	test_must_fail hako -C ws run --rm --ro -- sh -c "echo x >/root/ro" 2>err &&
	grep -i "read-only" err
'

test_expect_success 'ps, logs, exec, stop and wait on a detached sleep' '
	id=$(hako -C ws run -d --name sleeper -- sh -c "echo started; exec sleep 60") &&
	test -n "$id" &&
	wait_status $id running &&
	hako -C ws ps --json >json && grep "\"status\": \"running\"" json &&
	for i in $(test_seq 100); do
		hako -C ws logs sleeper >log && test -s log && break
		sleep 0.1
	done &&
	echo started >expect && test_cmp expect log &&
	hako -C ws exec sleeper sh -c "echo via-exec >/root/exec-file; ps" >ps-in &&
	grep "sleep 60" ps-in &&
	# As root the mount reads ahead 4 MiB (sysfs bdi of the mount), not 128 KiB.
	if test "$(id -u)" = 0 && test -w /sys/class/bdi; then
		dev=$(awk -v m="$TRASH_DIRECTORY/ws/.hako/instances/$id/mnt" \
			"{ gsub(/\\\\040/, \" \", \$5) } \$5 == m { print \$3 }" /proc/self/mountinfo) &&
		test -n "$dev" &&
		echo 4096 >expect && test_cmp expect /sys/class/bdi/$dev/read_ahead_kb
	fi &&
	hako -C ws stop -t 5 sleeper >out &&
	echo $id >expect && test_cmp expect out &&
	hako -C ws wait $id >code &&
	echo 143 >expect && test_cmp expect code &&
	hako -C ws ps >ps && test_line_count = 1 ps &&
	hako -C ws status --porcelain >actual &&
	grep "^A root/exec-file" actual &&
	test "$(instance_mounts)" = 0 &&
	hako -C ws reap >reaped && grep "^$id exited" reaped
'

test_expect_success 'kill -9 of the supervisor: the mount goes, the write is kept, reap cleans up' '
	id=$(hako -C ws run -d -- sh -c "echo before-kill >/root/killed; sync; exec sleep 60") &&
	wait_status $id running &&
	for i in $(test_seq 100); do
		hako -C ws status --porcelain | grep -q killed && break
		sleep 0.1
	done &&
	sup=$(sed -n "s/^supervisor \([0-9]*\) .*/\1/p" ws/.hako/instances/$id/state) &&
	kill -9 $sup &&
	wait_status $id dead &&
	for i in $(test_seq 100); do
		test "$(instance_mounts)" = 0 && break
		sleep 0.1
	done &&
	test "$(instance_mounts)" = 0 &&
	hako -C ws reap >reaped && grep "^$id dead" reaped &&
	test_path_is_missing ws/.hako/instances/$id &&
	test "$(hako -C ws cat /root/killed)" = before-kill
'

test_expect_success 'a write from outside while the instance runs is kept: the instance rebases onto it' '
	id=$(hako -C ws run -d -- sh -c "echo inside >/root/in-1; exec sleep 60") &&
	wait_status $id running &&
	hako -C ws exec $id sh -c "sync /root/in-1" &&
	hako -C ws write /root/out-1 outside &&
	hako -C ws exec $id sh -c "echo inside2 >/root/in-2" &&
	hako -C ws stop -t 5 $id >/dev/null &&
	test "$(hako -C ws cat /root/in-1)" = inside &&
	test "$(hako -C ws cat /root/in-2)" = inside2 &&
	test "$(hako -C ws cat /root/out-1)" = outside &&
	hako -C ws run --rm -- cat /root/out-1 >actual &&
	printf outside >expect && test_cmp expect actual &&
	hako -C ws reap >/dev/null
'

test_expect_success 'a large file written inside is chunked and deduplicated against its copy' '
	hako -C ws run -- sh -c "head -c 200000000 /dev/urandom >/big && cp /big /big2 && md5sum /big | cut -d\" \" -f1" >inside &&
	hako -C ws cat /big | md5sum | cut -d" " -f1 >outside &&
	test_cmp inside outside &&
	hako -C ws commit -q -m big &&
	test "$(hako -C ws cat-file -t HEAD:big)" = file &&
	test "$(hako -C ws rev-parse HEAD:big)" = "$(hako -C ws rev-parse HEAD:big2)" &&
	hako -C ws run -- rm /big /big2 &&
	hako -C ws commit -q -m "drop big"
'

test_expect_success 'ls -lR inside matches the exported tree' '
	stat_all="find . -xdev | sort | xargs stat -c \"%n %a %s %F\" | awk \"\\\$4 == \\\"directory\\\" { \\\$3 = \\\"-\\\" } { print }\"" &&
	hako -C ws run -w / -- sh -c "cd / && $stat_all" >inside &&
	hako -C ws export / ../exported &&
	(cd exported && eval "busybox $stat_all" | sed "s/ busybox stat/ stat/") >outside &&
	sed -e "/^\.\/\(proc\|dev\|tmp\)\//d" inside >inside.cmp &&
	sed -e "/^\.\/\(proc\|dev\|tmp\)\//d" outside >outside.cmp &&
	test_cmp outside.cmp inside.cmp
'

test_expect_success 'the program cache: kept after a start, checked before use, pruned by gc' '
	id=$(hako -C ws rev-parse HEAD:/bin/busybox) &&
	entry=ws/.hako/cache/programs/$id &&
	hako -C ws cat /bin/busybox >busybox.stored &&
	hako -C ws run -- true &&
	cmp busybox.stored "$entry" &&
	hako -C ws run --rm -- sh -c "echo started from the cache" >out &&
	echo "started from the cache" >expect && test_cmp expect out &&
	python3 -c "import sys; p = sys.argv[1]; b = bytearray(open(p, \"rb\").read()); b[5000] ^= 1; open(p, \"wb\").write(b)" "$entry" &&
	! cmp -s busybox.stored "$entry" &&
	hako -C ws run -- sh -c "echo damaged entry refused" >out &&
	echo "damaged entry refused" >expect && test_cmp expect out &&
	cmp busybox.stored "$entry" &&
	truncate -s 100 "$entry" &&
	hako -C ws run -- true &&
	cmp busybox.stored "$entry" &&
	gone=0000000000000000000000000000000000000000000000000000000000000000 &&
	echo stale >ws/.hako/cache/programs/$gone &&
	hako -C ws gc -q &&
	cmp busybox.stored "$entry" &&
	test_path_is_missing ws/.hako/cache/programs/$gone
'

test_expect_success 'a file truncated and written again holds only the new bytes, inside and stored' '
	hako -C ws run -- sh -c "head -c 300000 /dev/urandom >/t1 && head -c 100000 /dev/zero >/t1 && wc -c </t1 && truncate -s 0 /t1 && echo short >>/t1 && cat /t1" >actual &&
	printf "100000\nshort\n" >expect &&
	test_cmp expect actual &&
	echo short >expect &&
	hako -C ws cat /t1 >actual && test_cmp expect actual &&
	hako -C ws run -- sh -c "head -c 20000000 /dev/zero >/t1 && head -c 10 /dev/zero | tr \"\\000\" x >/t1 && cat /t1" >actual &&
	printf xxxxxxxxxx >expect && test_cmp expect actual &&
	hako -C ws cat /t1 >actual && test_cmp expect actual &&
	hako -C ws run -- rm /t1
'

test_expect_success 'a hardlink made inside is one inode inside and a hardlink group in the tree' '
	hako -C ws run -- sh -c "echo one >/root/h1 && ln /root/h1 /root/h2 && stat -c %h /root/h1 /root/h2 && echo two >>/root/h2 && cat /root/h1" >actual &&
	printf "2\n2\none\ntwo\n" >expect &&
	test_cmp expect actual &&
	hako -C ws commit -q -m links &&
	hako -C ws ls-tree HEAD:root >tree &&
	grep "	h1$" tree >h1 && ! grep link= h1 &&
	grep " link=6831	h2$" tree &&
	hako -C ws export /root ../linked &&
	test "$(stat -c %i linked/h1)" = "$(stat -c %i linked/h2)" &&
	test "$(stat -c %h linked/h2)" = 2
'

test_expect_success 'a committed hardlink group is one inode again in the next run, and stays a group' '
	hako -C ws run -- sh -c "stat -c %h /root/h2 /root/h1 && echo three >>/root/h1 && cat /root/h2" >actual &&
	printf "2\n2\none\ntwo\nthree\n" >expect &&
	test_cmp expect actual &&
	hako -C ws export /root ../linked2 &&
	test "$(stat -c %i linked2/h1)" = "$(stat -c %i linked2/h2)" &&
	printf "one\ntwo\nthree\n" >expect &&
	test_cmp expect linked2/h2 &&
	hako -C ws run -- rm /root/h1 &&
	hako -C ws commit -q -m "one name left" &&
	hako -C ws export /root ../linked3 &&
	test_path_is_missing linked3/h1 &&
	test_cmp expect linked3/h2 &&
	test "$(stat -c %h linked3/h2)" = 1 &&
	hako -C ws run -- stat -c %h /root/h2 >actual &&
	echo 1 >expect && test_cmp expect actual &&
	hako -C ws run -- rm /root/h2 &&
	hako -C ws commit -q -m "no links"
'

test_expect_success 'many names looked up, the kernel caches dropped meanwhile: found again, writes kept' '
	hako -C ws run -- sh -c "mkdir /many && cd /many && for i in \$(seq 400); do echo \$i >f\$i; done" &&
	mkdir sync &&
	id=$(hako -C ws run -d --bind "$PWD/sync:/sync" -- sh -c "cat /many/f* | wc -l >/sync/count; ls -l /many >/dev/null; touch /sync/walked; while ! test -e /sync/dropped; do sleep 0.1; done; echo changed >/many/f7; rm /many/f8; cat /many/f7 /many/f399 /many/f1 >/sync/out; ls /many | wc -l >>/sync/out") &&
	for i in $(test_seq 200); do test -e sync/walked && break; sleep 0.1; done &&
	test -e sync/walked &&
	{ echo 2 >/proc/sys/vm/drop_caches 2>/dev/null || :; } &&
	touch sync/dropped &&
	hako -C ws wait $id >code &&
	echo 0 >expect && test_cmp expect code &&
	echo 400 >expect && test_cmp expect sync/count &&
	printf "changed\n399\n1\n399\n" >expect &&
	test_cmp expect sync/out &&
	test "$(hako -C ws cat /many/f7)" = changed &&
	test_must_fail hako -C ws cat /many/f8 2>/dev/null &&
	hako -C ws reap >/dev/null &&
	hako -C ws run -- rm -r /many
'

test_expect_success 'a directory of 3000 names lists whole over several replies, unchanged and changed' '
	hako -C ws run -- sh -c "mkdir /wide && cd /wide && for i in \$(seq 3000); do echo \$i >name-of-some-length-\$i; done" &&
	hako -C ws run --rm -- sh -c "ls /wide | wc -l; stat -c %s /wide/* | grep -cx 5; cat /wide/name-of-some-length-2999" >actual &&
	printf "3000\n2001\n2999\n" >expect && test_cmp expect actual &&
	hako -C ws run --rm -- sh -c "rm /wide/name-of-some-length-7 && echo x >/wide/added && ls /wide | wc -l && ls /wide | grep -c name-of && stat -c %s /wide/added" >actual &&
	printf "3000\n2999\n2\n" >expect && test_cmp expect actual &&
	hako -C ws run -- rm -r /wide
'

test_expect_success ROOT 'as root, a command run as another user gets the tree owners and modes checked' '
	hako -C ws run -- sh -c "mkdir -p /srv/own /srv/locked && echo secret >/srv/locked/s && chmod 600 /srv/locked/s && chown 65534:65534 /srv/own" &&
	test_must_fail hako -C ws run --rm -u 65534 -- cat /srv/locked/s 2>err &&
	grep "Permission denied" err &&
	test_must_fail hako -C ws run --rm -u 65534 -- sh -c "echo x >/srv/new" 2>err &&
	grep "Permission denied" err &&
	hako -C ws run -u 65534 -- sh -c "echo mine >/srv/own/f" &&
	test "$(hako -C ws cat /srv/own/f)" = mine &&
	hako -C ws run -- sh -c "cat /srv/locked/s && rm -r /srv/own /srv/locked" >out &&
	echo secret >expect && test_cmp expect out
'

test_expect_success '--auto-mount binds the host paths named in the arguments' '
	mkdir host-dir && echo from-host >host-dir/in &&
	hako -C ws run --rm --auto-mount -- sh -c "cat \"\$1/in\" && echo from-inside >\"\$1/out\"" sh ./host-dir >out &&
	echo from-host >expect && test_cmp expect out &&
	echo from-inside >expect && test_cmp expect host-dir/out &&
	hako -C ws run --rm -- sh -c "test ! -e \"$PWD/host-dir\""
'

test_expect_success '--bind-profile adds the bind values of [bind-profile "NAME"] in ~/.config/hako/config' '
	mkdir -p cfg/hako prof-dir && echo profiled >prof-dir/in &&
	cat >cfg/hako/config <<-EOF &&
	[bind-profile "dev"]
		bind = "$PWD/prof-dir:/mnt/prof:ro" # the project
		bind = $PWD/host-dir
	[bind-profile "empty"]
	EOF
	XDG_CONFIG_HOME=$PWD/cfg hako -C ws run --rm --bind-profile dev --bind-profile empty -- sh -c "cat /mnt/prof/in; cat \"$PWD/host-dir/in\"; echo x >/mnt/prof/w 2>/dev/null || echo read-only" >out &&
	printf "profiled\nfrom-host\nread-only\n" >expect && test_cmp expect out &&
	test_must_fail env "XDG_CONFIG_HOME=$PWD/cfg" hako -C ws run --rm --bind-profile nope -- true 2>err &&
	test_line_count = 1 err && grep "^fatal: .*unknown bind profile .nope. (known: dev, empty)" err
'

test_expect_success 'the profiles of an old config.toml move into the config once, with one note' '
	mkdir -p mig/hako x &&
	printf "[user]\n\tname = Keep Me\n" >mig/hako/config &&
	printf "[bind_profiles]\ndev = [\"%s:/mnt/prof:ro\"]\ntools = [\"%s\", \"~/x:/x\"]\n" "$PWD/prof-dir" "$PWD/host-dir" >mig/hako/config.toml &&
	cp mig/hako/config.toml old.toml &&
	XDG_CONFIG_HOME=$PWD/mig hako -C ws run --rm --bind-profile dev -- cat /mnt/prof/in >out 2>err &&
	echo profiled >expect && test_cmp expect out &&
	grep "bind profiles" err >note &&
	echo "note: moved bind profiles dev, tools from $PWD/mig/hako/config.toml to $PWD/mig/hako/config ([bind-profile \"NAME\"] sections); the old file is now $PWD/mig/hako/config.toml.migrated" >expect &&
	test_cmp expect note &&
	test_path_is_missing mig/hako/config.toml &&
	test_cmp old.toml mig/hako/config.toml.migrated &&
	echo "Keep Me" >expect &&
	XDG_CONFIG_HOME=$PWD/mig hako config user.name >actual && test_cmp expect actual &&
	printf "%s\n~/x:/x\n" "$PWD/host-dir" >expect &&
	XDG_CONFIG_HOME=$PWD/mig hako config --get-all bind-profile.tools.bind >actual && test_cmp expect actual &&
	XDG_CONFIG_HOME=$PWD/mig hako -C ws run --rm --bind-profile tools -- cat "$PWD/host-dir/in" >out 2>err &&
	echo from-host >expect && test_cmp expect out &&
	! grep "bind profiles" err
'

test_expect_success 'a migration cut short between its two steps completes; a clash or a bad config.toml is one fatal line' '
	cp old.toml mig/hako/config.toml &&
	cp mig/hako/config before &&
	XDG_CONFIG_HOME=$PWD/mig hako -C ws run --rm --bind-profile dev -- true 2>err &&
	grep "^note: moved bind profiles dev, tools" err &&
	test_cmp before mig/hako/config &&
	test_path_is_missing mig/hako/config.toml &&
	printf "[bind_profiles]\ndev = [\"/elsewhere\"]\n" >mig/hako/config.toml &&
	test_must_fail env "XDG_CONFIG_HOME=$PWD/mig" hako -C ws run --rm --bind-profile dev -- true 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: $PWD/mig/hako/config.toml: bind profile .dev. is also in $PWD/mig/hako/config, with other binds: keep one of them$" err &&
	test_cmp before mig/hako/config &&
	printf "[bind_profiles\n" >mig/hako/config.toml &&
	test_must_fail env "XDG_CONFIG_HOME=$PWD/mig" hako -C ws run --rm --bind-profile dev -- true 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: $PWD/mig/hako/config.toml:1: " err &&
	test_path_is_file mig/hako/config.toml &&
	test_cmp before mig/hako/config
'

test_expect_success 'a container already running in persistent mode is refused' '
	id=$(hako -C ws run -d -- sleep 60) &&
	wait_status $id running &&
	test_must_fail hako -C ws run -- true 2>err &&
	test_line_count = 1 err && grep "^fatal: container .default. is already running as instance $id" err &&
	hako -C ws run --rm -- true &&
	hako -C ws kill $id &&
	hako -C ws wait $id >code && echo 137 >expect && test_cmp expect code &&
	hako -C ws reap >/dev/null
'

test_expect_success 'bad input: one fatal line, non-zero exit, no state or mount left' '
	ls ws/.hako/instances >before &&
	test_must_fail hako -C ws run nosuch -- true 2>err &&
	test_line_count = 1 err && grep "^fatal: no such container or revision .nosuch." err &&
	test_expect_code 127 hako -C ws run -- nosuchcmd 2>err &&
	test_line_count = 1 err && grep "^fatal: nosuchcmd: command not found" err &&
	test_must_fail hako -C ws stop nosuchinstance 2>err &&
	test_line_count = 1 err && grep "^fatal: no such instance .nosuchinstance." err &&
	test_must_fail hako -C ws logs nosuchinstance 2>err &&
	test_line_count = 1 err && grep "^fatal: no such instance" err &&
	test_must_fail hako -C ws exec nosuchinstance true 2>err &&
	test_line_count = 1 err && grep "^fatal: no such instance" err &&
	test_must_fail hako -C ws run --rm --commit -- true 2>err &&
	test_line_count = 1 err && grep "^fatal: usage: --commit" err &&
	ls ws/.hako/instances >after && test_cmp before after &&
	test "$(instance_mounts)" = 0 &&
	hako -C ws status --porcelain >actual && test_must_be_empty actual
'

test_expect_success 'exec into an instance that has exited is refused' '
	id=$(hako -C ws run -d -- true) &&
	hako -C ws wait $id >code && echo 0 >expect && test_cmp expect code &&
	test_must_fail hako -C ws exec $id true 2>err &&
	test_line_count = 1 err && grep "^fatal: instance $id is not running (exited)" err &&
	hako -C ws reap >/dev/null
'

test_expect_success 'without fusermount3 the error says FUSE is unavailable' '
	mkdir nofuse && ln -s "$HAKO_BUILD_DIR/hako" nofuse/hako &&
	test_must_fail env PATH="$PWD/nofuse" hako -C ws run -- true 2>err &&
	test_line_count = 1 err && grep "^fatal: FUSE is not available: fusermount3 is missing" err
'

# An unprivileged user needs /dev/fuse (mode 0666 where fuse3's udev rule
# applies) and user namespaces.
test_lazy_prereq USER_FUSE '
	test "$(id -u)" = 0 &&
	make_hakotest &&
	setpriv --reuid=hakotest --regid=hakotest --init-groups -- \
		sh -c "test -r /dev/fuse && test -w /dev/fuse && unshare -Ur true"
'
test_prereq_reason USER_FUSE "needs root (to create the user hakotest), and /dev/fuse and user namespaces usable by that user"

test_expect_success USER_FUSE 'as an unprivileged user: run writes into the container, exec and stop work' '
	hakotest_dir t7100 &&
	as_user ./hako init -q ws &&
	as_user ./hako -C ws run -- sh -c "echo by-user >/root/u" &&
	as_user ./hako -C ws status --porcelain >actual &&
	echo "A root/u" >expect && test_cmp expect actual &&
	id=$(as_user ./hako -C ws run -d -- sleep 30) &&
	as_user ./hako -C ws exec $id cat /root/u >actual &&
	echo by-user >expect && test_cmp expect actual &&
	as_user ./hako -C ws run --rm -u 1000 -- id -u >actual &&
	echo 1000 >expect && test_cmp expect actual &&
	as_user ./hako -C ws stop -t 1 $id >/dev/null
'

test_done
