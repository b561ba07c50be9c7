#!/bin/sh
# pre-receive-check.sh [MAX_BYTES]: a pre-receive style policy check. Reads
# "OLD NEW REF" lines on stdin (the shape of push commands: zero ids for a
# created or deleted ref) and refuses, with exit 1 and one line per
# violation, when a commit new to REF
#   - adds or changes a file larger than MAX_BYTES (default 10 MiB), or
#   - touches /etc/shadow or /etc/gshadow, or
#   - has an empty message.
# Plumbing used: rev-list (the new commits: NEW ^OLD), diff-tree -r (what each
# changes), ls-tree (sizes), cat-file (messages).
set -eu
max=${1:-10485760}
zero=0000000000000000000000000000000000000000000000000000000000000000
empty=$(printf '' | hako mktree)
fails=$(mktemp)
trap 'rm -f "$fails"' EXIT
while read -r old new ref; do
	[ "$new" = "$zero" ] && continue
	if [ "$old" = "$zero" ]; then range="$new"; else range="$new ^$old"; fi
	# shellcheck disable=SC2086
	for c in $(hako rev-list $range); do
		short=$(hako rev-parse --short "$c")
		if [ -z "$(hako cat-file -p "$c" | sed '1,/^$/d' | tr -d '[:space:]')" ]; then
			echo "$ref: $short has an empty message"; echo x >>"$fails"
		fi
		base=$(hako rev-parse --verify -q "$c^1" 2>/dev/null || echo "$empty")
		hako diff-tree -r --name-status "$base" "$c" | while IFS="$(printf '\t')" read -r st path; do
			case "$st" in D) continue ;; esac
			case "/$path" in
			/etc/shadow|/etc/gshadow) echo "$ref: $short touches /$path"; echo x >>"$fails" ;;
			esac
			size=$(hako ls-tree -l "$c" "/$path" | awk '{print $4}')
			if [ "${size:-0}" != "-" ] && [ "${size:-0}" -gt "$max" ]; then
				echo "$ref: $short adds /$path of $size bytes (limit $max)"; echo x >>"$fails"
			fi
		done
	done
done
[ ! -s "$fails" ]
