#!/bin/sh
test_description='kill -9 at random points of import+commit, repack and gc; writers racing gc --prune=now'
. ./test-lib.sh

# Each round kills one command at a random moment, then checks: fsck clean,
# every ref resolves to a complete commit, and every commit a command said it
# made still exists. The seed is printed so a failure can be replayed.
SEED=${HAKO_CRASH_SEED:-$(date +%s)}
# Kills wanted per phase (three phases: at least 51 kills in all).
KILLS=${HAKO_CRASH_KILLS:-17}
echo "# crash seed $SEED, $KILLS kills per phase"

next_random () {
	SEED=$(( (SEED * 1103515245 + 12345) % 2147483648 ))
	echo $(( SEED % $1 ))
}

check_sound () {
	hako fsck --connectivity-only >fsck.out 2>fsck.err || {
		cat fsck.out fsck.err; return 1
	}
	hako fsck >fsck.out 2>fsck.err || { cat fsck.out fsck.err; return 1; }
	for c in $(cat made 2>/dev/null); do
		hako cat-file -e $c || { echo "lost commit $c"; return 1; }
	done
	hako for-each-ref --format="%(objectname)" >tips &&
	while read t; do
		hako rev-list $t >/dev/null || { echo "broken ref at $t"; return 1; }
	done <tips
}

test_expect_success 'setup: a container and a source tree' '
	hako init -q . &&
	mkdir src && for i in $(test_seq 400); do echo "file $i" >src/f$i || return 1; done &&
	: >made && : >kills
'

# kill_during CMD...: start CMD, kill -9 it after a random delay below
# $window ms (shrunk whenever the command finishes first, so fast machines
# still see commands killed mid-way); record the kill.
window=120
kill_during () {
	"$@" >cmd.out 2>cmd.err &
	pid=$!
	ms=$(next_random $window)
	sleep "0.$(printf %03d $ms)"
	if kill -9 $pid 2>/dev/null; then
		echo killed >>kills
	elif test $window -gt 8; then
		window=$((window * 3 / 4))
	fi
	wait $pid 2>/dev/null
	return 0
}

# phase_done: enough kills in this phase (or enough rounds tried).
phase_start () { start_kills=$(wc -l <kills); round=0; }
phase_more () {
	round=$((round + 1))
	test $(( $(wc -l <kills) - start_kills )) -lt $KILLS && test $round -le 100
}

test_expect_success 'import + commit killed at random points: nothing committed is lost' '
	phase_start &&
	while phase_more; do
		r=$round &&
		echo "round $r" >src/f$(( r % 400 + 1 )) &&
		kill_during hako import src /data$r &&
		kill_during hako commit -m round$r &&
		if grep -q " round$r$" cmd.out; then
			cut -d" " -f1 cmd.out | while read s; do hako rev-parse $s; done >>made || return 1
		fi
		check_sound || { echo "after round $r (seed $SEED)"; return 1; }
	done
'

# kill_rounds WHAT PREPARE CMD...: a phase of rounds, each PREPARE (a
# script, $r the round) then CMD killed at a random point, sound after each.
kill_rounds () {
	what=$1 prepare=$2 &&
	shift 2 &&
	phase_start && window=120 &&
	while phase_more; do
		r=$round &&
		eval "$prepare" &&
		kill_during "$@" &&
		check_sound || { echo "after $what round $r (seed $SEED)"; return 1; }
	done
}

test_expect_success 'repack -a -d killed at random points: fsck stays clean' '
	kill_rounds repack "echo \"repack \$r\" | hako hash-object -w --stdin >/dev/null" \
		hako repack -a -d -q
'

test_expect_success 'gc --prune=now killed at random points: fsck stays clean' '
	kill_rounds gc "echo \"gc \$r\" | hako write /gc\$r && hako commit -q -m gc\$r &&
		hako rev-parse HEAD >>made" \
		hako gc --prune=now -q
'

test_expect_success 'at least 50 commands were killed mid-way' '
	n=$(wc -l <kills) &&
	echo "# killed $n commands mid-way (seed $SEED); $(wc -l <made) commits kept, 0 lost, 0 fsck errors" >>counts &&
	test $n -ge $((3 * KILLS))
'

test_expect_success 'two writers on two containers while gc --prune=now loops: nothing lost' '
	hako new-container second && : >made-a && : >made-b && rm -f stop || return 1
	( i=0; while test ! -f stop; do i=$((i+1)); echo "a $i" | hako -c default write /a$i && hako -c default commit -q -m a$i && hako -c default rev-parse HEAD >>made-a; done ) &
	wa=$! &&
	( i=0; while test ! -f stop; do i=$((i+1)); echo "b $i" | hako -c second write /b$i && hako -c second commit -q -m b$i && hako -c second rev-parse HEAD >>made-b; done ) &
	wb=$! &&
	for g in $(test_seq 8); do hako gc --prune=now -q 2>>gc.err || { cat gc.err; touch stop; wait; return 1; }; done &&
	touch stop && wait $wa && wait $wb &&
	hako gc --prune=now -q &&
	cat made-a made-b >made-both &&
	while read c; do hako cat-file -e $c || { echo "lost $c"; return 1; }; done <made-both &&
	hako fsck >out && test_must_be_empty out &&
	echo "# $(wc -l <made-a) + $(wc -l <made-b) commits by two writers during 9 gc --prune=now runs: 0 lost, 0 fsck errors" >>counts
'

# The counts, as TAP comments.
test -f counts && cat counts
test_done
