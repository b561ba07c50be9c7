#!/bin/sh
test_description='image push and image save: a pulled container changed and pushed to a real docker-registry, checked with skopeo, umoci and podman'
SQ="'"
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-oci.sh
. "$TEST_DIRECTORY"/lib-apply.sh

test_lazy_prereq PODMAN 'command -v podman >/dev/null && command -v runc >/dev/null'
test_prereq_reason PODMAN "podman and runc are not installed (apt-get install podman runc)"

# uploads: how many blob uploads the registry's access log holds.
uploads () {
	grep -c "PUT /v2/[^ ]*/blobs/uploads/" reg/log || true
}

# manifest_of REF: the raw manifest, pretty-printed one key per line.
manifest_of () {
	skopeo inspect --raw --tls-verify=false "docker://$R/$1"
}
config_of () {
	skopeo inspect --config --raw --tls-verify=false "docker://$R/$1"
}
jq_py () {
	python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

test_expect_success OCI 'setup: a registry logging its requests, a base image of two layers, pulled' '
	start_logged_registry reg &&
	R=127.0.0.1:$(cat reg/port) &&
	umoci init --layout img &&
	umoci new --image img:base &&
	umoci unpack --image img:base b >/dev/null &&
	mkdir -p b/rootfs/etc b/rootfs/bin b/rootfs/srv/old &&
	cp "$(command -v busybox)" b/rootfs/bin/busybox &&
	ln -s busybox b/rootfs/bin/sh && ln -s busybox b/rootfs/bin/cat &&
	echo base >b/rootfs/etc/version &&
	echo gone >b/rootfs/srv/old/file &&
	echo keep >b/rootfs/etc/keep &&
	umoci repack --image img:base b >/dev/null &&
	rm -rf b && umoci unpack --image img:base b >/dev/null &&
	echo second >b/rootfs/etc/second &&
	umoci repack --image img:base b >/dev/null &&
	push img:base reg t/base:1 &&
	hako init -q ws &&
	hako -C ws pull -q --as app $R/t/base:1 &&
	manifest_of t/base:1 | jq_py "\"\\n\".join(l[\"digest\"] for l in d[\"layers\"])" >base.layers &&
	test_line_count = 2 base.layers
'

test_expect_success OCI 'a changed container pushed: base layers reused by digest, one new layer, diffID of its content' '
	H="hako -C ws -c app" &&
	echo changed | $H write /etc/changed &&
	$H del -r /srv/old &&
	$H run -- sh -c "chmod 600 /etc/keep && ln /etc/changed /etc/changed.link && mkdir -p /srv/new && ln -s ../../etc/version /srv/new/v" &&
	# Owners, xattrs, a device node and a fifo, imported from the host.
	mkdir -p extra &&
	echo x >extra/owned && chown 1234:5678 extra/owned && chmod 4750 extra/owned &&
	echo y >extra/attrs && setfattr -n user.k -v v1 extra/attrs &&
	mknod extra/null c 1 3 && mkfifo extra/fifo &&
	$H import --owners "$PWD/extra" /srv/extra &&
	$H commit -q -m "changes" &&
	n0=$(uploads) &&
	$H image push -q $R/t/app:2 >out &&
	grep "^$R/t/app@sha256:" out &&
	manifest_of t/app:2 >m.json &&
	jq_py "\"\\n\".join(l[\"digest\"] for l in d[\"layers\"])" <m.json >pushed.layers &&
	test_line_count = 3 pushed.layers &&
	head -n 2 pushed.layers >first2 && test_cmp base.layers first2 &&
	jq_py "d[\"layers\"][2][\"mediaType\"]" <m.json >mt &&
	echo application/vnd.oci.image.layer.v1.tar+gzip >expect && test_cmp expect mt &&
	new=$(tail -n 1 pushed.layers) &&
	gunzip -c <"$(blob_file reg $new)" >layer.tar &&
	echo "sha256:$(sha256sum <layer.tar | cut -d" " -f1)" >diffid.expect &&
	config_of t/app:2 | jq_py "d[\"rootfs\"][\"diff_ids\"][-1]" >diffid.actual &&
	test_cmp diffid.expect diffid.actual &&
	tar -tvf layer.tar >listing &&
	grep " etc/changed$" listing &&
	grep " srv/.wh.old$" listing &&
	grep "etc/changed.link link to etc/changed" listing &&
	grep "^crw-r--r-- 0/0 *1,3 .* srv/extra/null$" listing &&
	grep "^-rwsr-x--- 1234/5678 .* srv/extra/owned$" listing &&
	grep -a "SCHILY.xattr.user.k=v1" layer.tar >/dev/null &&
	! grep "bin/busybox" listing &&
	# The base layers were on this registry: mounted, never uploaded again.
	test $(($(uploads) - n0)) = 2
'

test_expect_success OCI 'umoci unpack of the pushed image equals hako export of the commit, path by path' '
	hako -C ws -c app export --owners / ../exported &&
	unpack_ref reg t/app:2 ref &&
	# hako write records no time: export gives such files the time of the
	# export, the layer its commit time; every recorded time is equal.
	same_as_umoci exported ref "^etc/changed" &&
	ct=$(hako -C ws -c app log -n 1 --format=%ct) &&
	fslist --mtime ref/rootfs >times &&
	grep "^etc/changed reg .* $ct\.000000000$" times
'

test_expect_success OCI 'pushing again uploads no blob; the same commit from a clone gives the same manifest digest' '
	n0=$(uploads) &&
	hako -C ws -c app image push -q $R/t/app:2 >again &&
	test_cmp out again &&
	test "$(uploads)" = "$n0" &&
	hako clone -q ws ws2 &&
	hako -C ws2 -c app image push -q $R/t/other:1 >other &&
	sed "s|/t/app@|/t/other@|" out >expect &&
	test_cmp expect other
'

test_expect_success OCI '--layers commits: one new layer per commit since the pull, empty commits as empty_layer history' '
	H="hako -C ws -c app" &&
	echo a | $H write /a && $H commit -q -m "step a" &&
	echo b | $H write /b && $H commit -q -m "step b" &&
	$H commit -q --allow-empty -m "nothing" &&
	$H image push -q --layers commits $R/t/steps:1 >/dev/null &&
	manifest_of t/steps:1 | jq_py "len(d[\"layers\"])" >n &&
	echo 5 >expect && test_cmp expect n &&
	config_of t/steps:1 | jq_py "[h.get(\"comment\") for h in d[\"history\"]][-3:]" >h &&
	grep "step a" h && grep "step b" h && grep nothing h &&
	config_of t/steps:1 | jq_py "d[\"history\"][-1].get(\"empty_layer\")" >e &&
	echo True >expect && test_cmp expect e
'

test_expect_success OCI 'an apply-built container with 3 setup steps pushed with --layers commits has exactly 3 new layers' '
	mkdir -p ws/proj &&
	three_step_toml ws/proj/hako.toml built "image = \"$R/t/base:1\"
run = \"cat /both\"" &&
	(cd ws/proj && hako apply) 2>err &&
	hako -C ws -c built image push -q --layers commits --from-toml "$PWD/ws/proj/hako.toml" $R/t/built:1 >/dev/null &&
	manifest_of t/built:1 >m &&
	jq_py "len(d[\"layers\"])" <m >n && echo 5 >expect && test_cmp expect n &&
	jq_py "\"\\n\".join(l[\"digest\"] for l in d[\"layers\"][:2])" <m >first2 &&
	test_cmp base.layers first2 &&
	config_of t/built:1 | jq_py "d[\"config\"][\"Cmd\"]" >cmd &&
	echo "[${SQ}/bin/sh${SQ}, ${SQ}-c${SQ}, ${SQ}cat /both${SQ}]" >expect && test_cmp expect cmd &&
	unpack_ref reg t/built:1 bref &&
	printf "one\ntwo\n" >expect && test_cmp expect bref/rootfs/both
'

test_expect_success OCI 'a platform other than the base image'"'"'s is refused' '
	test_must_fail hako -C ws -c app image push --platform linux/s390x $R/t/x:1 2>err &&
	grep "^fatal: --platform linux/s390x: the base image .* is linux/" err &&
	test_line_count = 1 err
'

test_expect_success OCI 'zstd layers, config options and annotations' '
	hako -C ws -c app image push -q --compression zstd --cmd "[\"/bin/cat\",\"/etc/changed\"]" \
		--env MODE=test --workdir /srv --label team=infra --annotation org.example.k=v \
		$R/t/zst:1 >/dev/null &&
	manifest_of t/zst:1 >m &&
	jq_py "d[\"layers\"][-1][\"mediaType\"]" <m >mt &&
	echo application/vnd.oci.image.layer.v1.tar+zstd >expect && test_cmp expect mt &&
	jq_py "d[\"annotations\"][\"org.example.k\"]" <m >a && echo v >expect && test_cmp expect a &&
	config_of t/zst:1 >c &&
	jq_py "d[\"config\"][\"Cmd\"]" <c >cmd && echo "[${SQ}/bin/cat${SQ}, ${SQ}/etc/changed${SQ}]" >expect && test_cmp expect cmd &&
	jq_py "d[\"config\"][\"WorkingDir\"], d[\"config\"][\"Labels\"][\"team\"], [e for e in d[\"config\"].get(\"Env\",[]) if e.startswith(\"MODE=\")]" <c >rest &&
	echo "/srv infra [${SQ}MODE=test${SQ}]" >expect && test_cmp expect rest &&
	# umoci here reads no zstd layers: zstd(1) checks the frame and the diffID.
	new=$(jq_py "d[\"layers\"][-1][\"digest\"]" <m) &&
	zstd -q -d -c <"$(blob_file reg $new)" >z.tar &&
	echo "sha256:$(sha256sum <z.tar | cut -d" " -f1)" >expect &&
	jq_py "d[\"rootfs\"][\"diff_ids\"][-1]" <c >actual && test_cmp expect actual &&
	tar -xOf z.tar etc/changed >actual && echo changed >expect && test_cmp expect actual
'

test_expect_success OCI 'a container never pulled gets its whole tree as a layer; save --oci and --archive pass umoci and skopeo' '
	hako init -q seed &&
	echo hi | hako -C seed write /etc/motd && hako -C seed commit -q -m motd &&
	hako -C seed image save -q --oci "$PWD/lay" >d &&
	grep "^sha256:" d &&
	umoci unpack --image lay:latest sref >/dev/null &&
	hako -C seed export --owners / ../seedexp &&
	fslist seedexp >expect && fslist sref/rootfs >actual && test_cmp expect actual &&
	skopeo copy -q --dest-tls-verify=false oci:lay:latest docker://$R/t/seed:1 &&
	hako -C seed image save -q --archive "$PWD/lay.tar" >d2 && test_cmp d d2 &&
	mkdir untar && tar -C untar -xf lay.tar && skopeo inspect oci:untar:latest >/dev/null &&
	hako -C seed image push -q $R/t/seed:2 >p &&
	grep "@$(cat d)$" p
'

test_lazy_prereq SHM_OTHER_FS '
	test -d /dev/shm && test -w /dev/shm &&
	test "$(stat -c %d /dev/shm)" != "$(stat -c %d .)"
'

test_expect_success OCI,SHM_OTHER_FS 'save --archive onto another filesystem than the workspace'"'"'s: the same bytes, no temporary file left' '
	out=$(mktemp -d /dev/shm/hako-t5100.XXXXXX) &&
	test_when_finished "rm -rf $out" &&
	hako -C seed image save -q --archive "$out/lay.tar" >d3 && test_cmp d d3 &&
	cmp lay.tar "$out/lay.tar" &&
	ls -A "$out" >actual && echo lay.tar >expect && test_cmp expect actual
'

test_expect_success OCI,PODMAN 'podman pulls the pushed image from the registry and runs it' '
	podman --runtime runc pull -q --tls-verify=false $R/t/app:2 >/dev/null &&
	podman --runtime runc run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		$R/t/app:2 /bin/cat /etc/changed /srv/new/v >actual &&
	printf "changed\nbase\n" >expect &&
	test_cmp expect actual &&
	podman rmi -f $R/t/app:2 >/dev/null 2>&1 || true
'

test_expect_success OCI 'bad input: one-line fatals, nothing tagged' '
	H="hako -C ws -c app" &&
	test_must_fail $H image push $R/t/app@sha256:$(printf %064d 0) 2>err &&
	grep "^fatal: .*a push names a tag, not a digest" err &&
	test_must_fail $H image push 127.0.0.1:1/t/x:1 2>err &&
	grep "^fatal: push to 127.0.0.1:1: .*unreachable" err &&
	test_line_count = 1 err &&
	mkdir full && echo x >full/f &&
	test_must_fail $H image save --oci "$PWD/full" 2>err &&
	grep "^fatal: .*full: exists and is not an empty directory" err &&
	test_must_fail $H image push --layers sideways $R/t/x:1 2>err &&
	test_must_fail $H image push --cmd "not json" $R/t/x:1 2>err &&
	grep "^fatal: --cmd ${SQ}not json${SQ}: not a JSON array" err &&
	python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.bind(\"sock\")" &&
	hako -C ws -c app import "$PWD/sock" /sock &&
	hako -C ws -c app commit -q -m sock &&
	test_must_fail $H image push $R/t/sock:1 2>err &&
	grep "^fatal: image: sock: a socket cannot be stored in an OCI layer" err &&
	test_must_fail skopeo inspect --tls-verify=false docker://$R/t/sock:1 2>/dev/null &&
	hako -C ws -c app reset --hard HEAD~1 >/dev/null
'

test_expect_success OCI 'a blob upload cut off: fatal naming the registry, no manifest put, no tag' '
	cat >cutoff.py <<-\PY &&
	import http.server, sys
	class H(http.server.BaseHTTPRequestHandler):
	    def log_message(self, *a):
	        sys.stderr.write(self.command + " " + self.path + "\n"); sys.stderr.flush()
	    def do_HEAD(self):
	        self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
	    def do_GET(self):
	        self.do_HEAD()
	    def do_POST(self):
	        self.send_response(202)
	        self.send_header("Location", "/v2/t/cut/blobs/uploads/u1")
	        self.send_header("Content-Length", "0"); self.end_headers()
	    def do_PUT(self):
	        self.log_message("")
	        if "/manifests/" in self.path:
	            self.send_response(201); self.send_header("Content-Length", "0"); self.end_headers()
	            return
	        self.rfile.read(100)
	        self.close_connection = True
	        self.connection.shutdown(2)
	s = http.server.HTTPServer(("127.0.0.1", 0), H)
	open(sys.argv[1], "w").write(str(s.server_address[1]))
	s.serve_forever()
	PY
	mkdir cut && { python3 cutoff.py cut/port 2>cut/log & echo $! >cut/pid; } &&
	registry_pids="$registry_pids $(cat cut/pid)" &&
	for i in $(test_seq 1 100); do test -s cut/port && break; sleep 0.1; done &&
	C=127.0.0.1:$(cat cut/port) &&
	test_must_fail hako -C seed image push -q $C/t/cut:1 2>err &&
	grep "^fatal: push to $C: layer sha256:" err &&
	test_line_count = 1 err &&
	grep "^PUT /v2/t/cut/blobs/uploads/u1" cut/log &&
	! grep "manifests" cut/log
'

test_expect_success OCI,BCRYPT 'a registry refusing the push (basic auth): fatal naming it; --creds gets in' '
	start_auth_registry areg &&
	A=127.0.0.1:$(cat areg/port) &&
	test_must_fail hako -C ws -c app image push -q $A/t/app:1 2>err &&
	grep "^fatal: push to $A: .*401 Unauthorized: no credentials" err &&
	test_must_fail hako -C ws -c app image push -q --creds alice:wrong $A/t/app:1 2>err &&
	grep "401 Unauthorized: the credentials were refused" err &&
	hako -C ws -c app image push -q --creds alice:s3cret $A/t/app:1 >ok &&
	grep "^$A/t/app@sha256:" ok &&
	# podman login'"'"'s file is read as pull reads docker'"'"'s.
	mkdir -p xdg/containers &&
	printf "{\"auths\":{\"%s\":{\"auth\":\"%s\"}}}\n" "$A" "$(printf alice:s3cret | base64)" >xdg/containers/auth.json &&
	XDG_RUNTIME_DIR=$PWD/xdg hako -C ws -c app image push -q $A/t/app:2 >ok2 &&
	grep "^$A/t/app@sha256:" ok2
'

test_expect_success OCI,BCRYPT 'push asks docker'"'"'s credential helpers (credHelpers, credsStore) with the host on stdin, once per registry' '
	test_when_finished "rm -rf .docker" &&
	write_cred_helpers "$PWD/helpers" "$A" alice s3cret &&
	mkdir -p .docker &&
	printf "{\"credHelpers\":{\"%s\":\"hakotest\"}}\n" "$A" >.docker/config.json &&
	PATH=$PWD/helpers:$PATH hako -C ws -c app image push -q $A/t/app:3 >ok3 &&
	grep "^$A/t/app@sha256:" ok3 &&
	echo "$A" >expect && test_cmp expect helpers/asked &&
	printf "{\"credsStore\":\"hakotest\"}\n" >.docker/config.json &&
	PATH=$PWD/helpers:$PATH hako -C ws -c app image push -q $A/t/app:4 >ok4 &&
	# The store is asked for the base image'"'"'s registry too (it holds nothing there).
	printf "%s\n%s\n127.0.0.1:%s\n" "$A" "$A" "$(cat reg/port)" >expect &&
	test_cmp expect helpers/asked &&
	skopeo inspect --raw --tls-verify=false --creds alice:s3cret docker://$A/t/app:4 >/dev/null &&
	printf "{\"credsStore\":\"broken\"}\n" >.docker/config.json &&
	(
		PATH=$PWD/helpers:$PATH && export PATH &&
		test_must_fail hako -C ws -c app image push -q $A/t/app:5 2>err
	) &&
	echo "fatal: $A: credential helper docker-credential-broken failed (exit 2): keychain locked" >expect &&
	test_cmp expect err &&
	printf "{\"credsStore\":\"nothing\"}\n" >.docker/config.json &&
	(
		PATH=$PWD/helpers:$PATH && export PATH &&
		test_must_fail hako -C ws -c app image push -q $A/t/app:5 2>err
	) &&
	grep "^fatal: push to $A: .*401 Unauthorized: no credentials" err
'

test_done
