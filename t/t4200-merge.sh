#!/bin/sh
test_description='merge: fast-forward, merge commits, conflicts in the working root, add, --continue, --abort, bad input'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-porcelain.sh

# graph: log --graph --oneline without the ids.
graph () {
	hako log --graph --oneline "$@" | sed -e "s/[0-9a-f]\{12\} //"
}

test_expect_success 'setup: main and side diverge from base' '
	hako init -q --empty . &&
	test_tick &&
	printf "1\n2\n3\n4\n5\n" | hako write /conf &&
	hako commit -q -m base &&
	hako branch side && hako branch ahead && hako branch other &&
	test_tick && hako write /a A && hako commit -q -m ours &&
	hako checkout side 2>/dev/null &&
	test_tick && printf "1\n2\n3\n4\nfive\n" | hako write /conf && hako commit -q -m theirs &&
	hako checkout ahead 2>/dev/null &&
	test_tick && hako write /b B && hako commit -q -m ahead &&
	hako checkout main 2>/dev/null
'

test_expect_success '--ff-only refuses when a fast-forward is impossible, nothing changed' '
	expect_unchanged hako merge --ff-only side &&
	echo "fatal: not possible to fast-forward to '"'"'side'"'"'" >expect &&
	test_cmp expect err
'

test_expect_success 'a fast-forward moves HEAD and the working root' '
	hako checkout -b ff HEAD~1 2>/dev/null &&
	hako merge ahead >actual &&
	printf "Updating %s..%s\nFast-forward\n" $(hako rev-parse --short HEAD@{1}) $(hako rev-parse --short ahead) >expect &&
	test_cmp expect actual &&
	test $(hako rev-parse HEAD) = $(hako rev-parse ahead) &&
	test $(hako rev-parse WORKING) = $(hako rev-parse ahead^{tree}) &&
	hako merge ahead >actual &&
	echo "Already up to date." >expect &&
	test_cmp expect actual
'

test_expect_success '--no-ff records a merge commit even when a fast-forward is possible' '
	hako checkout -b noff HEAD~1 2>/dev/null &&
	test_tick &&
	hako merge --no-ff -m "merge ahead" ahead >actual &&
	echo "$(hako rev-parse --short HEAD) merge ahead" >expect &&
	test_cmp expect actual &&
	test $(hako rev-parse HEAD^1) = $(hako rev-parse ahead~1) &&
	test $(hako rev-parse HEAD^2) = $(hako rev-parse ahead)
'

test_expect_success 'a clean merge makes a commit with two parents; log --graph draws it' '
	hako checkout main 2>/dev/null &&
	test_tick &&
	hako merge side >actual &&
	echo "$(hako rev-parse --short HEAD) Merge side" >expect &&
	test_cmp expect actual &&
	printf "1\n2\n3\n4\nfive\n" >expect && hako cat /conf >actual && test_cmp expect actual &&
	test "$(hako cat /a)" = A &&
	test $(hako rev-parse HEAD^2) = $(hako rev-parse side) &&
	cat >expect <<-\EOF &&
	*   Merge side
	|\
	| * theirs
	* | ours
	|/
	* base
	EOF
	graph >actual &&
	test_cmp expect actual &&
	hako status >actual &&
	grep "nothing to commit" actual
'

test_expect_success 'setup a conflict' '
	test_tick && printf "1\n2\n3\n4\nFIVE\n" | hako write /conf && hako commit -q -m c1 &&
	hako checkout side 2>/dev/null &&
	test_tick && printf "1\n2\n3\n4\nfiv\n" | hako write /conf && hako commit -q -m c2 &&
	hako checkout main 2>/dev/null
'

test_expect_success 'a conflicted merge leaves markers in the working root and records the conflicts' '
	state >before.merge &&
	test_expect_code 1 hako merge side >actual &&
	cat >expect <<-\EOF &&
	CONFLICT (content): /conf
	Automatic merge failed: fix the conflicts, '"'"'hako add'"'"' each path, then '"'"'hako merge --continue'"'"'.
	EOF
	test_cmp expect actual &&
	printf "1\n2\n3\n4\n<<<<<<< ours\nFIVE\n=======\nfiv\n>>>>>>> theirs\n" >expect &&
	hako cat /conf >actual && test_cmp expect actual &&
	test $(hako rev-parse HEAD) = $(hako rev-parse main@{0}) &&
	cat >expect <<-EOF &&
	On branch main (container default)
	Merging $(hako rev-parse --short side) ('"'"'hako merge --continue'"'"' records it, '"'"'hako merge --abort'"'"' gives it up)
	Unmerged paths ('"'"'hako add PATH'"'"' marks one resolved):
	  content: /conf
	Changes not committed:
	  modified: /conf
	EOF
	hako status >actual && test_cmp expect actual &&
	echo "U conf content" >expect &&
	hako status --porcelain | grep "^U" >actual && test_cmp expect actual &&
	hako diff >actual &&
	grep "^+<<<<<<< ours$" actual && grep "^+>>>>>>> theirs$" actual
'

test_expect_success 'MERGE keeps the message as given; MERGE_CONFLICTS paths have no leading /' '
	printf "content\tconf\000" >expect &&
	test_cmp expect .hako/containers/default/MERGE_CONFLICTS &&
	sed -n "4,\$p" .hako/containers/default/MERGE >actual &&
	printf "\nMerge side" >expect &&
	test_cmp expect actual
'

test_expect_success 'commit and merge --continue refuse while a conflict is unresolved' '
	expect_unchanged hako commit -m resolved &&
	grep "^fatal: cannot commit: 1 unresolved conflict(s), first '"'"'/conf'"'"'" err &&
	expect_unchanged hako merge --continue
'

test_expect_success 'merging while a merge is in progress is refused' '
	expect_unchanged hako merge ahead &&
	grep "^fatal: a merge is in progress" err
'

test_expect_success 'checkout is refused while a merge is in progress' '
	expect_unchanged hako checkout side &&
	grep "^fatal: a merge is in progress" err
'

test_expect_success 'merge --abort restores HEAD and the working root exactly' '
	hako merge --abort &&
	state >after.abort &&
	test_cmp before.merge after.abort &&
	hako status >actual &&
	! grep Merging actual &&
	expect_unchanged hako merge --abort
'

test_expect_success 'add marks a path resolved; merge --continue records the merge' '
	test_expect_code 1 hako merge side >/dev/null &&
	printf "1\n2\n3\n4\nFive\n" | hako write /conf &&
	hako add /conf &&
	hako status >actual && ! grep "Unmerged" actual &&
	test_tick &&
	hako merge --continue >actual &&
	echo "$(hako rev-parse --short HEAD) Merge side" >expect &&
	test_cmp expect actual &&
	test $(hako rev-parse HEAD^1) = $(hako rev-parse main@{1}) &&
	test $(hako rev-parse HEAD^2) = $(hako rev-parse side) &&
	printf "1\n2\n3\n4\nFive\n" >expect && hako cat HEAD:/conf >actual && test_cmp expect actual &&
	expect_unchanged hako merge --continue
'

test_expect_success 'commit after resolution records the merge with two parents' '
	test_tick && printf "1\n2\n3\n4\nV\n" | hako write /conf && hako commit -q -m c3 &&
	hako checkout side 2>/dev/null &&
	test_tick && printf "1\n2\n3\n4\nv\n" | hako write /conf && hako commit -q -m c4 &&
	hako checkout main 2>/dev/null &&
	test_expect_code 1 hako merge side >/dev/null &&
	hako write /conf "resolved" && hako add / &&
	test_tick &&
	hako commit -q -m "merged by commit" &&
	test $(hako rev-parse HEAD^2) = $(hako rev-parse side) &&
	test "$(hako cat /conf)" = resolved
'

test_expect_success '-X theirs resolves conflicting hunks for theirs' '
	test_tick && printf "1\n2\n3\n4\nW\n" | hako write /conf && hako commit -q -m c5 &&
	hako checkout side 2>/dev/null &&
	test_tick && printf "1\n2\n3\n4\nw\n" | hako write /conf && hako commit -q -m c6 &&
	hako checkout main 2>/dev/null &&
	test_tick &&
	hako merge -X theirs side >/dev/null &&
	printf "1\n2\n3\n4\nw\n" >expect && hako cat /conf >actual && test_cmp expect actual &&
	test $(hako rev-parse HEAD^2) = $(hako rev-parse side)
'

test_expect_success '--squash puts the result in the working root; --continue commits one parent' '
	hako checkout side 2>/dev/null &&
	test_tick && hako write /s S && hako commit -q -m squashed &&
	hako checkout main 2>/dev/null &&
	head=$(hako rev-parse HEAD) &&
	hako merge --squash side >actual &&
	test $(hako rev-parse HEAD) = $head &&
	test "$(hako cat /s)" = S &&
	test_tick &&
	hako merge --continue -m "squash side" >/dev/null &&
	test $(hako rev-parse HEAD^1) = $head &&
	test_must_fail hako rev-parse --verify HEAD^2
'

test_expect_success 'uncommitted changes the merge would touch: refused, nothing changed' '
	hako checkout side 2>/dev/null &&
	test_tick && hako write /x "side x" && hako commit -q -m side-x &&
	hako checkout main 2>/dev/null &&
	hako write /x "dirty" &&
	expect_unchanged hako merge side &&
	echo "fatal: uncommitted changes to '"'"'/x'"'"' would be overwritten by the merge; commit them first" >expect &&
	test_cmp expect err
'

test_expect_success 'uncommitted changes the merge does not touch are carried over' '
	hako del /x &&
	hako checkout side 2>/dev/null &&
	test_tick && hako write /t T && hako commit -q -m side-t &&
	hako checkout main 2>/dev/null &&
	hako write /untouched dirty &&
	test_tick &&
	hako merge -m carried side >/dev/null &&
	test "$(hako cat /untouched)" = dirty &&
	test_must_fail hako cat HEAD:/untouched &&
	test "$(hako cat /t)" = T &&
	test "$(hako cat /x)" = "side x"
'

test_expect_success 'unknown ref and unrelated histories are refused, nothing changed' '
	expect_unchanged hako merge no-such-branch &&
	tree=$(printf "" | hako mktree) &&
	lone=$(hako commit-tree -m lone $tree) &&
	hako branch lone $lone &&
	expect_unchanged hako merge lone &&
	echo "fatal: refusing to merge unrelated histories" >expect &&
	test_cmp expect err &&
	test_tick &&
	hako merge --allow-unrelated-histories -m joined lone >/dev/null &&
	test $(hako rev-parse HEAD^2) = $lone
'

test_expect_success 'reset gives up a merge in progress' '
	hako checkout -f side 2>/dev/null &&
	test_tick && hako write /conf "side conf" && hako commit -q -m side-conf &&
	hako checkout main 2>/dev/null &&
	test_tick && hako write /conf "main conf" && hako commit -q -m main-conf &&
	test_expect_code 1 hako merge side >/dev/null &&
	hako reset --hard HEAD 2>/dev/null &&
	hako status >actual &&
	! grep -e Merging -e Unmerged actual &&
	test "$(hako cat /conf)" = "main conf"
'

test_expect_success 'add without a merge in progress is refused' '
	expect_unchanged hako add /conf &&
	echo "fatal: no merge in progress: nothing to resolve" >expect &&
	test_cmp expect err
'

test_lazy_prereq GIT 'git --version'

test_expect_success GIT 'a merge in a 20k-file container equals git merge of the same files' '
	mkdir base && (
		cd base &&
		for d in $(test_seq 0 199); do
			mkdir d$d &&
			for f in $(test_seq 0 99); do echo "file $d $f" >d$d/f$f; done || exit 1
		done &&
		test_seq 1 20 >d0/shared
	) &&
	cp -r base ours && cp -r base theirs &&
	for i in $(test_seq 0 49); do
		echo ours >>ours/d$((i * 2))/f$i &&
		echo theirs >>theirs/d$((i * 2 + 1))/f$i || return 1
	done &&
	rm -r ours/d150 theirs/d151/f7 && mkdir theirs/new && echo n >theirs/new/file &&
	sed -i "s/^2$/two/" ours/d0/shared && sed -i "s/^19$/nineteen/" theirs/d0/shared &&
	chmod 755 theirs/d3/f3 &&
	git init -q -b main repo && (
		cd repo && git config user.email t@example.com && git config user.name T &&
		cp -r ../base/. . && git add -A && git commit -q -m base &&
		git checkout -q -b side &&
		find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -r {} + &&
		cp -r ../theirs/. . && git add -A && git commit -q -m theirs &&
		git checkout -q main &&
		find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -r {} + &&
		cp -r ../ours/. . && git add -A && git commit -q -m ours &&
		git merge -q -m merged side
	) &&
	hako init -q --empty h && (
		cd h &&
		hako import ../base / && hako commit -q -m base &&
		hako branch side &&
		hako import ../ours / && hako commit -q -m ours &&
		hako checkout side 2>/dev/null &&
		hako import ../theirs / && hako commit -q -m theirs &&
		hako checkout main 2>/dev/null &&
		hako merge -m merged side >/dev/null &&
		hako export / ../out
	) &&
	diff -r -x .git out repo &&
	test "$(stat -c %a out/d3/f3)" = 755
'

test_expect_success 'merge -s ours and -s theirs: one side whole, two parents' '
	hako init -q --empty strat && (
		cd strat &&
		hako write /f base && hako commit -q -m base &&
		hako branch other &&
		hako write /f ours && hako write /o o && hako commit -q -m ours &&
		hako checkout other 2>/dev/null &&
		hako write /f theirs && hako write /t t && hako commit -q -m theirs &&
		hako checkout main 2>/dev/null &&
		ours_tree=$(hako rev-parse "HEAD^{tree}") &&
		hako merge -s ours other >out &&
		grep "Merge made by the .ours. strategy" out &&
		test "$(hako rev-parse "HEAD^{tree}")" = "$ours_tree" &&
		test "$(hako rev-parse HEAD^2)" = "$(hako rev-parse other)" &&
		hako reset --hard HEAD~1 >/dev/null &&
		hako merge -s theirs other >out &&
		test "$(hako rev-parse "HEAD^{tree}")" = "$(hako rev-parse "other^{tree}")" &&
		test "$(hako cat /f)" = theirs &&
		test_must_fail hako merge -s ours --squash other 2>err &&
		grep -i "cannot be used with" err
	)
'

test_done
