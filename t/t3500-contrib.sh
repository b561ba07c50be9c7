#!/bin/sh
test_description='contrib: completions are current, the example script works, the demo runs'
. ./test-lib.sh

test_expect_success 'checked-in completions match hako completions' '
	hako completions bash >bash && test_cmp "$TEST_DIRECTORY/../contrib/completions/hako.bash" bash &&
	hako completions zsh >zsh && test_cmp "$TEST_DIRECTORY/../contrib/completions/_hako" zsh &&
	hako completions fish >fish && test_cmp "$TEST_DIRECTORY/../contrib/completions/hako.fish" fish
'

test_expect_success 'completions of an unknown shell is a usage error' '
	test_expect_code 129 hako completions tcsh 2>err &&
	grep "^fatal: invalid value .tcsh." err
'

test_expect_success 'snapshot-dir.sh commits a directory, then only changes' '
	hako init -q --empty ws &&
	mkdir data && echo 1 >data/a &&
	(cd ws && "$TEST_DIRECTORY/../contrib/snapshot-dir.sh" ../data) &&
	(cd ws && "$TEST_DIRECTORY/../contrib/snapshot-dir.sh" ../data) >out &&
	grep "^unchanged: snapshots is " out &&
	echo 2 >data/b &&
	(cd ws && "$TEST_DIRECTORY/../contrib/snapshot-dir.sh" ../data) >out &&
	grep "^A	b$" out &&
	hako -C ws rev-list --count snapshots >actual &&
	echo 2 >expect && test_cmp expect actual &&
	hako -C ws cat snapshots:/b >actual && test_cmp data/b actual
'

test_expect_success 'the README demo runs' '
	HAKO="$HAKO_BUILD_DIR/hako" "$TEST_DIRECTORY/../contrib/demo.sh" >out 2>&1 &&
	grep "+hello" out
'

test_done
