"""A web server that answers every GET with a redirect, for the HTTP client
tests: PORTFILE gets its port. Rules by path prefix:
  /file/...   -> 302 Location: file:///etc/passwd
  /loop/N...  -> 302 to /loop/N+1 (forever)
  /ftp/...    -> 301 Location: ftp://127.0.0.1/x
  /to/REST    -> 307 to http://127.0.0.1:TARGET/REST (TARGET from argv[2])
Usage: redirector.py PORTFILE [TARGET-PORT]"""
import http.server
import socketserver
import sys


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def go(self, code, where):
        self.send_response(code)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        p = self.path
        if p.startswith("/file/"):
            self.go(302, "file:///etc/passwd")
        elif p.startswith("/loop/"):
            n = int(p.split("/")[2] or 0)
            self.go(302, "/loop/%d/" % (n + 1))
        elif p.startswith("/ftp/"):
            self.go(301, "ftp://127.0.0.1/x")
        elif p.startswith("/to/"):
            self.go(307, "http://127.0.0.1:%s/%s" % (sys.argv[2], p[len("/to/"):]))
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


s = S(("127.0.0.1", 0), H)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.server_address[1])
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
