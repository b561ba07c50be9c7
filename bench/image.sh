#!/bin/sh
# Images out: pushing a 1-file change on a pulled 100 MB image (time and
# bytes uploaded) against skopeo copy of the same image made with umoci,
# and making the layer of a 100,000-file tree against tar | gzip of it.
#
#   bench/image.sh      (IMG_MB=100, IMG_FILES=100000, BENCH_RUNS=5)
#
# Figures, never pass/fail; a failed timed command is reported, not timed.
. "$(dirname "$0")/lib.sh"
MB=${IMG_MB:-100}
FILES=${IMG_FILES:-100000}

need_release image
need_tools image docker-registry skopeo umoci python3
W=$WORK/image
rm -rf "$W" && mkdir -p "$W" || exit 1
start_registry "$W/reg" || { echo "# image: skipped, the registry did not start"; exit 0; }

# The base image: MB of incompressible files (100 KiB each), made by umoci.
cd "$W" || exit 1
umoci init --layout img >/dev/null && umoci new --image img:base >/dev/null &&
	umoci unpack --image img:base b >/dev/null || exit 1
mkdir -p b/rootfs/data b/rootfs/etc && i=0 && while test $i -lt $((MB * 10)); do
	head -c 102400 /dev/urandom >b/rootfs/data/f$i
	i=$((i + 1))
done
echo base >b/rootfs/etc/conf
umoci repack --image img:base b >/dev/null &&
	skopeo copy -q --dest-tls-verify=false oci:img:base "docker://$R/b/base:1" || exit 1
H="$HAKO -C $W/ws"
$HAKO init -q "$W/ws" && $H pull -q --as app "$R/b/base:1" || exit 1
# The same 1-file change, on both sides.
head -c 1024 /dev/urandom >"$W/change"
H="$H -c app"
$H import "$W/change" /etc/conf >/dev/null && $H commit -q -m change || exit 1
cp "$W/change" b/rootfs/etc/conf
t0=$(now_ns)
umoci repack --image img:changed b >/dev/null || exit 1
t1=$(now_ns)
repack_ns=$((t1 - t0))

table_header "image push: a 1-file change (1 KiB) on a pulled $MB MB image"
# Each run pushes to a fresh repository of the same registry: the base
# layers are mounted (hako) or found (skopeo), only the change is sent.
n=0
compare "push of the change (layer made + sent)" \
	"n=\$((n + 1))" \
	"$H image push -q $R/h/app\$n:1" \
	"skopeo" "skopeo copy -q --dest-tls-verify=false oci:img:changed docker://$R/s/app\$n:1"
$H image push "$R/h/bytes:1" 2>"$W/push.log" >/dev/null
sent=$(awk '/^uploaded/ { gsub(/[()]/, "", $3); s += $3 } END { print s + 0 }' "$W/push.log")
manifest=$(skopeo inspect --raw --tls-verify=false "docker://$R/h/bytes:1" | wc -c)
echo "(bytes uploaded by hako: $sent in blobs + $manifest of manifest, for a 1024-byte change: $((sent + manifest - 1024)) over; umoci repack of the change took $(fmt_ms $repack_ns))"

# The layer of a 100,000-file tree (100 dirs of 1,000 files of 100 bytes).
small_files "$W/many" "$FILES" 100 4
$HAKO init -q --empty "$W/ws2" && $HAKO -C "$W/ws2" import --owners "$W/many" / >/dev/null &&
	$HAKO -C "$W/ws2" commit -q -m many || exit 1
table_header "layer of a $FILES-file tree"
compare "image save (layer made, gzip)" \
	"rm -rf $W/out" \
	"$HAKO -C $W/ws2 image save -q --oci $W/out" \
	"tar|gzip" "tar -C $W/many -cf - . | gzip -6 >$W/many.tgz" \
	"rm -f $W/many.tgz"
cd / && rm -rf "$W"
