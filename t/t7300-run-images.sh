#!/bin/sh
test_description='run on trees shaped like real images: usr-merged paths, exit codes of missing commands, capabilities, modes set by ACL, live instances'
. ./test-lib.sh

skip_unless_fuse
skip_unless_busybox
skip_unless_userns
. "$TEST_DIRECTORY/lib-run.sh"

test_lazy_prereq ACLMODE 'gcc -static -O2 -o "$TRASH_DIRECTORY/aclmode" "$TEST_DIRECTORY/helpers/aclmode.c" 2>/dev/null'
test_lazy_prereq PROBEINIT 'gcc -static -O2 -o "$TRASH_DIRECTORY/probe-init" "$TEST_DIRECTORY/helpers/probe-init.c" 2>/dev/null'
test_prereq_reason PROBEINIT "cannot build t/helpers/probe-init.c with gcc -static (apt-get install gcc libc6-dev)"
test_prereq_reason ACLMODE "cannot build t/helpers/aclmode.c with gcc -static (apt-get install gcc libc6-dev)"

test_expect_success 'setup: a usr-merged root (bin -> usr/bin, sbin -> usr/sbin, lib64 -> /usr/lib64)' '
	mkdir -p um/usr/bin um/usr/sbin um/usr/lib64 um/etc um/root um/tmp um/proc um/dev um/sys &&
	cp "$(command -v busybox)" um/usr/bin/busybox &&
	for a in sh echo cat grep id ls stat sleep true; do
		ln -s busybox um/usr/bin/$a || return 1
	done &&
	ln -s ../bin/busybox um/usr/sbin/halt &&
	ln -s usr/bin um/bin &&
	ln -s usr/sbin um/sbin &&
	ln -s /usr/lib64 um/lib64 &&
	ln -s loop um/loop &&
	echo "root:x:0:0:root:/root:/bin/sh" >um/etc/passwd &&
	echo "not a program" >um/etc/motd &&
	chmod 644 um/etc/motd &&
	hako init -q ws &&
	hako -C ws new-container --empty um &&
	hako -C ws -c um import "$PWD/um" / &&
	hako -C ws -c um commit -q -m "usr-merged root"
'

test_expect_success 'absolute commands through a symlinked directory run (FUSE and --materialize)' '
	hako -C ws run --rm um -- /bin/sh -c "echo ok" >out &&
	echo ok >expect && test_cmp expect out &&
	hako -C ws run --rm um -- /sbin/halt --help >/dev/null 2>&1;
	hako -C ws run --rm --materialize um -- /bin/sh -c "echo ok" >out &&
	test_cmp expect out &&
	hako -C ws run --rm um -- /lib64/../bin/echo up >out &&
	echo up >expect && test_cmp expect out
'

test_expect_success 'the default command (/bin/sh) of a usr-merged root starts' '
	echo "echo from-stdin" | hako -C ws run --rm -i um >out &&
	echo from-stdin >expect && test_cmp expect out
'

test_expect_success 'a missing command exits 127 naming it, a bare name searched through symlinked PATH dirs' '
	test_expect_code 127 hako -C ws run --rm um -- nosuchcmd 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: nosuchcmd: command not found$" err &&
	test_expect_code 127 hako -C ws run --rm um -- /bin/nosuchcmd 2>err &&
	grep "^fatal: /bin/nosuchcmd: No such file or directory$" err &&
	test_expect_code 127 hako -C ws run --rm um -- /usr/nosuchdir/x 2>err &&
	grep "^fatal: /usr/nosuchdir/x: No such file or directory$" err
'

test_expect_success 'a file that is not executable, a directory, a path through a file or a loop: 126' '
	test_expect_code 126 hako -C ws run --rm um -- /etc/motd 2>err &&
	grep "^fatal: /etc/motd: Permission denied$" err &&
	test_expect_code 126 hako -C ws run --rm um -- /usr 2>err &&
	grep "^fatal: /usr: Is a directory$" err &&
	test_expect_code 126 hako -C ws run --rm um -- /etc/motd/x 2>err &&
	grep "^fatal: /etc/motd/x: Not a directory$" err &&
	test_expect_code 126 hako -C ws run --rm um -- /loop/x 2>err &&
	grep "^fatal: /loop/x: Too many levels of symbolic links$" err
'

test_expect_success 'a command provided by a bind is found' '
	printf "#!/bin/sh\necho bound\n" >tool && chmod +x tool &&
	hako -C ws run --rm --bind "$PWD/tool:/usr/local/bin/tool" um -- tool >out 2>err &&
	echo bound >expect && test_cmp expect out &&
	mkdir -p bin2 && cp tool bin2/tool2 &&
	hako -C ws run --rm --bind "$PWD/bin2:/opt/bin" -e PATH=/opt/bin:/bin um -- tool2 >out &&
	test_cmp expect out
'

test_expect_success 'the container root has podman'"'"'s default capabilities; --cap-add/--cap-drop change them' '
	hako -C ws run --rm um -- grep CapEff /proc/self/status >out &&
	printf "CapEff:\t00000000800405fb\n" >expect && test_cmp expect out &&
	hako -C ws run --rm um -- grep CapBnd /proc/self/status >out &&
	printf "CapBnd:\t00000000800405fb\n" >expect && test_cmp expect out &&
	hako -C ws run --rm --cap-drop ALL um -- grep CapEff /proc/self/status >out &&
	printf "CapEff:\t0000000000000000\n" >expect && test_cmp expect out &&
	hako -C ws run --rm --cap-drop chown,CAP_KILL --cap-add NET_RAW um -- grep CapEff /proc/self/status >out &&
	printf "CapEff:\t00000000800425da\n" >expect && test_cmp expect out &&
	hako -C ws run --rm -u 1000 um -- grep CapEff /proc/self/status >out &&
	printf "CapEff:\t0000000000000000\n" >expect && test_cmp expect out &&
	test_expect_code 125 hako -C ws run --rm --cap-add CAP_NOPE um -- true 2>err &&
	grep "^fatal: unknown capability .CAP_NOPE." err
'

test_expect_success 'hako exec gets the capabilities of the run it joins, never more' '
	id=$(hako -C ws run -d --rm --cap-drop ALL um -- sleep 30) &&
	test_when_finished "hako -C ws stop -t 1 $id >/dev/null 2>&1 || :" &&
	hako -C ws exec $id grep -E "^Cap(Eff|Bnd):" /proc/self/status >out &&
	printf "CapEff:\t0000000000000000\nCapBnd:\t0000000000000000\n" >expect && test_cmp expect out &&
	id2=$(hako -C ws run -d --rm --cap-drop chown --cap-add NET_RAW um -- sleep 30) &&
	test_when_finished "hako -C ws stop -t 1 $id2 >/dev/null 2>&1 || :" &&
	hako -C ws exec $id2 grep CapEff /proc/self/status >out &&
	printf "CapEff:\t00000000800425fa\n" >expect && test_cmp expect out
'

test_expect_success ROOT 'hako exec stands as the run it joins: none of the caller'"'"'s groups, its --keep-cap for a non-root user' '
	fields="grep -E \"^(Groups|CapEff|CapBnd|NoNewPrivs|Seccomp):\" /proc/self/status" &&
	hako -C ws run --rm -u 1000 --keep-cap um -- sh -c "$fields" >expect &&
	grep "^Groups:[[:space:]]*$" expect && ! grep "^CapEff:[[:space:]]*0*$" expect &&
	id=$(hako -C ws run -d --rm -u 1000 --keep-cap um -- sleep 30) &&
	test_when_finished "hako -C ws stop -t 1 $id >/dev/null 2>&1 || :" &&
	# The caller holds the host'"'"'s disk group: root'"'"'s 1:1 map would show it inside.
	setpriv --groups 6 -- hako -C ws exec $id sh -c "$fields" >out &&
	test_cmp expect out
'

test_expect_success 'with those capabilities root inside may chown, but never gains host power' '
	hako -C ws run --rm um -- sh -c "echo x >/tmp/f && chown 42:42 /tmp/f && stat -c %u /tmp/f" >out &&
	echo 42 >expect && test_cmp expect out &&
	test_must_fail hako -C ws run --rm um -- sh -c "echo 3 >/proc/sys/vm/drop_caches" 2>/dev/null &&
	test_must_fail hako -C ws run --rm um -- busybox mknod /tmp/mem c 1 1 2>/dev/null
'

test_expect_success ACLMODE 'a mode set by an access ACL (sed -i, cp -p) is the mode inside, after rename, and stored' '
	hako -C ws run --bind "$TRASH_DIRECTORY/aclmode:/usr/local/bin/aclmode" um -- aclmode /etc >out &&
	echo 644 >expect && test_cmp expect out &&
	hako -C ws -c um ls -l /etc/target >ls.out &&
	grep "^100644 .* target$" ls.out &&
	hako -C ws -c um write-tree >/dev/null 2>&1;
	hako -C ws -c um ls-tree -r WORKING >tree.out &&
	grep "	etc/target$" tree.out &&
	! grep "posix_acl" tree.out
'

test_expect_success 'checkout, reset --hard and merge refuse a container whose instance is running' '
	hako -C ws -c um branch side &&
	id=$(hako -C ws run -d um -- sleep 100) &&
	test_when_finished "hako -C ws stop $id >/dev/null 2>&1; hako -C ws reap $id >/dev/null 2>&1; true" &&
	wait_status $id running &&
	test_must_fail hako -C ws -c um checkout side 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: checkout: container .um. has a running instance $id" err &&
	test_must_fail hako -C ws -c um reset --hard HEAD 2>err &&
	grep "^fatal: reset --hard: container .um. has a running instance $id" err &&
	test_must_fail hako -C ws -c um merge side 2>err &&
	grep "^fatal: merge: container .um. has a running instance $id" err &&
	hako -C ws -c um checkout --force side &&
	hako -C ws stop $id >/dev/null
'

test_expect_success 'two branches that each wrote a file under /etc merge cleanly (directory mtimes never conflict)' '
	hako -C ws new-container --from um:HEAD mt 2>/dev/null || hako -C ws -c um new-container --from HEAD mt &&
	hako -C ws -c mt branch other &&
	hako -C ws run mt -- sh -c "echo a >/etc/a" &&
	hako -C ws -c mt commit -q -m a &&
	hako -C ws -c mt checkout other &&
	sleep 1 &&
	hako -C ws run mt -- sh -c "echo b >/etc/b" &&
	hako -C ws -c mt commit -q -m b &&
	hako -C ws -c mt ls-tree HEAD >theirs.tree &&
	hako -C ws -c mt checkout main &&
	hako -C ws -c mt merge -m both other >out 2>&1 &&
	! grep -i conflict out &&
	echo a >expect && hako -C ws -c mt cat /etc/a >actual && test_cmp expect actual &&
	echo b >expect && hako -C ws -c mt cat /etc/b >actual && test_cmp expect actual &&
	# The later mtime (the other branch'"'"'s, written a second later) is kept.
	grep "	etc$" theirs.tree | sed "s/.*mtime=\([0-9.]*\).*/\1/" >expect &&
	hako -C ws -c mt ls-tree HEAD | grep "	etc$" | sed "s/.*mtime=\([0-9.]*\).*/\1/" >actual &&
	test -s expect && test_cmp expect actual
'

test_expect_success PROBEINIT 'pid 1 is sealed: no ptrace, no memory, no environment, only its standard descriptors' '
	cat >expect <<-\EOF &&
	attach EPERM
	seize EPERM
	mem EACCES
	environ EACCES
	fds 3
	EOF
	for opt in "" --materialize "--cap-add SYS_PTRACE"
	do
		SECRET_TOKEN=leak hako -C ws run --rm $opt \
			--bind "$TRASH_DIRECTORY/probe-init:/usr/local/bin/probe" um -- probe >actual &&
		test_cmp expect actual || return 1
	done
'

test_expect_success 'the caller environment reaches neither the command nor pid 1' '
	SECRET_TOKEN=leak hako -C ws run --rm um -- sh -c "env; cat /proc/1/environ /proc/1/cmdline 2>/dev/null; true" >out &&
	! grep SECRET_TOKEN out &&
	! grep leak out
'

test_expect_success '--auto-mount: an output file reaches the host; bare relative paths; ./ is the caller'"'"'s under -C; the caller'"'"'s directory inside' '
	mkdir -p host/sub && echo in >host/in.txt && echo s >host/sub/s.txt &&
	hako -C ws run --rm --auto-mount um -- busybox cp "$PWD/host/in.txt" "$PWD/host/out.txt" &&
	test_cmp host/in.txt host/out.txt &&
	(cd host && hako -C ../ws run --rm --auto-mount um -- cat sub/s.txt in.txt) >out &&
	printf "s\nin\n" >expect && test_cmp expect out &&
	(cd host && hako -C ../ws run --rm --auto-mount um -- busybox cp ./in.txt ./new.txt) &&
	test_cmp host/in.txt host/new.txt &&
	(cd host && hako -C ../ws run --rm --auto-mount um -- sh -c "pwd" ./) >out &&
	(cd host && pwd -P) >expect && test_cmp expect out &&
	# A word that names nothing on the host is left alone.
	hako -C ws run --rm --auto-mount um -- echo no-such-thing >out &&
	echo no-such-thing >expect && test_cmp expect out
'

test_expect_success 'options of unshare-exec that run takes too; an option after the container is named as one' '
	mkdir -p hostdir && echo payload >hostdir/f &&
	hako -C ws run --rm --hostname box --mount "$PWD/hostdir:/mnt/h:ro" --new-session --die-with-parent um -- /bin/sh -c "cat /proc/sys/kernel/hostname; cat /mnt/h/f" >out &&
	printf "box\npayload\n" >expect && test_cmp expect out &&
	test_expect_code 129 hako -C ws run --rm um --map-users -- /bin/sh -c true 2>err &&
	test_line_count = 1 err &&
	grep "option .--map-users. must come before the container" err &&
	test_expect_code 129 hako -C ws run --rm --no-such-option um -- true 2>err &&
	grep "unknown option .--no-such-option." err &&
	test_expect_code 125 hako -C ws run --rm --memory 12x um -- true 2>err &&
	grep "memory .12x." err &&
	test_expect_code 127 hako -C ws run --rm um -- -x 2>err &&
	grep "command not found" err
'

test_expect_success 'exited instances are kept only up to run.keepExited; ps shows ages a person reads' '
	hako -C ws run --rm um -- true &&
	printf "[run]\n\tkeepExited = 2\n" >>ws/.hako/config &&
	for i in 1 2 3 4; do hako -C ws run --name keep$i um -- true || return 1; done &&
	hako -C ws ps -a >ps.out &&
	grep -c " exited " ps.out >n &&
	echo 3 >expect && test_cmp expect n &&
	grep "^[0-9a-f]* *keep4 .* exited .*seconds\{0,1\} ago" ps.out &&
	! grep " keep1 " ps.out &&
	hako -C ws ps -a --json >ps.json &&
	grep "\"finished\": [0-9]" ps.json
'

test_done
