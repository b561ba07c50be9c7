#!/bin/sh
test_description='hash-object and cat-file'
. ./test-lib.sh

HELLO=c9a94c1a9145087554f265dc47aecd93fd8fe3bbac49d768cf69c6a816bf51ce

test_expect_success 'setup' '
	hako init -q --empty . &&
	echo hello >hello
'

test_expect_success 'hash-object is deterministic and matches the vector' '
	hako hash-object hello >one &&
	hako hash-object hello >two &&
	test_cmp one two &&
	echo $HELLO >expect &&
	test_cmp expect one
'

test_expect_success 'hash-object without -w stores nothing' '
	test_must_fail hako cat-file -e $HELLO
'

test_expect_success 'hash-object -w stores the object' '
	hako hash-object -w hello >actual &&
	test_cmp expect actual &&
	hako cat-file -e $HELLO &&
	test_path_is_file .hako/objects/c9/a94c1a9145087554f265dc47aecd93fd8fe3bbac49d768cf69c6a816bf51ce
'

test_expect_success 'hash-object --stdin' '
	echo hello | hako hash-object --stdin >actual &&
	test_cmp expect actual
'

test_expect_success 'hash-object of many files prints ids in argument order' '
	for i in $(test_seq 50); do echo "file $i" >f$i; done &&
	hako hash-object $(for i in $(test_seq 50); do echo f$i; done) >many &&
	for i in $(test_seq 50); do hako hash-object f$i || return 1; done >single &&
	test_cmp single many
'

test_expect_success 'hash-object -w --stdin-paths stores every file' '
	for i in $(test_seq 50); do echo f$i; done >paths &&
	hako hash-object -w --stdin-paths <paths >stored &&
	test_cmp single stored &&
	while read id; do hako cat-file -e $id || return 1; done <stored
'

test_expect_success 'a batch of loose objects is written with few descriptors open' '
	mkdir batch &&
	for i in $(test_seq 120); do echo batch$i >batch/$i || return 1; done &&
	ls batch/* >batch-paths &&
	(ulimit -n 40 && hako hash-object -w --stdin-paths <batch-paths >batch-ids) &&
	test_line_count = 120 batch-ids &&
	while read id; do hako cat-file -e $id || return 1; done <batch-ids &&
	! find .hako/objects -name "tmp_*" | grep .
'

test_expect_success 'hash-object of a large file (mmap path) matches --stdin' '
	perl -e "print q(x) x (3*1024*1024)" >big &&
	hako hash-object big >a &&
	hako hash-object --stdin <big >b &&
	test_cmp a b
'

test_expect_success 'hash-object of a missing file is fatal' '
	test_must_fail hako hash-object nosuch 2>err &&
	grep "^fatal: cannot open .nosuch." err
'

test_expect_success 'hash-object -t commit refuses a malformed commit' '
	echo garbage >bad &&
	test_must_fail hako hash-object -t commit bad 2>err &&
	grep "^fatal: malformed commit" err
'

test_expect_success 'hash-object -t with an unknown type is fatal' '
	test_must_fail hako hash-object -t blurb hello 2>err &&
	echo "fatal: unknown object type '"'"'blurb'"'"'" >expect &&
	test_cmp expect err
'

test_expect_success 'cat-file -t, -s, -p and TYPE' '
	echo blob >expect && hako cat-file -t $HELLO >actual && test_cmp expect actual &&
	echo 6 >expect && hako cat-file -s $HELLO >actual && test_cmp expect actual &&
	hako cat-file -p $HELLO >actual && test_cmp hello actual &&
	hako cat-file blob $HELLO >actual && test_cmp hello actual
'

test_expect_success 'cat-file accepts a unique prefix' '
	hako cat-file -p c9a9 >actual &&
	test_cmp hello actual
'

test_expect_success 'cat-file refuses a prefix shorter than 4 digits' '
	test_must_fail hako cat-file -p c9a 2>err &&
	echo "fatal: not a valid object name: c9a" >expect &&
	test_cmp expect err
'

test_expect_success 'cat-file of an unknown id is fatal' '
	test_must_fail hako cat-file -p 0000 2>err &&
	grep "^fatal:" err &&
	test_line_count = 1 err
'

test_expect_success 'cat-file with the wrong TYPE is fatal' '
	test_must_fail hako cat-file commit $HELLO 2>err &&
	grep "^fatal: .* is a blob, not a commit" err
'

test_expect_success 'an ambiguous prefix is refused' '
	# find two stored ids sharing their first 4 digits
	i=0 &&
	while test $i -lt 3000; do echo "amb $i"; i=$((i+1)); done | split -l 1 - amb_ &&
	ls amb_* | hako hash-object -w --stdin-paths | cut -c1-4 | sort | uniq -d | head -n 1 >dup &&
	test -s dup &&
	test_must_fail hako cat-file -t $(cat dup) 2>err &&
	echo "fatal: short object id $(cat dup) is ambiguous" >expect &&
	test_cmp expect err
'

test_expect_success 'cat-file -e exits 1 for missing objects, silently' '
	test_expect_code 1 hako cat-file -e 0000000000000000000000000000000000000000000000000000000000000001 >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err
'

test_expect_success 'cat-file --batch-check and --batch' '
	printf "%s\n" $HELLO nosuchname c9a9 >in &&
	hako cat-file --batch-check <in >actual &&
	cat >expect <<-EOF &&
	$HELLO blob 6
	nosuchname missing
	$HELLO blob 6
	EOF
	test_cmp expect actual &&
	echo $HELLO | hako cat-file --batch >actual &&
	{ echo "$HELLO blob 6" && echo hello && echo; } >expect &&
	test_cmp expect actual
'

test_expect_success 'a flipped byte in a stored object is refused' '
	obj=.hako/objects/c9/a94c1a9145087554f265dc47aecd93fd8fe3bbac49d768cf69c6a816bf51ce &&
	cp $obj saved &&
	chmod u+w $obj &&
	size=$(wc -c <$obj) &&
	perl -e "open F, q(+<), \$ARGV[0] or die; seek F, \$ARGV[1], 0; read F, \$c, 1; seek F, \$ARGV[1], 0; print F chr(ord(\$c) ^ 1)" $obj $((size - 3)) &&
	test_must_fail hako cat-file -p $HELLO 2>err &&
	grep "^fatal: corrupt object $HELLO" err &&
	test_line_count = 1 err
'

test_expect_success 'a truncated object is refused' '
	obj=.hako/objects/c9/a94c1a9145087554f265dc47aecd93fd8fe3bbac49d768cf69c6a816bf51ce &&
	head -c 10 saved >$obj &&
	test_must_fail hako cat-file blob $HELLO 2>err &&
	grep "^fatal: corrupt object $HELLO" err
'

test_expect_success 'a well-formed object with other content is refused (hash mismatch)' '
	obj=.hako/objects/c9/a94c1a9145087554f265dc47aecd93fd8fe3bbac49d768cf69c6a816bf51ce &&
	echo jello >jello && rm -rf other && hako init -q other &&
	j=$(hako -C other hash-object -w ../jello) &&
	cat other/.hako/objects/$(echo $j | cut -c1-2)/$(echo $j | cut -c3-) >$obj &&
	test_must_fail hako cat-file -p $HELLO 2>err &&
	grep "hash mismatch" err &&
	cp saved $obj &&
	hako cat-file -p $HELLO >actual &&
	test_cmp hello actual
'

test_expect_success 'a file truncated and regrown while it is hashed: no crash, no torn object' '
	rm -rf racews && hako init -q --empty racews &&
	truncate -s 32M grower &&
	( while test ! -f stop-growing; do truncate -s 0 grower; truncate -s 32M grower; done ) &
	for i in $(test_seq 15); do
		hako -C racews hash-object -w -t file ../grower >/dev/null 2>>race.err
		echo $? >>race.codes
		hako hash-object ../grower >/dev/null 2>>race.err
		echo $? >>race.codes
		hako -C racews write-tree .. >/dev/null 2>>race.err
		echo $? >>race.codes
	done
	>stop-growing && wait &&
	# 0 or a fatal (128), never a signal such as SIGBUS (135)
	! grep -v -e "^0$" -e "^128$" race.codes &&
	for p in racews/.hako/objects/pack/*.idx; do
		test -f "$p" || continue
		hako -C racews verify-pack "$PWD/$p" >/dev/null || return 1
	done &&
	find racews/.hako/objects -path "*/objects/[0-9a-f][0-9a-f]/*" -type f |
	sed "s|.*/objects/\(..\)/|\1|" >loose-ids &&
	while read id; do hako -C racews cat-file -e $id || return 1; done <loose-ids
'

test_expect_success 'a closed stdout ends cat-file and cat quietly' '
	head -c 2000000 /dev/zero | tr "\\0" x >big &&
	id=$(hako hash-object -w big) &&
	{ hako cat-file -p $id 2>err; echo $? >rc; } | head -c 1 >/dev/null &&
	echo 0 >expect &&
	test_cmp expect rc &&
	test_must_be_empty err &&
	hako import big /big &&
	{ hako cat /big 2>err; echo $? >rc; } | head -c 1 >/dev/null &&
	test_cmp expect rc &&
	test_must_be_empty err
'

test_done
