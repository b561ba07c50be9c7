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

# clone, fetch and push: the remote's own lines after "remote: ", and the
# pack's bytes on a line of their own once moved.

# A stand-in for ssh: ignore the host and run the remote command here.
write_script fake-ssh <<\EOF
shift $(($# - 1))
exec sh -c "$1"
EOF
HAKO_SSH="$PWD/fake-ssh"
export HAKO_SSH

# A server program (band PROGRAM...): relays PROGRAM and, after its
# advertisement, says on side-band channel 2 what a remote may say: a line
# updated in place (\r), and an escape sequence that must not reach the
# terminal.
write_script band <<\EOF
exec python3 -c '
import os, subprocess, sys, threading
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def relay():
    for chunk in iter(lambda: sys.stdin.buffer.read1(65536), b""):
        child.stdin.write(chunk)
        child.stdin.flush()
    child.stdin.close()
threading.Thread(target=relay, daemon=True).start()
out, src = sys.stdout.buffer, child.stdout
while True:
    head = src.read(4)
    out.write(head)
    if head == b"0000" or len(head) < 4:
        break
    out.write(src.read(int(head, 16) - 4))
for text in [b"Resolving: 50%\r", b"Resolving: 100%, done.\n", b"\x1b[31mred\n"]:
    out.write(b"%04x" % (len(text) + 5) + b"\x02" + text)
out.flush()
for chunk in iter(lambda: src.read1(65536), b""):
    out.write(chunk)
    out.flush()
# Not sys.exit: the relay thread may still be in a read of stdin, which
# makes the interpreter abort at shutdown.
os._exit(child.wait())
' "$@"
EOF

# commit_file NAME: a new file in ws, committed.
commit_file () {
	hako -C ws write "/data/$1" "$1" && hako -C ws commit -q -m "$1"
}

test_expect_success 'setup: a clone, a commit to fetch, a bare remote reached over "ssh" through band' '
	hako clone -q ws cl &&
	commit_file two &&
	hako init -q srv &&
	hako -C cl remote add pub host:../srv &&
	hako -C cl config remote.pub.receivepack "\"$PWD/band\" hako receive-pack"
'

test_expect_success SCRIPT 'clone on a terminal shows the remote'"'"'s lines and the bytes received' '
	on_tty "hako clone ws cl-tty" >out &&
	grep "^remote: Enumerating objects: [0-9]*, done\.$" out &&
	grep "^remote: Total [0-9]* (delta [0-9]*), [0-9]* bytes$" out &&
	grep "^Receiving pack: [0-9.]* [KMG]*i*B in [0-9.]* s ([0-9.]* [KMG]*i*B/s), done\.$" out &&
	test "$(hako -C cl-tty rev-parse HEAD)" = "$(hako -C ws rev-parse HEAD)"
'

test_expect_success SCRIPT 'fetch on a terminal shows them; fetch -q on one, and fetch without one, show neither' '
	on_tty "hako -C cl fetch" >out &&
	grep "^remote: Enumerating objects: [0-9]*, done\.$" out &&
	grep "^Receiving pack: [0-9.]* [KMG]*i*B in .*, done\.$" out &&
	commit_file three &&
	on_tty "hako -C cl fetch -q" >out &&
	! grep "remote:\|pack:" out &&
	commit_file four &&
	hako -C cl fetch 2>err &&
	! grep "remote:\|pack:" err &&
	test "$(hako -C cl rev-parse origin/main)" = "$(hako -C ws rev-parse HEAD)"
'

test_expect_success SCRIPT 'push on a terminal shows the bytes sent and the remote'"'"'s lines, updated in place, escapes defused' '
	on_tty "hako -C cl push -f pub main" >out &&
	grep "^Sending pack: [0-9.]* [KMG]*i*B in [0-9.]* s ([0-9.]* [KMG]*i*B/s), done\.$" out &&
	grep "^remote: Resolving: 50%$" out &&
	grep "^remote: Resolving: 100%, done\.$" out &&
	grep "^remote: \\\\x1b\[31mred$" out &&
	! grep "$(printf "\033")\[31m" out &&
	test "$(hako -C srv rev-parse main)" = "$(hako -C cl rev-parse main)"
'

test_expect_success SCRIPT 'push -q on a terminal, and push without one, show neither' '
	hako -C cl merge origin/main >/dev/null &&
	on_tty "hako -C cl push -q pub main" >out &&
	! grep "remote:\|pack:" out &&
	test "$(hako -C srv rev-parse main)" = "$(hako -C ws rev-parse HEAD)" &&
	commit_file five &&
	hako -C cl fetch -q && hako -C cl merge origin/main >/dev/null &&
	hako -C cl push pub main 2>err &&
	! grep "remote:\|pack:" err &&
	test "$(hako -C srv rev-parse main)" = "$(hako -C ws rev-parse HEAD)"
'

test_done
