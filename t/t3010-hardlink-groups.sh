#!/bin/sh
test_description='hardlink groups stay as prolly-tree.md requires after edits; fsck reports one that does not'
. ./test-lib.sh

hex () {
	printf "%s" "$1" | od -An -tx1 | tr -d " \n"
}

# ls-tree -r of the working root below $1: the link field (if any) and the path.
links () {
	hako ls-tree -r "WORKING:$1" | sed "s/^[0-7]* [a-z]* [0-9a-f]*//" | tr "\t" " " | sed "s/^ *//"
}

test_expect_success 'setup: a group of three members imported twice' '
	hako init -q --empty . &&
	mkdir -p src/a src/b && echo same >src/a/f2 &&
	ln src/a/f2 src/a/hard && ln src/a/f2 src/b/more &&
	hako import src /d && hako import src /e && hako import src /g &&
	cat >expect <<-EOF &&
	a/f2
	link=$(hex f2) a/hard
	link=$(hex ../a/f2) b/more
	EOF
	links d >actual &&
	test_cmp expect actual &&
	hako fsck
'

test_expect_success 'writing the first member: it leaves, the others regroup under the next one' '
	hako write /d/a/f2 changed &&
	cat >expect <<-EOF &&
	a/f2
	a/hard
	link=$(hex ../a/hard) b/more
	EOF
	links d >actual &&
	test_cmp expect actual &&
	hako commit -q -m "written" &&
	hako fsck
'

test_expect_success 'writing another member, or only its mode: it leaves the group' '
	hako write /d/b/more other &&
	hako write --mode 600 /e/b/more same &&
	cat >expect <<-EOF &&
	a/f2
	link=$(hex f2) a/hard
	b/more
	EOF
	links e >actual &&
	test_cmp expect actual &&
	! links d | grep link= &&
	hako fsck
'

test_expect_success 'deleting the first member, and moving a member away' '
	hako del /g/a/f2 &&
	cat >expect <<-EOF &&
	a/hard
	link=$(hex ../a/hard) b/more
	EOF
	links g >actual &&
	test_cmp expect actual &&
	hako mv /g/b/more /g/moved &&
	! links g | grep link= &&
	hako fsck
'

test_expect_success 'fsck reports a member that disagrees with its first member' '
	B=$(printf same | hako hash-object -w --stdin) &&
	O=$(printf other | hako hash-object -w --stdin) &&
	printf "100644 blob %s\ta\n100644 blob %s link=%s\tb\n" $B $O $(hex a) >in &&
	T=$(hako mktree <in) &&
	C=$(hako commit-tree $T -m bad) &&
	hako update-ref refs/heads/bad $C &&
	test_must_fail hako fsck >out &&
	echo "error in tree $T: b: hardlink record '\''a'\'' differs from its first member" >expect &&
	test_cmp expect out
'

test_expect_success 'a tree without hardlink records is remembered, and a group imported later is still repaired' '
	hako init -q --empty plain && (
		cd plain &&
		mkdir -p p && echo 1 >p/one && echo 2 >p/two &&
		hako import p /p &&
		hako write /p/one changed &&
		hako rev-parse WORKING >expect &&
		tail -n 1 .hako/cache/linkfree >actual &&
		test_cmp expect actual &&
		echo junk >>.hako/cache/linkfree &&
		hako write /p/two changed &&
		hako rev-parse WORKING >expect &&
		tail -n 1 .hako/cache/linkfree >actual &&
		test_cmp expect actual &&
		hako import ../src /g &&
		hako write /g/a/f2 changed &&
		hako ls-tree -r WORKING:g >out &&
		grep "link=$(hex ../a/hard)	b/more$" out &&
		test $(grep -c link= out) = 1 &&
		hako fsck
	)
'

test_expect_success 'a merge whose sides each changed a member leaves no member disagreeing' '
	hako init -q --empty mg && (
		cd mg &&
		hako import ../src /d && hako commit -q -m base &&
		hako branch side &&
		hako write /d/a/hard other && hako commit -q -m ours &&
		hako checkout side 2>/dev/null &&
		hako write /d/a/f2 changed && hako commit -q -m theirs &&
		hako checkout main 2>/dev/null &&
		hako merge side >/dev/null &&
		hako ls-tree -r WORKING:d >../out &&
		hako fsck
	) &&
	! grep link= out
'

test_done
