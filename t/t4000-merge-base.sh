#!/bin/sh
test_description='merge-base: best common ancestors, --all for criss-cross histories, --is-ancestor'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-merge.sh

# commit NAME SPEC PARENT...: a commit of tree SPEC, its id saved in file NAME.
commit () {
	_name=$1 _spec=$2 && shift 2 &&
	_p= && for _x in "$@"; do _p="$_p -p $(cat $_x)"; done &&
	test_tick &&
	hako commit-tree $_p -m "$_name" $(tree "$_spec") >$_name
}

test_expect_success 'setup: a fork, a linear stretch and a criss-cross' '
	hako init -q --empty ws
'
HAKO_DIR="$PWD/ws/.hako" && export HAKO_DIR

test_expect_success 'setup commits' '
	commit A "f:1\n2\n3\n4\n5\n6\n7" &&
	commit B1 "f:one\n2\n3\n4\n5\n6\n7" A &&
	commit B2 "f:1\n2\n3\n4\n5\n6\nseven" A &&
	commit C1 "f:one\n2\n3\n4\n5\n6\nseven" B1 B2 &&
	commit C2 "f:one\n2\n3\n4\n5\n6\nseven" B2 B1 &&
	commit D1 "f:one\ntwo\n3\n4\n5\n6\nseven" C1 &&
	commit D2 "f:one\n2\n3\n4\n5\nsix\nseven" C2 &&
	commit U "f:unrelated"
'

test_expect_success 'the fork point of two branches' '
	cat A >expect &&
	hako merge-base $(cat B1) $(cat B2) >actual &&
	test_cmp expect actual
'

test_expect_success 'an ancestor is the merge base of itself and a descendant' '
	cat B1 >expect &&
	hako merge-base $(cat B1) $(cat D1) >actual &&
	test_cmp expect actual &&
	hako merge-base $(cat D1) $(cat B1) >actual &&
	test_cmp expect actual &&
	cat D1 >expect &&
	hako merge-base $(cat D1) $(cat D1) >actual &&
	test_cmp expect actual
'

test_expect_success 'criss-cross: --all prints both best common ancestors, newest first' '
	cat B2 B1 >expect &&
	hako merge-base --all $(cat D1) $(cat D2) >actual &&
	test_cmp expect actual &&
	head -1 expect >expect.one &&
	hako merge-base $(cat D1) $(cat D2) >actual &&
	test_cmp expect.one actual
'

test_expect_success 'criss-cross: merge-tree merges over the merged bases' '
	tree "f:one\ntwo\n3\n4\n5\nsix\nseven" >expect &&
	hako merge-tree --write-tree $(cat D1) $(cat D2) >actual &&
	test_cmp expect actual
'

test_expect_success 'unrelated commits have no merge base: exit 1, no output' '
	test_expect_code 1 hako merge-base $(cat U) $(cat D1) >out &&
	test_must_be_empty out &&
	test_expect_code 1 hako merge-base --all $(cat U) $(cat D1) >out &&
	test_must_be_empty out
'

test_expect_success '--is-ancestor: exit 0 for an ancestor (or the commit itself), 1 otherwise' '
	hako merge-base --is-ancestor $(cat A) $(cat D2) >out &&
	test_must_be_empty out &&
	hako merge-base --is-ancestor $(cat D2) $(cat D2) &&
	test_expect_code 1 hako merge-base --is-ancestor $(cat D2) $(cat A) &&
	test_expect_code 1 hako merge-base --is-ancestor $(cat B1) $(cat B2)
'

test_expect_success 'bad input: unknown revision, a tree, one argument' '
	test_expect_code 128 hako merge-base nope $(cat A) 2>err &&
	test_line_count = 1 err && grep "^fatal: " err &&
	test_expect_code 128 hako merge-base $(tree f:a) $(cat A) 2>err &&
	test_line_count = 1 err && grep "^fatal: " err &&
	test_expect_code 129 hako merge-base $(cat A) 2>err &&
	test_line_count = 1 err && grep "^fatal: " err
'

test_done
