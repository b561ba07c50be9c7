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

test_done
