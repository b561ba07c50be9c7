#!/bin/sh
test_description='hako run --host: a host program in a temporary container over the host own directories (kernel overlay, one per directory without mount points below); nothing written reaches the host; --keep-as folds the change into a new container whose status and diff list exactly it; works without a workspace and for an unprivileged user; bad input is refused with one line'

. ./test-lib.sh

skip_unless_userns mount

. "$TEST_DIRECTORY/lib-run.sh"

# stderr may hold "warning: host directory D: …" where the kernel refuses
# an overlay (runtime.md, "Host instances"): only those lines are allowed.

# The private directories of host runs this test may leave behind.
private_dirs () {
	ls -d "${TMPDIR:-/tmp}"/hako-host-[0-9]* 2>/dev/null || :
}

test_expect_success 'setup: host files and a workspace' '
	mkdir host && echo original >host/mod && echo doomed >host/del &&
	echo mode >host/ch && chmod 644 host/ch && echo kept >host/same &&
	mkdir host/sub && echo deep >host/sub/f &&
	hako init -q ws &&
	private_dirs >before-dirs
'

test_expect_success 'a host command reads host files; nothing it writes reaches the host' '
	hostname=$(cat /etc/hostname) &&
	hako run --host -- sh -c "echo x >/etc/hosts-test && cat /etc/hosts-test &&
		cat /etc/hostname && echo changed >>host/mod && rm host/del &&
		chmod 600 host/ch && rm -r host/sub && echo new >host/new && cat host/mod" >out 2>err &&
	! grep -v "^warning: host directory" err &&
	printf "x\n%s\noriginal\nchanged\n" "$hostname" >expect &&
	test_cmp expect out &&
	test_path_is_missing /etc/hosts-test &&
	echo original >expect && test_cmp expect host/mod &&
	test_path_is_file host/del && test_path_is_file host/sub/f &&
	test_path_is_missing host/new &&
	test "$(stat -c %a host/ch)" = 644 &&
	private_dirs >after-dirs && test_cmp before-dirs after-dirs
'

test_lazy_prereq PYTHON3 'command -v python3'

test_expect_success PYTHON3 'a unix socket of the host, seen through the overlay, refuses connections' '
	cat >listen.py <<-\EOF &&
	import socket, sys
	s = socket.socket(socket.AF_UNIX)
	s.bind(sys.argv[1])
	s.listen(1)
	s.settimeout(10)
	open(sys.argv[2], "w").close()
	try:
	    s.accept()
	    print("accepted")
	except socket.timeout:
	    print("nothing")
	EOF
	python3 listen.py "$PWD/host.sock" listening >listened &
	pid=$! &&
	test_when_finished "kill $pid 2>/dev/null; rm -f host.sock" &&
	for i in $(test_seq 100); do test -e listening && break; sleep 0.1; done &&
	test -e listening &&
	test_must_fail hako run --host -- python3 -c "import socket; c = socket.socket(socket.AF_UNIX); c.connect(\"host.sock\")" 2>err &&
	grep "ConnectionRefusedError" err &&
	{ kill $pid 2>/dev/null; wait $pid || :; } &&
	! grep accepted listened
'

test_expect_success 'the current directory, PATH and the user are the caller'"'"'s; /tmp, /run and /proc are fresh' '
	marker=$(mktemp /tmp/t7420-marker.XXXXXX) &&
	test_when_finished "rm -f \"$marker\"" &&
	# /tmp is fresh, unless the run starts under /tmp (this trash directory
	# may): then it is the host'"'"'s, overlaid.
	case "$PWD/" in /tmp/*) tmp=tmp-host ;; *) tmp=tmp-fresh ;; esac &&
	hako run --host -- sh -c "pwd; id -u; command -v hako; if test -e \"$marker\"; then echo tmp-host; else echo tmp-fresh; fi;
		ls -A /run | wc -l; tr -d \"\\\\000\" </proc/1/cmdline" >out &&
	printf "%s\n%s\n%s\n%s\n0\nhako-init" "$PWD" "$(id -u)" "$HAKO_BUILD_DIR/hako" "$tmp" >expect &&
	test_cmp expect out
'

test_expect_success 'started in a directory under /tmp: the host'"'"'s /tmp, overlaid, so ../ is there; writes stay inside' '
	d=$(mktemp -d /tmp/t7420-cwd.XXXXXX) &&
	test_when_finished "rm -rf \"$d\"" &&
	mkdir "$d/sub" && echo up >"$d/f" &&
	(cd "$d/sub" && hako run --host -- sh -c "cat ../f && echo new >../g && pwd") >out &&
	printf "up\n%s\n" "$d/sub" >expect &&
	test_cmp expect out &&
	test_path_is_missing "$d/g"
'

test_expect_success 'the exit status passes through; a command not in PATH exits 127 before anything starts' '
	test_expect_code 3 hako run --host -- sh -c "exit 3" &&
	test_expect_code 127 hako run --host -- no-such-command-t7420 2>err &&
	echo "fatal: no-such-command-t7420: command not found (the caller'"'"'s PATH)" >expect &&
	test_cmp expect err
'

test_lazy_prereq SECOND_MOUNT '
	test "$(id -u)" = 0 && mkdir -p m2 && truncate -s 16M m2.img &&
	mkfs.ext4 -q -F m2.img >/dev/null 2>&1 && mount -o loop m2.img m2 && umount m2
'
test_prereq_reason SECOND_MOUNT "needs root, mkfs.ext4 and a loop device (to mount a second ext4 filesystem)"

test_expect_success SECOND_MOUNT 'a file on another real filesystem shows inside, and its writes stay inside' '
	mkdir m2 && truncate -s 16M m2.img && mkfs.ext4 -q -F m2.img >/dev/null 2>&1 &&
	mount -o loop m2.img m2 &&
	test_when_finished "umount m2" &&
	echo on-m2 >m2/f && mkdir m2/d && echo deeper >m2/d/g &&
	test "$(stat -c %d m2/f)" != "$(stat -c %d host/mod)" &&
	hako run --host -- sh -c "cat m2/f m2/d/g && echo x >>m2/f && echo y >m2/new && cat m2/f" >out &&
	printf "on-m2\ndeeper\non-m2\nx\n" >expect &&
	test_cmp expect out &&
	echo on-m2 >expect && test_cmp expect m2/f &&
	test_path_is_missing m2/new &&
	(cd ws && hako run --host --keep-as m2c -- sh -c "echo z >>../m2/d/g") &&
	hako -C ws -c m2c status --porcelain >actual &&
	echo "M ${PWD#/}/m2/d/g" >expect &&
	test_cmp expect actual
'

test_expect_success '--keep-as: status and diff list exactly the change; HEAD holds only the host versions of the changed paths; commit works' '
	(cd ws && hako run --host --keep-as hc -- sh -c "cd ../host && echo changed >>mod && rm del &&
		chmod 600 ch && echo new >new && mkdir nd && echo n >nd/f && rm -r sub") &&
	echo original >expect && test_cmp expect host/mod && test_path_is_file host/del &&
	hako -C ws -c hc status --porcelain >actual &&
	P=${PWD#/}/host &&
	cat >expect <<-EOF &&
	M $P/ch
	D $P/del
	M $P/mod
	A $P/nd/f
	A $P/new
	D $P/sub/f
	EOF
	test_cmp expect actual &&
	hako -C ws -c hc diff >diff &&
	grep "^+changed" diff && grep "^-doomed" diff && grep "^new mode 100600" diff &&
	hako -C ws -c hc ls-tree -r --name-only HEAD | grep -v "^\.$" >head &&
	cat >expect <<-EOF &&
	$P/ch
	$P/del
	$P/mod
	$P/sub/f
	EOF
	test_cmp expect head &&
	hako -C ws -c hc log --oneline >log && grep "host: sh -c" log &&
	hako -C ws -c hc commit -q -m "what the command did" &&
	hako -C ws -c hc status --porcelain >actual && test_must_be_empty actual &&
	hako -C ws -c hc show "HEAD:$P/mod" >shown &&
	printf "original\nchanged\n" >expect && test_cmp expect shown
'

test_expect_success '--keep-as of a command that changes nothing: a clean container' '
	(cd ws && hako run --host --keep-as quiet -- cat ../host/same) >out &&
	echo kept >expect && test_cmp expect out &&
	hako -C ws -c quiet status --porcelain >actual && test_must_be_empty actual
'

test_expect_success 'without a workspace: runs, and leaves nothing behind' '
	mkdir outside && echo here >outside/f &&
	(cd outside && hako run --host -- sh -c "cat f && echo more >>f && rm f && ls") >out &&
	echo here >expect && test_cmp expect out &&
	test_cmp expect outside/f &&
	private_dirs >after-dirs && test_cmp before-dirs after-dirs
'

test_expect_success 'bad input: one-line fatals, and nothing changes' '
	hako -C ws containers >containers-before &&
	(cd ws && test_expect_code 129 hako run --host hc true) 2>err &&
	test_line_count = 1 err && grep "^fatal: .*--host cannot be combined with a container or revision (.hc.)" err &&
	test_expect_code 129 hako run --host -d true 2>err &&
	test_line_count = 1 err && grep "^fatal: .*--host cannot be combined with -d" err &&
	test_expect_code 129 hako run --host --fs overlay true 2>err &&
	grep "^fatal: .*--host cannot be combined with --fs" err &&
	test_expect_code 129 hako run --host --name x true 2>err &&
	grep "^fatal: .*--host cannot be combined with --name" err &&
	test_expect_code 129 hako run --host --commit true 2>err &&
	grep "^fatal: .*--host cannot be combined with --commit" err &&
	test_expect_code 129 hako run --keep-as c2 true 2>err &&
	grep "^fatal: .*--keep-as needs --host" err &&
	(cd ws && test_must_fail hako run --host --keep-as hc -- sh -c "echo no >../host/refused") 2>err &&
	test_line_count = 1 err && grep "^fatal: --keep-as: container .hc. already exists" err &&
	test_path_is_missing host/refused &&
	(cd outside && test_must_fail hako run --host --keep-as c3 true) 2>err &&
	test_line_count = 1 err && grep "^fatal: --keep-as needs a workspace" err &&
	hako -C ws containers >containers-after &&
	test_cmp containers-before containers-after &&
	private_dirs >after-dirs && test_cmp before-dirs after-dirs
'

test_expect_success 'where the probe says overlay is refused: one fatal line, nothing runs' '
	mkdir tmpd &&
	echo "$(uname -n) $(uname -r) $(id -u) $(stat -c %d tmpd) no mount: EPERM: Operation not permitted" \
		>tmpd/hako-host-probe.$(id -u) &&
	test_must_fail env TMPDIR="$PWD/tmpd" hako run --host -- sh -c "echo ran >ran" 2>err &&
	echo "fatal: --host: overlay unavailable (mount: EPERM: Operation not permitted)" >expect &&
	test_cmp expect err &&
	test_path_is_missing ran &&
	ls tmpd >left && echo hako-host-probe.$(id -u) >expect && test_cmp expect left
'

test_expect_success 'a private directory left by a killed run is removed by the next run' '
	base=${TMPDIR:-/tmp} &&
	mkdir "$base/hako-host-1-t7420" && : >"$base/hako-host-1-t7420/lock" &&
	mkdir -p "$base/hako-host-1-t7420/o/0/upper" &&
	hako run --host true &&
	test_path_is_missing "$base/hako-host-1-t7420"
'

test_expect_success USER_NS 'as an unprivileged user: the caller'"'"'s ids, other users'"'"' files as nobody, writes kept inside; --keep-as in its workspace' '
	hakotest_dir t7420 &&
	echo mine >"$D/mine" && chown hakotest: "$D/mine" &&
	as_user ./hako run --host -- sh -c "id -u; stat -c %U /etc/passwd; cat mine; echo more >>mine;
		cat mine; echo x >/etc/by-user && cat /etc/by-user; echo y >new-file" >out 2>err &&
	! grep -v "^warning: host directory" err &&
	printf "1001\nnobody\nmine\nmine\nmore\nx\n" >expect &&
	test_cmp expect out &&
	echo mine >expect && test_cmp expect "$D/mine" &&
	test_path_is_missing /etc/by-user && test_path_is_missing "$D/new-file" &&
	as_user ./hako init -q ws &&
	as_user ./hako -C ws run --host --keep-as uc -- sh -c "echo more >>mine && rm hako && echo n >n" &&
	as_user ./hako -C ws -c uc status --porcelain >actual &&
	P=${D#/} &&
	cat >expect <<-EOF &&
	D $P/hako
	M $P/mine
	A $P/n
	EOF
	test_cmp expect actual &&
	as_user ./hako -C ws -c uc ls-tree "HEAD:$P" >tree &&
	grep " uid=1001 .*	mine$" tree &&
	ls -d /tmp/hako-host-[0-9]* 2>/dev/null | xargs -r stat -c %U >owners &&
	! grep hakotest owners
'

test_done
