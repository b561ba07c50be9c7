#!/bin/sh
# Issue 12: sync over ssh against a real sshd on 127.0.0.1 — clone of the
# 100k-file tree and push of a 1-file change, hako vs git on the same
# content: wall time, and bytes on the wire both ways (counted by a proxy
# between the client and ssh, in separate runs from the timed ones).
. "$(dirname "$0")/lib.sh"

if ! ensure_tool /usr/sbin/sshd openssh-server && ! test -x /usr/sbin/sshd; then
	echo "(sync: sshd not available, section skipped)"; exit 0
fi
T="$WORK/tree/files"
if ! test -f "$WORK/tree/files.done"; then
	sh "$BENCH_DIR/tree.sh" >/dev/null 2>&1 || true
fi
D="$WORK/sync"
rm -rf "$D" && mkdir -p "$D"
K=$(mktemp -d /tmp/hako-bench-sshd.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N "" -f "$K/host_key" && ssh-keygen -q -t ed25519 -N "" -f "$K/user_key"
cp "$K/user_key.pub" "$K/authorized_keys" && chmod 600 "$K/authorized_keys"
HBIN=$(cd "$(dirname "$HAKO")" && pwd)
cat >"$K/sshd_config" <<EOF2
Port $PORT
ListenAddress 127.0.0.1
HostKey $K/host_key
AuthorizedKeysFile $K/authorized_keys
PidFile $K/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin yes
StrictModes no
UsePAM no
SetEnv PATH=$HBIN:$(dirname "$(command -v git)"):/usr/bin:/bin
EOF2
/usr/sbin/sshd -f "$K/sshd_config" -E "$K/sshd.log" || { echo "(sync: sshd failed to start)"; exit 0; }
trap 'kill $(cat "$K/sshd.pid") 2>/dev/null; rm -rf "$K"' EXIT
for i in $(seq 1 50); do test -s "$K/sshd.pid" && break; sleep 0.1; done
echo "[127.0.0.1]:$PORT $(cat "$K/host_key.pub")" >"$K/known_hosts"
SSH="ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o UserKnownHostsFile=$K/known_hosts -o StrictHostKeyChecking=yes -i $K/user_key"
# The counting stand-in: ssh with its stdin and stdout bytes added to $K/wire.
cat >"$K/count.py" <<'PY'
import os, subprocess, sys, threading
p = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
n = [0, 0]
def pump(src, dst, i):
    while True:
        b = os.read(src, 65536)
        if not b: break
        n[i] += len(b); os.write(dst, b)
    os.close(dst)
t = threading.Thread(target=pump, args=(0, p.stdin.fileno(), 0), daemon=True); t.start()
pump(p.stdout.fileno(), 1, 1)
rc = p.wait()
with open(sys.argv[1], "a") as f: f.write("%d %d\n" % (n[0], n[1]))
sys.exit(rc)
PY
export HAKO_SSH_COMMAND="$SSH" GIT_SSH_COMMAND="$SSH"
COUNT_H="python3 $K/count.py $K/wire $SSH"
ME=$(id -un)

n=$(find "$T" -type f | wc -l)
echo "inputs: $n files; sshd on 127.0.0.1:$PORT; $(git --version)"
$HAKO init -q --empty "$D/hsrc"
(cd "$D/hsrc" && $HAKO import "$T" /data >/dev/null && $HAKO commit -q -m import) || { echo "(sync: import failed)"; exit 0; }
git init -q --bare "$D/gsrc.git"
git -c gc.auto=0 --git-dir="$D/gsrc.git" --work-tree="$T" add -A
git -c gc.auto=0 --git-dir="$D/gsrc.git" --work-tree="$T" commit -q -m import
git --git-dir="$D/gsrc.git" gc -q
(cd "$D/hsrc" && $HAKO gc -q)

table_header "sync over ssh (issue 12)"
compare "clone over ssh ($n files) vs git clone" \
	"rm -rf $D/hc $D/gc" \
	"$HAKO clone -q ssh://$ME@127.0.0.1:$PORT$D/hsrc $D/hc" \
	git "git clone -q --no-checkout ssh://$ME@127.0.0.1:$PORT$D/gsrc.git $D/gc"
rm -rf "$D/hc" "$D/gc"
$HAKO clone -q "ssh://$ME@127.0.0.1:$PORT$D/hsrc" "$D/hc" || { echo "(sync: clone failed)"; exit 0; }
git clone -q "ssh://$ME@127.0.0.1:$PORT$D/gsrc.git" "$D/gc" 2>/dev/null
f=$(cd "$T" && find . -type f | sort | awk 'NR == 4242' | sed 's|^\./||')
k=0
compare "push of a 1-file change over ssh vs git push" \
	"k=\$((k+1)); cd $D/hc && echo \"change \$k\" >>$D/one && $HAKO write /data/$f --from $D/one && $HAKO commit -q -m c\$k; cd - >/dev/null" \
	"cd $D/hc && $HAKO push -q; cd - >/dev/null" \
	git "cd $D/gc && git push -q; cd - >/dev/null" \
	"k=\$((k+1)); cd $D/gc && echo \"change \$k\" >>$f && git commit -q -a -m c\$k; cd - >/dev/null"
# Bytes on the wire for one more 1-file change each.
echo "change bytes" >>"$D/one"
(cd "$D/hc" && $HAKO write "/data/$f" --from "$D/one" && $HAKO commit -q -m bytes)
(cd "$D/gc" && echo "change bytes" >>"$f" && git commit -q -a -m bytes)
: >"$K/wire"
(cd "$D/hc" && HAKO_SSH_COMMAND="$COUNT_H" $HAKO push -q) || echo "bench: hako push failed" >&2
hw=$(awk '{s += $1 + $2} END {print s}' "$K/wire")
: >"$K/wire"
(cd "$D/gc" && GIT_SSH_COMMAND="$COUNT_H" git push -q) || echo "bench: git push failed" >&2
gw=$(awk '{s += $1 + $2} END {print s}' "$K/wire")
awk -v h="$hw" -v g="$gw" 'BEGIN { printf "| bytes on the wire, push of a 1-file change: hako %d, git %d | ratio %.2f |\n", h, g, h / g }'
: >"$K/wire"
(cd "$D/hc" && HAKO_SSH_COMMAND="$COUNT_H" $HAKO fetch -q) || echo "bench: hako fetch failed" >&2
hw=$(awk '{s += $1 + $2} END {print s}' "$K/wire")
: >"$K/wire"
(cd "$D/gc" && GIT_SSH_COMMAND="$COUNT_H" git fetch -q) || echo "bench: git fetch failed" >&2
gw=$(awk '{s += $1 + $2} END {print s}' "$K/wire")
awk -v h="$hw" -v g="$gw" 'BEGIN { printf "| bytes on the wire, fetch with nothing new: hako %d, git %d | ratio %.2f |\n", h, g, h / g }'
