"""The JSON API: /api/ask, /api/search, a question's timeline and Atom feed, articles (read and
write), index status, health."""

import time
from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response, status

from qa.articles import Article
from qa.errors import NoArticleFound, UnknownArticle
from qa.filters import Filters
from qa.search.retrieval import Mode
from qa.search.status import by_date
from qa.serve import feed
from qa.serve.auth import check_bearer
from qa.serve.schemas import (
    MAX_QUESTION,
    MAX_SOURCE,
    ArticleIn,
    ArticleList,
    ArticleMeta,
    ArticleOut,
    ArticleSummary,
    AskRequest,
    AskResponse,
    ErrorOut,
    LinkFailed,
    LinksAccepted,
    LinksIn,
    SearchResponse,
    TimelineResponse,
    WriteAccepted,
    ask_response,
    evidence_out,
    passage_out,
)
from qa.serve.service import Service

router = APIRouter(prefix="/api", responses={422: {"model": ErrorOut}})


def get_service(request: Request) -> Service:
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(get_service)]


def require_key(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """Writes need `Authorization: Bearer <QA_API_KEY>`; with no key configured, none pass;
    a client throttled for wrong keys gets 429 (qa/serve/auth.py)."""
    outcome = check_bearer(request, authorization)
    if outcome == "disabled":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Writes are disabled: set QA_API_KEY")
    if outcome != "ok":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Send Authorization: Bearer <QA_API_KEY>",
            headers={"WWW-Authenticate": "Bearer"},
        )


@router.post("/ask", response_model=AskResponse)
def ask(body: AskRequest, service: ServiceDep) -> AskResponse:
    """Answer a question: the answer sentence with its citation, and the passages behind it."""
    started = time.perf_counter()
    filters = Filters(body.source, body.since, body.until, body.language)
    answering = service.ask(body.question, k=body.k, mode=Mode(body.mode), filters=filters)
    return ask_response(body.question, answering, (time.perf_counter() - started) * 1000)


@router.get("/search", response_model=SearchResponse)
def search(
    service: ServiceDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUESTION, pattern=r"\S")],
    k: Annotated[int, Query(ge=1, le=50)] = 10,
    mode: Literal["hybrid", "dense", "bm25"] = "hybrid",
    source: Annotated[str | None, Query(max_length=MAX_SOURCE)] = None,
    since: date | None = None,
    until: date | None = None,
    language: Literal["id", "en"] | None = None,
) -> SearchResponse:
    """Ranked passages for a query, at most two per article."""
    started = time.perf_counter()
    filters = Filters(source, since, until, language)
    hits, spans = service.search(q.strip(), k=k, mode=Mode(mode), filters=filters)
    return SearchResponse(
        query=q,
        results=[passage_out(hit, spans.get(hit.passage.id)) for hit in hits],
        took_ms=round((time.perf_counter() - started) * 1000, 2),
    )


QueryText = Annotated[str, Query(min_length=1, max_length=MAX_QUESTION, pattern=r"\S")]


def query_filters(
    source: Annotated[str | None, Query(max_length=MAX_SOURCE)] = None,
    since: date | None = None,
    until: date | None = None,
    language: Literal["id", "en"] | None = None,
) -> Filters:
    """The filters of a question's timeline and feed, as /api/search takes them."""
    return Filters(source, since, until, language)


FiltersDep = Annotated[Filters, Depends(query_filters)]


@router.get("/timeline", response_model=TimelineResponse)
def timeline(
    service: ServiceDep,
    q: QueryText,
    filters: FiltersDep,
    mode: Literal["hybrid", "dense", "bm25"] = "hybrid",
) -> TimelineResponse:
    """The stories that answer a question, one entry per story (other outlets' copies in
    `also_in`), the oldest first, each with its answer sentence."""
    started = time.perf_counter()
    entries = service.timeline(q.strip(), mode=Mode(mode), filters=filters)
    return TimelineResponse(
        query=q,
        entries=[evidence_out(entry) for entry in entries],
        took_ms=round((time.perf_counter() - started) * 1000, 2),
    )


@router.get("/feed", response_class=Response, responses={200: {"content": {feed.MEDIA_TYPE: {}}}})
def question_feed(request: Request, service: ServiceDep, q: QueryText, filters: FiltersDep):
    """An Atom feed of the passages that answer a question, the newest first, to follow it:
    entry ids stay the same from poll to poll, a new answering article adds an entry."""
    found = by_date(service.timeline(q.strip(), filters=filters), newest_first=True)
    base = str(request.base_url).rstrip("/")
    asked = urlencode([(name, value) for name, value in request.query_params.items() if value])
    document = feed.atom(
        title=q.strip(),
        query_string=asked,
        found=found,
        self_url=str(request.url),
        page_url=f"{base}/?{asked}",
        article_url=lambda article_id, ordinal: (
            f"{base}/articles/{quote(article_id, safe='')}?passage={ordinal}#cited"
        ),
    )
    return Response(document, media_type=feed.MEDIA_TYPE)


@router.get("/articles", response_model=ArticleList)
def list_articles(
    service: ServiceDep,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,  # SQLite takes 64 bits
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ArticleList:
    """Articles in the index, newest first."""
    total, articles = service.articles(offset=offset, limit=limit)
    return ArticleList(
        total=total,
        offset=offset,
        limit=limit,
        articles=[ArticleSummary.of(article) for article in articles],
    )


@router.get(
    "/articles/{article_id}", response_model=ArticleOut, responses={404: {"model": ErrorOut}}
)
def get_article(article_id: str, service: ServiceDep) -> ArticleOut:
    article = service.article(article_id)
    if article is None:
        raise UnknownArticle(f"No article with id {article_id!r}")
    return ArticleOut.of(article)


@router.post(
    "/articles",
    response_model=WriteAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(require_key)],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 429: {"model": ErrorOut}},
)
def put_articles(body: ArticleIn | list[ArticleIn], service: ServiceDep) -> WriteAccepted:
    """Add or replace articles (same id = update): saved to the corpus, indexed in background."""
    items = body if isinstance(body, list) else [body]
    if not items:
        raise HTTPException(422, "Send at least one article")
    articles = [
        Article(
            id=item.id,
            title=item.title,
            text=item.text,
            source=item.source,
            url=item.url,
            published=item.published,
        )
        for item in items
    ]
    job = service.upsert(articles)
    return WriteAccepted(
        accepted=[a.id for a in articles], job=job.number, generation=service.index.generation
    )


@router.post(
    "/articles/from-url",
    response_model=LinksAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(require_key)],
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        429: {"model": ErrorOut},
        503: {"model": ErrorOut},
    },
)
async def add_from_links(body: LinksIn, service: ServiceDep) -> LinksAccepted:
    """Fetch the news article at each link and add it (the same canonical URL again is an
    update); links that give none are listed in `failed`, and 422 when none gave one. The
    fetches run on threads of their own (QA_FETCH_WORKERS); 503 when all are busy."""
    job, found = await service.fetches.run(lambda: service.add_links(body.links))
    if job is None:
        raise NoArticleFound(found.failed)
    return LinksAccepted(
        accepted=[article.id for article in found.articles],
        job=job.number,
        generation=service.index.generation,
        articles=[ArticleMeta.model_validate(a, from_attributes=True) for a in found.articles],
        failed=[LinkFailed(url=url, error=message) for url, message in found.failed],
    )


@router.delete(
    "/articles/{article_id}",
    response_model=WriteAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(require_key)],
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        429: {"model": ErrorOut},
    },
)
def delete_article(article_id: str, service: ServiceDep) -> WriteAccepted:
    """Remove an article from the corpus; the index drops it in the background."""
    job = service.delete(article_id)
    if job is None:
        raise UnknownArticle(f"No article with id {article_id!r}")
    return WriteAccepted(accepted=[article_id], job=job.number, generation=service.index.generation)


@router.get("/index/status")
def index_status(service: ServiceDep) -> dict:
    """The generation being served (its segments, size and settings) and background work."""
    return service.status()


@router.get("/health")
def health(service: ServiceDep) -> dict:
    return {"status": "ok", "generation": service.index.generation}
