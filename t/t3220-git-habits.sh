#!/bin/sh
test_description='git habits: status -s, branch --show-current and -v, did you mean, log --format, show'
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

test_expect_success 'log --format/--pretty expand placeholders; format: separates, tformat: and bare strings end each' '
	hako -C ws rev-parse HEAD >head && h=$(cat head) &&
	hako -C ws log -n 1 --format="%H|%h|%an|%ae|%s|%%" >actual &&
	echo "$h|$(cut -c1-12 head)|A U Thor|author@example.com|new|%" >expect &&
	test_cmp expect actual &&
	hako -C ws log --pretty="format:%s" >actual &&
	printf "new\ninitial root filesystem" >expect && test_cmp expect actual &&
	hako -C ws log --format="tformat:%s" >actual &&
	printf "new\ninitial root filesystem\n" >expect && test_cmp expect actual &&
	hako -C ws log --oneline >expect && hako -C ws log --format=oneline >actual && test_cmp expect actual &&
	hako -C ws log -n 1 --format="%ar" >actual && grep "ago$" actual &&
	test_expect_code 129 hako -C ws log --format="%x" 2>err &&
	grep "^fatal: usage: --format: unknown placeholder" err
'

test_expect_success 'show REV: the commit and its patch; REV:PATH: the file or the directory; a tag, then its commit' '
	hako -C ws show >out &&
	grep "^commit $(cat head)$" out &&
	grep "^    new$" out &&
	grep "^+++ b/etc/new$" out &&
	hako -C ws show HEAD:/etc/new >actual &&
	printf x >expect && test_cmp expect actual &&
	hako -C ws show HEAD~1:/etc >out &&
	head -n 1 out >first && echo "tree HEAD~1:/etc" >expect && test_cmp expect first &&
	grep "^passwd$" out &&
	! grep "^new$" out &&
	hako -C ws tag -a v1 -m "release one" &&
	hako -C ws show v1 >out &&
	grep "^tag v1$" out && grep "^release one$" out && grep "^commit $(cat head)$" out &&
	test_must_fail hako -C ws show HEAD:/nope 2>err &&
	test_line_count = 1 err
'

test_expect_success 'CONTAINER:PATH, CONTAINER:REV:PATH and CONTAINER:REV name another container' '
	hako -C ws new-container other &&
	hako -C ws -c other write /etc/only-other "in other" &&
	hako -C ws -c other commit -q -m "other file" &&
	hako -C ws -c other write /etc/only-other "uncommitted" &&
	hako -C ws cat other:/etc/only-other >actual &&
	printf "uncommitted" >expect && test_cmp expect actual &&
	hako -C ws cat other:main:/etc/only-other >actual &&
	printf "in other" >expect && test_cmp expect actual &&
	hako -C ws ls other:/etc >actual && grep "^only-other$" actual &&
	hako -C ws -c other rev-parse main >expect &&
	hako -C ws rev-parse other:main >actual && test_cmp expect actual &&
	hako -C ws rev-parse other: >actual && test_cmp expect actual &&
	hako -C ws log --format=%s other:main -n 1 >actual &&
	echo "other file" >expect && test_cmp expect actual &&
	hako -C ws new-container --from other:main third &&
	hako -C ws -c third cat /etc/only-other >actual &&
	printf "in other" >expect && test_cmp expect actual
'

test_expect_success 'a branch named like a container wins over the container' '
	hako -C ws branch other side &&
	hako -C ws rev-parse side >expect &&
	hako -C ws rev-parse other >actual && test_cmp expect actual &&
	test_must_fail hako -C ws cat other:/etc/only-other 2>err &&
	test_line_count = 1 err &&
	hako -C ws branch -d other
'

test_expect_success 'a name that is neither is one fatal line' '
	test_must_fail hako -C ws cat nosuch:/etc/passwd 2>err &&
	test_line_count = 1 err && grep "nosuch" err &&
	test_must_fail hako -C ws rev-parse nosuch:main 2>err &&
	test_line_count = 1 err
'

test_expect_success 'clone keeps the source'"'"'s active container (local and dumb HTTP info/refs)' '
	hako -C ws is other &&
	hako clone -q ws cl &&
	echo other >expect &&
	hako -C cl containers | sed -n "s/^\* //p" >actual && test_cmp expect actual &&
	hako -C ws update-server-info &&
	grep "containers/other/HEAD .* active$" ws/.hako/info/refs &&
	test $(grep -c " active$" ws/.hako/info/refs) = 1 &&
	hako -C ws is default &&
	hako clone -q ws cl2 &&
	echo default >expect &&
	hako -C cl2 containers | sed -n "s/^\* //p" >actual && test_cmp expect actual
'

test_done
