"""Who may act, against a real `qa serve` on loopback with real cookies (qa/serve/auth.py): the
sign-in form's token is no session, signing out ends a session on the server, sessions
expire, and wrong keys are throttled per client on /admin, the API and /retrieval.

Each throttle test sends from its own loopback address (127.0.0.2, ...), so it is a client of
its own and the other tests (from 127.0.0.1) are not throttled.
"""

import re
import shutil
from collections.abc import Callable

import httpx
import pytest
from server import LiveServer, wait_idle

from qa.serve.auth import Auth, Throttled

pytestmark = pytest.mark.server

KEY = "auth-key-5678"
WINDOW = 3600  # QA_AUTH_WINDOW of the server: no failure leaves it during a test, however
# slow the machine (leaving the window is tested on the store, with a clock)
ATTEMPTS = 10  # QA_AUTH_ATTEMPTS, its default
KEPT = "asean-slom-17"  # an article the refused forms try to delete


@pytest.fixture(scope="module")
def live(tmp_path_factory, built_index_dir, small_articles):
    from qa.ingest.corpus import write_article

    tmp = tmp_path_factory.mktemp("auth")
    for article in small_articles.values():
        write_article(article, tmp / "corpus")
    shutil.copytree(built_index_dir, tmp / "index")
    env = {"QA_AUTH_WINDOW": str(WINDOW), "QA_AUTH_ATTEMPTS": str(ATTEMPTS)}
    with LiveServer(tmp / "corpus", tmp / "index", api_key=KEY, env=env) as server:
        wait_idle(server)
        yield server


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def is_dashboard(response: httpx.Response) -> bool:
    return response.status_code == 200 and "Tambah lewat tautan" in response.text


def is_sign_in_form(response: httpx.Response) -> bool:
    return 'name="key"' in response.text and "Tambah lewat tautan" not in response.text


def signed_in(live: LiveServer) -> tuple[httpx.Client, str]:
    """A client signed in at /admin, and its session's CSRF token."""
    client = httpx.Client(base_url=live.url, timeout=30)
    form = client.get("/admin")
    page = client.post(
        "/admin/sign-in", data={"key": KEY, "csrf": csrf(form.text)}, follow_redirects=True
    )
    assert is_dashboard(page), page.text
    return client, csrf(page.text)


def replaying(live: LiveServer, cookie: str) -> httpx.Client:
    """A client that sends `cookie` as the session cookie, as someone who copied it would."""
    return httpx.Client(base_url=live.url, timeout=30, cookies={"qa_admin": cookie})


def still_there(live: LiveServer) -> bool:
    return httpx.get(f"{live.url}/api/articles/{KEPT}", timeout=30).status_code == 200


def test_the_sign_in_cookie_opens_no_session(live):
    with httpx.Client(base_url=live.url, timeout=30) as visitor:
        form = visitor.get("/admin")
        sign_in_token = visitor.cookies["qa_admin_sign_in"]
    with replaying(live, sign_in_token) as replay:
        assert is_sign_in_form(replay.get("/admin"))
        refused = replay.post("/admin/delete", data={"article_id": KEPT, "csrf": csrf(form.text)})
        assert refused.status_code == 401 and is_sign_in_form(refused)
    assert still_there(live)


def test_signing_out_ends_the_session_for_a_saved_cookie(live):
    client, token = signed_in(live)
    saved = client.cookies["qa_admin"]
    with replaying(live, saved) as copy:  # the saved cookie works while the session lives
        assert is_dashboard(copy.get("/admin"))
    out = client.post("/admin/sign-out", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303
    client.close()
    with replaying(live, saved) as copy:
        assert is_sign_in_form(copy.get("/admin"))
        refused = copy.post("/admin/delete", data={"article_id": KEPT, "csrf": token})
        assert refused.status_code == 401 and is_sign_in_form(refused)
    assert still_there(live)


def test_a_session_expires_and_an_ended_one_is_ended_for_every_replica(tmp_path):
    """The real session store over one folder, as two replicas share it, on a given clock."""
    now = [1_000_000.0]
    first = Auth(tmp_path, KEY, session_seconds=60, clock=lambda: now[0])
    second = Auth(tmp_path, KEY, session_seconds=60, clock=lambda: now[0])
    session = first.open_session()
    assert second.session(session.id) == session
    now[0] += 59.9
    assert first.session(session.id) == session
    now[0] += 0.2
    assert first.session(session.id) is None and second.session(session.id) is None

    other = first.open_session()
    second.end_session(other.id)
    assert first.session(other.id) is None


def test_tokens_of_one_kind_do_not_load_as_the_other(tmp_path):
    auth = Auth(tmp_path, KEY)
    token = auth.sign("sign-in", "value")
    assert auth.unsign("sign-in", token, 60) == "value"
    assert auth.unsign("session", token, 60) is None
    assert Auth(tmp_path, "another-key").unsign("sign-in", token, 60) is None


def test_the_throttle_counts_per_client_within_its_window(tmp_path):
    now = [5_000.0]
    auth = Auth(tmp_path, KEY, attempts=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert auth.check("10.0.0.1", "guess") is False
        now[0] += 1
    with pytest.raises(Throttled) as throttled:
        auth.check("10.0.0.1", KEY)
    assert throttled.value.seconds == 57  # until the first wrong key is 60 s old
    assert auth.check("10.0.0.2", KEY) is True  # another client
    now[0] += 57
    assert auth.check("10.0.0.1", KEY) is True


# -- the throttle through the real server ------------------------------------------------------


def admin_sign_in(client: httpx.Client, key: str) -> httpx.Response:
    form = client.get("/admin")
    return client.post("/admin/sign-in", data={"key": key, "csrf": csrf(form.text)})


def api_delete(client: httpx.Client, key: str) -> httpx.Response:
    """A delete of an article that is not there: 404 with the right key, nothing changes."""
    headers = {"Authorization": f"Bearer {key}"}
    return client.delete("/api/articles/no-such-article", headers=headers)


def retrieval(client: httpx.Client, key: str) -> httpx.Response:
    """Dify's /retrieval for another knowledge id: 404 (2001) with the right key."""
    body = {
        "knowledge_id": "not-this-one",
        "query": "upah minimum",
        "retrieval_setting": {"top_k": 1, "score_threshold": 0.0},
    }
    return client.post("/retrieval", json=body, headers={"Authorization": f"Bearer {key}"})


DOORS: dict[str, tuple[str, Callable[[httpx.Client, str], httpx.Response], int, int]] = {
    # door: (client address, attempt, status of a wrong key, status of the right key)
    "admin sign-in": ("127.0.0.2", admin_sign_in, 401, 303),
    "api bearer key": ("127.0.0.3", api_delete, 401, 404),
    "dify retrieval": ("127.0.0.4", retrieval, 403, 404),
}


@pytest.mark.parametrize("door", DOORS)
def test_wrong_keys_are_throttled_then_the_right_key_waits_too(live, door):
    address, attempt, wrong_status, right_status = DOORS[door]
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=live.url, transport=transport, timeout=30) as guesser:
        statuses = [attempt(guesser, f"guess-{n}").status_code for n in range(40)]
        assert statuses == [wrong_status] * ATTEMPTS + [429] * (40 - ATTEMPTS), statuses

        throttled = attempt(guesser, KEY)
        assert throttled.status_code == 429, throttled.text
        assert 1 <= int(throttled.headers["Retry-After"]) <= WINDOW
        with httpx.Client(base_url=live.url, timeout=30) as other:  # 127.0.0.1 is not throttled
            assert attempt(other, KEY).status_code == right_status


def test_a_forwarded_for_header_does_not_make_a_new_client(tmp_path, built_index_dir):
    """No proxy is trusted by default, so a guesser on the server's own host naming another
    address in X-Forwarded-For on each attempt is still one client, throttled as one. (A
    server of its own: the guesser is 127.0.0.1, which the other tests use.)"""
    shutil.copytree(built_index_dir, tmp_path / "index")
    env = {"QA_AUTH_WINDOW": str(WINDOW), "QA_AUTH_ATTEMPTS": str(ATTEMPTS)}
    (tmp_path / "corpus").mkdir()
    args = ("--no-sync",)
    with (
        LiveServer(
            tmp_path / "corpus", tmp_path / "index", api_key=KEY, env=env, args=args
        ) as server,
        httpx.Client(base_url=server.url, timeout=30) as guesser,
    ):
        statuses = [
            api_delete_as(guesser, f"guess-{n}", forwarded_for=f"198.51.100.{n}").status_code
            for n in range(ATTEMPTS + 5)
        ]
    assert statuses == [401] * ATTEMPTS + [429] * 5, statuses


def api_delete_as(client: httpx.Client, key: str, forwarded_for: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}", "X-Forwarded-For": forwarded_for}
    return client.delete("/api/articles/no-such-article", headers=headers)
