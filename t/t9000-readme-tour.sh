#!/bin/sh
test_description='the README tour runs as written: pull, run, commit, clone, push, mirror'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-oci.sh

test_have_prereq REGISTRY || skip_all "docker-registry is not installed (apt-get install docker-registry)"
test_have_prereq UMOCI || skip_all "umoci and skopeo are not installed (apt-get install umoci skopeo)"
test -x /usr/sbin/nginx || skip_all "nginx is not installed (apt-get install nginx-light)"
{ test -c /dev/fuse && command -v fusermount3 >/dev/null; } || skip_all "FUSE is not available (apt-get install fuse3)"
command -v busybox >/dev/null || skip_all "busybox is missing (apt-get install busybox-static)"
unshare -Ur true 2>/dev/null || skip_all "user namespaces are not available here"

nginx_pid=
stop_all () {
	test -z "$nginx_pid" || kill "$nginx_pid" 2>/dev/null
	stop_registries
}
trap stop_all EXIT

test_expect_success 'setup: a registry with a busybox image, nginx serving the tour workspace' '
	start_registry reg &&
	umoci init --layout img &&
	umoci new --image img:1 &&
	umoci unpack --image img:1 b >/dev/null &&
	mkdir -p b/rootfs/bin b/rootfs/etc &&
	cp "$(command -v busybox)" b/rootfs/bin/busybox &&
	for a in sh cat echo ls; do ln -s busybox b/rootfs/bin/$a || return 1; done &&
	echo root:x:0:0:root:/root:/bin/sh >b/rootfs/etc/passwd &&
	echo "original motd" >b/rootfs/etc/motd &&
	umoci repack --image img:1 b >/dev/null &&
	umoci config --image img:1 --config.cmd /bin/sh >/dev/null &&
	push img:1 reg tour/busybox:1 &&
	port=$(test_free_port) && N=$PWD/nginx && mkdir -p nginx/tmp &&
	{
		test "$(id -u)" != 0 || echo "user root root;"
		cat <<-EOF
		daemon off;
		worker_processes 1;
		pid "$N/nginx.pid";
		events { worker_connections 64; }
		http {
			access_log "$N/access.log";
			client_body_temp_path "$N/tmp/body";
			proxy_temp_path "$N/tmp/proxy";
			fastcgi_temp_path "$N/tmp/fastcgi";
			uwsgi_temp_path "$N/tmp/uwsgi";
			scgi_temp_path "$N/tmp/scgi";
			server { listen 127.0.0.1:$port; location /tour/ { alias "$PWD/tour/"; } }
		}
		EOF
	} >nginx/nginx.conf &&
	{ /usr/sbin/nginx -p "$N" -e "$N/error.log" -c "$N/nginx.conf" >nginx/out 2>&1 & nginx_pid=$!; } &&
	echo "$port" >port &&
	sed -n "/^<!-- tour -->/,/^<!-- \\/tour -->/p" "$TEST_DIRECTORY/../README.md" |
		sed "/^<!--/d; /^\`\`\`/d" >tour.sh &&
	test $(wc -l <tour.sh) -ge 10
'

test_expect_success 'the tour runs, every command succeeding' '
	IMAGE=127.0.0.1:$(cat reg/port)/tour/busybox:1 \
	MIRROR=http://127.0.0.1:$(cat port)/tour/.hako \
	sh -ex tour.sh >out 2>err || { cat err; false; } &&
	grep "added: */greeting" out &&
	grep "^from the copy" out &&
	grep "hello$" out &&
	hako -C tour -c web log --oneline >log &&
	grep "motd" log
'

test_done
