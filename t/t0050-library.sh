#!/bin/sh
test_description='hako as a library: examples/library.rs, through hako::Hako, does what the command line then shows'
. ./test-lib.sh

EXAMPLE="$HAKO_BUILD_DIR/examples/library"
if ! test -x "$EXAMPLE"; then
	skip_all "examples/library is not built (cargo test or cargo build --examples builds it)"
fi

test_expect_success 'the example makes a workspace, commits twice, reads both revisions, diffs and exports' '
	"$EXAMPLE" ws exported >out 2>err &&
	first=$(hako -C ws rev-parse HEAD~1) && second=$(hako -C ws rev-parse HEAD) &&
	grep "^committed $first $second\$" out &&
	grep "^motd now: hello again\$" out &&
	grep "^motd then: hello\$" out &&
	hako -C ws log -n 3 --format="log %H %s" >expect &&
	grep "^log " out >actual &&
	test_cmp expect actual &&
	hako -C ws diff-tree -r --name-status $first $second | sed "s/^/diff /; s/	/ /" >expect &&
	grep "^diff " out >actual &&
	test_cmp expect actual &&
	printf "1 2 3\n" >expect && test_cmp expect exported/data.txt &&
	hako -C ws show HEAD:/etc/motd >motd && printf "hello again\n" >expect && test_cmp expect motd &&
	test "$(hako -C ws config user.name)" = "Library Example"
'

test_expect_success BUSYBOX 'a command run through the library folds its writes into the working root and leaves no record' '
	grep "^run exit 3\$" out &&
	grep "^run wrote: from-inside\$" out &&
	echo from-inside >expect &&
	hako -C ws cat /srv/out >actual && test_cmp expect actual &&
	hako -C ws status --short >st && grep "srv/out" st &&
	hako -C ws ps -a >ps && test_line_count = 1 ps
'

test_expect_success 'the library refuses bad input as the command line does' '
	test_must_fail "$EXAMPLE" ws again 2>err &&
	grep "^error: ws already holds a hako workspace$" err
'

test_done
