"""The maintainer's page, /admin: add articles (by link, pasted, uploaded), delete them, manage
feeds, and watch the index updates they start. Indonesian and English; no JavaScript needed.

Signing in takes the server's API key (throttled per client, qa/serve/auth.py) and opens a session
kept on the server until it expires (`QA_SESSION_SECONDS`, 12 hours) or is signed out; its
cookie (HttpOnly, SameSite=Strict, Secure over https) carries only the session's signed id,
and a new key ends every session. Each session has its CSRF token, which every form sends
back; the sign-in form has its own, in a short-lived cookie of another kind, against login
CSRF. Writes go through the Service, as the API's do.
"""

import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from qa import settings
from qa.articles import Article
from qa.errors import FeedError, FetchError, IngestError
from qa.ingest.uploads import UPLOAD_SUFFIXES, Read, read_pasted, read_upload
from qa.serve.auth import SESSION, SIGN_IN, Auth, Session, Throttled, client_of
from qa.serve.i18n import ADMIN, UI, language_of
from qa.serve.service import Job, Service
from qa.serve.web import article_link, base_context, link, render

router = APIRouter(prefix="/admin", include_in_schema=False)

SESSION_COOKIE = "qa_admin"
SIGN_IN_COOKIE = "qa_admin_sign_in"
SIGN_IN_SECONDS = 3600
NEWEST = 20  # articles listed with a delete button

Csrf = Annotated[str, Form()]


@dataclass
class Outcome:
    """What a form did, shown above the dashboard: saved articles, failures, the job."""

    saved: list[tuple[str, str]] = field(default_factory=list)  # (title, article page)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    notes: list[str] = field(default_factory=list)
    job_href: str | None = None
    job: int | None = None


def _auth(request: Request) -> Auth:
    return request.app.state.auth


def _session(request: Request) -> Session | None:
    """The live session whose id the session cookie carries, or None."""
    auth = _auth(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    return auth.session(auth.unsign(SESSION, cookie, auth.session_seconds))


def _set_cookie(
    request: Request, response: Response, cookie: str, kind: str, value: str, age: float
) -> None:
    """Set (a token of `kind` for `value`) or clear (age 0) one of the page's cookies."""
    response.set_cookie(
        cookie,
        _auth(request).sign(kind, value) if age else "",
        max_age=int(age),
        path="/admin",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def _lang(request: Request) -> str:
    return language_of(request.query_params.get("lang"))


def _page(request: Request, name: str, status_code: int = 200, **context: object) -> Response:
    lang = _lang(request)
    other = "en" if lang == "id" else "id"
    base = base_context(request, lang) | {
        "t": UI[lang] | ADMIN[lang],
        "switch_href": link("/admin", other),
        "action": lambda path: link(f"/admin{path}", lang),
        "upload_types": ",".join(UPLOAD_SUFFIXES),
    }
    return render(request, name, base | context, status_code)


def _sign_in_page(
    request: Request,
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    if _auth(request).key is None:
        return _page(request, "admin_message.html", 403, message=ADMIN[_lang(request)]["admin_off"])
    token = secrets.token_urlsafe(24)
    response = _page(request, "admin_sign_in.html", status_code, csrf=token, error=error)
    response.headers.update(headers or {})
    _set_cookie(request, response, SIGN_IN_COOKIE, SIGN_IN, token, SIGN_IN_SECONDS)
    return response


def _refusal(request: Request, csrf: str) -> Response | None:
    """The page to answer a form with when it may not act: not signed in, or a CSRF token
    that is not the session's; None when it may."""
    session = _session(request)
    t = ADMIN[_lang(request)]
    if session is None:
        return _sign_in_page(request, t["expired"], 401)
    if not hmac.compare_digest(csrf.encode(), session.csrf.encode()):
        return _page(request, "admin_message.html", 403, message=t["forged"])
    return None


def _dashboard(
    request: Request, outcome: Outcome | None = None, status_code: int = 200
) -> Response:
    session = _session(request)
    if session is None:
        return _sign_in_page(request)
    service: Service = request.app.state.service
    lang = _lang(request)
    _, newest = service.articles(0, NEWEST)
    return _page(
        request,
        "admin.html",
        status_code,
        csrf=session.csrf,
        status=service.status(),
        newest=[(article, article_link(article.id, lang)) for article in newest],
        outcome=outcome,
    )


def _job_href(request: Request, job: Job, ids: list[str]) -> str:
    """The job's page, which links the articles (ids never hold a comma) once it is done."""
    return link(f"/admin/jobs/{job.number}", _lang(request), articles=",".join(ids))


def _done(
    request: Request,
    job: Job | None,
    articles: list[Article],
    failed: list[tuple[str, str]],
    notes: Sequence[str] = (),
) -> Response:
    """The dashboard showing what a form saved (and its job), and what failed."""
    outcome = Outcome(failed=failed, notes=list(notes))
    if job is not None:
        ids = [article.id for article in articles]
        outcome.job, outcome.job_href = job.number, _job_href(request, job, ids)
        outcome.saved = [(a.title, article_link(a.id, _lang(request))) for a in articles]
    return _dashboard(request, outcome, 200 if job is not None else 422)


def _save(request: Request, read: Read) -> Response:
    """Save the articles read from an upload or pasted text, in one job."""
    service: Service = request.app.state.service
    job = service.upsert(read.articles) if read.articles else None
    return _done(request, job, read.articles, read.errors, read.warnings)


@router.get("")
def dashboard(request: Request) -> Response:
    """The sign-in form, or the page with every form once signed in."""
    return _dashboard(request)


@router.post("/sign-in")
def sign_in(request: Request, key: Annotated[str, Form()] = "", csrf: Csrf = "") -> Response:
    auth, t = _auth(request), ADMIN[_lang(request)]
    if auth.key is None:
        return _sign_in_page(request)  # the page is off
    token = auth.unsign(SIGN_IN, request.cookies.get(SIGN_IN_COOKIE), SIGN_IN_SECONDS)
    if token is None or not hmac.compare_digest(csrf.encode(), token.encode()):
        return _sign_in_page(request, t["forged"], 403)
    try:
        right = auth.check(client_of(request), key)
    except Throttled as throttled:
        message = t["throttled"].format(minutes=-(-throttled.seconds // 60))
        return _sign_in_page(request, message, 429, throttled.headers)
    if not right:
        return _sign_in_page(request, t["wrong_key"], 401)
    session = auth.open_session()
    response = RedirectResponse(link("/admin", _lang(request)), status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, SESSION, session.id, auth.session_seconds)
    _set_cookie(request, response, SIGN_IN_COOKIE, SIGN_IN, "", 0)
    return response


@router.post("/sign-out")
def sign_out(request: Request, csrf: Csrf = "") -> Response:
    """End the session on the server (on every replica), then drop its cookie."""
    if (refused := _refusal(request, csrf)) is not None:
        return refused
    if (session := _session(request)) is not None:  # None if it expired just now
        _auth(request).end_session(session.id)
    response = RedirectResponse(link("/admin", _lang(request)), status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, SESSION, "", 0)
    return response


@router.post("/links")
async def add_links(
    request: Request, links: Annotated[str, Form()] = "", csrf: Csrf = ""
) -> Response:
    """Add the article behind each link (one per line), fetched on the fetch pool's threads."""
    if (refused := await run_in_threadpool(_refusal, request, csrf)) is not None:
        return refused
    service: Service = request.app.state.service
    urls = [line.strip() for line in links.splitlines() if line.strip()]
    if not urls:
        failed = [("", ADMIN[_lang(request)]["links"])]
        return await run_in_threadpool(_dashboard, request, Outcome(failed=failed), 422)
    job, found = await service.fetches.run(lambda: service.add_links(urls))
    return await run_in_threadpool(_done, request, job, found.articles, found.failed)


@router.post("/paste")
def paste(
    request: Request,
    title: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "",
    published: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    csrf: Csrf = "",
) -> Response:
    if (refused := _refusal(request, csrf)) is not None:
        return refused
    try:
        read = read_pasted(title, source, published, url, text)
    except IngestError as error:
        return _dashboard(request, Outcome(failed=[(error.path, error.message)]), 422)
    return _save(request, read)


@router.post("/upload")
def upload(request: Request, file: Annotated[UploadFile, File()], csrf: Csrf = "") -> Response:
    if (refused := _refusal(request, csrf)) is not None:
        return refused
    name = file.filename or "upload"
    largest = int(settings.get("max_upload_bytes"))  # the form streamed to a file on disk
    data = file.file.read(largest + 1)
    try:
        if len(data) > largest:
            raise IngestError(name, f"larger than {largest:,} bytes: split it")
        read = read_upload(name, data)
    except IngestError as error:
        return _dashboard(request, Outcome(failed=[(error.path, error.message)]), 422)
    return _save(request, read)


@router.post("/delete")
def delete(request: Request, article_id: Annotated[str, Form()] = "", csrf: Csrf = "") -> Response:
    if (refused := _refusal(request, csrf)) is not None:
        return refused
    service: Service = request.app.state.service
    t = ADMIN[_lang(request)]
    job = service.delete(article_id.strip()) if article_id.strip() else None
    if job is None:
        message = t["no_such_article"].format(id=article_id.strip()[:200])
        return _dashboard(request, Outcome(failed=[(article_id[:200], message)]), 404)
    outcome = Outcome(notes=[t["deleted"].format(id=article_id.strip())], job=job.number)
    outcome.job_href = _job_href(request, job, [])
    return _dashboard(request, outcome)


@router.post("/feeds")
async def follow(
    request: Request,
    url: Annotated[str, Form()] = "",
    match: Annotated[str, Form()] = "",
    csrf: Csrf = "",
) -> Response:
    """Follow a feed, sitemap or homepage (whose feed is found, fetched on the fetch pool)."""
    if (refused := await run_in_threadpool(_refusal, request, csrf)) is not None:
        return refused
    service: Service = request.app.state.service
    try:
        found, count = await service.fetches.run(
            lambda: service.poller.feeds.follow(url.strip(), match.strip() or None)
        )
    except (FetchError, FeedError) as error:
        outcome = Outcome(failed=[(url[:2000], str(error))])
        return await run_in_threadpool(_dashboard, request, outcome, 422)
    note = ADMIN[_lang(request)]["following"].format(url=found, links=count)
    return await run_in_threadpool(_dashboard, request, Outcome(notes=[note]))


@router.post("/feeds/remove")
def unfollow(request: Request, url: Annotated[str, Form()] = "", csrf: Csrf = "") -> Response:
    if (refused := _refusal(request, csrf)) is not None:
        return refused
    service: Service = request.app.state.service
    service.poller.feeds.remove(url)
    return _dashboard(request, Outcome(notes=[ADMIN[_lang(request)]["unfollowed"].format(url=url)]))


@router.post("/feeds/poll")
def poll(request: Request, csrf: Csrf = "") -> Response:
    if (refused := _refusal(request, csrf)) is not None:
        return refused
    service: Service = request.app.state.service
    service.poller.poll_soon()
    return _dashboard(request, Outcome(notes=[ADMIN[_lang(request)]["poll_asked"]]))


@router.get("/jobs/{number}")
def job_page(request: Request, number: int) -> Response:
    """One index update: waiting, running (with progress), finished or failed; the page
    reloads itself every second until the job is over."""
    if _session(request) is None:
        return _sign_in_page(request)
    service: Service = request.app.state.service
    state = service.state
    failed = (state.last_error or "").startswith(f"job {number}:")
    finished = state.completed >= number and state.running != number
    report = state.last_report if (state.last_report or {}).get("job") == number else None
    ids = [part for part in request.query_params.get("articles", "").split(",") if part]
    articles = [service.article(article_id) for article_id in ids] if finished else []
    lang = _lang(request)
    return _page(
        request,
        "admin_job.html",
        number=number,
        state=state,
        finished=finished,
        failed=failed,
        report=report,
        articles=[(a, article_link(a.id, lang)) for a in articles if a is not None],
        admin_href=link("/admin", lang),
    )
