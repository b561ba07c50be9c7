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
	hako -C ws checkout-tree $T ../dev.out &&
	test -c dev.out/null && test -p dev.out/fifo
'

test_expect_success ROOT 'owners are recorded with --owners and restored as root' '
	mkdir own && echo x >own/f && chown 1234:5678 own/f &&
	T=$(hako -C ws write-tree --owners ../own) &&
	hako -C ws ls-tree $T >ls &&
	grep " uid=1234 gid=5678	f$" ls &&
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

test_done
