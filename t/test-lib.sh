# hako's shell test library, after git's t/test-lib.sh.
#
# A test script sets test_description, sources this file, declares tests with
# test_expect_success / test_expect_failure, and ends with test_done. Output is
# TAP, so `prove` can run many scripts. Options:
#   -v, --verbose      show the output of test bodies
#   -i, --immediate    stop at the first failure and keep the trash directory
#   -d, --debug        keep the trash directory
#   -x                 trace test bodies (set -x)
#   --run=1-3,5        run only these tests
#   --root=DIR         create trash directories under DIR

TEST_DIRECTORY=$(cd "$(dirname "$0")" && pwd)
TEST_NAME=$(basename "$0" .sh)

verbose= immediate= debug= trace= run_list= root=
for arg in "$@"; do
	case "$arg" in
	-v|--verbose) verbose=t ;;
	-i|--immediate) immediate=t ;;
	-d|--debug) debug=t ;;
	-x) trace=t; verbose=t ;;
	--run=*) run_list=${arg#--run=} ;;
	--root=*) root=${arg#--root=} ;;
	-h|--help) echo "usage: $0 [-v] [-i] [-d] [-x] [--run=LIST] [--root=DIR]"; exit 0 ;;
	*) echo "error: unknown test option '$arg'" >&2; exit 1 ;;
	esac
done

# The binary under test.
if test -z "$HAKO_BUILD_DIR"; then
	if test -x "$TEST_DIRECTORY/../target/release/hako"; then
		HAKO_BUILD_DIR="$TEST_DIRECTORY/../target/release"
	else
		HAKO_BUILD_DIR="$TEST_DIRECTORY/../target/debug"
	fi
fi
HAKO_BUILD_DIR=$(cd "$HAKO_BUILD_DIR" 2>/dev/null && pwd)
if ! test -x "$HAKO_BUILD_DIR/hako"; then
	echo "Bail out! no hako binary in '$HAKO_BUILD_DIR' (run 'make' or 'cargo build' first)"
	exit 1
fi
PATH="$HAKO_BUILD_DIR:$PATH"
export PATH HAKO_BUILD_DIR TEST_DIRECTORY

# A clean, reproducible environment.
unset HAKO_DIR HAKO_AUTHOR_NAME HAKO_AUTHOR_EMAIL HAKO_AUTHOR_DATE \
	HAKO_COMMITTER_NAME HAKO_COMMITTER_EMAIL HAKO_COMMITTER_DATE \
	CDPATH GREP_OPTIONS XDG_CONFIG_HOME XDG_STATE_HOME \
	http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
LC_ALL=C LANG=C TZ=UTC
export LC_ALL LANG TZ
HAKO_AUTHOR_NAME='A U Thor'
HAKO_AUTHOR_EMAIL='author@example.com'
HAKO_COMMITTER_NAME='C O Mitter'
HAKO_COMMITTER_EMAIL='committer@example.com'
export HAKO_AUTHOR_NAME HAKO_AUTHOR_EMAIL HAKO_COMMITTER_NAME HAKO_COMMITTER_EMAIL

test_tick () {
	if test -z "${test_tick+set}"; then
		test_tick=1112911993
	else
		test_tick=$((test_tick + 60))
	fi
	HAKO_AUTHOR_DATE="$test_tick -0700"
	HAKO_COMMITTER_DATE="$test_tick -0700"
	export HAKO_AUTHOR_DATE HAKO_COMMITTER_DATE
}

ZERO_OID=0000000000000000000000000000000000000000000000000000000000000000
EMPTY_TREE=6237ea26bd7273588101502f70eecddcdabeaf25f9fa0cd309d4288edc785a55
LF='
'

# The trash directory: one per script, the cwd and $HOME of every test.
TRASH_DIRECTORY="trash directory.$TEST_NAME"
if test -n "$root"; then
	TRASH_DIRECTORY="$root/$TRASH_DIRECTORY"
else
	TRASH_DIRECTORY="$TEST_DIRECTORY/$TRASH_DIRECTORY"
fi
rm -rf "$TRASH_DIRECTORY" || { echo "Bail out! cannot remove $TRASH_DIRECTORY"; exit 1; }
mkdir -p "$TRASH_DIRECTORY" || { echo "Bail out! cannot create $TRASH_DIRECTORY"; exit 1; }
HOME="$TRASH_DIRECTORY"
export HOME
cd "$TRASH_DIRECTORY" || exit 1

if test -n "$verbose"; then
	exec 4>&2 3>&1
else
	exec 4>/dev/null 3>/dev/null
fi

test_count=0 test_success=0 test_failure=0 test_fixed=0 test_broken=0 test_skipped=0
test_prereqs_ok=' ' test_prereqs_missing=' ' test_lazy_prereqs=' '

say () { printf '%s\n' "$*"; }

error () {
	say "Bail out! $*"
	exit 1
}

skip_all () {
	# Skip the whole script with a printed reason.
	say "1..0 # SKIP $*"
	cd "$TEST_DIRECTORY" && rm -rf "$TRASH_DIRECTORY"
	exit 0
}

test_set_prereq () {
	test_prereqs_ok="$test_prereqs_ok$1 "
}

test_lazy_prereq () {
	# test_lazy_prereq NAME 'script': evaluated once, on first use.
	test_lazy_prereqs="$test_lazy_prereqs$1 "
	eval "test_lazy_script_$1=\$2"
}

test_have_prereq () {
	for p in $(echo "$1" | tr , ' '); do
		neg=
		case "$p" in !*) neg=t; p=${p#!} ;; esac
		case "$test_prereqs_ok" in *" $p "*) have=t ;; *)
			case "$test_prereqs_missing" in *" $p "*) have= ;; *)
				case "$test_lazy_prereqs" in *" $p "*)
					eval "script=\$test_lazy_script_$p"
					d="$TRASH_DIRECTORY/prereq-$p"
					mkdir -p "$d"
					if (cd "$d" && eval "$script") >&3 2>&4; then
						test_prereqs_ok="$test_prereqs_ok$p "; have=t
					else
						test_prereqs_missing="$test_prereqs_missing$p "; have=
					fi
					rm -rf "$d" ;;
				*) have= ;;
				esac ;;
			esac ;;
		esac
		if test -n "$neg"; then
			test -z "$have" || { missing_prereq="!$p"; return 1; }
		else
			test -n "$have" || { missing_prereq=$p; return 1; }
		fi
	done
	return 0
}

test_skip_ () {
	# test_skip_ TITLE PREREQ: true if the test should be skipped.
	skip_reason=
	if test -n "$run_list" && ! test_in_run_list_ "$test_count"; then
		skip_reason="--run"
	elif test -n "$2" && ! test_have_prereq "$2"; then
		skip_reason="missing $missing_prereq"
		case "$missing_prereq" in
		!*) ;;
		*)
			eval "why=\${prereq_reason_$missing_prereq-}"
			test -n "$why" && skip_reason="$skip_reason: $why" ;;
		esac
	fi
	test -n "$skip_reason"
}

# Record why a prerequisite is missing, to print with each skip.
test_prereq_reason () {
	eval "prereq_reason_$1=\$2"
}

test_in_run_list_ () {
	for r in $(echo "$run_list" | tr , ' '); do
		case "$r" in
		*-*) lo=${r%-*} hi=${r#*-}; test "$1" -ge "${lo:-1}" && test "$1" -le "${hi:-999999}" && return 0 ;;
		*) test "$1" -eq "$r" && return 0 ;;
		esac
	done
	return 1
}

test_cleanup=:
test_when_finished () {
	test_cleanup="{ $*
	} && (exit \"\$eval_ret\"); eval_ret=\$?; $test_cleanup"
}

test_run_ () {
	test_cleanup=:
	if test -n "$trace"; then set -x; fi
	eval "$1" >&3 2>&4
	eval_ret=$?
	if test -n "$trace"; then set +x; fi 2>/dev/null
	eval "$test_cleanup" >&3 2>&4
	return $eval_ret
}

test_print_body_ () {
	printf '%s\n' "$1" | sed -e 's/^/#	/'
}

# test_expect_ KIND [PREREQ] TITLE BODY: test_expect_KIND, KIND success or
# failure (a known breakage).
test_expect_ () {
	test_kind_=$1
	shift
	test "$#" = 3 && { prereq=$1; shift; } || prereq=
	test "$#" = 2 || error "bug in the test script: not 2 or 3 parameters to test_expect_$test_kind_"
	test_count=$((test_count + 1))
	if test_skip_ "$1" "$prereq"; then
		say "ok $test_count # skip $1 ($skip_reason)"
		test_skipped=$((test_skipped + 1))
		return 0
	fi
	test_run_ "$2"
	case $test_kind_,$? in
	success,0) test_success=$((test_success + 1)); say "ok $test_count - $1" ;;
	failure,0) test_fixed=$((test_fixed + 1)); say "ok $test_count - $1 # TODO known breakage vanished" ;;
	failure,*) test_broken=$((test_broken + 1)); say "not ok $test_count - $1 # TODO known breakage" ;;
	*)
		test_failure=$((test_failure + 1))
		say "not ok $test_count - $1"
		test_print_body_ "$2"
		if test -n "$immediate"; then
			say "# stopped at the first failure (-i); trash directory kept: $TRASH_DIRECTORY"
			say "1..$test_count"
			exit 1
		fi
		;;
	esac
}

test_expect_success () {
	test_expect_ success "$@"
}

test_expect_failure () {
	test_expect_ failure "$@"
}

test_done () {
	if test "$test_failure" = 0; then
		say "# passed all $test_count test(s)"
		cd "$TEST_DIRECTORY" || exit 1
		test -z "$debug" && rm -rf "$TRASH_DIRECTORY"
	else
		say "# failed $test_failure among $test_count test(s)"
	fi
	test "$test_broken" = 0 || say "# still have $test_broken known breakage(s)"
	say "1..$test_count"
	test "$test_failure" = 0
	exit $?
}

# ---- helpers ----

test_cmp () {
	diff -u "$@"
}

test_must_be_empty () {
	if test -s "$1"; then
		echo "'$1' is not empty, it contains:"
		cat "$1"
		return 1
	fi
}

test_line_count () {
	# test_line_count OP N FILE
	if test $# != 3; then
		error "bug in the test script: test_line_count needs 3 parameters"
	fi
	n=$(wc -l <"$3")
	if ! test "$n" "$1" "$2"; then
		echo "test_line_count: line count for $3 !$1 $2 (it is $n)"
		cat "$3"
		return 1
	fi
}

test_path_is_file () {
	test -f "$1" || { echo "File $1 doesn't exist"; return 1; }
}

test_path_is_dir () {
	test -d "$1" || { echo "Directory $1 doesn't exist"; return 1; }
}

test_path_is_missing () {
	if test -e "$1" || test -L "$1"; then
		echo "Path exists: $1"
		return 1
	fi
}

test_must_fail () {
	"$@" 2>&7
	exit_code=$?
	if test $exit_code -eq 0; then
		echo >&4 "test_must_fail: command succeeded: $*"
		return 1
	elif test $exit_code -gt 129 && test $exit_code -le 192; then
		echo >&4 "test_must_fail: died by signal $((exit_code - 128)): $*"
		return 1
	elif test $exit_code -eq 127; then
		echo >&4 "test_must_fail: command not found: $*"
		return 1
	fi
	return 0
} 7>&2 2>&4

test_might_fail () {
	"$@"
	exit_code=$?
	if test $exit_code -gt 129 && test $exit_code -le 192; then
		echo >&4 "test_might_fail: died by signal $((exit_code - 128)): $*"
		return 1
	fi
	return 0
}

test_expect_code () {
	want=$1
	shift
	"$@" 2>&7
	exit_code=$?
	if test "$exit_code" = "$want"; then
		return 0
	fi
	echo >&4 "test_expect_code: command exited with $exit_code, we wanted $want: $*"
	return 1
} 7>&2 2>&4

test_seq () {
	case $# in
	1) set 1 "$@" ;;
	2) ;;
	*) error "bug in the test script: not 1 or 2 parameters to test_seq" ;;
	esac
	i=$1
	while test "$i" -le "$2"; do
		echo "$i"
		i=$((i + 1))
	done
}

# hold_lock FILE: a live process holds FILE as hako does (created, flock'ed)
# until the test ends; its pid is in hold_lock.pid.
hold_lock () {
	rm -f "$1.held" &&
	( exec 9>"$1" && flock 9 && >"$1.held" && exec sleep 300 ) &
	echo $! >hold_lock.pid &&
	test_when_finished "kill \$(cat hold_lock.pid) 2>/dev/null; rm -f \"$1\" \"$1.held\"" &&
	for _ in $(test_seq 100); do
		test -f "$1.held" && break
		sleep 0.05
	done &&
	rm -f "$1.held" &&
	! flock -n "$1" true
}

write_script () {
	{
		echo "#!${2:-/bin/sh}"
		cat
	} >"$1" && chmod +x "$1"
}

# A free TCP port on 127.0.0.1.
test_free_port () {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# skip_unless_fuse, skip_unless_busybox, skip_unless_userns [mount]: skip the
# whole script where FUSE, busybox (the seeded root's shell), or user (and
# mount) namespaces are missing.
skip_unless_fuse () {
	test -c /dev/fuse || skip_all "/dev/fuse is missing (FUSE not available here)"
	command -v fusermount3 >/dev/null 2>&1 || skip_all "fusermount3 is missing (apt-get install fuse3)"
}
skip_unless_busybox () {
	command -v busybox >/dev/null 2>&1 ||
		skip_all "busybox is missing (apt-get install busybox-static): the seeded root has no shell"
}
skip_unless_userns () {
	if test "$1" = mount; then
		unshare -Urm true 2>/dev/null ||
			skip_all "this kernel or user cannot create user and mount namespaces (unshare -Urm true failed)"
	else
		unshare -Ur true 2>/dev/null ||
			skip_all "this kernel or user cannot create user namespaces (unshare -Ur true failed)"
	fi
}

# busybox_root DIR [SUBDIR...]: a busybox root filesystem in DIR: bin/ with
# busybox and its applets, etc/passwd (root, and user 1000), proc/, dev/,
# tmp/ and the SUBDIRs.
busybox_root () {
	bb_root_=$1
	shift
	for bb_dir_ in bin etc proc dev tmp "$@"; do mkdir -p "$bb_root_/$bb_dir_" || return 1; done &&
	cp "$(command -v busybox)" "$bb_root_/bin/busybox" &&
	for applet in $("$bb_root_/bin/busybox" --list); do
		test "$applet" = busybox || ln -sf busybox "$bb_root_/bin/$applet" || return 1
	done &&
	printf "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/:/bin/sh\n" >"$bb_root_/etc/passwd"
}

# Common prerequisites.
test "$(id -u)" = 0 && test_set_prereq ROOT
test_lazy_prereq BUSYBOX 'test -x /bin/busybox || test -x /usr/bin/busybox'
test_prereq_reason BUSYBOX "busybox-static is not installed (apt-get install busybox-static)"
