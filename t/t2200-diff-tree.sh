#!/bin/sh
test_description='diff-tree: top-down diff, recursion, output formats, big trees'
. ./test-lib.sh

test_expect_success 'setup two versions of a directory' '
	hako init -q --empty ws &&
	mkdir -p v1/d/e v1/gone && echo a >v1/a && echo b >v1/d/b && echo c >v1/d/e/c && echo g >v1/gone/g &&
	echo x >v1/typechange &&
	cp -r v1 v2 && echo B >v2/d/b && echo new >v2/d/e/new && rm -r v2/gone && chmod 755 v2/a &&
	rm v2/typechange && ln -s a v2/typechange &&
	A=$(hako -C ws write-tree ../v1) && B=$(hako -C ws write-tree ../v2) &&
	echo $A >A && echo $B >B
'

test_expect_success 'diff-tree --name-status (top level)' '
	cat >expect <<-EOF &&
	M	a
	M	d
	D	gone
	T	typechange
	EOF
	hako -C ws diff-tree --name-status $(cat A) $(cat B) >actual &&
	test_cmp expect actual
'

test_expect_success 'diff-tree -r --name-status' '
	cat >expect <<-EOF &&
	M	a
	M	d/b
	A	d/e/new
	D	gone/g
	T	typechange
	EOF
	hako -C ws diff-tree -r --name-status $(cat A) $(cat B) >actual &&
	test_cmp expect actual
'

test_expect_success 'diff-tree raw format' '
	old=$(hako -C ws rev-parse $(cat A):d/b) && new=$(hako -C ws rev-parse $(cat B):d/b) &&
	hako -C ws diff-tree -r $(cat A) $(cat B) >actual &&
	grep "^:100644 100644 $old $new M	d/b$" actual &&
	grep "^:000000 100644 $ZERO_OID [0-9a-f]* A	d/e/new$" actual &&
	grep "^:100644 100755 " actual
'

test_expect_success 'diff-tree -z' '
	hako -C ws diff-tree -r -z --name-only $(cat A) $(cat B) | tr "\000" "\n" >actual &&
	printf "a\nd/b\nd/e/new\ngone/g\ntypechange\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'identical trees: no output, --exit-code 0; different: 1' '
	hako -C ws diff-tree --exit-code $(cat A) $(cat A) >out &&
	test_must_be_empty out &&
	test_expect_code 1 hako -C ws diff-tree --exit-code $(cat A) $(cat B) >/dev/null
'

test_expect_success 'diff-tree of a blob is fatal' '
	blob=$(hako -C ws rev-parse $(cat A):a) &&
	test_must_fail hako -C ws diff-tree $blob $(cat B) 2>err &&
	grep "^fatal: object $blob is a blob, not a tree" err
'

test_expect_success 'a 1M-entry flat directory: one edit diffs as one change, reading few nodes' '
	blob=$(hako -C ws hash-object -w ../v1/a) &&
	awk -v b=$blob "BEGIN { for (i = 0; i < 1000000; i++) printf \"100644 blob %s\\tentry%07d\\n\", b, i }" >big.in &&
	T1=$(hako -C ws mktree <big.in) &&
	newblob=$(hako -C ws hash-object -w ../v2/d/b) &&
	sed "s/^100644 blob $blob	entry0500000$/100644 blob $newblob	entry0500000/" big.in >big2.in &&
	T2=$(hako -C ws mktree <big2.in) &&
	hako -C ws diff-tree --count-nodes --name-status $T1 $T2 >actual 2>nodes &&
	echo "M	entry0500000" >expect &&
	test_cmp expect actual &&
	n=$(sed -n "s/^nodes read: //p" nodes) &&
	test "$n" -le 12 &&
	hako -C ws ls-tree $T2 entry0500000 >actual &&
	echo "100644 blob $newblob	entry0500000" >expect &&
	test_cmp expect actual
'

test_done
