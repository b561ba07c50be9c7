#!/bin/sh
test_description='the HTTP policy (format-spec/oci.md, "Retries"): 503 with Retry-After retried, a download cut off resumed with Range, proxies from the environment as curl reads them'
. ./test-lib.sh

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed (the test servers)"

# serve NAME ARGS...: helpers/flakyhttp.py on 127.0.0.1; its port in
# NAME.port, its log in NAME.log; stopped when the test ends.
serve () {
	name=$1 && shift &&
	rm -f "$name.port" "$name.log" &&
	{ python3 "$TEST_DIRECTORY/helpers/flakyhttp.py" "$TRASH/$name.port" "$TRASH/$name.log" "$@" 2>"$name.err" &
	  echo $! >"$name.pid"; } &&
	for i in $(test_seq 100); do test -f "$name.port" && break; sleep 0.05; done &&
	test -f "$name.port" &&
	touch "$name.log"
}
TRASH=$PWD

test_expect_success 'setup: a published workspace of random files' '
	python3 - <<-\PY &&
	import os, random
	r = random.Random(7)
	for a in range(8):
	    os.makedirs("tree/d%d" % a, exist_ok=True)
	    for b in range(16):
	        with open("tree/d%d/f%d" % (a, b), "wb") as f:
	            f.write(bytes(r.getrandbits(8) for _ in range(4096)))
	PY
	hako init -q --empty src &&
	t=$(hako -C src write-tree ../tree) &&
	c=$(hako -C src commit-tree -m first "$t") &&
	hako -C src update-ref refs/heads/main "$c" &&
	hako -C src update-server-info &&
	hako ls-remote src >expect-refs &&
	echo "$c" >commit
'

test_expect_success 'a mirror answering 503 with Retry-After: each request retried after the wait, the fetch succeeds' '
	serve busy --root src/.hako --fail 1 --retry-after 1 &&
	test_when_finished "kill \$(cat busy.pid)" &&
	hako ls-remote "http://127.0.0.1:$(cat busy.port)" >actual &&
	test_cmp expect-refs actual &&
	grep "^GET /info/refs 503 -$" busy.log &&
	grep "^GET /info/refs 200 -$" busy.log &&
	hako init -q --empty busy-dst &&
	hako -C busy-dst http-fetch "http://127.0.0.1:$(cat busy.port)" &&
	hako -C busy-dst fsck --full &&
	test "$(grep -c "^GET .* 503 -$" busy.log)" = "$(cut -d" " -f2 busy.log | sort -u | wc -l)"
'

test_expect_success 'a mirror that keeps answering 503: four attempts, then one fatal line' '
	serve down --root src/.hako --fail 100 --retry-after 0 &&
	test_when_finished "kill \$(cat down.pid)" &&
	test_expect_code 128 hako ls-remote "http://127.0.0.1:$(cat down.port)" 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: http://127.0.0.1:$(cat down.port)/info/refs: HTTP 503 Service Unavailable$" err &&
	test "$(grep -c "^GET /info/refs 503" down.log)" = 4
'

test_expect_success 'a pack download cut off mid-way is resumed with Range in the same fetch' '
	serve cut --root src/.hako --cut .pack &&
	test_when_finished "kill \$(cat cut.pid)" &&
	hako init -q --empty cut-dst &&
	hako -C cut-dst http-fetch "http://127.0.0.1:$(cat cut.port)" &&
	hako -C cut-dst update-ref refs/heads/main "$(cat commit)" &&
	hako -C cut-dst fsck --full &&
	sed -n "s/^P \(pack-[0-9a-f]*\.pack\) \([0-9]*\) .*/\1 \2/p" src/.hako/objects/info/packs >packs &&
	test_line_count = 2 packs &&
	while read pack size
	do
		grep "^GET /objects/pack/$pack 200 -$" cut.log &&
		grep "^GET /objects/pack/$pack 206 bytes=$((size / 2))-$" cut.log || return 1
	done <packs
'

test_expect_success 'http_proxy: requests to http:// URLs go through the proxy; NO_PROXY names what does not' '
	serve plain --root src/.hako &&
	test_when_finished "kill \$(cat plain.pid)" &&
	serve proxy --proxy &&
	test_when_finished "kill \$(cat proxy.pid)" &&
	M=http://127.0.0.1:$(cat plain.port) &&
	http_proxy=http://127.0.0.1:$(cat proxy.port) hako ls-remote "$M" >actual &&
	test_cmp expect-refs actual &&
	grep "^PROXY GET $M/info/refs$" proxy.log &&
	: >proxy.log &&
	http_proxy=127.0.0.1:$(cat proxy.port) NO_PROXY=example.com,127.0.0.0/8 hako ls-remote "$M" >actual &&
	test_cmp expect-refs actual &&
	test_must_be_empty proxy.log &&
	HTTP_PROXY=http://127.0.0.1:$(cat proxy.port) hako ls-remote "$M" >actual &&
	test_must_be_empty proxy.log
'

test_expect_success 'a proxy setting that is not an http:// proxy: one fatal line naming the variable' '
	test_expect_code 128 env http_proxy=socks5://127.0.0.1:1 hako ls-remote http://127.0.0.1:1/x 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: .*http_proxy: .socks5://127.0.0.1:1. is not an http:// proxy" err
'

test_done
