#!/usr/bin/env python3
"""fakeregistry.py PORTFILE CONTENT-TYPE BODY-FILE: a registry that answers
every manifest request with BODY-FILE's bytes and CONTENT-TYPE (and no
digest header), and 404 otherwise; for manifests no real registry would
store. Writes its port to PORTFILE once listening."""
import http.server
import os
import sys

portfile, ctype, bodyfile = sys.argv[1:4]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        if "/manifests/" in self.path:
            with open(bodyfile, "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", ctype)
        else:
            body = b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
