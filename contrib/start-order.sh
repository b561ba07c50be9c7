#!/bin/sh
# start-order.sh [FILE]
# Write FILE (contrib/start-order.txt): the functions that the start of common
# commands runs (valgrind's callgrind on target/dist/hako), first met first.
# `make dist` hands the list to the linker (lld's --symbol-ordering-file),
# which puts those functions together at the front of .text, so a start
# faults in fewer pages of code (`rev-parse HEAD`: 164 page faults -> 128;
# git 141-145). A name the build no longer has is skipped: a stale list costs
# only speed. Run it again after a toolchain or dependency update:
#   make dist && sh contrib/start-order.sh && make dist
set -e
case ${1:-} in
'') OUT=$(cd "$(dirname "$0")" && pwd)/start-order.txt ;;
/*) OUT=$1 ;;
*) OUT=$PWD/$1 ;;
esac
cd "$(dirname "$0")/.."
HAKO=${HAKO:-$PWD/target/dist/hako}
command -v valgrind >/dev/null || { echo "start-order.sh: valgrind is needed" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export HAKO_AUTHOR_NAME=order HAKO_AUTHOR_EMAIL=order@localhost
echo x >"$T/x"
"$HAKO" init -q --empty "$T/ws"
(cd "$T/ws" && "$HAKO" import "$T/x" /x >/dev/null && "$HAKO" commit -q -m x)

# run ARGS...: one start of hako under callgrind.
run () {
	valgrind --tool=callgrind --demangle=no --callgrind-out-file="$T/cg.%p" \
		"$HAKO" "$@" >/dev/null 2>&1 </dev/null || true
}
run --version
run -C "$T/ws" rev-parse HEAD
run -C "$T/ws" cat-file -p HEAD
run -C "$T/ws" ls-tree HEAD
run -C "$T/ws" show-ref
run -C "$T/ws" cat /x
run -C "$T/ws" ls /
run hash-object "$T/x"

python3 - "$T" "$(basename "$HAKO")" >"$OUT" <<'PY'
import glob, os, re, sys
tmp, binary = sys.argv[1], sys.argv[2]
order, seen = [], set()
for path in sorted(glob.glob(os.path.join(tmp, "cg.*")), key=os.path.getmtime):
    names, obj = {}, None
    for line in open(path):
        m = re.match(r"(ob|fn|cob|cfn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if not m:
            continue
        kind, key, name = m.groups()
        table = "ob" if kind in ("ob", "cob") else "fn"
        if name:
            names[table + key] = name
        if kind == "ob":
            obj = names.get("ob" + key)
        elif kind == "fn" and obj and os.path.basename(obj) == binary:
            # callgrind marks a function's second context (recursion) 'N.
            fn = re.sub(r"'\d+$", "", names["fn" + key])
            # Code without a symbol is named by its address or "(below main)".
            if fn.startswith("0x") or " " in fn:
                continue
            if fn not in seen:
                seen.add(fn)
                order.append(fn)
print("\n".join(order))
PY
echo "start-order.sh: $(wc -l <"$OUT") functions in $OUT"
