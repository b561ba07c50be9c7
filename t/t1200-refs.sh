#!/bin/sh
test_description='update-ref, symbolic-ref, show-ref, for-each-ref and the reflog'
. ./test-lib.sh

test_expect_success 'setup: two commits' '
	hako init -q --empty . &&
	test_tick &&
	A=$(hako commit-tree $EMPTY_TREE -m first) &&
	test_tick &&
	B=$(hako commit-tree $EMPTY_TREE -p $A -m second) &&
	echo $A >A && echo $B >B
'

test_expect_success 'update-ref creates a ref' '
	A=$(cat A) &&
	hako update-ref refs/heads/main $A &&
	echo $A >expect &&
	test_cmp expect .hako/containers/default/refs/heads/main &&
	hako rev-parse main >actual &&
	test_cmp expect actual
'

test_expect_success 'update-ref with a matching old value succeeds' '
	A=$(cat A) B=$(cat B) &&
	hako update-ref refs/heads/main $B $A &&
	hako rev-parse HEAD >actual &&
	echo $B >expect &&
	test_cmp expect actual
'

test_expect_success 'update-ref with a stale old value fails and changes nothing' '
	A=$(cat A) B=$(cat B) &&
	test_must_fail hako update-ref refs/heads/main $A $A 2>err &&
	echo "fatal: cannot update ref refs/heads/main: expected $A, found $B" >expect &&
	test_cmp expect err &&
	echo $B >expect &&
	test_cmp expect .hako/containers/default/refs/heads/main
'

test_expect_success 'update-ref with the zero id as old value requires absence' '
	A=$(cat A) &&
	hako update-ref refs/heads/new $A $ZERO_OID &&
	test_must_fail hako update-ref refs/heads/new $A $ZERO_OID 2>err &&
	grep "^fatal: cannot update ref refs/heads/new: expected nothing" err
'

test_expect_success 'update-ref refuses malformed ref names' '
	A=$(cat A) &&
	for name in refs/heads/a..b refs/heads/x.lock "refs/heads/sp ace" refs/heads/ refs/heads/.dot main "refs/heads/tab	x"; do
		test_must_fail hako update-ref "$name" $A 2>err &&
		grep "^fatal: invalid ref name" err || return 1
	done &&
	test_path_is_missing .hako/containers/default/refs/heads/x.lock
'

test_expect_success 'update-ref refuses a ref with control characters' '
	A=$(cat A) &&
	test_must_fail hako update-ref "$(printf "refs/heads/a\001b")" $A 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: invalid ref name" err
'

test_expect_success 'update-ref to an unknown object is fatal' '
	test_must_fail hako update-ref refs/heads/x deadbeef 2>err &&
	grep "^fatal: not a valid object name: deadbeef" err &&
	test_path_is_missing .hako/containers/default/refs/heads/x
'

test_expect_success 'a held lock makes the update fail and leaves the ref' '
	A=$(cat A) B=$(cat B) &&
	hold_lock .hako/containers/default/refs/heads/main.lock &&
	test_must_fail hako update-ref refs/heads/main $A 2>err &&
	grep "^fatal: unable to lock ref refs/heads/main: .*main.lock is held by another hako process (if none is running, remove .*main.lock)$" err &&
	echo $B >expect &&
	test_cmp expect .hako/containers/default/refs/heads/main
'

test_expect_success 'update-ref -d deletes, with an old-value check' '
	A=$(cat A) B=$(cat B) &&
	test_must_fail hako update-ref -d refs/heads/new $B &&
	test_path_is_file .hako/containers/default/refs/heads/new &&
	hako update-ref -d refs/heads/new $A &&
	test_path_is_missing .hako/containers/default/refs/heads/new
'

test_expect_success 'the reflog records every move' '
	A=$(cat A) B=$(cat B) &&
	cat >expect <<-EOF &&
	$ZERO_OID $A
	$A $B
	EOF
	cut -d" " -f1,2 .hako/containers/default/logs/refs/heads/main >actual &&
	test_cmp expect actual &&
	cut -d" " -f1,2 .hako/containers/default/logs/HEAD >actual &&
	test_cmp expect actual
'

test_expect_success 'symbolic-ref reads and sets HEAD' '
	echo refs/heads/main >expect &&
	hako symbolic-ref HEAD >actual &&
	test_cmp expect actual &&
	echo main >expect &&
	hako symbolic-ref --short HEAD >actual &&
	test_cmp expect actual &&
	hako update-ref refs/heads/other $(cat A) &&
	hako symbolic-ref HEAD refs/heads/other &&
	hako rev-parse HEAD >actual &&
	test_cmp A actual &&
	hako symbolic-ref HEAD refs/heads/main
'

test_expect_success 'symbolic-ref on a direct ref fails (or exits 1 with -q)' '
	test_must_fail hako symbolic-ref refs/heads/main 2>err &&
	grep "^fatal: ref refs/heads/main is not a symbolic ref" err &&
	test_expect_code 1 hako symbolic-ref -q refs/heads/main
'

test_expect_success 'symbolic-ref refuses a target outside refs/' '
	test_must_fail hako symbolic-ref HEAD elsewhere 2>err &&
	grep "^fatal: refusing to point HEAD outside refs/" err
'

test_expect_success 'show-ref lists refs sorted' '
	A=$(cat A) B=$(cat B) &&
	hako update-ref refs/tags/v1 $A &&
	cat >expect <<-EOF &&
	$B refs/heads/main
	$A refs/heads/other
	$A refs/tags/v1
	EOF
	hako show-ref >actual &&
	test_cmp expect actual &&
	echo "$A refs/tags/v1" >expect &&
	hako show-ref --tags >actual &&
	test_cmp expect actual &&
	echo "$B refs/heads/main" >expect &&
	hako show-ref main >actual &&
	test_cmp expect actual
'

test_expect_success 'show-ref --heads --tags lists branches and tags, not other refs' '
	A=$(cat A) B=$(cat B) &&
	hako update-ref refs/remotes/origin/main $A &&
	test_when_finished "hako update-ref -d refs/remotes/origin/main" &&
	cat >expect <<-EOF &&
	$B refs/heads/main
	$A refs/heads/other
	$A refs/tags/v1
	EOF
	hako show-ref --heads --tags >actual &&
	test_cmp expect actual &&
	hako show-ref >actual &&
	grep "^$A refs/remotes/origin/main$" actual
'

test_expect_success 'show-ref --verify and a miss' '
	test_must_fail hako show-ref --verify refs/heads/nope 2>err &&
	grep "^fatal: .refs/heads/nope. - not a valid ref" err &&
	test_expect_code 1 hako show-ref nope
'

test_expect_success 'for-each-ref default and custom formats' '
	A=$(cat A) B=$(cat B) &&
	cat >expect <<-EOF &&
	$B commit	refs/heads/main
	$A commit	refs/heads/other
	$A commit	refs/tags/v1
	EOF
	hako for-each-ref >actual &&
	test_cmp expect actual &&
	cat >expect <<-EOF &&
	main second
	other first
	EOF
	hako for-each-ref --format="%(refname:short) %(subject)" refs/heads >actual &&
	test_cmp expect actual &&
	cat >expect <<-EOF &&
	main
	EOF
	hako for-each-ref --format="%(refname:short)" --sort=-committerdate --count=1 refs/heads >actual &&
	test_cmp expect actual
'

test_expect_success 'for-each-ref with an unknown atom is fatal' '
	test_must_fail hako for-each-ref --format="%(bogus)" 2>err &&
	echo "fatal: unknown field name: bogus" >expect &&
	test_cmp expect err
'

test_expect_success 'a lock file left by a killed process is taken over, with a warning' '
	A=$(cat A) B=$(cat B) &&
	echo partial >.hako/containers/default/refs/heads/main.lock &&
	hako update-ref refs/heads/main $A $B 2>err &&
	grep "^warning: removed .*main.lock, left by a hako process that is no longer running" err &&
	echo $A >expect &&
	test_cmp expect .hako/containers/default/refs/heads/main &&
	test_path_is_missing .hako/containers/default/refs/heads/main.lock &&
	hako update-ref refs/heads/main $B $A
'

test_expect_success 'at most 5 symbolic refs are followed; a 6th is an error' '
	C1=$(cat A) &&
	hako update-ref refs/heads/s0 $C1 &&
	for i in 1 2 3 4 5 6; do
		hako symbolic-ref refs/heads/s$i refs/heads/s$((i - 1)) || return 1
	done &&
	echo $C1 >expect &&
	hako rev-parse refs/heads/s5 >actual &&
	test_cmp expect actual &&
	test_expect_code 128 hako rev-parse refs/heads/s6 2>err &&
	echo "fatal: symbolic ref chain too deep at refs/heads/s6" >expect &&
	test_cmp expect err &&
	test_must_fail hako update-ref refs/heads/s6 $C1 2>err &&
	test_cmp expect err
'

test_expect_success 'reflog: checkout records A A, symbolic-ref nothing, a deleted branch a zero record and its log stays' '
	hako init -q --empty rl && (
		cd rl &&
		hako write /f x && hako commit -q -m one &&
		hako branch dev &&
		hako checkout dev >/dev/null && hako checkout dev >/dev/null &&
		hako symbolic-ref HEAD refs/heads/main &&
		hako branch -D dev >/dev/null &&
		A=$(hako rev-parse main) &&
		cut -f2 .hako/containers/default/logs/HEAD >actual &&
		cat >expect <<-\EOF &&
		commit (initial): one
		checkout: moving from main to dev
		checkout: moving from dev to dev
		EOF
		test_cmp expect actual &&
		cut -d" " -f1,2 .hako/containers/default/logs/HEAD | tail -n 2 >actual &&
		printf "%s %s\n%s %s\n" $A $A $A $A >expect &&
		test_cmp expect actual &&
		cut -d" " -f1,2 .hako/containers/default/logs/refs/heads/dev >actual &&
		printf "%s %s\n%s %s\n" $ZERO_OID $A $A $ZERO_OID >expect &&
		test_cmp expect actual
	)
'

test_expect_success 'a reflog record without a configured identity names $USER, else $LOGNAME, else hako' '
	(
		cd rl &&
		unset HAKO_AUTHOR_NAME HAKO_AUTHOR_EMAIL HAKO_COMMITTER_NAME HAKO_COMMITTER_EMAIL &&
		USER=u LOGNAME=l hako update-ref refs/heads/who1 HEAD &&
		(unset USER && LOGNAME=l hako update-ref refs/heads/who2 HEAD) &&
		(unset USER LOGNAME && hako update-ref refs/heads/who3 HEAD) &&
		for i in 1 2 3; do
			sed "s/^[0-9a-f]* [0-9a-f]* \(.*>\).*/\1/" .hako/containers/default/logs/refs/heads/who$i || return 1
		done >../actual
	) &&
	cat >expect <<-\EOF &&
	u <u@localhost>
	l <l@localhost>
	hako <hako@localhost>
	EOF
	test_cmp expect actual
'

test_done
