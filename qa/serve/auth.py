"""Who may act: the one check of the server's key, the throttle on wrong keys, and the
sessions of /admin, shared by the maintainer's page, the API's writes and Dify's /retrieval.

Keys are compared in constant time (both sides hashed first, so not even the length shows).
A client (its IP address) that sends `QA_AUTH_ATTEMPTS` wrong keys within `QA_AUTH_WINDOW`
seconds is refused (429 with Retry-After) until the oldest of them leaves the window, the
right key too; attempts refused so are not counted, so a guesser gets that many tries per
window, whichever of the three doors it knocks on.

Sign-in form tokens and sessions are different kinds of token: each is signed with a secret
derived from the key under its own salt and carries its kind, so neither loads as the other,
and a new key voids both. A session is a random id whose hash is a row with its CSRF token and
expiry; signing out deletes the row, so a cookie saved before no longer works anywhere.

That state (sessions, recent failures) lives in one small SQLite file in the index folder,
`auth.sqlite`, rather than in memory or in a per-key counter: `qa serve` may run as several
replicas over one index folder behind a load balancer that need not be sticky, so a session
opened on one replica must be known to the one answering the next form, a sign-out on one must
end it on all, and a guesser must not get a fresh allowance per replica; a restart must neither
sign the maintainer out nor forgive a guesser. A counter per key could only end every session
at once. The file holds no secret: only hashes of session ids, CSRF tokens (useless without
the session) and client addresses with times; its rows expire with their window or session.
"""

import hashlib
import hmac
import math
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from qa import settings

FILE_NAME = "auth.sqlite"
SIGN_IN = "sign-in"  # the kind of the sign-in form's token
SESSION = "session"  # the kind of a session cookie's token

KeyCheck = Literal["ok", "disabled", "malformed", "wrong"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS failures (client TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS failures_by_client ON failures (client, at);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY, csrf TEXT NOT NULL, expires REAL NOT NULL
);
"""


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def same_key(given: str, expected: str) -> bool:
    """Whether `given` is the key, in time independent of both (their hashes are compared)."""
    return hmac.compare_digest(_digest(given), _digest(expected))


class Throttled(HTTPException):
    """429: too many wrong keys from this client; Retry-After says for how long."""

    def __init__(self, seconds: int):
        super().__init__(
            429,
            f"Too many wrong keys from this address: try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
        self.seconds = seconds


def client_of(request: Request) -> str:
    """The client the throttle counts: its IP address (as uvicorn's proxy headers set it)."""
    return request.client.host if request.client else "unknown"


def check_bearer(request: Request, authorization: str | None) -> KeyCheck:
    """How an `Authorization: Bearer <key>` header compares with the server's key: the one
    check for the API's writes and Dify's /retrieval, which answer each outcome their own way.
    Raises Throttled while the client must wait."""
    auth: Auth = request.app.state.auth
    if auth.key is None:
        return "disabled"
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return "malformed"
    return "ok" if auth.check(client_of(request), token) else "wrong"


@dataclass(frozen=True)
class Session:
    """A signed-in maintainer: the id its cookie carries and the token its forms send back."""

    id: str
    csrf: str


class Auth:
    """The key, the throttle and the sessions of one server, over `folder`/auth.sqlite."""

    def __init__(
        self,
        folder: Path,
        key: str | None,
        attempts: int | None = None,
        window: float | None = None,
        session_seconds: float | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.path = Path(folder) / FILE_NAME
        self.key = key or None
        self.attempts = attempts if attempts is not None else settings.get("auth_attempts")
        self.window = window if window is not None else settings.get("auth_window")
        self.session_seconds = (
            session_seconds if session_seconds is not None else settings.get("session_seconds")
        )
        self.clock = clock
        self._ready = False
        if self.attempts < 1 or self.window <= 0 or self.session_seconds <= 0:
            raise ValueError(
                "QA_AUTH_ATTEMPTS, QA_AUTH_WINDOW and QA_SESSION_SECONDS must be positive"
            )

    def _connect(self) -> sqlite3.Connection:
        """A connection of its own per call: requests run on many threads and processes."""
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        if not self._ready:
            connection.executescript(SCHEMA)
            self._ready = True
        return connection

    def _run(self, sql: str, *args: Any) -> list[tuple]:
        connection = self._connect()
        try:
            return connection.execute(sql, args).fetchall()
        finally:
            connection.close()

    # -- the throttle ---------------------------------------------------------------------------

    def wait(self, client: str) -> int | None:
        """Whole seconds before `client` may send a key again; None when it may now."""
        now = self.clock()
        recent = self._run(
            "SELECT at FROM failures WHERE client = ? AND at > ? ORDER BY at DESC LIMIT ?",
            client,
            now - self.window,
            self.attempts,
        )
        if len(recent) < self.attempts:
            return None
        return max(1, math.ceil(recent[-1][0] + self.window - now))

    def failed(self, client: str) -> None:
        """Count a wrong key from `client` (and forget failures older than the window)."""
        now = self.clock()
        connection = self._connect()
        try:
            with connection:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("DELETE FROM failures WHERE at <= ?", (now - self.window,))
                connection.execute("INSERT INTO failures VALUES (?, ?)", (client, now))
        finally:
            connection.close()

    def check(self, client: str, given: str) -> bool:
        """Whether the key `client` sent is right; a wrong one is counted. Raises Throttled
        while the client must wait (the key is then not even compared)."""
        waiting = self.wait(client)
        if waiting is not None:
            raise Throttled(waiting)
        if self.key is not None and same_key(given, self.key):
            return True
        self.failed(client)
        return False

    # -- tokens and sessions --------------------------------------------------------------------

    def _serializer(self, kind: str) -> URLSafeTimedSerializer | None:
        if self.key is None:
            return None
        secret = hashlib.sha256(b"qa admin cookies\0" + self.key.encode()).digest()
        return URLSafeTimedSerializer(secret, salt=f"qa-admin-{kind}")

    def sign(self, kind: str, value: str) -> str:
        """`value` as a token of `kind` (SIGN_IN or SESSION); needs a key."""
        serializer = self._serializer(kind)
        assert serializer is not None, "no key: nothing to sign with"
        return serializer.dumps({"kind": kind, "value": value})

    def unsign(self, kind: str, token: str | None, max_age: float) -> str | None:
        """The value of a token of `kind`, or None if missing, forged, expired or of another
        kind."""
        serializer = self._serializer(kind)
        if serializer is None or not token:
            return None
        try:
            data = serializer.loads(token, max_age=max_age)
        except BadSignature:  # SignatureExpired too
            return None
        if not isinstance(data, dict) or data.get("kind") != kind:
            return None
        value = data.get("value")
        return value if isinstance(value, str) else None

    def open_session(self) -> Session:
        """A new session, stored until it expires or is ended."""
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(24))
        now = self.clock()
        connection = self._connect()
        try:
            with connection:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("DELETE FROM sessions WHERE expires <= ?", (now,))
                connection.execute(
                    "INSERT INTO sessions VALUES (?, ?, ?)",
                    (_digest(session.id).hex(), session.csrf, now + self.session_seconds),
                )
        finally:
            connection.close()
        return session

    def session(self, session_id: str | None) -> Session | None:
        """The live session with this id, or None (unknown, ended or expired)."""
        if not session_id:
            return None
        rows = self._run(
            "SELECT csrf FROM sessions WHERE id_hash = ? AND expires > ?",
            _digest(session_id).hex(),
            self.clock(),
        )
        return Session(session_id, rows[0][0]) if rows else None

    def end_session(self, session_id: str) -> None:
        """Sign out: the session's cookie opens nothing from now on, on every replica."""
        self._run("DELETE FROM sessions WHERE id_hash = ?", _digest(session_id).hex())
