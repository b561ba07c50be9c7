#!/bin/sh
test_description='pull: images from a real registry (docker-registry on 127.0.0.1), built with umoci, pushed with skopeo, compared with umoci unpack'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-oci.sh

BUSYBOX=$(command -v busybox)

test_expect_success OCI,BUSYBOX 'setup: a registry and a two-layer image' '
	start_registry reg &&
	R=127.0.0.1:$(cat reg/port) &&
	umoci init --layout img &&
	umoci new --image img:base &&
	umoci unpack --image img:base b1 >/dev/null &&
	mkdir -p b1/rootfs/bin b1/rootfs/etc b1/rootfs/opt/sub b1/rootfs/opt/keep &&
	cp "$BUSYBOX" b1/rootfs/bin/busybox &&
	ln -s busybox b1/rootfs/bin/sh &&
	echo root:x:0:0:root:/root:/bin/sh >b1/rootfs/etc/passwd &&
	echo bye >b1/rootfs/etc/gone &&
	echo old >b1/rootfs/opt/sub/old &&
	echo keep >b1/rootfs/opt/keep/k &&
	setfattr -n user.hako -v yes b1/rootfs/etc/passwd &&
	umoci repack --image img:base b1 >/dev/null &&
	umoci config --image img:base --config.cmd /bin/sh --config.env A=1 \
		--config.workingdir /opt --config.user 0:0 --config.label org.test=1 \
		--config.exposedports 80/tcp >/dev/null &&
	umoci unpack --image img:base b2 >/dev/null &&
	rm b2/rootfs/etc/gone &&
	ln b2/rootfs/bin/busybox b2/rootfs/bin/ls &&
	ln -s ../etc/passwd b2/rootfs/opt/pw &&
	echo s >b2/rootfs/bin/suid && chmod 4755 b2/rootfs/bin/suid &&
	mkfifo b2/rootfs/fifo &&
	echo o >b2/rootfs/etc/owned && chown 1234:4321 b2/rootfs/etc/owned &&
	umoci repack --image img:v2 b2 >/dev/null &&
	# A third layer no umoci diff makes: an opaque directory and a device.
	mktar opq.tar <<-\EOF &&
	d opt/sub
	f opt/sub/.wh..wh..opq
	f opt/sub/new fresh
	c dev/null2 1 3
	EOF
	umoci raw add-layer --image img:v2 --tag v3 opq.tar >/dev/null &&
	push img:base reg test/img:base &&
	push img:v3 reg test/img:v3
'

test_expect_success OCI,BUSYBOX 'pull creates a container with one commit recording the image' '
	hako init -q ws &&
	hako -C ws pull $R/test/img:v3 >out &&
	grep "pull $R/test/img:v3 into img (sha256:" out &&
	grep "^downloaded [0-9]* bytes in 3 layers, stored [0-9]* bytes" out &&
	hako -C ws containers >actual &&
	grep "^  img$" actual &&
	hako -C ws -c img log --oneline >log &&
	test_line_count = 1 log &&
	hako -C ws -c img cat-file -p HEAD >commit &&
	grep "^Image: $R/test/img:v3$" commit &&
	grep "^Image-Digest: sha256:[0-9a-f]\{64\}$" commit &&
	grep "^Image-Platform: linux/" commit &&
	grep "^Image-Layers: 3$" commit &&
	cfg=$(sed -n "s/^Image-Config: //p" commit) &&
	hako -C ws cat-file -p $cfg >config.json &&
	grep "\"Cmd\":\[\"/bin/sh\"\]" config.json &&
	grep "\"WorkingDir\":\"/opt\"" config.json &&
	grep "org.test" config.json &&
	echo "sha256:$(sha256sum <config.json | cut -d" " -f1)" >expect &&
	sed -n "s/^Image-Config-Digest: //p" commit >actual &&
	test_cmp expect actual
'

test_lazy_prereq FUSE '
	test -c /dev/fuse && command -v fusermount3 && unshare -Ur true
'
test_prereq_reason FUSE "FUSE or user namespaces are not available (/dev/fuse, fusermount3 from fuse3, unshare -Ur)"

test_expect_success OCI,BUSYBOX,FUSE 'run on the pulled image uses its Cmd, Env and WorkingDir' '
	hako -C ws run --rm img -- sh -c "echo A=\$A; pwd" >actual &&
	printf "A=1\n/opt\n" >expect &&
	test_cmp expect actual &&
	echo "echo from the image Cmd" | hako -C ws run --rm -i img >actual &&
	echo "from the image Cmd" >expect &&
	test_cmp expect actual &&
	hako -C ws run --rm -e A=2 -w / img -- sh -c "echo A=\$A; pwd" >actual &&
	printf "A=2\n/\n" >expect &&
	test_cmp expect actual
'

test_expect_success OCI,BUSYBOX 'the pulled tree has the layers applied (whiteout, opaque, links)' '
	hako -C ws -c img ls /etc >actual &&
	! grep gone actual &&
	hako -C ws -c img ls /opt/sub >actual &&
	echo "new	5" >expect &&
	grep "^new" actual &&
	! grep old actual &&
	hako -C ws -c img cat /opt/keep/k >actual &&
	echo keep >expect && test_cmp expect actual &&
	hako -C ws -c img ls-tree HEAD bin/ls >actual &&
	grep "link=" actual &&
	hako -C ws -c img ls-tree HEAD bin/suid >actual &&
	grep "^104755 " actual &&
	hako -C ws -c img ls-tree HEAD fifo >actual &&
	grep "^010644 " actual &&
	hako -C ws -c img ls-tree HEAD dev/null2 >actual &&
	grep "^020666 .* rdev=1,3" actual &&
	hako -C ws -c img ls-tree -r --name-only HEAD >actual &&
	! grep "\.wh\." actual
'

test_expect_success OCI,BUSYBOX 'export matches skopeo copy + umoci unpack, path by path' '
	hako -C ws -c img export --owners / ../exported &&
	unpack_ref reg test/img:v3 ref &&
	same_as_umoci exported ref &&
	grep "^dev/null2 chr 0666 0 0 - - - 1:3 " actual &&
	grep "^bin/ls reg 0755 .* bin/busybox$" actual &&
	grep "^bin/suid reg 4755 " actual &&
	grep "^etc/owned reg 0644 1234 4321 " actual &&
	grep "^etc/passwd reg 0644 .* user.hako=796573 " actual
'

test_expect_success OCI,BUSYBOX 'images lists the pull' '
	hako -C ws images --porcelain >actual &&
	d=$(sed -n "s/^Image-Digest: //p" commit) &&
	size=$(sed -n "s/^Image-Size: //p" commit) &&
	printf "img\t%s\t%s\t%s\t%s\t%s\n" "$R/test/img:v3" "$d" "$size" \
		"$(sed -n "s/^Image-Platform: //p" commit)" "$(hako -C ws -c img rev-parse HEAD)" >expect &&
	test_cmp expect actual &&
	hako -C ws images >actual &&
	head -n 1 actual | grep "^CONTAINER  *IMAGE  *DIGEST  *SIZE  *COMMIT$" &&
	grep "^img  *$R/test/img:v3  *sha256:[0-9a-f]\{12\} " actual
'

test_expect_success OCI,BUSYBOX 'a second pull of the same image does nothing' '
	hako -C ws pull $R/test/img:v3 >out &&
	grep "is up to date in container img" out &&
	hako -C ws -c img log --oneline >log &&
	test_line_count = 1 log
'

test_expect_success OCI,BUSYBOX 'pull into an existing container adds a commit; shared files are stored once' '
	hako -C ws pull --as img $R/test/img:base >out &&
	hako -C ws -c img log --oneline >log &&
	test_line_count = 2 log &&
	grep "stored [0-9]* bytes" out &&
	new=$(sed -n "s/.*(\([0-9]*\) new objects.*/\1/p" out) &&
	# Only trees and the config are new: every file is already stored.
	test "$new" -lt 20 &&
	hako -C ws -c img cat /etc/gone >actual &&
	echo bye >expect && test_cmp expect actual &&
	hako -C ws -c img status >actual &&
	grep -i clean actual &&
	hako -C ws images --porcelain >actual &&
	test_line_count = 2 actual
'

test_expect_success OCI,BUSYBOX 'a dirty container is refused before anything is fetched' '
	hako -C ws -c img write /scratch x &&
	test_must_fail hako -C ws pull --as img $R/test/img:v3 2>err &&
	grep "^fatal: pull $R/test/img:v3: container img has uncommitted changes" err &&
	hako -C ws -c img reset --hard HEAD >/dev/null
'

test_expect_success OCI,BUSYBOX 'zstd and uncompressed layers give the same tree as gzip' '
	# skopeo recompresses into a layout (pushing would reuse the gzip
	# blobs); the plain one is pushed verbatim by helpers/ocitool.py.
	skopeo copy -q --dest-compress --dest-compress-format zstd oci:img:v3 oci:zimg:v3 >/dev/null &&
	push zimg:v3 reg test/zstd:v3 &&
	python3 "$TEST_DIRECTORY"/helpers/ocitool.py decompress img v3 v3plain &&
	python3 "$TEST_DIRECTORY"/helpers/ocitool.py push img v3plain $R test/plain:v3 &&
	hako -C ws pull -q $R/test/zstd:v3 &&
	hako -C ws pull -q $R/test/plain:v3 &&
	hako -C ws -c zstd rev-parse HEAD^{tree} >zstd &&
	hako -C ws -c plain rev-parse HEAD^{tree} >plain &&
	hako -C ws -c img rev-parse HEAD~1^{tree} >gzip &&
	test_cmp gzip zstd &&
	test_cmp gzip plain &&
	skopeo inspect --raw --tls-verify=false docker://$R/test/zstd:v3 >m &&
	grep "tar+zstd" m &&
	skopeo inspect --raw --tls-verify=false docker://$R/test/plain:v3 >m &&
	grep "layer.v1.tar\"" m
'

test_expect_success OCI,BUSYBOX 'pull by digest' '
	d=$(sed -n "s/^Image-Digest: //p" commit) &&
	hako -C ws pull -q --as bydigest $R/test/img@$d &&
	hako -C ws -c bydigest cat-file -p HEAD >c &&
	grep "^Image: $R/test/img@$d$" c
'

test_expect_success OCI,BUSYBOX 'gc --prune=now keeps every pulled image config; fsck is clean' '
	hako -C ws images >before &&
	hako -C ws gc --prune=now -q &&
	hako -C ws images >after &&
	test_cmp before after &&
	C=$(hako -C ws -c img cat-file -p HEAD | sed -n "s/^Image-Config: //p") &&
	hako -C ws cat-file -e $C &&
	hako -C ws fsck >out &&
	test_must_be_empty out
'

test_lazy_prereq SCRIPT 'command -v script && script -qec true /dev/null </dev/null'

test_expect_success OCI,BUSYBOX,SCRIPT 'pull on a terminal shows one bar for the layers, one per layer at work; -q none' '
	hako init -q wtty &&
	script -qec "hako -C wtty pull --as t1 $R/test/img:v3" /dev/null </dev/null >raw &&
	tr "\r" "\n" <raw | sed "s/$(printf "\033")\[[0-9;]*[A-Za-z]//g" >out &&
	grep "^Pulling layers: 100% (3/3), done\." out &&
	grep "sha256:[0-9a-f]\{12\} downloading: " out &&
	script -qec "hako -C wtty pull -q --as t2 $R/test/img:v3" /dev/null </dev/null >raw &&
	! grep "Pulling" raw &&
	hako -C wtty pull --as t3 $R/test/img:v3 >out 2>err &&
	! grep "Pulling\|downloading" err
'

test_done
