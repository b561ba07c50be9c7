#!/bin/sh
test_description='unshare-exec in a Debian root: apt-get update (setgroups, setuid to _apt), as root and as a user'
. ./test-lib.sh

# A real distribution root is the one way to know apt works: it calls
# setgroups and switches to its _apt user (uid 42) before fetching.
test_have_prereq ROOT || skip_all "debootstrap and the test user need root"
unshare -Ur true 2>/dev/null || skip_all "this kernel cannot create user namespaces (unshare -Ur true failed)"

# Outside the trash directory: the unprivileged user must reach it.
DEB_DIR=$(mktemp -d /tmp/hako-t8002.XXXXXX) || error "mktemp failed"
chmod 755 "$DEB_DIR"
DEB=$DEB_DIR/debian
. "$TEST_DIRECTORY/lib-debian.sh"
if ! debian_root "$DEB"; then
	rm -rf "$DEB_DIR"
	skip_all "$debian_why"
fi

test_expect_success 'as root, apt-get update works (--keep-cap for apt, --net host)' '
	hako unshare-exec --pids-limit 0 --keep-cap --net host "$DEB" apt-get update >out 2>err &&
	grep "^Reading package lists" out &&
	! grep "^[EW]:" err
'

test_expect_success 'as root, the sandbox can switch to _apt (setgroups, setresgid, setresuid)' '
	hako unshare-exec --pids-limit 0 --keep-cap "$DEB" setpriv --reuid=_apt --regid=nogroup --init-groups id >out &&
	echo "uid=42(_apt) gid=65534(nogroup) groups=65534(nogroup)" >expect &&
	test_cmp expect out
'

test_lazy_prereq FUSE '
	test -c /dev/fuse && command -v fusermount3
'
test_prereq_reason FUSE "FUSE is not available (/dev/fuse or fusermount3, apt-get install fuse3)"

test_expect_success FUSE 'hako run in a container imported from the Debian root: dpkg -l and apt-get --version' '
	hako init -q --empty dws &&
	hako -C dws import --owners "$DEB" / &&
	hako -C dws commit -q -m "debian minbase" &&
	hako -C dws run --rm -- dpkg -l >out &&
	grep "^ii  apt " out &&
	hako -C dws run --rm -- apt-get --version >out &&
	grep "^apt " out &&
	hako -C dws status --porcelain >actual && test_must_be_empty actual
'

SB_USER=hakotest
if id "$SB_USER" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$SB_USER" >/dev/null 2>&1; then
	test_set_prereq TEST_USER
fi
# The user gets its own copy of the binary (the build directory may be unreadable to it).
cp "$HAKO_BUILD_DIR/hako" "$DEB_DIR/hako" && chmod 755 "$DEB_DIR/hako"
test_prereq_reason TEST_USER "cannot create the unprivileged user $SB_USER (useradd)"

test_lazy_prereq USER_SUBUID '
	grep -q "^$SB_USER:" /etc/subuid && grep -q "^$SB_USER:" /etc/subgid &&
	command -v newuidmap && command -v newgidmap
'
test_prereq_reason USER_SUBUID "no /etc/subuid and /etc/subgid range for $SB_USER, or no newuidmap (uidmap)"

test_expect_success TEST_USER,USER_SUBUID 'as a user, with --map-users, apt-get update works in a root the user owns' '
	chown -R "$SB_USER:" "$DEB" &&
	setpriv --reuid=$SB_USER --regid=$SB_USER --init-groups -- \
		"$DEB_DIR/hako" unshare-exec --pids-limit 0 --map-users --keep-cap --net host "$DEB" \
		sh -c "apt-get update && setpriv --reuid=_apt --regid=nogroup --init-groups id" >out 2>err &&
	grep "^Reading package lists" out &&
	grep "^uid=42(_apt) gid=65534(nogroup)" out &&
	! grep "^[EW]:" err
'

test_expect_success TEST_USER 'as a user without --map-users, only one id is mapped: apt cannot drop to _apt' '
	test_must_fail setpriv --reuid=$SB_USER --regid=$SB_USER --init-groups -- \
		"$DEB_DIR/hako" unshare-exec --pids-limit 0 --keep-cap "$DEB" \
		sh -c "cat /proc/self/setgroups; setpriv --reuid=_apt --regid=nogroup --init-groups id || exit 1" >out 2>err &&
	echo deny >expect && test_cmp expect out &&
	grep -E "setpriv: (setgroups|setresuid|setresgid) failed" err
'

test_expect_success 'cleanup: remove the Debian root' '
	rm -rf "$DEB_DIR"
'

test_done
