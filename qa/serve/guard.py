"""What every HTTP request and response of `qa serve` goes through: the Host check and the
security headers, as one ASGI middleware in front of every route.

The Host check is the protection against DNS rebinding (a web page whose name is made to
resolve to 127.0.0.1 would otherwise reach a loopback-only server with the browser's
cookies): only requests addressed to loopback or to `QA_ALLOWED_HOSTS` are answered, any other
gets 421 before any route runs, so no cookie is ever set for a foreign name. "*" turns the
check off, for a server behind a proxy that checks Host itself. /mcp's own transport checks
the same names (and the Origin header) again.

The headers keep the pages from being framed, sniffed into another type, leaking their URLs
(which hold the query) to the news sites they link, or running any script: the page and
/admin need none, so the policy allows only this server's stylesheet.
"""

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK = ("127.0.0.1", "localhost", "[::1]")

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def host_names(allowed_hosts: str) -> list[str] | None:
    """The host names answered: loopback's and those listed (comma-separated), lower case;
    None when "*" is listed (any name)."""
    names = [name.strip().lower() for name in allowed_hosts.split(",") if name.strip()]
    if "*" in names:
        return None
    return [*LOOPBACK, *names]


def host_of(header: str) -> str:
    """The name in a Host header, without its port: "[::1]:8000" -> "[::1]"."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[: header.find("]") + 1]
    return header.partition(":")[0]


class Guard:
    """Refuse requests for other hosts (421); add HEADERS to every response."""

    def __init__(self, app: ASGIApp, allowed_hosts: str = ""):
        self.app = app
        self.names = host_names(allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = host_of(Headers(scope=scope).get("host", ""))
        if self.names is not None and host not in self.names:
            message = (
                f"This server does not answer for the host {host[:100]!r}: "
                "list it in QA_ALLOWED_HOSTS (--allowed-hosts)"
            )
            body = {"error": message, "detail": None}
            await JSONResponse(body, status_code=421, headers=HEADERS)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
