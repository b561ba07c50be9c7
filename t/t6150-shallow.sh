#!/bin/sh
test_description='shallow clones and fetches (--depth, --unshallow): the cut agrees with git on the same history, deepening and unshallowing, fetch and push from a shallow workspace, fsck and gc, and the protocol refusals'
. ./test-lib.sh

# Subjects of the commits reachable from REV, sorted.
subjects () {
	hako -C "$1" log --oneline "$2" | sed "s/^[0-9a-f]* \(([a-z]*) \)\{0,1\}//" | sort
}
# Subjects of the commits log marks as cut.
grafted () {
	hako -C "$1" log --oneline "$2" | sed -n "s/^[0-9a-f]* (grafted) //p" | sort
}
# Subjects of every commit in .hako/shallow but those of container web.
shallow_subjects () {
	test -f "$1/.hako/shallow" || return 0
	for c in $(cat "$1/.hako/shallow"); do
		hako -C "$1" log -n 1 --oneline $c | sed "s/^[0-9a-f]* (grafted) //"
	done | grep -v "^w" | sort
}

test_expect_success 'setup: a history with a merge, built alike in hako and git' '
	hako init -q src &&
	hako -C src write /f c1 && hako -C src commit -q -m c1 &&
	hako -C src write /f c2 && hako -C src commit -q -m c2 &&
	hako -C src checkout -b side 2>/dev/null &&
	hako -C src write /s s1 && hako -C src commit -q -m s1 &&
	hako -C src write /s s2 && hako -C src commit -q -m s2 &&
	hako -C src checkout main 2>/dev/null &&
	hako -C src write /f c3 && hako -C src commit -q -m c3 &&
	hako -C src write /f c4 && hako -C src commit -q -m c4 &&
	hako -C src merge --no-ff -m m5 side >/dev/null &&
	hako -C src write /f c6 && hako -C src commit -q -m c6 &&
	hako -C src new-container web &&
	hako -C src -c web write /index.html w1 && hako -C src -c web commit -q -m w1 &&
	hako -C src -c web write /index.html w2 && hako -C src -c web commit -q -m w2 &&
	if command -v git >/dev/null; then
		git init -q -b main g &&
		(
			cd g &&
			export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t &&
			git commit -q --allow-empty -m root &&
			git commit -q --allow-empty -m c1 &&
			git commit -q --allow-empty -m c2 &&
			git checkout -q -b side &&
			git commit -q --allow-empty -m s1 &&
			git commit -q --allow-empty -m s2 &&
			git checkout -q main &&
			git commit -q --allow-empty -m c3 &&
			git commit -q --allow-empty -m c4 &&
			git merge -q --no-ff -m m5 side &&
			git commit -q --allow-empty -m c6
		)
	fi
'

for depth in 1 2 3 4 5 6 7; do
	test_expect_success "fetch-pack --depth $depth of one branch: the same commits and the same cut as git" '
		hako init -q f'$depth' &&
		hako -C f'$depth' update-ref -d refs/heads/main &&
		hako -C f'$depth' fetch-pack -q --depth '$depth' ../src default/main >fetched &&
		tip=$(cut -d" " -f1 fetched) &&
		subjects f'$depth' $tip >hako-commits &&
		shallow_subjects f'$depth' >hako-cut &&
		if command -v git >/dev/null; then
			rm -rf gd &&
			git clone -q --depth '$depth' --single-branch -b main "file://$TRASH_DIRECTORY/g" gd &&
			git -C gd log --format=%s main | sed "s/^root$/initial root filesystem/" | sort >git-commits &&
			# git also lists a root commit reached at the limit; a commit
			# without parents is never shallow in hako (protocol.md 6a).
			for c in $(cat gd/.git/shallow 2>/dev/null); do git -C gd log -1 --format=%s $c; done |
				grep -v "^root$" | sort >git-cut &&
			test_cmp git-commits hako-commits &&
			test_cmp git-cut hako-cut
		else
			echo "# git is not installed: checking the count only" &&
			test $(wc -l <hako-commits) -ge '$depth'
		fi &&
		hako -C f'$depth' fsck
	'
done

for depth in 1 2 3; do
	test_expect_success "clone --depth $depth: every container cut, fsck clean" '
		hako clone -q --depth '$depth' src d'$depth' &&
		test -s d'$depth'/.hako/shallow &&
		hako -C d'$depth' log --oneline main >log &&
		test $(grep -c . log) -ge '$depth' &&
		hako -C d'$depth' fsck
	'
done

test_expect_success 'a shallow clone has every container and branch, and trees equal to the source' '
	test $(wc -l <d1/.hako/shallow) = 3 &&
	hako -C d1 export / "$TRASH_DIRECTORY/d1-main" &&
	hako -C src export / "$TRASH_DIRECTORY/src-main" &&
	diff -r src-main d1-main &&
	hako -C d1 -c web log --oneline >web-log &&
	test $(wc -l <web-log) = 1 &&
	grep "(grafted) w2" web-log &&
	hako -C d1 log --oneline origin/side >side-log &&
	grep "(grafted) s2" side-log &&
	test $(wc -l <side-log) = 1
'

test_expect_success 'fetch --depth deepens: the old cut is unshallowed, the new one recorded' '
	hako -C d1 fetch -q --depth 3 &&
	subjects d1 origin/main >actual &&
	subjects d3 main >expect &&
	test_cmp expect actual &&
	grafted d1 origin/main >actual &&
	grafted d3 main >expect &&
	test_cmp expect actual &&
	hako -C d1 fsck
'

test_expect_success 'a plain fetch in a shallow workspace brings only the new commits' '
	hako -C src write /f c7 && hako -C src commit -q -m c7 &&
	cp d2/.hako/shallow shallow-before &&
	hako -C d2 fetch -q &&
	test_cmp shallow-before d2/.hako/shallow &&
	subjects d2 origin/main >actual &&
	printf "%s\n" c6 c7 m5 | sort >expect &&
	test_cmp expect actual
'

test_expect_success 'fetch --unshallow brings the whole history and removes .hako/shallow' '
	hako -C d2 fetch -q --unshallow &&
	test_path_is_missing d2/.hako/shallow &&
	subjects d2 origin/main >actual &&
	subjects src main >expect &&
	test_cmp expect actual &&
	hako -C d2 -c web log --oneline >web-log &&
	test $(wc -l <web-log) = 3 &&
	hako -C d2 fsck &&
	test_must_fail hako -C d2 fetch --unshallow 2>err &&
	grep "fatal: --unshallow on a complete workspace" err
'

test_expect_success 'fetch --depth in a complete workspace never cuts what it has' '
	hako -C src write /f c8 && hako -C src commit -q -m c8 &&
	hako -C d2 fetch -q --depth 1 &&
	test_path_is_missing d2/.hako/shallow &&
	subjects d2 origin/main >actual &&
	subjects src main >expect &&
	test_cmp expect actual
'

test_expect_success 'push of a commit made on a shallow clone; a remote that lacks the cut is refused' '
	hako clone -q --depth 1 src p1 &&
	hako -C p1 write /new yes && hako -C p1 commit -q -m on-shallow &&
	hako -C p1 push -q &&
	test "$(hako -C src rev-parse main)" = "$(hako -C p1 rev-parse main)" &&
	hako -C src fsck &&
	hako init -q other &&
	hako -C p1 remote add other ../other &&
	hako -C other rev-parse main >other-before &&
	test_must_fail hako -C p1 push other main:fresh 2>err &&
	grep "shallow update not allowed" err &&
	test_must_fail hako -C other rev-parse --verify fresh &&
	hako -C other fsck
'

test_expect_success 'clone from a shallow workspace is shallow at the same cut' '
	hako clone -q p1 p2 &&
	comm -13 p1/.hako/shallow p2/.hako/shallow >extra &&
	test_must_be_empty extra &&
	grafted p1 main >expect &&
	grafted p2 main >actual &&
	test_cmp expect actual &&
	test -s actual &&
	subjects p1 main >expect &&
	subjects p2 main >actual &&
	test_cmp expect actual &&
	hako -C p2 fsck
'

test_expect_success 'gc keeps a shallow workspace whole and drops entries of commits not stored' '
	cp p2/.hako/shallow keep &&
	printf "%064d\n" 0 >p2/.hako/shallow.new &&
	cat keep >>p2/.hako/shallow.new &&
	sort p2/.hako/shallow.new >p2/.hako/shallow && rm p2/.hako/shallow.new &&
	hako -C p2 fsck &&
	hako -C p2 gc -q &&
	test_cmp keep p2/.hako/shallow &&
	hako -C p2 fsck &&
	subjects p2 main >actual &&
	test_cmp expect actual
'

test_expect_success 'update-server-info in a shallow workspace warns that HTTP clients cannot go below the cut' '
	hako -C p2 update-server-info 2>err &&
	grep "^warning: this workspace is shallow" err &&
	hako -C src update-server-info 2>err &&
	! grep shallow err
'

test_expect_success 'a malformed .hako/shallow is refused by name' '
	cp p2/.hako/shallow keep2 &&
	echo "not an id" >p2/.hako/shallow &&
	test_must_fail hako -C p2 log --oneline 2>err &&
	grep "fatal: .*\.hako/shallow: line 1" err &&
	test_must_fail hako -C p2 fsck >out 2>&1 &&
	grep "error in shallow:" out &&
	cp keep2 p2/.hako/shallow &&
	hako -C p2 fsck
'

test_expect_success 'bad depths are usage errors; dumb HTTP has no depth' '
	test_expect_code 129 hako clone --depth 0 src bad0 &&
	test_path_is_missing bad0 &&
	test_expect_code 129 hako -C d1 fetch --depth x &&
	test_must_fail hako clone --depth 1 http://127.0.0.1:9/x bad1 2>err &&
	grep "fatal: http://127.0.0.1:9/x: shallow fetches need the smart protocol" err &&
	test_path_is_missing bad1
'

test_expect_success 'a deepening fetch cut off in flight leaves refs and .hako/shallow unchanged' '
	cat >cut-ssh <<-\PY &&
	#!/usr/bin/env python3
	# A stand-in for ssh that passes the first CUT bytes the remote sends,
	# then drops the connection (kills the remote command, exits).
	import os, signal, subprocess, sys
	args = sys.argv[1:]
	while len(args) > 1:
	    args = args[2:] if args[0] == "-p" else args[1:]
	p = subprocess.Popen(["sh", "-c", args[0]], stdout=subprocess.PIPE, start_new_session=True)
	left = int(os.environ["CUT"])
	while True:
	    b = os.read(p.stdout.fileno(), 65536)
	    if not b:
	        sys.exit(p.wait())
	    os.write(1, b[:left])
	    left -= len(b)
	    if left <= 0:
	        os.killpg(p.pid, signal.SIGKILL)
	        os._exit(1)
	PY
	chmod +x cut-ssh &&
	cp d3/.hako/shallow shallow-before &&
	hako -C d3 rev-parse origin/main >ref-before &&
	for cut in 150 400 900 2000; do
		test_must_fail env CUT=$cut HAKO_SSH="$TRASH_DIRECTORY/cut-ssh" \
			hako -C d3 fetch -q --depth 6 "ssh://localhost$TRASH_DIRECTORY/src" 2>err &&
		grep "fatal: " err &&
		test_cmp shallow-before d3/.hako/shallow &&
		hako -C d3 rev-parse origin/main >ref-after &&
		test_cmp ref-before ref-after &&
		! ls d3/.hako/objects/pack | grep incoming &&
		hako -C d3 fsck || return 1
	done &&
	CUT=100000000 HAKO_SSH="$TRASH_DIRECTORY/cut-ssh" \
		hako -C d3 fetch -q --depth 6 "ssh://localhost$TRASH_DIRECTORY/src" &&
	! test_cmp shallow-before d3/.hako/shallow >/dev/null
'

# One request to upload-pack, framed by hand: the first advertised id wanted
# with CAPS, then LINES, then flush and done.
ask () {
	id=$(hako ls-remote src | head -n 1 | cut -f1)
	python3 - "$id" "$1" "$2" <<-\PY | hako upload-pack src
	import sys
	def pkt(s):
	    b = (s + "\n").encode()
	    return b"%04x" % (len(b) + 4) + b
	out = pkt("want %s %s" % (sys.argv[1], sys.argv[2]))
	for l in sys.argv[3].split(","):
	    if l:
	        out += pkt(l)
	out += b"0000" + pkt("done")
	sys.stdout.buffer.write(out)
	PY
}

test_expect_success 'upload-pack refuses shallow lines without the capability, and bad depths' '
	test_must_fail ask "side-band" "deepen 1" >out 2>/dev/null &&
	grep "ERR shallow: capability not requested" out &&
	test_must_fail ask "side-band shallow" "deepen 0" >out 2>/dev/null &&
	grep "ERR deepen: bad depth .0." out &&
	test_must_fail ask "side-band shallow" "deepen 1,deepen 2" >out 2>/dev/null &&
	grep "ERR deepen: bad depth" out &&
	test_must_fail ask "side-band shallow" "deepen 2147483648" >out 2>/dev/null &&
	grep "ERR deepen: bad depth" out &&
	ask "side-band shallow" "deepen 1" >out &&
	grep -a "shallow [0-9a-f]\{64\}" out &&
	grep -a packfile out
'

test_done
