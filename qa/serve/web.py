"""The reading page: a search box, the answer with its citation, clean articles to read.

Everything is rendered on the server (no JavaScript needed). Results are built by the same
`ask_response` as `POST /api/ask`, so the page shows exactly what the API says. Highlights are
made by cutting the text at the highlight offsets here and letting Jinja escape every piece:
no article or user text is ever marked safe.
"""

import re
import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from qa.articles import web_address
from qa.errors import InvalidFilters
from qa.filters import Filters
from qa.serve.i18n import UI, date_text, language_of, number_text
from qa.serve.schemas import (
    MAX_QUESTION,
    AskResponse,
    EvidenceOut,
    PassageOut,
    ask_response,
    evidence_out,
)
from qa.serve.service import Service

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
RESULTS = 5  # passages shown with the answer

EXAMPLES = [
    "status proposal OSH Korea",
    "Apa kesepakatan SLOM+3 soal pekerja migran?",
    "What did Indonesia agree with ASEAN+3 on migrant workers?",
    "Kerja sama Kemnaker dengan JICA dan KOICA",
]

templates = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True)
)
templates.env.filters["date_text"] = date_text
router = APIRouter(include_in_schema=False)

_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Piece:
    """A run of text, highlighted or not; `anchor`: the first highlight, scrolled to."""

    text: str
    marked: bool = False
    anchor: bool = False


@dataclass(frozen=True)
class OtherCopy:
    """Another article carrying a card's story, as a link to its page here."""

    title: str
    source: str
    published: date | None
    href: str


@dataclass
class Card:
    """One passage as a result card; the answer's card doubles as its citation."""

    title: str
    source: str
    published: date | None
    url: str | None
    article_href: str
    paragraphs: list[list[Piece]]
    is_answer: bool = False
    also_in: list[OtherCopy] = field(default_factory=list)


def pieces(text: str, spans: list[tuple[int, int]], offset: int = 0) -> list[Piece]:
    """`text`, which starts at `offset` of what `spans` index, cut at the spans' edges.

    Spans are clipped to the text, and merged where they overlap.
    """
    stop = offset + len(text)
    clipped = sorted(
        (max(a, offset), min(b, stop)) for a, b in spans if min(b, stop) > max(a, offset)
    )
    merged: list[tuple[int, int]] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    result: list[Piece] = []
    position = offset
    for start, end in merged:
        if start > position:
            result.append(Piece(text[position - offset : start - offset]))
        result.append(Piece(text[start - offset : end - offset], marked=True))
        position = end
    if position < stop:
        result.append(Piece(text[position - offset :]))
    return result


def paragraphs(text: str, spans: list[tuple[int, int]]) -> list[list[Piece]]:
    """`text`'s lines as paragraphs, each cut at the highlight `spans` (offsets into `text`)."""
    return [pieces(line.group(), spans, line.start()) for line in _LINE.finditer(text)]


def anchored(paragraphs: list[list[Piece]]) -> list[list[Piece]]:
    """The paragraphs with the first highlighted piece as the `#cited` anchor."""
    for paragraph in paragraphs:
        for number, piece in enumerate(paragraph):
            if piece.marked:
                paragraph[number] = replace(piece, anchor=True)
                return paragraphs
    return paragraphs


def safe_url(url: str | None) -> str | None:
    """An article's original address, only if it is a plain web link (never `javascript:`)."""
    return web_address(url) if url else None


def link(path: str, lang: str, fragment: str = "", **params: object) -> str:
    """`path` with the non-empty `params` and the interface language as a query string."""
    query = {name: str(value) for name, value in params.items() if value not in (None, "")}
    if lang != "id":
        query["lang"] = lang
    return path + (f"?{urlencode(query)}" if query else "") + (f"#{fragment}" if fragment else "")


def article_link(article_id: str, lang: str, passage: int | None = None) -> str:
    path = f"/articles/{quote(article_id, safe='')}"
    if passage is None:
        return link(path, lang)
    return link(path, lang, fragment="cited", passage=passage)


def _ordinal(passage_id: str) -> int:
    return int(passage_id.rsplit("#", 1)[1])


def _card(passage: PassageOut, lang: str, answer_passage: str | None) -> Card:
    return Card(
        title=passage.title,
        source=passage.source,
        published=passage.published,
        url=safe_url(passage.url),
        article_href=article_link(passage.article_id, lang, _ordinal(passage.passage_id)),
        paragraphs=paragraphs(passage.text, [(h.start, h.end) for h in passage.highlights]),
        is_answer=passage.passage_id == answer_passage,
        also_in=[
            OtherCopy(copy.title, copy.source, copy.published, article_link(copy.article_id, lang))
            for copy in passage.also_in
        ],
    )


def base_context(request: Request, lang: str) -> dict:
    """What every page needs: the language, its strings and the links around the page."""
    other = "en" if lang == "id" else "id"
    params = {k: v for k, v in request.query_params.items() if k != "lang" and v}
    return {
        "lang": lang,
        "t": UI[lang],
        "home_href": link("/", lang),
        "switch_href": link(request.url.path, other, **params),
        "switch_lang": other,
    }


def render(request: Request, name: str, context: dict, status_code: int = 200) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, status_code: int, message: str) -> Response:
    """An HTML error page with `status_code` (the app renders its errors through this too)."""
    lang = language_of(request.query_params.get("lang"))
    context = base_context(request, lang) | {"status_code": status_code, "message": message}
    return render(request, "error.html", context, status_code)


def _parse_date(value: str, t: dict[str, str]) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(t["bad_date"].format(value=value[:40])) from None


@router.get("/")
def home(
    request: Request,
    q: str = "",
    source: str = "",
    since: str = "",
    until: str = "",
    lang: str = "",
) -> Response:
    """The search page; with `q`, the answer and the passages behind it."""
    lang = language_of(lang)
    t = UI[lang]
    service: Service = request.app.state.service
    question = q.strip()
    context = base_context(request, lang) | {
        "form": {"q": q, "source": source, "since": since, "until": until},
        "sources": service.sources(),
        "examples": [(example, link("/", lang, q=example)) for example in EXAMPLES],
        "question": question,
        "max_question": MAX_QUESTION,
        "result": None,
        "error": None,
    }
    if not question:
        return render(request, "index.html", context)
    try:
        if len(question) > MAX_QUESTION:
            raise ValueError(t["too_long"].format(limit=MAX_QUESTION, length=len(question)))
        filters = Filters(source or None, _parse_date(since, t), _parse_date(until, t))
    except InvalidFilters:
        return render(request, "index.html", context | {"error": t["bad_range"]}, 422)
    except ValueError as error:
        return render(request, "index.html", context | {"error": str(error)}, 422)
    started = time.perf_counter()
    answering = service.ask(question, k=RESULTS, filters=filters)
    response = ask_response(question, answering, (time.perf_counter() - started) * 1000)
    links = _question_links(lang, question, source, since, until)
    return render(request, "index.html", context | _results(response, lang) | links)


def _question_links(lang: str, question: str, source: str, since: str, until: str) -> dict:
    """Where a question leads besides its answer: its timeline, and its Atom feed to follow."""
    asked = {"q": question, "source": source, "since": since, "until": until}
    return {
        "timeline_href": link("/timeline", lang, **asked),
        "feed_href": link("/api/feed", "id", **asked),
        "ask_href": link("/", lang, **asked),
    }


@router.get("/timeline")
def timeline_page(
    request: Request,
    q: str = "",
    source: str = "",
    since: str = "",
    until: str = "",
    lang: str = "",
) -> Response:
    """A question's timeline: the stories that answer it, one per story, the oldest first."""
    lang = language_of(lang)
    t = UI[lang]
    service: Service = request.app.state.service
    question = q.strip()[:MAX_QUESTION]
    if not question:
        return error_page(request, 422, t["no_timeline"])
    try:
        filters = Filters(source or None, _parse_date(since, t), _parse_date(until, t))
    except InvalidFilters:
        return error_page(request, 422, t["bad_range"])
    except ValueError as error:
        return error_page(request, 422, str(error))
    entries = [evidence_out(entry) for entry in service.timeline(question, filters=filters)]
    context = base_context(request, lang) | {
        "question": question,
        "entries": [(entry, _entry_href(entry, lang)) for entry in entries],
    }
    links = _question_links(lang, question, source, since, until)
    return render(request, "timeline.html", context | links)


def _entry_href(entry: EvidenceOut, lang: str) -> str:
    return article_link(entry.article_id, lang, _ordinal(entry.passage_id))


def _results(response: AskResponse, lang: str) -> dict:
    answer = response.answer
    cards = [_card(p, lang, answer.passage_id if answer else None) for p in response.passages]
    citation = next((card for card in cards if card.is_answer), None)
    took = UI[lang]["took"].format(
        count=len(cards), seconds=number_text(response.took_ms / 1000, lang)
    )
    return {
        "result": response,
        "earlier": [(e, _entry_href(e, lang)) for e in response.earlier],
        "answer": answer,
        "confidence": round(answer.confidence * 100) if answer else None,
        "citation": citation,
        "cards": cards,
        "took": took,
    }


@router.get("/articles/{article_id}")
def article_page(request: Request, article_id: str, passage: str = "", lang: str = "") -> Response:
    """An article to read, the cited passage (`?passage=N`) highlighted and anchored `#cited`."""
    lang = language_of(lang)
    service: Service = request.app.state.service
    article = service.article(article_id)
    if article is None:
        return error_page(request, 404, UI[lang]["no_article"].format(id=article_id[:200]))
    ordinal = int(passage) if re.fullmatch(r"[0-9]{1,9}", passage) else None
    cited = service.passage(article.id, ordinal) if ordinal is not None else None
    context = base_context(request, lang) | {
        "article": article,
        "url": safe_url(article.url),
        "paragraphs": anchored(
            paragraphs(article.text, [(cited.start, cited.end)] if cited else [])
        ),
        "cited": cited is not None,
    }
    return render(request, "article.html", context)
