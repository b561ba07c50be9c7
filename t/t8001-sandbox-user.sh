#!/bin/sh
test_description='unshare-exec and enter: the rootless sandbox, as an unprivileged user'
. ./test-lib.sh

test_have_prereq ROOT || skip_all "creating the unprivileged test user needs root (t8000 already runs as this non-root user)"
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) is missing"

# An unprivileged user of our own; useradd also gives it /etc/subuid ranges.
SB_USER=hakotest
if ! id "$SB_USER" >/dev/null 2>&1; then
	useradd --create-home --shell /bin/sh "$SB_USER" ||
	skip_all "useradd $SB_USER failed"
fi

# Trash directories may sit under an unreadable home (/root): give the user a
# world-traversable directory of its own, with its own copy of the binary.
SB_DIR=$(mktemp -d /tmp/hako-t8001.XXXXXX) || error "mktemp failed"
chmod 755 "$SB_DIR"
SB_WORK=$SB_DIR/work
mkdir "$SB_WORK" && chown "$SB_USER:" "$SB_WORK"
cp "$HAKO_BUILD_DIR/hako" "$SB_DIR/hako" && chmod 755 "$SB_DIR/hako"
SB_HAKO=$SB_DIR/hako
SB_OWNER=$SB_USER:
SB_AS="setpriv --reuid=$SB_USER --regid=$SB_USER --init-groups --"
. "$TEST_DIRECTORY/lib-sandbox.sh"

test_expect_success 'the tested user is not root' '
	test "$($SB_AS id -u)" != 0
'

sandbox_tests

# Rootless pasta needs /dev/net/tun open to the user; hosts that ship it
# 0600 get a message naming the device and the fix, and work once it is 0666.
test_lazy_prereq PASTA_INSTALLED 'command -v pasta'
test_expect_success USERNS,PASTA_INSTALLED '--net pasta as a user: a closed /dev/net/tun is named; an open one works' '
	mode=$(stat -c %a /dev/net/tun) &&
	test_when_finished "chmod $mode /dev/net/tun" &&
	chmod 0600 /dev/net/tun &&
	test_expect_code 125 $SB_AS "$SB_HAKO" unshare-exec --net pasta "$ROOTFS" true 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: --net pasta: /dev/net/tun is mode 0600, owner uid 0, not readable and writable by uid [0-9]*: .*chmod 0666 /dev/net/tun" err &&
	chmod 0666 /dev/net/tun &&
	$SB_AS "$SB_HAKO" unshare-exec --net pasta "$ROOTFS" sh -c "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d \" \"" >out 2>err &&
	grep -v "^lo$" out
'

test_expect_success 'cleanup: remove the user'"'"'s directory' '
	rm -rf "$SB_DIR"
'

test_done
