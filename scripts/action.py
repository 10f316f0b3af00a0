#!/usr/bin/env python3
"""The loadgate action's two calls to the GitHub REST API (Python 3 standard
library only: it runs on GitHub's Linux, macOS and Windows runners without
installing anything).

    action.py install --repo OWNER/NAME --tag vX.Y.Z --dest DIR
        Download the release binary for this runner (RUNNER_OS, RUNNER_ARCH),
        check its SHA-256 against the release's SHA256SUMS, unpack it into DIR
        and check that `loadgate --version` is the tag's version.
        Exit 0: installed (the path is the last line on stdout and the
        `binary` step output). Exit 3: no such release or no asset for this
        runner: build from source instead. Exit 1: the download does not
        match its checksum or is not that version: never run it.

    action.py comment --body FILE --id NAME [--pr N]
        Create the pull request's comment that starts with the hidden marker
        `<!-- loadgate:NAME -->`, or update it in place when one exists
        (every page of comments is searched). Without FILE (loadgate could
        not judge at all) the comment says so, rather than showing an earlier
        push's result. Never fails the job: any problem (a fork's read-only
        token answers 403) is a `::warning::` and exit 0.

Both read GITHUB_API_URL (GitHub Enterprise; default https://api.github.com)
and GITHUB_TOKEN; `comment` reads GITHUB_REPOSITORY and the pull request's
number from GITHUB_EVENT_PATH, and writes `comment-url` to GITHUB_OUTPUT.
The token is sent only to GITHUB_API_URL's host, never along a redirect to
another host (release assets are served from a storage host).
"""

import argparse
import hashlib
import io
import json
import os
import re
import stat
import subprocess
import sys
import tarfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile

TIMEOUT_S = 60
MAX_PAGES = 100  # 10,000 comments
API_VERSION = "2022-11-28"

# RUNNER_OS, RUNNER_ARCH -> the target of release.yml's matrix.
TARGETS = {
    ("Linux", "X64"): "x86_64-unknown-linux-gnu",
    ("Linux", "ARM64"): "aarch64-unknown-linux-gnu",
    ("macOS", "X64"): "x86_64-apple-darwin",
    ("macOS", "ARM64"): "aarch64-apple-darwin",
    ("Windows", "X64"): "x86_64-pc-windows-msvc",
}


def escape_data(text):
    """A workflow-command message: `%`, CR and LF escaped, as the runner expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command(kind, message):
    print(f"::{kind} title=loadgate::{escape_data(message)}", flush=True)


def api_base():
    return os.environ.get("GITHUB_API_URL") or "https://api.github.com"


class Api:
    """Requests to the API host with the token; redirects elsewhere without it."""

    def __init__(self, base, token):
        self.base = base.rstrip("/")
        self.host = urllib.parse.urlsplit(self.base).netloc
        self.token = token
        outer = self

        class NoTokenElsewhere(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, req, fp, code, msg, headers, newurl):
                new = super().redirect_request(req, fp, code, msg, headers, newurl)
                if new is not None and urllib.parse.urlsplit(newurl).netloc != outer.host:
                    new.remove_header("Authorization")
                return new

        self.opener = urllib.request.build_opener(NoTokenElsewhere)

    def request(self, method, url, body=None, accept="application/vnd.github+json"):
        """(status, headers, bytes). HTTP errors are returned, not raised."""
        if not url.startswith(("http://", "https://")):
            url = self.base + url
        if urllib.parse.urlsplit(url).netloc != self.host:
            raise ValueError(f"refusing to send the token to {url}")
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", accept)
        req.add_header("User-Agent", "loadgate-action")
        req.add_header("X-GitHub-Api-Version", API_VERSION)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with self.opener.open(req, timeout=TIMEOUT_S) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def json(self, method, url, body=None):
        status, headers, raw = self.request(method, url, body)
        try:
            value = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            value = None
        return status, headers, value


def api_message(value):
    """GitHub's own reason in an error body, if any."""
    if isinstance(value, dict) and isinstance(value.get("message"), str):
        return value["message"][:300]
    return ""


def next_link(headers):
    """The `rel="next"` URL of a Link header."""
    for part in (headers.get("Link") or "").split(","):
        m = re.match(r'\s*<([^>]+)>\s*;\s*rel="next"', part)
        if m:
            return m.group(1)
    return None


# ----------------------------------------------------------------- comment


def pull_request_number(explicit):
    if explicit:
        return int(explicit)
    path = os.environ.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    with open(path, encoding="utf-8") as f:
        event = json.load(f)
    if isinstance(event.get("pull_request"), dict):
        return event["pull_request"].get("number")
    issue = event.get("issue")
    if isinstance(issue, dict) and issue.get("pull_request"):
        return issue.get("number")
    return None


def find_comment(api, repo, number, marker):
    """The first comment whose body starts with the marker line, or None."""
    url = f"/repos/{repo}/issues/{number}/comments?per_page=100"
    for _ in range(MAX_PAGES):
        status, headers, page = api.json("GET", url)
        if status != 200 or not isinstance(page, list):
            raise RuntimeError(f"listing the comments failed: {why_not_written(status, page)}")
        for c in page:
            body = c.get("body") or ""
            if body == marker or body.startswith(marker + "\n") or body.startswith(marker + "\r\n"):
                return c
        url = next_link(headers)
        if url is None:
            return None
    raise RuntimeError(f"more than {MAX_PAGES * 100} comments; not searched further")


def why_not_written(status, value):
    reason = api_message(value)
    text = f"HTTP {status}" + (f" ({reason})" if reason else "")
    if status == 401:
        text += ": the token was refused (the `token` input)"
    elif status in (403, 404):
        text += (
            ": the token may not write to this pull request. A pull request from a fork gets a"
            " read-only token; otherwise give the job `permissions: pull-requests: write`"
        )
    return text


def could_not_judge(marker, path, why):
    """The body posted when loadgate wrote no comment.md (it could not judge
    at all: a config error, a missing folder), so that the comment of an
    earlier push does not stay up looking current."""
    server, repo, run = (os.environ.get(v) for v in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    log = "the log of this workflow run"
    if server and repo and run and re.fullmatch(r"https?://[^\s()<>]+", server):
        log = f"the log of [this workflow run]({server}/{repo}/actions/runs/{run})"
    return (
        f"{marker}\n## ⚠️ loadgate could not judge this run\n\n"
        f"It wrote no {os.path.basename(path)} ({why}): it stopped before reading any result, for"
        f" example on a config error. The reason is in {log}.\n"
    )


def post_comment(args):
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", args.id):
        return f"the comment id {args.id[:80]!r} is not 1 to 64 letters, digits, `.`, `_` or `-`; nothing was posted"
    marker = f"<!-- loadgate:{args.id} -->"
    problem = None
    try:
        with open(args.body, encoding="utf-8") as f:
            body = f.read()
    except OSError as e:
        body = could_not_judge(marker, args.body, e.strerror or "unreadable")
        problem = f"no comment.md to post ({args.body}: {e.strerror}); the comment says that loadgate could not judge"
    if not body.startswith(marker + "\n"):
        return f"{args.body} does not start with {marker}; was it written with --comment-id {args.id}?"
    repo = os.environ.get("GITHUB_REPOSITORY")
    token = os.environ.get("GITHUB_TOKEN")
    if not repo:
        return "GITHUB_REPOSITORY is not set; nothing was posted"
    if not token:
        return "no token (the `token` input is empty); nothing was posted"
    try:
        number = pull_request_number(args.pr)
    except (OSError, ValueError) as e:
        return f"could not read the pull request's number: {e}"
    if not number:
        return "this run is not for a pull request (no pull_request in the event); nothing was posted"
    api = Api(api_base(), token)
    existing = find_comment(api, repo, number, marker)
    if existing is not None and existing.get("body") == body:
        print(f"loadgate: the comment is up to date: {existing.get('html_url', '')}")
        return write_output(existing) or problem
    if existing is None:
        status, _, value = api.json("POST", f"/repos/{repo}/issues/{number}/comments", {"body": body})
        done = status == 201
        what = "created"
    else:
        status, _, value = api.json(
            "PATCH", f"/repos/{repo}/issues/comments/{existing['id']}", {"body": body}
        )
        done = status == 200
        what = "updated"
    if not done:
        return f"the pull-request comment was not {what}: {why_not_written(status, value)}"
    print(f"loadgate: {what} the pull-request comment {value.get('html_url', '')}".rstrip())
    return write_output(value) or problem


def write_output(comment):
    path = os.environ.get("GITHUB_OUTPUT")
    url = comment.get("html_url") if isinstance(comment, dict) else None
    if path and isinstance(url, str) and "\n" not in url:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"comment-url={url}\n")
    return None


def comment_main(args):
    try:
        problem = post_comment(args)
    except Exception as e:  # noqa: BLE001 - a comment must never fail the job
        problem = f"the pull-request comment was not posted: {e}"
    if problem:
        command("warning", problem)
    return 0


# ----------------------------------------------------------------- install


class NoRelease(Exception):
    """Nothing to download: build from source."""


class BadDownload(Exception):
    """A download that must not run."""


def release_assets(api, repo, tag):
    status, _, value = api.json("GET", f"/repos/{repo}/releases/tags/{urllib.parse.quote(tag)}")
    if status == 404:
        raise NoRelease(f"no release {tag} in {repo}")
    if status != 200 or not isinstance(value, dict):
        raise NoRelease(f"the release {tag} of {repo} could not be read: HTTP {status} {api_message(value)}".rstrip())
    return {a.get("name"): a for a in value.get("assets") or [] if isinstance(a, dict)}


def download(api, asset):
    status, _, raw = api.request("GET", asset["url"], accept="application/octet-stream")
    if status != 200:
        raise NoRelease(f"downloading {asset.get('name')}: HTTP {status}")
    return raw


def expected_sha256(sums, name):
    for line in sums.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("*") == name:
            return parts[0].lower()
    return None


def unpack(archive, name, folder, exe):
    """The one binary `folder/exe` of the archive."""
    member = f"{folder}/{exe}"
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(archive)) as z:
            try:
                return z.read(member)
            except KeyError:
                raise BadDownload(f"{name} has no {member}") from None
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as t:
        try:
            info = t.getmember(member)
        except KeyError:
            raise BadDownload(f"{name} has no {member}") from None
        if not info.isfile():
            raise BadDownload(f"{member} in {name} is not a regular file")
        return t.extractfile(info).read()


def install(args):
    runner = (os.environ.get("RUNNER_OS", ""), os.environ.get("RUNNER_ARCH", ""))
    target = TARGETS.get(runner)
    if target is None:
        raise NoRelease(f"no release build for {runner[0] or '?'} {runner[1] or '?'}")
    windows = runner[0] == "Windows"
    folder = f"loadgate-{args.tag}-{target}"
    name = folder + (".zip" if windows else ".tar.gz")
    api = Api(api_base(), os.environ.get("GITHUB_TOKEN"))
    assets = release_assets(api, args.repo, args.tag)
    if name not in assets:
        raise NoRelease(f"the release {args.tag} has no {name}")
    if "SHA256SUMS" not in assets:
        raise NoRelease(f"the release {args.tag} has no SHA256SUMS to check {name} against")
    want = expected_sha256(download(api, assets["SHA256SUMS"]), name)
    if want is None:
        raise NoRelease(f"SHA256SUMS of {args.tag} does not list {name}")
    archive = download(api, assets[name])
    got = hashlib.sha256(archive).hexdigest()
    if got != want:
        raise BadDownload(f"{name}: SHA-256 {got}, but SHA256SUMS says {want}")
    exe = "loadgate.exe" if windows else "loadgate"
    binary = unpack(archive, name, folder, exe)
    os.makedirs(args.dest, exist_ok=True)
    path = os.path.join(args.dest, exe)
    with open(path, "wb") as f:
        f.write(binary)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
    expected = f"loadgate {args.tag.lstrip('v')}"
    if version.stdout.strip() != expected:
        os.remove(path)
        raise BadDownload(f"{name} says `{version.stdout.strip()}`, not `{expected}`")
    print(f"loadgate: installed {expected} ({target}) from the release {args.tag}, SHA-256 {got}")
    out = os.environ.get("GITHUB_OUTPUT")
    if out:
        with open(out, "a", encoding="utf-8") as f:
            f.write(f"binary={path}\n")
    print(path)


def install_main(args):
    try:
        install(args)
        return 0
    except NoRelease as e:
        command("notice", f"{e}; building loadgate from source")
        return 3
    except BadDownload as e:
        command("error", f"refusing the downloaded loadgate: {e}")
        return 1
    except (OSError, urllib.error.URLError, ValueError, subprocess.SubprocessError) as e:
        command("warning", f"the release could not be downloaded ({e}); building loadgate from source")
        return 3


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("install")
    p.add_argument("--repo", required=True)
    p.add_argument("--tag", required=True)
    p.add_argument("--dest", required=True)
    p = sub.add_parser("comment")
    p.add_argument("--body", required=True)
    p.add_argument("--id", required=True)
    p.add_argument("--pr")
    args = parser.parse_args(argv)
    if args.command == "install":
        return install_main(args)
    return comment_main(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
