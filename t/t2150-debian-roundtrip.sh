#!/bin/sh
test_description='a Debian minbase root round-trips exactly: write-tree/checkout-tree and import/export'
. ./test-lib.sh

# One debootstrap per run, into the trash directory; HAKO_TEST_DEBROOT_CACHE
# names a tarball to use instead (created from this run's root when missing).
# Every comparison is a listing by helpers/fslist.py of every path: type,
# mode, uid, gid, size, sha256, symlink target, rdev, xattrs, hardlink group
# and mtime.
. "$TEST_DIRECTORY/lib-debian.sh"
TAR="tar --xattrs --xattrs-include=* --numeric-owner"

make_debroot () {
	if test -n "$HAKO_TEST_DEBROOT_CACHE" && test -f "$HAKO_TEST_DEBROOT_CACHE"; then
		mkdir deb && $TAR -xpf "$HAKO_TEST_DEBROOT_CACHE" -C deb ||
			{ why="cannot extract $HAKO_TEST_DEBROOT_CACHE"; return 1; }
		say "# Debian root from the cache $HAKO_TEST_DEBROOT_CACHE"
		return 0
	fi
	if ! test_have_prereq ROOT; then
		why="debootstrap needs root"; return 1
	fi
	start=$(date +%s)
	debian_root deb || { why=$debian_why; return 1; }
	say "# the Debian root (debootstrap, or its copy) took $(($(date +%s) - start)) s"
	if test -n "$HAKO_TEST_DEBROOT_CACHE"; then
		$TAR -cpf "$HAKO_TEST_DEBROOT_CACHE.tmp" -C deb . &&
		mv "$HAKO_TEST_DEBROOT_CACHE.tmp" "$HAKO_TEST_DEBROOT_CACHE"
	fi
	return 0
}

why=
if test_have_prereq ROOT && make_debroot; then
	test_set_prereq DEBROOT
else
	test_prereq_reason DEBROOT "${why:-needs root}"
fi

fslist () {
	python3 "$TEST_DIRECTORY"/helpers/fslist.py --mtime "$1"
}

test_expect_success DEBROOT 'setup: the root, plus xattrs on a file, a directory and a symlink' '
	# A minbase root carries no xattrs; add some so that the comparison covers them.
	setfattr -n user.hako -v file deb/etc/hostname &&
	setfattr -n trusted.hako -v dir deb/etc &&
	setfattr -h -n trusted.hako -v link deb/bin &&
	fslist deb >deb.list &&
	say "# $(wc -l <deb.list) paths"
'

test_expect_success DEBROOT 'the root has what the comparison must cover' '
	grep -q "^\. dir " deb.list &&
	grep -q "^bin lnk 0777 0 0 7 - usr/bin - trusted.hako=6c696e6b " deb.list &&
	grep -q " chr 0666 0 0 - - - 1:3 " deb.list &&
	grep -q "^usr/bin/su reg 4755 " deb.list &&
	grep -q " reg 2755 0 42 " deb.list &&
	awk "\$11 != \"-\"" deb.list >links &&
	test $(wc -l <links) -ge 2
'

test_expect_success DEBROOT 'write-tree --owners then checkout-tree --owners: no difference' '
	hako init -q --empty ws &&
	T=$(hako -C ws write-tree --owners ../deb) &&
	hako -C ws checkout-tree --owners $T ../out &&
	fslist out >out.list &&
	test_cmp deb.list out.list &&
	test "$(hako -C ws write-tree --owners ../out)" = "$T"
'

test_expect_success DEBROOT 'import --owners DIR / then export --owners /: no difference' '
	hako -C ws import --owners ../deb / &&
	hako -C ws export --owners / ../exported &&
	fslist exported >exported.list &&
	test_cmp deb.list exported.list &&
	test "$(hako -C ws rev-parse WORKING)" = "$(hako -C ws write-tree --owners ../deb)"
'

test_expect_success DEBROOT 'import --owners DIR /sub then export --owners /sub: no difference' '
	hako -C ws import --owners ../deb /srv/deb &&
	hako -C ws export --owners /srv/deb ../sub &&
	fslist sub >sub.list &&
	test_cmp deb.list sub.list
'

test_expect_success DEBROOT 'a commit of the root checks out with no difference' '
	hako -C ws import --owners ../deb / &&
	hako -C ws commit -q -m debian &&
	hako -C ws checkout-tree --owners HEAD ../committed &&
	fslist committed >committed.list &&
	test_cmp deb.list committed.list
'

test_done
