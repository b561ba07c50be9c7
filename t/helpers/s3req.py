"""One signed S3 request (Signature V4), for the object-store tests to look
at and tamper with a bucket behind hako's back. Credentials, endpoint and
region from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL and
AWS_REGION. Path-style addressing.
Usage: s3req.py list BUCKET PREFIX     keys under PREFIX, one a line
       s3req.py uploads BUCKET PREFIX  keys of multipart uploads in progress
       s3req.py get BUCKET KEY         the object to stdout
       s3req.py put BUCKET KEY FILE    FILE as the object
       s3req.py delete BUCKET KEY
A status other than 2xx: the body on stderr, exit 1."""
import datetime
import hashlib
import hmac
import os
import re
import sys
import urllib.parse
import urllib.request


def request(method, bucket, key="", query=None, body=b""):
    endpoint = os.environ["AWS_ENDPOINT_URL"].rstrip("/")
    region = os.environ.get("AWS_REGION", "us-east-1")
    access, secret = os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    host = urllib.parse.urlparse(endpoint).netloc
    path = "/" + bucket + ("/" + urllib.parse.quote(key, safe="/~") if key else "")
    query = sorted((query or {}).items())
    qs = "&".join("%s=%s" % (urllib.parse.quote(k, safe="~"), urllib.parse.quote(v, safe="~"))
                  for k, v in query)
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    payload = hashlib.sha256(body).hexdigest()
    headers = {"host": host, "x-amz-content-sha256": payload, "x-amz-date": amz_date}
    signed = ";".join(sorted(headers))
    canonical = "\n".join([method, path, qs] + ["%s:%s" % (k, headers[k]) for k in sorted(headers)]
                          + ["", signed, payload])
    scope = "%s/%s/s3/aws4_request" % (day, region)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (day, region, "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s"
                                % (access, scope, signed, sig))
    req = urllib.request.Request(endpoint + path + ("?" + qs if qs else ""), data=body or None,
                                 method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.read()
    except urllib.error.HTTPError as e:
        sys.stderr.write(e.read().decode(errors="replace") + "\n")
        sys.exit(1)


op, bucket = sys.argv[1], sys.argv[2]
if op == "list":
    token = None
    while True:
        q = {"list-type": "2", "prefix": sys.argv[3]}
        if token:
            q["continuation-token"] = token
        text = request("GET", bucket, query=q).decode()
        for k in re.findall(r"<Key>([^<]*)</Key>", text):
            print(k)
        m = re.search(r"<NextContinuationToken>([^<]*)</NextContinuationToken>", text)
        if not m:
            break
        token = m.group(1)
elif op == "uploads":
    text = request("GET", bucket, query={"uploads": "", "prefix": sys.argv[3]}).decode()
    if os.environ.get("S3REQ_RAW"):
        print(text)
    for k in re.findall(r"<Upload>.*?<Key>([^<]*)</Key>", text, re.S):
        print(k)
elif op == "get":
    sys.stdout.buffer.write(request("GET", bucket, sys.argv[3]))
elif op == "put":
    with open(sys.argv[4], "rb") as f:
        request("PUT", bucket, sys.argv[3], body=f.read())
elif op == "delete":
    request("DELETE", bucket, sys.argv[3])
else:
    sys.exit("unknown operation " + op)
