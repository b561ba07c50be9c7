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

test_expect_success 'a truncated index is skipped with a warning naming it' '
	i=$(cat idx) && cp "$i" saved.idx && chmod u+w "$i" &&
	head -c 100 saved.idx >"$i" &&
	test_must_fail hako cat-file -p $(head -n 1 ids) 2>err &&
	grep "^warning: skipping pack .*$(basename $i): corrupt pack .*bad index header" err &&
	grep "^fatal: object $(head -n 1 ids) not found" err &&
	cp saved.idx "$i"
'

test_expect_success 'a damaged index hides only its own pack: loose objects and other packs still read' '
	mkdir e && for i in $(test_seq 200); do echo "other $i" >e/g$i; done &&
	ls e/* | hako hash-object -w --stdin-paths >ids2 &&
	echo loose-one | hako hash-object -w --stdin >loose &&
	i=$(cat idx) && chmod u+w "$i" &&
	printf "garbage" | dd of="$i" bs=1 seek=8 conv=notrunc 2>/dev/null &&
	hako cat-file -p $(cat loose) >actual 2>err &&
	echo loose-one >expect && test_cmp expect actual &&
	grep "^warning: skipping pack .*$(basename $i)" err &&
	hako cat-file -p $(sed -n 5p ids2) >actual &&
	cat $(ls e/* | sed -n 5p) >expect && test_cmp expect actual &&
	cp saved.idx "$i" &&
	hako cat-file -p $(head -n 1 ids) >actual 2>err &&
	test_must_be_empty err
'

test_expect_success 'an index whose ids are out of order is refused' '
	i=$(cat idx) && chmod u+w "$i" &&
	python3 -c "
import sys
p = sys.argv[1]
b = bytearray(open(p, \"rb\").read())
ids = 16 + 1024
# swap the first two ids of the largest fanout bucket
fan = [int.from_bytes(b[16 + 4 * k:20 + 4 * k], \"big\") for k in range(256)]
sizes = [fan[k] - (fan[k - 1] if k else 0) for k in range(256)]
k = sizes.index(max(sizes)); s = fan[k - 1] if k else 0
a, c = ids + 32 * s, ids + 32 * (s + 1)
b[a:a + 32], b[c:c + 32] = b[c:c + 32], b[a:a + 32]
open(p, \"wb\").write(b)
" "$i" &&
	test_must_fail hako cat-file -p $(head -n 1 ids) 2>err &&
	grep "^warning: skipping pack .*: corrupt pack .*ids not sorted" err &&
	cp saved.idx "$i"
'

test_expect_success 'many bulk writes keep the number of packs logarithmic' '
	for n in $(test_seq 24); do
		mkdir -p many/$n &&
		for i in $(test_seq 130); do echo "batch $n file $i" >many/$n/f$i; done &&
		ls many/$n/* | hako hash-object -w --stdin-paths >>many-ids || return 1
	done &&
	ls .hako/objects/pack/*.idx >packs &&
	test $(wc -l <packs) -le 6 &&
	! ls .hako/objects/pack/tmp_* 2>/dev/null &&
	for p in $(cat packs); do hako verify-pack "$p" >/dev/null || return 1; done &&
	cat ids ids2 many-ids | hako cat-file --batch-check >check &&
	! grep missing check &&
	test_line_count = $(cat ids ids2 many-ids | wc -l) check
'

test_expect_success 'index-pack stores a version 1 pack as version 2 under a new name, and merges nothing' '
	hako init -q --empty v1 &&
	V="$TEST_DIRECTORY/../format-spec/vectors" &&
	hako -C v1 index-pack "$V/pack-small.pack" >name1 &&
	tail -c 32 "$V/pack-small.pack" | od -An -tx1 | tr -d " \n" >old &&
	test "$(cat old)" != "$(cat name1)" &&
	P=v1/.hako/objects/pack/pack-$(cat name1).pack &&
	head -c 16 $P | tail -c 8 | od -An -tx1 | tr -d " \n" | cut -c1-8 >actual &&
	echo 00000002 >expect && test_cmp expect actual &&
	hako verify-pack v1/.hako/objects/pack/pack-$(cat name1).idx &&
	hako -C v1 index-pack "$TEST_DIRECTORY/../format-spec/vectors/pack-delta.pack" &&
	ls v1/.hako/objects/pack/*.idx >packs &&
	test_line_count = 2 packs
'

test_done
