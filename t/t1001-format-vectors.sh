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

test_done
