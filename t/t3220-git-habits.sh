#!/bin/sh
test_description='git habits: status -s, branch --show-current and -v, did you mean'
. ./test-lib.sh

test_expect_success 'setup' '
	hako init -q ws &&
	hako -C ws branch side
'

test_expect_success 'status -s and --short are the short (porcelain) form' '
	hako -C ws write /etc/new x &&
	hako -C ws status --porcelain >expect &&
	hako -C ws status -s >actual && test_cmp expect actual &&
	hako -C ws status --short >actual && test_cmp expect actual &&
	grep "^A etc/new$" actual
'

test_expect_success 'branch --show-current prints the branch, nothing when detached' '
	echo main >expect &&
	hako -C ws branch --show-current >actual && test_cmp expect actual &&
	hako -C ws commit -q -m new &&
	hako -C ws checkout HEAD~1 2>/dev/null &&
	hako -C ws branch --show-current >actual && test_must_be_empty actual &&
	hako -C ws checkout main 2>/dev/null
'

test_expect_success 'branch -v lists each branch with its commit and subject' '
	main=$(hako -C ws rev-parse main | cut -c1-12) &&
	side=$(hako -C ws rev-parse side | cut -c1-12) &&
	cat >expect <<-EOF &&
	* main $main new
	  side $side initial root filesystem
	EOF
	hako -C ws branch -v >actual &&
	test_cmp expect actual
'

test_expect_success 'a mistyped command names the similar ones, on one line' '
	test_expect_code 129 hako comit 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: unrecognized subcommand .comit. (.*similar subcommand.*.commit.)" err
'

test_done
