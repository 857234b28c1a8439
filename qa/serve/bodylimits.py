"""Request body limits per endpoint, enforced before a body is read into memory.

A declared Content-Length over the limit is refused before the first byte of the body is read;
a body without one (chunked) is counted as it streams in and refused as soon as it passes the
limit. Either way the client gets 413 in the error shape of the path it asked (`render`).
"""

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa import settings

UPLOAD_FRAMING = 65536  # multipart boundaries and the form's other fields, beside the file

Render = Callable[[Request, int, str], Response]


def body_limits() -> tuple[int, dict[str, int]]:
    """(the limit of every request body, the larger limits of article writes and uploads)."""
    writes = int(settings.get("max_write_bytes"))
    return int(settings.get("max_request_bytes")), {
        "/api/articles": writes,
        "/admin/paste": writes,
        "/admin/upload": int(settings.get("max_upload_bytes")) + UPLOAD_FRAMING,
    }


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        message = f"Request body larger than {limit:,} bytes: send less (see the README's API)"
        super().__init__(413, message)


class BodyLimits:
    """ASGI middleware: `default` bytes for any request body, `by_path` for the paths named."""

    def __init__(self, app: ASGIApp, default: int, by_path: dict[str, int], render: Render):
        self.app = app
        self.default = default
        self.by_path = by_path
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.by_path.get(scope["path"].rstrip("/"), self.default)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        error = BodyTooLarge(limit)
        response = self.render(Request(scope, receive), error.status_code, error.detail)
        response.headers["Connection"] = "close"  # the rest of the body is never read
        await response(scope, receive, send)
