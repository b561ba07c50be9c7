#!/bin/sh
test_description='ls-remote: the ref advertisement of a local workspace (every container, HEAD first)'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-remote.sh

test_expect_success 'setup: two containers, branches, an annotated and a light tag, an unborn container' '
	refs_workspace src &&
	hako -C src tag light "$c2" &&
	t1=$(hako -C src rev-parse refs/tags/v1) &&
	test "$t1" != "$c1" &&
	hako -C src new-container --empty web &&
	hako -C src -c web update-ref refs/heads/main "$c1" &&
	hako -C src new-container --empty zzz-unborn &&
	echo "$c1" >c1 && echo "$c2" >c2 && echo "$t1" >t1
'

test_expect_success 'ls-remote lists every container, HEAD first, tags peeled' '
	c1=$(cat c1) && c2=$(cat c2) && t1=$(cat t1) &&
	cat >expect <<-EOF &&
	$c2	containers/default/HEAD
	$c1	containers/default/refs/heads/dev
	$c2	containers/default/refs/heads/main
	$c2	containers/default/refs/tags/light
	$t1	containers/default/refs/tags/v1
	$c1	containers/default/refs/tags/v1^{}
	$c1	containers/web/HEAD
	$c1	containers/web/refs/heads/main
	EOF
	hako ls-remote src >actual &&
	test_cmp expect actual &&
	hako ls-remote src/.hako >actual &&
	test_cmp expect actual
'

test_expect_success 'ls-remote --heads, --tags and --symref' '
	c1=$(cat c1) && c2=$(cat c2) && t1=$(cat t1) &&
	cat >expect <<-EOF &&
	$c1	containers/default/refs/heads/dev
	$c2	containers/default/refs/heads/main
	$c1	containers/web/refs/heads/main
	EOF
	hako ls-remote --heads src >actual &&
	test_cmp expect actual &&
	hako ls-remote --tags src >actual &&
	test_line_count = 3 actual &&
	hako ls-remote --symref src >actual &&
	grep "^ref: containers/default/refs/heads/main	containers/default/HEAD$" actual &&
	grep "^ref: containers/web/refs/heads/main	containers/web/HEAD$" actual &&
	! grep zzz-unborn actual
'

test_expect_success 'a detached HEAD is listed without a symref' '
	c1=$(cat c1) &&
	hako -C src -c web checkout -q --detach "$c1" 2>/dev/null ||
	printf "%s\n" "$c1" >src/.hako/containers/web/HEAD &&
	hako ls-remote --symref src >actual &&
	grep "^$c1	containers/web/HEAD$" actual &&
	! grep "^ref: .*containers/web/HEAD$" actual
'

test_expect_success 'an empty workspace lists nothing; --exit-code says so' '
	hako init -q --empty empty &&
	hako ls-remote empty >actual &&
	test_must_be_empty actual &&
	test_expect_code 2 hako ls-remote --exit-code empty
'

test_expect_success 'a path that is not a workspace: one fatal line, exit non-zero' '
	mkdir notws &&
	test_must_fail hako ls-remote notws 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: .notws. does not appear to be a hako workspace" err &&
	test_must_fail hako ls-remote does-not-exist 2>err &&
	grep "^fatal: .does-not-exist. does not appear to be a hako workspace" err
'

test_expect_success 'a ref file that is not valid is reported, naming the remote' '
	echo garbage >src/.hako/containers/default/refs/heads/bad &&
	test_must_fail hako ls-remote src 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: src: .*bad" err
'

test_expect_success 'an ssh host or user that begins with - never reaches ssh as an option' '
	mkdir -p fakessh &&
	write_script fakessh/ssh <<-\EOF &&
	echo "$@" >>ssh-args
	exit 1
	EOF
	for url in "ssh://-oProxyCommand=touch${IFS}pwned/p" "ssh://-u@h/p" "-oProxyCommand=x:p" "u@-h:p"
	do
		test_must_fail env PATH="$PWD/fakessh:$PATH" hako ls-remote -- "$url" 2>err &&
		test_line_count = 1 err &&
		grep "^fatal: .*begins with .-. (refused: ssh would take it for an option)" err || return 1
	done &&
	test_path_is_missing pwned &&
	test_path_is_missing ssh-args &&
	# A plain ssh gets -- before the destination.
	test_must_fail env PATH="$PWD/fakessh:$PATH" hako ls-remote ssh://host/p 2>err &&
	grep "^-- host hako upload-pack" ssh-args
'

test_done
