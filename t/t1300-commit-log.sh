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

test_expect_success 'unknown options are usage errors (129), never revisions' '
	test_expect_code 129 hako log --bogus 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: unexpected argument .--bogus. found" err &&
	test_expect_code 129 hako rev-list --bogus HEAD 2>err &&
	grep "^fatal: unexpected argument .--bogus. found" err &&
	test_expect_code 129 hako update-ref refs/heads/x 2>err &&
	echo "fatal: usage: hako update-ref REF NEW [OLD]" >expect &&
	test_cmp expect err &&
	test_expect_code 129 hako cat-file -p 2>err &&
	grep "^fatal: usage: hako cat-file" err
'

# A history with a merge made with plumbing: base, then A on main and B on
# side, merged by commit-tree -p A -p B, then C; a tag on B.
short () {
	hako rev-parse --short=12 "$1"
}

test_expect_success 'setup: a history with a merge' '
	hako init -q --empty lg && (
		cd lg &&
		test_tick && echo base | hako write /f && hako commit -q -m base &&
		test_tick && echo a | hako write /a && hako commit -q -m A &&
		hako branch side HEAD~1 && hako checkout side >/dev/null &&
		test_tick && printf "b\nb2\n" | hako write /b && hako commit -q -m B &&
		hako checkout main >/dev/null &&
		test_tick &&
		m=$(hako commit-tree main^{tree} -p main -p side -m merge) &&
		hako update-ref refs/heads/main $m &&
		hako tag t-side side &&
		test_tick && echo c >c.txt && hako import c.txt /c && hako commit -q -m C
	)
'

test_expect_success 'log --graph --oneline draws a merge as git does' '
	(
		cd lg &&
		cat >expect <<-EOF &&
		* $(short main) C
		*   $(short main~1) merge
		|\\
		| * $(short side) B
		* | $(short main~2) A
		|/
		* $(short main~3) base
		EOF
		hako log --graph --oneline >actual &&
		test_cmp expect actual
	)
'

test_expect_success 'log --graph beside full entries' '
	(
		cd lg &&
		cat >expect <<-EOF &&
		*   commit $(hako rev-parse main~1)
		|\\  Merge: $(short main~2) $(short side)
		| | Author: A U Thor <author@example.com>
		| | Date:   Thu Apr 7 15:21:13 2005 -0700
		| |
		| |     merge
		| |
		| * commit $(hako rev-parse side)
		| | Author: A U Thor <author@example.com>
		| | Date:   Thu Apr 7 15:20:13 2005 -0700
		| |
		| |     B
		| |
		* | commit $(hako rev-parse main~2)
		|/  Author: A U Thor <author@example.com>
		|   Date:   Thu Apr 7 15:19:13 2005 -0700
		|
		|       A
		|
		* commit $(hako rev-parse main~3)
		  Author: A U Thor <author@example.com>
		  Date:   Thu Apr 7 15:18:13 2005 -0700

		      base
		EOF
		hako log --graph main~1 >actual &&
		test_cmp expect actual
	)
'

test_expect_success 'log --graph of a linear history is a column of *' '
	(
		cd lg &&
		cat >expect <<-EOF &&
		* $(short side) B
		* $(short main~3) base
		EOF
		hako log --graph --oneline side >actual &&
		test_cmp expect actual &&
		hako log --graph --oneline --first-parent >actual &&
		cat >expect <<-EOF &&
		* $(short main) C
		* $(short main~1) merge
		* $(short main~2) A
		* $(short main~3) base
		EOF
		test_cmp expect actual
	)
'

test_expect_success 'log --all starts from every branch, tag and HEAD' '
	(
		cd lg &&
		hako checkout -b lone main~3 >/dev/null &&
		test_tick && echo l | hako write /l && hako commit -q -m lone &&
		hako checkout main >/dev/null &&
		hako log --oneline --all >actual &&
		hako log --oneline main lone >expect &&
		test_line_count = 6 expect &&
		test_cmp expect actual
	)
'

test_expect_success 'log --all includes commits only a tag names' '
	(
		cd lg &&
		test_tick && t=$(hako commit-tree main~3^{tree} -p main~3 -m tagged) &&
		hako update-ref refs/tags/only-tag $t &&
		hako log --oneline --all >actual &&
		grep "^$(short $t) tagged$" actual &&
		test_line_count = 7 actual &&
		hako update-ref -d refs/tags/only-tag
	)
'

test_expect_success 'log --all includes a detached HEAD' '
	(
		cd lg &&
		test_tick && d=$(hako commit-tree main~3^{tree} -p main~3 -m detached) &&
		hako checkout $d >/dev/null 2>&1 &&
		hako log --oneline --all >actual &&
		hako checkout main >/dev/null 2>&1 &&
		grep "^$(short $d) detached$" actual &&
		test_line_count = 7 actual
	)
'

test_expect_success 'log --stat and -p: each commit against its first parent, merges without' '
	(
		cd lg &&
		cat >expect <<-EOF &&
		$(short main) C
		 c |    1 +
		 1 file changed, 1 insertion(+), 0 deletions(-)
		$(short main~1) merge
		$(short side) B
		 b |    2 ++
		 1 file changed, 2 insertions(+), 0 deletions(-)
		EOF
		hako log --oneline --stat -n 3 >actual &&
		test_cmp expect actual &&
		cat >expect <<-EOF &&
		commit $(hako rev-parse main)
		Author: A U Thor <author@example.com>
		Date:   Thu Apr 7 15:22:13 2005 -0700

		    C

		diff --hako a/c b/c
		new file mode 100644
		--- /dev/null
		+++ b/c
		@@ -0,0 +1 @@
		+c
		EOF
		hako log -p -n 1 >actual &&
		test_cmp expect actual &&
		hako log -p -n 1 -- /f >actual &&
		grep "^+base" actual &&
		! grep "^diff --hako a/c" actual
	)
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

test_expect_success 'HAKO_AUTHOR_DATE: SECONDS, @SECONDS and a zone of HH 00-99 and MM 00-59' '
	T=$(hako mktree </dev/null) &&
	for d in "1700000000" "@1700000000" "-5 +0000" "@1700000000 +9959" "1700000000 -0000" "1700000000 -0130"; do
		C=$(HAKO_AUTHOR_DATE="$d" HAKO_COMMITTER_DATE="$d" hako commit-tree $T -m m) &&
		hako cat-file commit $C | sed -n "s/^author .*> //p" || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	1700000000 +0000
	1700000000 +0000
	-5 +0000
	1700000000 +9959
	1700000000 +0000
	1700000000 -0130
	EOF
	test_cmp expect actual &&
	for z in +0060 +100 0100 "+01:00"; do
		test_must_fail env HAKO_AUTHOR_DATE="1700000000 $z" hako commit-tree $T -m m 2>err &&
		echo "fatal: invalid timezone '"'"'$z'"'"'" >expect &&
		test_cmp expect err || return 1
	done
'

test_done
