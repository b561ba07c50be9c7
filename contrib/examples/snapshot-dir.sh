#!/bin/sh
# snapshot-dir.sh HOSTDIR [BRANCH]: commit the current state of a host
# directory onto BRANCH (default "snapshots") of the active container, using
# plumbing only. Run it from cron; unchanged directories make no new commit.
#   write-tree      imports the directory (content-addressed: unchanged files cost nothing)
#   commit-tree     makes the commit, with the previous snapshot as parent
#   update-ref      moves the branch with compare-and-swap (safe against a concurrent run)
# Like commit, it needs an identity: HAKO_AUTHOR_NAME and HAKO_AUTHOR_EMAIL, or
# user.name and user.email in .hako/config or ~/.config/hako/config.
set -eu
dir=${1:?usage: snapshot-dir.sh HOSTDIR [BRANCH]}
branch=${2:-snapshots}
ref=refs/heads/$branch
tree=$(hako write-tree "$dir")
if old=$(hako rev-parse --verify -q "$ref"); then
	if [ "$(hako rev-parse "$old^{tree}")" = "$tree" ]; then
		echo "unchanged: $branch is $(hako rev-parse --short "$old")"
		exit 0
	fi
	commit=$(hako commit-tree "$tree" -p "$old" -m "snapshot of $dir at $(date -u +%FT%TZ)")
	hako update-ref -m "snapshot" "$ref" "$commit" "$old"
else
	commit=$(hako commit-tree "$tree" -m "first snapshot of $dir")
	hako update-ref -m "snapshot" "$ref" "$commit" ""
fi
hako diff-tree -r --name-status "${old:-$(hako rev-parse "$commit^{tree}")}" "$commit" | head -n 20
echo "$branch is now $(hako rev-parse --short "$commit")"
