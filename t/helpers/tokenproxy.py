#!/usr/bin/env python3
"""tokenproxy.py PORTFILE UPSTREAM USER PASSWORD [FLAKY]: a registry front
that wants Bearer tokens, as Docker Hub does. GET /token with Basic
USER:PASSWORD answers {"token": ...}; every other GET without that token is
answered 401 with a `WWW-Authenticate: Bearer realm=...,service=...,scope=...`
challenge, and with it is passed to the registry at UPSTREAM (host:port).
POST /token with the form of OAuth2's
refresh-token grant (refresh_token=PASSWORD) answers {"access_token": ...}
and is logged to stdout as `refresh CLIENT_ID SCOPE`. USER `-` wants no
token at all. With FLAKY=N, the first N requests for each
path are answered 503 and 429 in turn (Retry-After: 0), each logged to
stdout as `flaky PATH`. Writes its port to PORTFILE once listening."""
import base64
import http.server
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

portfile, upstream, user, password = sys.argv[1:5]
FLAKY = int(sys.argv[5]) if len(sys.argv) > 5 else 0
TOKEN = "hako-test-token"
seen = {}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        one = lambda k: form.get(k, [""])[0]
        if (self.path != "/token" or one("grant_type") != "refresh_token"
                or one("refresh_token") != password or one("service") != "hako-test"
                or not one("scope").startswith("repository:")):
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
        print("refresh %s %s" % (one("client_id"), one("scope")), flush=True)
        return self.send(200, json.dumps({"access_token": TOKEN}).encode(),
                         [("Content-Type", "application/json")])

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        host = "127.0.0.1:%d" % self.server.server_address[1]
        if self.path.startswith("/token"):
            want = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
            if auth != want or "scope=repository%3A" not in self.path or "service=hako-test" not in self.path:
                return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
            return self.send(200, json.dumps({"token": TOKEN}).encode(),
                             [("Content-Type", "application/json")])
        n = seen[self.path] = seen.get(self.path, 0) + 1
        if n <= FLAKY:
            print("flaky %s" % self.path, flush=True)
            return self.send(503 if n % 2 else 429, b"", [("Retry-After", "0")])
        if user != "-" and auth != "Bearer " + TOKEN:
            repo = self.path.split("/")[2:4]
            scope = "repository:%s:pull" % "/".join(repo)
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', [(
                "WWW-Authenticate",
                'Bearer realm="http://%s/token",service="hako-test",scope="%s"' % (host, scope))])
        req = urllib.request.Request("http://%s%s" % (upstream, self.path),
                                     headers={"Accept": self.headers.get("Accept", "*/*")})
        try:
            r = urllib.request.urlopen(req)
        except urllib.error.HTTPError as e:
            r = e
        body = r.read()
        hs = [(k, r.headers[k]) for k in ("Content-Type", "Docker-Content-Digest") if r.headers.get(k)]
        self.send(r.status if hasattr(r, "status") else r.code, body, hs)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
import os
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
