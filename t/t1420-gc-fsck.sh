#!/bin/sh
test_description='fsck, gc, repack, prune: damage is found, nothing reachable or young is lost'
. ./test-lib.sh

test_expect_success 'setup: a container with two commits' '
	hako init -q . &&
	mkdir src && for i in $(test_seq 200); do echo "file $i" >src/f$i || return 1; done &&
	hako import src /data && hako commit -q -m one &&
	echo more | hako write /data/new && hako commit -q -m two
'

test_expect_success 'fsck of a sound workspace prints nothing and exits 0' '
	hako fsck >out 2>err &&
	test_must_be_empty out &&
	hako fsck --full -v 2>err &&
	grep "^checked [0-9]* objects, [0-9]* bytes in .*; 0 problems$" err
'

test_expect_success 'fsck --unreachable and --dangling list objects nothing reaches; --lost-found records them' '
	D=$(echo dangling-blob | hako hash-object -w --stdin) &&
	hako fsck --unreachable >out &&
	grep "^unreachable blob $D$" out &&
	hako fsck --dangling >out &&
	grep "^dangling blob $D$" out &&
	hako fsck --dangling --lost-found 2>err &&
	test_path_is_file .hako/lost-found/other/$D
'

test_expect_success 'gc keeps unreachable objects younger than the grace period' '
	D=$(echo dangling-blob | hako hash-object --stdin) &&
	hako gc -q &&
	hako cat-file -e $D &&
	hako fsck >out && test_must_be_empty out &&
	hako count-objects -v >counts &&
	grep "^packs: 1$" counts
'

test_expect_success 'prune -n lists, prune --expire=now removes unreachable loose objects only' '
	D=$(echo dangling-blob | hako hash-object --stdin) &&
	hako prune -n --expire=now >out &&
	grep "^$D$" out &&
	hako cat-file -e $D &&
	hako prune --expire=now &&
	test_must_fail hako cat-file -e $D &&
	hako fsck >out && test_must_be_empty out &&
	hako cat /data/new >actual && printf "more\n" >expect && test_cmp expect actual
'

test_expect_success 'prune removes the temporary files of killed writers once old: objects/xx/tmp_obj_*, tmp_pack_*, .pack-*.idx.tmp*' '
	mkdir -p .hako/objects/ab .hako/objects/pack &&
	for f in ab/tmp_obj_old pack/tmp_pack_old pack/.pack-1234.idx.tmpAbCdEf \
		ab/tmp_obj_young pack/.pack-1234.idx.tmpYoung
	do
		echo partial >.hako/objects/$f || return 1
	done &&
	touch -d 2020-01-01 .hako/objects/ab/tmp_obj_old .hako/objects/pack/tmp_pack_old \
		.hako/objects/pack/.pack-1234.idx.tmpAbCdEf &&
	hako prune &&
	(cd .hako/objects && find . -name "*tmp*" | sort) >actual &&
	cat >expect <<-\EOF &&
	./ab/tmp_obj_young
	./pack/.pack-1234.idx.tmpYoung
	EOF
	test_cmp expect actual &&
	rm .hako/objects/ab/tmp_obj_young .hako/objects/pack/.pack-1234.idx.tmpYoung &&
	hako fsck >out && test_must_be_empty out
'

test_expect_success 'repack -a -d keeps unreachable packed objects (as loose, with the pack age)' '
	mkdir lone && for i in $(test_seq 150); do echo "lone $i" >lone/l$i || return 1; done &&
	ls lone/* | hako hash-object -w --stdin-paths >lone-ids &&
	hako repack -a -d -q &&
	while read id; do hako cat-file -e $id || return 1; done <lone-ids &&
	hako count-objects -v >counts &&
	grep "^packs: 1$" counts &&
	grep "^count: 150$" counts &&
	hako gc --prune=now -q &&
	! hako cat-file -e $(head -n 1 lone-ids) &&
	hako fsck >out && test_must_be_empty out
'

test_expect_success 'a flipped byte in a loose object is reported, exit 1' '
	id=$(echo precious | hako hash-object -w --stdin) &&
	hako write /precious "$(hako cat-file -p $id)" && hako commit -q -m precious &&
	B=$(hako rev-parse HEAD:/precious) &&
	p=.hako/objects/$(echo $B | cut -c1-2)/$(echo $B | cut -c3-) &&
	cp $p saved && chmod u+w $p &&
	printf "\377" | dd of=$p bs=1 seek=20 conv=notrunc 2>/dev/null &&
	test_expect_code 1 hako fsck >out &&
	grep "^error in object $B: " out &&
	cp saved $p && hako fsck
'

test_expect_success 'a missing object is reported with what refers to it' '
	B=$(hako rev-parse HEAD:/precious) &&
	p=.hako/objects/$(echo $B | cut -c1-2)/$(echo $B | cut -c3-) &&
	mv $p saved-obj &&
	test_expect_code 1 hako fsck >out &&
	grep "^missing object $B (referenced by tree [0-9a-f]*)$" out &&
	test_must_fail hako gc --prune=now 2>err &&
	grep "^fatal: refusing to collect garbage: 1 referenced objects are missing" err &&
	mv saved-obj $p && hako fsck
'

test_expect_success 'a tree cut where the boundary rule would not cut is damage' '
	H=$(printf a | hako hash-object -w --stdin) &&
	# Two one-entry leaves under one internal node: well-formed, but a
	# one-pass build puts both entries in a single leaf.
	cat >node.py <<-\PY &&
	import sys
	def entry(name, h):
	    return bytes([len(name)]) + name + bytes([0xa4, 0x83, 0x02]) + bytes.fromhex(h) + bytes([0])
	def key(name, child):
	    return bytes([len(name)]) + name + bytes([1]) + bytes.fromhex(child)
	kind, *args = sys.argv[1:]
	if kind == "leaf":
	    data = bytes([1, 0, 1]) + entry(args[0].encode(), args[1])
	else:
	    data = bytes([1, 1, 2]) + key(b"a", args[0]) + key(b"b", args[1])
	sys.stdout.buffer.write(data)
	PY
	L1=$(python3 node.py leaf a $H | hako hash-object -w -t tree --literally --stdin) &&
	L2=$(python3 node.py leaf b $H | hako hash-object -w -t tree --literally --stdin) &&
	R=$(python3 node.py root $L1 $L2 | hako hash-object -w -t tree --literally --stdin) &&
	hako ls-tree $R >out &&
	test_line_count = 2 out &&
	C=$(hako commit-tree $R -m miscut) &&
	hako update-ref refs/heads/miscut $C &&
	test_expect_code 1 hako fsck >out &&
	grep "^error in tree $R: nodes are not cut where the boundary rule puts them" out &&
	hako update-ref -d refs/heads/miscut &&
	# a deleted ref keeps its reflog (a root until it expires): drop it too
	rm .hako/containers/default/logs/refs/heads/miscut &&
	hako fsck
'

test_expect_success 'gc while another gc runs is refused' '
	hold_lock .hako/gc.lock &&
	test_must_fail hako gc 2>err &&
	grep "^fatal: another gc is running (.*gc.lock is held; if none is running, remove it)$" err
'

test_expect_success 'gc --auto does nothing below its thresholds; bad --prune is a usage error' '
	hako count-objects -v >before &&
	hako gc --auto &&
	hako count-objects -v >after &&
	test_cmp before after &&
	test_expect_code 129 hako gc --prune=tomorrowish 2>err &&
	grep "invalid expiry" err
'

test_expect_success 'commit and import run gc --auto; gc.auto in the config sets its threshold' '
	printf "[gc]\n\tauto = 20\n" >>.hako/config &&
	mkdir few && for i in $(test_seq 40); do echo "few $i" >few/f$i || return 1; done &&
	hako import few /few &&
	hako count-objects -v >counts &&
	# 40 new blobs and nodes were packed; only young unreachable ones stay loose
	test $(sed -n "s/^count: //p" counts) -lt 20 &&
	grep "^packs: 1$" counts &&
	hako fsck >out && test_must_be_empty out &&
	hako cat /few/f7 >actual && echo "few 7" >expect && test_cmp expect actual
'

test_done
