#!/bin/sh
# Issue 13: pull of a multi-layer image (~100 MB: a root filesystem as one
# layer plus two small layers) from a loopback registry, against skopeo copy +
# umoci unpack --rootless; bytes stored for a related second image (the base
# plus one layer that changes a few bytes in many large files) against its
# compressed layers; and for the same files rebuilt as one unrelated layer.
. "$(dirname "$0")/lib.sh"

D="$WORK/oci"
mkdir -p "$D"
for t in docker-registry:docker-registry skopeo:skopeo umoci:umoci python3:python3; do
	if ! ensure_tool "${t%%:*}" "${t#*:}"; then
		echo "(oci: ${t%%:*} is not installed and cannot be: section skipped)"
		exit 0
	fi
done

# The root filesystem: a debootstrap minbase when possible (cached), else
# ~100 MB of this machine's Python libraries (real files of every size).
ROOT="$D/root"
if ! test -f "$D/root.done"; then
	rm -rf "$ROOT"
	if test "$(id -u)" = 0 && command -v debootstrap >/dev/null 2>&1 &&
	   timeout 900 debootstrap --variant=minbase stable "$ROOT" \
		${HAKO_BENCH_DEBIAN_MIRROR-} >"$D/debootstrap.log" 2>&1; then
		# As Debian's own images: no package cache, no package lists.
		rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/cache/apt/*.bin \
			"$ROOT"/var/lib/apt/lists/*
		echo "debootstrap minbase" >"$D/root.done"
	else
		rm -rf "$ROOT" && mkdir -p "$ROOT/usr/lib" "$ROOT/etc" &&
		cp -a /usr/lib/python3 /usr/lib/python3.* "$ROOT/usr/lib/" 2>/dev/null
		echo "host Python libraries (debootstrap unavailable)" >"$D/root.done"
	fi
fi

# The registry.
rm -rf "$D/reg"
start_registry "$D/reg" || { echo "(oci: the registry did not start: section skipped)"; exit 0; }

# Images: base = root + /etc change + a small app; next = base + an upgrade
# layer rewriting the 200 largest files with one byte changed mid-file.
# Each layer is the diff of a fresh unpack of the one before.
L="$D/layout"
rm -rf "$L" "$D/b0" "$D/b1" "$D/b2" "$D/n"
umoci init --layout "$L" && umoci new --image "$L:l0" >/dev/null &&
umoci unpack --image "$L:l0" "$D/b0" >/dev/null &&
rmdir "$D/b0/rootfs" && cp -a "$ROOT" "$D/b0/rootfs" &&
umoci repack --image "$L:l1" "$D/b0" >/dev/null &&
umoci unpack --image "$L:l1" "$D/b1" >/dev/null &&
mkdir -p "$D/b1/rootfs/etc" && echo bench >"$D/b1/rootfs/etc/hostname" &&
umoci repack --image "$L:l2" "$D/b1" >/dev/null &&
umoci unpack --image "$L:l2" "$D/b2" >/dev/null &&
mkdir -p "$D/b2/rootfs/opt/app" && seq 1 20000 >"$D/b2/rootfs/opt/app/data" &&
umoci repack --image "$L:base" "$D/b2" >/dev/null &&
rm -rf "$D/b0" "$D/b1" "$D/b2" &&
umoci unpack --image "$L:base" "$D/n" >/dev/null &&
(cd "$D/n/rootfs" && find . -type f -size +64k -printf '%s %p\n' | sort -rn | head -n 200 | cut -d' ' -f2-) >"$D/changed" &&
python3 - "$D/n/rootfs" "$D/changed" <<'PY' &&
import os, sys
root = sys.argv[1]
for line in open(sys.argv[2]):
    p = os.path.join(root, line.rstrip("\n"))
    with open(p, "r+b") as f:
        f.seek(os.path.getsize(p) // 2)
        b = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([(b[0] + 1) % 256]))
PY
umoci repack --image "$L:next" "$D/n" >/dev/null ||
	{ echo "(oci: building the images failed: section skipped)"; exit 0; }
rm -rf "$D/n"
# flat: the base's files rebuilt as one layer, as another build of the same
# root would be: no layer digest in common with base.
umoci new --image "$L:f0" >/dev/null && umoci unpack --image "$L:f0" "$D/f" >/dev/null &&
rmdir "$D/f/rootfs" && umoci unpack --image "$L:base" "$D/fb" >/dev/null &&
mv "$D/fb/rootfs" "$D/f/rootfs" && rm -rf "$D/fb" &&
umoci repack --image "$L:flat" "$D/f" >/dev/null && rm -rf "$D/f" ||
	{ echo "(oci: building the images failed: section skipped)"; exit 0; }
skopeo copy -q --dest-tls-verify=false "oci:$L:base" "docker://$R/bench/base:1" >/dev/null &&
skopeo copy -q --dest-tls-verify=false "oci:$L:next" "docker://$R/bench/next:1" >/dev/null &&
skopeo copy -q --dest-tls-verify=false "oci:$L:flat" "docker://$R/bench/flat:1" >/dev/null ||
	{ echo "(oci: pushing failed: section skipped)"; exit 0; }

layers () {
	skopeo inspect --raw --tls-verify=false "docker://$R/$1" |
	python3 -c "import json,sys; m=json.load(sys.stdin); print(len(m['layers']), sum(l['size'] for l in m['layers']), m['layers'][-1]['size'])"
}
set -- $(layers bench/base:1); base_n=$1 base_bytes=$2
set -- $(layers bench/next:1); next_n=$1 next_bytes=$2 next_last=$3
files=$(find "$ROOT" -type f | wc -l)
echo "inputs: root filesystem $(cat "$D/root.done"), $files files, $(du -sb "$ROOT" | cut -f1) bytes;" \
	"base image $base_n layers, $base_bytes bytes compressed; next image $next_n layers, $next_bytes bytes (its own layer $next_last)"
echo "peers: $(skopeo --version), $(umoci --version)"

table_header "OCI pull (issue 13)"
compare "pull $base_n-layer image vs skopeo copy + umoci unpack" \
	"rm -rf $D/h && $HAKO init -q --empty $D/h" \
	"$HAKO -C $D/h pull -q $R/bench/base:1" \
	skopeo+umoci "skopeo copy -q --src-tls-verify=false docker://$R/bench/base:1 oci:$D/p:x && umoci unpack --rootless --image $D/p:x $D/p.bundle" \
	"rm -rf $D/p $D/p.bundle"

# Storage: the second image into the same workspace.
rm -rf "$D/h" && $HAKO init -q --empty "$D/h"
(cd "$D/h" && $HAKO pull -q $R/bench/base:1)
s0=$(du -sb "$D/h/.hako/objects" | cut -f1)
out=$(cd "$D/h" && $HAKO pull $R/bench/next:1 | tail -n 1)
s1=$(du -sb "$D/h/.hako/objects" | cut -f1)
stored=$((s1 - s0))
printf '\n| %-58s | %14s |\n' "storage (bytes)" "value"
printf '|%s|%s|\n' "------------------------------------------------------------" "----------------"
printf '| %-58s | %14s |\n' "base image: compressed layers" "$base_bytes"
printf '| %-58s | %14s |\n' "base image: hako objects after pull" "$s0"
printf '| %-58s | %14s |\n' "second image: compressed layers (all $next_n)" "$next_bytes"
printf '| %-58s | %14s |\n' "second image: its own (changed) layer" "$next_last"
printf '| %-58s | %14s |\n' "second image: hako bytes stored" "$stored"
awk -v s="$stored" -v a="$next_bytes" -v l="$next_last" 'BEGIN {
	printf "| %-58s | %14.4f |\n", "ratio stored / second image layers (goal <= 0.5)", s / a
	printf "| %-58s | %14.4f |\n", "ratio stored / its changed layer", s / l
}'
echo "hako: $out"

# The same files in an unrelated layer: OCI stores the layer again.
set -- $(layers bench/flat:1); flat_bytes=$2
s2=$(du -sb "$D/h/.hako/objects" | cut -f1)
out=$(cd "$D/h" && $HAKO pull $R/bench/flat:1 | tail -n 1)
s3=$(du -sb "$D/h/.hako/objects" | cut -f1)
printf '\n| %-58s | %14s |\n' "same files, rebuilt as one layer (bytes)" "value"
printf '|%s|%s|\n' "------------------------------------------------------------" "----------------"
printf '| %-58s | %14s |\n' "flat image: compressed layer (no digest shared)" "$flat_bytes"
printf '| %-58s | %14s |\n' "flat image: hako bytes stored" "$((s3 - s2))"
awk -v s="$((s3 - s2))" -v a="$flat_bytes" 'BEGIN { printf "| %-58s | %14.4f |\n", "ratio stored / its layer", s / a }'
echo "hako: $out"
