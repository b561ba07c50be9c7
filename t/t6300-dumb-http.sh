#!/bin/sh
test_description='dumb HTTP mirrors: update-server-info, http-fetch and ls-remote against a real nginx'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-net.sh
. "$TEST_DIRECTORY"/lib-remote.sh

NGINX=/usr/sbin/nginx
test -x "$NGINX" || skip_all "nginx is not installed (apt-get install nginx-light)"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed (free ports, test data)"

# nginx on 127.0.0.1, serving under /NAME/ the .hako directory of NAME,
# with an access log of "METHOD URI STATUS BODY-BYTES RANGE" lines.
trap nginx_stop EXIT

start_nginx () {
	port=$(test_free_port) &&
	nginx_start "$PWD/nginx" "$port" \
		'$request_method $uri $status $body_bytes_sent "$http_range"' "
		location /src/ { alias \"$PWD/src/.hako/\"; }
		location /spec/ { alias \"$PWD/spec/.hako/\"; }
		location /bad/ { alias \"$PWD/bad/.hako/\"; }
		location /slow/ { alias \"$PWD/src/.hako/\"; limit_rate 256k; }
		location /ws/ { alias \"$PWD/src/\"; }
		location /err/ { return 500; }
		location /rp/ { alias \"$PWD/rp/.hako/\"; }
		location /mir/ { alias \"$PWD/mir/.hako/\"; }
		location /psrc/ { alias \"$PWD/psrc/.hako/\"; }
		location /v1m/ { alias \"$PWD/v1m/.hako/\"; }" &&
	echo "$port" >port &&
	URL=http://127.0.0.1:$port
}

# GET requests in the access log, and their body bytes.
log_gets () { grep -c "^GET " nginx/access.log; }
# Empty the access log once nginx has written the lines of earlier requests
# (it logs a request after its response, so a line may land just after the
# client is done): wait until the log stops growing.
reset_log () {
	prev=-1
	while test "$(wc -c <nginx/access.log)" != "$prev"
	do
		prev=$(wc -c <nginx/access.log)
		sleep 0.2
	done
	: >nginx/access.log
}
log_bytes () { awk '$1 == "GET" { s += $4 } END { print s + 0 }' nginx/access.log; }

test_expect_success 'setup: nginx on 127.0.0.1' '
	start_nginx
'
URL=http://127.0.0.1:$(cat port 2>/dev/null)

test_expect_success 'update-server-info writes the spec'"'"'s info/refs (test vector)' '
	refs_workspace spec &&
	hako -C spec new-container --empty web &&
	hako -C spec update-server-info &&
	test_cmp "$TEST_DIRECTORY/../format-spec/vectors/dumb-http-refs" spec/.hako/info/refs
'

test_expect_success 'objects/info/packs lists every pack with its sizes; loose objects were packed' '
	(
		cd spec/.hako/objects/pack &&
		for i in pack-*.idx; do
			n=${i%.idx} &&
			echo "P $n.pack $(wc -c <$n.pack) $(wc -c <$i)" || exit 1
		done
	) >expect &&
	test_line_count = 1 expect &&
	test_cmp expect spec/.hako/objects/info/packs &&
	hako -C spec count-objects -v >counts &&
	grep "^in-pack: 4$" counts &&
	grep "^garbage: 0$" counts &&
	hako -C spec update-server-info &&
	test_cmp expect spec/.hako/objects/info/packs
'

test_expect_success 'ls-remote reads a mirror over HTTP like a local workspace' '
	hako ls-remote spec >expect &&
	hako ls-remote "$URL/spec" >actual &&
	test_cmp expect actual &&
	hako ls-remote --symref "$URL/spec/" >actual &&
	grep "^ref: containers/default/refs/heads/main	containers/default/HEAD$" actual
'

test_expect_success 'setup: a 2000-file tree, committed and published' '
	random_tree tree 1 &&
	hako init -q --empty src &&
	t1=$(hako -C src write-tree ../tree) &&
	c1=$(hako -C src commit-tree -m first "$t1") &&
	hako -C src update-ref refs/heads/main "$c1" &&
	hako -C src tag -m "the first" v1 "$c1" &&
	hako -C src update-server-info &&
	hako -C src fsck --full &&
	hako -C src count-objects -v >counts &&
	grep "^garbage: 0$" counts &&
	echo "$c1" >c1 && echo "$t1" >t1
'

test_expect_success 'http-fetch of everything into an empty workspace: every object verifies, trees equal' '
	hako init -q --empty dst &&
	reset_log &&
	hako -C dst http-fetch -v "$URL/src" 2>err &&
	grep "^fetched [0-9]* objects" err &&
	grep "GET /src/objects/pack/pack-.*\.pack 200" nginx/access.log &&
	c1=$(cat c1) && t1=$(cat t1) &&
	hako -C dst update-ref refs/heads/main "$c1" &&
	hako -C dst fsck --full &&
	hako -C src ls-tree -r "$t1" >expect &&
	hako -C dst ls-tree -r "$t1" >actual &&
	test_cmp expect actual &&
	hako -C dst checkout-tree "$t1" ../out1 &&
	diff -r tree out1 &&
	test_path_is_missing dst/.hako/dumb-http/pack/*.pack &&
	ls dst/.hako/dumb-http/idx/pack-*.idx
'

test_expect_success 'a mirror whose pack has a version 1 index (packs.md vector): lengths from offsets' '
	vec="$TEST_DIRECTORY/../format-spec/vectors" &&
	hako init -q --empty v1m &&
	sum=$(tail -c 32 "$vec/pack-small.pack" | od -An -tx1 | tr -d " \n") &&
	cp "$vec/pack-small.pack" v1m/.hako/objects/pack/pack-$sum.pack &&
	cp "$vec/pack-small.idx" v1m/.hako/objects/pack/pack-$sum.idx &&
	ids=$(grep -v "^#" "$vec/objects.tsv" | cut -f3) &&
	commit=$(grep "^commit" "$vec/objects.tsv" | head -n 1 | cut -f3) &&
	hako -C v1m update-ref refs/heads/main $commit &&
	hako -C v1m update-server-info &&
	grep "pack-$sum.pack" v1m/.hako/objects/info/packs &&
	hako init -q --empty v1d &&
	hako -C v1d http-fetch "$URL/v1m" $ids &&
	for id in $ids; do
		hako -C v1d cat-file -p $id >got &&
		hako -C v1m cat-file -p $id >want &&
		test_cmp want got || return 1
	done &&
	hako -C v1d fsck
'

test_expect_success 'a fetch with nothing new reads only info/refs' '
	reset_log &&
	hako -C dst http-fetch "$URL/src" &&
	test "$(log_gets)" = 1 &&
	grep "^GET /src/info/refs 200" nginx/access.log
'

test_expect_success 'a mirror served as the workspace directory is found under .hako/' '
	hako ls-remote "$URL/src" >expect &&
	hako ls-remote "$URL/ws" >actual &&
	test_cmp expect actual
'

test_expect_success 'incremental fetch of a 1-file change: at most 5 GETs and 64 KiB plus the file' '
	cp -R dst dst1 &&
	python3 -c "import random; open(\"tree/d3/sub4/f7\", \"wb\").write(random.Random(2).randbytes(1024))" &&
	t2=$(hako -C src write-tree ../tree) &&
	c2=$(hako -C src commit-tree -m second -p "$(cat c1)" "$t2") &&
	hako -C src update-ref refs/heads/main "$c2" &&
	hako -C src update-server-info &&
	echo "$c2" >c2 && echo "$t2" >t2 &&
	reset_log &&
	hako -C dst http-fetch -v "$URL/src" containers/default/refs/heads/main 2>err &&
	cat nginx/access.log &&
	gets=$(log_gets) && bytes=$(log_bytes) &&
	echo "incremental: $gets GETs, $bytes bytes" &&
	test "$gets" -le 5 &&
	test "$bytes" -le $((65536 + 1024)) &&
	hako -C dst update-ref refs/heads/main "$c2" &&
	hako -C dst fsck --full &&
	hako -C dst checkout-tree "$t2" ../out2 &&
	diff -r tree out2
'

test_expect_success 'a mirror fed by a thin pack: deltas resolve against local and downloaded bases' '
	cp -R dst1 mir &&
	printf "%s\n^%s\n" $(cat c2) $(cat c1) |
		hako -C src pack-objects --revs --thin --stdout >thin.pack &&
	hako -C mir index-pack --stdin --fix-thin <thin.pack >name &&
	hako verify-pack -v "$PWD/mir/.hako/objects/pack/pack-$(cat name).idx" >list &&
	grep -E "^[0-9a-f]{64} tree [0-9]+ [0-9]+ [0-9]+ 1 [0-9a-f]{64}$" list &&
	hako -C mir update-ref refs/heads/main "$(cat c2)" &&
	hako -C mir update-server-info &&
	cp -R dst1 dst6 &&
	hako -C dst6 http-fetch "$URL/mir" containers/default/refs/heads/main &&
	hako -C dst6 update-ref refs/heads/main "$(cat c2)" &&
	hako -C dst6 fsck --full &&
	hako init -q --empty dst7 &&
	hako -C dst7 http-fetch "$URL/mir" &&
	hako -C dst7 update-ref refs/heads/main "$(cat c2)" &&
	hako -C dst7 fsck --full &&
	hako -C dst7 checkout-tree "$(cat t2)" ../out7 &&
	diff -r tree out7
'

test_expect_success 'an interrupted fetch resumes without fetching stored objects again' '
	hako init -q --empty dst2 &&
	reset_log &&
	test_must_fail env HAKO_TEST_DUMB_HTTP_STOP_AFTER=700 \
		hako -C dst2 http-fetch "$URL/src" 2>err &&
	grep "^fatal: .*stopped by HAKO_TEST_DUMB_HTTP_STOP_AFTER" err &&
	hako -C dst2 count-objects -v >counts &&
	grep "^in-pack: 7[0-9][0-9]$" counts &&
	hako -C dst2 fsck --full &&
	reset_log &&
	hako -C dst2 http-fetch -v "$URL/src" 2>err &&
	! grep "\.pack 200" nginx/access.log &&
	! grep "\.idx 200" nginx/access.log &&
	hako -C dst2 update-ref refs/heads/main "$(cat c2)" &&
	hako -C dst2 fsck --full
'

test_expect_success 'a killed download continues with a range request from where it stopped' '
	hako init -q --empty dst3 &&
	reset_log &&
	{ hako -C dst3 http-fetch "$URL/slow" & pid=$!; } &&
	part= &&
	for i in $(test_seq 100); do
		part=$(ls dst3/.hako/dumb-http/pack/*.part 2>/dev/null) &&
		test -n "$part" && test $(wc -c <"$part") -gt 100000 && break
		sleep 0.1
	done &&
	kill -9 $pid && wait $pid; 
	test -n "$part" &&
	have=$(wc -c <"$part") &&
	test "$have" -gt 0 &&
	reset_log &&
	hako -C dst3 http-fetch "$URL/src" &&
	grep "^GET /src/objects/pack/pack-.*\.pack 206 [0-9]* \"bytes=[0-9]*-\"" nginx/access.log &&
	hako -C dst3 update-ref refs/heads/main "$(cat c2)" &&
	hako -C dst3 fsck --full
'

test_expect_success 'a few objects spread over a big pack: several ranges per request' '
	hako init -q --empty rp && cp -R tree tree5 && cp -R dst1 dst5 &&
	python3 -c "
import random
r = random.Random(5)
for d in range(5):
    open(\"tree5/d%d/sub%d/f3\" % (d, d), \"wb\").write(r.randbytes(1024))
" &&
	t5=$(hako -C rp write-tree ../tree5) &&
	c5=$(hako -C rp commit-tree -m five "$t5") &&
	hako -C rp update-ref refs/heads/main "$c5" &&
	hako -C rp update-server-info &&
	reset_log &&
	hako -C dst5 http-fetch -v "$URL/rp" "$c5" 2>err &&
	cat nginx/access.log &&
	grep "^GET /rp/objects/pack/pack-.*\.pack 206 .*\"bytes=[0-9]*-[0-9]*,[0-9]" nginx/access.log &&
	rounds=$(sed -n "s/.* \([0-9]*\) rounds$/\1/p" err) &&
	test "$(grep -c "^GET /rp/objects/pack/pack-.*\.pack 206" nginx/access.log)" -le "$rounds" &&
	hako -C dst5 update-ref refs/heads/main "$c5" &&
	hako -C dst5 fsck --full &&
	hako -C dst5 checkout-tree "$t5" ../out5 &&
	diff -r tree5 out5
'

test_expect_success 'a URL that is not a mirror: 404, one-line fatal' '
	test_must_fail hako -C dst http-fetch "$URL/nothere" 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: $URL/nothere/info/refs: HTTP 404 Not Found (not a hako mirror" err &&
	test_must_fail hako ls-remote "$URL/nothere" 2>err &&
	test_line_count = 1 err &&
	test_must_fail hako -C dst http-fetch "$URL/src" containers/default/refs/heads/nope 2>err &&
	grep "^fatal: .*no such remote ref: containers/default/refs/heads/nope" err
'

test_expect_success 'a mirror whose pack is gone: HTTP 404 named, no ref, nothing unverified' '
	hako init -q --empty dst4 &&
	hako -C dst4 count-objects -v >expect &&
	cp -R src bad &&
	rm bad/.hako/objects/pack/*.pack &&
	test_must_fail hako -C dst4 http-fetch "$URL/bad" 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: $URL/bad/objects/pack/pack-[0-9a-f]*\.pack: HTTP 404" err &&
	hako -C dst4 count-objects -v >actual &&
	test_cmp expect actual &&
	rm -rf bad
'

test_expect_success 'a corrupted record served by range: id mismatch refused, nothing unverified stored' '
	cp -R src bad &&
	hako -C bad repack -d -q &&
	hako -C bad update-server-info &&
	blob=$(hako hash-object tree/d3/sub4/f7) &&
	for idx in "$PWD"/bad/.hako/objects/pack/pack-*.idx; do
		hako verify-pack -v "$idx" >list &&
		line=$(grep "^$blob " list) && break
	done &&
	test $(wc -c <"${idx%.idx}.pack") -gt 100000 &&
	set -- $line && len=$4 && off=$5 &&
	python3 -c "
import sys
p, at = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, \"rb\").read()); b[at] ^= 0x55; open(p, \"wb\").write(b)
" "${idx%.idx}.pack" $((off + len - 100)) &&
	reset_log &&
	test_must_fail hako -C dst1 http-fetch "$URL/bad" 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: $URL/bad/objects/pack/pack-[0-9a-f]*\.pack: object $blob .*: id mismatch" err &&
	grep " 206 " nginx/access.log &&
	test_must_fail hako -C dst1 cat-file -e "$blob" &&
	hako -C dst1 fsck --full &&
	hako -C dst1 rev-parse refs/heads/main >actual &&
	test_cmp c1 actual
'

test_expect_success 'a pack shorter than its index says: HTTP 416 named, nothing stored' '
	idx=$(ls -S "$PWD"/bad/.hako/objects/pack/pack-*.idx | head -n 1) &&
	truncate -s 1000000 "${idx%.idx}.pack" &&
	hako -C dst1 count-objects -v >expect &&
	test_must_fail hako -C dst1 http-fetch "$URL/bad" 2>err &&
	test_line_count = 1 err &&
	grep -E "^fatal: $URL/bad/objects/pack/pack-[0-9a-f]*\.pack: (HTTP 416|Content-Range)" err &&
	hako -C dst1 count-objects -v >actual &&
	test_cmp expect actual
'

test_expect_success 'a server error: HTTP 500 named' '
	test_must_fail hako -C dst http-fetch "$URL/err" 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: $URL/err/info/refs: HTTP 500 Internal Server Error$" err
'

test_expect_success 'http-fetch refuses a non-http URL and bad arguments' '
	test_must_fail hako -C dst http-fetch "$PWD/src" 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: .*not an http:// or https:// URL" err
'

test_expect_success 'clone of an http:// mirror brings every container; trees equal the source' '
	hako init -q psrc &&
	hako -C psrc write /etc/motd "hello" &&
	hako -C psrc commit -q -m motd &&
	hako -C psrc branch dev &&
	hako -C psrc tag -m "first" v1 &&
	hako -C psrc new-container web &&
	hako -C psrc -c web write /srv/index.html "<h1>hi</h1>" &&
	hako -C psrc -c web commit -q -m index &&
	hako -C psrc update-server-info &&
	hako clone -q "$URL/psrc" pdst &&
	for c in default web; do
		hako -C psrc -c $c export / "$PWD/exp-src-$c" &&
		hako -C pdst -c $c export / "$PWD/exp-dst-$c" &&
		diff -r exp-src-$c exp-dst-$c || return 1
	done &&
	test "$(hako -C pdst rev-parse refs/remotes/origin/dev)" = "$(hako -C psrc rev-parse refs/heads/dev)" &&
	test "$(hako -C pdst rev-parse refs/tags/v1)" = "$(hako -C psrc rev-parse refs/tags/v1)" &&
	hako -C pdst fsck --full
'

test_expect_success 'clone from a mirror shows live byte progress on a terminal only' '
	if ! command -v script >/dev/null; then
		echo "# skipped: script (util-linux) is not installed, no terminal to test with"
		return 0
	fi &&
	script -qec "hako clone \"$URL/psrc\" ptty" /dev/null >tty-out 2>&1 &&
	grep -a "Receiving pack: [0-9.]* [KMG]*i*B" tty-out &&
	hako clone "$URL/psrc" pnotty 2>notty-err &&
	! grep "Receiving" notty-err &&
	script -qec "hako clone -q \"$URL/psrc\" pquiet" /dev/null >quiet-out 2>&1 &&
	! grep -a "Receiving" quiet-out &&
	test "$(hako -C ptty rev-parse HEAD)" = "$(hako -C psrc rev-parse HEAD)"
'

test_expect_success 'fetch from an http:// mirror: a 1-file change moves the remote-tracking ref' '
	hako -C psrc write /etc/motd "changed" &&
	hako -C psrc commit -q -m change &&
	hako -C psrc update-server-info &&
	new=$(hako -C psrc rev-parse HEAD) &&
	reset_log &&
	hako -C pdst fetch -q &&
	test "$(log_gets)" -le 5 &&
	test "$(hako -C pdst rev-parse refs/remotes/origin/main)" = "$new" &&
	hako -C pdst merge origin/main >/dev/null &&
	test "$(hako -C pdst cat /etc/motd)" = changed &&
	reset_log &&
	hako -C pdst fetch -q &&
	test "$(log_gets)" = 1
'

test_expect_success 'a push into a mirror workspace keeps its info files current' '
	hako -C pdst write /etc/motd "pushed" &&
	hako -C pdst commit -q -m pushed &&
	hako -C pdst push -q "$PWD/psrc" main:topic &&
	new=$(hako -C pdst rev-parse HEAD) &&
	hako ls-remote "$URL/psrc" >refs &&
	grep "^$new	containers/default/refs/heads/topic$" refs &&
	hako init -q --empty pdst2 &&
	hako -C pdst2 http-fetch "$URL/psrc" containers/default/refs/heads/topic &&
	hako -C pdst2 update-ref refs/heads/main "$new" &&
	hako -C pdst2 fsck --full
'

test_expect_success 'clone of a URL that is not a mirror fails and leaves nothing' '
	test_must_fail hako clone -q "$URL/nothere" gone 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: $URL/nothere/info/refs: HTTP 404" err &&
	test_path_is_missing gone
'

test_expect_success 'redirects: followed to http(s) only, at most 8; file:// and ftp:// refused with one line, no panic' '
	python3 "$TEST_DIRECTORY"/helpers/redirector.py redir.port "$port" &
	echo $! >redir.pid &&
	test_when_finished "kill \$(cat redir.pid)" &&
	for i in $(test_seq 100); do test -s redir.port && break; sleep 0.05; done &&
	R=http://127.0.0.1:$(cat redir.port) &&
	# Another http server (nginx): followed.
	hako ls-remote "$URL/spec" >expect &&
	hako ls-remote "$R/to/spec" >actual &&
	test_cmp expect actual &&
	for bad in file ftp
	do
		test_expect_code 128 hako ls-remote "$R/$bad/x" 2>err &&
		test_line_count = 1 err &&
		grep "^fatal: .*redirect to .$bad://.* refused (only http:// and https:// are followed)" err &&
		test_expect_code 128 hako clone -q "$R/$bad/x" gone 2>err &&
		test_line_count = 1 err &&
		test_path_is_missing gone || return 1
	done &&
	test_expect_code 128 hako ls-remote "$R/loop/0" 2>err &&
	grep "^fatal: .*more than 8 redirects" err
'

test_expect_success 'HAKO_TRACE shows each HTTP request and its status, never a password' '
	HAKO_TRACE=hako::http=debug hako ls-remote "http://user:secret@127.0.0.1:$(cat port)/src" >/dev/null 2>trace &&
	grep "DEBUG hako::http: GET http://127.0.0.1:$(cat port)/src/info/refs -> 200\$" trace &&
	! grep secret trace &&
	HAKO_TRACE=1 hako ls-remote "$URL/nosuch" 2>trace;
	grep "GET $URL/nosuch/info/refs -> 404\$" trace
'

test_expect_success 'stop nginx' '
	nginx_stop
'

test_done
