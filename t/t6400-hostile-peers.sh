#!/bin/sh
test_description='hostile peers (issue 27): packs and loose objects declaring huge objects, deep trees, mistyped entries and refs, endless streams; every one is refused with a fatal or an ng, in bounded memory'
. ./test-lib.sh

HOSTILE="python3 $TEST_DIRECTORY/helpers/hostile.py"
TRASH=$(pwd)
export TRASH

# A stand-in for ssh: ignore the host and the remote command and be the
# hostile upload-pack that HOSTILE_MODE describes.
write_script fake-ssh <<EOF
exec $HOSTILE upload-pack \$HOSTILE_MODE
EOF
HAKO_SSH="$TRASH/fake-ssh"
export HAKO_SSH

# rss_below KB FILE: the peak memory /usr/bin/time wrote to FILE is under KB.
rss_below () {
	rss=$(tail -n 1 "$2") &&
	test "$rss" -lt "$1" || {
		echo "max RSS $rss KB, cap $1 KB"
		return 1
	}
}
CAP=262144

test_lazy_prereq TIME '/usr/bin/time -f %M -o /dev/null true'

test_expect_success 'setup: a pack declaring a 4 GiB blob in a 128 KiB zstd frame' '
	$HOSTILE huge-pack 4294967296 huge.pack &&
	test $(wc -c <huge.pack) -lt 200000 &&
	hako init -q ws
'

test_expect_success TIME 'index-pack refuses a record over the object size limit, in bounded memory' '
	test_must_fail /usr/bin/time -f %M -o rss hako -C ws index-pack "$TRASH/huge.pack" 2>err &&
	grep "^fatal: .*declares 4294967296 bytes, over the 64 MiB limit of one object" err &&
	rss_below $CAP rss &&
	ls ws/.hako/objects/pack >packs &&
	test_must_be_empty packs
'

test_expect_success TIME 'receive-pack refuses a pushed huge declaration, in bounded memory' '
	HOSTILE_RSS=$TRASH/rss $HOSTILE push ws containers/default/refs/heads/x \
		$(printf "%064d" 1) huge.pack >report &&
	grep "^unpack .*over the 64 MiB limit" report &&
	grep "^ng containers/default/refs/heads/x unpacker error" report &&
	rss_below $CAP rss &&
	test_must_fail hako -C ws rev-parse --verify refs/heads/x
'

test_expect_success TIME 'a fetching client refuses a huge declaration, in bounded memory' '
	HOSTILE_MODE="pack huge.pack $(printf "%064d" 1)" \
	test_must_fail /usr/bin/time -f %M -o rss hako clone -q host:/x cl 2>err &&
	grep "over the 64 MiB limit" err &&
	rss_below $CAP rss
'

test_expect_success TIME 'a loose object declaring 4 GiB is corrupt, never allocated' '
	id=$($HOSTILE loose-huge 4294967296 ws/.hako/objects) &&
	test_must_fail /usr/bin/time -f %M -o rss hako -C ws cat-file -p $id 2>err &&
	grep "^fatal: corrupt object $id.*over the 64 MiB limit" err &&
	rss_below $CAP rss &&
	test_must_fail /usr/bin/time -f %M -o rss hako -C ws fsck >out 2>&1 &&
	grep "$id" out &&
	rss_below $CAP rss &&
	rm -r ws/.hako/objects/${id%${id#??}}
'

test_expect_success 'hash-object -w refuses a blob over the limit and points to -t file' '
	head -c 67108865 /dev/zero >big &&
	test_must_fail hako -C ws hash-object -w "$TRASH/big" 2>err &&
	grep "^fatal: blob of 67108865 bytes is over the 64 MiB limit of one object (store a large file with -t file)" err &&
	hako -C ws hash-object -w -t file "$TRASH/big" >id &&
	hako -C ws cat-file -p $(cat id) | cmp - big &&
	rm big
'

# Deep trees (item 2).

test_expect_success 'setup: packs of 2047, 2048 and 20000 nested directories' '
	$HOSTILE deep-pack 2047 limit.pack >limit.id &&
	$HOSTILE deep-pack 2048 over.pack >over.id &&
	$HOSTILE deep-pack 20000 deep.pack >deep.id
'

test_expect_success TIME 'receive-pack refuses a tree nested deeper than 2048 levels' '
	HOSTILE_RSS=$TRASH/rss $HOSTILE push ws containers/default/refs/heads/deep \
		$(cat deep.id) deep.pack >report &&
	grep "^unpack ok" report &&
	grep "^ng containers/default/refs/heads/deep invalid objects (tree [0-9a-f]* nests directories deeper than the limit of 2048)" report &&
	rss_below $CAP rss &&
	$HOSTILE push ws containers/default/refs/heads/over $(cat over.id) over.pack >report &&
	grep "^ng containers/default/refs/heads/over invalid objects (tree .* deeper than the limit of 2048)" report &&
	test_must_fail hako -C ws rev-parse --verify refs/heads/over &&
	$HOSTILE push ws containers/default/refs/heads/limit $(cat limit.id) limit.pack >report &&
	grep "^ok containers/default/refs/heads/limit" report &&
	hako -C ws rev-parse --verify refs/heads/limit
'

test_expect_success TIME 'a fetching client refuses a tree nested deeper than 2048 levels' '
	HOSTILE_MODE="pack deep.pack $(cat deep.id)" \
	test_must_fail /usr/bin/time -f %M -o rss hako clone -q host:/x deepclone 2>err &&
	grep "^fatal: .*tree [0-9a-f]* nests directories deeper than the limit of 2048" err &&
	rss_below $CAP rss &&
	test_path_is_missing deepclone/.hako/containers/default/refs/heads/main
'

test_expect_success 'setup: a local store holding a tree 20000 directories deep' '
	hako init -q local &&
	hako -C local index-pack "$TRASH/deep.pack" &&
	hako -C local update-ref refs/heads/main $(cat deep.id)
'

test_expect_success 'every walk of the deep tree keeps its own stack' '
	hako -C local ls-tree -r HEAD >out &&
	test_line_count = 1 out &&
	grep "	d/d/d/.*/d/f$" out &&
	hako -C local diff-tree -r 6237ea26bd7273588101502f70eecddcdabeaf25f9fa0cd309d4288edc785a55 HEAD >out &&
	test_line_count = 1 out &&
	hako -C local log -p >out &&
	grep "^+bottom" out &&
	hako -C local tree -L 3 / >out &&
	grep "directories" out &&
	hako -C local pack-objects --revs "$TRASH/revs" <<-EOF &&
	HEAD
	EOF
	hako -C local repack &&
	hako -C local gc &&
	hako -C local fsck &&
	hako -C local ls-tree -r HEAD >out &&
	test_line_count = 1 out
'

# deep_merge_packs N: base, ours and theirs N directories deep, each side
# changing another line of the file at the bottom, stored in "local".
deep_merge_packs () {
	$HOSTILE deep-pack $1 base$1.pack "a\\nb\\nc\\n" >base$1.id &&
	$HOSTILE deep-pack $1 ours$1.pack "A\\nb\\nc\\n" >ours$1.id &&
	$HOSTILE deep-pack $1 theirs$1.pack "a\\nb\\nC\\n" >theirs$1.id &&
	for p in base ours theirs; do
		hako -C local index-pack "$TRASH/$p$1.pack" >/dev/null || return 1
	done
}

test_expect_success 'a merge walks a tree nested to the limit and refuses one deeper, without overflowing' '
	deep_merge_packs 2047 &&
	hako -C local merge-tree --write-tree $(cat base2047.id) $(cat ours2047.id) $(cat theirs2047.id) >merged &&
	hako -C local ls-tree -r $(head -n 1 merged) >out &&
	test_line_count = 1 out &&
	printf "A\nb\nC\n" >expect &&
	hako -C local cat-file blob $(cut -f1 out | cut -d" " -f3) >actual &&
	test_cmp expect actual &&
	deep_merge_packs 20000 &&
	test_must_fail hako -C local merge-tree --write-tree $(cat base20000.id) $(cat ours20000.id) $(cat theirs20000.id) 2>err &&
	grep "^fatal: .*deeper than the limit of 2048" err &&
	! grep -i "overflow" err
'

test_expect_success 'cloning the deep tree: the server walks it, the client refuses it' '
	test_must_fail hako clone -q local deeplocal 2>err &&
	grep "^fatal: .*deeper than the limit of 2048" err &&
	! grep -i "overflow" err
'

# Entry types and ref types (items 8 and 9).

test_expect_success 'setup: mistyped packs' '
	$HOSTILE typed-pack commit-as-file asfile.pack >asfile.ids &&
	$HOSTILE typed-pack tree-as-link aslink.pack >aslink.ids &&
	$HOSTILE typed-pack tree-branch treebranch.pack >treebranch.ids &&
	$HOSTILE typed-pack blob-tag blobtag.pack >blobtag.ids
'

# push_refused REF KIND NAME MESSAGE: receive-pack of ws, sent NAME.pack with
# its object of KIND (from NAME.ids) as the new value of REF, refuses REF
# with MESSAGE (a grep pattern).
push_refused () {
	$HOSTILE push ws containers/default/refs/$1 \
		$(awk "/^$2/ {print \$2}" $3.ids) $3.pack >report &&
	grep "^ng containers/default/refs/$1 $4" report
}

test_expect_success 'receive-pack checks every entry type against its mode' '
	push_refused heads/asfile commit asfile \
		"invalid objects ([0-9a-f]* is a commit, not a blob or file)" &&
	push_refused heads/aslink commit aslink \
		"invalid objects ([0-9a-f]* is a tree, not a blob)" &&
	test_must_fail hako -C ws rev-parse --verify refs/heads/asfile
'

test_expect_success 'receive-pack refuses a branch that is not a commit and a tag that is neither commit nor tag' '
	push_refused heads/t tree treebranch "not a commit$" &&
	push_refused tags/b blob blobtag "not a commit or tag$" &&
	test_must_fail hako -C ws rev-parse --verify refs/heads/t
'

test_expect_success 'a fetching client checks entry types and refuses a branch naming a tree' '
	HOSTILE_MODE="pack asfile.pack $(awk "/^commit/ {print \$2}" asfile.ids)" \
	test_must_fail hako clone -q host:/x typed1 2>err &&
	grep "^fatal: .*is a commit, not a blob or file" err &&
	HOSTILE_MODE="pack treebranch.pack $(awk "/^tree/ {print \$2}" treebranch.ids)" \
	test_must_fail hako clone -q host:/x typed2 2>err &&
	grep "^fatal: .*is a tree, not a commit" err &&
	test_path_is_missing typed2/.hako/containers/default/refs/heads/main
'

test_expect_success 'fsck reports mistyped entries and refs' '
	hako init -q typed &&
	hako -C typed index-pack "$TRASH/asfile.pack" &&
	hako -C typed index-pack "$TRASH/treebranch.pack" &&
	hako -C typed update-ref refs/heads/main $(awk "/^commit/ {print \$2}" asfile.ids) &&
	tree=$(awk "/^tree/ {print \$2}" treebranch.ids) &&
	echo $tree >typed/.hako/containers/default/refs/heads/t &&
	test_must_fail hako -C typed fsck >out &&
	grep "^error in tree [0-9a-f]*: [0-9a-f]* is a commit, not a blob or file" out &&
	grep "^error in default:refs/heads/t: $tree is a tree, not a commit" out
'

# start_http: a python http.server on 127.0.0.1 serving the trash directory;
# sets $port.
start_http () {
	port=$(test_free_port) || return 1
	python3 -m http.server --bind 127.0.0.1 $port >http.log 2>&1 &
	http_pid=$!
	test_when_finished "kill $http_pid"
	python3 -c "
import socket, sys, time
for i in range(100):
    try:
        socket.create_connection(('127.0.0.1', $port))
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)"
}

test_expect_success 'a dumb-HTTP fetch checks entry types and ref types too' '
	start_http &&
	hako init -q dumbtyped &&
	hako -C dumbtyped index-pack "$TRASH/asfile.pack" &&
	hako -C dumbtyped update-ref refs/heads/main $(awk "/^commit/ {print \$2}" asfile.ids) &&
	hako -C dumbtyped update-server-info &&
	test_must_fail hako clone -q http://127.0.0.1:$port/dumbtyped dumb1 2>err &&
	grep "^fatal: .*is a commit, not a blob or file" err &&
	hako init -q dumbtree &&
	hako -C dumbtree index-pack "$TRASH/treebranch.pack" &&
	echo $(awk "/^tree/ {print \$2}" treebranch.ids) >dumbtree/.hako/containers/default/refs/heads/main &&
	hako -C dumbtree update-server-info &&
	test_must_fail hako clone -q http://127.0.0.1:$port/dumbtree dumb2 2>err &&
	grep "^fatal: .*is a tree, not a commit" err
'

# Streams without end (item 6).

# no_spool WS: no temporary pack is left in WS's store (if WS is left).
no_spool () {
	! test -d "$1" || {
		find "$1/.hako/objects" -name "tmp_*" >spool &&
		test_must_be_empty spool
	}
}

test_expect_success TIME 'a fetched pack that never ends stops at its declared count and trailer' '
	HOSTILE_MODE=endless-pack \
	test_must_fail /usr/bin/time -f %M -o rss timeout 60 hako clone -q host:/x endless 2>err &&
	grep "^fatal: .*bad pack: data after the trailer" err &&
	rss_below $CAP rss &&
	no_spool endless
'

test_expect_success TIME 'a pushed pack that never ends stops at its declared count and trailer' '
	HOSTILE_RSS=$TRASH/rss timeout 60 $HOSTILE push ws containers/default/refs/heads/e $(printf "%064d" 2) endless >report &&
	grep "^unpack bad pack: data after the trailer" report &&
	grep "^ng containers/default/refs/heads/e unpacker error" report &&
	rss_below $CAP rss &&
	no_spool ws
'

# The compact stream (pack version 3): each hostile case has valid framing
# and a valid trailer, so it is the decoder's checks that refuse it.
test_expect_success 'a hostile compact stream is refused by index-pack with one fatal line, nothing stored' '
	hako init -q --empty cws &&
	while read case why; do
		$HOSTILE compact-pack $case c-$case.pack &&
		test_must_fail hako -C cws index-pack --fix-thin "$TRASH/c-$case.pack" 2>err &&
		test_line_count = 1 err &&
		grep "^fatal: .*bad pack: .*$why" err &&
		ls cws/.hako/objects/pack >packs &&
		test_must_be_empty packs || return 1
	done <<-\EOF
	huge record declares 4294967296 bytes, over the 64 MiB limit
	copy-past a copy at op byte 0 reaches past the base.s 27 bytes
	overbuild builds more than the 5 bytes declared
	back names the record 5 before it, but 1 come before it
	slot-past names slot 0 of [0-9a-f]*, which has 0
	slot-of-full names a slot of record 0.s base, but record 0 has none
	deep delta chain deeper than 16
	unknown-base is neither in the pack nor stored here
	bad-head bad head byte 0x83
	raw-with-base a raw body with a base
	EOF
'

test_expect_success 'receive-pack refuses a hostile compact stream: unpacker error, no ref' '
	$HOSTILE push cws containers/default/refs/heads/c \
		$(printf "%064d" 3) c-copy-past.pack >report &&
	grep "^unpack bad pack: .*reaches past the base" report &&
	grep "^ng containers/default/refs/heads/c unpacker error" report &&
	test_must_fail hako -C cws rev-parse --verify refs/heads/c &&
	no_spool cws
'

# serve_dumb MODE: the hostile mirror of helpers/hostile.py on a free port;
# sets $port.
serve_dumb () {
	rm -f port || return 1
	$HOSTILE serve-dumb "$TRASH" $1 port &
	dumb_pid=$!
	test_when_finished "kill $dumb_pid"
	for i in $(test_seq 1 100); do
		test -f port && port=$(cat port) && return 0
		sleep 0.05
	done
	return 1
}

test_expect_success 'setup: a plain mirror' '
	hako init -q mirror &&
	hako -C mirror write /f "hello" &&
	hako -C mirror commit -q -m one &&
	hako -C mirror update-server-info
'

test_expect_success TIME 'a dumb-HTTP .pack longer than announced is cut at its size' '
	serve_dumb endless-pack &&
	test_must_fail /usr/bin/time -f %M -o rss timeout 60 hako clone -q http://127.0.0.1:$port/mirror dumbpack 2>err &&
	grep "^fatal: .*longer than the [0-9]* bytes expected" err &&
	rss_below $CAP rss &&
	test_path_is_missing dumbpack
'

# Endless messages (item 7).

test_expect_success TIME 'a client refuses a ref advertisement over the protocol limit' '
	HOSTILE_MODE=endless-refs \
	test_must_fail /usr/bin/time -f %M -o rss timeout 60 hako ls-remote host:/x 2>err &&
	grep "^fatal: .*ref advertisement: more than 67108864 bytes (the protocol.s limit)" err &&
	rss_below $CAP rss
'

test_expect_success TIME 'receive-pack refuses commands without a flush' '
	HOSTILE_RSS=$TRASH/rss timeout 60 $HOSTILE push-endless ws >out 2>&1;
	grep "^ERR commands: more than 67108864 bytes (the protocol.s limit)" out &&
	rss_below $CAP rss
'

test_expect_success TIME 'upload-pack refuses endless wants and a have round without a flush' '
	HOSTILE_RSS=$TRASH/rss timeout 60 $HOSTILE fetch-endless mirror wants >out 2>&1;
	grep "^ERR wants: more than [0-9]* [a-z]* (the protocol.s limit)" out &&
	rss_below $CAP rss &&
	HOSTILE_RSS=$TRASH/rss timeout 60 $HOSTILE fetch-endless mirror haves >out 2>&1;
	grep "^ERR have round: more than 256 lines (the protocol.s limit)" out &&
	rss_below $CAP rss
'

test_expect_success TIME 'a dumb-HTTP info/refs without end is cut at 64 MiB' '
	serve_dumb endless-refs &&
	test_must_fail /usr/bin/time -f %M -o rss timeout 60 hako ls-remote http://127.0.0.1:$port/mirror 2>err &&
	grep "^fatal: .*info/refs: the body is longer than the 67108864 bytes expected" err &&
	rss_below $CAP rss
'

# wait_for_spool WS: a temporary pack appears in WS's store.
wait_for_spool () {
	for i in $(test_seq 1 100); do
		test -n "$(find "$1/.hako/objects" -name "tmp_pack_*" 2>/dev/null)" && return 0
		sleep 0.05
	done
	return 1
}

test_expect_success 'an interrupted clone or index-pack leaves no spool and no half-made workspace' '
	echo 143 >expect &&
	HOSTILE_MODE=stall hako clone -q host:/x stalled 2>err &
	pid=$!
	wait_for_spool stalled &&
	kill -TERM $pid &&
	{ wait $pid; echo $? >rc; } &&
	test_cmp expect rc &&
	test_path_is_missing stalled &&
	mkfifo fifo || return 1
	python3 -c "import sys, time; sys.stdout.buffer.write(b\"HAKOPACK\"); sys.stdout.flush(); time.sleep(30)" >fifo &
	writer=$!
	test_when_finished "kill $writer"
	hako -C ws index-pack --stdin <fifo &
	pid=$!
	wait_for_spool ws &&
	kill -TERM $pid &&
	{ wait $pid; echo $? >rc; } &&
	test_cmp expect rc &&
	no_spool ws
'

test_expect_success 'a clone that panics leaves no half-made workspace' '
	test_must_fail env HAKO_TEST_PANIC=clone hako clone -q ws panicked 2>err &&
	grep "HAKO_TEST_PANIC=clone" err &&
	test_path_is_missing panicked &&
	mkdir empty-target &&
	test_must_fail env HAKO_TEST_PANIC=clone hako clone -q ws empty-target 2>err &&
	test_path_is_dir empty-target &&
	test_path_is_missing empty-target/.hako &&
	hako clone -q ws cloned &&
	test_path_is_dir cloned/.hako
'

# What a remote says is escaped and cut (item 13).

test_expect_success 'control bytes from a remote are escaped, a long line is cut' '
	HOSTILE_MODE=err-ctl test_must_fail hako ls-remote host:/x 2>err &&
	grep "^fatal: .*remote error: \\\\x1b\[31mred\\\\x07 and \\\\x1b\]0;title\\\\x07$" err &&
	! grep "$(printf "\033")" err &&
	HOSTILE_MODE=ref-ctl test_must_fail hako ls-remote host:/x 2>err &&
	grep "^fatal: .*\\\\x1b\[2Jx" err &&
	! grep "$(printf "\033")" err &&
	HOSTILE_MODE=long-line test_must_fail hako ls-remote host:/x 2>err &&
	grep "^fatal: .*xxx\.\.\. ([0-9]* more characters)$" err &&
	test $(wc -c <err) -lt 4000
'

test_expect_success 'a HEAD naming a branch of another container is refused' '
	HOSTILE_MODE="head-elsewhere $(cat limit.id)" test_must_fail hako clone -q host:/x elsewhere 2>err &&
	grep "^fatal: .*containers/main/HEAD: symref-target .containers/other/refs/heads/x. is not a branch of the same container" err &&
	test_path_is_missing elsewhere
'

test_expect_success 'ng reasons carry no server paths or OS error numbers' '
	hako init -q srv &&
	hako clone -q srv cli &&
	hako -C cli write /x y &&
	hako -C cli commit -q -m x &&
	mkdir srv/.hako/containers/default/refs/heads/newb.lock &&
	test_must_fail hako -C cli push origin main:newb 2>err &&
	grep "remote rejected: .*\.hako/containers/default/refs/heads/newb\.lock: Is a directory)$" err &&
	! grep "$TRASH/srv/\|os error" err
'

# Many refs (item 12).

test_lazy_prereq STRACE 'strace -f -c -o /dev/null true'

test_expect_success STRACE 'a clone writes 2000 refs with a few filesystem syncs, not three per ref' '
	HOSTILE_BRANCHES=2000 HOSTILE_MODE="pack limit.pack $(cat limit.id)" \
	strace -f -c -e trace=fsync,fdatasync,syncfs -o syncs hako clone -q host:/x many &&
	ls many/.hako/containers/main/refs/remotes/origin/many >branches &&
	test_line_count = 2000 branches &&
	test -s many/.hako/containers/main/logs/refs/remotes/origin/many/b001999 &&
	calls=$(awk "/^ *[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+ +(fsync|fdatasync|syncfs)/ {n += \$4} END {print n + 0}" syncs) &&
	echo "$calls syncs" &&
	test "$calls" -lt 200
'

test_expect_success 'a remote progress line may not drive the terminal' '
	esc=$(printf "\033") &&
	HOSTILE_PROGRESS="${esc}[2Jcleared${esc}]0;title" HOSTILE_MODE="pack limit.pack $(cat limit.id)" \
	script -qec "hako clone host:/x progress" typescript >/dev/null &&
	grep "remote: \\\\x1b\[2Jcleared\\\\x1b\]0;title" typescript &&
	! grep "${esc}\[2Jcleared" typescript
'

test_done
