#!/bin/sh
test_description='clone, fetch and push over ssh against a real sshd on 127.0.0.1 (throwaway host and user keys)'
. ./test-lib.sh

SSHD=/usr/sbin/sshd
if ! test -x "$SSHD" || ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
	skip_all="openssh-server/openssh-client not installed (apt-get install openssh-server)"
	test_done
fi
if ! test_have_prereq ROOT; then
	skip_all="sshd on loopback needs root here (it switches to the logging-in user)"
	test_done
fi

TRASH=$(pwd)
PORT=$(test_free_port)
# ssh splits some option values at spaces, and the trash directory has one:
# the keys and known_hosts live in a directory without.
K=$(mktemp -d /tmp/hako-sshd.XXXXXX)
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N "" -f "$K/host_key" &&
ssh-keygen -q -t ed25519 -N "" -f "$K/user_key" &&
ssh-keygen -q -t ed25519 -N "" -f "$K/other_key" &&
cp "$K/user_key.pub" "$TRASH/authorized_keys" &&
chmod 600 "$TRASH/authorized_keys" || exit 1
cat >sshd_config <<EOF2
Port $PORT
ListenAddress 127.0.0.1
HostKey "$K/host_key"
AuthorizedKeysFile "$TRASH/authorized_keys"
PidFile "$TRASH/sshd.pid"
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin yes
StrictModes no
UsePAM no
SetEnv PATH=$HAKO_BUILD_DIR:/usr/local/bin:/usr/bin:/bin
EOF2
"$SSHD" -f "$TRASH/sshd_config" -E "$TRASH/sshd.log" || {
	cat sshd.log
	echo "Bail out! sshd did not start"
	exit 1
}
for i in $(test_seq 1 50); do test -s "$TRASH/sshd.pid" && break; sleep 0.1; done
SSHD_PID=$(cat "$TRASH/sshd.pid")
stop_sshd () { kill "$SSHD_PID" 2>/dev/null; rm -rf "$K"; }
trap stop_sshd EXIT
# Wait for the port.
for i in $(test_seq 1 50); do
	python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
	sleep 0.1
done
echo "[127.0.0.1]:$PORT $(cat "$K/host_key.pub")" >"$K/known_hosts"
SSHOPTS="-F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o UserKnownHostsFile=$K/known_hosts -o StrictHostKeyChecking=yes"
HAKO_SSH_COMMAND="ssh $SSHOPTS -i $K/user_key"
OTHER_SSH="ssh $SSHOPTS -i $K/other_key"
export HAKO_SSH_COMMAND
ME=$(id -un)
URL="ssh://$ME@127.0.0.1:$PORT$TRASH/src"

test_expect_success 'setup: a source workspace with two containers' '
	hako init -q src &&
	hako -C src write /etc/motd "hello" &&
	hako -C src commit -q -m motd &&
	hako -C src tag -m one v1 &&
	hako -C src new-container web &&
	hako -C src -c web write /srv/index.html "<h1>hi</h1>" &&
	hako -C src -c web commit -q -m index
'

test_expect_success 'ls-remote and clone over ssh: every container, trees equal' '
	hako ls-remote "$URL" >remote-refs &&
	hako ls-remote src >local-refs &&
	test_cmp local-refs remote-refs &&
	hako clone -q "$URL" dst &&
	for c in default web; do
		hako -C src -c $c export / "$TRASH/src-$c" &&
		hako -C dst -c $c export / "$TRASH/dst-$c" &&
		diff -r "src-$c" "dst-$c" || return 1
	done &&
	grep "Accepted publickey for $ME" sshd.log
'

test_expect_success 'push and fetch over ssh' '
	hako -C dst write /etc/motd "from dst" &&
	hako -C dst commit -q -m dst &&
	hako -C dst push &&
	test "$(hako -C src cat /etc/motd)" = "from dst" &&
	hako -C src -c web write /srv/b b &&
	hako -C src -c web commit -q -m b &&
	hako -C dst fetch &&
	test "$(hako -C dst -c web rev-parse refs/remotes/origin/main)" = "$(hako -C src -c web rev-parse HEAD)" &&
	hako -C dst fsck >/dev/null && hako -C src fsck >/dev/null
'

# Wrappers of the remote programs that keep what crossed the wire, in $K
# (the remote command line is split at spaces; the trash directory has one).
cat >"$K/tee-receive" <<EOF
#!/bin/sh
tee "$K/push.bytes" | hako receive-pack "\$@"
EOF
cat >"$K/tee-upload" <<EOF
#!/bin/sh
hako upload-pack "\$@" | tee "$K/fetch.bytes"
EOF
chmod +x "$K/tee-receive" "$K/tee-upload"
# pack_version FILE: the version field of the first pack in FILE.
pack_version () {
	python3 -c "import sys; b = open(sys.argv[1], 'rb').read(); i = b.find(b'HAKOPACK'); print(int.from_bytes(b[i + 8:i + 12], 'big') if i >= 0 else 'none')" "$1"
}

test_expect_success 'push and fetch over ssh send the compact stream (pack version 3), version 2 when the server turns it off' '
	test_when_finished "hako -C src config transfer.compactPack true" &&
	for v in 3 2; do
		hako -C dst write /etc/compact "push $v" && hako -C dst commit -q -m "push $v" &&
		hako -C dst push -q --receive-pack "$K/tee-receive" &&
		test "$(pack_version "$K/push.bytes")" = $v &&
		test "$(hako -C src cat /etc/compact)" = "push $v" &&
		hako -C src fsck >/dev/null &&
		hako -C src write /etc/back "fetch $v" && hako -C src commit -q -m "fetch $v" &&
		hako -C dst fetch -q --upload-pack "$K/tee-upload" &&
		test "$(pack_version "$K/fetch.bytes")" = $v &&
		test "$(hako -C dst rev-parse refs/remotes/origin/main)" = "$(hako -C src rev-parse HEAD)" &&
		hako -C dst merge origin/main >/dev/null &&
		hako -C dst fsck >/dev/null &&
		hako -C src config transfer.compactPack false || return 1
	done
'

test_expect_success 'shallow clone over ssh, then deepened to the whole history' '
	hako clone -q --depth 1 "$URL" shallow &&
	test -s shallow/.hako/shallow &&
	hako -C shallow log --oneline >log &&
	hako -C src log --oneline main >expect &&
	test $(wc -l <log) -lt $(wc -l <expect) &&
	grep "(grafted)" log &&
	hako -C shallow fetch -q --unshallow &&
	test_path_is_missing shallow/.hako/shallow &&
	hako -C shallow log --oneline origin/main >log &&
	test_cmp expect log &&
	hako -C shallow fsck >/dev/null
'

test_expect_success 'the remote program path is configurable (remote.NAME.uploadpack)' '
	hako -C dst remote add viapath "$URL" &&
	printf "[remote \"viapath\"]\n\tuploadpack = %s\n" "$HAKO_BUILD_DIR/hako upload-pack" >>dst/.hako/config &&
	hako -C dst fetch viapath &&
	hako -C dst -c web rev-parse refs/remotes/viapath/main >/dev/null &&
	test_must_fail hako -C dst fetch --upload-pack /nonexistent/hako viapath 2>err &&
	grep "^fatal: " err &&
	test_line_count = 1 err
'

test_expect_success 'authentication failure: one-line fatal naming the remote, nothing moved' '
	refs_before=$(hako -C dst show-ref | sort) &&
	test_must_fail env HAKO_SSH_COMMAND="$OTHER_SSH" hako -C dst fetch 2>err &&
	cat err &&
	test_line_count = 1 err &&
	grep "^fatal: $ME@127.0.0.1:$TRASH/src: .*Permission denied" err &&
	test "$(hako -C dst show-ref | sort)" = "$refs_before"
'

test_expect_success 'unreachable host and a path that is not a workspace' '
	dead=$(test_free_port) &&
	test_must_fail hako ls-remote "ssh://127.0.0.1:$dead/x" 2>err &&
	cat err &&
	test_line_count = 1 err &&
	grep "^fatal: 127.0.0.1:/x: .*Connection refused" err &&
	test_must_fail hako ls-remote "ssh://$ME@127.0.0.1:$PORT$TRASH/nothere" 2>err &&
	test_line_count = 1 err &&
	grep "does not appear to be a hako workspace" err
'

stop_sshd
test_done
