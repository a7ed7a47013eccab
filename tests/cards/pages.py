"""A small web site on 127.0.0.1 for the link-card tests: articles with Open Graph tags
and their pictures, and the misbehaving kinds (a server that stalls, one that trickles,
an endless body, redirects). It counts every request, so a test can prove that a
refused address was never asked at all.

The misbehaving pages last until the site closes: if Roost did not cut them off, the
test waiting for its job would hang (and pytest-timeout would fail it), so a passing
test shows the limits work without timing anything.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.pictures import picture

ARTICLE = """<!doctype html>
<html><head><meta charset="utf-8">
<title>Plain title of the page</title>
<meta property="og:title" content="Goldcrests &amp; firecrests in the park">
<meta property="og:description" content="Europe's smallest birds, counted at dawn.">
<meta property="og:site_name" content="Bird Notes">
<meta property="og:image" content="/pictures/goldcrest.jpg">
<meta property="og:image:alt" content="A goldcrest on a spruce twig">
<meta name="author" content="Maya Lindqvist">
<meta property="article:published_time" content="2026-05-01T06:30:00Z">
</head><body><p>Text.</p></body></html>"""

TITLE_ONLY = """<html><head><title>
  Just a  title
</title><meta name="description" content="From the description tag."></head></html>"""


class Site:
    def __init__(self) -> None:
        self.requests: list[str] = []  # paths, in the order asked
        self.closing = threading.Event()
        self.release = threading.Event()  # lets /held answer
        self.picture = picture((1200, 800), colour=(220, 170, 30), gps=True)
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                site.requests.append(self.path)
                site.answer(self)

        self.server = ThreadingHTTPServer(("0.0.0.0", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def asked(self, path: str) -> int:
        return sum(1 for p in self.requests if urlsplit(p).path == path)

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        path, query = urlsplit(h.path).path, parse_qs(urlsplit(h.path).query)
        if path in ("/article", "/another-article"):
            self.send(h, ARTICLE.encode(), "text/html; charset=utf-8")
        elif path == "/title-only":
            self.send(h, TITLE_ONLY.encode(), "text/html")
        elif path == "/held":  # answers once the test lets it
            self.release.wait(timeout=60)
            self.send(h, ARTICLE.encode(), "text/html")
        elif path == "/pictures/goldcrest.jpg":
            self.send(h, self.picture, "image/jpeg")
        elif path == "/plain":
            self.send(h, b"just text", "text/plain")
        elif path == "/missing":
            h.send_response(404)
            h.send_header("Content-Length", "0")
            h.end_headers()
        elif path == "/redirect":
            h.send_response(302)
            h.send_header("Location", query["to"][0])
            h.send_header("Content-Length", "0")
            h.end_headers()
        elif path == "/stall":  # headers, then nothing
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", "100000")
            h.end_headers()
            h.wfile.flush()
            self.closing.wait()
        elif path == "/trickle":  # a byte now and then: never idle long enough to time out
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.end_headers()
            self.keep_sending(h, b"<", pause=0.05)
        elif path == "/endless":  # a body without end, and no length said
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.end_headers()
            self.keep_sending(h, b"<p>" + b"x" * 65_536, pause=0)
        elif path == "/declared-huge":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", str(10**9))
            h.end_headers()
            self.closing.wait()
        else:
            h.send_response(404)
            h.send_header("Content-Length", "0")
            h.end_headers()

    @staticmethod
    def send(h: BaseHTTPRequestHandler, body: bytes, content_type: str) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def keep_sending(self, h: BaseHTTPRequestHandler, chunk: bytes, *, pause: float) -> None:
        h.close_connection = True
        while not self.closing.is_set():
            try:
                h.wfile.write(chunk)
                h.wfile.flush()
            except OSError:  # the client went away: what we hope for
                return
            if pause:
                self.closing.wait(pause)


@contextmanager
def serving() -> Iterator[Site]:
    site = Site()
    site.thread.start()
    try:
        yield site
    finally:
        site.closing.set()
        site.release.set()
        site.server.shutdown()
        site.server.server_close()
