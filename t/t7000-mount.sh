#!/bin/sh
test_description='hako mount / umount: a tree served read-only through FUSE'
# The root's mode comes from the tree's "." record; a hardlink member reads
# as its own file.
. ./test-lib.sh

skip_unless_fuse
if ! command -v getfattr >/dev/null 2>&1; then
	skip_all "getfattr is missing (apt-get install attr)"
fi

# Whether a hako mount is on directory $1.
mounted () {
	grep -qF "hako $(cd "$1" && pwd -P | sed "s/ /\\\\040/g") fuse" /proc/self/mounts
}

# Unmount whatever is still mounted on $1 (lazy, so a busy mount goes too).
cleanup_mount () {
	if mounted "$1"; then
		fusermount3 -u -z "$1" 2>/dev/null
	fi
	return 0
}

test_expect_success 'setup: a tagged tree with modes, a symlink, an xattr and a chunked file' '
	mkdir src src/dir src/empty &&
	printf "hello\n" >src/hello &&
	printf "#!/bin/sh\n" >src/dir/tool && chmod 755 src/dir/tool &&
	printf "secret\n" >src/dir/private && chmod 600 src/dir/private &&
	ln -s dir/tool src/link &&
	head -c 3000000 /dev/urandom >src/big &&
	echo x >src/attr && setfattr -n user.colour -v blue src/attr &&
	ln src/hello src/dir/hello-link &&
	chmod 750 src &&
	hako init -q --empty ws &&
	hako -C ws import --owners ../src / &&
	hako -C ws commit -q -m snapshot &&
	hako -C ws tag v1 &&
	test "$(hako -C ws cat-file -t v1:big)" = file &&
	hako -C ws export v1:/ ../exported
'

test_expect_success 'mount a tag; diff -r against export is empty' '
	mkdir mnt &&
	test_when_finished "cleanup_mount mnt" &&
	hako -C ws mount v1 ../mnt &&
	mounted mnt &&
	diff -r exported mnt
'

test_expect_success 'ls -l shows modes and sizes' '
	test_when_finished "cleanup_mount mnt" &&
	hako -C ws mount v1 ../mnt &&
	ls -l mnt/hello >out && grep "^-rw-r--r-- .* 6 " out &&
	ls -l mnt/dir/tool >out && grep "^-rwxr-xr-x .* 10 " out &&
	ls -l mnt/dir/private >out && grep "^-rw------- " out &&
	ls -ld mnt/dir >out && grep "^drwxr-xr-x " out &&
	ls -ld mnt >out && grep "^drwxr-x--- " out &&
	ls -l mnt/dir/hello-link >out && grep "^-rw-r--r-- .* 6 " out &&
	ls -l mnt/big >out && grep " 3000000 " out &&
	ls -a mnt/empty >actual && printf ".\n..\n" >expect && test_cmp expect actual &&
	ls -a mnt >actual &&
	printf ".\n..\nattr\nbig\ndir\nempty\nhello\nlink\n" >expect && test_cmp expect actual
'

# access(2) with X_OK of each path (not the shell's test -x, which checks
# the mode itself for root): "PATH yes" or "PATH no".
can_exec () {
	for p in "$@"; do
		if python3 -c "import os, sys; sys.exit(not os.access(sys.argv[1], os.X_OK))" "$p"; then
			echo "$p yes"
		else
			echo "$p no"
		fi
	done
}

test_expect_success 'access(2): X_OK only where an execute bit is set, on both mounts' '
	test_when_finished "cleanup_mount mnt" &&
	printf "mnt/hello no\nmnt/dir/tool yes\nmnt/dir yes\n" >expect &&
	hako -C ws mount v1 ../mnt &&
	can_exec mnt/hello mnt/dir/tool mnt/dir >actual &&
	test_cmp expect actual &&
	hako umount mnt &&
	hako -C ws mount --rw ../mnt &&
	can_exec mnt/hello mnt/dir/tool mnt/dir >actual &&
	test_cmp expect actual
'

test_expect_success 'a symlink, an xattr and a chunked file read back' '
	test_when_finished "cleanup_mount mnt" &&
	hako -C ws mount v1 ../mnt &&
	test -L mnt/link &&
	echo dir/tool >expect && readlink mnt/link >actual && test_cmp expect actual &&
	getfattr -n user.colour --only-values mnt/attr >actual &&
	printf blue >expect && test_cmp expect actual &&
	getfattr -d mnt/attr >actual && grep "^user.colour=\"blue\"" actual &&
	cmp src/big mnt/big &&
	dd if=mnt/big bs=1000 skip=1500 count=10 2>/dev/null >part &&
	dd if=src/big bs=1000 skip=1500 count=10 2>/dev/null >expect &&
	cmp expect part
'

test_expect_success 'writes fail with Read-only file system' '
	test_when_finished "cleanup_mount mnt" &&
	hako -C ws mount v1 ../mnt &&
	test_must_fail sh -c "echo x >mnt/new" 2>err &&
	grep "Read-only file system" err &&
	test_must_fail sh -c "echo x >>mnt/hello" 2>err &&
	grep "Read-only file system" err &&
	test_must_fail mkdir mnt/d 2>err && grep "Read-only file system" err &&
	test_must_fail rm mnt/hello 2>err && grep "Read-only file system" err &&
	test_must_fail chmod 777 mnt/hello 2>err && grep "Read-only file system" err &&
	printf "hello\n" >expect && test_cmp expect mnt/hello
'

test_expect_success 'after the kernel drops its caches, every name is found again' '
	test_when_finished "cleanup_mount mnt" &&
	hako -C ws mount v1 ../mnt &&
	(cd mnt && find . | sort | xargs ls -ld | sed "s/ [A-Z][a-z][a-z] .*:[0-9][0-9] / /") >before &&
	{ echo 2 >/proc/sys/vm/drop_caches 2>/dev/null || :; } &&
	(cd mnt && find . | sort | xargs ls -ld | sed "s/ [A-Z][a-z][a-z] .*:[0-9][0-9] / /") >after &&
	test_cmp before after &&
	diff -r exported mnt
'

test_expect_success 'umount unmounts' '
	test_when_finished "cleanup_mount mnt" &&
	hako -C ws mount v1 ../mnt &&
	hako umount mnt &&
	! mounted mnt &&
	ls -A mnt >actual && test_must_be_empty actual
'

test_expect_success 'mount defaults to HEAD; the foreground server unmounts on SIGTERM' '
	test_when_finished "cleanup_mount mnt" &&
	(hako -C ws mount -f ../mnt & echo $! >pid) &&
	for i in $(test_seq 150); do  # up to 30 s: a loaded CI machine is slow
		mounted mnt && break
		sleep 0.2
	done &&
	diff -r exported mnt &&
	kill -TERM $(cat pid) &&
	for i in $(test_seq 150); do  # up to 30 s: a loaded CI machine is slow
		mounted mnt || break
		sleep 0.2
	done &&
	! mounted mnt
'

test_expect_success 'mount --rw: host tools write into the working root' '
	test_when_finished "cleanup_mount mnt" &&
	hako -C ws mount --rw ../mnt &&
	echo new >mnt/newfile &&
	mkdir -p mnt/d1/d2 && echo deep >mnt/d1/d2/f &&
	rm mnt/hello && mv mnt/link mnt/link2 &&
	chmod 700 mnt/dir/tool && mkfifo mnt/fifo &&
	ln -s newfile mnt/sym && setfattr -n user.k -v v mnt/newfile &&
	head -c 2000000 /dev/urandom >mnt/big2 && cat mnt/big2 >expect-big2 &&
	hako umount mnt &&
	! mounted mnt &&
	hako -C ws status --porcelain >actual &&
	cat >expect <<-\EOF &&
	A big2
	A d1/d2/f
	M dir/tool
	A fifo
	D hello
	D link
	A link2
	A newfile
	A sym
	EOF
	test_cmp expect actual &&
	test "$(hako -C ws cat /newfile)" = new &&
	test "$(hako -C ws cat /d1/d2/f)" = deep &&
	hako -C ws cat /big2 >actual-big2 && cmp expect-big2 actual-big2 &&
	hako -C ws ls -l /dir/tool >out && grep "^100700" out &&
	hako -C ws ls -l /fifo >out && grep "^010" out &&
	hako -C ws ls -l /sym >out && grep "sym@ -> newfile" out &&
	hako -C ws ls-tree HEAD >/dev/null &&
	hako -C ws commit -q -m "written through mount --rw" &&
	hako -C ws status --porcelain >actual && test_must_be_empty actual
'

test_expect_success 'mount --rw takes no REV' '
	test_must_fail hako -C ws mount --rw v1 ../mnt 2>err &&
	test_line_count = 1 err && grep "^fatal: .*--rw" err &&
	! mounted mnt
'

test_expect_success 'a bad REV fails with one fatal line and mounts nothing' '
	test_must_fail hako -C ws mount nosuchrev ../mnt 2>err &&
	test_line_count = 1 err && grep "^fatal: " err &&
	! mounted mnt
'

test_expect_success 'a missing or non-empty mountpoint fails with one fatal line' '
	test_must_fail hako -C ws mount v1 ../nowhere 2>err &&
	test_line_count = 1 err && grep "^fatal: .*nowhere" err &&
	test_must_fail hako -C ws mount v1 ../src 2>err &&
	test_line_count = 1 err && grep "^fatal: .*not empty" err
'

test_expect_success 'umount of something that is not a hako mount fails' '
	test_must_fail hako umount src 2>err &&
	test_line_count = 1 err && grep "^fatal: .*not a hako mount" err &&
	test_must_fail hako umount nowhere 2>err &&
	test_line_count = 1 err && grep "^fatal: " err
'

test_done
