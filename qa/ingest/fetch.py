"""Fetching pages and feeds from the web without letting a link reach what it should not.

A link comes from a user or a feed, so it is not trusted:

- only http and https, only to public addresses: the host name is resolved here and every
  address it resolves to is checked (private, loopback, link-local, multicast, reserved are
  refused unless `QA_FETCH_ALLOW` names their network), and the connection then goes to the
  address that was checked, never to a second resolution (no DNS rebinding);
- redirects are followed by hand, each hop checked the same way, at most `QA_FETCH_REDIRECTS`;
- one deadline for the whole fetch (`QA_FETCH_TIMEOUT`): connecting, every redirect hop, the
  headers and every byte of the body, however slowly a server sends them (a read timeout alone
  starts again at each byte, so a page trickling one byte a second would never time out); a
  body size limit (`QA_FETCH_MAX_BYTES`, counted after decompression), and only the content
  types asked for;
- no proxy from the environment, no cookies and no kept-alive connections (nothing is shared
  between two host names on one address), a User-Agent that names the program.

`Robots` reads robots.txt through the same fetcher, for what is polled on a schedule.
"""

import contextlib
import ipaddress
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from qa import __version__, settings
from qa.errors import FetchError, QAError, UnsafeAddress
from qa.ingest.readers.text import decode

ROBOT_NAME = "qa-news"
USER_AGENT = f"{ROBOT_NAME}/{__version__} (news search and question answering; honours robots.txt)"

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = HTML_TYPES | {
    "application/atom+xml",
    "application/rdf+xml",
    "application/rss+xml",
    "application/xml",
    "text/xml",
    "text/plain",  # some servers send feeds and sitemaps as plain text
}
ANY_TYPE = frozenset({"*"})

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 65536
_CHARSET = re.compile(r"charset\s*=\s*[\"']?(?P<name>[\w.:-]+)", re.IGNORECASE)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def allowed_networks(value: str | None) -> list[Network]:
    """The networks of `QA_FETCH_ALLOW`: "127.0.0.1/32,::1" (comma- or space-separated)."""
    networks = []
    for part in (value or "").replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as error:
            message = f"QA_FETCH_ALLOW: {part!r} is not an address or network ({error})"
            raise QAError(message) from None
    return networks


def refusal(address: Address) -> str | None:
    """Why a connection to `address` is refused by default, or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    for kind, test in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("unspecified", address.is_unspecified),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("non-public", not address.is_global),  # shared (100.64/10), documentation ranges
    ):
        if test:
            return kind
    return None


@dataclass(frozen=True)
class Fetched:
    """A response read in full: 200 with its body, or 304 (not modified) without one."""

    url: str  # after redirects
    status: int
    media_type: str = ""
    charset: str | None = None
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        """The body as text: in the charset the server named, else UTF-8, else cp1252."""
        if self.charset:
            try:
                return self.body.decode(self.charset, errors="replace")
            except LookupError:
                pass  # an unknown charset name: guess as for a file
        return decode(self.body, self.url)[0]


class Deadline:
    """The end of one fetch. When it comes, a timer shuts down the sockets the fetch opened, so
    a read blocked on a server that sends slowly ends then and not at its own timeout."""

    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "Deadline":
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()

    def left(self) -> float:
        return self.at - time.monotonic()

    def trace(self, event: str, info: dict) -> None:
        """httpcore's trace hook: note each connection's socket as it is opened."""
        if event != "connection.connect_tcp.complete":
            return
        sock = info["return_value"].get_extra_info("socket")
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    """End a connection under a reader blocked on it (the reader sees the connection close)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


@dataclass
class Fetcher:
    """Fetches one URL at a time under the limits above; use as a context manager."""

    timeout: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allow: list[Network] = field(default_factory=list)
    user_agent: str = USER_AGENT
    verify: ssl.SSLContext | bool = True  # certificates: checked against the host name

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            verify=self.verify,
            follow_redirects=False,
            trust_env=False,  # a proxy would connect for us, to addresses we never checked
            # no cookies: requests go to addresses, and two sites may share one
            cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),
            timeout=self.timeout,
            limits=httpx.Limits(max_keepalive_connections=0),
            headers={"User-Agent": self.user_agent, "Accept-Language": "id, en;q=0.8"},
        )

    @classmethod
    def from_settings(cls) -> "Fetcher":
        return cls(
            timeout=float(settings.get("fetch_timeout")),
            max_bytes=int(settings.get("fetch_max_bytes")),
            max_redirects=int(settings.get("fetch_redirects")),
            allow=allowed_networks(settings.get("fetch_allow")),
        )

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(
        self, url: str, accept: frozenset[str] = HTML_TYPES, headers: dict[str, str] | None = None
    ) -> Fetched:
        """GET `url` following redirects; FetchError (or UnsafeAddress) says why not."""
        url = url.strip()  # spaces around a pasted link are not a redirect
        try:
            with Deadline(self.timeout) as deadline:
                return self._follow(url, accept, headers or {}, deadline)
        except FetchError as error:
            if error.url == url:
                raise
            message = f"redirected to {error.url}: {error.message}"
            raise type(error)(url, message, error.transient, error.status) from None

    def _follow(
        self, url: str, accept: frozenset[str], headers: dict[str, str], deadline: Deadline
    ) -> Fetched:
        """Fetch `url`, following at most `max_redirects` redirects, all before `deadline`."""
        current = url.strip()
        for _ in range(self.max_redirects + 1):
            target = self._target(current)
            response = self._open(target, current, headers, deadline)
            try:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    current = urljoin(current, location.strip())
                    continue
                return self._read(response, current, accept, deadline)
            finally:
                response.close()
        raise FetchError(url, f"more than {self.max_redirects} redirects (a redirect loop?)")

    def _target(self, url: str) -> httpx.URL:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise FetchError(url, "not a web address: give an http:// or https:// link")
        if parts.username or parts.password:
            raise FetchError(url, "a link with a user name or password is not fetched")
        try:
            return httpx.URL(url)
        except httpx.InvalidURL as error:
            raise FetchError(url, f"not a valid link ({error})") from None

    def _addresses(self, target: httpx.URL, url: str) -> list[str]:
        """Every address the host resolves to, each checked; one refused address refuses all."""
        host = target.host
        try:
            found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise FetchError(url, f"cannot resolve {host}: {reason}", transient=True) from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        for text in addresses:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            if any(address in network for network in self.allow):
                continue
            if kind := refusal(address):
                said = f"{host} is" if host == str(address) else f"{host} is at {address},"
                raise UnsafeAddress(
                    url,
                    f"{said} {'an' if kind[0] in 'aeiou' else 'a'} {kind} address: links to "
                    "such addresses are refused (QA_FETCH_ALLOW lists networks to allow)",
                )
        return addresses

    def _open(
        self, target: httpx.URL, url: str, headers: dict[str, str], deadline: Deadline
    ) -> httpx.Response:
        """The response (streaming) from the first of the checked addresses that connects."""
        error: Exception | None = None
        for address in self._addresses(target, url):
            left = deadline.left()
            if left <= 0:
                break
            request = self._client.build_request(
                "GET",
                target.copy_with(host=address),
                headers={"Host": target.netloc.decode("ascii"), **headers},
                extensions={
                    "sni_hostname": target.host,
                    "timeout": _timeouts(left),
                    "trace": deadline.trace,
                },
            )
            try:
                return self._client.send(request, stream=True)
            except httpx.TimeoutException:
                break
            except httpx.HTTPError as failed:
                if deadline.expired:
                    break
                if not isinstance(failed, httpx.ConnectError):
                    raise FetchError(url, f"request failed: {failed}", transient=True) from None
                error = failed
        if error is not None and not deadline.expired:
            raise FetchError(url, f"cannot connect: {error}", transient=True)
        raise FetchError(url, f"timed out after {self.timeout:g} s", transient=True)

    def _read(
        self, response: httpx.Response, url: str, accept: frozenset[str], deadline: Deadline
    ) -> Fetched:
        status = response.status_code
        if status == 304:
            return Fetched(url, status, etag=response.headers.get("etag"))
        if status != 200:
            reason = f"{status} {response.reason_phrase}".strip()
            transient = status >= 500 or status == 429
            raise FetchError(url, f"the server answered {reason}", transient, status)
        media_type, charset = _content_type(response.headers.get("content-type", ""))
        if "*" not in accept and media_type not in accept:
            shown = media_type or "no Content-Type"
            raise FetchError(url, f"not a web page: the server sends {shown}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(url, self._too_large(int(declared)))
        body = bytearray()
        try:
            for chunk in response.iter_bytes(_CHUNK):
                body += chunk
                if len(body) > self.max_bytes:
                    raise FetchError(url, self._too_large(None))
            if deadline.expired:  # the body ended because its connection was shut at the deadline
                raise httpx.ReadTimeout("deadline")
        except httpx.HTTPError as error:
            if deadline.expired or isinstance(error, httpx.TimeoutException):
                message = f"timed out after {self.timeout:g} s"
                raise FetchError(url, message, transient=True) from None
            raise FetchError(url, f"download failed: {error}", transient=True) from None
        return Fetched(
            url=url,
            status=status,
            media_type=media_type,
            charset=charset,
            body=bytes(body),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )

    def _too_large(self, size: int | None) -> str:
        said = f" ({size:,} bytes)" if size is not None else ""
        return f"the page is larger than {self.max_bytes:,} bytes{said} (QA_FETCH_MAX_BYTES)"


def _timeouts(seconds: float) -> dict[str, float]:
    """httpx's per-request timeout extension: every phase within what is left of the budget."""
    return {phase: seconds for phase in ("connect", "read", "write", "pool")}


def _content_type(header: str) -> tuple[str, str | None]:
    """("text/html", "utf-8") from "text/html; charset=UTF-8"."""
    media_type = header.split(";", 1)[0].strip().lower()
    charset = _CHARSET.search(header)
    return media_type, charset["name"].lower() if charset else None


class Robots:
    """robots.txt, read once per site for the life of the object (one poll of the feeds).

    As RFC 9309 says: a robots.txt that is missing (any 4xx) allows everything; one that cannot
    be read (5xx, timeout, refused address) disallows everything for now.
    """

    def __init__(self, fetcher: Fetcher):
        self.fetcher = fetcher
        self._sites: dict[str, RobotFileParser | bool] = {}

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._sites:
            self._sites[site] = self._read(f"{site}/robots.txt")
        rules = self._sites[site]
        return rules if isinstance(rules, bool) else rules.can_fetch(ROBOT_NAME, url)

    def _read(self, url: str) -> RobotFileParser | bool:
        try:
            fetched = self.fetcher.fetch(url, accept=ANY_TYPE)
        except FetchError as error:
            return error.status is not None and 400 <= error.status < 500
        parser = RobotFileParser(url)
        parser.parse(fetched.text().splitlines())
        return parser
