#!/bin/sh
test_description='containers: init seed, containers, new-container, del-container, is'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-porcelain.sh

test_expect_success 'init gives the default container a first commit' '
	test_tick &&
	hako init -q . &&
	echo "* default" >expect &&
	hako containers >actual &&
	test_cmp expect actual &&
	hako log --oneline >log &&
	test_line_count = 1 log &&
	grep "initial root filesystem" log
'

test_expect_success 'the seed root has /etc/passwd, /tmp and the usual directories' '
	hako cat /etc/passwd >passwd &&
	grep "^root:x:0:0:" passwd &&
	hako ls -l / >root &&
	grep "^041777 *- tmp/$" root &&
	for d in bin dev etc proc sys usr var root; do grep " $d/$" root || return 1; done
'

test_expect_success BUSYBOX 'the seed root has busybox and its applet links' '
	hako ls -l /bin >bin &&
	grep "^100755 .* busybox$" bin &&
	grep "^sh@ -> /bin/busybox$" bin ||
	hako ls /bin | grep "^sh@ -> /bin/busybox$"
'

test_expect_success 'new-container, is and containers' '
	hako new-container web &&
	hako new-container --empty scratch &&
	cat >expect <<-EOF &&
	* default
	  scratch
	  web
	EOF
	hako containers >actual &&
	test_cmp expect actual &&
	hako is web &&
	cat >expect <<-EOF &&
	  default
	  scratch
	* web
	EOF
	hako containers >actual &&
	test_cmp expect actual
'

test_expect_success 'each container has its own working root, branches and history' '
	hako write /etc/role web &&
	hako commit -m "web role" &&
	hako branch feature &&
	hako is default &&
	test_must_fail hako cat /etc/role &&
	test_must_fail hako rev-parse feature &&
	hako -c web cat /etc/role >actual &&
	printf web >expect && test_cmp expect actual &&
	hako -c web log --oneline >log && test_line_count = 2 log &&
	hako log --oneline >log && test_line_count = 1 log
'

test_expect_success 'new-container --from copies a commit' '
	hako -c web rev-parse HEAD >web.head &&
	hako -c web new-container web2 --from HEAD &&
	hako -c web2 rev-parse HEAD >actual &&
	test_cmp web.head actual
'

test_expect_success 'containers --json' '
	hako containers --json >actual &&
	grep "\"name\":\"default\",\"active\":true" actual &&
	grep "\"name\":\"scratch\",\"active\":false,\"head\":null" actual
'

test_expect_success 'del-container removes a container' '
	hako del-container scratch &&
	! hako containers | grep scratch
'

test_expect_success 'del-container refuses the active container' '
	expect_unchanged hako del-container default &&
	grep "cannot delete the active container .default." err
'

test_expect_success 'unknown containers are fatal' '
	expect_unchanged hako is nosuch &&
	grep "no such container: nosuch" err &&
	expect_unchanged hako del-container nosuch &&
	test_must_fail hako -c nosuch ls / 2>err &&
	grep "^fatal: no such container: nosuch" err
'

test_expect_success 'bad container names and duplicates are refused' '
	expect_unchanged hako new-container "../evil" &&
	grep "invalid container name" err &&
	expect_unchanged hako new-container web &&
	grep "already exists" err
'

test_done
