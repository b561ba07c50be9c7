#!/bin/sh
test_description='the checkout cache of overlay instances (hako cache): shared plain copies, layers of a few changed paths, damage detected and rebuilt, a real rootless overlay mount over it, and the fold of its upper directory'
. ./test-lib.sh

skip_unless_userns mount

test_lazy_prereq ROOT 'test "$(id -u)" = 0'
test_lazy_prereq PYTHON 'command -v python3'

OVOPTS=userxattr,redirect_dir=nofollow,index=off,metacopy=off

# Mount overlay over lowerdir $1 with upper/work directories $2/upper and
# $2/work at $2/mnt in a new user and mount namespace, and run the shell
# commands $3 in the mount; the namespace (and the mount) ends with them.
# (A lowerdir holding ':' would need its escapes removed for ${1%%:*}.)
in_overlay () {
	rm -rf "$2" && mkdir -p "$2/upper" "$2/work" "$2/mnt" &&
	# overlay shows the upper root as the root: it gets the attributes of the top lower root.
	chmod --reference="${1%%:*}" "$2/upper" && touch -r "${1%%:*}" "$2/upper" &&
	unshare -Urm sh -c '
		mount -t overlay hako -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work,$3" "$2/mnt" &&
		cd "$2/mnt" && eval "$4"' - "$1" "$2" "$OVOPTS" "$3"
}

# What a directory holds, for comparing a checkout with an overlay mount:
# path, type, mode, size and content hash of every entry, sorted.
describe () {
	(cd "$1" && find . -mindepth 1 -printf '%P %y %m %s %l\n' | sort &&
	 find . -type f -exec md5sum {} + | sort -k2)
}

# ls-tree -r without modification times (the host copy and the fold made
# their files at other moments).
tree_shape () {
	hako -C ws ls-tree -r "$1" | sed -e "s/ mtime=[0-9.]*//" | grep -v "	\.$"
}

test_expect_success 'setup: a tree with shared contents, a hardlink, a symlink, a fifo, modes and an xattr' '
	hako init -q ws &&
	mkdir -p src/d/e src/keep &&
	echo same >src/a && echo same >src/b && touch -r src/a src/b &&
	echo other >src/c && ln src/c src/c2 &&
	echo deep >src/d/e/f && echo kept >src/keep/k &&
	ln -s a src/lnk && mkfifo src/fifo &&
	chmod 750 src/d && chmod 600 src/keep/k &&
	if setfattr -n user.note -v hi src/c 2>/dev/null; then :; fi &&
	T1=$(hako -C ws write-tree --owners "$PWD/src") &&
	echo $T1 >T1
'

test_expect_success 'prepare writes a full entry and prints its root as the lowerdir' '
	T1=$(cat T1) &&
	hako -C ws cache prepare -v $T1 >lower 2>err &&
	grep "^written: full" err &&
	E1="$PWD/ws/.hako/cache/trees/$T1.$(test "$(id -u)" = 0 && echo owners || echo plain)" &&
	echo "$E1/root" >expect && test_cmp expect lower &&
	hako -C ws cache ls >ls &&
	grep "^$T1\.[a-z]*	full	0	" ls &&
	hako -C ws checkout-tree --owners $T1 "$PWD/co1" 2>/dev/null &&
	describe co1 >expect && describe "$E1/root" >actual && test_cmp expect actual
'

test_expect_success 'a full entry is visible before its sync: its boot and new copies are recorded' '
	E1=$(dirname "$(cat lower)") &&
	tr "\0" "\n" <"$E1/unsynced" >unsynced &&
	echo "boot $(cat /proc/sys/kernel/random/boot_id)" >expect &&
	head -n 1 unsynced >actual && test_cmp expect actual &&
	test $(sed 1d unsynced | wc -l) = 4 &&
	test_must_fail ls ws/.hako/cache/files/*/* 2>/dev/null
'

test_expect_success 'a second prepare uses the entry: nothing written; it syncs it and names its copies' '
	hako -C ws cache prepare -v $(cat T1) >lower2 2>err &&
	echo cached >expect && test_cmp expect err &&
	test_cmp lower lower2 &&
	E1=$(dirname "$(cat lower)") &&
	test_path_is_missing "$E1/unsynced"
'

test_expect_success 'files of equal content and attributes are one plain copy: one inode' '
	R=$(cat lower) &&
	test "$(stat -c %i "$R/a")" = "$(stat -c %i "$R/b")" &&
	test "$(stat -c %i "$R/c")" = "$(stat -c %i "$R/c2")" &&
	test "$(stat -c %i "$R/a")" != "$(stat -c %i "$R/c")" &&
	ls ws/.hako/cache/files/*/* >copies &&
	test_line_count = 4 copies
'

test_expect_success 'a tree one path away is a layer holding that path only, over the cached tree' '
	cp -a src src2 && echo changed >src2/d/e/f &&
	T2=$(hako -C ws write-tree --owners "$PWD/src2") && echo $T2 >T2 &&
	hako -C ws cache prepare -v $T2 >lower 2>err &&
	grep "^written: layer over $(cat T1)\.[a-z]*, 1 new copies" err &&
	top=${PWD}/ws/.hako/cache/trees/$T2 &&
	test "$(head -c ${#top} lower)" = "$top" &&
	L2=$(sed "s/:.*//" lower) &&
	(cd "$L2" && find . -mindepth 1 | sort) >actual &&
	printf "%s\n" ./d ./d/e ./d/e/f >expect &&
	test_cmp expect actual
'

test_expect_success 'the same files in another tree share the plain copies of the cached one' '
	mkdir -p src3/sub && cp -a src/. src3/sub/ &&
	T3=$(hako -C ws write-tree --owners "$PWD/src3") &&
	hako -C ws cache prepare $T3 >lower3 &&
	L3=$(sed "s/:.*//" lower3) && R1=$(sed "s/:.*//" lower) &&
	R1=$(cat lower2) &&
	test "$(stat -c %i "$L3/sub/a")" = "$(stat -c %i "$R1/a")" &&
	test "$(stat -c %i "$L3/sub/c")" = "$(stat -c %i "$R1/c")"
'

test_expect_success 'an overlay over the layered lower shows exactly the tree (deletions and replaced directories too)' '
	cp -a src2 src4 && rm src4/b && rm -r src4/d/e && mkdir src4/d/e && echo new >src4/d/e/g &&
	rm src4/lnk && mkdir src4/lnk && echo x >src4/lnk/x &&
	T4=$(hako -C ws write-tree --owners "$PWD/src4") &&
	hako -C ws cache prepare -v $T4 >lower4 2>err &&
	grep "^written: layer over " err &&
	L4=$(sed "s/:.*//" lower4) &&
	test "$(stat -c %F:%t:%T "$L4/b")" = "character special file:0:0" &&
	getfattr -n user.overlay.opaque --only-values "$L4/lnk" >opaque &&
	printf y >expect && test_cmp expect opaque &&
	in_overlay "$(cat lower4)" "$PWD/ov4" "
		find . -mindepth 1 -printf \"%P %y %m %s %l\n\" | sort &&
		find . -type f -exec md5sum {} + | sort -k2" >actual &&
	hako -C ws checkout-tree --owners $T4 "$PWD/co4" 2>/dev/null &&
	describe co4 >expect &&
	test_cmp expect actual
'

test_expect_success 'a cached file altered behind hako is detected, reported and rebuilt' '
	T1=$(cat T1) && R=$(cat lower2) &&
	echo tampered >>"$R/keep/k" &&
	test_must_fail hako -C ws cache verify >out &&
	grep "^error in cache entry $T1\.[a-z]*: stamps: keep/k: " out &&
	test_must_fail hako -C ws fsck --cache >out &&
	grep "^error in cache entry $T1\.[a-z]*: .*keep/k" out &&
	hako -C ws cache prepare $T1 >lower1 2>err &&
	grep "^warning: cache entry damaged, rebuilt: $T1\.[a-z]*: keep/k: " err &&
	echo kept >expect && test_cmp expect "$(cat lower1)/keep/k" &&
	hako -C ws fsck --cache
'

test_expect_success 'a layer whose base is damaged is rebuilt with it' '
	hako -C ws cache prepare -v $(cat T2) >lower 2>err &&
	grep "^written: layer over $(cat T1)" err &&
	R=$(cat lower1) && chmod 700 "$R/d" &&
	hako -C ws cache prepare $(cat T2) >lower 2>err &&
	grep "^warning: cache entry damaged, rebuilt: .*: d: mode changed" err &&
	hako -C ws fsck --cache
'

test_expect_success 'a full entry written before a restart and never synced is damaged, and rebuilt' '
	hako init -q --empty ws-boot &&
	T=$(hako -C ws-boot write-tree --owners "$PWD/src") &&
	R=$(hako -C ws-boot cache prepare $T) && E=$(dirname "$R") &&
	test_path_is_file "$E/unsynced" &&
	printf "boot 00000000-0000-0000-0000-000000000000\0" >"$E/unsynced" &&
	test_must_fail hako -C ws-boot cache verify >out &&
	grep "^error in cache entry $T\.[a-z]*: written before the system restarted, and never synced" out &&
	hako -C ws-boot cache prepare $T >/dev/null 2>err &&
	grep "^warning: cache entry damaged, rebuilt: $T\.[a-z]*: written before the system restarted" err &&
	hako -C ws-boot cache prepare $T >/dev/null &&
	test_path_is_missing "$E/unsynced" &&
	hako -C ws-boot fsck --cache
'

test_expect_success 'an upper directory written through a real overlay mount folds into the tree the same changes make' '
	T1=$(cat T1) &&
	hako -C ws cache prepare $T1 >lower &&
	in_overlay "$(cat lower)" "$PWD/ov" "
		echo new >new && rm b && mv c2 c3 && mv d d2 && chmod 700 keep &&
		ln a a-link && ln -s d2/e sym && mkfifo p && rm -r keep/k && mkdir keep/k &&
		echo more >>c3
	" &&
	# A hardlinked lower file is copied up alone (index=off): the written
	# name leaves its group.
	cp -a src want && (cd want &&
		echo new >new && rm b && mv c2 c3 && mv d d2 && chmod 700 keep &&
		ln a a-link && ln -s d2/e sym && mkfifo p && rm -r keep/k && mkdir keep/k &&
		cp -a c3 c3.tmp && mv c3.tmp c3 && echo more >>c3) &&
	N=$(hako -C ws cache fold --base $T1 "$PWD/ov/upper") &&
	W=$(hako -C ws write-tree --owners "$PWD/want") &&
	tree_shape $W >expect && tree_shape $N >actual &&
	test_cmp expect actual
'

test_expect_success 'the fold keeps what the command did not change: metadata of untouched and copied-up entries' '
	T1=$(cat T1) &&
	in_overlay "$(cat lower)" "$PWD/ov" "cat a >/dev/null && touch -h -r a a && chmod 644 a" &&
	N=$(hako -C ws cache fold --base $T1 "$PWD/ov/upper") &&
	test "$N" = "$T1" &&
	in_overlay "$(cat lower)" "$PWD/ov" "chmod 640 a" &&
	N=$(hako -C ws cache fold --base $T1 "$PWD/ov/upper") &&
	hako -C ws diff-tree -r $T1 $N >diff &&
	grep "	a$" diff && test_line_count = 1 diff &&
	hako -C ws ls-tree $N a >a.line && grep "^100640 " a.line &&
	hako -C ws ls-tree $T1 a | sed "s/^100644/100640/" >expect &&
	hako -C ws ls-tree $N a | sed "s/ link=[0-9a-f]*//" >actual && test_cmp expect actual
'

test_expect_success 'fold --working moves the working root, onto changes made meanwhile' '
	T1=$(cat T1) &&
	hako -C ws commit-tree -m one $T1 >c1 &&
	hako -C ws reset --hard $(cat c1) >/dev/null &&
	hako -C ws cache prepare $T1 >lower &&
	in_overlay "$(cat lower)" "$PWD/ov" "echo inside >new-inside && rm c2" &&
	echo beside >beside && hako -C ws import "$PWD/beside" / &&
	hako -C ws cache fold --working --base $T1 "$PWD/ov/upper" >published &&
	hako -C ws ls-tree $(cat published) >actual &&
	grep "	new-inside$" actual && grep "	beside$" actual && ! grep "	c2$" actual &&
	hako -C ws status --porcelain >status &&
	grep "new-inside" status && grep "beside" status
'

test_expect_success PYTHON 'a socket made inside is recorded as a socket' '
	echo "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" >mksock.py &&
	in_overlay "$(cat lower)" "$PWD/ov" "python3 \"$PWD/mksock.py\" sock" &&
	N=$(hako -C ws cache fold --base $(cat T1) "$PWD/ov/upper") &&
	hako -C ws ls-tree $N sock >line && grep "^140" line
'

test_expect_success 'an upper directory overlay did not make is refused, naming the path' '
	rm -rf bad && mkdir -p bad/x && setfattr -n user.overlay.redirect -v /d bad/x &&
	test_must_fail hako -C ws cache fold --base $(cat T1) "$PWD/bad" 2>err &&
	grep "^fatal: upper directory: /x: redirected directory" err &&
	rm -rf bad && mkdir -p bad/y && setfattr -n user.overlay.opaque -v z bad/y &&
	test_must_fail hako -C ws cache fold --base $(cat T1) "$PWD/bad" 2>err &&
	grep "^fatal: upper directory: /y: user.overlay.opaque is neither" err &&
	rm -rf bad && mkdir bad && echo x >bad/f && setfattr -n user.overlay.whiteout -v "" bad/f &&
	test_must_fail hako -C ws cache fold --base $(cat T1) "$PWD/bad" 2>err &&
	grep "^fatal: upper directory: /f: xattr whiteout" err
'

test_expect_success 'a tree overlay cannot present is refused' '
	printf "020000 none %064d rdev=0,0\twh\n" 0 >wh.in &&
	W=$(hako -C ws mktree <wh.in) &&
	test_must_fail hako -C ws cache prepare $W 2>err &&
	grep "^fatal: tree $W: /wh: a character device 0:0; overlay cannot present it" err &&
	# Also in a layer over a cached tree, where only the changed paths are looked at.
	{ hako -C ws ls-tree $(cat T1) && printf "020000 none %064d rdev=0,0\tz-wh\n" 0; } >wh2.in &&
	W2=$(hako -C ws mktree <wh2.in) &&
	test_must_fail hako -C ws cache prepare $W2 2>err &&
	grep "^fatal: tree $W2: /z-wh: a character device 0:0; overlay cannot present it" err &&
	hako -C ws cache ls >ls && ! grep "^$W2" ls && ls ws/.hako/cache/tmp >tmp && test_must_be_empty tmp
'

test_expect_success 'probe: overlay works here, and the answer is remembered per host, kernel and user' '
	hako -C ws cache probe >out && echo yes >expect && test_cmp expect out &&
	echo "$(uname -n) $(uname -r) $(id -u) yes" >expect &&
	test_cmp expect ws/.hako/cache/overlay-probe &&
	echo "$(uname -n) $(uname -r) $(id -u) no remembered" >ws/.hako/cache/overlay-probe &&
	test_expect_code 1 hako -C ws cache probe >out &&
	echo "no: remembered" >expect && test_cmp expect out &&
	hako -C ws cache probe --force >out && echo yes >expect && test_cmp expect out &&
	echo "otherhost 0.0 $(id -u) no stale" >ws/.hako/cache/overlay-probe &&
	hako -C ws cache probe >out && echo yes >expect && test_cmp expect out
'

# The entries a cache entry stacks on, itself first.
stack_of () {
	n=$1
	while test "$n" != -; do
		echo "$n" &&
		n=$(hako -C ws cache ls | grep "^$n	" | cut -f7) || return 1
	done
}

test_expect_success 'gc removes the entries of trees no root names, keeping the entries a kept layer stacks on' '
	T2=$(cat T2) &&
	hako -C ws cache prepare $(cat T1) >lower &&
	hako -C ws cache prepare $T2 >lower &&
	mkdir extra && echo e >extra/e &&
	TX=$(hako -C ws write-tree --owners "$PWD/extra") &&
	hako -C ws cache prepare $TX >lowerx &&
	T4=$(hako -C ws write-tree --owners "$PWD/src4") &&
	hako -C ws cache prepare $T4 >lower4 &&
	hako -C ws cache ls >before &&
	test $(wc -l <before) -gt 2 &&
	grep "^$T4\.[a-z]*	layer	" before &&
	hako -C ws commit-tree -m four $T4 >c4 &&
	hako -C ws update-ref refs/heads/four $(cat c4) &&
	hako -C ws gc >/dev/null 2>&1 &&
	# T1 is committed too (the --working test above).
	{ stack_of $(grep "^$T4\." before | cut -f1) &&
	  stack_of $(grep "^$(cat T1)\." before | cut -f1); } | sort -u >expect &&
	test $(wc -l <expect) -ge 2 &&
	test $(wc -l <before) -gt $(wc -l <expect) &&
	hako -C ws cache ls | cut -f1 | sort >actual &&
	test_cmp expect actual
'

test_expect_success 'prune --max-size evicts the least recently used, and unused plain copies go' '
	hako -C ws cache ls >before &&
	hako -C ws cache prune --max-size 1 -v >out &&
	test_line_count = $(wc -l <before) out &&
	grep "^removed .* (size cap)$" out &&
	hako -C ws cache ls >ls && test_must_be_empty ls &&
	find ws/.hako/cache/files -type f >copies && test_must_be_empty copies
'

test_expect_success 'an entry in use is never pruned; a damaged one in use is moved aside until unused' '
	T1=$(cat T1) &&
	hako -C ws cache prepare $T1 >lower &&
	entry=$(dirname "$(cat lower)") &&
	exec 9<"$entry/lock" && flock -s 9 &&
	hako -C ws cache prune --max-size 1 -v >out &&
	test_must_be_empty out &&
	hako -C ws cache ls >ls && test_line_count = 1 ls &&
	chmod 700 "$(cat lower)/d" &&
	hako -C ws cache prepare $T1 >lower2 2>err &&
	grep "^warning: cache entry damaged, rebuilt: $T1\.[a-z]*: d: mode changed" err &&
	test_cmp lower lower2 &&
	ls ws/.hako/cache/tmp >gone && grep "^gone-" gone &&
	hako -C ws cache prune >out &&
	ls ws/.hako/cache/tmp >gone && grep "^gone-" gone &&
	exec 9<&- &&
	hako -C ws cache prune &&
	ls ws/.hako/cache/tmp >gone && ! grep "^gone-" gone &&
	hako -C ws fsck --cache
'

. "$TEST_DIRECTORY/lib-debian.sh"

test_lazy_prereq DEBROOT '
	test "$(id -u)" = 0 && debian_root "$TRASH_DIRECTORY/deb"
'

test_expect_success DEBROOT 'a real distribution: what useradd changes inside the overlay is exactly what it changes in a copy' '
	TD=$(hako -C ws write-tree --owners "$PWD/deb") &&
	hako -C ws cache prepare $TD >lowerd &&
	rm -rf ovd && mkdir -p ovd/upper ovd/work ovd/mnt &&
	top=$(sed "s/:.*//" lowerd) &&
	chmod --reference="$top" ovd/upper && touch -r "$top" ovd/upper &&
	unshare -m sh -c "
		mount -t overlay hako -o \"lowerdir=$(cat lowerd),upperdir=$PWD/ovd/upper,workdir=$PWD/ovd/work,$OVOPTS\" \"$PWD/ovd/mnt\" &&
		chroot \"$PWD/ovd/mnt\" useradd -m alice" &&
	N=$(hako -C ws cache fold --base $TD "$PWD/ovd/upper") &&
	cp -a deb deb2 && chroot deb2 useradd -m alice &&
	W=$(hako -C ws write-tree --owners "$PWD/deb2") &&
	hako -C ws diff-tree -r --name-status $TD $W >expect &&
	hako -C ws diff-tree -r --name-status $TD $N >actual &&
	test_cmp expect actual &&
	grep "home/alice/.profile" actual &&
	hako -C ws ls-tree -r $N home | grep "uid=1000 gid=1000 .*	home/alice/.profile$"
'

test_expect_success DEBROOT 'a prepare killed mid-write leaves no entry, and its leftovers go at the next prepare' '
	TD=$(hako -C ws write-tree --owners "$PWD/deb") &&
	hako -C ws cache prune --max-size 1 &&
	{ hako -C ws cache prepare $TD >/dev/null 2>&1 & pid=$!; } &&
	sleep 0.5 && kill -9 $pid; wait $pid;
	hako -C ws cache ls >ls &&
	if grep "^$TD\\." ls; then
		say "# the prepare ended before the kill"
	else
		ls ws/.hako/cache/tmp >left && grep "^entry-" left
	fi &&
	hako -C ws cache prepare $TD >lower &&
	ls ws/.hako/cache/tmp >left && ! grep -e "^entry-" -e "^copy-" left &&
	hako -C ws fsck --cache
'

. "$TEST_DIRECTORY/lib-run.sh"

test_expect_success ROOT 'an unprivileged user: plain profile, whiteouts in a layer, a real overlay and the fold' '
	make_hakotest && hakotest_dir overlay &&
	as_user ./hako init -q ws &&
	as_user sh -c "mkdir -p src/d && echo one >src/a && echo two >src/d/b && chmod 4755 src/a" &&
	T=$(as_user ./hako -C ws write-tree "$D/src") &&
	as_user sh -c "cp -a src src2 && rm src2/d/b && echo three >src2/c" &&
	T2=$(as_user ./hako -C ws write-tree "$D/src2") &&
	as_user ./hako -C ws cache probe >out && echo yes >expect && test_cmp expect out &&
	as_user ./hako -C ws cache prepare $T >/dev/null &&
	as_user ./hako -C ws cache prepare -v $T2 >lower 2>err &&
	grep "^written: layer" err &&
	grep "\.plain/root:" lower &&
	L=$(sed "s/:.*//" lower) && R=$(sed "s/.*://" lower) &&
	test "$(stat -c %F:%t:%T "$L/d/b")" = "character special file:0:0" &&
	test "$(stat -c %a "$R/a")" = 755 &&
	test "$(stat -c %U "$R/a")" = hakotest &&
	as_user unshare -Urm sh -c "mkdir u w m && mount -t overlay hako -o lowerdir=$(cat lower),upperdir=$D/u,workdir=$D/w,$OVOPTS m && cd m && test ! -e d/b && cat c >/dev/null && echo new >new && chmod 600 a && rm c" &&
	N=$(as_user ./hako -C ws cache fold --base $T2 "$D/u") &&
	as_user ./hako -C ws ls-tree -r $N >actual &&
	grep "^100600 blob [0-9a-f]*	a$" actual &&
	grep "^100644 blob [0-9a-f]* mtime=[0-9.]*	new$" actual &&
	! grep "	c$" actual && ! grep "uid=" actual
'

test_expect_success ROOT 'an entry of another id mapping is left with a warning naming it; root removes it' '
	make_hakotest && hakotest_dir foreign &&
	as_user ./hako init -q ws &&
	as_user sh -c "mkdir src && echo one >src/a" &&
	T=$(as_user ./hako -C ws write-tree "$D/src") &&
	as_user ./hako -C ws cache prepare $T >lower &&
	E=$(dirname "$(cat lower)") &&
	F="${E%.plain}.mapped-0123456789abcdef" &&
	cp -a "$E" "$F" && chown -R 100000:100000 "$F" &&
	as_user ./hako -C ws cache prune -v >out 2>err &&
	test -d "$F" &&
	grep "^warning: cache entry $(basename "$F") was written with another id mapping (an old subordinate range?) and is left: only root can remove it ($F)\$" err &&
	! grep "$(basename "$F")" out &&
	"$D/hako" -C "$D/ws" cache prune -v >out 2>err &&
	test ! -e "$F" && grep "^removed $(basename "$F") " out && ! grep warning err
'

test_done
