#!/bin/sh
test_description='a Debian image as its users run it: debootstrap, umoci, a loopback registry, pull, run, dpkg and apt, commit, apply, re-pull, merge'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-oci.sh
. "$TEST_DIRECTORY"/lib-debian.sh
. "$TEST_DIRECTORY"/lib-run.sh

test_have_prereq ROOT || skip_all "needs root (debootstrap, a registry, FUSE)"
test_have_prereq REGISTRY || skip_all "docker-registry is not installed (apt-get install docker-registry)"
test_have_prereq UMOCI || skip_all "umoci and skopeo are not installed (apt-get install umoci skopeo)"
if ! test -c /dev/fuse || ! command -v fusermount3 >/dev/null 2>&1; then
	skip_all "FUSE is not available here (/dev/fuse, fusermount3 from fuse3)"
fi
command -v dpkg-deb >/dev/null 2>&1 || skip_all "dpkg-deb is missing (a package to install is built with it)"
debian_root deb-rootfs || skip_all "$debian_why"

# apt-get over the network, when the Debian mirror answers from inside.
test_lazy_prereq APT_NET '
	hako -C "$TRASH_DIRECTORY/ws" run --rm --net host deb -- apt-get update >apt.out 2>&1 &&
	! grep "^[EW]:" apt.out
'
test_prereq_reason APT_NET "apt-get update inside the container failed (no route to the Debian mirror?)"

test_expect_success 'setup: the root packed by umoci, pushed to a loopback registry, pulled by hako' '
	start_registry reg &&
	R=127.0.0.1:$(cat reg/port) &&
	umoci init --layout img &&
	umoci new --image img:deb &&
	umoci unpack --image img:deb b >/dev/null &&
	rm -rf b/rootfs && mv deb-rootfs b/rootfs &&
	rm -rf b/rootfs/var/cache/apt/archives/*.deb b/rootfs/var/lib/apt/lists/* &&
	umoci repack --image img:deb b >/dev/null &&
	umoci config --image img:deb --config.cmd /bin/bash \
		--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin >/dev/null &&
	rm -rf b &&
	push img:deb reg t/deb:stable &&
	hako init -q ws &&
	hako -C ws pull -q --as deb $R/t/deb:stable &&
	hako -C ws -c deb cat /etc/debian_version >v &&
	test -s v
'

test_expect_success '/bin/sh through the usr-merge symlink, with FUSE and --materialize' '
	hako -C ws run --rm deb -- /bin/sh -c "echo ok" >out &&
	echo ok >expect && test_cmp expect out &&
	hako -C ws run --rm --materialize deb -- /bin/sh -c "echo ok" >out &&
	test_cmp expect out
'

test_expect_success 'the image'"'"'s default command (/bin/bash) starts' '
	echo "echo \$BASH_VERSION" | hako -C ws run --rm -i deb >out &&
	grep "^[0-9]" out
'

test_expect_success 'a missing command: 127, named' '
	test_expect_code 127 hako -C ws run --rm deb -- nosuchcmd 2>err &&
	grep "^fatal: nosuchcmd: command not found$" err
'

test_expect_success 'sed -i keeps the mode (inside, and committed)' '
	hako -C ws run deb -- sh -c "chmod 644 /etc/hostname && sed -i s/^/x/ /etc/hostname && stat -c %a /etc/hostname" >out &&
	echo 644 >expect && test_cmp expect out &&
	hako -C ws -c deb ls -l /etc/hostname >ls.out &&
	grep "^100644 .* hostname$" ls.out &&
	hako -C ws -c deb commit -q -m "hostname"
'

test_expect_success 'dpkg -i installs a package as the container'"'"'s root (chown, setgid: the default capabilities)' '
	mkdir -p pkg/DEBIAN pkg/usr/bin &&
	printf "Package: hako-hello\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.com>\nDescription: test\n" >pkg/DEBIAN/control &&
	printf "#!/bin/sh\necho hello from a package\n" >pkg/usr/bin/hako-hello &&
	chmod 755 pkg/usr/bin/hako-hello &&
	dpkg-deb --root-owner-group --build pkg hako-hello.deb >/dev/null &&
	hako -C ws run --bind "$PWD/hako-hello.deb:/tmp/p.deb" deb -- dpkg -i /tmp/p.deb >out 2>&1 &&
	hako -C ws run --rm deb -- hako-hello >out &&
	echo "hello from a package" >expect && test_cmp expect out &&
	hako -C ws -c deb commit -q -m "hako-hello"
'

test_expect_success APT_NET 'apt-get install from the mirror (apt drops to _apt with setgroups)' '
	hako -C ws run --net host deb -- sh -c "apt-get update && apt-get install -y --no-install-recommends hello" >out 2>err &&
	! grep "^E:" err &&
	hako -C ws run --rm deb -- hello >out &&
	echo "Hello, world!" >expect && test_cmp expect out &&
	hako -C ws -c deb commit -q -m "hello"
'

test_lazy_prereq USER_NS '
	make_hakotest && D=$(mktemp -d /tmp/hako-prereq.XXXXXX) && chmod 755 "$D" &&
	as_user unshare -Urm true; r=$?; rm -rf "$D"; test $r = 0
'

test_expect_success USER_NS,HAKOTEST_SUBUID 'as a user with --map-users on overlay: dpkg -i installs, owners of the image kept (apt-get too, with the mirror)' '
	hakotest_dir t8003 &&
	cp hako-hello.deb "$D/" && chown hakotest: "$D/hako-hello.deb" &&
	as_user ./hako init -q ws &&
	as_user ./hako -C ws pull -q --as deb $R/t/deb:stable &&
	as_user ./hako -C ws run --map-users --bind "$D/hako-hello.deb:/tmp/p.deb" deb -- dpkg -i /tmp/p.deb >out 2>err &&
	test_must_be_empty err &&
	as_user ./hako -C ws ps -a --json >json && grep "\"fs\": \"overlay\"" json &&
	as_user ./hako -C ws run --map-users --rm deb -- hako-hello >out &&
	echo "hello from a package" >expect && test_cmp expect out &&
	as_user ./hako -C ws -c deb ls -l /var/lib/dpkg/info/hako-hello.list >ls.out &&
	grep "^100644 " ls.out && ! grep "uid=" ls.out &&
	as_user ./hako -C ws run --map-users --rm deb -- stat -c "%u:%g %a" /etc/shadow /usr/bin/chage >out &&
	printf "0:42 640\n0:42 2755\n" >expect && test_cmp expect out &&
	if test_have_prereq APT_NET
	then
		as_user ./hako -C ws run --map-users --net host deb -- sh -c "apt-get update && apt-get install -y --no-install-recommends hello" >out 2>err &&
		! grep "^E:" err &&
		as_user ./hako -C ws run --map-users --rm deb -- hello >out &&
		echo "Hello, world!" >expect && test_cmp expect out
	fi &&
	as_user ./hako -C ws -c deb commit -q -m user-hello &&
	find "$D/ws/.hako" -path "$D/ws/.hako/cache" -prune -o ! -user hakotest -print >left &&
	test_must_be_empty left
'

test_expect_success 'a re-pull of the same image keeps the work and downloads nothing' '
	hako -C ws -c deb rev-parse HEAD >before &&
	hako -C ws pull --as deb $R/t/deb:stable >out &&
	grep "is up to date in container deb" out &&
	hako -C ws -c deb rev-parse HEAD >after &&
	test_cmp before after &&
	hako -C ws -c deb cat /usr/bin/hako-hello >/dev/null
'

test_expect_success 'apply builds on the image, one commit per step, no instance left' '
	mkdir proj &&
	cat >proj/hako.toml <<-EOF &&
	image = "$R/t/deb:stable"
	name = "built"
	setup = ["echo one >/etc/step1", "dpkg -l | grep -c ^ii >/etc/pkgcount"]
	EOF
	(cd proj && hako -C ../ws apply -f "$PWD/hako.toml") 2>err &&
	hako -C ws -c built cat /etc/step1 >out &&
	echo one >expect && test_cmp expect out &&
	test "$(hako -C ws -c built cat /etc/pkgcount)" -gt 50 &&
	hako -C ws -c built log --oneline >log &&
	test_line_count = 3 log &&
	hako -C ws ps -a >ps.out &&
	! grep " built " ps.out
'

test_expect_success 'two branches that each wrote a file under /etc merge without a conflict' '
	hako -C ws -c deb branch other &&
	hako -C ws run deb -- sh -c "echo a >/etc/a.conf" &&
	hako -C ws -c deb commit -q -m a &&
	hako -C ws -c deb checkout other &&
	hako -C ws run deb -- sh -c "echo b >/etc/b.conf" &&
	hako -C ws -c deb commit -q -m b &&
	hako -C ws -c deb checkout main &&
	hako -C ws -c deb merge -m both other >out 2>&1 &&
	! grep -i conflict out &&
	test "$(hako -C ws -c deb cat /etc/a.conf)" = a &&
	test "$(hako -C ws -c deb cat /etc/b.conf)" = b
'

test_done
