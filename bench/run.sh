#!/bin/sh
# make bench: every benchmark section, one table each. Figures, never pass/fail.
cd "$(dirname "$0")" || exit 1
echo "# hako benchmarks — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r)"
for s in start.sh hash.sh tree.sh porcelain.sh packs.sh merge.sh oci.sh sandbox.sh runtime.sh cache.sh debian.sh image.sh sync.sh dumb-http.sh s3.sh apply.sh; do
	if test -f "$s"; then
		"./$s" || echo "(section $s failed)"
	fi
done
