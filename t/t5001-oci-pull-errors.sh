#!/bin/sh
test_description='pull: bad input, malicious layers, image indexes and registry auth (a real docker-registry on 127.0.0.1)'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-oci.sh

# layer TAG: add the tar from stdin (helpers/mktar.py lines) on top of base.
layer () {
	mktar "$1.tar" &&
	umoci raw add-layer --image img:base --tag "$1" "$1.tar" >/dev/null
}

# refused IMAGE MESSAGE: pull fails with one fatal line naming IMAGE and
# MESSAGE, creates no container and changes no other.
refused () {
	hako -C ws containers >before &&
	test_expect_code 128 hako -C ws pull "$R/$1" 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: pull $R/$1: .*$2" err &&
	hako -C ws containers >after &&
	test_cmp before after &&
	test_path_is_missing ws/.hako/tmp/pull-*
}

test_expect_success OCI 'setup: a registry, a base image and a workspace' '
	start_registry reg &&
	R=127.0.0.1:$(cat reg/port) &&
	umoci init --layout img &&
	umoci new --image img:base &&
	umoci unpack --image img:base b >/dev/null &&
	mkdir -p b/rootfs/etc b/rootfs/bin &&
	echo amd64 >b/rootfs/etc/arch &&
	echo hello >b/rootfs/etc/motd &&
	umoci repack --image img:base b >/dev/null &&
	push img:base reg t/base:1 &&
	hako init -q ws &&
	hako -C ws pull -q --as keep $R/t/base:1 &&
	hako -C ws -c keep log --oneline >keep.log
'

test_expect_success OCI 'the downloads of a pull that died are removed by the next' '
	mkdir -p ws/.hako/tmp/pull-999999999/x ws/.hako/tmp/pull-$$ &&
	hako -C ws pull -q --as keep2 $R/t/base:1 &&
	test_path_is_missing ws/.hako/tmp/pull-999999999 &&
	test_path_is_dir ws/.hako/tmp/pull-$$ &&
	rmdir ws/.hako/tmp/pull-$$
'

test_expect_success OCI 'unknown tag and unknown repository' '
	refused t/base:nope "404 MANIFEST_UNKNOWN" &&
	refused t/nothing:1 "404 MANIFEST_UNKNOWN"
'

test_expect_success OCI 'unreachable registry' '
	port=$(test_free_port) &&
	hako -C ws containers >before &&
	test_expect_code 128 hako -C ws pull 127.0.0.1:$port/t/x:1 2>err &&
	grep "^fatal: pull 127.0.0.1:$port/t/x:1: registry 127.0.0.1:$port unreachable" err
'

test_expect_success OCI 'invalid references and platforms' '
	test_expect_code 128 hako -C ws pull "Bad/Name" 2>err &&
	grep "^fatal: invalid image reference" err &&
	test_expect_code 129 hako -C ws pull --platform linux $R/t/base:1 2>err &&
	grep "^fatal: usage: invalid platform" err
'

test_expect_success OCI 'an image index: the platform asked for is pulled' '
	umoci unpack --image img:base a >/dev/null &&
	echo arm64 >a/rootfs/etc/arch &&
	umoci repack --image img:arm a >/dev/null &&
	umoci config --image img:arm --architecture arm64 >/dev/null &&
	python3 "$TEST_DIRECTORY"/helpers/ocitool.py index img multi base=linux/amd64 arm=linux/arm64/v8 &&
	skopeo copy -q --all --dest-tls-verify=false oci:img:multi docker://$R/t/multi:1 >/dev/null &&
	hako -C ws pull -q --as arm --platform linux/arm64 $R/t/multi:1 &&
	hako -C ws pull -q --as amd --platform linux/amd64 $R/t/multi:1 &&
	echo arm64 >expect && hako -C ws -c arm cat /etc/arch >actual && test_cmp expect actual &&
	echo amd64 >expect && hako -C ws -c amd cat /etc/arch >actual && test_cmp expect actual &&
	hako -C ws -c arm cat-file -p HEAD >c &&
	grep "^Image-Platform: linux/arm64/v8$" c &&
	# A manifest named directly: the platform is what its config says.
	push img:arm reg t/armonly:1 &&
	hako -C ws pull -q --as armonly $R/t/armonly:1 &&
	hako -C ws -c armonly cat-file -p HEAD >c &&
	grep "^Image-Platform: linux/arm64$" c
'

test_expect_success OCI 'the default platform is this machine'"'"'s' '
	case $(uname -m) in
	x86_64) want=amd64 ;;
	aarch64) want=arm64 ;;
	*) want= ;;
	esac &&
	if test -n "$want"; then
		hako -C ws pull -q --as host $R/t/multi:1 &&
		echo $want >expect && hako -C ws -c host cat /etc/arch >actual && test_cmp expect actual
	fi
'

test_expect_success OCI 'an index without the platform is refused' '
	test_expect_code 128 hako -C ws pull --platform linux/s390x $R/t/multi:1 2>err &&
	grep "^fatal: pull $R/t/multi:1: no manifest for platform linux/s390x in the index (it has: linux/amd64, linux/arm64/v8)$" err
'

test_expect_success OCI 'an unsupported layer media type is refused' '
	python3 "$TEST_DIRECTORY"/helpers/ocitool.py mediatype img base weird application/x-weird &&
	python3 "$TEST_DIRECTORY"/helpers/ocitool.py push img weird $R t/weird:1 &&
	refused t/weird:1 "unsupported layer media type .application/x-weird."
'

test_expect_success OCI 'a blob whose digest does not match, a truncated layer: refused, history untouched' '
	layer bad1 <<-\EOF &&
	f etc/corrupt-me 0123456789abcdef
	EOF
	layer bad2 <<-\EOF &&
	f etc/truncate-me fedcba9876543210
	EOF
	push img:bad1 reg t/bad1:1 &&
	push img:bad2 reg t/bad2:1 &&
	d=$(layer_digest reg t/bad1:1 2) &&
	f=$(blob_file reg $d) &&
	python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,\"rb\").read()); b[-9]^=1; open(p,\"wb\").write(b)" "$f" &&
	d=$(layer_digest reg t/bad2:1 2) &&
	f=$(blob_file reg $d) &&
	python3 -c "import sys; p=sys.argv[1]; b=open(p,\"rb\").read(); open(p,\"wb\").write(b[:len(b)//2])" "$f" &&
	test_expect_code 128 hako -C ws pull --as keep $R/t/bad1:1 2>err &&
	grep "^fatal: pull $R/t/bad1:1: layer 2 (sha256:[0-9a-f]*): blob sha256:[0-9a-f]*: digest mismatch" err &&
	test_expect_code 128 hako -C ws pull --as keep $R/t/bad2:1 2>err &&
	grep "^fatal: pull $R/t/bad2:1: layer 2 (sha256:[0-9a-f]*): blob sha256:[0-9a-f]*: truncated" err &&
	hako -C ws -c keep log --oneline >actual &&
	test_cmp keep.log actual &&
	hako -C ws -c keep status >actual &&
	grep clean actual &&
	test_path_is_missing ws/.hako/tmp/pull-*
'

test_expect_success OCI 'malicious layers are refused and nothing lands outside' '
	mkdir -p deep/er &&
	layer evil1 <<-\EOF &&
	f ../../escaped-1 x
	EOF
	layer evil2 <<-\EOF &&
	l etc/link /tmp
	f etc/link/escaped-2 x
	EOF
	layer evil3 <<-\EOF &&
	h etc/shadow-link /etc/shadow
	EOF
	layer evil4 <<-\EOF &&
	f etc/.wh... x
	EOF
	layer evil5 <<-\EOF &&
	f /escaped-5 x
	EOF
	for n in 1 2 3 4 5; do push img:evil$n reg t/evil$n:1 || return 1; done &&
	refused t/evil1:1 "path .\.\./\.\./escaped-1. in layer leaves the image" &&
	refused t/evil2:1 "passes through the symlink .etc/link." &&
	refused t/evil3:1 "hardlink .etc/shadow-link. to ./etc/shadow. leaves the image" &&
	refused t/evil4:1 "whiteout .etc/\.wh\.\.\.. leaves the image" &&
	refused t/evil5:1 "absolute path ./escaped-5. in layer" &&
	test_path_is_missing ../escaped-1 &&
	test_path_is_missing ../../escaped-1 &&
	test_path_is_missing /tmp/escaped-2 &&
	test_path_is_missing /escaped-5 &&
	hako -C ws -c keep log --oneline >actual &&
	test_cmp keep.log actual
'

test_expect_success OCI 'malformed manifests and schema 1 are refused' '
	printf "{\"schemaVersion\": 2, \"config\": " >broken.json &&
	start_fake_registry fake1 application/vnd.oci.image.manifest.v1+json broken.json &&
	F=127.0.0.1:$(cat fake1/port) &&
	test_expect_code 128 hako -C ws pull $F/t/x:1 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: pull $F/t/x:1: malformed manifest: " err &&
	printf "{\"schemaVersion\": 1, \"name\": \"t/x\", \"fsLayers\": []}" >v1.json &&
	start_fake_registry fake2 application/vnd.docker.distribution.manifest.v1+prettyjws v1.json &&
	F=127.0.0.1:$(cat fake2/port) &&
	test_expect_code 128 hako -C ws pull $F/t/x:1 2>err &&
	grep "^fatal: pull $F/t/x:1: unsupported manifest schema version 1" err &&
	printf "{\"schemaVersion\": 2, \"mediaType\": \"application/x-other\"}" >other.json &&
	start_fake_registry fake3 application/x-other other.json &&
	F=127.0.0.1:$(cat fake3/port) &&
	test_expect_code 128 hako -C ws pull $F/t/x:1 2>err &&
	grep "^fatal: pull $F/t/x:1: unsupported manifest media type .application/x-other." err &&
	hako -C ws containers >actual &&
	! grep "^  x$" actual
'

test_expect_success OCI,BCRYPT 'setup: a registry with basic auth (htpasswd)' '
	start_auth_registry areg &&
	A=127.0.0.1:$(cat areg/port) &&
	skopeo copy -q --dest-tls-verify=false --dest-creds alice:s3cret oci:img:base docker://$A/t/private:1 >/dev/null
'

test_expect_success OCI,BCRYPT 'basic auth: refused without credentials, from REGISTRY_AUTH_FILE and ~/.docker/config.json' '
	test_expect_code 128 hako -C ws pull --as private $A/t/private:1 2>err &&
	grep "^fatal: pull $A/t/private:1: $A: 401 Unauthorized: no credentials for this registry" err &&
	printf "{\"auths\":{\"%s\":{\"auth\":\"%s\"}}}\n" "$A" "$(printf alice:wrong | base64)" >bad.json &&
	(
		REGISTRY_AUTH_FILE=$PWD/bad.json && export REGISTRY_AUTH_FILE &&
		test_expect_code 128 hako -C ws pull --as private $A/t/private:1 2>err
	) &&
	grep "^fatal: pull $A/t/private:1: $A: 401 Unauthorized: the credentials were refused" err &&
	printf "{\"auths\":{\"%s\":{\"auth\":\"%s\"}}}\n" "$A" "$(printf alice:s3cret | base64)" >good.json &&
	REGISTRY_AUTH_FILE=$PWD/good.json hako -C ws pull -q --as private $A/t/private:1 &&
	mkdir -p .docker && cp good.json .docker/config.json &&
	hako -C ws pull -q --as private2 $A/t/private:1 &&
	rm -r .docker &&
	hako -C ws -c private cat /etc/motd >actual &&
	echo hello >expect && test_cmp expect actual
'

test_expect_success OCI,BCRYPT 'credential helpers: docker'"'"'s credHelpers, then credsStore, asked with the host on stdin' '
	test_when_finished "rm -rf .docker" &&
	write_cred_helpers "$PWD/helpers" "$A" alice s3cret &&
	mkdir -p .docker &&
	printf "{\"auths\":{\"%s\":{}},\"credHelpers\":{\"%s\":\"hakotest\"},\"credsStore\":\"broken\"}\n" "$A" "$A" >.docker/config.json &&
	PATH=$PWD/helpers:$PATH hako -C ws pull -q --as viahelper $A/t/private:1 &&
	echo "$A" >expect && test_cmp expect helpers/asked &&
	rm helpers/asked &&
	printf "{\"auths\":{\"%s\":{}},\"credsStore\":\"hakotest\"}\n" "$A" >.docker/config.json &&
	PATH=$PWD/helpers:$PATH hako -C ws pull -q --as viastore $A/t/private:1 &&
	test_cmp expect helpers/asked &&
	hako -C ws -c viastore cat /etc/motd >actual &&
	echo hello >expect && test_cmp expect actual
'

test_expect_success OCI,BCRYPT 'credential helpers: podman'"'"'s auth.json in XDG_RUNTIME_DIR comes first; "not found" means anonymous' '
	test_when_finished "rm -rf .docker xdg" &&
	mkdir -p .docker xdg/containers &&
	printf "{\"credsStore\":\"hakotest\"}\n" >.docker/config.json &&
	printf "{\"credHelpers\":{\"%s\":\"nothing\"}}\n" "$A" >xdg/containers/auth.json &&
	rm -f helpers/asked &&
	# The helper holds nothing, so the search goes on to docker'"'"'s store.
	PATH=$PWD/helpers:$PATH XDG_RUNTIME_DIR=$PWD/xdg hako -C ws pull -q --as viaxdg $A/t/private:1 &&
	printf "%s\n%s\n" "$A" "$A" >expect && test_cmp expect helpers/asked &&
	printf "{\"credsStore\":\"nothing\"}\n" >.docker/config.json &&
	(
		PATH=$PWD/helpers:$PATH && export PATH &&
		test_expect_code 128 hako -C ws pull -q --as anon $A/t/private:1 2>err
	) &&
	echo "fatal: pull $A/t/private:1: $A: 401 Unauthorized: no credentials for this registry (docker login, REGISTRY_AUTH_FILE)" >expect &&
	test_cmp expect err &&
	R=127.0.0.1:$(cat reg/port) &&
	PATH=$PWD/helpers:$PATH hako -C ws pull -q --as anon $R/t/base:1
'

test_expect_success OCI,BCRYPT 'credential helpers that are missing, fail or print no JSON: one fatal naming registry and helper' '
	test_when_finished "rm -rf .docker" &&
	mkdir -p .docker &&
	for h in absent broken garbage
	do
		printf "{\"credsStore\":\"%s\"}\n" $h >.docker/config.json &&
		(
			PATH=$PWD/helpers:$PATH && export PATH &&
			test_expect_code 128 hako -C ws pull -q --as nope $A/t/private:1 2>err-$h
		) &&
		test_line_count = 1 err-$h || return 1
	done &&
	echo "fatal: pull $A/t/private:1: $A: credential helper docker-credential-absent not found on PATH" >expect &&
	test_cmp expect err-absent &&
	echo "fatal: pull $A/t/private:1: $A: credential helper docker-credential-broken failed (exit 2): keychain locked" >expect &&
	test_cmp expect err-broken &&
	grep "^fatal: pull $A/t/private:1: $A: credential helper docker-credential-garbage printed malformed JSON: " err-garbage &&
	printf "{\"credsStore\":\"../x\"}\n" >.docker/config.json &&
	test_expect_code 128 hako -C ws pull -q --as nope $A/t/private:1 2>err &&
	grep "^fatal: pull $A/t/private:1: $A: credential helper name .\.\./x. is not a program name" err &&
	hako -C ws containers >actual &&
	! grep "^  nope$" actual
'

test_expect_success OCI 'Bearer token auth (a token server in front of the registry)' '
	start_token_proxy tok reg bob pa55 &&
	T=127.0.0.1:$(cat tok/port) &&
	test_expect_code 128 hako -C ws pull --as viatoken $T/t/base:1 2>err &&
	grep "^fatal: pull $T/t/base:1: $T: token server refused (401): no credentials" err &&
	printf "{\"auths\":{\"http://%s\":{\"username\":\"bob\",\"password\":\"pa55\"}}}\n" "$T" >tok.json &&
	REGISTRY_AUTH_FILE=$PWD/tok.json hako -C ws pull -q --as viatoken $T/t/base:1 &&
	hako -C ws -c viatoken cat /etc/motd >actual &&
	echo hello >expect && test_cmp expect actual
'

test_expect_success OCI,BCRYPT 'an identity token (a helper'"'"'s Username "<token>", auths'"'"' identitytoken) is exchanged for a Bearer token' '
	test_when_finished "rm -rf .docker" &&
	start_token_proxy idtok reg bob refresh-me &&
	I=127.0.0.1:$(cat idtok/port) &&
	mkdir -p .docker &&
	printf "{\"credsStore\":\"token\"}\n" >.docker/config.json &&
	PATH=$PWD/helpers:$PATH hako -C ws pull -q --as viaidentity $I/t/base:1 &&
	grep "^refresh hako repository:t/base:pull$" idtok/log &&
	hako -C ws -c viaidentity cat /etc/motd >actual &&
	echo hello >expect && test_cmp expect actual &&
	# A registry asking for Basic cannot take one.
	(
		PATH=$PWD/helpers:$PATH && export PATH &&
		test_expect_code 128 hako -C ws pull -q --as nope $A/t/private:1 2>err
	) &&
	echo "fatal: pull $A/t/private:1: $A: 401 Unauthorized: an identity token answers only a Bearer challenge, this registry asks for Basic" >expect &&
	test_cmp expect err &&
	rm .docker/config.json &&
	printf "{\"auths\":{\"%s\":{\"identitytoken\":\"%s\"}}}\n" "$I" refresh-me >id.json &&
	REGISTRY_AUTH_FILE=$PWD/id.json hako -C ws pull -q --as viaidentity2 $I/t/base:1 &&
	test $(grep -c "^refresh hako " idtok/log) = 2 &&
	printf "{\"auths\":{\"%s\":{\"identitytoken\":\"%s\"}}}\n" "$I" stale >id.json &&
	(
		REGISTRY_AUTH_FILE=$PWD/id.json && export REGISTRY_AUTH_FILE &&
		test_expect_code 128 hako -C ws pull -q --as nope $I/t/base:1 2>err
	) &&
	echo "fatal: pull $I/t/base:1: $I: token server refused (401): the identity token was refused" >expect &&
	test_cmp expect err
'

test_expect_success OCI '429 and 5xx answers are retried with backoff' '
	start_token_proxy flaky reg - - 2 &&
	F=127.0.0.1:$(cat flaky/port) &&
	# A workspace of its own: an image stored already is not downloaded.
	hako init -q ws-flaky &&
	hako -C ws-flaky pull -q --as flaky $F/t/base:1 &&
	grep "^flaky /v2/t/base/manifests/1$" flaky/log &&
	grep -c "^flaky /v2/t/base/blobs/" flaky/log >n &&
	test $(cat n) -ge 4 &&
	hako -C ws-flaky -c flaky cat /etc/motd >actual &&
	echo hello >expect && test_cmp expect actual
'

test_expect_success OCI 'a registry that keeps failing is given up on' '
	start_token_proxy down reg - - 100 &&
	D=127.0.0.1:$(cat down/port) &&
	test_expect_code 128 hako -C ws pull --as down $D/t/base:1 2>err &&
	grep "^fatal: pull $D/t/base:1: $D: 429 Too Many Requests$" err &&
	test $(grep -c "^flaky /v2/t/base/manifests/1$" down/log) = 4
'

# pull_through_cut DIR JSON-PATH: pull t/base:1 through a proxy that cuts
# the first transfer of the blob the manifest names at JSON-PATH (a Python
# subscript) in half; the pull must ask for the rest with Range and store
# the image whole.
pull_through_cut () {
	mkdir -p $1 &&
	skopeo inspect --tls-verify=false --raw docker://$R/t/base:1 >$1/manifest &&
	blob=$(python3 -c "import json, sys; print(json.load(sys.stdin)$2[\"digest\"])" <$1/manifest) &&
	{ python3 "$TEST_DIRECTORY"/helpers/flakyhttp.py "$PWD/$1/port" "$PWD/$1/log" \
		--upstream "127.0.0.1:$(cat reg/port)" --cut "/blobs/$blob" 2>$1/err &
	  echo $! >$1/pid; } &&
	test_when_finished "kill \$(cat $1/pid)" &&
	for i in $(test_seq 1 100); do test -f $1/port && break; sleep 0.1; done &&
	C=127.0.0.1:$(cat $1/port) &&
	hako init -q ws-$1 &&
	hako -C ws-$1 pull -q --as $1 $C/t/base:1 &&
	grep "^GET /v2/t/base/blobs/$blob 200 -$" $1/log &&
	grep "^GET /v2/t/base/blobs/$blob 206 bytes=[1-9][0-9]*-$" $1/log &&
	hako -C ws-$1 -c $1 cat /etc/motd >actual &&
	echo hello >expect && test_cmp expect actual
}

test_expect_success OCI 'a blob download cut off mid-way is resumed with Range, and verified whole' '
	pull_through_cut cut "[\"layers\"][0]"
'

test_expect_success OCI 'an image config cut off mid-way is resumed with Range too' '
	pull_through_cut cutc "[\"config\"]"
'

test_done
