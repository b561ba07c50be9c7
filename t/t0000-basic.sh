#!/bin/sh
test_description='the test harness itself, and the hako binary basics'
. ./test-lib.sh

test_expect_success 'success is reported like this' '
	:
'

test_expect_success 'hako runs and prints its version' '
	hako --version >out &&
	grep "^hako " out
'

test_expect_success 'test_must_fail accepts a failing command only' '
	test_must_fail false &&
	! test_must_fail true
'

test_expect_success 'test_when_finished registers cleanup' '
	test_when_finished "touch cleaned" &&
	test_path_is_missing cleaned
'

test_expect_success 'test_when_finished ran the cleanup after the test' '
	test_path_is_file cleaned
'

test_expect_success 'the environment is clean and reproducible' '
	test "$HOME" = "$TRASH_DIRECTORY" &&
	test -z "$HAKO_DIR" &&
	test_tick &&
	test "$HAKO_AUTHOR_DATE" = "1112911993 -0700"
'

test_expect_success 'an unknown command is a one-line fatal error' '
	test_expect_code 129 hako frobnicate 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: unrecognized subcommand .frobnicate." err
'

test_expect_success 'commands outside a workspace fail with fatal' '
	mkdir outside && (
		cd outside &&
		test_must_fail hako log 2>err &&
		echo "fatal: not a hako workspace (or any parent up to /): .hako" >expect &&
		test_cmp expect err
	)
'

test_lazy_prereq NEVER 'false'
test_expect_success NEVER 'a missing prerequisite skips with a reason' '
	false
'

test_done
