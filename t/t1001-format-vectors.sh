#!/bin/sh
test_description='hash-object reproduces every object vector in format-spec'
. ./test-lib.sh

VECTORS="$TEST_DIRECTORY/../format-spec/vectors/objects.tsv"

test_expect_success 'vector file exists and has vectors' '
	grep -v "^#" "$VECTORS" >vectors &&
	test_line_count -ge 8 vectors
'

test_expect_success 'every vector hashes to its id' '
	while read -r line; do
		type=$(printf "%s\n" "$line" | cut -f1) &&
		hex=$(printf "%s\n" "$line" | cut -f2) &&
		id=$(printf "%s\n" "$line" | cut -f3) &&
		printf "%s" "$hex" | perl -e "local \$/; print pack(q(H*), <STDIN>)" >payload &&
		hako hash-object --literally -t "$type" payload >actual &&
		echo "$id" >expect &&
		test_cmp expect actual || return 1
	done <vectors
'

test_expect_success 'the empty tree id is the spec'"'"'s' '
	hako init -q --empty ws &&
	hako -C ws mktree </dev/null >actual 2>/dev/null ||
	printf "\001\000\000" | hako hash-object --literally -t tree --stdin >actual &&
	echo "$EMPTY_TREE" >expect &&
	test_cmp expect actual
'

test_expect_success 'the FastCDC gear table is MD5 of 64 copies of each byte value' '
	perl -MDigest::MD5=md5_hex -e "for (0..255) { print \"\$_\t\", substr(md5_hex(chr(\$_) x 64), 0, 16), \"\n\" }" >expect &&
	grep -v "^#" "$TEST_DIRECTORY/../format-spec/vectors/fastcdc-gear.tsv" >actual &&
	test_cmp expect actual
'

test_expect_success 'hash-object -t file chunks as the FastCDC vectors say (a file of zeros repeats one chunk)' '
	hako init -q --empty cdc &&
	head -c 3145728 /dev/zero >zeros &&
	echo 12d12c6e17e9e797bcb81d81263306545cf3d557a4aa74f564f4ac6c747774ab >expect &&
	hako -C cdc hash-object -w -t file ../zeros >actual &&
	test_cmp expect actual &&
	hako -C cdc cat-file file $(cat actual) >node &&
	test $(wc -c <node) = 423 &&
	head -c 3 node | od -An -tx1 | tr -d " " >head &&
	echo 01000c >expect && test_cmp expect head &&
	tail -c 420 node | od -An -v -tx1 | tr -d " \n" | fold -w 70 | sort -u >entries &&
	test_line_count = 1 entries
'

test_expect_success 'commit-tree stores each message vector cleaned as the spec says' '
	T=$(hako -C cdc mktree </dev/null) &&
	grep -v "^#" "$TEST_DIRECTORY/../format-spec/vectors/messages.tsv" |
	while IFS="	" read -r name given want; do
		test -n "$want" || continue
		printf "%s" "$given" | perl -e "local \$/; print pack(q(H*), <STDIN>)" >msg &&
		C=$(hako -C cdc commit-tree $T -F ../msg) &&
		hako -C cdc cat-file commit $C | perl -e "local \$/; \$_ = <STDIN>; s/^.*?\n\n//s; print unpack(q(H*), \$_)" >actual &&
		echo "$want" >expect &&
		echo "$(cat actual)" >actual &&
		test_cmp expect actual || return 1
	done
'

test_done
