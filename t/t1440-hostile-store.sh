#!/bin/sh
test_description='a damaged store (issue 27): fsck reports every problem and goes on, gc refuses to judge what it cannot read'
. ./test-lib.sh

test_expect_success 'setup: two commits, one of them packed' '
	hako init -q --empty ws &&
	hako -C ws write /a "aaa" &&
	hako -C ws write /b "bbb" &&
	hako -C ws commit -q -m one &&
	hako -C ws repack >/dev/null &&
	hako -C ws write /c "ccc" &&
	hako -C ws commit -q -m two &&
	hako -C ws fsck
'

test_expect_success 'fsck reports a garbage loose header, a truncated pack, a bad ref and a garbage WORKING in one run' '
	blob=$(hako -C ws ls-tree HEAD | awk "\$4 == \"c\" {print \$3}") &&
	loose=ws/.hako/objects/$(echo $blob | cut -c1-2)/$(echo $blob | cut -c3-) &&
	test_path_is_file $loose &&
	chmod u+w $loose &&
	printf garbage | zstd -q >$loose &&
	pack=$(ls ws/.hako/objects/pack/*.pack) &&
	chmod u+w $pack &&
	size=$(wc -c <$pack) &&
	head -c $((size - 100)) $pack >trunc && cat trunc >$pack &&
	echo nonsense >ws/.hako/containers/default/refs/heads/broken &&
	echo garbage >ws/.hako/containers/default/WORKING &&
	test_expect_code 1 hako -C ws fsck >out 2>err &&
	grep "^error in object $blob: .*no type in header" out &&
	grep "^error in pack .*pack checksum mismatch" out &&
	grep "^error in object [0-9a-f]*: corrupt pack" out &&
	grep "^error in default:refs/heads/broken: .*not a valid ref file" out &&
	grep "^error in default:WORKING: .*not a tree id and LF" out
'

test_expect_success 'gc refuses to collect garbage while a ref or a reachable object cannot be read' '
	test_must_fail hako -C ws gc 2>err &&
	grep "^fatal: .*refs/heads/broken: not a valid ref file" err &&
	rm ws/.hako/containers/default/refs/heads/broken &&
	hako -C ws rev-parse HEAD^{tree} >ws/.hako/containers/default/WORKING &&
	test_must_fail hako -C ws gc 2>err &&
	grep "^fatal: refusing to collect garbage: [0-9]* reachable objects cannot be read" err
'

test_done
