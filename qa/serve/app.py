"""The FastAPI application: the JSON API, the reading page, the MCP tools at /mcp and Dify's
/retrieval, over one Service.

Errors are mapped in one place and rendered as one JSON shape `{"error": ..., "detail": ...}`
for /api paths, as Dify's `{"error_code": ..., "error_msg": ...}` for /retrieval, or as an HTML
error page for the reading page. MCP tool errors are results of the MCP protocol itself
(qa/serve/mcp_server.py).
"""

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from qa import __version__, settings
from qa.errors import (
    FeedError,
    FetchError,
    FetchPoolFull,
    IndexLocked,
    IndexMismatch,
    IndexMissing,
    IngestError,
    InvalidFilters,
    NoArticleFound,
    QAError,
    UnknownArticle,
    UnsafeAddress,
)
from qa.serve import admin, api, dify, guard, mcp_server, web
from qa.serve.auth import Auth
from qa.serve.bodylimits import BodyLimits, body_limits
from qa.serve.service import Service

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"

STATUS_OF_ERROR: dict[type[QAError], int] = {
    UnknownArticle: 404,
    IngestError: 422,  # an article sent for writing that cannot be stored
    InvalidFilters: 422,  # 'since' after 'until'
    NoArticleFound: 422,  # links sent to add: none gave an article (detail: why, per link)
    FetchError: 422,
    UnsafeAddress: 422,
    FeedError: 422,
    IndexLocked: 409,
    FetchPoolFull: 503,
    IndexMissing: 503,
    IndexMismatch: 503,
}


def create_app(
    service: Service,
    api_key: str | None = None,
    open_service: bool = True,
    allowed_hosts: str | None = None,
    knowledge_id: str | None = None,
) -> FastAPI:
    """An app serving `service`; it is opened on startup (building the index if missing).

    Beside the page and the API: the MCP tools at /mcp and Dify's POST /retrieval for
    `knowledge_id`. Every route answers only requests addressed to loopback or to
    `allowed_hosts`, and every response carries the security headers (qa/serve/guard.py).

    No /docs nor /redoc: Swagger UI and ReDoc load their script from a CDN and run inline
    script, on the origin whose /admin holds the maintainer's session; /openapi.json is there
    for any OpenAPI viewer.
    """
    hosts = allowed_hosts or settings.get("allowed_hosts") or ""
    mcp = mcp_server.build(service)
    mcp_routes = mcp_server.http_routes(mcp, hosts)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if open_service:
            service.open()
        async with mcp.session_manager.run():
            yield
        service.close()

    app = FastAPI(
        title="qa: news search and question answering",
        version=__version__,
        description="Ask questions in Indonesian or English over news articles; get the answer "
        "sentence with its citation and the passages behind it.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    key = api_key if api_key is not None else settings.get("api_key")
    app.state.auth = Auth(service.index_dir, key)
    app.state.knowledge_id = knowledge_id or settings.get("knowledge_id")
    app.include_router(api.router)
    app.include_router(dify.router)
    app.include_router(web.router)
    app.router.routes.extend(mcp_routes)
    app.include_router(admin.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    default_limit, path_limits = body_limits()
    app.add_middleware(BodyLimits, default=default_limit, by_path=path_limits, render=_error)
    # outermost: a foreign Host is refused before anything else, and every answer (a 413 too)
    # carries the security headers
    app.add_middleware(guard.Guard, allowed_hosts=hosts)

    @app.exception_handler(QAError)
    async def qa_error(request: Request, error: QAError) -> Response:
        status_code = STATUS_OF_ERROR.get(type(error), 500)
        retry = getattr(error, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry is not None else None
        return _error(
            request, status_code, str(error), getattr(error, "detail", None), headers=headers
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if (reason := _unparsable_json(error)) is not None:
            detail = [{"loc": ["body"], "msg": reason, "type": "json_invalid"}]
            return _error(request, 422, f"Invalid request: body: {reason}", detail)
        code = error.code if isinstance(error, dify.DifyError) else None
        return _error(
            request, error.status_code, str(error.detail), headers=error.headers, code=code
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        details = [
            {"loc": list(e.get("loc", ())), "msg": _message(e), "type": e.get("type", "")}
            for e in error.errors()
        ]
        message = "; ".join(
            f"{'.'.join(str(part) for part in d['loc'])}: {d['msg']}" for d in details
        )
        return _error(request, 422, f"Invalid request: {message}", details)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        response = _error(request, 500, "Internal error; the server logged the details")
        response.headers.update(guard.HEADERS)  # answered outside the middleware
        return response

    return app


def _unparsable_json(error: StarletteHTTPException) -> str | None:
    """Why a JSON body could not be parsed, when FastAPI answered 400 for it: it does so for
    what json.loads raises besides a JSONDecodeError (which is a 422 like any invalid input).
    None for any other HTTP error."""
    cause = error.__cause__
    if error.status_code != 400:
        return None
    if isinstance(cause, RecursionError):
        return "the body is not valid JSON (nested too deeply)"
    if isinstance(cause, UnicodeDecodeError):
        byte = cause.object[cause.start : cause.start + 1].hex()
        return f"the body is not valid JSON (not UTF-8: byte 0x{byte} at offset {cause.start})"
    return None


def _message(error: dict) -> str:
    """Pydantic's message, spelled out for a body that is not JSON at all."""
    if error.get("type") == "json_invalid":
        where = error.get("loc", ())[-1]
        reason = error.get("ctx", {}).get("error", "")
        return f"the body is not valid JSON ({reason} at character {where})"
    return error.get("msg", "")


def _error(
    request: Request,
    status_code: int,
    message: str,
    detail: list | None = None,
    headers: dict | None = None,
    code: int | None = None,
) -> Response:
    if request.url.path == dify.PATH:  # Dify's error shape, with its error codes
        body = dify.error_body(status_code, message, code)
        return JSONResponse(body, status_code=status_code, headers=headers)
    if request.url.path.startswith("/api") or "text/html" not in request.headers.get("accept", ""):
        body = {"error": message, "detail": detail}
        return JSONResponse(body, status_code=status_code, headers=headers)
    page = web.error_page(request, status_code, message)
    page.headers.update(headers or {})
    return page
