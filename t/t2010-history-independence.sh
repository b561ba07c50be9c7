#!/bin/sh
test_description='history independence: an edited tree equals a fresh build of the same entries'
. ./test-lib.sh

# 8,000 entries, every 400th with an 8,000-byte xattr, so some nodes are closed
# by the MAX clause (the size limit) rather than by a hash cut.
test_expect_success 'setup: a tree whose nodes are closed by the size limit' '
	hako init -q . &&
	B=$(printf x | hako hash-object -w --stdin) &&
	awk -v b=$B "BEGIN {
		v = \"\"; for (j = 0; j < 8000; j++) v = v \"76\";
		for (i = 0; i < 8000; i++) {
			x = (i % 400 == 399) ? \" xattr=757365722e78:\" v : \"\";
			printf \"100644 blob %s%s\tt029-%06d\n\", b, x, i
		}
	}" >entries &&
	T=$(hako mktree <entries) &&
	C=$(hako commit-tree $T -m big) &&
	hako reset --hard $C &&
	test "$(hako rev-parse WORKING:/)" = $T
'

test_expect_success 'deleting the entry that forced a size-limit close gives the fresh-build id' '
	hako del /t029-001199 &&
	hako rev-parse WORKING:/ >actual &&
	hako ls-tree WORKING:/ | hako mktree >expect &&
	test_cmp expect actual &&
	grep -v "	t029-001199$" entries | hako mktree >expect &&
	test_cmp expect actual
'

test_expect_success 'two deletions in separate regions give the fresh-build id' '
	hako reset --hard $(hako rev-parse HEAD) &&
	hako del /t029-001199 /t029-000399 &&
	hako rev-parse WORKING:/ >actual &&
	grep -v -e "	t029-001199$" -e "	t029-000399$" entries | hako mktree >expect &&
	test_cmp expect actual
'

test_done
