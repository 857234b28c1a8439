"""The Host check and the security headers on every route (qa/serve/guard.py), against a real
`qa serve` on loopback: a request for a foreign host name (DNS rebinding) is refused before
any route runs and gets no cookie; every response carries the headers; no page needs script.
"""

import re
import shutil

import httpx
import pytest
from fastapi.testclient import TestClient
from server import LiveServer, wait_idle

from qa.serve.app import create_app
from qa.serve.guard import HEADERS, host_of
from qa.serve.service import Service

pytestmark = pytest.mark.server

KEY = "guard-key-2468"
ALLOWED = "qa.example.org"
FOREIGN = "evil.example"
PATHS = ["/", "/?q=upah+minimum", "/admin", "/api/search?q=upah", "/static/style.css"]


@pytest.fixture(scope="module")
def live(tmp_path_factory, built_index_dir, small_articles):
    from qa.ingest.corpus import write_article

    tmp = tmp_path_factory.mktemp("guard")
    for article in small_articles.values():
        write_article(article, tmp / "corpus")
    shutil.copytree(built_index_dir, tmp / "index")
    env = {"QA_ALLOWED_HOSTS": ALLOWED}
    with LiveServer(tmp / "corpus", tmp / "index", api_key=KEY, env=env) as server:
        wait_idle(server)
        yield server


def get(live: LiveServer, path: str, host: str | None = None) -> httpx.Response:
    headers = {"Host": f"{host}:{live.port}"} if host else {}
    return httpx.get(f"{live.url}{path}", headers=headers, timeout=30)


@pytest.mark.parametrize("path", [*PATHS, "/mcp"])
def test_a_foreign_host_is_refused_with_no_cookie(live, path):
    response = get(live, path, FOREIGN)
    assert response.status_code == 421, response.text
    assert "QA_ALLOWED_HOSTS" in response.json()["error"]
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", ALLOWED])
def test_loopback_and_allowed_hosts_are_answered(live, host):
    for path in PATHS:
        assert get(live, path, host).status_code == 200, (host, path)
    assert get(live, "/admin", host).headers["set-cookie"].startswith("qa_admin_sign_in=")


def test_any_host_is_answered_with_a_star(site):
    app = create_app(Service(*site), api_key=KEY, open_service=False, allowed_hosts="*")
    with TestClient(app, base_url=f"http://{FOREIGN}") as client:
        assert client.get("/admin").status_code == 200


def test_host_names_without_their_ports():
    assert host_of("[::1]:8000") == "[::1]"
    assert host_of("LocalHost:8000") == "localhost"
    assert host_of("127.0.0.1") == "127.0.0.1"
    assert host_of("evil.example:80") == "evil.example"


@pytest.mark.parametrize("path", [*PATHS, "/api/articles/no-such-article", "/no-such-page"])
def test_every_response_carries_the_security_headers(live, path):
    response = get(live, path)
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (path, name, response.headers)
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src" not in policy
    assert "default-src 'none'" in policy  # so no script at all


def test_the_refusal_carries_them_too(live):
    assert get(live, "/", FOREIGN).headers["x-frame-options"] == "DENY"


def test_pages_need_no_script(live):
    """The policy allows no script: the pages hold none, inline or in attributes."""
    with httpx.Client(base_url=live.url, timeout=30) as client:
        form = client.get("/admin")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        dashboard = client.post(
            "/admin/sign-in", data={"key": KEY, "csrf": token}, follow_redirects=True
        )
        pages = [client.get(path).text for path in PATHS[:3]] + [dashboard.text]
        pages.append(client.get("/articles/asean-slom-17").text)
    assert "Tambah lewat tautan" in dashboard.text
    for page in pages:
        assert "<script" not in page.lower()
        assert not re.search(r"\son[a-z]+\s*=|\sstyle\s*=|javascript:", page, re.I)


def test_no_swagger_ui_but_the_openapi_schema(live):
    assert get(live, "/docs").status_code == 404 and get(live, "/redoc").status_code == 404
    assert get(live, "/openapi.json").json()["info"]["title"].startswith("qa")
