#!/bin/sh
test_description='remotes in an S3 bucket (format-spec/object-store.md) against a real Garage'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-net.sh
. "$TEST_DIRECTORY"/lib-remote.sh

# Garage 2.5.0: $HAKO_TEST_GARAGE, else the ready binary of ../shared/tools
# (relative to the repository), else one on PATH (.ci/run installs it).
GARAGE_VERSION=2.5.0
for g in "$HAKO_TEST_GARAGE" "$TEST_DIRECTORY/../../shared/tools/garage" "$(command -v garage 2>/dev/null)"
do
	test -n "$g" && test -x "$g" || continue
	case "$("$g" --version 2>/dev/null)" in
	*"cargo:$GARAGE_VERSION "*) GARAGE=$g; break ;;
	esac
done
test -n "$GARAGE" || skip_all "no garage $GARAGE_VERSION binary (../shared/tools/garage, or cargo install garage --version $GARAGE_VERSION --locked)"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed (free ports, test data)"

garage_pid=
stop_garage () {
	test -z "$garage_pid" || kill "$garage_pid" 2>/dev/null
	garage_pid=
	for n in 1 2 3
	do
		test -f "$TRASH/cluster/n$n/pid" && kill "$(cat "$TRASH/cluster/n$n/pid")" 2>/dev/null
		rm -f "$TRASH/cluster/n$n/pid"
	done
}
trap stop_garage EXIT

# Node N of the three-node cluster (replication factor 3): config written
# once (cluster/nN/garage.toml), then started; its pid in cluster/nN/pid.
cluster_node () {
	d=$TRASH/cluster/n$1 &&
	if ! test -f "$d/garage.toml"
	then
		mkdir -p "$d" &&
		cat >"$d/garage.toml" <<-EOF
		metadata_dir = "$d/meta"
		data_dir = "$d/data"
		db_engine = "sqlite"
		replication_factor = 3
		rpc_bind_addr = "127.0.0.1:$(test_free_port)"
		rpc_secret = "$(cat "$TRASH/cluster/secret")"
		[s3_api]
		s3_region = "garage"
		api_bind_addr = "127.0.0.1:$(test_free_port)"
		root_domain = ".s3.garage.localhost"
		EOF
	fi &&
	sed -n "s/^rpc_bind_addr = \"\(.*\)\"/\1/p" "$d/garage.toml" >"$d/rpc" &&
	sed -i "/^rpc_public_addr/d; /^rpc_bind_addr/a rpc_public_addr = \"$(cat "$d/rpc")\"" "$d/garage.toml" &&
	{ "$GARAGE" -c "$d/garage.toml" server >>"$d/server.log" 2>&1 & echo $! >"$d/pid"; } &&
	wait_port "$(sed -n "s/^api_bind_addr = \"127.0.0.1:\(.*\)\"/\1/p" "$d/garage.toml")"
}
stop_node () {
	kill "$(cat "$TRASH/cluster/n$1/pid")" &&
	while kill -0 "$(cat "$TRASH/cluster/n$1/pid")" 2>/dev/null; do sleep 0.05; done &&
	rm "$TRASH/cluster/n$1/pid"
}
c1 () { "$GARAGE" -c "$TRASH/cluster/n1/garage.toml" "$@"; }
# Until the restarted cluster answers a listing again (nodes reconnect).
wait_cluster () {
	for i in $(test_seq 100)
	do
		on_cluster env AWS_ENDPOINT_URL="$(cat "$TRASH/cluster/endpoint")" \
			hako ls-remote s3://hako-cluster/ws >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

g () { "$GARAGE" -c "$TRASH/garage/garage.toml" "$@"; }

# A single-node Garage on free 127.0.0.1 ports: bucket hako-test, key hako.
start_garage () {
	s3port=$(test_free_port) && rpcport=$(test_free_port) && adminport=$(test_free_port) &&
	webport=$(test_free_port) &&
	mkdir -p garage &&
	cat >garage/garage.toml <<-EOF &&
	metadata_dir = "$TRASH/garage/meta"
	data_dir = "$TRASH/garage/data"
	db_engine = "sqlite"
	replication_factor = 1
	rpc_bind_addr = "127.0.0.1:$rpcport"
	rpc_public_addr = "127.0.0.1:$rpcport"
	rpc_secret = "$(python3 -c "import os; print(os.urandom(32).hex())")"
	[s3_api]
	s3_region = "garage"
	api_bind_addr = "127.0.0.1:$s3port"
	root_domain = ".s3.garage.localhost"
	[s3_web]
	bind_addr = "127.0.0.1:$webport"
	root_domain = ".web.garage.localhost"
	[admin]
	api_bind_addr = "127.0.0.1:$adminport"
	admin_token = "admin-token"
	metrics_token = "metrics-token"
	EOF
	{ "$GARAGE" -c "$TRASH/garage/garage.toml" server >garage/server.log 2>&1 & garage_pid=$!; } &&
	wait_port "$s3port" &&
	id=$(g node id -q) &&
	g layout assign -z dc1 -c 1G "${id%%@*}" >/dev/null &&
	g layout apply --version 1 >/dev/null &&
	g bucket create hako-test >/dev/null &&
	g key create hako >garage/key &&
	g bucket allow --read --write --owner hako-test --key hako >/dev/null &&
	sed -n "s/^Key ID: *//p" garage/key >garage/key-id &&
	sed -n "s/^Secret key: *//p" garage/key >garage/secret &&
	test -s garage/key-id && test -s garage/secret &&
	g bucket website --allow hako-test >/dev/null &&
	echo "$s3port" >garage/s3port && echo "$adminport" >garage/adminport &&
	echo "$webport" >garage/webport
}

# count ENDPOINT: requests Garage served so far (its /metrics).
count () {
	python3 - "$(cat "$TRASH/garage/adminport")" "$1" <<-\PY
	import sys, urllib.request
	req = urllib.request.Request("http://127.0.0.1:%s/metrics" % sys.argv[1],
	                             headers={"Authorization": "Bearer metrics-token"})
	n = 0
	for line in urllib.request.urlopen(req).read().decode().splitlines():
	    if line.startswith('api_s3_request_counter{api_endpoint="%s"}' % sys.argv[2]):
	        n = int(float(line.split()[-1]))
	print(n)
	PY
}
all_requests () {
	echo $(( $(count GetObject) + $(count ListObjectsV2) + $(count PutObject) + $(count DeleteObject) + $(count DeleteObjects) ))
}

# s3req OP ARGS...: one signed request behind hako's back (helpers/s3req.py).
s3req () { python3 "$TEST_DIRECTORY/helpers/s3req.py" "$@"; }

TRASH=$(pwd)
export TRASH

test_expect_success 'setup: Garage on 127.0.0.1, a source workspace with two containers' '
	start_garage &&
	source_workspace src

'

AWS_ACCESS_KEY_ID=$(cat garage/key-id 2>/dev/null)
AWS_SECRET_ACCESS_KEY=$(cat garage/secret 2>/dev/null)
AWS_ENDPOINT_URL=http://127.0.0.1:$(cat garage/s3port 2>/dev/null)
AWS_REGION=garage
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_ENDPOINT_URL AWS_REGION
unset AWS_ENDPOINT_URL_S3 AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_REGION
B=s3://hako-test

test_expect_success 'remote add takes an s3:// URL; push --all --tags fills the bucket' '
	hako -C src remote add origin $B/team/ws &&
	hako -C src remote -v >remotes &&
	grep "origin	$B/team/ws" remotes &&
	hako -C src push --all origin 2>err &&
	grep "\[new branch\]" err &&
	hako -C src push --tags origin 2>err &&
	grep "\[new tag\]" err &&
	hako ls-remote src >expect &&
	hako ls-remote $B/team/ws >actual &&
	test_cmp expect actual &&
	hako -C src ls-remote origin >actual &&
	test_cmp expect actual &&
	hako -C src rev-parse refs/remotes/origin/main >tracking &&
	hako -C src rev-parse main >expect &&
	test_cmp expect tracking
'

test_expect_success 'clone from the bucket: every container, branch and tag; trees equal; fsck clean' '
	hako clone -q $B/team/ws dst &&
	hako ls-remote src | grep -v refs/heads/dev >expect &&
	hako ls-remote dst >actual &&
	test_cmp expect actual &&
	hako -C dst rev-parse refs/remotes/origin/dev >dev &&
	hako -C src rev-parse dev >expect && test_cmp expect dev &&
	hako -C dst containers >list &&
	grep "^\* default" list && grep "web" list &&
	hako -C dst cat /etc/motd >motd && printf hello >expect && test_cmp expect motd &&
	hako -C dst -c web cat /srv/index.html >idx && printf "<h1>hi</h1>" >expect && test_cmp expect idx &&
	hako -C dst fsck --full &&
	hako -C dst config remote.origin.url >url && echo "$B/team/ws" >expect && test_cmp expect url
'

test_expect_success 'a container with a running setup travels: its tree and HEAD come back' '
	hako -C src new-container db &&
	hako -C src -c db write /var/db/data "rows" &&
	hako -C src -c db commit -q -m db &&
	hako -C src push origin containers/db/refs/heads/main 2>err &&
	hako -C dst fetch 2>err &&
	grep "new container" err &&
	hako -C dst -c db cat /var/db/data >data && printf rows >expect && test_cmp expect data
'

test_expect_success 'a no-op fetch costs one request (one LIST of the prefix)' '
	before=$(all_requests) &&
	hako -C dst fetch 2>err &&
	after=$(all_requests) &&
	echo "no-op fetch: $((after - before)) requests" &&
	test $((after - before)) -le 1
'

test_expect_success 'fetch of a 1-file change takes the records it lacks by range requests' '
	test_tick &&
	random_tree tree 1 &&
	t1=$(hako -C src write-tree ../tree) &&
	c1=$(hako -C src commit-tree -m big "$t1") &&
	python3 -c "import random; open(\"tree/d3/sub4/f7\", \"wb\").write(random.Random(2).randbytes(1024))" &&
	t2=$(hako -C src write-tree ../tree) &&
	c2=$(hako -C src commit-tree -m change -p "$c1" "$t2") &&
	hako -C src update-ref refs/heads/big "$c2" &&
	hako -C src push origin big 2>err &&
	# A workspace that has the first commit (same bytes, same ids) already.
	hako init -q --empty near &&
	hako -C near write-tree ../tree >/dev/null &&
	random_tree tree1 1 &&
	test "$(hako -C near write-tree ../tree1)" = "$t1" &&
	test "$(hako -C near commit-tree -m big "$t1")" = "$c1" &&
	before_get=$(count GetObject) && before_list=$(count ListObjectsV2) &&
	hako -C near fetch $B/team/ws 2>err &&
	gets=$(( $(count GetObject) - before_get )) && lists=$(( $(count ListObjectsV2) - before_list )) &&
	echo "1-file change: $gets GETs, $lists LISTs" &&
	# The index, then one range per round (commit, tree levels, blob); a whole
	# pack download would be index + pack = 2.
	test "$gets" -ge 3 && test "$gets" -le 12 && test "$lists" -le 1 &&
	hako -C near cat-file -t "$c2" >type && echo commit >expect && test_cmp expect type &&
	hako -C near fsck --full &&
	hako -C near checkout-tree "$t2" ../out2 &&
	diff -r tree out2
'

test_expect_success 'push of a 1-file change costs 6 requests; fast-forwards name the value they supersede, MAX_VALUES of them then one DeleteObjects' '
	python3 -c "import random; open(\"tree/d5/sub1/f3\", \"wb\").write(random.Random(3).randbytes(1024))" &&
	t3=$(hako -C src write-tree ../tree) &&
	c3=$(hako -C src commit-tree -m change2 -p "$(hako -C src rev-parse big)" "$t3") &&
	hako -C src update-ref refs/heads/big "$c3" &&
	before=$(all_requests) && puts=$(count PutObject) &&
	hako -C src push origin big 2>err &&
	n=$(( $(all_requests) - before )) &&
	echo "push of a 1-file change: $n requests ($(( $(count PutObject) - puts )) PUT)" &&
	test "$n" -le 6 &&
	s3req list hako-test team/ws/refs/v/containers/default/refs/heads/big/ >values &&
	test_line_count = 2 values &&
	grep "/$c3+[0-9a-f]*$" values &&
	hako ls-remote $B/team/ws >refs &&
	grep "^$c3	containers/default/refs/heads/big$" refs &&
	test "$(grep -c "refs/heads/big$" refs)" = 1 &&
	prev=$c3 &&
	for i in 3 4 5 6 7 8; do
		prev=$(hako -C src commit-tree -m "ff $i" -p "$prev" "$t3") &&
		hako -C src update-ref refs/heads/big "$prev" &&
		hako -C src push -q origin big || return 1
	done &&
	s3req list hako-test team/ws/refs/v/containers/default/refs/heads/big/ >values &&
	test_line_count = 8 values &&
	hako -C dst fetch 2>err &&
	test "$(hako -C dst rev-parse refs/remotes/origin/big)" = "$prev" &&
	test "$(hako ls-remote $B/team/ws | grep -c "refs/heads/big$")" = 1 &&
	prev=$(hako -C src commit-tree -m "ff 9" -p "$prev" "$t3") &&
	hako -C src update-ref refs/heads/big "$prev" &&
	dels=$(count DeleteObjects) &&
	hako -C src push -q origin big &&
	test $(( $(count DeleteObjects) - dels )) = 1 &&
	s3req list hako-test team/ws/refs/v/containers/default/refs/heads/big/ >values &&
	test_line_count = 1 values &&
	grep "/$prev$" values
'

test_expect_success 'wrong credentials: one-line fatal naming the remote and the store'"'"'s code, no ref moved' '
	hako -C dst for-each-ref >before &&
	test_must_fail env AWS_SECRET_ACCESS_KEY=wrong hako -C dst fetch 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: remote .origin. ($B/team/ws): LIST: AccessDenied (HTTP 403)" err &&
	test_must_fail env AWS_ACCESS_KEY_ID=GKnosuchkey hako -C dst fetch 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: remote .origin. ($B/team/ws): LIST: [A-Za-z]* (HTTP 403)" err &&
	hako -C dst for-each-ref >after &&
	test_cmp before after
'

test_expect_success 'credentials from AWS_PROFILE in ~/.aws/credentials, region from ~/.aws/config' '
	mkdir -p home/.aws &&
	printf "[default]\naws_access_key_id = GKwrongdefault\naws_secret_access_key = x\n[team]\naws_access_key_id = %s\naws_secret_access_key = %s\n" \
		"$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >home/.aws/credentials &&
	printf "[profile team]\nregion = garage\n" >home/.aws/config &&
	hako ls-remote $B/team/ws >expect &&
	env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_REGION HOME="$TRASH/home" AWS_PROFILE=team \
		hako ls-remote $B/team/ws >actual &&
	test_cmp expect actual &&
	test_must_fail env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY HOME="$TRASH/home" \
		hako ls-remote $B/team/ws 2>err &&
	grep "^fatal: $B/team/ws: LIST: [A-Za-z]* (HTTP 403)" err
'

test_expect_success 'a missing bucket, an unreachable endpoint, a prefix holding something else: one-line fatal' '
	test_must_fail hako ls-remote s3://no-such-bucket/x 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: s3://no-such-bucket/x: LIST: NoSuchBucket (HTTP 404)" err &&
	test_must_fail hako clone s3://no-such-bucket/x nb 2>err &&
	grep "NoSuchBucket" err &&
	test_path_is_missing nb &&
	port=$(test_free_port) &&
	test_must_fail env AWS_ENDPOINT_URL=http://127.0.0.1:$port hako ls-remote $B/team/ws 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: $B/team/ws: LIST: cannot reach the store" err &&
	test_must_fail hako ls-remote $B 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: $B: the prefix holds something else than a hako remote (key .team/" err &&
	test_must_fail hako -C src push $B main 2>err &&
	grep "holds something else" err &&
	test_must_fail hako ls-remote s3://Bad_Bucket 2>err &&
	grep "^fatal: bad remote URL" err
'

test_expect_success 'a pack or an index in the bucket that does not verify: one-line fatal naming the remote, no ref moved, nothing unverified stored' '
	hako init -q badsrc && hako -C badsrc remote add origin $B/bad &&
	hako -C badsrc write /etc/one 1 && hako -C badsrc commit -q -m one &&
	hako -C badsrc push -q origin &&
	hako clone -q $B/bad bad1 &&
	python3 -c "import random; open(\"bigfile\", \"wb\").write(random.Random(9).randbytes(200000))" &&
	hako -C badsrc write /etc/big --from ../bigfile && hako -C badsrc commit -q -m big &&
	s3req list hako-test bad/objects/pack/ | sort >packs-before &&
	hako -C badsrc push -q origin &&
	new=$(hako -C badsrc rev-parse main) &&
	pack=$(s3req list hako-test bad/objects/pack/ | sort | comm -13 packs-before - | grep "\.pack$") &&
	test -n "$pack" &&
	s3req get hako-test "$pack" >good.pack &&
	python3 -c "import sys; d = bytearray(open(\"good.pack\", \"rb\").read()); d[len(d) // 2] ^= 0xff; open(\"bad.pack\", \"wb\").write(d)" &&
	s3req put hako-test "$pack" bad.pack &&
	hako -C bad1 for-each-ref >before &&
	test_must_fail hako -C bad1 fetch 2>err &&
	cat err &&
	test_line_count = 1 err &&
	grep "^fatal: remote .origin. ($B/bad): objects/pack/pack-[0-9a-f]*\.pack: " err &&
	hako -C bad1 for-each-ref >after && test_cmp before after &&
	test_must_fail hako -C bad1 cat-file -e "$new" &&
	test_must_fail hako -C bad1 cat-file -e "$(hako -C badsrc rev-parse main:etc/big)" &&
	hako -C bad1 fsck --full &&
	test_must_fail hako clone -q $B/bad bad2 2>err &&
	test_line_count = 1 err && grep "^fatal: .*$B/bad" err &&
	test_path_is_missing bad2 &&
	s3req put hako-test "$pack" good.pack &&
	idx=${pack%.pack}.idx &&
	s3req get hako-test "$idx" >good.idx &&
	python3 -c "d = bytearray(open(\"good.idx\", \"rb\").read()); d[len(d) // 2] ^= 0xff; open(\"bad.idx\", \"wb\").write(d)" &&
	s3req put hako-test "$idx" bad.idx &&
	# (bad1 has the index cached, checked, from its first try: a fresh clone)
	test_must_fail hako clone -q $B/bad bad3 2>err &&
	cat err &&
	test_line_count = 1 err &&
	grep "^fatal: remote .origin. ($B/bad): objects/pack/pack-[0-9a-f]*\.idx: bad pack index" err &&
	test_path_is_missing bad3 &&
	s3req put hako-test "$idx" good.idx &&
	hako -C bad1 fetch 2>err &&
	test "$(hako -C bad1 rev-parse origin/main)" = "$new" &&
	hako -C bad1 fsck --full
'

test_expect_success 'a ref value naming an object no pack holds: one-line fatal naming the remote, no ref moved' '
	hako -C bad1 for-each-ref >before &&
	ghost=$(printf "%064d" 5) &&
	s3req put hako-test bad/refs/v/containers/default/refs/heads/ghost/$ghost /dev/null &&
	test_must_fail hako -C bad1 fetch 2>err &&
	cat err &&
	test_line_count = 1 err &&
	grep "^fatal: .*$B/bad.*$ghost" err &&
	hako -C bad1 for-each-ref >after && test_cmp before after &&
	s3req delete hako-test bad/refs/v/containers/default/refs/heads/ghost/$ghost
'

test_expect_success 'a clock the store finds skewed: one-line fatal with the store'"'"'s code' '
	test_must_fail env HAKO_TEST_S3_CLOCK_SKEW=-7200 hako ls-remote $B/bad 2>err &&
	cat err &&
	test_line_count = 1 err &&
	grep "^fatal: $B/bad: LIST: [A-Za-z]* (HTTP 4[0-9][0-9])" err &&
	test_must_fail env HAKO_TEST_S3_CLOCK_SKEW=-7200 hako -C bad1 fetch 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: remote .origin. ($B/bad): LIST: [A-Za-z]* (HTTP 4[0-9][0-9])" err
'

test_expect_success 'non-fast-forward refused, --force accepted, --delete removes a branch' '
	hako -C dst write /etc/dst "d" && hako -C dst commit -q -m dstside &&
	hako -C dst push 2>err &&
	hako -C src write /etc/src "s" && hako -C src commit -q -m srcside &&
	test_must_fail hako -C src push 2>err &&
	grep "non-fast-forward\|fetch first" err &&
	hako -C src push --force 2>err &&
	grep "forced update\|+" err &&
	hako ls-remote $B/team/ws >refs &&
	grep "$(hako -C src rev-parse main)	containers/default/refs/heads/main" refs &&
	test "$(grep -c "containers/default/refs/heads/main$" refs)" = 1 &&
	hako -C src push --delete origin dev 2>err &&
	hako ls-remote $B/team/ws >refs &&
	! grep "refs/heads/dev" refs
'

test_expect_success '--atomic is refused with the reason' '
	test_must_fail hako -C src push --atomic 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: remote .origin. ($B/team/ws): --atomic is refused: the object store has no multi-key transaction" err
'

test_expect_success 'two pushers that do not see each other: both kept, divergence reported, nothing lost' '
	rm -rf p1 p2 p3 &&
	hako clone -q $B/team/ws p1 && hako clone -q $B/team/ws p2 && hako clone -q $B/team/ws p3 &&
	hako -C p1 write /etc/one 1 && hako -C p1 commit -q -m one &&
	hako -C p2 write /etc/two 2 && hako -C p2 commit -q -m two &&
	one=$(hako -C p1 rev-parse main) && two=$(hako -C p2 rev-parse main) &&
	# p1 reads the refs, then waits while p2 pushes: neither sees the other.
	{ HAKO_TEST_S3_PUSH_WAIT=$TRASH/go hako -C p1 push >p1.out 2>&1 & p1pid=$!; } &&
	for i in $(test_seq 100); do test -f go.listed && break; sleep 0.1; done &&
	test -f go.listed &&
	hako -C p2 push 2>err &&
	touch go && wait $p1pid &&
	hako ls-remote $B/team/ws >refs &&
	grep "^$one	containers/default/refs/heads/main$" refs &&
	grep "^$two	containers/default/refs/heads/main$" refs &&
	hako -C p3 fetch 2>err &&
	grep "^warning: .*branch main of container default has 2 heads: .*merge them and push" err &&
	hako -C p3 cat-file -e "$one" && hako -C p3 cat-file -e "$two" &&
	hako -C p3 write /etc/three 3 && hako -C p3 commit -q -m three &&
	test_must_fail hako -C p3 push 2>err &&
	grep "diverged (2 heads): fetch and merge\|fetch first\|non-fast-forward" err
'

test_expect_success 'a merge of both heads pushes and leaves one value' '
	hako -C p1 fetch 2>err &&
	two=$(hako ls-remote $B/team/ws | sed -n "s/	containers\/default\/refs\/heads\/main$//p" | grep -v "$(hako -C p1 rev-parse main)") &&
	hako -C p1 merge "$two" >out 2>err &&
	hako -C p1 push 2>err &&
	hako ls-remote $B/team/ws >refs &&
	test "$(grep -c "containers/default/refs/heads/main$" refs)" = 1 &&
	hako clone -q $B/team/ws p4 &&
	hako -C p4 cat /etc/one && hako -C p4 cat /etc/two &&
	hako -C p4 fsck --full
'

test_expect_success 'push --force over diverged heads keeps only its value' '
	hako -C p2 fetch 2>err &&
	hako -C p2 reset --hard origin/main >out &&
	hako -C p2 write /etc/x1 x && hako -C p2 commit -q -m x1 &&
	hako -C p3 write /etc/x2 x && hako -C p3 commit -q -m x2 &&
	{ HAKO_TEST_S3_PUSH_WAIT=$TRASH/go2 hako -C p2 push --force >p2.out 2>&1 & pid=$!; } &&
	for i in $(test_seq 100); do test -f go2.listed && break; sleep 0.1; done &&
	hako -C p3 push --force 2>err &&
	touch go2 && wait $pid &&
	hako ls-remote $B/team/ws >refs &&
	test "$(grep -c "containers/default/refs/heads/main$" refs)" = 2 &&
	hako -C p3 push --force 2>err &&
	hako ls-remote $B/team/ws >refs &&
	grep "^$(hako -C p3 rev-parse main)	containers/default/refs/heads/main$" refs &&
	test "$(grep -c "containers/default/refs/heads/main$" refs)" = 1
'

test_expect_success 'pushers killed (-9) at random moments: every value readable, a fresh clone fsck-clean' '
	rm -rf k && hako clone -q $B/team/ws k &&
	random_tree k-tree 7 &&
	for i in 1 2 3 4 5 6; do
		hako -C k write /etc/k$i "$i" && hako -C k commit -q -m k$i &&
		test "$i" != 3 || hako -C k import ../k-tree /data/k >/dev/null &&
		test "$i" != 3 || hako -C k commit -q -m tree &&
		{ hako -C k push >/dev/null 2>&1 & pid=$!; } &&
		sleep 0.$(python3 -c "import random; print(random.randint(0, 40))") &&
		kill -9 $pid 2>/dev/null; wait $pid; :
	done &&
	hako -C k push 2>err &&
	hako ls-remote $B/team/ws >refs &&
	test "$(grep -c "containers/default/refs/heads/main$" refs)" = 1 &&
	rm -rf k2 && hako clone -q $B/team/ws k2 &&
	hako -C k2 fsck --full &&
	test "$(hako -C k2 rev-parse main)" = "$(hako -C k rev-parse main)" &&
	hako -C k2 cat /etc/k6
'

# gc_keys KIND: the keys of the gc prefix (KIND: idx, pack, retired), sorted.
gc_keys () {
	case $1 in
	retired) s3req list hako-test gc/objects/retired/ ;;
	*) s3req list hako-test gc/objects/pack/ | grep "\.$1$" ;;
	esac | sort
}

test_expect_success 'gc --remote of a bucket with several pushes leaves one pack; a fresh clone is equal, fsck-clean' '
	hako init -q gcsrc && hako -C gcsrc remote add origin $B/gc &&
	for i in 1 2 3 4; do
		hako -C gcsrc write /etc/f$i $i && hako -C gcsrc commit -q -m f$i &&
		hako -C gcsrc push -q origin || return 1
	done &&
	hako -C gcsrc tag -m t t1 && hako -C gcsrc push -q --tags origin &&
	test "$(gc_keys idx | wc -l)" = 5 &&
	hako -C gcsrc gc --remote origin --prune-grace 0 2>err &&
	grep "^remote .origin. ($B/gc): .* objects reachable; wrote pack-[0-9a-f]* (.*); retired 5 packs, removed 5; .*; 1 packs remain" err &&
	test "$(gc_keys idx | wc -l)" = 1 && test "$(gc_keys pack | wc -l)" = 1 &&
	test -z "$(gc_keys retired)" &&
	hako clone -q $B/gc gc1 &&
	hako -C gc1 fsck --full &&
	hako ls-remote $B/gc >actual && hako ls-remote gcsrc >expect && test_cmp expect actual &&
	hako -C gc1 cat /etc/f4 &&
	hako -C gcsrc gc --remote origin --prune-grace 0 2>err &&
	grep "wrote no pack; retired 0 packs, removed 0; .* 1 packs remain" err &&
	test_must_fail hako -C gcsrc gc --remote nosuch 2>err &&
	grep "neither a configured remote" err &&
	test_must_fail hako -C gcsrc gc --prune-grace 1h 2>err &&
	test_must_fail hako -C gcsrc gc --remote origin --prune-grace 1w 2>err &&
	grep "bad grace" err
'

test_expect_success 'gc --remote while clones run: each clone, listed before a gc step, succeeds' '
	random_tree gc-tree 5 2 &&
	hako -C gcsrc import ../gc-tree /data >/dev/null && hako -C gcsrc commit -q -m tree &&
	hako -C gcsrc push -q origin &&
	hako -C gcsrc write /etc/f5 5 && hako -C gcsrc commit -q -m f5 && hako -C gcsrc push -q origin &&
	sleep 3 &&
	# Each clone lists the bucket, then waits while a gc step runs.
	for step in 1 2 3; do
		{ test $step = 1 || sleep 2.5; } &&
		rm -f go-gc$step.listed &&
		{ HAKO_TEST_S3_FETCH_WAIT=$TRASH/go-gc$step hako clone -q $B/gc gcc$step >gcc$step.out 2>&1 & echo $! >gcc$step.pid; } &&
		for i in $(test_seq 100); do test -f go-gc$step.listed && break; sleep 0.1; done &&
		test -f go-gc$step.listed &&
		hako -C gcsrc gc --remote origin --prune-grace 2 2>gc$step.err &&
		touch go-gc$step && wait $(cat gcc$step.pid) &&
		hako -C gcc$step fsck --full &&
		test "$(hako -C gcc$step rev-parse main)" = "$(hako -C gcsrc rev-parse main)" &&
		hako -C gcc$step checkout-tree "$(hako -C gcc$step rev-parse main:data)" ../gcc$step-tree &&
		diff -r gc-tree gcc$step-tree || return 1
	done &&
	cat gc1.err gc2.err gc3.err &&
	# 1: a consolidated pack written, nothing retired (it is younger than the grace);
	# 2: the three older packs retired; 3: removed.
	grep "wrote pack-.*; retired 0 packs, removed 0;.* 4 packs remain" gc1.err &&
	grep "wrote no pack; retired 3 packs, removed 0;.* 1 packs remain" gc2.err &&
	grep "wrote no pack; retired 0 packs, removed 3;.* 1 packs remain" gc3.err &&
	test "$(gc_keys idx | wc -l)" = 1 && test "$(gc_keys pack | wc -l)" = 1 &&
	test -z "$(gc_keys retired)"
'

# killed_push X: commit /etc/X in gcsrc and push it, killed once its pack is
# written, before any value names it; the index keys after it in with-X.
killed_push () {
	hako -C gcsrc write /etc/$1 $1 && hako -C gcsrc commit -q -m $1 &&
	{ HAKO_TEST_S3_PACKED_WAIT=$TRASH/go-$1 hako -C gcsrc push -q origin & pid=$!; } &&
	for i in $(test_seq 100); do test -f go-$1.listed && break; sleep 0.1; done &&
	kill -9 $pid; wait $pid;
	gc_keys idx >with-$1
}

test_expect_success 'gc --remote removes the leftovers of killed pushes once older than the grace, keeps newer ones' '
	# A push killed once its pack is written, before any value names it.
	gc_keys idx >before-a &&
	killed_push a &&
	a=$(comm -13 before-a with-a) && test -n "$a" &&
	# A .pack without its .idx, and a superseded value a push did not delete.
	echo junk >junk &&
	s3req put hako-test gc/objects/pack/pack-$(printf "%064d" 7).pack junk &&
	first=$(hako -C gcsrc rev-parse main~3) &&
	s3req put hako-test gc/refs/v/containers/default/refs/heads/main/$first /dev/null &&
	test "$(hako ls-remote $B/gc | grep -c "refs/heads/main$")" = 2 &&
	sleep 3 &&
	killed_push b &&
	b=$(comm -13 with-a with-b) && test -n "$b" &&
	# The older leftovers go (the pack retired first), the newer pack stays.
	hako -C gcsrc gc --remote origin --prune-grace 2 2>err &&
	grep "wrote no pack; retired 1 packs, removed 0; removed 1 leftover files and 1 superseded ref values; aborted 0 multipart uploads; 2 packs remain" err &&
	hako ls-remote $B/gc | grep "refs/heads/main$" >refs &&
	test_line_count = 1 refs &&
	! s3req list hako-test gc/objects/pack/ | grep pack-0000 &&
	gc_keys idx >after && ! grep "$a" after && grep "$b" after &&
	gc_keys retired | grep "${a##*/}" &&
	sleep 3 &&
	hako -C gcsrc gc --remote origin --prune-grace 2 2>err &&
	grep "retired 1 packs, removed 1;" err &&
	! s3req list hako-test gc/objects/ | grep "$(basename "$a" .idx)" &&
	gc_keys pack | grep "$(basename "$b" .idx).pack" &&
	hako clone -q $B/gc gc9 && hako -C gc9 fsck --full &&
	test "$(hako -C gc9 rev-parse main)" = "$(hako -C gcsrc rev-parse main~2)"
'

test_expect_success 'gc --remote heals a value naming what only a retired pack holds' '
	# The pack of the killed push b is retired; a value naming b appears
	# (a pusher that listed before the gc): readers cannot see it until a
	# gc, run here from a workspace that lacks b, writes it into a pack.
	b=$(hako -C gcsrc rev-parse main) &&
	gc_keys retired >retired && test_line_count = 1 retired &&
	s3req put hako-test gc/refs/v/containers/default/refs/heads/side/$b /dev/null &&
	test_must_fail hako -C gc9 fetch 2>err &&
	grep "not in any pack" err &&
	test_must_fail hako -C gc9 cat-file -e "$b" &&
	hako -C gc9 gc --remote origin --prune-grace 1h 2>err &&
	grep "wrote pack-.*; retired 0 packs, removed 0;" err &&
	hako -C gc9 fetch 2>err &&
	test "$(hako -C gc9 rev-parse origin/side)" = "$b" &&
	hako clone -q $B/gc gc10 && hako -C gc10 cat-file -e "$b" && hako -C gc10 fsck --full
'

test_expect_success 'a pack larger than remote.NAME.s3partsize goes up in parts; one cut off leaves nothing a reader sees, the next push resumes it' '
	hako init -q mpsrc && hako -C mpsrc remote add origin $B/mp &&
	hako -C mpsrc config remote.origin.s3partsize 5m &&
	hako -C mpsrc push -q origin &&
	python3 -c "import random; open(\"mp1\", \"wb\").write(random.Random(11).randbytes(6 << 20))" &&
	hako -C mpsrc write /data/mp1 --from ../mp1 && hako -C mpsrc commit -q -m mp1 &&
	# Killed after its first part: no pack key, no value, the refs as before.
	hako ls-remote $B/mp >before &&
	s3req list hako-test mp/ >keys-before &&
	{ HAKO_TEST_S3_PART_WAIT=$TRASH/go-mp hako -C mpsrc push -q origin & pid=$!; } &&
	for i in $(test_seq 300); do test -f go-mp.listed && break; sleep 0.1; done &&
	test -f go-mp.listed &&
	kill -9 $pid; wait $pid;
	s3req list hako-test mp/ >keys-after && test_cmp keys-before keys-after &&
	hako ls-remote $B/mp >after && test_cmp before after &&
	s3req uploads hako-test mp/ >uploads && grep "^mp/objects/pack/pack-.*\.pack$" uploads &&
	# The next push continues that upload: its first part is not sent again.
	creates=$(count CreateMultipartUpload) && parts=$(count UploadPart) &&
	completes=$(count CompleteMultipartUpload) &&
	hako -C mpsrc push -q origin &&
	test $(( $(count CreateMultipartUpload) - creates )) = 0 &&
	test $(( $(count UploadPart) - parts )) = 1 &&
	test $(( $(count CompleteMultipartUpload) - completes )) = 1 &&
	s3req uploads hako-test mp/ >uploads && test_must_be_empty uploads &&
	hako clone $B/mp mp2 2>err && ! grep Receiving err &&
	hako -C mp2 fsck --full &&
	hako -C mp2 cat /data/mp1 >out && cmp out mp1 &&
	# gc aborts an upload a killed push left.
	python3 -c "import random; open(\"mp6\", \"wb\").write(random.Random(13).randbytes(6 << 20))" &&
	hako -C mpsrc write /data/mp6 --from ../mp6 && hako -C mpsrc commit -q -m mp6 &&
	rm -f go-mp.listed &&
	{ HAKO_TEST_S3_PART_WAIT=$TRASH/go-mp hako -C mpsrc push -q origin & pid=$!; } &&
	for i in $(test_seq 300); do test -f go-mp.listed && break; sleep 0.1; done &&
	test -f go-mp.listed &&
	kill -9 $pid; wait $pid;
	s3req uploads hako-test mp/ >uploads && test_line_count = 1 uploads &&
	aborts=$(count AbortMultipartUpload) &&
	hako -C mpsrc gc --remote origin --prune-grace 0 2>err &&
	grep "aborted 1 multipart uploads" err &&
	test $(( $(count AbortMultipartUpload) - aborts )) = 1 &&
	s3req uploads hako-test mp/ >uploads && test_must_be_empty uploads &&
	hako -C mpsrc config remote.origin.s3partsize 1k &&
	test_must_fail hako -C mpsrc push origin 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: .*/mpsrc/.hako/config:[0-9]*: remote.origin.s3partsize: .1k. is not a size from 5m to 5g" err
'

test_expect_success 'push, fetch and clone show live byte progress on a terminal only' '
	if ! command -v script >/dev/null; then
		echo "# skipped: script (util-linux) is not installed, no terminal to test with"
		return 0
	fi &&
	python3 -c "import random; open(\"mp3\", \"wb\").write(random.Random(12).randbytes(1 << 20))" &&
	hako -C mpsrc config remote.origin.s3partsize 64m &&
	hako -C mpsrc write /data/mp3 --from ../mp3 && hako -C mpsrc commit -q -m mp3 &&
	script -qec "hako -C mpsrc push origin" /dev/null >tty-out 2>&1 &&
	grep -a "Sending pack: [0-9.]* [KMG]*i*B" tty-out &&
	script -qec "hako -C mp2 fetch" /dev/null >tty-out 2>&1 &&
	grep -a "Receiving pack: [0-9.]* [KMG]*i*B" tty-out &&
	script -qec "hako clone $B/mp mp4" /dev/null >tty-out 2>&1 &&
	grep -a "Receiving pack: [0-9.]* [KMG]*i*B" tty-out &&
	hako -C mpsrc write /data/mp4 x && hako -C mpsrc commit -q -m mp4 &&
	script -qec "hako -C mpsrc push -q origin" /dev/null >quiet-out 2>&1 &&
	! grep -a "Sending" quiet-out &&
	hako -C mpsrc write /data/mp5 x && hako -C mpsrc commit -q -m mp5 &&
	hako -C mpsrc push origin 2>err && ! grep Sending err &&
	hako -C mp4 fsck --full &&
	test "$(hako -C mp2 rev-parse origin/main)" = "$(hako -C mp4 rev-parse main)"
'

# proxy NAME TARGET-PORT ARGS...: helpers/s3proxy.py in front of Garage;
# its port in NAME.port, its log in NAME.log, stopped when the test ends.
proxy () {
	name=$1 target=$2 && shift 2 &&
	rm -f "$name.port" "$name.log" &&
	{ python3 "$TEST_DIRECTORY/helpers/s3proxy.py" "$TRASH/$name.port" "$target" "$TRASH/$name.log" "$@" &
	  echo $! >"$name.pid"; } &&
	for i in $(test_seq 100); do test -f "$name.port" && break; sleep 0.05; done &&
	test -f "$name.port"
}

test_expect_success 'the bucket served as a web site is a dumb-HTTP mirror: ls-remote and clone over plain HTTP' '
	proxy web "$(cat garage/webport)" --host hako-test.web.garage.localhost &&
	test_when_finished "kill \$(cat web.pid)" &&
	W=http://127.0.0.1:$(cat web.port)/team/ws &&
	hako ls-remote $B/team/ws >expect &&
	hako ls-remote "$W" >actual &&
	test_cmp expect actual &&
	hako clone -q "$W" web-clone &&
	hako -C web-clone fsck --full &&
	test "$(hako -C web-clone rev-parse main)" = "$(sed -n "s/	containers\/default\/refs\/heads\/main$//p" expect)"
'

test_expect_success 'a store answering 503 SlowDown: retried with backoff; a store that keeps on: one-line fatal' '
	proxy slow "$(cat garage/s3port)" --throttle 2 &&
	test_when_finished "kill \$(cat slow.pid)" &&
	AWS_ENDPOINT_URL=http://127.0.0.1:$(cat slow.port) hako ls-remote $B/team/ws >actual &&
	hako ls-remote $B/team/ws >expect &&
	test_cmp expect actual &&
	test "$(grep -c " 503$" slow.log)" = 2 &&
	tail -n 1 slow.log | grep " 200$" &&
	proxy busy "$(cat garage/s3port)" --throttle 100 &&
	test_when_finished "kill \$(cat busy.pid)" &&
	test_must_fail env AWS_ENDPOINT_URL=http://127.0.0.1:$(cat busy.port) hako -C dst fetch 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: remote .origin. ($B/team/ws): LIST: SlowDown (HTTP 503): Please reduce your request rate" err &&
	test "$(grep -c " 503$" busy.log)" = 4
'

test_expect_success 'setup: a three-node Garage cluster, replication factor 3' '
	mkdir -p cluster &&
	python3 -c "import os; print(os.urandom(32).hex())" >cluster/secret &&
	cluster_node 1 && cluster_node 2 && cluster_node 3 &&
	for n in 2 3; do
		c1 node connect "$("$GARAGE" -c cluster/n$n/garage.toml node id -q)" >/dev/null || return 1
	done &&
	for n in 1 2 3; do
		id=$("$GARAGE" -c cluster/n$n/garage.toml node id -q) &&
		c1 layout assign -z dc$n -c 1G "${id%%@*}" >/dev/null || return 1
	done &&
	c1 layout apply --version 1 >/dev/null &&
	c1 bucket create hako-cluster >/dev/null &&
	c1 key create hako >cluster/key &&
	c1 bucket allow --read --write --owner hako-cluster --key hako >/dev/null &&
	sed -n "s/^Key ID: *//p" cluster/key >cluster/key-id &&
	sed -n "s/^Secret key: *//p" cluster/key >cluster/secret-key &&
	sed -n "s/^api_bind_addr = \"\(.*\)\"/http:\/\/\1/p" cluster/n1/garage.toml >cluster/endpoint &&
	hako -C src config remote.cluster.url s3://hako-cluster/ws &&
	hako -C src config remote.cluster.s3endpoint "$(cat cluster/endpoint)"
'

# Requests to the cluster (its key, node 1's S3 endpoint from the remote config).
on_cluster () {
	env AWS_ACCESS_KEY_ID="$(cat "$TRASH/cluster/key-id")" \
		AWS_SECRET_ACCESS_KEY="$(cat "$TRASH/cluster/secret-key")" "$@"
}

test_expect_success 'cluster: one node stopped during a push: it succeeds on the quorum; clone with it down' '
	on_cluster hako -C src push --all cluster 2>err &&
	hako -C src write /etc/during "stop" && hako -C src commit -q -m during &&
	{ on_cluster env HAKO_TEST_S3_PUSH_WAIT="$TRASH/go3" hako -C src push cluster >push.out 2>&1 & pid=$!; } &&
	for i in $(test_seq 100); do test -f go3.listed && break; sleep 0.1; done &&
	stop_node 3 &&
	touch go3 && wait $pid &&
	on_cluster env AWS_ENDPOINT_URL="$(cat cluster/endpoint)" hako clone -q s3://hako-cluster/ws cl1 &&
	hako -C cl1 cat /etc/during >during && printf stop >expect && test_cmp expect during &&
	hako -C cl1 fsck --full &&
	cluster_node 3 && wait_cluster &&
	hako -C src write /etc/after "back" && hako -C src commit -q -m after &&
	on_cluster hako -C src push cluster 2>err &&
	on_cluster env AWS_ENDPOINT_URL="$(cat cluster/endpoint)" hako -C cl1 fetch 2>err &&
	hako -C cl1 merge origin/main >out &&
	hako -C cl1 cat /etc/after
'

test_expect_success 'cluster: two nodes down: push fails with the store'"'"'s error, nothing is corrupted' '
	stop_node 2 && stop_node 3 &&
	hako -C src write /etc/lost "x" && hako -C src commit -q -m lost &&
	test_must_fail on_cluster hako -C src push cluster 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: remote .cluster. (s3://hako-cluster/ws): [A-Z]*[^:]*: [A-Za-z]* (HTTP 5[0-9][0-9])" err &&
	cluster_node 2 && cluster_node 3 && wait_cluster &&
	on_cluster env AWS_ENDPOINT_URL="$(cat cluster/endpoint)" hako clone -q s3://hako-cluster/ws cl2 &&
	hako -C cl2 fsck --full &&
	on_cluster hako -C src push cluster 2>err &&
	on_cluster env AWS_ENDPOINT_URL="$(cat cluster/endpoint)" hako -C cl2 fetch 2>err &&
	test "$(hako -C cl2 rev-parse origin/main)" = "$(hako -C src rev-parse main)"
'

test_expect_success 'cluster: one node stopped during a clone: the clone succeeds on the quorum, fsck-clean' '
	rm -f go4.listed &&
	{ on_cluster env AWS_ENDPOINT_URL="$(cat cluster/endpoint)" HAKO_TEST_S3_FETCH_WAIT="$TRASH/go4" \
		hako clone -q s3://hako-cluster/ws cl3 >cl3.out 2>&1 & pid=$!; } &&
	for i in $(test_seq 100); do test -f go4.listed && break; sleep 0.1; done &&
	test -f go4.listed &&
	stop_node 2 &&
	touch go4 && wait $pid &&
	hako -C cl3 fsck --full &&
	test "$(hako -C cl3 rev-parse origin/main)" = "$(hako -C src rev-parse main)" &&
	cluster_node 2 && wait_cluster
'

stop_garage
test_done
