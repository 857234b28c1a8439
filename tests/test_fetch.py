"""The safe fetcher against a real HTTP server on loopback (tests/sites.py): limits, refused
addresses at every hop, conditional requests, robots.txt.

No test sends anything beyond loopback: refused private ranges are checked on the address
classifier itself, and the fetcher's use of it on loopback addresses (127.0.0.2, localhost,
::1) that are refused when QA_FETCH_ALLOW does not name them.
"""

import ipaddress
import shutil
import ssl
import subprocess
import time

import pytest
from sites import SLOW_SECONDS, TRICKLE_SECONDS, NewsSite

from qa.errors import FetchError, QAError, UnsafeAddress
from qa.ingest.fetch import FEED_TYPES, ROBOT_NAME, Fetcher, Robots, allowed_networks, refusal

LOOPBACK_ONLY = allowed_networks("127.0.0.1/32")


@pytest.fixture(scope="module")
def fetcher():
    with Fetcher(timeout=1.0, allow=LOOPBACK_ONLY) as opened:
        yield opened


def test_fetches_a_page_and_names_itself(news, fetcher):
    page = fetcher.fetch(news.url("/news/tempo-1.html"))
    assert (page.status, page.media_type, page.charset) == (200, "text/html", "utf-8")
    assert "Ini 7 Alasan Mengapa Orang Malas Bergerak" in page.text()
    agent = news.requests_to("/news/tempo-1.html")[-1]["user-agent"]
    assert agent.startswith(f"{ROBOT_NAME}/") and "robots.txt" in agent


def test_redirects_are_followed_up_to_the_limit(news, fetcher):
    assert fetcher.fetch(news.url("/hop/3")).url == news.url("/news/tempo-1.html")
    strict = Fetcher(max_redirects=2, allow=LOOPBACK_ONLY)
    with strict, pytest.raises(FetchError) as error:
        strict.fetch(news.url("/hop/3"))
    assert "more than 2 redirects" in error.value.message
    assert error.value.url == news.url("/hop/3")


@pytest.mark.parametrize(
    "path,message,transient",
    [
        ("/missing", "the server answered 404 Not Found", False),
        ("/loop", "more than 5 redirects (a redirect loop?)", False),
        ("/doc.pdf", "not a web page: the server sends application/pdf", False),
        ("/huge", "larger than 5,000,000 bytes (52,428,800 bytes)", False),
        ("/huge-undeclared", "larger than 5,000,000 bytes", False),
        ("/slow", "timed out after 1 s", True),
    ],
)
def test_a_bad_link_is_a_clear_error(news, fetcher, path, message, transient):
    started = time.monotonic()
    with pytest.raises(FetchError) as error:
        fetcher.fetch(news.url(path))
    assert message in error.value.message
    assert error.value.transient is transient
    assert time.monotonic() - started < SLOW_SECONDS  # never waits for the slow page


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers", "/to-trickle"])
def test_a_page_that_trickles_in_is_cut_at_the_deadline(news, path):
    """A byte every 0.2 s never trips a read timeout; the one deadline still ends the fetch."""
    started = time.monotonic()
    with Fetcher(timeout=2.0, allow=LOOPBACK_ONLY) as fetcher, pytest.raises(FetchError) as error:
        fetcher.fetch(news.url(path))
    assert "timed out after 2 s" in error.value.message and error.value.transient
    assert time.monotonic() - started < TRICKLE_SECONDS / 4  # the page itself lasts 60 s


def test_not_a_web_address(fetcher):
    for url in ("ftp://127.0.0.1/x", "file:///etc/passwd", "http://user:pw@127.0.0.1/", "nonsense"):
        with pytest.raises(FetchError):
            fetcher.fetch(url)


def test_loopback_is_refused_unless_allowed(news):
    before = len(news.requests)
    with Fetcher() as default:
        for host in ("127.0.0.1", "localhost", "[::1]"):
            with pytest.raises(UnsafeAddress) as error:
                default.fetch(news.url("/news/tempo-1.html", host=host))
            assert "a loopback address" in error.value.message
            assert "QA_FETCH_ALLOW" in error.value.message
    assert len(news.requests) == before  # refused before connecting


def test_every_redirect_hop_is_checked(news, fetcher):
    """127.0.0.1 is allowed, 127.0.0.2 is not: a redirect there is refused."""
    with pytest.raises(UnsafeAddress) as error:
        fetcher.fetch(news.url("/to-other-loopback"))
    assert error.value.url == news.url("/to-other-loopback")
    assert "redirected to http://127.0.0.2:" in error.value.message
    assert "127.0.0.2 is a loopback address" in error.value.message


def test_the_checked_address_is_connected_with_the_host_name_kept(news):
    """localhost is resolved and checked here; the request goes to that address (trying the
    next when ::1 does not answer) with `Host: localhost:port`."""
    with Fetcher(allow=allowed_networks("127.0.0.0/8, ::1")) as local:
        page = local.fetch(news.url("/news/detik-1.html", host="localhost"))
    assert page.status == 200
    assert news.requests_to("/news/detik-1.html")[-1]["host"] == f"localhost:{news.port}"


@pytest.fixture
def tls_site(tmp_path):
    """An HTTPS server on 127.0.0.1 whose certificate names only `localhost`, and a client
    context that trusts it."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost"],
        check=True,
        capture_output=True,
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    with NewsSite(tls=server) as served:
        yield served, ssl.create_default_context(cafile=str(cert))


def test_https_to_the_checked_address_verifies_the_host_name(tls_site):
    """The connection goes to 127.0.0.1, but TLS (SNI and the certificate check) is for the
    host name in the link."""
    served, trusted = tls_site
    allow = allowed_networks("127.0.0.0/8, ::1")
    with Fetcher(allow=allow, verify=trusted) as secure:
        page = secure.fetch(served.url("/news/tempo-1.html", host="localhost"))
        assert "Malas Bergerak" in page.text()
        with pytest.raises(FetchError, match="certificate verify failed"):  # not for 127.0.0.1
            secure.fetch(served.url("/news/tempo-1.html"))


@pytest.mark.parametrize(
    "address,kind",
    [
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("224.0.0.1", "multicast"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("::ffff:10.0.0.1", "private"),  # an IPv4 address in IPv6 clothing
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
    ],
)
def test_address_classes(address, kind):
    assert refusal(ipaddress.ip_address(address)) == kind


def test_allow_setting():
    assert allowed_networks(None) == []
    assert [str(n) for n in allowed_networks("127.0.0.1, 10.0.0.0/8 ::1")] == [
        "127.0.0.1/32",
        "10.0.0.0/8",
        "::1/128",
    ]
    with pytest.raises(QAError, match="QA_FETCH_ALLOW: 'localhost' is not an address"):
        allowed_networks("localhost")


def test_conditional_request_answered_not_modified(news, fetcher):
    first = fetcher.fetch(news.url("/feed.xml"), FEED_TYPES)
    assert first.etag and first.last_modified
    again = fetcher.fetch(news.url("/feed.xml"), FEED_TYPES, {"If-None-Match": first.etag})
    assert again.not_modified and again.body == b""
    assert news.requests_to("/feed.xml")[-1]["if-none-match"] == first.etag


def test_robots_txt(news, fetcher):
    robots = Robots(fetcher)
    assert robots.allowed(news.url("/news/tempo-1.html"))
    assert not robots.allowed(news.url("/private/tempo-1.html"))
    assert len(news.requests_to("/robots.txt")) == 1  # read once per news
    news.robots = None  # a 404: everything is allowed
    try:
        assert Robots(fetcher).allowed(news.url("/private/tempo-1.html"))
    finally:
        news.robots = "User-agent: *\nDisallow: /private/\n"
    with Fetcher() as refused:  # robots.txt that cannot be read: nothing is allowed
        assert not Robots(refused).allowed(news.url("/news/tempo-1.html"))
