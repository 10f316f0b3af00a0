#!/usr/bin/env python3
"""A small mock of the GitHub REST API on 127.0.0.1 for tests/action.rs: the
issue-comment endpoints the action's comment step uses (paged like GitHub's,
with Link headers) and one release with its assets.

    mock_github.py [--release-binary PATH --tag vX.Y.Z --target TRIPLE]

prints `port N` once it listens. Besides the API it answers:
    GET  /_state    every comment and every request seen (method, path, auth)
    POST /_config   {"deny_writes": 403} and/or {"tamper": true}
    POST /_seed     {"number": 7, "bodies": [...], "login": "someone"}
"""

import argparse
import hashlib
import io
import json
import re
import sys
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

REPO = "o/r"
PER_PAGE_MAX = 100


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.comments = []  # {id, number, body, user}
        self.next_id = 1000
        self.requests = []
        self.deny_writes = None
        self.tamper = False
        self.assets = {}  # name -> bytes


STATE = State()


def release(binary, tag, target):
    folder = f"loadgate-{tag}-{target}"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        info = tarfile.TarInfo(f"{folder}/loadgate")
        data = open(binary, "rb").read()
        info.size = len(data)
        info.mode = 0o755
        t.addfile(info, io.BytesIO(data))
        readme = b"loadgate\n"
        info = tarfile.TarInfo(f"{folder}/README.md")
        info.size = len(readme)
        t.addfile(info, io.BytesIO(readme))
    archive = buf.getvalue()
    name = f"{folder}.tar.gz"
    sums = f"{hashlib.sha256(archive).hexdigest()}  {name}\n".encode()
    return {name: archive, "SHA256SUMS": sums}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, value=None, headers=None, raw=None):
        body = raw if raw is not None else (b"" if value is None else json.dumps(value).encode())
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream" if raw is not None else "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"null")

    def record(self):
        with STATE.lock:
            STATE.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "host": self.headers.get("Host"),
                    "auth": self.headers.get("Authorization"),
                    "api_version": self.headers.get("X-GitHub-Api-Version"),
                }
            )

    def comment_json(self, c):
        host = self.headers.get("Host")
        return {
            "id": c["id"],
            "body": c["body"],
            "user": {"login": c["user"]},
            "html_url": f"https://github.example/{REPO}/pull/{c['number']}#issuecomment-{c['id']}",
            "url": f"http://{host}/repos/{REPO}/issues/comments/{c['id']}",
        }

    def authorised(self):
        if self.headers.get("Authorization") != "Bearer t0ken":
            self.reply(401, {"message": "Bad credentials"})
            return False
        return True

    def do_GET(self):
        self.record()
        url = urlsplit(self.path)
        if url.path == "/_state":
            with STATE.lock:
                return self.reply(200, {"comments": STATE.comments, "requests": STATE.requests})
        m = re.fullmatch(rf"/repos/{REPO}/issues/(\d+)/comments", url.path)
        if m:
            if not self.authorised():
                return None
            query = parse_qs(url.query)
            per_page = min(int(query.get("per_page", ["30"])[0]), PER_PAGE_MAX)
            page = int(query.get("page", ["1"])[0])
            with STATE.lock:
                mine = [c for c in STATE.comments if c["number"] == int(m.group(1))]
            chunk = mine[(page - 1) * per_page : page * per_page]
            headers = {}
            if page * per_page < len(mine):
                host = self.headers.get("Host")
                headers["Link"] = (
                    f'<http://{host}{url.path}?per_page={per_page}&page={page + 1}>; rel="next", '
                    f'<http://{host}{url.path}?per_page={per_page}&page={(len(mine) - 1) // per_page + 1}>; rel="last"'
                )
            return self.reply(200, [self.comment_json(c) for c in chunk], headers)
        # Releases of any repository (the action derives it from where it was checked out).
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/releases/tags/(.+)", url.path)
        if m:
            repo, tag = m.group(1), m.group(2)
            if tag != ARGS.tag or not STATE.assets:
                return self.reply(404, {"message": "Not Found"})
            host = self.headers.get("Host")
            assets = [
                {"id": i, "name": name, "url": f"http://{host}/repos/{repo}/releases/assets/{i}"}
                for i, name in enumerate(sorted(STATE.assets))
            ]
            return self.reply(200, {"tag_name": ARGS.tag, "assets": assets})
        m = re.fullmatch(r"/repos/[^/]+/[^/]+/releases/assets/(\d+)", url.path)
        if m:
            # Like GitHub: a redirect to a storage host, which takes no token.
            port = self.server.server_address[1]
            return self.reply(302, headers={"Location": f"http://localhost:{port}/storage/{m.group(1)}"})
        m = re.fullmatch(r"/storage/(\d+)", url.path)
        if m:
            if self.headers.get("Authorization"):
                return self.reply(400, {"message": "Only one auth mechanism allowed"})
            name = sorted(STATE.assets)[int(m.group(1))]
            data = STATE.assets[name]
            if STATE.tamper and name != "SHA256SUMS":
                data = data[:-1] + bytes([data[-1] ^ 1])
            return self.reply(200, raw=data)
        return self.reply(404, {"message": "Not Found"})

    def do_POST(self):
        self.record()
        url = urlsplit(self.path)
        if url.path == "/_config":
            config = self.body()
            with STATE.lock:
                STATE.deny_writes = config.get("deny_writes", STATE.deny_writes)
                STATE.tamper = config.get("tamper", STATE.tamper)
            return self.reply(204)
        if url.path == "/_seed":
            seed = self.body()
            with STATE.lock:
                for body in seed["bodies"]:
                    STATE.next_id += 1
                    STATE.comments.append(
                        {"id": STATE.next_id, "number": seed["number"], "body": body, "user": seed.get("login", "someone")}
                    )
            return self.reply(204)
        m = re.fullmatch(rf"/repos/{REPO}/issues/(\d+)/comments", url.path)
        if m:
            if not self.authorised():
                return None
            if STATE.deny_writes:
                return self.reply(STATE.deny_writes, {"message": "Resource not accessible by integration"})
            body = self.body()["body"]
            with STATE.lock:
                STATE.next_id += 1
                c = {"id": STATE.next_id, "number": int(m.group(1)), "body": body, "user": "github-actions[bot]"}
                STATE.comments.append(c)
            return self.reply(201, self.comment_json(c))
        return self.reply(404, {"message": "Not Found"})

    def do_PATCH(self):
        self.record()
        m = re.fullmatch(rf"/repos/{REPO}/issues/comments/(\d+)", urlsplit(self.path).path)
        if not m:
            return self.reply(404, {"message": "Not Found"})
        if not self.authorised():
            return None
        if STATE.deny_writes:
            return self.reply(STATE.deny_writes, {"message": "Resource not accessible by integration"})
        body = self.body()["body"]
        with STATE.lock:
            for c in STATE.comments:
                if c["id"] == int(m.group(1)):
                    c["body"] = body
                    return self.reply(200, self.comment_json(c))
        return self.reply(404, {"message": "Not Found"})


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--release-binary")
    parser.add_argument("--tag", default="v0.0.0")
    parser.add_argument("--target", default="x86_64-unknown-linux-gnu")
    ARGS = parser.parse_args()
    if ARGS.release_binary:
        STATE.assets = release(ARGS.release_binary, ARGS.tag, ARGS.target)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
