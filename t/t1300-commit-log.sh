#!/bin/sh
test_description='commit-tree, rev-parse, rev-list and log'
. ./test-lib.sh

test_expect_success 'setup' '
	hako init -q .
'

test_expect_success 'commit-tree makes a reproducible root commit' '
	test_tick &&
	hako commit-tree $EMPTY_TREE -m "first" >A &&
	cat >expect <<-EOF &&
	tree $EMPTY_TREE
	author A U Thor <author@example.com> 1112911993 -0700
	committer C O Mitter <committer@example.com> 1112911993 -0700

	first
	EOF
	hako cat-file commit $(cat A) >actual &&
	test_cmp expect actual &&
	hako hash-object -t commit actual >id &&
	test_cmp A id
'

test_expect_success 'commit-tree with parents and a message on stdin' '
	test_tick &&
	echo "second" | hako commit-tree $EMPTY_TREE -p $(cat A) >B &&
	test_tick &&
	hako commit-tree $EMPTY_TREE -p $(cat B) -m third -m "with a body" >C &&
	hako cat-file -p $(cat C) >actual &&
	grep "^parent $(cat B)$" actual &&
	tail -n 3 actual >msg &&
	printf "third\n\nwith a body\n" >expect &&
	test_cmp expect msg &&
	hako update-ref refs/heads/main $(cat C)
'

test_expect_success 'commit-tree refuses a blob as tree and a tree as parent' '
	blob=$(echo x | hako hash-object -w --stdin) &&
	test_must_fail hako commit-tree $blob -m x 2>err &&
	grep "^fatal: $blob is a blob, not a tree" err &&
	test_must_fail hako commit-tree $EMPTY_TREE -p $EMPTY_TREE -m x 2>err &&
	grep "^fatal: object $EMPTY_TREE is a tree, not a commit" err
'

test_expect_success 'commit-tree with an unknown tree is fatal' '
	test_must_fail hako commit-tree 1234567 -m x 2>err &&
	test_line_count = 1 err
'

test_expect_success 'rev-parse resolves refs, prefixes, ^ and ~' '
	hako rev-parse main >actual && test_cmp C actual &&
	hako rev-parse HEAD^ >actual && test_cmp B actual &&
	hako rev-parse HEAD~2 >actual && test_cmp A actual &&
	hako rev-parse HEAD^^ >actual && test_cmp A actual &&
	hako rev-parse main~1^1 >actual && test_cmp A actual &&
	hako rev-parse $(cut -c1-8 <B) >actual && test_cmp B actual &&
	hako rev-parse HEAD^{tree} >actual &&
	echo $EMPTY_TREE >expect && test_cmp expect actual &&
	hako rev-parse HEAD^0 >actual && test_cmp C actual
'

test_expect_success 'rev-parse --short, --abbrev-ref and --symbolic-full-name' '
	cut -c1-12 <C >expect && hako rev-parse --short HEAD >actual && test_cmp expect actual &&
	cut -c1-7 <C >expect && hako rev-parse --short=7 HEAD >actual && test_cmp expect actual &&
	echo main >expect && hako rev-parse --abbrev-ref HEAD >actual && test_cmp expect actual &&
	echo refs/heads/main >expect && hako rev-parse --symbolic-full-name HEAD >actual && test_cmp expect actual
'

test_expect_success 'rev-parse past the root is fatal' '
	test_must_fail hako rev-parse HEAD~3 2>err &&
	grep "^fatal: HEAD~3: history of .* ends after 2 generation(s)" err &&
	test_must_fail hako rev-parse HEAD^2 2>err &&
	grep "^fatal: HEAD^2: commit .* has no parent 2" err
'

test_expect_success 'rev-parse of an unknown name is fatal' '
	test_must_fail hako rev-parse nope 2>err &&
	echo "fatal: not a valid object name: nope" >expect &&
	test_cmp expect err &&
	test_expect_code 1 hako rev-parse --verify -q nope
'

test_expect_success 'rev-parse A..B prints B and ^A' '
	printf "%s\n^%s\n" $(cat C) $(cat A) >expect &&
	hako rev-parse $(cat A)..main >actual &&
	test_cmp expect actual
'

test_expect_success 'rev-list walks history newest first' '
	cat C B A >expect &&
	hako rev-list HEAD >actual &&
	test_cmp expect actual &&
	cat C B >expect &&
	hako rev-list $(cat A)..HEAD >actual &&
	test_cmp expect actual &&
	hako rev-list HEAD ^$(cat A) >actual &&
	test_cmp expect actual &&
	echo 3 >expect && hako rev-list --count HEAD >actual && test_cmp expect actual &&
	cat A B C >expect && hako rev-list --reverse HEAD >actual && test_cmp expect actual &&
	cat C >expect && hako rev-list -n 1 HEAD >actual && test_cmp expect actual
'

test_expect_success 'rev-list orders a merge topologically, not by date' '
	# side branch made with an older clock than its parent: still listed before it
	test_tick &&
	D=$(hako commit-tree $EMPTY_TREE -p $(cat C) -m d) &&
	HAKO_COMMITTER_DATE="1000000000 +0000" E=$(hako commit-tree $EMPTY_TREE -p $(cat C) -m e) &&
	test_tick &&
	M=$(hako commit-tree $EMPTY_TREE -p $D -p $E -m merge) &&
	hako rev-list --parents -n 1 $M >actual &&
	echo "$M $D $E" >expect &&
	test_cmp expect actual &&
	hako rev-list $M >list &&
	test_line_count = 6 list &&
	head -n 1 list >first && echo $M >expect && test_cmp expect first &&
	grep -n "" list >numbered &&
	e_line=$(grep ":$E" numbered | cut -d: -f1) &&
	c_line=$(grep ":$(cat C)" numbered | cut -d: -f1) &&
	test $e_line -lt $c_line &&
	hako rev-list --first-parent $M >fp &&
	test_line_count = 5 fp &&
	! grep $E fp
'

test_expect_success 'log shows commits in git style' '
	cat >expect <<-EOF &&
	commit $(cat C)
	Author: A U Thor <author@example.com>
	Date:   Thu Apr 7 15:15:13 2005 -0700

	    third

	    with a body

	commit $(cat B)
	Author: A U Thor <author@example.com>
	Date:   Thu Apr 7 15:14:13 2005 -0700

	    second

	commit $(cat A)
	Author: A U Thor <author@example.com>
	Date:   Thu Apr 7 15:13:13 2005 -0700

	    first
	EOF
	hako log >actual &&
	test_cmp expect actual
'

test_expect_success 'log --oneline and -n' '
	cat >expect <<-EOF &&
	$(cut -c1-12 <C) third
	$(cut -c1-12 <B) second
	EOF
	hako log --oneline -n 2 >actual &&
	test_cmp expect actual
'

test_expect_success 'log of an unknown revision is fatal' '
	test_must_fail hako log nope 2>err &&
	test_line_count = 1 err
'

test_expect_success 'identity comes from config when the environment has none' '
	cat >>.hako/config <<-EOF &&
	[user]
	name = Config Person
	email = cp@example.com
	EOF
	env -u HAKO_AUTHOR_NAME -u HAKO_AUTHOR_EMAIL -u HAKO_COMMITTER_NAME -u HAKO_COMMITTER_EMAIL \
		hako commit-tree $EMPTY_TREE -m cfg >X &&
	hako cat-file -p $(cat X) >actual &&
	grep "^author Config Person <cp@example.com> " actual
'

test_expect_success 'a malformed HAKO_AUTHOR_DATE is fatal' '
	test_must_fail env HAKO_AUTHOR_DATE=yesterday hako commit-tree $EMPTY_TREE -m x 2>err &&
	grep "^fatal: invalid date" err
'

test_done
