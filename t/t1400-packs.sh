#!/bin/sh
test_description='bulk writes go to packs; packed objects are verified like loose ones'
. ./test-lib.sh

test_expect_success 'setup: 500 files' '
	hako init -q --empty . &&
	mkdir d && for i in $(test_seq 500); do echo "file $i" >d/f$i; done
'

test_expect_success 'hash-object -w --stdin-paths of many files writes one pack' '
	ls d/* | hako hash-object -w --stdin-paths >ids &&
	ls .hako/objects/pack/*.idx >idx &&
	test_line_count = 1 idx &&
	ls .hako/objects/pack/*.pack >pack &&
	test_line_count = 1 pack &&
	! ls .hako/objects/?? >/dev/null 2>&1 ||
	test $(find .hako/objects/?? -type f | wc -l) -le 1
'

test_expect_success 'packed objects read back, by id and by prefix' '
	id=$(sed -n 7p ids) &&
	hako cat-file -p $id >actual &&
	grep "^file " actual &&
	hako cat-file -t $(echo $id | cut -c1-10) >actual &&
	echo blob >expect && test_cmp expect actual &&
	while read id; do echo $id; done <ids | hako cat-file --batch-check >check &&
	! grep missing check &&
	test_line_count = 500 check
'

test_expect_success 'verify-pack checks checksums and every object' '
	hako verify-pack -v $(cat idx) >out &&
	grep ": ok (500 objects)$" out &&
	test_line_count = 501 out
'

test_expect_success 'writing the same objects again adds no pack' '
	ls d/* | hako hash-object -w --stdin-paths >/dev/null &&
	ls .hako/objects/pack/*.idx >idx2 &&
	test_cmp idx idx2
'

test_expect_success 'write-tree of a big directory packs it; checkout-tree reads it back' '
	T=$(hako write-tree d) &&
	hako checkout-tree $T outdir &&
	diff -r d outdir
'

test_expect_success 'a flipped byte in a pack is refused, in one line' '
	p=$(cat pack) &&
	cp "$p" saved.pack &&
	size=$(wc -c <"$p") &&
	chmod u+w "$p" &&
	perl -e "open F, q(+<), \$ARGV[0] or die; for (\$o = 200; \$o < \$ARGV[1] - 40; \$o += 97) { seek F, \$o, 0; read F, \$c, 1; seek F, \$o, 0; print F chr(ord(\$c) ^ 0x20) }" "$p" $size &&
	test_must_fail hako verify-pack $(cat idx) 2>err &&
	grep "^fatal: corrupt pack .*checksum mismatch" err &&
	for id in $(head -n 50 ids); do hako cat-file -p $id >/dev/null 2>>errs || :; done &&
	grep "^fatal: corrupt object" errs &&
	cp saved.pack "$p" &&
	hako verify-pack $(cat idx)
'

test_expect_success 'a truncated index is refused' '
	i=$(cat idx) && cp "$i" saved.idx && chmod u+w "$i" &&
	head -c 100 saved.idx >"$i" &&
	test_must_fail hako cat-file -p $(head -n 1 ids) 2>err &&
	grep "^fatal: corrupt pack" err &&
	cp saved.idx "$i"
'

test_done
