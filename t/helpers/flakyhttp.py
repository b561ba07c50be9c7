#!/usr/bin/env python3
"""An HTTP server on 127.0.0.1 that fails in the ways the retry policy of
hako's HTTP client (format-spec/oci.md, "Retries") is about.

usage: flakyhttp.py PORT-FILE LOG-FILE (--root DIR | --upstream HOST:PORT | --proxy)
                    [--fail N] [--retry-after S] [--cut PART]

--root DIR        serve the files under DIR (GET, HEAD; one Range `bytes=A-`
                  or `bytes=A-B`, else the whole file)
--upstream H:P    pass GET and HEAD on to the server at H:P (with their
                  Range, Accept and Authorization), its answer back
--proxy           a forward proxy: requests in absolute form
                  (`GET http://host/path`) are passed on to their URL
--fail N          the first N requests of each path: 503, Retry-After
--retry-after S   the Retry-After of those answers (default 1)
--cut PART        the first whole-file GET of each path containing PART:
                  the headers and half of the body, then the connection
                  is closed

Each request is logged as "METHOD PATH STATUS RANGE" (RANGE "-" if none);
a request passed on by --proxy as "PROXY METHOD URL".
"""
import http.server
import os
import re
import sys
import threading
import urllib.error
import urllib.request

port_file, log_file = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
opts = {}
while args:
    k = args.pop(0)
    if k == "--proxy":
        opts["proxy"] = True
    else:
        opts[k[2:]] = args.pop(0)
FAIL = int(opts.get("fail", "0"))
RETRY_AFTER = opts.get("retry-after", "1")
CUT = opts.get("cut")
lock = threading.Lock()
seen = {}
cut_done = set()
direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def log(line):
    with lock, open(log_file, "a") as f:
        f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body, headers=(), send_body=True, cut=False):
        rng = self.headers.get("Range") or "-"
        log("%s %s %d %s" % (self.command, self.path, status, rng))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if cut:
            self.send_header("Connection", "close")
        self.end_headers()
        if send_body:
            self.wfile.write(body[: len(body) // 2] if cut else body)
            self.wfile.flush()
        if cut:
            self.close_connection = True

    def failing(self):
        with lock:
            n = seen[self.path] = seen.get(self.path, 0) + 1
        if n <= FAIL:
            self.answer(503, b"busy\n", [("Retry-After", RETRY_AFTER)])
            return True
        return False

    def cutting(self):
        if not CUT or self.command != "GET" or self.headers.get("Range"):
            return False
        if CUT not in self.path.split("?")[0]:
            return False
        with lock:
            if self.path in cut_done:
                return False
            cut_done.add(self.path)
        return True

    def from_file(self):
        path = os.path.join(opts["root"], self.path.split("?")[0].lstrip("/"))
        if ".." in self.path.split("/") or not os.path.isfile(path):
            return self.answer(404, b"not found\n")
        with open(path, "rb") as f:
            data = f.read()
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range") or "")
        if m:
            a = int(m.group(1))
            b = int(m.group(2)) if m.group(2) else len(data) - 1
            if a >= len(data) or b < a:
                return self.answer(416, b"", [("Content-Range", "bytes */%d" % len(data))])
            b = min(b, len(data) - 1)
            return self.answer(206, data[a:b + 1],
                               [("Content-Range", "bytes %d-%d/%d" % (a, b, len(data)))],
                               self.command == "GET")
        self.answer(200, data, [], self.command == "GET", self.cutting())

    def passed_on(self, url):
        hs = {k: self.headers[k] for k in ("Range", "Accept", "Authorization") if self.headers.get(k)}
        req = urllib.request.Request(url, headers=hs, method=self.command)
        try:
            r = direct.open(req)
        except urllib.error.HTTPError as e:
            r = e
        body = r.read()
        keep = ("Content-Type", "Content-Range", "Docker-Content-Digest", "WWW-Authenticate",
                "Location", "Retry-After")
        hs = [(k, r.headers[k]) for k in keep if r.headers.get(k)]
        self.answer(r.status if hasattr(r, "status") else r.code, body, hs,
                    self.command == "GET", self.cutting())

    def do_GET(self):
        if opts.get("proxy"):
            log("PROXY %s %s" % (self.command, self.path))
            return self.passed_on(self.path)
        if self.failing():
            return
        if "upstream" in opts:
            return self.passed_on("http://%s%s" % (opts["upstream"], self.path))
        self.from_file()

    do_HEAD = do_GET


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
