#!/bin/sh
test_description='run -t and exec -t: the command gets a pseudo-terminal of the container'"'"'s own, on every data path'
. ./test-lib.sh

skip_unless_busybox
skip_unless_userns
if ! script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	skip_all "util-linux script(1) cannot run a command on a pseudo-terminal here"
fi

. "$TEST_DIRECTORY/lib-run.sh"

# on_tty FILE: sh FILE on a fresh terminal (script's pty); its output
# without CRs, nor the ^@ echoed for the NUL script sends when its own
# input ends.
on_tty () {
	script -qec "sh $1" /dev/null </dev/null | tr -d "\r\000" | sed "s/\^@//g"
}

test_lazy_prereq FUSE '
	test -c /dev/fuse && command -v fusermount3
'

test_expect_success 'setup: a workspace, and a probe of the command'"'"'s terminal' '
	hako init -q ws &&
	cat >probe <<-\EOF &&
	t=$(tty)
	test "$(stat -c %d "$t")" = "$(stat -c %d /dev/pts/ptmx)" && echo "tty: on the container devpts"
	n=$(for f in "$t" /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2; do stat -L -c %d:%i $f; done | sort -u | wc -l)
	test $n = 1 && echo "stdio: the tty"
	if ! test -e /dev/console; then echo "console: none"
	elif test "$(stat -L -c %d:%i /dev/console)" = "$(stat -L -c %d:%i "$t")"; then echo "console: the tty"
	else echo "console: another file"; fi
	set -- $(cut -d" " -f1,6,7 /proc/$$/stat)
	test "$1" = "$2" && test "$3" != 0 && echo "session leader, with a controlling terminal"
	echo "size: $(stty size)"
	exit 3
	EOF
	cat >expect <<-\EOF
	tty: on the container devpts
	stdio: the tty
	console: the tty
	session leader, with a controlling terminal
	size: 40 100
	status 3
	EOF
'

for fs in overlay fuse materialize
do
	prereq=
	test $fs = fuse && prereq=FUSE
	test_expect_success $prereq "run -t --fs $fs: a pty of the container, the status, the terminal restored" '
		cat >outer.sh <<-EOF &&
		stty rows 40 cols 100
		stty -g >before
		hako -C ws run --rm --fs $fs -t --bind "$PWD/probe:/probe:ro" -- sh /probe
		echo "status \$?"
		stty -g >after
		EOF
		on_tty outer.sh >out &&
		test_cmp expect out &&
		test_cmp before after
	'
done

test_expect_success 'run -t without a terminal on stdin: the pty is still there, relayed' '
	printf abc | hako -C ws run --rm -t -- sh -c "cat; echo; tty" >raw &&
	tr -d "\r" <raw >out &&
	printf "abcabc\n/dev/pts/0\n" >expect.piped &&
	test_cmp expect.piped out
'

test_expect_success 'shell is run -it: an interactive shell on a pty of the container' '
	printf "echo in-shell-\$((6 * 7)); tty\nexit 5\n" | test_expect_code 5 hako -C ws shell --rm >raw &&
	tr -d "\r" <raw >out &&
	grep -x "in-shell-42" out &&
	grep -x "/dev/pts/0" out
'

test_expect_success 'run -t -d is refused before anything starts' '
	hako -C ws ps -a >ps.before &&
	test_expect_code 129 hako -C ws run -t -d -- sleep 60 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: usage: -t with -d: a detached instance has no terminal" err &&
	hako -C ws ps -a >ps.after &&
	test_cmp ps.before ps.after
'

test_expect_success 'exec -t into a running instance: a pty of its devpts' '
	id=$(hako -C ws run -d --bind "$PWD/probe:/probe:ro" -- sleep 60) &&
	test_when_finished "hako -C ws kill $id >/dev/null 2>&1; hako -C ws wait $id >/dev/null 2>&1; true" &&
	wait_status $id running &&
	cat >outer.sh <<-EOF &&
	stty rows 40 cols 100
	stty -g >before
	hako -C ws exec -t $id sh /probe
	echo "status \$?"
	stty -g >after
	EOF
	on_tty outer.sh >out &&
	# The instance runs detached: it has no console (exec leaves it as it is).
	sed "s/^console: the tty/console: none/" expect >expect.exec &&
	test_cmp expect.exec out &&
	test_cmp before after
'

test_expect_success USER_NS 'run -t as an unprivileged user' '
	hakotest_dir t7120 &&
	as_user ./hako init -q ws &&
	cp probe "$D/probe" && chmod 644 "$D/probe" &&
	cat >"$D/outer.sh" <<-EOF &&
	stty rows 40 cols 100
	stty -g >before
	./hako -C ws run --rm -t --bind "$D/probe:/probe:ro" -- sh /probe
	echo "status \$?"
	stty -g >after
	EOF
	chmod 644 "$D/outer.sh" &&
	as_user script -qec "sh outer.sh" /dev/null </dev/null | tr -d "\r\000" | sed "s/\^@//g" >out &&
	test_cmp expect out &&
	test_cmp "$D/before" "$D/after"
'

test_done
