#!/bin/sh
test_description='write-tree and checkout-tree round-trip real directories'
. ./test-lib.sh

test_expect_success 'setup' '
	hako init -q ws
'

test_expect_success 'a crafted directory round-trips: modes, symlinks, empty dirs' '
	mkdir -p src/a/b src/empty src/ro &&
	echo one >src/a/one && echo two >src/a/b/two &&
	printf "#!/bin/sh\n" >src/exec && chmod 755 src/exec &&
	echo secret >src/private && chmod 600 src/private &&
	ln -s a/one src/link && ln -s /nonexistent src/dangling &&
	echo r >src/ro/file && chmod 555 src/ro &&
	perl -e "print q(z) x 300000" >src/big &&
	T=$(hako -C ws write-tree ../src) &&
	hako -C ws checkout-tree $T ../out &&
	diff -r --no-dereference src out &&
	test "$(stat -c %a out/exec)" = 755 &&
	test "$(stat -c %a out/private)" = 600 &&
	test "$(stat -c %a out/ro)" = 555 &&
	test "$(readlink out/dangling)" = /nonexistent &&
	test_path_is_dir out/empty &&
	chmod 755 out/ro src/ro
'

test_expect_success 'write-tree is deterministic and content-addressed' '
	T1=$(hako -C ws write-tree ../src) &&
	T2=$(hako -C ws write-tree ../out) &&
	test "$T1" = "$T2"
'

test_expect_success 'a large file is chunked; hash-object -t file agrees with the tree' '
	T=$(hako -C ws write-tree ../src) &&
	id=$(hako -C ws rev-parse $T:big) &&
	echo file >expect && hako -C ws cat-file -t $id >actual && test_cmp expect actual &&
	hako -C ws ls-tree $T big >actual &&
	printf "100644 file %s\tbig\n" $id >expect && test_cmp expect actual &&
	hako -C ws hash-object -t file ../src/big >actual && echo $id >expect && test_cmp expect actual &&
	hako -C ws cat-file -p $id >big.out && test_cmp src/big big.out
'

test_expect_success 'a real directory round-trips (/usr/share/doc or the toolchain sources)' '
	if test -d /usr/share/doc && test $(find /usr/share/doc -type f | head -n 200 | wc -l) -ge 100; then
		real=/usr/share/doc
	else
		real=$(rustc --print sysroot)/lib/rustlib
	fi &&
	T=$(hako -C ws write-tree "$real") &&
	hako -C ws checkout-tree $T ../real.out &&
	diff -r --no-dereference "$real" real.out &&
	find "$real" | wc -l >count.src && find real.out | wc -l >count.out &&
	test_cmp count.src count.out
'

test_expect_success ROOT 'devices and fifos are recorded and recreated (as root)' '
	mkdir dev && mknod dev/null c 1 3 && mkfifo dev/fifo &&
	T=$(hako -C ws write-tree ../dev) &&
	hako -C ws ls-tree $T >ls &&
	grep "^020666 none $ZERO_OID rdev=1,3	null$" ls ||
	grep "^020[0-7]* none $ZERO_OID rdev=1,3	null$" ls &&
	grep "^010[0-7]* none $ZERO_OID	fifo$" ls &&
	hako -C ws checkout-tree --owners $T ../dev.out &&
	test -c dev.out/null && test -p dev.out/fifo
'

test_expect_success ROOT 'owners are recorded with --owners and restored as root' '
	mkdir own && echo x >own/f && chown 1234:5678 own/f &&
	T=$(hako -C ws write-tree --owners ../own) &&
	hako -C ws ls-tree $T >ls &&
	grep " uid=1234 gid=5678 mtime=[0-9.]*	f$" ls &&
	hako -C ws checkout-tree --owners $T ../own.out &&
	test "$(stat -c %u:%g own.out/f)" = 1234:5678
'

test_lazy_prereq XATTR 'echo x >f && setfattr -n user.hako -v 1 f 2>/dev/null'
test_prereq_reason XATTR "setfattr missing (apt-get install attr) or the filesystem has no user xattrs"

test_expect_success XATTR 'extended attributes are recorded with --owners and restored' '
	mkdir xa && echo x >xa/f && setfattr -n user.colour -v blue xa/f &&
	T=$(hako -C ws write-tree --owners ../xa) &&
	hako -C ws ls-tree $T >ls &&
	grep "xattr=$(printf user.colour | od -An -tx1 | tr -d " \n"):$(printf blue | od -An -tx1 | tr -d " \n")	f$" ls &&
	T2=$(hako -C ws write-tree ../xa) &&
	test "$T" != "$T2" &&
	hako -C ws checkout-tree --owners $T ../xa.out &&
	getfattr -n user.colour --only-values xa.out/f >actual &&
	printf blue >expect && test_cmp expect actual
'

hex () {
	printf "%s" "$1" | od -An -tx1 | tr -d " \n"
}

test_expect_success ROOT 'device nodes and fifos get their exact mode whatever the umask' '
	mkdir devm && mknod -m 666 devm/null c 1 3 && mkfifo -m 666 devm/fifo &&
	mknod -m 640 devm/sda b 8 0 &&
	T=$(hako -C ws write-tree ../devm) &&
	(umask 077 && hako -C ws checkout-tree --owners $T ../devm.out) &&
	echo "666 666 640" >expect &&
	echo $(stat -c %a devm.out/null devm.out/fifo devm.out/sda) >actual &&
	test_cmp expect actual
'

test_expect_success 'files and directories get their exact mode whatever the umask' '
	mkdir -p um/d && echo x >um/f && chmod 666 um/f && chmod 777 um/d &&
	T=$(hako -C ws write-tree ../um) &&
	(umask 077 && hako -C ws checkout-tree $T ../um.out) &&
	echo "666 777 755" >expect &&
	echo $(stat -c %a um.out/f um.out/d um.out) >actual &&
	test_cmp expect actual
'

test_expect_success 'hardlinks are recorded (relative to the member) and recreated' '
	mkdir -p hl/a hl/b/c && echo shared >hl/a/f &&
	ln hl/a/f hl/a/g && ln hl/a/f hl/b/c/h && echo alone >hl/b/solo &&
	T=$(hako -C ws write-tree ../hl) &&
	hako -C ws ls-tree -r $T >actual &&
	B=$(hako -C ws hash-object ../hl/a/f) &&
	cat >expect <<-EOF &&
	100644 blob $B	a/f
	100644 blob $B link=$(hex f)	a/g
	100644 blob $B link=$(hex ../../a/f)	b/c/h
	100644 blob $(hako -C ws hash-object ../hl/b/solo)	b/solo
	EOF
	test_cmp expect actual &&
	hako -C ws checkout-tree $T ../hl.out &&
	echo "3 3 3 1" >expect &&
	echo $(stat -c %h hl.out/a/f hl.out/a/g hl.out/b/c/h hl.out/b/solo) >actual &&
	test_cmp expect actual &&
	test "$(stat -c %i hl.out/a/f)" = "$(stat -c %i hl.out/b/c/h)" &&
	test "$(hako -C ws write-tree ../hl.out)" = "$T" &&
	hako -C ws ls-tree $T:a | hako -C ws mktree >actual &&
	hako -C ws rev-parse $T:a >expect && test_cmp expect actual
'

test_expect_success 'a hardlink whose first member is missing or elsewhere becomes a copy' '
	T=$(hako -C ws write-tree ../hl) &&
	hako -C ws ls-tree $T:b >in &&
	hako -C ws checkout-tree $T:b ../hl.sub &&
	echo "1 shared" >expect &&
	echo $(stat -c %h hl.sub/c/h) $(cat hl.sub/c/h) >actual &&
	test_cmp expect actual &&
	B=$(hako -C ws hash-object -w ../hl/a/f) &&
	printf "100644 blob %s link=%s\tpasswd\n" $B $(hex ../../../../etc/passwd) >in &&
	printf "100644 blob %s link=%s\tz\n" $B $(hex missing) >>in &&
	E=$(hako -C ws mktree <in) &&
	hako -C ws checkout-tree $E ../hl.escape &&
	echo "1 1 shared" >expect &&
	echo $(stat -c %h hl.escape/passwd hl.escape/z) $(cat hl.escape/passwd) >actual &&
	test_cmp expect actual
'

test_expect_success 'the root directory keeps its own mode (the . record)' '
	mkdir rootmode && echo x >rootmode/f && chmod 700 rootmode &&
	T=$(hako -C ws write-tree ../rootmode) &&
	hako -C ws ls-tree $T >actual &&
	cat >expect <<-EOF &&
	040700 none $ZERO_OID	.
	100644 blob $(hako -C ws hash-object ../rootmode/f)	f
	EOF
	test_cmp expect actual &&
	hako -C ws checkout-tree $T ../rootmode.out &&
	test "$(stat -c %a rootmode.out)" = 700 &&
	chmod 755 rootmode &&
	T2=$(hako -C ws write-tree ../rootmode) &&
	hako -C ws ls-tree $T2 >actual &&
	! grep "	\.$" actual
'

test_expect_success 'mtimes are recorded with --owners (to the nanosecond) and restored' '
	mkdir -p mt/d && echo x >mt/d/f && ln -s d/f mt/l && mkfifo mt/p &&
	touch -d @1000000000.123456789 mt/d/f mt/p &&
	touch -h -d @1100000000 mt/l &&
	touch -d @1200000000.5 mt/d mt &&
	T=$(hako -C ws write-tree --owners ../mt) &&
	hako -C ws ls-tree $T >ls &&
	grep "mtime=1200000000.500000000	\.$" ls &&
	grep "mtime=1100000000	l$" ls &&
	hako -C ws mktree <ls >actual && echo $T >expect && test_cmp expect actual &&
	hako -C ws checkout-tree --owners $T ../mt.out &&
	python3 "$TEST_DIRECTORY"/helpers/fslist.py --mtime mt >expect &&
	python3 "$TEST_DIRECTORY"/helpers/fslist.py --mtime mt.out >actual &&
	test_cmp expect actual &&
	test "$(hako -C ws write-tree ../mt)" = "$(hako -C ws write-tree ../mt.out)"
'

test_expect_success ROOT 'setuid, setgid and owners are kept with --owners, setuid and setgid dropped without' '
	mkdir suid && echo x >suid/f && chown 1234:5678 suid/f && chmod 6755 suid/f &&
	T=$(hako -C ws write-tree --owners ../suid) &&
	hako -C ws checkout-tree --owners $T ../suid.out &&
	test "$(stat -c %a:%u:%g suid.out/f)" = 6755:1234:5678 &&
	hako -C ws checkout-tree $T ../suid.plain &&
	test "$(stat -c %a:%u:%g suid.plain/f)" = 755:0:0
'

test_lazy_prereq TRUSTED_XATTR_ON_SYMLINK 'ln -s t l && setfattr -h -n trusted.hako -v 1 l 2>/dev/null'
test_prereq_reason TRUSTED_XATTR_ON_SYMLINK "needs root and setfattr (apt-get install attr) on a filesystem with trusted xattrs"

test_expect_success TRUSTED_XATTR_ON_SYMLINK 'an xattr on a symlink is stored and restored on the link itself' '
	mkdir sx && echo x >sx/target && ln -s target sx/link &&
	setfattr -h -n trusted.hako -v onlink sx/link &&
	T=$(hako -C ws write-tree --owners ../sx) &&
	hako -C ws checkout-tree --owners $T ../sx.out &&
	getfattr -h -n trusted.hako --only-values sx.out/link >actual &&
	printf onlink >expect && test_cmp expect actual &&
	test_must_fail getfattr -n trusted.hako sx.out/target
'

test_expect_success 'write-tree of a missing directory is fatal, nothing stored' '
	find ws/.hako/objects -type f | sort >before &&
	test_must_fail hako -C ws write-tree ../nope 2>err &&
	grep "^fatal: .*nope" err &&
	test_line_count = 1 err &&
	find ws/.hako/objects -type f | sort >after &&
	test_cmp before after
'

test_expect_success 'write-tree of a file is fatal' '
	test_must_fail hako -C ws write-tree ../src/a/one 2>err &&
	grep "is not a directory" err
'

test_expect_success 'checkout-tree refuses a non-empty destination' '
	T=$(hako -C ws write-tree ../src) &&
	test_must_fail hako -C ws checkout-tree $T ../out 2>err &&
	grep "exists and is not empty" err
'

test_expect_success 'mtimes: nanoseconds as 9 digits; before the epoch exactly 0, without nanoseconds' '
	mkdir times && echo a >times/old && echo b >times/new &&
	touch -d "1969-12-31 23:59:59.5 UTC" times/old &&
	touch -d "2023-11-14 22:13:20.5 UTC" times/new &&
	T=$(hako -C ws write-tree --owners ../times) &&
	hako -C ws ls-tree $T | sed -n "s/.* \(mtime=[0-9.]*\).*\t\(.*\)/\2 \1/p" >actual &&
	sed -i "/^\. /d" actual &&
	cat >expect <<-EOF &&
	new mtime=1700000000.500000000
	old mtime=0
	EOF
	test_cmp expect actual
'

test_done
