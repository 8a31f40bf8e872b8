#!/usr/bin/env python3
"""A small caching HTTP proxy for Debian's archive, for the lab.

Lab hosts use it as apt's HTTP proxy (`Acquire::http::Proxy`), debootstrap as a mirror
(`http://127.0.0.1:3142/deb.debian.org/debian`). Package files (`pool/`, `by-hash/`) never change
and are kept on disk for good; index files are kept for an hour. Only the Debian archive hosts in
ALLOWED_HOSTS are fetched: the proxy cannot be used to reach anything else.

usage: apt-cache.py CACHE_DIR PORT ADDRESS [ADDRESS...]
"""
import hashlib
import http.server
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ALLOWED_HOSTS = {"deb.debian.org", "security.debian.org"}
INDEX_TTL_SECONDS = 3600


class Handler(http.server.BaseHTTPRequestHandler):
    cache_dir = "."
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # one line per request on stderr
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def upstream_url(self):
        target = self.path
        if target.startswith("http://"):
            target = target[len("http://"):]
        target = target.lstrip("/")
        host = target.split("/", 1)[0]
        if host not in ALLOWED_HOSTS or ".." in target:
            return None
        return "http://" + target

    def cache_path(self, url):
        digest = hashlib.sha256(url.encode()).hexdigest()
        return os.path.join(self.cache_dir, digest[:2], digest)

    @staticmethod
    def is_immutable(url):
        return "/pool/" in url or "/by-hash/" in url

    def fresh(self, path, url):
        try:
            age = time.time() - os.path.getmtime(path)
        except OSError:
            return False
        return self.is_immutable(url) or age < INDEX_TTL_SECONDS

    def send_file(self, path, head):
        size = os.path.getsize(path)
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if not head:
            with open(path, "rb") as f:
                shutil.copyfileobj(f, self.wfile)

    def handle_get(self, head):
        url = self.upstream_url()
        if url is None:
            self.send_error(403, "only Debian's archive is served here")
            return
        path = self.cache_path(url)
        if self.fresh(path, url):
            self.send_file(path, head)
            return
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers={"User-Agent": "t2lab-apt-cache"}), timeout=60) as upstream:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(upstream, out)
                os.replace(tmp, path)
        except urllib.error.HTTPError as err:
            self.send_error(err.code, err.reason)
            return
        except Exception as err:  # network trouble: serve a stale copy if there is one
            if os.path.exists(path):
                self.send_file(path, head)
            else:
                self.send_error(502, str(err))
            return
        self.send_file(path, head)

    def do_GET(self):
        self.handle_get(head=False)

    def do_HEAD(self):
        self.handle_get(head=True)


def main():
    cache_dir, port, addresses = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    os.makedirs(cache_dir, exist_ok=True)
    Handler.cache_dir = cache_dir
    servers = [http.server.ThreadingHTTPServer((address, port), Handler) for address in addresses]
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
