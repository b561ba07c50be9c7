# Shared tests of `hako unshare-exec` and `hako enter`, run by t8000 as the
# invoking user (root in CI) and by t8001 as an unprivileged user it creates.
#
# The caller sets, before sourcing this file:
#   SB_DIR    a directory every user in the test can traverse (holds the rootfs)
#   SB_AS     the command prefix that runs a command as the tested user ("" or "runuser -u U --")
#   SB_HAKO   the hako binary that user can execute
#   SB_WORK   a directory the tested user can write (for rw binds)
#   SB_OWNER  optional: chown the rootfs to this user (mount points missing
#             from a rootfs are created in it, which needs write access)

ROOTFS=$SB_DIR/rootfs

# hx ARGS…: hako as the tested user, with cgroup notes silenced where the
# host cannot apply cgroup limits (one test checks the note itself).
hx () {
	$SB_AS "$SB_HAKO" "$@"
}

# The sandbox command most tests use: default limits, no cgroup note.
box () {
	hx unshare-exec --pids-limit 0 "$@"
}

sandbox_build_rootfs () {
	busybox_root "$ROOTFS" root &&
	printf 'root:x:0:\nuser:x:1000:\n' >"$ROOTFS/etc/group" &&
	if test -n "$SYSPROBE"; then cp "$SYSPROBE" "$ROOTFS/bin/sysprobe"; fi &&
	chmod -R a+rX "$SB_DIR" &&
	if test -n "$SB_OWNER"; then chown -R "$SB_OWNER" "$ROOTFS"; fi
}

BUSYBOX=$(command -v busybox 2>/dev/null)
test -n "$BUSYBOX" && test_set_prereq BUSYBOX

# The syscall probe, built once per script with gcc -static.
if command -v gcc >/dev/null 2>&1 &&
   gcc -static -O2 -o "$SB_DIR/sysprobe" "$TEST_DIRECTORY/helpers/sysprobe.c" 2>/dev/null; then
	SYSPROBE=$SB_DIR/sysprobe
	test_set_prereq SYSPROBE
fi
test_prereq_reason SYSPROBE "cannot build t/helpers/sysprobe.c with gcc -static (apt-get install gcc libc6-dev)"

test_lazy_prereq USERNS '
	$SB_AS unshare -Ur true
'
test_prereq_reason USERNS "this kernel or user cannot create user namespaces (unshare -Ur true failed)"

test_lazy_prereq LANDLOCK '
	test -n "$SYSPROBE" && mkdir d && echo x >d/f &&
	"$SB_HAKO" unshare-exec --pids-limit 0 "$ROOTFS" sysprobe openat0 f <d >out &&
	grep "openat0 EACCES" out
'
test_prereq_reason LANDLOCK "the kernel has no landlock (CONFIG_SECURITY_LANDLOCK, lsm=landlock)"

test_lazy_prereq PASTA 'command -v pasta && $SB_AS test -r /dev/net/tun -a -w /dev/net/tun'
test_prereq_reason PASTA "pasta is not installed (apt-get install passt) or /dev/net/tun is not open to the tested user"

test_lazy_prereq HOSTNET 'test "$(grep -c : /proc/net/dev)" -gt 1'
test_prereq_reason HOSTNET "the host has no network interface but lo"

test_lazy_prereq SUBUID '
	u=$($SB_AS id -un) && grep -q "^$u:" /etc/subuid && grep -q "^$u:" /etc/subgid &&
	command -v newuidmap && command -v newgidmap
'
test_prereq_reason SUBUID "no /etc/subuid and /etc/subgid range for the tested user, or no newuidmap (uidmap)"

test_lazy_prereq CGROUP2_DELEGATED '
	XDG_STATE_HOME="$PWD/fresh-state" "$SB_HAKO" unshare-exec "$ROOTFS" true 2>err &&
	! grep "cgroup limits not applied" err
'
test_prereq_reason CGROUP2_DELEGATED "cgroup2 with the pids controller is not delegated here (hybrid v1/v2 hierarchy)"

test_lazy_prereq SB_ROOT 'test "$($SB_AS id -u)" = 0'
test_prereq_reason SB_ROOT "the tested user is not root"

# box in the background, as a direct child ($! is hako itself, for kill).
bg_box () {
	exec $SB_AS "$SB_HAKO" unshare-exec --pids-limit 0 "$@"
}

# bg_box_started PIDFILE ARGS...: bg_box --pid-file PIDFILE ARGS in the
# background, $hp its pid (killed when the test ends), once PIDFILE is written.
bg_box_started () {
	bg_box --pid-file "$@" &
	hp=$!
	test_when_finished "kill -KILL $hp 2>/dev/null; true" &&
	wait_for_file "$1"
}

# Wait until FILE has a line LINE, at most 10 s.
wait_for_line () {
	n=0
	while ! grep -qx "$2" "$1"; do
		n=$((n + 1))
		test $n -gt 200 && { echo "timed out waiting for $2 in $1"; return 1; }
		sleep 0.05
	done
}

# Wait until FILE exists and is not empty (a pid file), at most 10 s.
wait_for_file () {
	n=0
	while ! test -s "$1"; do
		n=$((n + 1))
		test $n -gt 200 && { echo "timed out waiting for $1"; return 1; }
		sleep 0.05
	done
}

sandbox_tests () {

test_expect_success BUSYBOX 'setup: a busybox rootfs' '
	sandbox_build_rootfs &&
	test -x "$ROOTFS/bin/sh"
'

test_expect_success USERNS 'a command runs and its exit status passes through' '
	box "$ROOTFS" sh -c "echo hello" >out &&
	echo hello >expect &&
	test_cmp expect out &&
	test_expect_code 42 box "$ROOTFS" sh -c "exit 42" &&
	test_expect_code 0 box "$ROOTFS" -- true
'

test_expect_success USERNS 'death by signal N gives 128+N' '
	test_expect_code 137 box "$ROOTFS" sh -c "kill -KILL \$\$" &&
	test_expect_code 143 box "$ROOTFS" sh -c "kill -TERM \$\$" &&
	test_expect_code 3 box --as-pid-1 "$ROOTFS" sh -c "exit 3"
'

test_expect_success USERNS 'the pid namespace shows only the sandbox' '
	box "$ROOTFS" sh -c "cd /proc && echo [0-9]*" >out &&
	echo "1 2" >expect &&
	test_cmp expect out &&
	box "$ROOTFS" sh -c "echo \$\$; cat /proc/1/cmdline | tr \"\\0\" \" \"" >out &&
	head -n 1 out >pid && echo 2 >expect && test_cmp expect pid &&
	grep "^hako-init" out
'

test_expect_success USERNS '--as-pid-1 runs the command as pid 1' '
	box --as-pid-1 "$ROOTFS" sh -c "cd /proc && echo \$\$ [0-9]*" >out &&
	echo "1 1" >expect &&
	test_cmp expect out
'

test_expect_success USERNS 'the host root, $HOME and /tmp are not visible' '
	echo secret >"$HOME/host-marker" &&
	marker=$(mktemp /tmp/hako-t8000-marker.XXXXXX) &&
	test_when_finished "rm -f \"$marker\"" &&
	box "$ROOTFS" sh -c "test ! -e \"$HOME/host-marker\" && test ! -e \"$marker\" && ls -A /tmp && ls /" >out &&
	(cd "$ROOTFS" && ls) >expect &&
	test_cmp expect out
'

test_expect_success USERNS 'a minimal /dev: devices, devpts, shm and fd links' '
	box "$ROOTFS" sh -c "ls /dev" >out &&
	cat >expect <<-\EOF &&
	core
	fd
	full
	null
	ptmx
	pts
	random
	shm
	stderr
	stdin
	stdout
	tty
	urandom
	zero
	EOF
	test_cmp expect out &&
	box "$ROOTFS" sh -c "echo x >/dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c && test -d /dev/pts && test -c /dev/pts/ptmx" >out &&
	printf "4\n4\n" >expect &&
	test_cmp expect out
'

test_expect_success USERNS '/tmp is a private, writable tmpfs' '
	box "$ROOTFS" sh -c "echo data >/tmp/f && cat /tmp/f && grep \" /tmp \" /proc/mounts" >out &&
	grep "^data$" out &&
	grep "^tmpfs /tmp tmpfs" out &&
	test_path_is_missing "$ROOTFS/tmp/f"
'

test_expect_success USERNS '--ro-root: writes fail with EROFS, /tmp stays writable' '
	test_must_fail box --ro-root "$ROOTFS" sh -c "touch /new-file" 2>err &&
	grep "Read-only file system" err &&
	box --ro-root "$ROOTFS" sh -c "touch /tmp/ok" &&
	test_path_is_missing "$ROOTFS/new-file"
'

test_expect_success USERNS 'ro and rw binds behave' '
	mkdir -p "$SB_WORK/data" && echo from-host >"$SB_WORK/data/f" &&
	chown -R --reference="$SB_WORK" "$SB_WORK/data" &&
	box --bind "$SB_WORK/data:/ro:ro" --mount "$SB_WORK/data:/rw:rw" "$ROOTFS" \
		sh -c "cat /ro/f; touch /ro/x 2>&1; echo inside >/rw/g" >out &&
	grep "^from-host$" out &&
	grep "Read-only file system" out &&
	test_path_is_missing "$SB_WORK/data/x" &&
	echo inside >expect && test_cmp expect "$SB_WORK/data/g" &&
	box --bind "$SB_WORK/data/f:/etc/hostfile" "$ROOTFS" cat /etc/hostfile >out &&
	echo from-host >expect && test_cmp expect out &&
	box --bind "$SB_WORK/data:/deep/new/dir" "$ROOTFS" cat /deep/new/dir/f >out &&
	test_cmp expect out
'

test_expect_success USERNS 'mount points missing in ROOTFS are created for the run only' '
	(cd "$ROOTFS" && find . | sort) >rootfs.before &&
	box --bind "$SB_WORK/data:/deep/new/dir" --mount "$SB_WORK/data/f:/etc/newfile:ro" \
		--tmpfs /scratch/t --bind "$SB_WORK/data:/tmp/in-tmpfs" "$ROOTFS" \
		sh -c "cat /deep/new/dir/f /etc/newfile; test -d /scratch/t && test -d /tmp/in-tmpfs" >out &&
	printf "from-host\nfrom-host\n" >expect && test_cmp expect out &&
	(cd "$ROOTFS" && find . | sort) >rootfs.after &&
	test_cmp rootfs.before rootfs.after &&
	rmdir "$ROOTFS/proc" &&
	box "$ROOTFS" test -d /proc/self &&
	test_path_is_missing "$ROOTFS/proc" &&
	mkdir "$ROOTFS/proc" &&
	if test -n "$SB_OWNER"; then chown "$SB_OWNER" "$ROOTFS/proc"; fi
'

test_expect_success USERNS '--tmpfs mounts an empty, writable tmpfs' '
	box --tmpfs /scratch "$ROOTFS" sh -c "ls -A /scratch && echo x >/scratch/y && cat /scratch/y" >out &&
	echo x >expect &&
	test_cmp expect out
'

test_expect_success USERNS 'the hostname is isolated' '
	hostname >host.before &&
	box --hostname sandbox-box --keep-cap "$ROOTFS" sh -c "hostname; hostname other; hostname" >out &&
	printf "sandbox-box\nother\n" >expect &&
	test_cmp expect out &&
	hostname >host.after &&
	test_cmp host.before host.after
'

test_expect_success USERNS '--net none: only lo, and it is up' '
	box "$ROOTFS" sh -c "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d \" \"" >out &&
	echo lo >expect &&
	test_cmp expect out &&
	box "$ROOTFS" sh -c "ip -o -4 addr show lo" >out &&
	grep "127.0.0.1/8" out
'

test_expect_success USERNS,HOSTNET '--net host shares the host network' '
	box --net host "$ROOTFS" sh -c "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d \" \" | sort" >out &&
	tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort >expect &&
	test_cmp expect out
'

test_expect_success USERNS,PASTA '--net pasta adds a user-mode interface' '
	box --net pasta "$ROOTFS" sh -c "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d \" \"" >out &&
	grep -v "^lo$" out
'

test_expect_success USERNS 'no_new_privs, seccomp filter, and no capabilities' '
	box "$ROOTFS" sh -c "grep -E \"^(NoNewPrivs|Seccomp|CapEff|CapBnd):\" /proc/self/status" >out &&
	printf "CapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\n" >expect &&
	test_cmp expect out &&
	box --keep-cap "$ROOTFS" sh -c "grep CapEff: /proc/self/status" >out &&
	! grep "CapEff:	0000000000000000" out
'

test_expect_success USERNS,SYSPROBE 'syscalls on the deny list fail with EPERM' '
	box "$ROOTFS" sysprobe keyctl add_key request_key bpf userfaultfd perf_event_open \
		kexec_load open_by_handle_at init_module swapon reboot tiocsti getpid </dev/null >out &&
	cat >expect <<-\EOF &&
	keyctl EPERM
	add_key EPERM
	request_key EPERM
	bpf EPERM
	userfaultfd EPERM
	perf_event_open EPERM
	kexec_load EPERM
	open_by_handle_at EPERM
	init_module EPERM
	swapon EPERM
	reboot EPERM
	tiocsti EPERM
	getpid OK
	EOF
	test_cmp expect out
'

test_expect_success USERNS,SYSPROBE '--seccomp off lets them through' '
	box --seccomp off "$ROOTFS" sysprobe keyctl userfaultfd tiocsti </dev/null >out &&
	printf "keyctl OK\nuserfaultfd OK\ntiocsti ENOTTY\n" >expect &&
	test_cmp expect out &&
	box --seccomp off "$ROOTFS" grep "^Seccomp:" /proc/self/status >out &&
	printf "Seccomp:\t0\n" >expect &&
	test_cmp expect out
'

test_expect_success USERNS '--seccomp FILE applies a seccompiler JSON filter' '
	cat >"$SB_WORK/deny-mkdir.json" <<-\EOF &&
	{ "main": { "mismatch_action": "allow", "match_action": { "errno": 1 },
	            "filter": [ { "syscall": "mkdir" }, { "syscall": "mkdirat" } ] } }
	EOF
	chmod a+r "$SB_WORK/deny-mkdir.json" &&
	test_must_fail box --seccomp "$SB_WORK/deny-mkdir.json" "$ROOTFS" mkdir /tmp/d 2>err &&
	grep "Operation not permitted" err &&
	box --seccomp "$SB_WORK/deny-mkdir.json" "$ROOTFS" touch /tmp/f
'

test_expect_success USERNS,SYSPROBE,LANDLOCK 'landlock: a host directory handed in on stdin stays closed' '
	mkdir -p "$SB_WORK/hostdir" && echo host-secret >"$SB_WORK/hostdir/secret" &&
	chmod -R a+rX "$SB_WORK/hostdir" &&
	box "$ROOTFS" sysprobe openat0 secret <"$SB_WORK/hostdir" >out &&
	echo "openat0 EACCES" >expect &&
	test_cmp expect out &&
	box --no-landlock "$ROOTFS" sysprobe openat0 secret <"$SB_WORK/hostdir" >out &&
	echo "openat0 OK host-secret" >expect &&
	test_cmp expect out
'

test_expect_success USERNS 'stdout and stderr redirected to host files stay usable' '
	: >"$SB_WORK/o" && : >"$SB_WORK/e" &&
	chown --reference="$SB_WORK" "$SB_WORK/o" "$SB_WORK/e" &&
	box "$ROOTFS" sh -c "echo one; echo two >&2; echo three >>/dev/stdout" >>"$SB_WORK/o" 2>>"$SB_WORK/e" &&
	printf "one\nthree\n" >expect && test_cmp expect "$SB_WORK/o" &&
	echo two >expect && test_cmp expect "$SB_WORK/e"
'

test_expect_success USERNS 'rlimits apply' '
	box --rlimit nofile=64,core=0 --rlimit fsize=1m:2m "$ROOTFS" sh -c "ulimit -n; ulimit -c; ulimit -f; ulimit -H -f" >out &&
	printf "64\n0\n2048\n4096\n" >expect &&
	test_cmp expect out
'

test_expect_success USERNS 'environment: minimal by default, PWD is the working directory inside' '
	HAKO_T_VAR=outside TERM=hako-term box --env A=1 --workdir /tmp "$ROOTFS" env >out &&
	sort out >actual &&
	cat >expect <<-\EOF &&
	A=1
	HOME=/root
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	PWD=/tmp
	TERM=hako-term
	EOF
	test_cmp expect actual &&
	box --uid 1000 --gid 1000 --env PATH=/bin "$ROOTFS" sh -c "echo \$HOME \$PATH; cd / && echo \$PWD" >out &&
	printf "/ /bin\n/\n" >expect &&
	test_cmp expect out
'

test_expect_success USERNS 'environment: --keep-env passes the host'"'"'s, --clear-env none' '
	HAKO_T_VAR=outside box --keep-env --env A=1 --workdir /tmp "$ROOTFS" env >out &&
	grep "^HAKO_T_VAR=outside$" out && grep "^A=1$" out && grep "^PWD=/tmp$" out &&
	HAKO_T_VAR=outside box --clear-env --env A=1 --env B=x=y "$ROOTFS" env >out &&
	printf "A=1\nB=x=y\n" >expect &&
	test_cmp expect out &&
	test_expect_code 129 box --clear-env --keep-env "$ROOTFS" true
'

test_expect_success USERNS '--workdir, --uid and --gid' '
	box --workdir /tmp --uid 1000 --gid 1000 "$ROOTFS" sh -c "pwd; id -u; id -g; touch /tmp/mine && stat -c %u /tmp/mine" >out &&
	printf "/tmp\n1000\n1000\n1000\n" >expect &&
	test_cmp expect out &&
	box "$ROOTFS" id -u >out && echo 0 >expect && test_cmp expect out
'

test_expect_success USERNS,SUBUID '--map-users maps subordinate ids' '
	box --map-users --uid 1000 --gid 1000 "$ROOTFS" sh -c "id -u; id -g; wc -l </proc/self/uid_map" >out &&
	printf "1000\n1000\n2\n" >expect &&
	test_cmp expect out &&
	box --map-users --keep-cap "$ROOTFS" sh -c "touch /tmp/f && chown 1234:1234 /tmp/f && stat -c %u:%g /tmp/f" >out &&
	echo 1234:1234 >expect && test_cmp expect out
'

test_expect_success USERNS,SB_ROOT 'as root, ids 0-65535 are mapped 1:1 and setgroups is allowed (su works)' '
	box "$ROOTFS" cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups | tr -s " " >out &&
	printf " 0 0 65536\n 0 0 65536\nallow\n" >expect &&
	test_cmp expect out &&
	box --keep-cap "$ROOTFS" su -s /bin/sh user -c id >out &&
	echo "uid=1000(user) gid=1000(user) groups=1000(user)" >expect &&
	test_cmp expect out
'

test_expect_success USERNS,SUBUID 'as a user, --map-users lets the sandbox switch users (su works)' '
	box --map-users --keep-cap "$ROOTFS" su -s /bin/sh user -c id >out &&
	echo "uid=1000(user) gid=1000(user) groups=1000(user)" >expect &&
	test_cmp expect out
'

test_expect_success USERNS,!SB_ROOT 'as a user without --map-users, one id is mapped and setgroups is denied' '
	box --keep-cap "$ROOTFS" cat /proc/self/setgroups >out &&
	echo deny >expect && test_cmp expect out &&
	test_must_fail box --keep-cap "$ROOTFS" su -s /bin/sh user -c id 2>err &&
	grep "can.t set groups" err
'

test_expect_success USERNS 'SIGTERM to hako reaches the command and gives 143' '
	pf="$SB_WORK/term.pid" &&
	bg_box_started "$pf" "$ROOTFS" sh -c "trap \"echo caught TERM; exit 143\" TERM; echo started; while :; do sleep 0.1; done" >out 2>err &&
	wait_for_file out &&
	kill -TERM $hp &&
	{ wait $hp; echo $? >status; } &&
	echo 143 >expect && test_cmp expect status &&
	printf "started\ncaught TERM\n" >expect && test_cmp expect out &&
	test_path_is_missing "$pf"
'

test_expect_success USERNS 'a command without a TERM handler dies of it: 143' '
	pf="$SB_WORK/sleep.pid" &&
	bg_box_started "$pf" "$ROOTFS" sleep 60 &&
	kill -TERM $hp &&
	{ wait $hp; echo $? >status2; } &&
	echo 143 >expect && test_cmp expect status2
'

test_expect_success USERNS 'SIGUSR1, SIGHUP and SIGINT are forwarded' '
	pf="$SB_WORK/usr.pid" &&
	bg_box_started "$pf" "$ROOTFS" sh -c "trap \"echo usr1\" USR1; trap \"echo hup\" HUP; trap \"echo int; exit 3\" INT; echo ready; while :; do sleep 0.1; done" >sig.out &&
	wait_for_file sig.out &&
	kill -USR1 $hp && wait_for_line sig.out usr1 &&
	kill -HUP $hp && wait_for_line sig.out hup &&
	kill -INT $hp &&
	{ wait $hp; echo $? >status3; } &&
	echo 3 >expect && test_cmp expect status3 &&
	printf "ready\nusr1\nhup\nint\n" >expect && test_cmp expect sig.out
'

test_expect_success USERNS '--pid-file holds the pid alone, as hako-run wrote it: enter $(cat FILE) works' '
	pf="$SB_WORK/pf.pid" &&
	bg_box_started "$pf" "$ROOTFS" sleep 60 &&
	test_line_count = 1 "$pf" &&
	pid=$(cat "$pf") &&
	tr "\\0" " " </proc/$pid/cmdline | grep "^hako-init" &&
	hx enter $(cat "$pf") /bin/sh -c "echo inside" >out &&
	echo inside >expect && test_cmp expect out &&
	hx enter --fork $(cat "$pf") true &&
	hx enter --pid-file "$pf" true &&
	# A pid file older than its process names another (reused) pid.
	touch -d "2001-01-01" "$pf" &&
	test_must_fail hx enter --pid-file "$pf" true 2>err &&
	grep "^fatal: enter: process $pid is not the sandbox named in the pid file" err &&
	kill -TERM $hp &&
	{ wait $hp; true; } &&
	test_path_is_missing "$pf"
'

test_expect_success USERNS 'enter runs in the same namespaces, root, cwd and uid' '
	pf="$SB_WORK/enter.pid"
	bg_box --pid-file "$pf" --workdir /tmp --uid 1000 --gid 1000 --hostname entered "$ROOTFS" sh -c "echo here >/tmp/mark; sleep 60" &
	hp=$! &&
	test_when_finished "kill -TERM $hp; wait $hp; true" &&
	wait_for_file "$pf" && pid=$(head -n 1 "$pf") &&
	n=0 && while ! hx enter "$pid" test -e /tmp/mark && test $n -lt 100; do sleep 0.05; n=$((n+1)); done &&
	hx enter "$pid" sh -c "readlink /proc/self/ns/pid; pwd; id -u; hostname; cat /tmp/mark; cat /proc/1/cmdline | tr \"\\0\" \" \"" >out &&
	readlink /proc/$pid/ns/pid >expect &&
	printf "/tmp\n1000\nentered\nhere\n" >>expect &&
	head -n 5 out >actual && test_cmp expect actual &&
	grep "^hako-init" out &&
	HAKO_T_VAR=outside hx enter "$pid" env >out &&
	! grep HAKO_T_VAR out && grep "^HOME=/$" out && grep "^PWD=/tmp$" out &&
	HAKO_T_VAR=outside hx enter --keep-env "$pid" env >out &&
	grep "^HAKO_T_VAR=outside$" out &&
	hx enter "$pid" sh -c "grep -E \"^(NoNewPrivs|Seccomp):\" /proc/self/status" >out &&
	printf "NoNewPrivs:\t1\nSeccomp:\t2\n" >expect && test_cmp expect out &&
	test_expect_code 7 hx enter --pid-file "$pf" -- sh -c "exit 7"
'

# The sandbox switches ids (and may drop groups) with root's full map or --map-users.
if test_have_prereq SB_ROOT || test_have_prereq SUBUID; then
	test_set_prereq SWITCH_IDS
fi

test_expect_success USERNS,SWITCH_IDS 'enter confines as the sandbox does: no supplementary groups, --keep-cap kept for a non-root uid' '
	pf="$SB_WORK/confine.pid"
	# (No && before the background job: it would take these assignments with it.)
	# Root enters holding a group of the host (disk) that the sandbox must not see.
	if test_have_prereq SB_ROOT; then map= as="setpriv --groups 6 --"; else map=--map-users as=$SB_AS; fi
	fields="grep -E \"^(Groups|CapEff|CapBnd|NoNewPrivs|Seccomp):\" /proc/self/status"
	bg_box --pid-file "$pf" $map --uid 1000 --gid 1000 --keep-cap "$ROOTFS" sh -c "$fields >/tmp/spawned; sleep 60" &
	hp=$! &&
	test_when_finished "kill -TERM $hp; wait $hp; true" &&
	wait_for_file "$pf" && pid=$(head -n 1 "$pf") &&
	n=0 && while ! hx enter "$pid" test -s /tmp/spawned && test $n -lt 100; do sleep 0.05; n=$((n+1)); done &&
	hx enter "$pid" cat /tmp/spawned >expect &&
	grep "^Groups:[[:space:]]*$" expect &&
	! grep "^CapEff:[[:space:]]*0*$" expect &&
	hx enter --keep-cap "$pid" sh -c "$fields" >out &&
	test_cmp expect out &&
	# Without --keep-cap: no capability at all for uid 1000, groups still dropped.
	$as "$SB_HAKO" enter "$pid" sh -c "grep -E \"^(Groups|CapEff|CapBnd):\" /proc/self/status" >out &&
	printf "Groups:\t \nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\n" >expect &&
	test_cmp expect out
'

# Only what these sandboxes could leave is compared: mounts at or below the
# test directory and hako's own names in /tmp (tests running alongside mount
# and make temporary directories of their own meanwhile).
sandbox_leftovers () {
	cut -d" " -f5 /proc/self/mountinfo | sed "s/\\\\040/ /g" |
		grep -F "$SB_DIR" | sort >"$1.mounts"
	ls -A /tmp | grep "^hako-pasta-" | sort >"$1.tmp"
	return 0
}

test_expect_success USERNS 'nothing stays mounted or in /tmp afterwards' '
	sandbox_leftovers before &&
	box --bind "$SB_WORK:/w" --tmpfs /scratch "$ROOTFS" true &&
	test_must_fail box --bind "/nonexistent-hako:/w" "$ROOTFS" true &&
	test_expect_code 127 box "$ROOTFS" no-such-command &&
	sandbox_leftovers after &&
	test_cmp before.mounts after.mounts &&
	test_cmp before.tmp after.tmp
'

test_expect_success USERNS,ROOT 'a refused fresh /proc falls back to the host'"'"'s, with a warning' '
	# Mask /proc/sys of every proc mount (another test may be running
	# debootstrap, whose target has its own): only then is a fresh /proc
	# "too revealing" for the kernel.
	cat >mask-procs <<-\EOF &&
	awk "\$3 == \"proc\" { print \$2 }" /proc/mounts | while read -r m; do
		mount -t tmpfs masked "$(printf "%b" "$m")/sys" || exit 1
	done
	EOF
	unshare -m sh -c ". ./mask-procs && $SB_AS \"$SB_HAKO\" unshare-exec --pids-limit 0 \"$ROOTFS\" sh -c \"ls /proc/self/status\"" >out 2>err &&
	echo /proc/self/status >expect &&
	test_cmp expect out &&
	test_line_count = 1 err &&
	grep "^warning: cannot mount a fresh /proc (EPERM.*binding the host.s /proc instead" err
'

test_lazy_prereq SCRIPT 'command -v script'
test_prereq_reason SCRIPT "script (bsdutils) is missing: no pseudo-terminal to test with"

test_expect_success USERNS,SCRIPT 'a terminal is passed through (and is /dev/console)' '
	script -qec "$SB_AS \"$SB_HAKO\" unshare-exec --pids-limit 0 \"$ROOTFS\" sh -c \"test -t 0 && test -t 1 && tty && stty -a | head -n 1\"" /dev/null >out &&
	tr -d "\r" <out >clean &&
	grep "^/dev/console$" clean &&
	grep "^speed " clean
'

test_expect_success USERNS '--new-session puts the command in its own session' '
	box "$ROOTFS" sh -c "cut -d\" \" -f6 /proc/\$\$/stat" >out &&
	echo 0 >expect && test_cmp expect out &&
	box --new-session "$ROOTFS" sh -c "cut -d\" \" -f6 /proc/\$\$/stat" >out &&
	echo 1 >expect && test_cmp expect out
'

test_expect_success USERNS '--die-with-parent: the sandbox dies with hako'"'"'s parent' '
	pf="$SB_WORK/dwp.pid"
	sh -c "$SB_AS \"$SB_HAKO\" unshare-exec --pids-limit 0 --die-with-parent --pid-file \"$pf\" \"$ROOTFS\" sleep 60 & wait" &
	parent=$! &&
	wait_for_file "$pf" && pid=$(head -n 1 "$pf") &&
	kill -KILL $parent &&
	n=0 && while test -d /proc/$pid && test $n -lt 100; do sleep 0.05; n=$((n+1)); done &&
	! test -d /proc/$pid
'

test_expect_success USERNS 'cgroup limits apply or are skipped with a note, once per host condition' '
	st="$SB_WORK/state" && rm -rf "$st" &&
	XDG_STATE_HOME="$st" hx unshare-exec "$ROOTFS" true 2>err &&
	if grep "cgroup limits not applied" err
	then
		test_line_count = 1 err &&
		grep "(said once; sandbox.cgroupWarning = false in ~/.config/hako/config silences it)$" err &&
		test_line_count = 1 "$st/hako/cgroup-warned" &&
		XDG_STATE_HOME="$st" hx unshare-exec "$ROOTFS" true 2>err &&
		test_must_be_empty err
	else
		test_must_be_empty err
	fi
'

test_expect_success USERNS 'sandbox.cgroupWarning = false in the user config silences the cgroup note' '
	st="$SB_WORK/state2" && rm -rf "$st" &&
	mkdir -p "$SB_WORK/cfg/hako" &&
	printf "[sandbox]\n\tcgroupWarning = false\n" >"$SB_WORK/cfg/hako/config" &&
	chmod -R a+rX "$SB_WORK/cfg" &&
	XDG_STATE_HOME="$st" XDG_CONFIG_HOME="$SB_WORK/cfg" hx unshare-exec "$ROOTFS" true 2>err &&
	test_must_be_empty err &&
	test_path_is_missing "$st/hako/cgroup-warned"
'

test_expect_success USERNS,CGROUP2_DELEGATED '--pids-limit is enforced through cgroup v2' '
	{ hx unshare-exec --pids-limit 5 "$ROOTFS" sh -c "for i in 1 2 3 4 5 6 7 8; do sleep 2 & done; wait" 2>err; true; } &&
	grep -i "can.t fork" err &&
	hx unshare-exec --pids-limit 50 "$ROOTFS" sh -c "for i in 1 2 3 4 5 6 7 8; do sleep 0.1 & done; wait"
'

# ---- bad input: one line, fatal:, 125 ----

test_expect_success USERNS 'missing ROOTFS' '
	test_expect_code 125 hx unshare-exec "$SB_WORK/no-such-root" true 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: ROOTFS .*no-such-root.*No such file or directory" err
'

test_expect_success USERNS 'without a command, unshare-exec runs /sbin/init, as hako-run does' '
	$SB_AS mkdir -p "$SB_WORK/noinit" &&
	test_expect_code 127 box "$SB_WORK/noinit" 2>err &&
	grep "^fatal: exec ./sbin/init. in ROOTFS .*ENOENT" err
'

test_expect_success USERNS 'a ROOTFS without the command: 127; one not executable: 126' '
	test_expect_code 127 box "$ROOTFS" no-such-command 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: no-such-command: command not found (PATH inside the sandbox, in ROOTFS .*)" err &&
	test_expect_code 127 box "$ROOTFS" /bin/no-such-command 2>err &&
	grep "^fatal: exec ./bin/no-such-command. in ROOTFS .*ENOENT" err &&
	# Found but not executable: 126, as a shell exits.
	test_expect_code 126 box "$ROOTFS" /etc/passwd 2>err &&
	grep "^fatal: exec ./etc/passwd. in ROOTFS .*EACCES" err
'

test_expect_success USERNS 'bad bind syntax, a missing bind source' '
	test_expect_code 125 box --bind /tmp "$ROOTFS" true 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: --bind ./tmp.: wrong number" err &&
	test_expect_code 125 box --mount /tmp:/x:rx "$ROOTFS" true 2>err &&
	grep "^fatal: --mount ./tmp:/x:rx.: unknown mode" err &&
	test_expect_code 125 box --bind /tmp:relative "$ROOTFS" true 2>err &&
	grep "^fatal: --bind .*DST must be an absolute path" err &&
	test_expect_code 125 box --bind /nonexistent-hako:/x "$ROOTFS" true 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: bind source ./nonexistent-hako. (for /x): No such file or directory" err
'

test_expect_success USERNS '--net pasta without pasta installed' '
	test_expect_code 125 $SB_AS env PATH=/nonexistent "$SB_HAKO" unshare-exec --net pasta "$ROOTFS" true 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: --net pasta: pasta is not installed" err
'

test_expect_success USERNS 'an unknown seccomp policy, a bad rlimit, a bad network mode' '
	test_expect_code 125 box --seccomp strict "$ROOTFS" true 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: unknown seccomp policy .strict." err &&
	test_expect_code 125 box --rlimit files=3 "$ROOTFS" true 2>err &&
	grep "^fatal: --rlimit .files=3.: unknown resource" err &&
	test_expect_code 125 box --net wifi "$ROOTFS" true 2>err &&
	grep "^fatal: unknown network mode" err
'

test_expect_success USERNS 'a bad --workdir fails at its step' '
	test_expect_code 125 box --workdir /no/such/dir "$ROOTFS" true 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: --workdir: chdir ./no/such/dir.: ENOENT" err
'

test_expect_success USERNS 'enter of a dead pid' '
	sh -c "exit 0" & dead=$! && wait $dead &&
	test_expect_code 125 hx enter "$dead" true 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: enter: process $dead does not exist" err &&
	test_expect_code 125 hx enter not-a-pid 2>err &&
	grep "^fatal: enter: .not-a-pid. is not a pid" err
'

test_expect_success USERNS 'user namespaces disabled by sysctl: says which' '
	test_expect_code 125 $SB_AS unshare -Ur sh -c "echo 0 >/proc/sys/user/max_user_namespaces && exec \"$SB_HAKO\" unshare-exec --pids-limit 0 \"$ROOTFS\" true" 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: create namespaces (clone .*max_user_namespaces=0" err
'

}
