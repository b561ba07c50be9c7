#!/bin/sh
test_description='reset, reflog and REF:PATH arguments'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-porcelain.sh

test_expect_success 'setup: three commits' '
	hako init -q --empty . &&
	test_tick && hako write /f one && hako commit -m one &&
	test_tick && hako write /f two && hako commit -m two &&
	test_tick && hako write /f three && hako commit -m three &&
	hako tag v2 HEAD~1
'

test_expect_success 'cat, ls, tree and export accept REF:PATH' '
	printf one >expect && hako cat HEAD~2:/f >actual && test_cmp expect actual &&
	printf two >expect && hako cat v2:f >actual && test_cmp expect actual &&
	printf three >expect && hako cat main:/f >actual && test_cmp expect actual &&
	hako ls HEAD~2:/ >actual && echo f >expect && test_cmp expect actual &&
	hako tree v2:/ >actual && grep "^└── f$" actual &&
	hako export v2:/f out.f && printf two >expect && test_cmp expect out.f &&
	hako write /f four &&
	printf four >expect && hako cat WORKING:/f >actual && test_cmp expect actual &&
	printf three >expect && hako cat HEAD:/f >actual && test_cmp expect actual
'

test_expect_success 'a missing ref in REF:PATH is fatal' '
	expect_unchanged hako cat nosuch:/f
'

test_expect_success 'reset (soft) moves the branch and keeps the working root' '
	hako reset HEAD~1 &&
	hako rev-parse HEAD >actual && hako rev-parse v2 >expect && test_cmp expect actual &&
	printf four >expect && hako cat /f >actual && test_cmp expect actual &&
	hako status --porcelain >actual && echo "M f" >expect && test_cmp expect actual
'

test_expect_success 'reset --hard drops uncommitted changes' '
	hako reset --hard v2 &&
	printf two >expect && hako cat /f >actual && test_cmp expect actual &&
	hako status --porcelain >actual && test_must_be_empty actual
'

test_expect_success 'the reflog remembers every move, so nothing is lost' '
	hako reflog >actual &&
	head -n 1 actual >first &&
	echo "$(hako rev-parse --short HEAD) HEAD@{0}: reset: moving to v2" >expect &&
	test_cmp expect first &&
	grep "HEAD@{2}: commit: three" actual &&
	lost=$(hako reflog | sed -n "s/ HEAD@{2}: commit: three$//p") &&
	hako rev-parse --short HEAD@{2} >actual && echo $lost >expect && test_cmp expect actual &&
	hako reset --hard HEAD@{2} &&
	printf three >expect && hako cat /f >actual && test_cmp expect actual
'

test_expect_success 'reflog of a branch' '
	hako reflog main >actual &&
	grep "main@{0}: reset: moving to" actual &&
	grep "commit (initial): one" actual
'

test_expect_success 'reset to an unknown ref is fatal' '
	expect_unchanged hako reset --hard nosuch
'

test_done
