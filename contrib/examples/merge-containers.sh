#!/bin/sh
# merge-containers.sh FROM[:BRANCH] INTO[:BRANCH]: merge a branch of one
# container into a branch of another (both default to the container's
# current branch), with plumbing only and without touching any working root:
#   rev-parse -c C   reads a container's branch (objects are shared by all
#                    containers of a workspace, so the commits meet directly)
#   merge-tree       merges the two commits (base computed) into a tree;
#                    exit 1 and the conflicted paths when they conflict
#   commit-tree      records the merge with both parents
#   update-ref       moves INTO's branch with compare-and-swap
# The target container's working root is left alone: if BRANCH is checked
# out there, 'hako -c INTO reset --hard' (or status/diff) shows the result.
set -eu
from=${1:?usage: merge-containers.sh FROM[:BRANCH] INTO[:BRANCH]}
into=${2:?usage: merge-containers.sh FROM[:BRANCH] INTO[:BRANCH]}
fc=${from%%:*} fb=${from#*:}
ic=${into%%:*} ib=${into#*:}
[ "$fb" = "$from" ] && fb=$(hako -c "$fc" symbolic-ref --short HEAD)
[ "$ib" = "$into" ] && ib=$(hako -c "$ic" symbolic-ref --short HEAD)
theirs=$(hako -c "$fc" rev-parse --verify "refs/heads/$fb")
ours=$(hako -c "$ic" rev-parse --verify "refs/heads/$ib")
if hako -c "$ic" merge-base --is-ancestor "$theirs" "$ours"; then
	echo "$ic:$ib already contains $fc:$fb"
	exit 0
fi
if ! tree=$(hako -c "$ic" merge-tree --write-tree --messages "$ours" "$theirs"); then
	echo "conflicts merging $fc:$fb into $ic:$ib; nothing changed:" >&2
	printf '%s\n' "$tree" | sed -n 's/^CONFLICT/  CONFLICT/p' >&2
	exit 1
fi
tree=$(printf '%s\n' "$tree" | head -n 1)
commit=$(hako -c "$ic" commit-tree "$tree" -p "$ours" -p "$theirs" -m "Merge $fc:$fb into $ic:$ib")
hako -c "$ic" update-ref -m "merge-containers $fc:$fb" "refs/heads/$ib" "$commit" "$ours"
echo "$ic:$ib is now $(hako rev-parse --short "$commit")"
