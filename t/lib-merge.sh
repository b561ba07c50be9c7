# Helpers for merge tests: build small trees from the entry notation of
# format-spec/merge.md (Test vectors) with hash-object and mktree.
# Every tree built here holds the entry `keep` (never changed) and, unless the
# spec is `-`, the entry `p` described by the spec. Run inside a workspace.

ZERO_ID=0000000000000000000000000000000000000000000000000000000000000000

# blob TEXT: store TEXT (printf %b escapes) plus a final LF, print the id.
blob () {
	printf '%b\n' "$1" | hako hash-object -w --stdin
}

# ent SPEC NAME: the ls-tree line of entry NAME described by SPEC.
ent () {
	_k=${1%%:*} _v=${1#*:}
	case "$_k" in
	f) printf '100644 blob %s\t%s\n' "$(blob "$_v")" "$2" ;;
	x) printf '100755 blob %s\t%s\n' "$(blob "$_v")" "$2" ;;
	r) printf '100600 blob %s\t%s\n' "$(blob "$_v")" "$2" ;;
	u5) printf '100644 blob %s uid=5\t%s\n' "$(blob "$_v")" "$2" ;;
	u6) printf '100644 blob %s uid=6\t%s\n' "$(blob "$_v")" "$2" ;;
	bin) printf '100644 blob %s\t%s\n' "$(blob "\\0$_v")" "$2" ;;
	l) printf '120777 blob %s\t%s\n' "$(printf %s "$_v" | hako hash-object -w --stdin)" "$2" ;;
	c) printf '020644 none %s rdev=%s\t%s\n' $ZERO_ID "$_v" "$2" ;;
	d) printf '040755 tree %s\t%s\n' "$(subtree "$_v")" "$2" ;;
	*) echo "bad spec $1" >&2; return 1 ;;
	esac
}

# subtree NAME=TEXT,NAME=TEXT...: a tree of 100644 files.
subtree () {
	echo "$1" | tr , '\n' | while IFS== read -r _n _t; do
		test -n "$_n" && ent "f:$_t" "$_n"
	done | hako mktree
}

# tree SPEC: the tree of `keep` and `p` (SPEC `-`: `keep` alone).
tree () {
	{
		ent f:keep keep
		test "$1" = - || ent "$1" p
	} | sort -t "	" -k2 | hako mktree
}

# stage N SPEC: the merge-tree stage line of `p` for SPEC (nothing for `-`).
stage () {
	test "$2" = - && return 0
	ent "$2" p | sed -e "s/^\([0-7]*\) [a-z]* \([0-9a-f]*\)[^	]*	/\1 \2 $1	/"
}
