#!/bin/sh
test_description='commit, log, branch, checkout, tag'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-porcelain.sh

test_expect_success 'setup' '
	hako init -q --empty . &&
	test_tick
'

test_expect_success 'commit prints the short id and subject' '
	hako write /f one &&
	hako commit -m "first" >out &&
	echo "$(hako rev-parse --short HEAD) first" >expect &&
	test_cmp expect out
'

test_expect_success 'nothing to commit exits 1; --allow-empty commits anyway' '
	test_expect_code 1 hako commit -m again >out &&
	grep "nothing to commit" out &&
	test_tick &&
	hako commit --allow-empty -m empty &&
	hako log --oneline >log && test_line_count = 2 log
'

test_expect_success 'an empty commit message is refused, state unchanged' '
	hako write /f two &&
	expect_unchanged hako commit -m "   " &&
	grep "empty commit message" err
'

# hako with no identity in the environment.
anon () {
	env -u HAKO_AUTHOR_NAME -u HAKO_AUTHOR_EMAIL -u HAKO_COMMITTER_NAME -u HAKO_COMMITTER_EMAIL hako "$@"
}

test_expect_success 'commit without an identity is refused and says how to set one' '
	cat >expect <<-\EOF &&
	fatal: author identity unknown: set HAKO_AUTHOR_NAME and HAKO_AUTHOR_EMAIL, or user.name and user.email in .hako/config or ~/.config/hako/config
	EOF
	state >state.before &&
	test_must_fail anon commit -m anonymous 2>err &&
	test_cmp expect err &&
	state >state.after &&
	test_cmp state.before state.after &&
	test_must_fail anon commit-tree HEAD^{tree} -m anonymous 2>err &&
	test_cmp expect err &&
	test_must_fail env -u HAKO_AUTHOR_EMAIL -u HAKO_COMMITTER_EMAIL hako commit -m half 2>err &&
	test_cmp expect err &&
	test_must_fail anon tag -a -m msg anon-tag 2>err &&
	grep "^fatal: committer identity unknown" err
'

test_expect_success 'the user config (~/.config/hako/config) gives an identity' '
	mkdir -p .config/hako &&
	test_when_finished "rm -rf .config" &&
	printf "[user]\n\tname = Home User\n\temail = home@example.com\n" >.config/hako/config &&
	anon commit-tree HEAD^{tree} -m from-home >id &&
	hako cat-file -p $(cat id) >actual &&
	grep "^author Home User <home@example.com> " actual &&
	grep "^committer Home User <home@example.com> " actual
'

test_expect_success 'commit records the working root and parent' '
	test_tick &&
	hako commit -m second &&
	hako cat-file -p HEAD >c &&
	grep "^tree $(hako rev-parse HEAD^{tree})$" c &&
	grep "^parent $(hako rev-parse HEAD~1)$" c &&
	echo $(hako rev-parse HEAD^{tree}) >expect &&
	test_cmp expect .hako/containers/default/WORKING
'

test_expect_success 'log --oneline -n and log -- PATH' '
	test_tick &&
	hako write /g x && hako commit -m "add g" &&
	cat >expect <<-EOF &&
	$(hako rev-parse --short HEAD) add g
	$(hako rev-parse --short HEAD~1) second
	EOF
	hako log --oneline -n 2 >actual &&
	test_cmp expect actual &&
	cat >expect <<-EOF &&
	$(hako rev-parse --short HEAD~1) second
	$(hako rev-parse --short HEAD~3) first
	EOF
	hako log --oneline -- /f >actual &&
	test_cmp expect actual
'

test_expect_success 'branch creates, lists, renames, deletes' '
	hako branch topic &&
	hako branch old HEAD~1 &&
	cat >expect <<-EOF &&
	* main
	  old
	  topic
	EOF
	hako branch >actual && test_cmp expect actual &&
	hako branch -m old older &&
	hako branch -d older >out &&
	grep "^Deleted branch older" out &&
	cat >expect <<-EOF &&
	* main
	  topic
	EOF
	hako branch >actual && test_cmp expect actual
'

test_expect_success 'branch errors' '
	expect_unchanged hako branch topic &&
	grep "already exists" err &&
	expect_unchanged hako branch -d main &&
	grep "cannot delete the current branch" err &&
	expect_unchanged hako branch nope nosuchrev &&
	expect_unchanged hako branch "bad..name"
'

test_expect_success 'checkout switches branches; each keeps its history' '
	hako checkout topic 2>err &&
	grep "Switched to branch .topic." err &&
	test_tick &&
	hako write /t topic && hako commit -m "on topic" &&
	hako checkout main &&
	test_must_fail hako cat /t &&
	hako checkout topic &&
	hako cat /t >actual && printf topic >expect && test_cmp expect actual
'

test_expect_success 'checkout refuses to drop uncommitted changes' '
	hako write /dirty yes &&
	expect_unchanged hako checkout main &&
	grep "uncommitted changes" err &&
	hako cat /dirty
'

test_expect_success 'checkout --force drops them' '
	hako checkout --force main &&
	test_must_fail hako cat /dirty &&
	echo "refs/heads/main" >expect && hako symbolic-ref HEAD >actual && test_cmp expect actual
'

test_expect_success 'checkout of a commit detaches HEAD; -b makes a branch' '
	hako checkout HEAD~1 2>err &&
	grep "detached" err &&
	test_must_fail hako symbolic-ref -q HEAD &&
	hako status >st && grep "^HEAD detached at" st &&
	hako checkout -b fix &&
	echo refs/heads/fix >expect && hako symbolic-ref HEAD >actual && test_cmp expect actual &&
	hako checkout main
'

test_expect_success 'checkout of an unknown ref is fatal' '
	expect_unchanged hako checkout nosuch
'

test_expect_success 'tag: lightweight, annotated, list, delete' '
	hako tag v1 &&
	test_tick &&
	hako tag -a -m "release two" v2 HEAD~1 &&
	printf "v1\nv2\n" >expect && hako tag >actual && test_cmp expect actual &&
	echo commit >expect && hako cat-file -t v1 >actual && test_cmp expect actual &&
	echo tag >expect && hako cat-file -t v2 >actual && test_cmp expect actual &&
	hako cat-file -p v2 >t && grep "^tag v2$" t && grep "^release two$" t &&
	hako rev-parse v2^{commit} >actual && hako rev-parse HEAD~1 >expect && test_cmp expect actual &&
	hako tag -d v1 >out && grep "^Deleted tag .v1." out &&
	echo v2 >expect && hako tag >actual && test_cmp expect actual
'

test_expect_success 'tag errors' '
	expect_unchanged hako tag v2 &&
	grep "already exists" err &&
	expect_unchanged hako tag -d nosuch &&
	expect_unchanged hako tag -a v3 &&
	grep "needs a message" err &&
	test_expect_code 129 hako tag -a v3 2>err &&
	grep "^fatal: usage: hako tag -a -m MSG" err
'

test_expect_success 'branch -d refuses a branch not merged into HEAD; -D and -d --force delete it' '
	hako checkout -q -b unmerged 2>/dev/null || hako checkout -b unmerged &&
	test_tick &&
	hako write /only-here x && hako commit -q -m "only on unmerged" &&
	hako checkout main &&
	U=$(hako rev-parse unmerged) &&
	expect_unchanged hako branch -d unmerged &&
	grep "^fatal: the branch .unmerged. is not fully merged into HEAD; use .branch -D unmerged. to delete it anyway$" err &&
	hako branch -D unmerged >out &&
	grep "^Deleted branch unmerged" out &&
	hako branch new-one $U &&
	hako branch -d --force new-one &&
	test_must_fail hako rev-parse --verify new-one &&
	hako branch merged-one HEAD~1 &&
	hako branch -d merged-one
'

test_expect_success 'branch -m moves the branch, HEAD and nothing else, in one transaction' '
	hako checkout -b to-rename 2>/dev/null &&
	C=$(hako rev-parse HEAD) &&
	hako branch -m renamed &&
	test "$(hako symbolic-ref HEAD)" = refs/heads/renamed &&
	test "$(hako rev-parse renamed)" = $C &&
	test_must_fail hako rev-parse --verify to-rename &&
	hako branch keep &&
	expect_unchanged hako branch -m renamed keep &&
	test "$(hako symbolic-ref HEAD)" = refs/heads/renamed &&
	hako checkout main && hako branch -D renamed keep 2>/dev/null || hako branch -D renamed && hako branch -D keep
'

test_expect_success 'a write racing a checkout fails instead of landing on the other branch' '
	hako branch race-target HEAD~1 || return 1
	( HAKO_TEST_PAUSE=write:w1 hako write /raced data 2>write.err; echo $? >write.status ) &
	for _ in $(test_seq 500); do test -f w1.ready && break; sleep 0.02; done &&
	test_path_is_file w1.ready &&
	hako checkout race-target &&
	>w1.go && wait &&
	test "$(cat write.status)" = 128 &&
	grep "^fatal: the working root changed while this command ran; nothing was written$" write.err &&
	test_must_fail hako cat /raced &&
	test "$(hako rev-parse WORKING)" = "$(hako rev-parse race-target^{tree})" &&
	hako checkout main
'

test_expect_success 'a commit racing a write refuses before moving HEAD; the write is kept' '
	H=$(hako rev-parse HEAD) && hako write /pending one || return 1
	( HAKO_TEST_PAUSE=commit:c1 hako commit -m racing >commit.out 2>commit.err; echo $? >commit.status ) &
	for _ in $(test_seq 500); do test -f c1.ready && break; sleep 0.02; done &&
	test_path_is_file c1.ready &&
	hako write /pending two &&
	>c1.go && wait &&
	test "$(cat commit.status)" = 128 &&
	grep "^fatal: the working root changed while this command ran; nothing was written$" commit.err &&
	test "$(hako rev-parse HEAD)" = $H &&
	echo two >expect && hako cat /pending >actual && echo >>actual && test_cmp expect actual
'

test_done
