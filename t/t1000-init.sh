#!/bin/sh
test_description='init creates a workspace that is found from below'
. ./test-lib.sh

test_expect_success 'init creates .hako with HEAD on main, and says what it made' '
	hako init ws >out &&
	id=$(hako -C ws rev-parse --short=12 main) &&
	if test_have_prereq BUSYBOX
	then
		what="a busybox root filesystem"
	else
		what="a root filesystem without programs (no busybox on this host)"
	fi &&
	echo "Initialized hako workspace in $TRASH_DIRECTORY/ws/.hako/ with container '"'"'default'"'"': $what, commit $id on branch main" >expect &&
	test_cmp expect out &&
	test_path_is_dir ws/.hako/objects &&
	test_path_is_dir ws/.hako/containers/default/refs/heads &&
	echo "ref: refs/heads/main" >expect &&
	test_cmp expect ws/.hako/containers/default/HEAD &&
	echo default >expect &&
	test_cmp expect ws/.hako/active
'

test_expect_success 'init refuses an existing workspace' '
	test_must_fail hako init ws 2>err &&
	grep "^fatal: .*already holds a hako workspace" err
'

test_expect_success 'the empty tree exists after init' '
	(cd ws && hako cat-file -t $EMPTY_TREE) >actual &&
	echo tree >expect &&
	test_cmp expect actual
'

test_expect_success 'the workspace is found from a subdirectory' '
	mkdir -p ws/a/b &&
	(cd ws/a/b && hako rev-parse --hako-dir) >actual &&
	echo "$TRASH_DIRECTORY/ws/.hako" >expect &&
	test_cmp expect actual
'

test_expect_success 'HAKO_DIR overrides discovery' '
	(cd / && HAKO_DIR="$TRASH_DIRECTORY/ws/.hako" hako rev-parse --hako-dir) >actual &&
	test_cmp expect actual
'

test_expect_success '-C changes directory first' '
	hako -C ws/a rev-parse --show-toplevel >actual &&
	echo "$TRASH_DIRECTORY/ws" >expect &&
	test_cmp expect actual
'

test_expect_success '-C to a missing directory is fatal' '
	test_must_fail hako -C nowhere log 2>err &&
	grep "^fatal: cannot change to .nowhere." err
'

test_expect_success 'a missing workspace is a one-line fatal error' '
	mkdir lonely &&
	(cd lonely && test_must_fail hako rev-parse HEAD) 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: not a hako workspace" err
'

test_expect_success 'init --empty says the container has no commits' '
	hako init --empty bare >out &&
	echo "Initialized empty hako workspace in $TRASH_DIRECTORY/bare/.hako/ (container '"'"'default'"'"', no commits)" >expect &&
	test_cmp expect out
'

test_expect_success 'init needs no identity: the seed commit is by "hako init"' '
	env -u HAKO_AUTHOR_NAME -u HAKO_AUTHOR_EMAIL -u HAKO_COMMITTER_NAME -u HAKO_COMMITTER_EMAIL \
		hako init -q anon &&
	hako -C anon cat-file -p HEAD >actual &&
	grep "^author hako init <init@hako.invalid> " actual &&
	grep "^committer hako init <init@hako.invalid> " actual
'

test_expect_success 'init with an identity uses it for the seed commit' '
	hako init -q named &&
	hako -C named cat-file -p HEAD >actual &&
	grep "^author A U Thor <author@example.com> " actual
'

test_expect_success 'log in an --empty workspace says there are no commits' '
	rm -rf bare && hako init -q --empty bare &&
	(cd bare && test_must_fail hako log) 2>err &&
	echo "fatal: your current branch '"'"'main'"'"' does not have any commits yet" >expect &&
	test_cmp expect err
'

test_expect_success 'a workspace of another core.formatversion is refused with one fatal line' '
	hako init -q --empty fv &&
	printf "[core]\n\tformatversion = 2\n" >fv/.hako/config &&
	test_expect_code 128 hako -C fv log 2>err &&
	echo "fatal: $TRASH_DIRECTORY/fv/.hako/config:2: core.formatversion is '"'"'2'"'"', but this hako reads only format version 1" >expect &&
	test_cmp expect err &&
	test_must_fail hako -C fv write /f x 2>err &&
	test_line_count = 1 err &&
	test_path_is_missing fv/.hako/containers/default/WORKING
'

test_expect_success 'config grammar: case, comments (also after a value), quotes, the last value wins' '
	hako init -q --empty cfg &&
	cat >cfg/.hako/config <<-\EOF &&
	[Core]
		FormatVersion = 1
	; a comment
	# another
	[USER]
		name = first
		NAME = "  Some One  "
		Email = "one@example.com # kept in quotes" # a comment
	EOF
	T=$(hako -C cfg mktree </dev/null) &&
	C=$(env -u HAKO_AUTHOR_NAME -u HAKO_AUTHOR_EMAIL -u HAKO_COMMITTER_NAME -u HAKO_COMMITTER_EMAIL \
		HAKO_AUTHOR_DATE="1700000000" hako -C cfg commit-tree $T -m m) &&
	hako -C cfg cat-file -p $C >actual &&
	grep "^author Some One <one@example.com # kept in quotes> 1700000000 +0000$" actual
'

test_done
