#!/bin/sh
test_description='mktree, ls-tree, cat-file -p of trees, REV:PATH'
. ./test-lib.sh

test_expect_success 'setup: some blobs' '
	hako init -q --empty . &&
	printf hello >hello && printf "#!/bin/sh\necho hi\n" >run && printf target >tgt &&
	H=$(hako hash-object -w hello) && R=$(hako hash-object -w run) && L=$(hako hash-object -w tgt) &&
	echo $H >H && echo $R >R && echo $L >L
'

test_expect_success 'mktree builds a tree that ls-tree prints back exactly' '
	H=$(cat H) R=$(cat R) L=$(cat L) &&
	cat >in <<-EOF &&
	040755 tree $EMPTY_TREE	empty
	100644 blob $H	hello.txt
	120777 blob $L	link
	100755 blob $R	run.sh
	EOF
	hako mktree <in >T &&
	hako ls-tree $(cat T) >out &&
	test_cmp in out
'

test_expect_success 'the tree id matches the format-spec vector for the same entries' '
	# vector "modes": files a, run.sh, link and empty dir sub
	A=$(printf a | hako hash-object -w --stdin) &&
	S=$(printf "#!/bin/sh" | hako hash-object -w --stdin) &&
	printf "100644 blob %s\ta\n120777 blob %s\tlink\n100755 blob %s\trun.sh\n040755 tree %s\tsub\n" $A $A $S $EMPTY_TREE >in &&
	hako mktree <in >actual &&
	grep "^modes	" "$TEST_DIRECTORY/../format-spec/vectors/trees.tsv" | cut -f3 >expect &&
	test_cmp expect actual
'

test_expect_success 'mktree of nothing is the empty tree' '
	hako mktree </dev/null >actual &&
	echo $EMPTY_TREE >expect &&
	test_cmp expect actual
'

test_expect_success 'cat-file -p of a tree lists it; -t says tree' '
	hako cat-file -p $(cat T) >out &&
	test_cmp in.orig out 2>/dev/null || hako ls-tree $(cat T) >expect && test_cmp expect out &&
	echo tree >expect && hako cat-file -t $(cat T) >actual && test_cmp expect actual
'

test_expect_success 'ls-tree --name-only, -l and -z' '
	printf "empty\nhello.txt\nlink\nrun.sh\n" >expect &&
	hako ls-tree --name-only $(cat T) >actual &&
	test_cmp expect actual &&
	hako ls-tree -l $(cat T) >actual &&
	grep "^100644 blob $(cat H)       5	hello.txt$" actual &&
	grep "^040755 tree $EMPTY_TREE       -	empty$" actual &&
	hako ls-tree -z --name-only $(cat T) | tr "\000" "\n" >actual &&
	test_cmp expect actual
'

test_expect_success 'nested trees: ls-tree -r, -t, -d and a PATH' '
	printf "040755 tree %s\tdir\n100644 blob %s\ttop\n" $(cat T) $(cat H) | hako mktree >T2 &&
	cat >expect <<-EOF &&
	100644 blob $(cat H)	dir/hello.txt
	120777 blob $(cat L)	dir/link
	100755 blob $(cat R)	dir/run.sh
	100644 blob $(cat H)	top
	EOF
	hako ls-tree -r $(cat T2) >actual &&
	test_cmp expect actual &&
	hako ls-tree -r -t $(cat T2) >actual &&
	grep "^040755 tree $(cat T)	dir$" actual &&
	grep "^040755 tree $EMPTY_TREE	dir/empty$" actual &&
	hako ls-tree -d $(cat T2) >actual &&
	echo "040755 tree $(cat T)	dir" >expect && test_cmp expect actual &&
	hako ls-tree $(cat T2) dir/run.sh >actual &&
	echo "100755 blob $(cat R)	dir/run.sh" >expect && test_cmp expect actual &&
	hako ls-tree $(cat T2) dir/ >actual &&
	test_line_count = 4 actual
'

test_expect_success 'ls-tree TREE DIR prints the entry, DIR/ and -r its contents (as git)' '
	echo "040755 tree $(cat T)	dir" >expect &&
	hako ls-tree $(cat T2) dir >actual &&
	test_cmp expect actual &&
	cat >expect <<-EOF &&
	040755 tree $EMPTY_TREE	dir/empty
	100644 blob $(cat H)	dir/hello.txt
	120777 blob $(cat L)	dir/link
	100755 blob $(cat R)	dir/run.sh
	EOF
	hako ls-tree $(cat T2) dir/ >actual &&
	test_cmp expect actual &&
	hako ls-tree $(cat T2):dir >actual &&
	sed "s|	dir/|	|" expect >expect.rel &&
	test_cmp expect.rel actual &&
	grep -v "dir/empty" expect >expect.r &&
	hako ls-tree -r $(cat T2) dir >actual &&
	test_cmp expect.r actual &&
	hako ls-tree --help >help &&
	grep "DIR/., or .-r., lists its contents" help
'

test_expect_success 'REV:PATH resolves entries in trees and commits' '
	hako rev-parse $(cat T2):dir/run.sh >actual && test_cmp R actual &&
	hako rev-parse $(cat T2):dir >actual && test_cmp T actual &&
	test_tick &&
	C=$(hako commit-tree $(cat T2) -m tree) &&
	hako update-ref refs/heads/main $C &&
	hako cat-file -p main:dir/hello.txt >actual &&
	test_cmp hello actual &&
	hako rev-parse HEAD: >actual && test_cmp T2 actual
'

test_expect_success 'REV:PATH of a missing path is fatal' '
	test_must_fail hako rev-parse main:dir/nope 2>err &&
	echo "fatal: path '"'"'dir/nope'"'"' does not exist in '"'"'main'"'"'" >expect &&
	test_cmp expect err &&
	test_must_fail hako rev-parse main:top/x 2>err &&
	grep "^fatal: .top. is not a directory" err
'

test_expect_success 'names with tabs and newlines are quoted, and raw with -z' '
	printf "100644 blob %s\ta\tb\000100644 blob %s\tc\nd\000" $(cat H) $(cat H) | hako mktree -z >TQ &&
	hako ls-tree --name-only $(cat TQ) >actual &&
	printf "\"a\\\\tb\"\n\"c\\\\nd\"\n" >expect &&
	test_cmp expect actual &&
	hako ls-tree $(cat TQ) | hako mktree >again &&
	test_cmp TQ again
'

test_expect_success 'a name that is not UTF-8 is quoted in octal, and written as its bytes with -z' '
	printf "100644 blob %s\t\377x\000" $(cat H) | hako mktree -z >T8 &&
	hako ls-tree --name-only $(cat T8) >actual &&
	printf "\"\\\\377x\"\n" >expect &&
	test_cmp expect actual &&
	hako ls-tree -z --name-only $(cat T8) >actual &&
	printf "\377x\000" >expect &&
	test_cmp expect actual &&
	hako ls-tree $(cat T8) | hako mktree >again &&
	test_cmp T8 again &&
	hako ls-tree -z $(cat T8) | hako mktree -z >again &&
	test_cmp T8 again
'

test_expect_success 'mktree refuses unsorted input and writes nothing' '
	printf "100644 blob %s\tb\n100644 blob %s\ta\n" $(cat H) $(cat H) >in &&
	find .hako/objects -type f | sort >before &&
	test_must_fail hako mktree <in 2>err &&
	grep "^fatal: entries not sorted or duplicated: .b. then .a." err &&
	find .hako/objects -type f | sort >after &&
	test_cmp before after
'

test_expect_success 'mktree refuses duplicates' '
	printf "100644 blob %s\ta\n100644 blob %s\ta\n" $(cat H) $(cat H) >in &&
	test_must_fail hako mktree <in 2>err &&
	grep "^fatal: entries not sorted or duplicated" err
'

test_expect_success 'mktree refuses bad names' '
	for n in "a/b" "." ".."; do
		printf "100644 blob %s\t%s\n" $(cat H) "$n" >in &&
		test_must_fail hako mktree <in 2>err &&
		grep "^fatal: invalid entry name" err || return 1
	done &&
	printf "100644 blob %s\ta\000b\000" $(cat H) | test_must_fail hako mktree -z 2>err
'

test_expect_success 'mktree refuses an unknown mode' '
	printf "100999 blob %s\ta\n" $(cat H) >in &&
	test_must_fail hako mktree <in 2>err &&
	grep "^fatal: unknown mode" err &&
	printf "170644 blob %s\ta\n" $(cat H) >in &&
	test_must_fail hako mktree <in 2>err &&
	grep "^fatal: unknown mode 170644" err
'

test_expect_success 'mktree refuses a blob where a tree belongs, and missing objects' '
	printf "040755 tree %s\td\n" $(cat H) >in &&
	test_must_fail hako mktree <in 2>err &&
	grep "^fatal: entry .d.: object .* is a blob" err &&
	printf "100644 blob %s\tx\n" 1111111111111111111111111111111111111111111111111111111111111111 >in &&
	test_must_fail hako mktree <in 2>err &&
	grep "is not stored" err &&
	hako mktree --missing <in
'

test_expect_success 'ls-tree of a blob is fatal' '
	test_must_fail hako ls-tree $(cat H) 2>err &&
	grep "^fatal: object $(cat H) is a blob, not a tree" err
'

test_done
