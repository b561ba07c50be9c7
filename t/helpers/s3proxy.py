"""A forwarding proxy in front of Garage, for the object-store tests:
PORTFILE gets its port; every request goes to 127.0.0.1:TARGET unchanged,
except that
  --host NAME   sets the Host header to NAME (Garage's website endpoint
                serves a bucket by virtual host: the bucket as a plain web
                site, i.e. a dumb-HTTP mirror);
  --throttle N  answers the first N requests with 503 SlowDown, as a busy
                store does, then forwards.
Each request is logged to LOG as "METHOD PATH STATUS".
Usage: s3proxy.py PORTFILE TARGET LOG [--host NAME] [--throttle N]"""
import http.client
import http.server
import socketserver
import sys

portfile, target, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
host = None
throttle = 0
args = sys.argv[4:]
while args:
    if args[0] == "--host":
        host = args[1]
    elif args[0] == "--throttle":
        throttle = int(args[1])
    args = args[2:]

SLOWDOWN = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
            b'<Message>Please reduce your request rate.</Message></Error>')


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def note(self, status):
        with open(log, "a") as f:
            f.write("%s %s %d\n" % (self.command, self.path, status))

    def relay(self):
        global throttle
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        if throttle > 0:
            throttle -= 1
            self.note(503)
            self.send_response(503)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(SLOWDOWN)))
            self.end_headers()
            self.wfile.write(SLOWDOWN)
            return
        headers = {k: v for k, v in self.headers.items()}
        if host:
            headers["Host"] = host
        c = http.client.HTTPConnection("127.0.0.1", target)
        c.request(self.command, self.path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        self.note(r.status)
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = relay


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


s = S(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
