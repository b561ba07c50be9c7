#!/bin/sh
test_description='clone, fetch and push between workspaces: local paths in-process, and the ssh transport through a local stand-in for ssh (a script that runs the remote command here), which lets the stream be cut or corrupted in flight'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-remote.sh

# A stand-in for ssh: drop the options and the host, run the remote command
# with sh through proxy.py, which passes the bytes both ways and, as FAULT
# says, cuts the connection or flips a byte at offset FAULT_AT of one
# direction, or counts what the remote sent.
cat >fake-ssh <<'SH'
#!/bin/sh
while test $# -gt 1; do
	case "$1" in
	-p) shift 2 ;;
	*) shift; break ;;
	esac
done
echo "$@" >>"$TRASH/ssh.log"
exec python3 "$TRASH/proxy.py" "${FAULT:-none}" "${FAULT_AT:-0}" "$1"
SH
chmod +x fake-ssh
cat >proxy.py <<'PY'
import os, signal, subprocess, sys, threading
mode, at, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3]
p = subprocess.Popen(["sh", "-c", cmd], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, start_new_session=True)
def pump(src, dst, direction):
    done = 0
    while True:
        b = os.read(src, 65536)
        if not b:
            break
        if mode == "cut-" + direction and done + len(b) >= at:
            os.write(dst, b[:at - done])
            if direction == "fetch":
                os.killpg(p.pid, signal.SIGKILL)
                os._exit(1)
            # The connection to the server is lost: it reads end of input
            # (as sshd gives it) and the rest of what the client sends goes
            # nowhere.
            os.close(dst)
            while os.read(src, 65536):
                pass
            return
        if mode == "flip-" + direction and done <= at < done + len(b):
            i = at - done
            b = b[:i] + bytes([b[i] ^ 0x40]) + b[i + 1:]
        if mode == "count-" + direction:
            with open(os.environ["TRASH"] + "/wire.bytes", "ab") as f:
                f.write(b)
        os.write(dst, b)
        done += len(b)
    os.close(dst)
t = threading.Thread(target=pump, args=(0, p.stdin.fileno(), "push"), daemon=True)
t.start()
pump(p.stdout.fileno(), 1, "fetch")
sys.exit(p.wait())
PY
TRASH=$(pwd)
export TRASH
HAKO_SSH="$TRASH/fake-ssh"
export HAKO_SSH

refs_of () {
	hako ls-remote "$1" >"$2"
}

test_expect_success 'setup: a source workspace with two containers, branches and tags' '
	source_workspace src
'

test_expect_success 'clone brings every container, branch and tag; trees equal the source' '
	hako clone -q src dst &&
	refs_of src all &&
	grep -v refs/heads/dev all >expect &&
	refs_of dst actual &&
	test_cmp expect actual &&
	test "$(hako -C dst rev-parse refs/remotes/origin/dev)" = "$(hako -C src rev-parse refs/heads/dev)" &&
	for c in default web; do
		hako -C src -c $c export / "$TRASH/exp-src-$c" &&
		hako -C dst -c $c export / "$TRASH/exp-dst-$c" &&
		diff -r exp-src-$c exp-dst-$c || return 1
	done &&
	hako -C dst remote -v >remotes &&
	grep "^origin	.*/src (fetch)$" remotes &&
	hako -C dst -c default rev-parse refs/remotes/origin/dev >/dev/null &&
	hako -C dst fsck >/dev/null
'

test_expect_success 'clone into a non-empty directory is refused; a failed clone leaves nothing' '
	mkdir full && echo x >full/f &&
	test_must_fail hako clone src full 2>err &&
	grep "^fatal: destination path .full. already exists" err &&
	test_must_fail hako clone nowhere gone 2>err &&
	grep "^fatal: .*does not appear to be a hako workspace" err &&
	test_path_is_missing gone
'

test_expect_success 'fetch with nothing new moves nothing' '
	refs_of dst before &&
	hako -C dst fetch 2>err &&
	test_must_be_empty err &&
	refs_of dst after &&
	test_cmp before after
'

test_expect_success 'fetch of a one-file change updates the remote-tracking ref only' '
	hako -C src write /etc/motd "changed" &&
	hako -C src commit -q -m change &&
	new=$(hako -C src rev-parse HEAD) &&
	old=$(hako -C dst rev-parse HEAD) &&
	hako -C dst fetch 2>err &&
	grep "fast-forward *default: origin/main" err &&
	test "$(hako -C dst rev-parse refs/remotes/origin/main)" = "$new" &&
	test "$(hako -C dst rev-parse HEAD)" = "$old" &&
	hako -C dst merge origin/main &&
	test "$(hako -C dst cat /etc/motd)" = changed
'

test_expect_success 'a pack over transfer.maxPackSize is refused, naming the limit, and leaves no spool' '
	hako -C src write /numbers "$(test_seq 1 3000)" &&
	hako -C src commit -q -m numbers &&
	refs_of dst before &&
	hako -C dst config transfer.maxPackSize 1k &&
	test_must_fail hako -C dst fetch 2>err &&
	grep "^fatal: .*the pack is larger than transfer.maxPackSize (1024 bytes)" err &&
	refs_of dst after &&
	test_cmp before after &&
	find dst/.hako/objects -name "tmp_*" >spool &&
	test_must_be_empty spool &&
	echo HEAD | hako -C src pack-objects --revs --stdout >numbers.pack &&
	test_must_fail hako -C dst index-pack --stdin <numbers.pack 2>err &&
	grep "^fatal: .*the pack is larger than transfer.maxPackSize (1024 bytes)" err &&
	hako -C dst config transfer.maxPackSize lots &&
	test_must_fail hako -C dst fetch 2>err &&
	grep "^fatal: .*/dst/.hako/config:[0-9]*: transfer.maxPackSize is .lots., not a size" err &&
	hako -C dst config --unset transfer.maxPackSize &&
	hako -C dst fetch -q &&
	test "$(hako -C dst rev-parse refs/remotes/origin/main)" = "$(hako -C src rev-parse HEAD)" &&
	hako -C dst merge origin/main >out
'

test_expect_success 'push fast-forward updates the remote and its clean working root' '
	hako -C dst write /etc/new "from dst" &&
	hako -C dst commit -q -m "from dst" &&
	hako -C dst push 2>err &&
	test "$(hako -C src rev-parse HEAD)" = "$(hako -C dst rev-parse HEAD)" &&
	test "$(hako -C src cat /etc/new)" = "from dst" &&
	hako -C src status >st &&
	grep "nothing to commit" st &&
	test "$(hako -C dst rev-parse refs/remotes/origin/main)" = "$(hako -C dst rev-parse HEAD)"
'

test_expect_success 'a push into a checked-out branch with uncommitted changes is refused' '
	hako -C src write /etc/dirty "wip" &&
	hako -C dst write /etc/a a && hako -C dst commit -q -m a &&
	before=$(hako -C src rev-parse HEAD) &&
	test_must_fail hako -C dst push 2>err &&
	grep "deny current branch" err &&
	test "$(hako -C src rev-parse HEAD)" = "$before" &&
	test "$(hako -C src cat /etc/dirty)" = wip &&
	hako -C src del /etc/dirty
'

test_expect_success 'non-fast-forward is rejected; --force and --force-with-lease' '
	hako -C dst push -q &&
	hako -C src write /etc/srcside s && hako -C src commit -q -m srcside &&
	srctip=$(hako -C src rev-parse HEAD) &&
	hako -C dst write /etc/dstside d && hako -C dst commit -q -m dstside &&
	test_must_fail hako -C dst push 2>err &&
	grep "rejected.*fetch first" err &&
	hako -C dst fetch -q &&
	test_must_fail hako -C dst push 2>err &&
	grep "rejected.*non-fast-forward" err &&
	test "$(hako -C src rev-parse HEAD)" = "$srctip" &&
	hako -C src write /etc/srcside s2 && hako -C src commit -q -m srcside2 &&
	test_must_fail hako -C dst push --force-with-lease 2>err &&
	grep "stale info" err &&
	test "$(hako -C src rev-parse HEAD)" != "$(hako -C dst rev-parse HEAD)" &&
	hako -C dst fetch -q &&
	hako -C dst push --force-with-lease 2>err &&
	grep "forced update" err &&
	test "$(hako -C src rev-parse HEAD)" = "$(hako -C dst rev-parse HEAD)" &&
	hako -C src write /etc/srcside s3 && hako -C src commit -q -m srcside3 &&
	hako -C dst push --force 2>err &&
	test "$(hako -C src rev-parse HEAD)" = "$(hako -C dst rev-parse HEAD)"
'

test_expect_success 'push a new branch, then --delete it' '
	hako -C dst branch topic &&
	hako -C dst push origin topic 2>err &&
	grep "new branch" err &&
	hako -C src rev-parse refs/heads/topic >/dev/null &&
	hako -C dst push --delete origin topic 2>err &&
	grep "deleted" err &&
	test_must_fail hako -C src rev-parse --verify refs/heads/topic 2>/dev/null &&
	test_must_fail hako -C dst rev-parse --verify refs/remotes/origin/topic 2>/dev/null
'

test_expect_success 'pushing a new container creates it on the receiver' '
	hako -C dst new-container db &&
	hako -C dst -c db write /var/db "rows" &&
	hako -C dst -c db commit -q -m db &&
	hako -C dst -c db push &&
	hako -C src containers >list &&
	grep db list &&
	test "$(hako -C src -c db cat /var/db)" = rows &&
	hako -C src -c db status | grep "nothing to commit"
'

test_expect_success '--atomic with one ref failing moves nothing' '
	hako -C dst branch a1 && hako -C dst branch a2 &&
	hako -C dst push -q origin a1 &&
	hako -C src write /etc/x x && hako -C src commit -q -m x &&
	hako -C src update-ref refs/heads/a1 HEAD &&
	refs_of src before &&
	test_must_fail hako -C dst push --atomic origin a1 a2 2>err &&
	grep "atomic push failed" err &&
	refs_of src after &&
	test_cmp before after &&
	test_must_fail hako -C src rev-parse --verify refs/heads/a2 2>/dev/null
'

test_expect_success '--atomic: a ref the receiver refuses moves none of the others' '
	hako -C src config receive.denyNonFastForwards true 2>/dev/null ||
	printf "[receive]\n\tdenyNonFastForwards = true\n" >>src/.hako/config &&
	hako -C dst branch a3 &&
	hako -C dst push -q origin a1:a1 2>/dev/null; \
	hako -C dst fetch -q &&
	hako -C dst update-ref refs/heads/a1 refs/remotes/origin/a1~1 &&
	refs_of src before &&
	test_must_fail hako -C dst push --atomic --force origin a1 a3 2>err &&
	grep "a1.*remote rejected: non-fast-forward" err &&
	grep "a3.*atomic push failed" err &&
	refs_of src after &&
	test_cmp before after &&
	hako -C dst push --force origin a1 a3 2>err;
	grep "a1.*non-fast-forward" err &&
	hako -C src rev-parse --verify refs/heads/a3 &&
	sed -i "/\[receive\]/,\$d" src/.hako/config
'

test_expect_success 'send-pack and fetch-pack plumbing' '
	hako -C dst send-pack --dry-run "$TRASH/src" a2 >out &&
	echo "would-push containers/default/refs/heads/a2" >expect &&
	test_cmp expect out &&
	hako -C dst send-pack "$TRASH/src" a2 >out &&
	echo "ok containers/default/refs/heads/a2" >expect &&
	test_cmp expect out &&
	hako init -q --empty fp &&
	hako -C fp fetch-pack "$TRASH/src" default/main >out &&
	echo "$(hako -C src rev-parse HEAD) containers/default/refs/heads/main" >expect &&
	test_cmp expect out &&
	hako -C fp cat-file -t "$(hako -C src rev-parse HEAD)" >t &&
	echo commit >expect && test_cmp expect t
'

test_expect_success 'over the ssh transport: clone, fetch, push (scp-like and ssh:// URLs)' '
	hako clone -q "localhost:$TRASH/src" viassh &&
	grep "hako upload-pack .$TRASH/src." ssh.log &&
	hako -C viassh -c web write /srv/b b && hako -C viassh -c web commit -q -m b &&
	hako -C viassh -c web push &&
	grep "hako receive-pack" ssh.log &&
	test "$(hako -C src -c web cat /srv/b)" = b &&
	hako -C viassh remote add other "ssh://me@localhost:2222$TRASH/src" &&
	hako -C viassh fetch other &&
	hako -C viassh -c web rev-parse refs/remotes/other/main >/dev/null
'

test_expect_success 'fetch with nothing new sends only the advertisement and a flush' '
	: >wire.bytes &&
	FAULT=count-fetch hako -C viassh fetch &&
	adv=$(wc -c <wire.bytes) &&
	: >wire.bytes &&
	FAULT=count-fetch hako -C viassh ls-remote origin >/dev/null &&
	test "$(wc -c <wire.bytes)" = "$adv"
'

test_expect_success 'a fetch cut at any point moves no ref and leaves the store fsck-clean' '
	hako -C src write /big "$(test_seq 1 20000)" && hako -C src commit -q -m big &&
	before=$(hako -C viassh rev-parse refs/remotes/origin/main) &&
	for at in 100 2000 5000; do
		test_must_fail env FAULT=cut-fetch FAULT_AT=$at hako -C viassh fetch 2>err &&
		grep "^fatal: " err &&
		test "$(hako -C viassh rev-parse refs/remotes/origin/main)" = "$before" &&
		hako -C viassh fsck >/dev/null &&
		! ls viassh/.hako/objects/pack | grep -v "^pack-" || return 1
	done
'

test_expect_success 'a corrupted pack in flight is refused (fetch)' '
	before=$(hako -C viassh rev-parse refs/remotes/origin/main) &&
	test_must_fail env FAULT=flip-fetch FAULT_AT=3000 hako -C viassh fetch 2>err &&
	grep "^fatal: " err &&
	test "$(hako -C viassh rev-parse refs/remotes/origin/main)" = "$before" &&
	hako -C viassh fsck >/dev/null &&
	hako -C viassh fetch -q &&
	test "$(hako -C viassh rev-parse refs/remotes/origin/main)" = "$(hako -C src rev-parse HEAD)"
'

test_expect_success 'a push cut or corrupted in flight moves no ref on the receiver' '
	hako -C viassh merge origin/main &&
	hako -C viassh write /big2 "$(test_seq 20001 40000)" && hako -C viassh commit -q -m big2 &&
	refs_of src before &&
	for fault in cut-push flip-push; do
		for at in 300 3000 9000; do
			test_must_fail env FAULT=$fault FAULT_AT=$at hako -C viassh push 2>err &&
			cat err &&
			refs_of src after &&
			test_cmp before after &&
			hako -C src fsck >/dev/null &&
			! ls src/.hako/objects/pack | grep -v "^pack-" || return 1
		done
	done &&
	hako -C viassh push -q &&
	test "$(hako -C src rev-parse HEAD)" = "$(hako -C viassh rev-parse HEAD)"
'

test_expect_success 'gc removes a quarantined pack left by a crashed receive' '
	hako init -q --empty crashed &&
	p=crashed/.hako/objects/pack &&
	echo junk >$p/incoming-0000.pack && echo junk >$p/incoming-0000.idx &&
	touch -d "30 days ago" $p/incoming-0000.pack $p/incoming-0000.idx &&
	hako -C crashed fsck >/dev/null &&
	hako -C crashed gc -q --prune=now &&
	test_path_is_missing $p/incoming-0000.pack &&
	test_path_is_missing $p/incoming-0000.idx
'

test_expect_success 'bad remotes: not a workspace, unknown remote, unshallow of a complete workspace, http push' '
	test_must_fail hako -C dst fetch "$TRASH/full" 2>err &&
	grep "^fatal: .*does not appear to be a hako workspace" err &&
	test_line_count = 1 err &&
	test_must_fail hako -C dst fetch nosuch 2>err &&
	grep "^fatal: .nosuch. is neither a configured remote nor a URL" err &&
	test_must_fail hako -C dst fetch --unshallow 2>err &&
	grep "^fatal: --unshallow on a complete workspace" err &&
	test_must_fail hako -C dst push http://127.0.0.1:1/x 2>err &&
	grep "^fatal: .*read-only" err &&
	test_must_fail hako -C dst push "localhost:$TRASH/full" 2>err &&
	grep "^fatal: .*does not appear to be a hako workspace" err
'

test_expect_success 'status says ahead and behind the upstream' '
	hako clone -q src stc &&
	hako -C stc status >out &&
	grep "^Your branch is up to date with .origin/main.\.$" out &&
	hako -C stc write /etc/s1 1 && hako -C stc commit -q -m s1 &&
	hako -C stc write /etc/s2 2 && hako -C stc commit -q -m s2 &&
	hako -C stc status >out &&
	grep "^Your branch is ahead of .origin/main. by 2 commits\.$" out &&
	hako -C src write /etc/t1 1 && hako -C src commit -q -m t1 &&
	hako -C stc fetch -q &&
	hako -C stc status >out &&
	grep "have diverged, and have 2 and 1 different commits each" out
'

test_expect_success 'clone --container brings one container' '
	hako clone -q --container web src onlyweb &&
	hako -C onlyweb containers >list &&
	echo "* web" >expect &&
	test_cmp expect list
'

test_expect_success 'fetch with refspecs: one branch, into a local branch, fast-forward unless +' '
	hako clone -q src rs &&
	hako -C src branch feature &&
	hako -C rs fetch origin feature 2>err &&
	grep "new branch] *default: origin/feature" err &&
	test_line_count = 2 err &&
	hako -C rs fetch origin feature:refs/heads/mine 2>err &&
	test "$(hako -C rs rev-parse mine)" = "$(hako -C src rev-parse feature)" &&
	hako -C src write /etc/f1 1 && hako -C src commit -q -m f1 &&
	hako -C src update-ref refs/heads/feature HEAD &&
	hako -C rs fetch origin feature:mine 2>err &&
	grep "fast-forward *default: refs/heads/mine" err &&
	hako -C src update-ref refs/heads/feature HEAD~2 &&
	test_must_fail hako -C rs fetch origin feature:mine 2>err &&
	grep "rejected: non-fast-forward" err &&
	hako -C rs fetch origin +feature:mine 2>err &&
	test "$(hako -C rs rev-parse mine)" = "$(hako -C src rev-parse feature)" &&
	test_must_fail hako -C rs fetch origin feature:main 2>err &&
	grep "refusing to fetch into the checked-out branch" err &&
	test_must_fail hako -C rs fetch origin nosuch 2>err &&
	grep "^fatal: .*couldn.t find remote ref nosuch" err
'

test_expect_success 'remote rename and remove carry the remote-tracking refs' '
	hako -C dst remote rename origin up &&
	hako -C dst rev-parse refs/remotes/up/main >/dev/null &&
	test_must_fail hako -C dst rev-parse --verify refs/remotes/origin/main 2>/dev/null &&
	hako -C dst remote remove up &&
	test_must_fail hako -C dst rev-parse --verify refs/remotes/up/main 2>/dev/null &&
	hako -C dst remote >list &&
	test_must_be_empty list
'

# The compact stream (pack version 3, protocol.md's compact-pack).
# wire_pack_version FILE: the version of the first pack in bytes the proxy
# counted (count-push or count-fetch).
wire_pack_version () {
	python3 - "$1" <<-\PY
	import sys
	b = open(sys.argv[1], "rb").read()
	i = b.find(b"HAKOPACK")
	print(int.from_bytes(b[i + 8:i + 12], "big") if i >= 0 else "none")
	PY
}

# new_pack_ids WS BEFORE: the ids in the packs of WS that BEFORE (a listing
# of its .idx files) lacks.
new_pack_ids () {
	ls "$1/.hako/objects/pack" | grep "idx$" | sort >idx.after &&
	for i in $(comm -13 "$2" idx.after); do
		hako -C "$1" verify-pack -v ".hako/objects/pack/$i" | awk "NF >= 5 && length(\$1) == 64 {print \$1}" || return 1
	done
}

test_expect_success 'setup: workspaces of small flat directories for the compact stream' '
	for d in 1 2 3 4; do
		mkdir -p ctree/d$d &&
		for f in $(test_seq 1 40); do
			echo "file $f of dir $d" >ctree/d$d/f$f || return 1
		done || return 1
	done &&
	hako init -q csrc &&
	hako -C csrc import "$TRASH/ctree" /data >/dev/null &&
	hako -C csrc commit -q -m tree &&
	hako clone -q "localhost:$TRASH/csrc" cdst &&
	hako clone -q csrc clocal
'

test_expect_success 'compact-pack: push and fetch over ssh send pack version 3; the stored packs verify' '
	hako -C cdst write /data/d2/f3 "changed in cdst" && hako -C cdst commit -q -m change &&
	: >wire.bytes &&
	FAULT=count-push hako -C cdst push -q &&
	test "$(wire_pack_version wire.bytes)" = 3 &&
	test "$(hako -C csrc rev-parse HEAD)" = "$(hako -C cdst rev-parse HEAD)" &&
	test "$(hako -C csrc cat /data/d2/f3)" = "changed in cdst" &&
	hako -C csrc fsck >/dev/null &&
	hako -C csrc write /data/d4/f9 "changed in csrc" && hako -C csrc commit -q -m change2 &&
	: >wire.bytes &&
	FAULT=count-fetch hako -C cdst fetch -q &&
	test "$(wire_pack_version wire.bytes)" = 3 &&
	test "$(hako -C cdst rev-parse refs/remotes/origin/main)" = "$(hako -C csrc rev-parse HEAD)" &&
	hako -C cdst merge origin/main >/dev/null &&
	test "$(hako -C cdst cat /data/d4/f9)" = "changed in csrc" &&
	hako -C cdst fsck >/dev/null
'

test_expect_success 'compact-pack: either end with transfer.compactPack false sends pack version 2' '
	test_when_finished "hako -C csrc config transfer.compactPack true && hako -C cdst config transfer.compactPack true" &&
	hako -C csrc config transfer.compactPack false &&
	hako ls-remote csrc >/dev/null &&
	for side in csrc cdst; do
		hako -C cdst write /data/d1/f1 "push with $side off" && hako -C cdst commit -q -m "$side" &&
		: >wire.bytes &&
		FAULT=count-push hako -C cdst push -q &&
		test "$(wire_pack_version wire.bytes)" = 2 &&
		hako -C csrc fsck >/dev/null &&
		hako -C csrc write /data/d1/f2 "fetch with $side off" && hako -C csrc commit -q -m "$side" &&
		: >wire.bytes &&
		FAULT=count-fetch hako -C cdst fetch -q &&
		test "$(wire_pack_version wire.bytes)" = 2 &&
		hako -C cdst merge origin/main >/dev/null &&
		hako -C cdst fsck >/dev/null &&
		hako -C csrc config transfer.compactPack true &&
		hako -C cdst config transfer.compactPack false || return 1
	done
'

test_expect_success 'compact-pack over a local path: the stored packs hold only new objects (version 2 adds copies of the bases)' '
	test_when_finished "hako -C clocal config transfer.compactPack true" &&
	hako -C clocal fetch -q && hako -C clocal merge origin/main >/dev/null &&
	for form in compact plain; do
		rm -rf snap && cp -R csrc snap &&
		ls csrc/.hako/objects/pack | grep "idx$" | sort >idx.before &&
		hako -C clocal write /data/d3/f7 "pushed $form" && hako -C clocal commit -q -m "$form" &&
		hako -C clocal push -q &&
		test "$(hako -C csrc cat /data/d3/f7)" = "pushed $form" &&
		hako -C csrc fsck >/dev/null &&
		new_pack_ids csrc idx.before >ids &&
		test -s ids &&
		: >old &&
		for id in $(cat ids); do
			if hako -C snap cat-file -e $id 2>/dev/null; then echo $id >>old; fi
		done &&
		if test $form = compact; then test_must_be_empty old; else test -s old; fi &&
		hako -C clocal config transfer.compactPack false || return 1
	done &&
	hako -C csrc write /data/d3/f8 "fetched" && hako -C csrc commit -q -m fetched &&
	hako -C clocal config transfer.compactPack true &&
	ls clocal/.hako/objects/pack | grep "idx$" | sort >idx.before &&
	rm -rf snap && cp -R clocal snap &&
	hako -C clocal fetch -q && hako -C clocal merge origin/main >/dev/null &&
	test "$(hako -C clocal cat /data/d3/f8)" = fetched &&
	hako -C clocal fsck >/dev/null &&
	new_pack_ids clocal idx.before >ids &&
	test -s ids &&
	for id in $(cat ids); do
		test_must_fail hako -C snap cat-file -e $id 2>/dev/null || return 1
	done
'

test_expect_success 'a corrupted compact stream in flight is one fatal line, and stores nothing' '
	hako -C csrc write /data/d2/f9 "for the flip" && hako -C csrc commit -q -m flip &&
	before=$(hako -C cdst rev-parse refs/remotes/origin/main) &&
	ls cdst/.hako/objects/pack >packs.before &&
	rm -rf cprobe && cp -R cdst cprobe &&
	: >wire.bytes &&
	FAULT=count-fetch hako -C cprobe fetch -q &&
	test "$(wire_pack_version wire.bytes)" = 3 &&
	start=$(python3 -c "import sys; print(open(sys.argv[1], \"rb\").read().find(b\"HAKOPACK\"))" wire.bytes) &&
	size=$(wc -c <wire.bytes) &&
	for at in 20 60 $((size - start - 60)); do
		test_must_fail env FAULT=flip-fetch FAULT_AT=$((start + at)) hako -C cdst fetch 2>err &&
		test_line_count = 1 err &&
		grep "^fatal: .*bad pack" err &&
		test "$(hako -C cdst rev-parse refs/remotes/origin/main)" = "$before" &&
		ls cdst/.hako/objects/pack >packs.after &&
		test_cmp packs.before packs.after || return 1
	done &&
	hako -C cdst fetch -q &&
	test "$(hako -C cdst rev-parse refs/remotes/origin/main)" = "$(hako -C csrc rev-parse HEAD)"
'

test_expect_success 'HAKO_TRACE_PACKET traces every packet both ends send and receive, the server by name' '
	hako init -q --empty tr-src &&
	hako -C tr-src write /f one && hako -C tr-src commit -q -m one &&
	HAKO_TRACE_PACKET=1 hako clone -q tr-src tr-dst 2>trace &&
	grep "^TRACE upload-pack: packet: > version 1\$" trace &&
	grep "^TRACE packet: < version 1\$" trace &&
	id=$(hako -C tr-src rev-parse HEAD) &&
	grep "^TRACE packet: > want $id" trace &&
	grep "^TRACE upload-pack: packet: < want $id" trace &&
	grep "^TRACE packet: > done\$" trace &&
	grep "^TRACE upload-pack: packet: > \[side-band 1, [0-9]* bytes\]\$" trace &&
	hako -C tr-src write /f two && hako -C tr-src commit -q -m two &&
	HAKO_TRACE_PACKET=1 hako -C tr-dst fetch -q "localhost:$TRASH/tr-src" 2>trace &&
	grep "^TRACE packet: < version 1\$" trace &&
	! grep upload-pack: trace &&
	hako -C tr-dst fetch -q 2>quiet && test_must_be_empty quiet &&
	HAKO_TRACE=0 HAKO_TRACE_PACKET=0 hako -C tr-dst fetch -q 2>quiet && test_must_be_empty quiet
'

test_expect_success 'a local remote of another format is refused in its own words, not prefixed by the remote' '
	hako init -q --empty fv-src &&
	printf "[core]\n\tformatversion = 2\n" >fv-src/.hako/config &&
	test_must_fail hako clone fv-src fv-dst 2>err &&
	echo "fatal: $TRASH/fv-src/.hako/config:2: core.formatversion is '"'"'2'"'"', but this hako reads only format version 1" >expect &&
	grep "^fatal" err >actual &&
	test_cmp expect actual &&
	test_must_fail hako -C tr-dst ls-remote ../fv-src 2>err &&
	echo "fatal: ../fv-src/.hako/config:2: core.formatversion is '"'"'2'"'"', but this hako reads only format version 1" >expect &&
	test_cmp expect err
'

test_done
