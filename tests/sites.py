"""A news site on 127.0.0.1 for the intake tests (not a test module itself).

It serves the saved real pages of shared/realnews/html under /news/, an RSS feed and a sitemap
of the items in `site.items`, a homepage that links its feed, a robots.txt, and every bad case
a fetcher meets: a 404, a slow page, a redirect loop, a PDF, a 50 MB page, a page without
article text, feeds that are not XML or are empty, pages that trickle in a byte at a time (their
headers or their body; /hold until the test sets `site.release`). It remembers each request's
headers.

    with NewsSite() as site:
        site.items = ["detik-1", "tempo-1"]
        httpx.get(site.url("/feed.xml"))
        site.requests_to("/feed.xml")[-1]["if-none-match"]
"""

import contextlib
import hashlib
import ssl
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

REALNEWS = Path(__file__).resolve().parents[2] / "shared" / "realnews" / "html"
SLOW_SECONDS = 3
TRICKLE_SECONDS = 60  # how long a trickling page lasts if the client does not give up first
TRICKLE_GAP = 0.2  # seconds between two bytes
PAGE_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
HUGE_BYTES = 50 * 1024 * 1024

TITLES = {
    "antaranews-1": "Saat pengadilan pertemukan Brotoseno dan Angelina Sondakh",
    "detik-1": "Curhat Wanita Kena Stroke di Umur 26, Ketahuan saat Terkapar di Kamar Mandi",
    "kompas-1": "Menhub Bocorkan Penyebab Harga Tiket Pesawat Masih Mahal",
    "kompas-2": 'Menteri Yuddy Ancam PNS yang Rankingnya Terendah Akan "Dipangkas"',
    "republika-1": "Marcella Zalianty Promo Pariwisata Indonesia Lewat Film",
    "tempo-1": "Ini 7 Alasan Mengapa Orang Malas Bergerak",
    "tribunnews-1": "Jawaban Soal Apa Dampak Negatif Jika Menunda Pekerjaan",
}

NO_ARTICLE = b"""<!doctype html><html><head><title>Indeks</title></head><body>
<nav><a href="/news/detik-1.html">Kesehatan</a> <a href="/news/tempo-1.html">Gaya</a></nav>
</body></html>"""


class NewsSite:
    """The site, served from a thread; `items` (names of pages in /news/) make its feeds."""

    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None):
        self.items: list[str] = []
        self.robots: str | None = "User-agent: *\nDisallow: /private/\n"  # None: a 404
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.release = threading.Event()  # ends the pages at /hold
        self._server = ThreadingHTTPServer((host, 0), _handler(self))
        self._server.daemon_threads = True
        if tls is not None:  # HTTPS
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https" if tls else "http"
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "NewsSite":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def requests_to(self, path: str) -> list[dict[str, str]]:
        """The headers (lower-case names) of every request for `path`, oldest first."""
        return [headers for seen, headers in self.requests if seen == path]

    def rss(self) -> bytes:
        entries = "".join(
            f"<item><title>{escape(TITLES.get(name, name))}</title>"
            f"<link>{self.url(f'/news/{name}.html')}</link>"
            f"<guid>{self.url(f'/news/{name}.html')}</guid></item>"
            for name in self.items
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Berita</title><link>{self.url('/')}</link>{entries}</channel></rss>"
        ).encode()

    def sitemap(self) -> bytes:
        urls = "".join(
            f"<url><loc>{self.url(f'/news/{name}.html')}</loc></url>" for name in self.items
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        ).encode()

    def sitemap_index(self) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{self.url('/sitemap.xml')}</loc></sitemap></sitemapindex>"
        ).encode()

    def homepage(self) -> bytes:
        return (
            b"<!doctype html><html><head><title>Berita</title>"
            b'<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">'
            b"</head><body><h1>Berita</h1></body></html>"
        )


def _handler(site: NewsSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            site.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
            # the client may stop reading, as it should for the huge pages
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._route(path)

        def _route(self, path: str) -> None:
            page = REALNEWS / path.rsplit("/", 1)[-1]
            if path.startswith(("/news/", "/private/")) and page.is_file():
                self._send(200, "text/html; charset=utf-8", page.read_bytes())
            elif path == "/":
                self._send(200, "text/html; charset=utf-8", site.homepage())
            elif path == "/feed.xml":
                self._conditional("application/rss+xml; charset=utf-8", site.rss())
            elif path == "/feed-plain.xml":  # the same feed, without validators
                self._send(200, "application/rss+xml", site.rss())
            elif path == "/sitemap.xml":
                self._conditional("application/xml", site.sitemap())
            elif path == "/sitemap-index.xml":
                self._send(200, "application/xml", site.sitemap_index())
            elif path == "/robots.txt" and site.robots is not None:
                self._send(200, "text/plain", site.robots.encode())
            elif path == "/slow":
                time.sleep(SLOW_SECONDS)
                self._send(200, "text/html", b"<p>late</p>")
            elif path == "/loop":
                self._redirect("/loop")
            elif path.startswith("/hop/"):  # /hop/3 -> /hop/2 -> /hop/1 -> /news/tempo-1.html
                left = int(path.rsplit("/", 1)[1])
                self._redirect(f"/hop/{left - 1}" if left > 1 else "/news/tempo-1.html")
            elif path == "/to-other-loopback":
                self._redirect(site.url("/news/tempo-1.html", host="127.0.0.2"))
            elif path == "/doc.pdf":
                self._send(200, "application/pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
            elif path == "/huge":
                self._stream(declared=True)
            elif path == "/huge-undeclared":
                self._stream(declared=False)
            elif path == "/trickle":
                self._trickle(PAGE_HEAD, b"x" * 9999)
            elif path == "/trickle-headers":
                self._trickle(b"", b"HTTP/1.1 200 OK\r\n" + b"X-Slow: y\r\n" * 9999)
            elif path == "/to-trickle":
                self._redirect("/trickle")
            elif path.startswith("/hold/"):
                self._trickle(PAGE_HEAD, b"x" * 9999, until=site.release)
            elif path == "/no-article":
                self._send(200, "text/html; charset=utf-8", NO_ARTICLE)
            elif path == "/not-xml.xml":
                self._send(200, "application/rss+xml", b"this is no feed { at all")
            elif path == "/empty-feed.xml":
                body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
                self._send(200, "application/rss+xml", body + b"</channel></rss>")
            else:
                self._send(404, "text/html", b"<h1>404</h1>")

        def _send(self, status: int, content_type: str, body: bytes, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _conditional(self, content_type: str, body: bytes) -> None:
            """200 with ETag and Last-Modified, or 304 when the client has this version."""
            etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
            modified = formatdate(1_700_000_000 + len(site.items) * 3600, usegmt=True)
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self._send(200, content_type, body, ETag=etag, Last_Modified=modified)

        def _stream(self, declared: bool) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            if declared:
                self.send_header("Content-Length", str(HUGE_BYTES))
            self.end_headers()
            block = b"<p>" + b"x" * 65536 + b"</p>"
            for _ in range(HUGE_BYTES // len(block)):
                self.wfile.write(block)

        def _trickle(self, head: bytes, body: bytes, until: threading.Event | None = None) -> None:
            """`head` at once, then `body` a byte at a time: never a pause long enough for a
            read timeout, for at most TRICKLE_SECONDS (or until `until` is set)."""
            self.close_connection = True
            self.wfile.write(head)
            ends = time.monotonic() + TRICKLE_SECONDS
            for byte in body:
                if time.monotonic() > ends or (until or threading.Event()).wait(TRICKLE_GAP):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()

    return Handler
