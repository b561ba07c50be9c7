#!/bin/sh
test_description='pack-objects, index-pack, unpack-objects, verify-pack -v, count-objects: packs for transfer'
. ./test-lib.sh

test_expect_success 'setup: two commits of a 2,300-file tree differing in one file' '
	hako init -q --empty a &&
	mkdir -p src/d1/d2 &&
	for i in $(test_seq 2000); do echo "file $i" >src/d1/f$i || return 1; done &&
	for i in $(test_seq 300); do echo "x $i" >src/d1/d2/g$i || return 1; done &&
	T1=$(hako -C a write-tree ../src) &&
	C1=$(hako -C a commit-tree $T1 -m one) &&
	echo changed >src/d1/d2/g7 &&
	T2=$(hako -C a write-tree ../src) &&
	C2=$(hako -C a commit-tree $T2 -p $C1 -m two) &&
	echo $C1 >C1 && echo $C2 >C2 &&
	hako -C a ls-tree -r $C2 >expect-tree
'

test_expect_success 'pack-objects --revs --stdout of a commit; index-pack --stdin stores it complete' '
	echo $(cat C1) | hako -C a pack-objects --revs --stdout >full.pack 2>err &&
	grep "^Total 2332 (delta 0" err &&
	hako init -q --empty b &&
	hako -C b index-pack --stdin <full.pack >name &&
	test_path_is_file b/.hako/objects/pack/pack-$(cat name).idx &&
	hako verify-pack b/.hako/objects/pack/pack-$(cat name).idx >out &&
	grep ": ok (2332 objects)$" out &&
	hako -C b ls-tree -r $(cat C1) >actual &&
	hako -C a ls-tree -r $(cat C1) >expect &&
	test_cmp expect actual
'

test_expect_success 'a 1-file change travels as a thin pack of O(depth) objects, mostly deltas' '
	printf "%s\n^%s\n" $(cat C2) $(cat C1) | hako -C a pack-objects --revs --thin --stdout >thin.pack 2>err &&
	grep "^Total 7 (delta 4, against the receiver.s objects 4)" err &&
	test $(wc -c <thin.pack) -lt 1500
'

test_expect_success 'index-pack refuses a thin pack without --fix-thin, and makes nothing visible' '
	ls b/.hako/objects/pack >before &&
	test_must_fail hako -C b index-pack --stdin <thin.pack 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: bad pack: delta base [0-9a-f]* (offset [0-9]*) is not in the pack (a thin pack needs --fix-thin)$" err &&
	ls b/.hako/objects/pack >after &&
	test_cmp before after
'

test_expect_success 'index-pack --fix-thin completes it from the store; the result is a complete pack' '
	hako -C b index-pack --stdin --fix-thin <thin.pack >name &&
	hako -C b ls-tree -r $(cat C2) >actual &&
	test_cmp expect-tree actual &&
	hako verify-pack -v b/.hako/objects/pack/pack-$(cat name).idx >out &&
	grep ": ok (11 objects)$" out &&
	grep "^chain length = 1: 4 objects$" out &&
	grep " tree [0-9]* [0-9]* [0-9]* 1 [0-9a-f]*$" out
'

test_expect_success 'index-pack --fix-thin puts the external bases first: every base precedes its deltas' '
	hako verify-pack -v b/.hako/objects/pack/pack-$(cat name).idx >out &&
	awk "NF == 5 || NF == 7 { off[\$1] = \$5 }
	     NF == 7 { n++; if (!(\$7 in off) || off[\$7] >= \$5) bad++ }
	     END { print n + 0, bad + 0 }" out >actual &&
	echo "4 0" >expect &&
	test_cmp expect actual &&
	awk "NF == 5 || NF == 7 { print \$5 }" out | sort -n | head -n 4 >first &&
	for id in $(awk "NF == 7 { print \$7 }" out | sort -u); do
		grep "^$id " out | awk "{ print \$5 }" || return 1
	done | sort -n >bases &&
	head -n $(wc -l <bases) first >expect &&
	test_cmp expect bases
'

test_expect_success 'a thin pack for an unknown base is refused even with --fix-thin' '
	hako init -q --empty c &&
	test_must_fail hako -C c index-pack --stdin --fix-thin <thin.pack 2>err &&
	grep "^fatal: bad pack: delta base [0-9a-f]* (offset [0-9]*) is neither in the pack nor stored here$" err &&
	! ls c/.hako/objects/pack/*.idx 2>/dev/null &&
	! ls c/.hako/objects/pack/tmp_* 2>/dev/null
'

test_expect_success 'truncated and corrupted packs are refused; nothing becomes visible' '
	size=$(wc -c <full.pack) &&
	head -c $((size - 100)) full.pack >trunc.pack &&
	test_must_fail hako -C c index-pack --stdin <trunc.pack 2>err &&
	grep "^fatal: bad pack: truncated in the record at offset [0-9]*$" err &&
	cp full.pack flip.pack &&
	printf "\377" | dd of=flip.pack bs=1 seek=5000 conv=notrunc 2>/dev/null &&
	test_must_fail hako -C c index-pack ../flip.pack 2>err &&
	grep "^fatal: .*flip.pack.: bad pack: checksum mismatch" err &&
	printf "NOTAPACK" >junk.pack && head -c 100 full.pack | tail -c 92 >>junk.pack &&
	test_must_fail hako -C c index-pack ../junk.pack 2>err &&
	grep "bad magic" err &&
	! ls c/.hako/objects/pack/* 2>/dev/null
'

test_expect_success 'pack-objects --compact: the same 1-file change as a version 3 stream, smaller' '
	printf "%s\n^%s\n" $(cat C2) $(cat C1) | hako -C a pack-objects --revs --thin --compact --stdout >compact.pack 2>err &&
	grep "^Total 7 (delta [0-9]*, against the receiver.s objects [0-9]*)" err &&
	printf "HAKOPACK\000\000\000\003" >expect-head &&
	head -c 12 compact.pack >head &&
	test_cmp expect-head head &&
	test $(wc -c <compact.pack) -lt $(wc -c <thin.pack) &&
	test_must_fail hako -C a pack-objects --compact base 2>err &&
	grep "stdout" err
'

test_expect_success 'index-pack stores a compact stream as a version 2 pack that verifies; thin only with --fix-thin' '
	hako init -q --empty e &&
	hako -C e index-pack --stdin <full.pack >/dev/null &&
	ls e/.hako/objects/pack >before &&
	test_must_fail hako -C e index-pack --stdin <compact.pack 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: bad pack: delta base [0-9a-f]* (offset [0-9]*) is not in the pack (a thin pack needs --fix-thin)$" err &&
	ls e/.hako/objects/pack >after &&
	test_cmp before after &&
	hako -C e index-pack --stdin --fix-thin <compact.pack >name &&
	hako verify-pack -v e/.hako/objects/pack/pack-$(cat name).idx >out &&
	grep ": ok ([0-9]* objects)$" out &&
	od -An -tx1 -j8 -N4 e/.hako/objects/pack/pack-$(cat name).pack >version &&
	echo " 00 00 00 02" >expect &&
	test_cmp expect version &&
	hako -C e ls-tree -r $(cat C2) >actual &&
	test_cmp expect-tree actual &&
	hako -C e cat-file -p $(cat C2) >commit &&
	hako -C a cat-file -p $(cat C2) >expect &&
	test_cmp expect commit
'

test_expect_success 'a truncated or corrupted compact stream is one fatal line; nothing becomes visible' '
	size=$(wc -c <compact.pack) &&
	ls e/.hako/objects/pack >before &&
	head -c $((size - 40)) compact.pack >ctrunc.pack &&
	test_must_fail hako -C e index-pack --stdin --fix-thin <ctrunc.pack 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: bad pack: truncated in the" err &&
	cp compact.pack cflip.pack &&
	printf "\377" | dd of=cflip.pack bs=1 seek=100 conv=notrunc 2>/dev/null &&
	test_must_fail hako -C e index-pack --fix-thin ../cflip.pack 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: .*cflip.pack.: bad pack: " err &&
	ls e/.hako/objects/pack >after &&
	test_cmp before after
'

test_expect_success 'unpack-objects reads a compact stream too' '
	hako init -q --empty f &&
	hako -C f unpack-objects <full.pack 2>err &&
	hako -C f unpack-objects <compact.pack 2>err &&
	grep "^Unpacked 7 objects$" err &&
	hako -C f ls-tree -r $(cat C2) >actual &&
	test_cmp expect-tree actual
'

test_expect_success 'unpack-objects stores a pack as loose objects (thin bases from the store)' '
	hako init -q --empty d &&
	hako -C d unpack-objects <full.pack 2>err &&
	grep "^Unpacked 2332 objects$" err &&
	hako -C d unpack-objects <thin.pack 2>err &&
	grep "^Unpacked 7 objects$" err &&
	hako -C d ls-tree -r $(cat C2) >actual &&
	test_cmp expect-tree actual &&
	! ls d/.hako/objects/pack/*.idx 2>/dev/null
'

test_expect_success 'count-objects -v: loose, packs, garbage' '
	hako -C d count-objects -v >out &&
	grep "^count: 2340$" out &&
	grep "^packs: 0$" out &&
	grep "^garbage: 0$" out &&
	>d/.hako/objects/pack/tmp_pack_stale &&
	hako -C d count-objects -v >out &&
	grep "^garbage: 1$" out &&
	hako -C d count-objects >out &&
	grep "^2340 objects, [0-9]* kilobytes$" out
'

test_expect_success 'pack-objects BASENAME writes a pack and index (ids on stdin, exactly those objects)' '
	hako -C a rev-parse $(cat C2) $(cat C2)^{tree} >ids &&
	hako -C a pack-objects ../packs-out/mypack <ids >sum &&
	test_path_is_file packs-out/mypack-$(cat sum).pack &&
	hako verify-pack -v packs-out/mypack-$(cat sum).idx >out &&
	grep ": ok (2 objects)$" out &&
	test_must_fail hako -C a pack-objects </dev/null 2>err &&
	test_must_fail hako -C a pack-objects --stdout --delta-base-from HEAD <ids 2>err &&
	grep "^fatal: usage: --delta-base-from needs --revs$" err
'

test_done
