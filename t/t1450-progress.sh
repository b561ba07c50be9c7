#!/bin/sh
test_description='progress: bars on a terminal for fsck, repack, gc, import and write-tree; nothing when stderr is not a terminal or with --no-progress / -q'
. ./test-lib.sh

# Run a command with stderr on a pseudo-terminal (script(1)); its output,
# carriage returns made newlines so each redraw is a line.
on_tty () {
	script -qec "$1" /dev/null </dev/null | tr "\r" "\n" | sed "s/$(printf "\033")\[[0-9;]*[A-Za-z]//g"
}
test_lazy_prereq SCRIPT 'command -v script && script -qec true /dev/null </dev/null'

test_expect_success 'setup: 120 files committed' '
	hako init -q ws &&
	mkdir src && for i in $(test_seq 120); do echo "file $i" >src/f$i || return 1; done &&
	hako -C ws import ../src /data && hako -C ws commit -q -m one
'

test_expect_success SCRIPT 'fsck on a terminal counts the objects it checks, to the last' '
	on_tty "hako -C ws fsck" >out &&
	grep "^Checking objects: 100% (\([0-9]*\)/\1), done\. *$" out &&
	grep "^Checking connectivity" out
'

test_expect_success SCRIPT 'fsck --no-progress on a terminal, and fsck without a terminal, show no progress' '
	on_tty "hako -C ws fsck --no-progress" >out &&
	! grep Checking out &&
	hako -C ws fsck >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err
'

test_expect_success SCRIPT 'repack and gc on a terminal count the objects they write; -q shows nothing' '
	on_tty "hako -C ws repack -a -d" >out &&
	grep "^Counting objects" out &&
	grep "^Writing objects: 100% (\([0-9]*\)/\1)" out &&
	on_tty "hako -C ws gc" >out &&
	grep "^Writing objects: 100%" out &&
	on_tty "hako -C ws repack -a -d -q" >out &&
	! grep "objects" out
'

test_expect_success SCRIPT 'write-tree and import on a terminal count the files they store' '
	on_tty "hako -C ws write-tree ../src" >out &&
	grep "^Importing files: 100% (120/120)" out &&
	on_tty "hako -C ws import --no-progress ../src /quiet" >out &&
	! grep Importing out &&
	on_tty "hako -C ws import ../src /again" >out &&
	grep "^Importing files: 100% (120/120)" out &&
	hako -C ws write-tree ../src >out 2>err &&
	test_must_be_empty err
'

test_done
