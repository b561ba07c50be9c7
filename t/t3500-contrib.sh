#!/bin/sh
test_description='contrib: completions are current, the example script works, the demo runs'
. ./test-lib.sh

test_expect_success 'checked-in completions match hako completions' '
	hako completions bash >bash && test_cmp "$TEST_DIRECTORY/../contrib/completions/hako.bash" bash &&
	hako completions zsh >zsh && test_cmp "$TEST_DIRECTORY/../contrib/completions/_hako" zsh &&
	hako completions fish >fish && test_cmp "$TEST_DIRECTORY/../contrib/completions/hako.fish" fish
'

test_expect_success 'checked-in man pages match hako manpages; every command has one with its example' '
	hako manpages man &&
	diff -r "$TEST_DIRECTORY/../contrib/man" man &&
	test -f man/hako.1 && test -f man/hako-push.1 && test -f man/hako-merge-tree.1 &&
	grep -q "hako push .*u origin main" man/hako-push.1 &&
	hako push -h >help &&
	grep -A2 "^Examples:" help | grep "# push a branch and track it" &&
	hako help clone >help &&
	grep "hako clone ssh://host/srv/ws" help
'

test_expect_success 'completions of an unknown shell is a usage error' '
	test_expect_code 129 hako completions tcsh 2>err &&
	grep "^fatal: invalid value .tcsh." err
'

test_expect_success 'snapshot-dir.sh commits a directory, then only changes' '
	hako init -q --empty ws &&
	mkdir data && echo 1 >data/a &&
	(cd ws && "$TEST_DIRECTORY/../contrib/examples/snapshot-dir.sh" ../data) &&
	(cd ws && "$TEST_DIRECTORY/../contrib/examples/snapshot-dir.sh" ../data) >out &&
	grep "^unchanged: snapshots is " out &&
	echo 2 >data/b &&
	(cd ws && "$TEST_DIRECTORY/../contrib/examples/snapshot-dir.sh" ../data) >out &&
	grep "^A	b$" out &&
	hako -C ws rev-list --count snapshots >actual &&
	echo 2 >expect && test_cmp expect actual &&
	hako -C ws cat snapshots:/b >actual && test_cmp data/b actual
'

test_expect_success 'the README demo runs' '
	HAKO="$HAKO_BUILD_DIR/hako" "$TEST_DIRECTORY/../contrib/demo.sh" >out 2>&1 &&
	grep "^+hello from the container" out
'

test_lazy_prereq USERNS 'unshare -Ur true'

test_expect_success USERNS,BUSYBOX 'the demo runs a command in the container with hako run, commits its write, builds one with apply' '
	grep "^hello from the container" out &&
	grep "^hako: uid 0, [0-9]* programs, [0-9] environment variables$" out &&
	grep "^  added:    /etc/note$" out &&
	grep "a note written by a command in the container" out &&
	grep "^step 2/2: echo step two" out &&
	grep "^step two$" out
'

test_expect_success 'the demo uses the hako in PATH' '
	mkdir -p fakebin &&
	write_script fakebin/hako <<-EOF &&
	echo "\$1" >>"$TRASH_DIRECTORY/calls"
	exec "$HAKO_BUILD_DIR/hako" "\$@"
	EOF
	env -u HAKO PATH="$TRASH_DIRECTORY/fakebin:$PATH" "$TEST_DIRECTORY/../contrib/demo.sh" >out 2>&1 &&
	grep "^init$" calls &&
	grep "^commit$" calls &&
	grep "^run$" calls &&
	grep "^apply$" calls
'

test_expect_success 'the demo needs no identity of the user' '
	rm -rf ws2 &&
	env -u HAKO_AUTHOR_NAME -u HAKO_AUTHOR_EMAIL -u HAKO_COMMITTER_NAME -u HAKO_COMMITTER_EMAIL \
		HAKO="$HAKO_BUILD_DIR/hako" "$TEST_DIRECTORY/../contrib/demo.sh" >out 2>&1 &&
	grep "^Author: hako demo <demo@hako.invalid>" out
'

test_lazy_prereq VALGRIND 'command -v valgrind'

test_expect_success VALGRIND 'start-order.sh lists the functions a start runs, each by a name the binary has' '
	HAKO="$HAKO_BUILD_DIR/hako" sh "$TEST_DIRECTORY/../contrib/start-order.sh" "order list" >out &&
	grep "^start-order.sh: [0-9]* functions in .*/order list$" out &&
	test $(wc -l <"order list") -gt 100 &&
	grep rev_parse "order list" &&
	nm "$HAKO_BUILD_DIR/hako" | awk "{ print \$NF }" | sort -u >names &&
	sort -u "order list" >listed &&
	comm -23 listed names >missing &&
	test_must_be_empty missing
'

test_done
