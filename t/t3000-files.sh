#!/bin/sh
test_description='porcelain file commands on the working root'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-porcelain.sh

test_expect_success 'setup: an empty workspace' '
	hako init -q --empty . &&
	test_tick
'

test_expect_success 'write and cat, verbatim (no newline added)' '
	hako write /etc/motd hello &&
	hako cat /etc/motd >actual &&
	printf hello >expect &&
	test_cmp expect actual
'

test_expect_success 'write from stdin and from a host file' '
	printf "line1\nline2\n" | hako write /a/stdin &&
	printf "line1\nline2\n" >expect &&
	hako cat /a/stdin >actual && test_cmp expect actual &&
	printf "from host\n" >hostfile &&
	hako write /a/host --from hostfile &&
	hako cat /a/host >actual && test_cmp hostfile actual &&
	printf "dash\n" | hako write /a/dash - &&
	echo dash >expect && hako cat /a/dash >actual && test_cmp expect actual
'

test_expect_success 'write keeps the mode of an existing file; --mode sets it' '
	hako write --mode 755 /bin/tool "#!/bin/sh" &&
	hako write /bin/tool "#!/bin/sh\n" &&
	hako ls -l /bin/tool >actual &&
	grep "^100755 " actual
'

test_expect_success 'ls lists byte-sorted with decorations' '
	hako mkdir /a/dir &&
	hako write /a/Z z &&
	cat >expect <<-EOF &&
	Z
	dash
	dir/
	host
	stdin
	EOF
	hako ls /a >actual &&
	test_cmp expect actual
'

test_expect_success 'ls -l shows mode and size' '
	cat >expect <<-EOF &&
	100644          5 motd
	EOF
	hako ls -l /etc >actual &&
	test_cmp expect actual
'

test_expect_success 'mkdir -p and mkdir errors' '
	hako mkdir -p /x/y/z &&
	hako mkdir -p /x/y &&
	hako ls /x/y >actual &&
	echo z/ >expect && test_cmp expect actual &&
	expect_unchanged hako mkdir /x/y &&
	grep "already exists" err &&
	expect_unchanged hako mkdir /no/such/parent &&
	grep "use -p" err
'

test_expect_success 'cd and pwd; relative paths follow the current directory' '
	hako cd /a &&
	echo /a >expect && hako pwd >actual && test_cmp expect actual &&
	hako cat stdin >actual && printf "line1\nline2\n" >expect && test_cmp expect actual &&
	hako write rel relative &&
	hako cat /a/rel >actual && printf relative >expect && test_cmp expect actual &&
	hako cd .. &&
	echo / >expect && hako pwd >actual && test_cmp expect actual
'

test_expect_success 'cd to a file or a missing directory is fatal' '
	expect_unchanged hako cd /etc/motd &&
	grep "not a directory" err &&
	expect_unchanged hako cd /nope &&
	echo / >expect && hako pwd >actual && test_cmp expect actual
'

test_expect_success 'cp a file, cp -r a directory, cp into a directory' '
	hako cp /etc/motd /etc/motd.bak &&
	hako cat /etc/motd.bak >actual && printf hello >expect && test_cmp expect actual &&
	hako cp -r /a /b &&
	hako ls /b >actual && hako ls /a >expect && test_cmp expect actual &&
	hako cp /etc/motd /b &&
	hako cat /b/motd >actual && printf hello >expect && test_cmp expect actual &&
	test "$(hako rev-parse WORKING:a/dir)" = "$(hako rev-parse WORKING:b/dir)"
'

test_expect_success 'cp of a directory needs -r' '
	expect_unchanged hako cp /a /c &&
	grep "is a directory (use -r)" err
'

test_expect_success 'mv renames and moves into directories' '
	hako mv /b /c &&
	test_must_fail hako ls /b &&
	hako mv /etc/motd.bak /c &&
	hako cat /c/motd.bak >actual && printf hello >expect && test_cmp expect actual
'

test_expect_success 'mv into itself is refused' '
	expect_unchanged hako mv /c /c/dir/inner &&
	grep "into itself" err
'

test_expect_success 'del and del -r' '
	hako del /c/motd.bak &&
	test_must_fail hako cat /c/motd.bak &&
	expect_unchanged hako del /c &&
	grep "is a directory (use -r)" err &&
	hako del -r /c &&
	test_must_fail hako ls /c 2>err &&
	grep "^fatal: /c: no such file or directory" err
'

test_expect_success 'a path outside the root is refused' '
	expect_unchanged hako write ../x y &&
	grep "outside the root" err &&
	expect_unchanged hako cat /../../etc/passwd
'

test_expect_success 'a file where a directory is expected, and the reverse' '
	expect_unchanged hako write /etc/motd/child x &&
	grep "is not a directory" err &&
	expect_unchanged hako write /etc y &&
	grep "/etc: is a directory" err &&
	expect_unchanged hako cat /etc &&
	grep "is a directory" err
'

test_expect_success 'missing paths are fatal' '
	expect_unchanged hako cat /nope &&
	expect_unchanged hako del /nope &&
	expect_unchanged hako cp /nope /x2 &&
	expect_unchanged hako mv /nope /x2 &&
	expect_unchanged hako ls /nope
'

test_expect_success 'import a host directory and a file; export them back' '
	mkdir -p host/sub && echo one >host/one && echo two >host/sub/two && chmod 755 host/one &&
	ln -s one host/link &&
	hako import host /imported &&
	hako import hostfile /etc &&
	hako cat /etc/hostfile >actual && test_cmp hostfile actual &&
	hako export /imported out &&
	diff -r --no-dereference host out &&
	test "$(stat -c %a out/one)" = 755 &&
	hako export /etc/hostfile . 2>err || { cat err; false; }
'

test_expect_success 'import of a missing host path is fatal' '
	expect_unchanged hako import nowhere /x &&
	grep "cannot import .nowhere." err
'

test_expect_success 'import of a symlink stores the link, not the host file it points to' '
	echo host-secret >secret && ln -s secret lnk &&
	hako import lnk /lnk &&
	hako ls /lnk >actual &&
	echo "lnk@ -> secret" >expect && test_cmp expect actual &&
	hako ls-tree WORKING lnk >actual &&
	printf "120777 blob %s\tlnk\n" $(printf secret | hako hash-object --stdin) >expect &&
	test_cmp expect actual &&
	hako import lnk /etc &&
	hako ls /etc/lnk >actual &&
	echo "lnk@ -> secret" >expect && test_cmp expect actual
'

test_expect_success 'import of a directory whose top-level entries are symlinks' '
	mkdir -p deb/usr/bin deb/usr/lib deb/etc && echo sh >deb/usr/bin/sh &&
	ln -s usr/bin deb/bin && ln -s usr/lib deb/lib && echo deb >deb/etc/hostname &&
	hako import deb /deb &&
	cat >deb.ls <<-EOF &&
	bin@ -> usr/bin
	etc/
	lib@ -> usr/lib
	usr/
	EOF
	hako ls /deb >actual && test_cmp deb.ls actual &&
	hako cat /deb/usr/bin/sh >actual && echo sh >expect && test_cmp expect actual
'

test_expect_success 'import into an existing directory replaces it and never nests' '
	hako import deb /deb &&
	hako ls /deb >actual && test_cmp deb.ls actual &&
	mkdir deb2 && echo two >deb2/two &&
	hako import deb2 /deb &&
	echo two >expect && hako ls /deb >actual && test_cmp expect actual &&
	hako import deb /deb &&
	hako import --merge deb2 /deb &&
	cat >expect <<-EOF &&
	bin@ -> usr/bin
	etc/
	lib@ -> usr/lib
	two
	usr/
	EOF
	hako ls /deb >actual && test_cmp expect actual
'

test_expect_success 'import DIR / makes DIR the root; --merge lays it over the root' '
	hako init -q --empty rootws &&
	hako -C rootws write /old gone &&
	hako -C rootws import ../deb / &&
	hako -C rootws ls / >actual && test_cmp deb.ls actual &&
	test "$(hako -C rootws rev-parse WORKING)" = "$(hako -C rootws write-tree ../deb)" &&
	hako -C rootws write /keep kept &&
	hako -C rootws import --merge ../deb2 / &&
	cat >expect <<-EOF &&
	bin@ -> usr/bin
	etc/
	keep
	lib@ -> usr/lib
	two
	usr/
	EOF
	hako -C rootws ls / >actual && test_cmp expect actual
'

test_expect_success 'import --merge: a top-level symlink of DIR replaces a directory of the root' '
	hako init -q --empty mergews &&
	hako -C mergews write /bin/busybox bb &&
	hako -C mergews write /etc/motd hi &&
	hako -C mergews import --merge ../deb / &&
	hako -C mergews ls / >actual && test_cmp deb.ls actual &&
	printf "hostname\nmotd\n" >expect &&
	hako -C mergews ls /etc >actual && test_cmp expect actual
'

test_expect_success 'import DIR / keeps the root directory own mode' '
	mkdir r700 && echo x >r700/f && chmod 700 r700 &&
	hako -C rootws import ../r700 / &&
	hako -C rootws export / ../r700.out &&
	test "$(stat -c %a r700.out)" = 700 &&
	echo f >expect && hako -C rootws ls / >actual && test_cmp expect actual
'

test_expect_success '-C WS import . does not import the workspace own .hako' '
	hako init -q --empty self &&
	echo mine >self/file &&
	hako -C self import . /me &&
	echo file >expect &&
	hako -C self ls /me >actual && test_cmp expect actual &&
	hako -C self write-tree . >T &&
	hako -C self ls-tree $(cat T) >actual &&
	printf "100644 blob %s\tfile\n" $(hako -C self hash-object file) >expect &&
	test_cmp expect actual
'

test_expect_success 'tree draws the hierarchy' '
	cat >expect <<-EOF &&
	/imported
	├── link -> one
	├── one
	└── sub
	    └── two

	1 directory, 3 files
	EOF
	hako tree /imported >actual &&
	test_cmp expect actual
'

test_expect_success 'symlinks: ls shows the target, cat follows it' '
	hako ls /imported >actual &&
	grep "^link@ -> one$" actual &&
	hako cat /imported/link >actual &&
	echo one >expect && test_cmp expect actual
'

test_expect_success 'the working root survives across processes and is crash-safe' '
	W=$(hako rev-parse WORKING) &&
	test "$(cat .hako/containers/default/WORKING)" = "$W" &&
	hako cat-file -t $W >actual && echo tree >expect && test_cmp expect actual &&
	hold_lock .hako/containers/default/WORKING.lock &&
	test_must_fail hako write /locked x 2>err &&
	grep "^fatal: unable to lock the working root: .*WORKING.lock is held by another hako process" err &&
	test "$(hako rev-parse WORKING)" = "$W"
'

test_expect_success ROOT 'export creates device nodes only with --owners (an image'"'"'s /dev/mem 0666 would open host memory)' '
	mkdir devsrc &&
	mknod devsrc/mem c 1 1 && chmod 666 devsrc/mem &&
	echo x >devsrc/f &&
	hako import --owners "$PWD/devsrc" /devsrc &&
	hako export /devsrc out1 2>err &&
	grep "^warning: not created: .*mem (device node 1,1: created only with --owners)" err &&
	test_path_is_file out1/f &&
	test_path_is_missing out1/mem &&
	hako checkout-tree WORKING:devsrc out2 2>err &&
	grep "device node 1,1: created only with --owners" err &&
	test_path_is_missing out2/mem &&
	hako export --owners /devsrc out3 &&
	test -c out3/mem
'

test_done
