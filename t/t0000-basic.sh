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

test_expect_success 'every argument of every command has a description in --help' '
	hako help -a | awk "/^   [a-z]/ { print \$1 }" >commands &&
	test $(wc -l <commands) -gt 40 &&
	while read c
	do
		hako $c --help >help.$c || return 1
		# An entry of Arguments: or Options: is "  NAME  DESCRIPTION", or
		# "  NAME" followed by an indented description (long help); clap
		# prints an undocumented one as a bare NAME.
		awk -v cmd="$c" "
			/^[A-Z][A-Za-z ]*:\$/ { insec = (\$0 == \"Arguments:\" || \$0 == \"Options:\"); pending = \"\"; next }
			!insec { next }
			pending != \"\" { if (\$0 !~ /^   +[^ ]/) print cmd \": \" pending; pending = \"\" }
			/^  [^ ]/ { line = substr(\$0, 3); if (line !~ /[^ ]  +[^ ]/) pending = line }
			END { if (pending != \"\") print cmd \": \" pending }
		" help.$c || return 1
	done <commands >undocumented &&
	test_must_be_empty undocumented
'

test_lazy_prereq NEVER 'false'
test_expect_success NEVER 'a missing prerequisite skips with a reason' '
	false
'

test_done
