# Helpers for the OCI pull tests: a throwaway docker-registry on 127.0.0.1,
# images built with umoci and pushed with skopeo.

test_lazy_prereq REGISTRY 'command -v docker-registry >/dev/null 2>&1'
test_prereq_reason REGISTRY "docker-registry is not installed (apt-get install docker-registry)"
test_lazy_prereq UMOCI 'command -v umoci >/dev/null 2>&1 && command -v skopeo >/dev/null 2>&1'
test_prereq_reason UMOCI "umoci and skopeo are not installed (apt-get install umoci skopeo)"
test_lazy_prereq BCRYPT 'python3 -W ignore -c "import crypt; assert crypt.crypt(\"x\", crypt.mksalt(crypt.METHOD_BLOWFISH))"'
test_prereq_reason BCRYPT "python3 has no crypt module with bcrypt (an htpasswd file for the registry needs it)"
test_lazy_prereq PYTHON 'command -v python3 >/dev/null 2>&1'
# OCI: what a test of a registry needs.
if test_have_prereq REGISTRY,UMOCI,ROOT,PYTHON; then
	test_set_prereq OCI
else
	test_prereq_reason OCI "needs root, docker-registry, umoci, skopeo and python3 (apt-get install docker-registry umoci skopeo)"
fi

# Registries started by this script, stopped when it exits.
registry_pids=
stop_registries () {
	for p in $registry_pids; do kill "$p" 2>/dev/null; done
	registry_pids=
}
trap stop_registries EXIT

# start_registry NAME [AUTH-YAML-FILE]: a registry storing under NAME/data,
# listening on a free port written to NAME/port; waits until it answers.
start_registry () {
	serve_registry "$1" "$2" true
}

# start_auth_registry NAME: start_registry with basic auth (an htpasswd
# file): user alice, password s3cret (needs BCRYPT).
start_auth_registry () {
	python3 -W ignore -c "import crypt; print(\"alice:\" + crypt.crypt(\"s3cret\", crypt.mksalt(crypt.METHOD_BLOWFISH)))" >"$1.htpasswd" &&
	cat >"$1.auth.yml" <<-EOF &&
	auth:
	  htpasswd:
	    realm: hako-test
	    path: $PWD/$1.htpasswd
	EOF
	start_registry "$1" "$1.auth.yml"
}

# start_logged_registry NAME: start_registry with its access log on, in
# NAME/log (to count requests).
start_logged_registry () {
	serve_registry "$1" "" false
}

# serve_registry NAME AUTH-YAML-FILE ACCESSLOG-DISABLED
serve_registry () {
	mkdir -p "$1/data" &&
	port=$(test_free_port) &&
	{
		echo "version: 0.1"
		echo "log:"
		echo "  level: error"
		echo "  accesslog:"
		echo "    disabled: $3"
		echo "storage:"
		echo "  filesystem:"
		echo "    rootdirectory: $PWD/$1/data"
		echo "  delete:"
		echo "    enabled: true"
		echo "http:"
		echo "  addr: 127.0.0.1:$port"
		test -z "$2" || cat "$2"
	} >"$1/config.yml" &&
	echo "$port" >"$1/port" &&
	{ docker-registry serve "$1/config.yml" >"$1/log" 2>&1 & echo $! >"$1/pid"; } &&
	registry_pids="$registry_pids $(cat "$1/pid")" &&
	python3 - "$port" <<-\PY
	import sys, time, urllib.request, urllib.error
	for _ in range(100):
	    try:
	        urllib.request.urlopen("http://127.0.0.1:%s/v2/" % sys.argv[1], timeout=1)
	        sys.exit(0)
	    except urllib.error.HTTPError:
	        sys.exit(0)  # 401 from an auth-enabled registry: it is up
	    except Exception:
	        time.sleep(0.1)
	sys.exit("registry did not start")
	PY
}

# push LAYOUT:TAG REGISTRY-DIR REPO:TAG [skopeo options]
push () {
	src=$1 reg=$2 dst=$3
	shift 3
	skopeo copy -q --dest-tls-verify=false "$@" "oci:$src" \
		"docker://127.0.0.1:$(cat "$reg/port")/$dst" >/dev/null
}

# mktar OUT.tar: lines on stdin as in helpers/mktar.py.
mktar () {
	python3 "$TEST_DIRECTORY"/helpers/mktar.py "$1"
}

fslist () {
	python3 "$TEST_DIRECTORY"/helpers/fslist.py "$@"
}

# same_as_umoci DIR UNPACKED [PATTERN]: the fslist of DIR (left in "actual")
# equals that of UNPACKED/rootfs; their times too, but for dev/ (no layer
# names it: umoci creates it at the time of the unpack, hako records none),
# the root (whose time umoci changes by creating dev/: format-spec/oci.md)
# and the paths the grep PATTERN matches.
same_as_umoci () {
	fslist "$1" >actual &&
	fslist "$2/rootfs" >expect &&
	test_cmp expect actual &&
	fslist --mtime "$1" | grep -v "^\. dir\|^dev dir${3:+\\|$3}" >actual.t &&
	fslist --mtime "$2/rootfs" | grep -v "^\. dir\|^dev dir${3:+\\|$3}" >expect.t &&
	test_cmp expect.t actual.t
}

# unpack_ref REGISTRY-DIR REPO:TAG DIR: what skopeo copy + umoci unpack give.
unpack_ref () {
	rm -rf "$3.oci" "$3" &&
	skopeo copy -q --src-tls-verify=false \
		"docker://127.0.0.1:$(cat "$1/port")/$2" "oci:$3.oci:x" >/dev/null &&
	umoci unpack --image "$3.oci:x" "$3" >/dev/null
}

# layer_digest REGISTRY-DIR REPO:TAG N: the digest of the image's Nth layer.
layer_digest () {
	skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$(cat "$1/port")/$2" |
	python3 -c "import json,sys; print(json.load(sys.stdin)['layers'][$3-1]['digest'])"
}

# blob_file REGISTRY-DIR DIGEST: where the registry keeps a blob's bytes.
blob_file () {
	hex=${2#sha256:}
	echo "$1/data/docker/registry/v2/blobs/sha256/$(echo $hex | cut -c1-2)/$hex/data"
}

# start_token_proxy NAME UPSTREAM-REGISTRY-DIR USER PASSWORD [FLAKY]: a
# Bearer-token front (helpers/tokenproxy.py) for a registry; its port in
# NAME/port.
start_token_proxy () {
	mkdir -p "$1" &&
	{ python3 "$TEST_DIRECTORY"/helpers/tokenproxy.py "$1/port" \
		"127.0.0.1:$(cat "$2/port")" "$3" "$4" ${5:-0} >"$1/log" 2>&1 & echo $! >"$1/pid"; } &&
	registry_pids="$registry_pids $(cat "$1/pid")" &&
	for i in $(test_seq 1 100); do test -f "$1/port" && break; sleep 0.1; done &&
	test -f "$1/port"
}

# start_fake_registry NAME CONTENT-TYPE BODY-FILE: helpers/fakeregistry.py,
# serving BODY-FILE as every manifest; its port in NAME/port.
start_fake_registry () {
	mkdir -p "$1" &&
	{ python3 "$TEST_DIRECTORY"/helpers/fakeregistry.py "$1/port" "$2" "$3" \
		>"$1/log" 2>&1 & echo $! >"$1/pid"; } &&
	registry_pids="$registry_pids $(cat "$1/pid")" &&
	for n in $(test_seq 1 100); do test -f "$1/port" && break; sleep 0.1; done &&
	test -f "$1/port"
}

# write_cred_helpers BIN-DIR HOST USER SECRET: credential helpers
# (docker-credential-NAME get, the server on stdin) in BIN-DIR, each
# appending the server it was asked for to BIN-DIR/asked:
#   hakotest  answers USER/SECRET for HOST, "not found" for any other;
#   nothing   holds nothing (the protocol's not-found message, exit 1);
#   broken    fails (exit 2) with a message; garbage prints no JSON;
#   token     answers an identity token (Username "<token>").
write_cred_helpers () {
	mkdir -p "$1" &&
	for name in hakotest nothing broken garbage token
	do
		write_script "$1/docker-credential-$name" <<-EOF || return 1
		test "\$1" = get || exit 3
		read server
		echo "\$server" >>"$1/asked"
		answer () {
			printf "{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}\n" "\$server" "\$1" "\$2"
		}
		case $name:"\$server" in
		hakotest:"$2") answer "$3" "$4" ;;
		hakotest:*|nothing:*) echo "credentials not found in native keychain"; exit 1 ;;
		broken:*) echo "keychain locked"; exit 2 ;;
		garbage:*) echo "Username: $3" ;;
		token:*) answer "<token>" "refresh-me" ;;
		esac
		EOF
	done
}
