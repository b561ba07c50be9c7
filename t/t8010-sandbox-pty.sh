#!/bin/sh
test_description='unshare-exec --pty and enter --pty: the command gets a pseudo-terminal of the sandbox'"'"'s own devpts, relayed by hako (as root and as an unprivileged user)'
. ./test-lib.sh

command -v busybox >/dev/null || skip_all "busybox is missing (apt-get install busybox-static)"
command -v script >/dev/null || skip_all "script (util-linux) is missing: it gives the tests a terminal"
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) is missing"
unshare -Ur true 2>/dev/null || skip_all "this kernel or user cannot create user namespaces (unshare -Ur true failed)"
script -qec true /dev/null </dev/null >/dev/null 2>&1 || skip_all "script cannot allocate a terminal here"

# Everything the unprivileged user touches lives in a world-traversable
# directory of its own (the trash directory may sit under /root).
SB_DIR=$(mktemp -d /tmp/hako-t8010.XXXXXX) || error "mktemp failed"
chmod 755 "$SB_DIR"
ROOTFS=$SB_DIR/rootfs
cp "$HAKO_BUILD_DIR/hako" "$SB_DIR/hako" && chmod 755 "$SB_DIR/hako"
H=$SB_DIR/hako

test_lazy_prereq HAKOTEST '
	test "$(id -u)" = 0 &&
	{ id hakotest >/dev/null 2>&1 || useradd --create-home --shell /bin/sh hakotest; } &&
	setpriv --reuid=hakotest --regid=hakotest --init-groups -- unshare -Ur true
'
test_prereq_reason HAKOTEST "needs root (to create the user hakotest), and user namespaces usable by that user"

test_expect_success 'setup: a busybox rootfs with the probes' '
	busybox_root "$ROOTFS" sync &&
	# What the command has as its terminal, one fact a line.
	cat >"$ROOTFS/bin/ptyprobe" <<-\EOF &&
	#!/bin/sh
	t=$(tty) || t=none
	case $t in /dev/pts/[0-9]*) echo "tty: the sandbox devpts" ;; *) echo "tty: $t" ;; esac
	id=$(stat -L -c %d:%i "$t")
	for fd in 0 1 2; do
		test "$(stat -L -c %d:%i /proc/$$/fd/$fd)" = "$id" && echo "fd $fd: the tty"
	done
	if ! test -e /dev/console; then echo "console: none"
	elif test "$(stat -L -c %d:%i /dev/console)" = "$id"; then echo "console: the tty"
	else echo "console: another file"; fi
	# Every device this shell holds is on the sandbox devpts (no host terminal).
	pts=$(stat -c %d /dev/pts/ptmx)
	for f in /proc/$$/fd/*; do test -c "$f" && stat -L -c %d "$f"; done | sort -u >/tmp/devs
	test "$(cat /tmp/devs)" = "$pts" && echo "devices: all on the sandbox devpts"
	set -- $(cut -d" " -f1,6,7 /proc/$$/stat)
	test "$1" = "$2" && echo "session: leader"
	set -- $3 $(stat -L -c "%t %T" "$t")
	test "$1" = "$(( (0x$2 << 8) | 0x$3 ))" && echo "controlling terminal: the tty"
	echo "size: $(stty size)"
	EOF
	# Job control: an interactive shell takes the terminal, jobs get groups.
	cat >"$ROOTFS/bin/ptyjobs" <<-\EOF &&
	#!/bin/sh
	exec sh -i -c '"'"'case $- in *m*) echo "monitor: on" ;; esac
	sleep 5 & p=$!
	set -- $(ps -o pid,pgid,sid | grep "^ *$p ")
	test "$2" = "$p" && echo "job: its own process group"
	test "$3" = "$$" && echo "job: in the shell session"
	kill $p; exit 6'"'"'
	EOF
	# Waits for SIGWINCH (the relay follows the outer size), then exits 7.
	cat >"$ROOTFS/bin/ptywinch" <<-\EOF &&
	#!/bin/sh
	trap "stty size >/sync/resized" WINCH
	: >/sync/ready
	i=0
	while ! test -s /sync/resized && test $i -lt 400; do sleep 0.05; i=$((i + 1)); done
	echo "resized: $(cat /sync/resized)"
	exit 7
	EOF
	chmod 755 "$ROOTFS/bin/ptyprobe" "$ROOTFS/bin/ptyjobs" "$ROOTFS/bin/ptywinch" &&
	chmod -R a+rX "$SB_DIR"
'

# on_tty WHO CMD: CMD in a shell on a fresh terminal (script's pty), as WHO
# (root or hakotest), in $SB_DIR/WHO; its output without CRs, nor the ^@
# echoed for the NUL that script sends at the end of its own input.
on_tty () {
	(
		cd "$SB_DIR/$1" &&
		if test "$1" = root; then as=; else as="setpriv --reuid=$1 --regid=$1 --init-groups --"; fi &&
		$as script -qec "$2" /dev/null </dev/null | tr -d "\r\000" | sed "s/\^@//g"
	)
}

cat >"$SB_DIR/probe.expect" <<\EOF
tty: the sandbox devpts
fd 0: the tty
fd 1: the tty
fd 2: the tty
console: the tty
devices: all on the sandbox devpts
session: leader
controlling terminal: the tty
size: 40 100
EOF

pty_tests () {
who=$1
prereq=$2

test_expect_success $prereq "$who: setup" '
	rm -rf "$SB_DIR/$who" && mkdir "$SB_DIR/$who" && chown $who: "$SB_DIR/$who"
'

test_expect_success $prereq "$who: --pty gives the command a terminal of the sandbox devpts, and only it" '
	on_tty $who "stty rows 40 cols 100; $H unshare-exec --pids-limit 0 --pty $ROOTFS ptyprobe" >out &&
	test_cmp "$SB_DIR/probe.expect" out &&
	on_tty $who "stty rows 40 cols 100; $H unshare-exec --pids-limit 0 --pty --as-pid-1 $ROOTFS ptyprobe" >out &&
	test_cmp "$SB_DIR/probe.expect" out
'

test_expect_success $prereq "$who: the pty belongs to the command uid and gid" '
	on_tty $who "$H unshare-exec --pids-limit 0 --pty --uid 1000 --gid 1000 $ROOTFS sh -c \"id -u; stat -c %u:%g \\\$(tty)\"" >out &&
	printf "1000\n1000:1000\n" >expect &&
	test_cmp expect out
'

test_expect_success $prereq "$who: a setup failure before or after the pty is opened: one fatal line, 125, the terminal restored" '
	long=$(printf "%070d" 0) &&
	cat >"$SB_DIR/$who/fail.sh" <<-EOF &&
	stty -g >before-fail
	$H unshare-exec --pids-limit 0 --pty --hostname $long $ROOTFS true; echo "status \$?"
	$H unshare-exec --pids-limit 0 --pty --workdir /no/such $ROOTFS true; echo "status \$?"
	stty -g >after-fail
	EOF
	on_tty $who "sh fail.sh" >out 2>&1 &&
	sed -n -e "s/^fatal: \([^:]*\):.*/\1/p" -e "/^status/p" out >actual &&
	printf "%s\n" "--hostname" "status 125" "--workdir" "status 125" >expect &&
	test_cmp expect actual &&
	test_cmp "$SB_DIR/$who/before-fail" "$SB_DIR/$who/after-fail"
'

test_expect_success $prereq "$who: without --pty the command has the caller terminal (the difference --pty makes)" '
	on_tty $who "$H unshare-exec --pids-limit 0 $ROOTFS ptyprobe" >out &&
	grep "^tty: /dev/" out && ! grep "sandbox devpts" out
'

test_expect_success $prereq "$who: job control works in an interactive shell" '
	on_tty $who "$H unshare-exec --pids-limit 0 --pty $ROOTFS ptyjobs; echo status \$?" >out &&
	cat >expect <<-\EOF &&
	monitor: on
	job: its own process group
	job: in the shell session
	status 6
	EOF
	grep -e "^monitor" -e "^job" -e "^status" out >actual &&
	test_cmp expect actual
'

test_expect_success $prereq "$who: raw mode meanwhile, SIGWINCH followed, mode restored, status passed" '
	rm -rf "$SB_DIR/$who/sync" && mkdir "$SB_DIR/$who/sync" && chown $who: "$SB_DIR/$who/sync" &&
	cat >"$SB_DIR/$who/outer.sh" <<-EOF &&
	stty rows 30 cols 90
	stty -g >before
	(i=0; while ! test -e sync/ready && test \$i -lt 400; do sleep 0.05; i=\$((i + 1)); done
	 stty -a </dev/tty >during; stty rows 50 cols 120 </dev/tty) &
	$H unshare-exec --pids-limit 0 --pty --bind "$SB_DIR/$who/sync:/sync" $ROOTFS ptywinch
	echo "status \$?"
	wait
	stty -g >after
	EOF
	chmod 644 "$SB_DIR/$who/outer.sh" &&
	on_tty $who "sh outer.sh" >out &&
	printf "resized: 50 120\nstatus 7\n" >expect &&
	test_cmp expect out &&
	for flag in -icanon -echo -isig -opost; do
		grep -e " $flag " -e " $flag\$" -e "^$flag " "$SB_DIR/$who/during" || return 1
	done &&
	test_cmp "$SB_DIR/$who/before" "$SB_DIR/$who/after"
'

test_expect_success $prereq "$who: SIGTERM to hako reaches the command; the terminal is restored" '
	rm -rf "$SB_DIR/$who/sync" && mkdir "$SB_DIR/$who/sync" && chown $who: "$SB_DIR/$who/sync" &&
	cat >"$SB_DIR/$who/term.sh" <<-EOF &&
	stty -g >before-term
	$H unshare-exec --pids-limit 0 --pty --bind "$SB_DIR/$who/sync:/sync" $ROOTFS sh -c "trap \\"echo got TERM; exit 9\\" TERM; : >/sync/ready; while :; do sleep 0.05; done" &
	hp=\$!
	i=0; while ! test -e sync/ready && test \$i -lt 400; do sleep 0.05; i=\$((i + 1)); done
	kill -TERM \$hp
	wait \$hp
	echo "status \$?"
	stty -g >after-term
	EOF
	on_tty $who "sh term.sh" >out &&
	printf "got TERM\nstatus 9\n" >expect &&
	test_cmp expect out &&
	test_cmp "$SB_DIR/$who/before-term" "$SB_DIR/$who/after-term"
'

test_expect_success $prereq "$who: without a terminal on stdin, the pty is still there and relayed" '
	(
		cd "$SB_DIR/$who" &&
		if test $who = root; then as=; else as="setpriv --reuid=$who --regid=$who --init-groups --"; fi &&
		printf abc | $as timeout 20 "$H" unshare-exec --pids-limit 0 --pty "$ROOTFS" sh -c "cat; echo; tty" >"$SB_DIR/$who/piped" &&
		$as timeout 20 "$H" unshare-exec --pids-limit 0 --pty "$ROOTFS" sh -c "sleep 1; echo late; exit 4" </dev/null >"$SB_DIR/$who/late"
		echo $? >"$SB_DIR/$who/late-status"
	) &&
	tr -d "\r" <"$SB_DIR/$who/piped" >out &&
	printf "abcabc\n/dev/pts/0\n" >expect &&
	test_cmp expect out &&
	tr -d "\r" <"$SB_DIR/$who/late" >out &&
	echo late >expect && test_cmp expect out &&
	echo 4 >expect && test_cmp expect "$SB_DIR/$who/late-status"
'

test_expect_success $prereq "$who: enter --pty into a running sandbox" '
	pf="$SB_DIR/$who/pid"
	rm -f "$pf"
	(
		cd "$SB_DIR/$who" &&
		if test $who = root; then as=; else as="setpriv --reuid=$who --regid=$who --init-groups --"; fi &&
		exec $as "$H" unshare-exec --pids-limit 0 --pid-file "$pf" "$ROOTFS" sleep 60 </dev/null >/dev/null 2>&1
	) &
	hp=$! &&
	test_when_finished "kill -KILL $hp 2>/dev/null; true" &&
	i=0 && while ! test -s "$pf" && test $i -lt 200; do sleep 0.05; i=$((i + 1)); done &&
	on_tty $who "stty rows 40 cols 100; $H enter --pty --pid-file $pf ptyprobe; echo status \$?" >out &&
	sed "s/^console: the tty/console: none/" "$SB_DIR/probe.expect" >expect &&
	echo "status 0" >>expect &&
	test_cmp expect out &&
	on_tty $who "$H enter --pty --pid-file $pf sh -c \"exit 5\"; echo status \$?" >out &&
	echo "status 5" >expect && test_cmp expect out
'
}

pty_tests root
pty_tests hakotest HAKOTEST

test_expect_success 'cleanup: remove the test directory' '
	rm -rf "$SB_DIR"
'

test_done
