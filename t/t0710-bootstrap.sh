#!/bin/sh
test_description='hako bootstrap: what the host gives the runtime, each facility tried, with the fix of what is missing'
. ./test-lib.sh

test_expect_success 'every facility gets a line: ok or MISS, what needs it, the fix when missing' '
	hako bootstrap >out; echo $? >code &&
	head -n 1 out | grep "^what this host gives hako.s runtime (uid [0-9]*, Linux " &&
	for w in "user namespaces" overlay FUSE "subordinate ids" pasta "cgroup limits" busybox
	do
		grep "^\(ok  \|MISS\) $w " out || return 1
	done &&
	test $(grep -c "^     *for " out) = 7 &&
	test $(grep -c "^MISS" out) = $(grep -c "^     *fix: " out)
'

test_expect_success 'the exit status says whether run can work; the last line names its data path' '
	if grep "^ok   user namespaces" out
	then
		test $(cat code) = 0 &&
		tail -n 1 out | grep "^hako run works here; its data path: \(overlay\|FUSE\|--materialize\)"
	else
		test $(cat code) = 1 &&
		tail -n 1 out | grep "^hako run cannot work here"
	fi
'

test_expect_success '-q prints only what is missing' '
	hako bootstrap -q >q; test $? = $(cat code) &&
	! grep "^ok " q &&
	test $(grep -c "^MISS" q) = $(grep -c "^MISS" out)
'

test_expect_success 'inside a workspace, overlay is tried on its filesystem' '
	hako init -q ws &&
	(cd ws && hako bootstrap) >wsout &&
	if grep "^ok   overlay" wsout
	then
		grep "mounts on the workspace.s filesystem" wsout
	else
		grep "^MISS overlay" wsout
	fi
'

test_lazy_prereq AS_USER 'test_have_prereq ROOT && command -v setpriv'
test_expect_success AS_USER 'as a user: a closed /dev/net/tun and /dev/fuse are named with their fix' '
	tun=$(stat -c %a /dev/net/tun) &&
	test_when_finished "chmod $tun /dev/net/tun" &&
	chmod 0600 /dev/net/tun &&
	cp "$HAKO_BUILD_DIR/hako" /tmp/hako-t0710 && chmod 755 /tmp/hako-t0710 &&
	test_when_finished "rm -f /tmp/hako-t0710" &&
	(cd /tmp && setpriv --reuid=65534 --regid=65534 --clear-groups -- /tmp/hako-t0710 bootstrap) >uout &&
	grep "^MISS pasta  *\/dev\/net\/tun is mode 0600, owner uid 0: not readable and writable by uid [1-9]" uout &&
	grep "fix: as root: chmod 0666 /dev/net/tun" uout &&
	! grep "not needed as root" uout
'

test_done
