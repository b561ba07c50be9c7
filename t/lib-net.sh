# Servers on 127.0.0.1 for the tests and the benchmarks (bench/lib.sh sources
# this file too, so it needs nothing from test-lib.sh): waiting for a port,
# and an nginx serving directories.

# wait_port PORT: until something listens on 127.0.0.1:PORT (false after ~10 s).
wait_port () {
	python3 - "$1" <<-\PY
	import socket, sys, time
	for _ in range(200):
	    try:
	        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
	        sys.exit(0)
	    except OSError:
	        time.sleep(0.05)
	sys.exit(1)
	PY
}

# nginx_start DIR PORT LOG LOCATIONS: $NGINX (default /usr/sbin/nginx) on
# 127.0.0.1:PORT, its config, pid, logs and temporary files in DIR (an
# absolute path); LOG is "off" or the log_format of DIR/access.log;
# LOCATIONS the server's location blocks. Sets nginx_pid (nginx_stop stops
# it); false when nginx does not listen.
nginx_start () {
	mkdir -p "$1/tmp" &&
	{
		test "$(id -u)" != 0 || echo "user root root;"
		if test "$3" = off
		then
			log="access_log off;"
		else
			log="log_format main '$3'; access_log \"$1/access.log\" main;"
		fi
		cat <<-EOF
		daemon off;
		worker_processes 1;
		pid "$1/nginx.pid";
		error_log "$1/error.log";
		events { worker_connections 64; }
		http {
			$log
			default_type application/octet-stream;
			client_body_temp_path "$1/tmp/body";
			proxy_temp_path "$1/tmp/proxy";
			fastcgi_temp_path "$1/tmp/fastcgi";
			uwsgi_temp_path "$1/tmp/uwsgi";
			scgi_temp_path "$1/tmp/scgi";
			server {
				listen 127.0.0.1:$2;
				$4
			}
		}
		EOF
	} >"$1/nginx.conf" &&
	{ "${NGINX:-/usr/sbin/nginx}" -p "$1" -e "$1/error.log" -c "$1/nginx.conf" >"$1/out" 2>&1 & nginx_pid=$!; } &&
	wait_port "$2" &&
	kill -0 "$nginx_pid"
}

# nginx_stop: stop the nginx of nginx_start, if one runs.
nginx_stop () {
	test -z "$nginx_pid" || kill "$nginx_pid" 2>/dev/null
	nginx_pid=
}
