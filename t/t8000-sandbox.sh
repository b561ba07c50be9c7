#!/bin/sh
test_description='unshare-exec and enter: the rootless sandbox, as the invoking user'
. ./test-lib.sh

# The rootfs lives in the trash directory; every test runs hako directly.
SB_DIR=$TRASH_DIRECTORY/sb
SB_WORK=$TRASH_DIRECTORY/work
SB_AS=
SB_HAKO=$HAKO_BUILD_DIR/hako
mkdir -p "$SB_DIR" "$SB_WORK"
. "$TEST_DIRECTORY/lib-sandbox.sh"

sandbox_tests

test_done
