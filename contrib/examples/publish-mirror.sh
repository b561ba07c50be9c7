#!/bin/sh
# publish-mirror.sh MIRRORDIR: publish the current workspace as a read-only
# mirror that any static web server can serve (dumb HTTP, format-spec/dumb-http.md).
#   init --empty        the mirror workspace, the first time
#   push --all --tags   every branch and tag of every container (a thin pack
#                       of what the mirror lacks); --force: the mirror follows
#   update-server-info  the files a dumb-HTTP client reads (info/refs,
#                       objects/info/packs); receive-pack also refreshes them
#                       on every later push into a workspace that has them
# Serve MIRRORDIR/.hako/ as static files; clients run
#   hako clone http://HOST/PATH/.hako
set -eu
mirror=${1:?usage: publish-mirror.sh MIRRORDIR}
if [ ! -f "$mirror/.hako/config" ]; then
	hako init -q --empty "$mirror"
	hako -C "$mirror" update-server-info >/dev/null
fi
hako push -q --force --all --tags "$mirror"
hako -C "$mirror" update-server-info
