"""The MCP server: five read-only tools over one Service, for chatbots and desktop assistants.

`qa serve` mounts it at /mcp (streamable HTTP) next to the page and the API; `qa mcp` serves
it over stdio to a client that launches it. Both load the index once, through the Service,
and neither exposes writes. Every result carries its citation in the API's fields (title,
source, published, url); a long text is cut to the caller's `max_chars` and marked so.
Tool descriptions are written for the model that chooses among them.
"""

import functools
import inspect
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from mcp_types import ToolAnnotations
from pydantic import Field
from starlette.routing import BaseRoute

from qa import __version__
from qa.articles import MAX_TEXT_CHARACTERS
from qa.errors import QAError, UnknownArticle
from qa.filters import Filters
from qa.search.retrieval import Hit
from qa.search.status import standing_of
from qa.serve.guard import host_names
from qa.serve.schemas import (
    ArticleOut,
    ArticleText,
    AskResult,
    CitedAnswer,
    CutPassage,
    Highlight,
    OutletOut,
    Question,
    SearchResult,
    SourcesOut,
    TimelineResult,
    evidence_out,
    passage_out,
)
from qa.serve.service import Service

INSTRUCTIONS = """\
Search and question answering over news articles about Indonesia's Ministry of Manpower \
(Kementerian Ketenagakerjaan, Kemnaker) and its international cooperation: Korea, Japan, \
ASEAN, the ILO, JICA, KOICA and others. Most articles are in Indonesian, some in English; ask \
in either language, and both are searched whatever the language of the question.

Use `ask` for a question with a factual answer, `search` to gather passages on a topic, \
`timeline` to see how a story developed, `get_article` to read a whole article, \
`list_sources` to see which outlets and dates the corpus covers. A status answer \
(`answer.as_of`) holds as of that date: say so. Answer only from what the tools return, \
quote the answer sentence, and cite title, outlet (`source`), date (`published`) and link \
(`url`). When `ask` says `no_answer`, say the articles do not answer it rather than guessing."""

READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)
CITATION = {"article_id", "passage_id", "title", "source", "url", "published"}

QuestionArg = Annotated[
    Question, Field(description="The question, in Indonesian or English, as the user asked it.")
]
QueryArg = Annotated[
    Question, Field(description="Keywords or a sentence, in Indonesian or English.")
]
Source = Annotated[
    str | None,
    Field(
        max_length=200,
        description="Only articles from this outlet, named as list_sources names it "
        "(case does not matter), e.g. Tribunnews.com.",
    ),
]
Since = Annotated[
    date | None, Field(description="Only articles published on or after (YYYY-MM-DD).")
]
Until = Annotated[
    date | None, Field(description="Only articles published on or before (YYYY-MM-DD).")
]
Language = Annotated[
    Literal["id", "en"] | None,
    Field(
        description="Only articles in Indonesian (id) or English (en). Usually leave it out: "
        "a question in either language finds articles in both."
    ),
]
PassageChars = Annotated[
    int,
    Field(
        ge=100,
        le=MAX_TEXT_CHARACTERS,
        description="Longest text returned per passage, in characters; a longer one is cut "
        "around its highlighted sentence and marked truncated.",
    ),
]
ArticleChars = Annotated[
    int,
    Field(
        ge=100,
        le=MAX_TEXT_CHARACTERS,
        description="Longest article text returned, in characters; a longer one is cut and "
        "marked truncated (ask again with a larger value to read on).",
    ),
]


def build(service: Service) -> MCPServer:
    """The MCP server with its tools bound to `service` (opened by the caller)."""
    server = MCPServer(
        "qa",
        title="Indonesian labour news: search and answers",
        instructions=INSTRUCTIONS,
        version=__version__,
        log_level="WARNING",  # the SDK configures the root logger; keep it for real problems
    )

    def ask(
        question: QuestionArg,
        k: Annotated[int, Field(ge=1, le=20, description="Passages to return.")] = 5,
        source: Source = None,
        since: Since = None,
        until: Until = None,
        language: Language = None,
        max_chars: PassageChars = 2000,
    ) -> AskResult:
        """Answer a question from the news articles: the answer sentence, quoted from an
        article, with its confidence and citation, and the passages behind it.

        Use this first for any question with a factual answer (what, who, when, how many,
        what is the status of ...). Questions may be in Indonesian or English; articles in
        both languages are searched. `answer.confidence` is a calibrated probability that the
        answer is right. When no sentence answers confidently, `answer` is null and
        `no_answer` is true: tell the user the articles do not say, and do not guess; the
        closest passages are still listed. In each passage `highlights` marks the best
        sentence (character offsets into `text`). Cite with title, source (the outlet),
        published and url. A story several outlets carried comes once; its `also_in` lists
        the other outlets' copies. A question about how things stand now (status, still,
        yet, latest, sudah, masih, terbaru ...) is answered from the latest article that
        answers it: `answer.as_of` is that article's date (say "as of <date>"), and
        `earlier` lists the older answers, newest first, each with its sentence and date.
        """
        answering = service.ask(question, k=k, filters=_filters(source, since, until, language))
        answer = answering.answer
        now = standing_of(answering)
        cited = None
        if answer is not None:
            citation = passage_out(answer.hit, None).model_dump(include=CITATION)
            cited = CitedAnswer(
                **citation,
                text=answer.text,
                confidence=round(answer.confidence, 4),
                as_of=now.as_of if now else None,
            )
        return AskResult(
            question=question,
            answer=cited,
            no_answer=answer is None,
            passages=[
                _cut_passage(hit, answering.highlights.get(hit.passage.id), max_chars)
                for hit in answering.hits
            ],
            earlier=[evidence_out(e) for e in now.earlier] if now else [],
        )

    def timeline(
        question: QuestionArg,
        source: Source = None,
        since: Since = None,
        until: Until = None,
        language: Language = None,
    ) -> TimelineResult:
        """How a story developed: the stories that answer a question, one entry per story,
        the oldest first, each with its answer sentence, date and citation.

        Use this for "what happened with ...", "how did ... develop", or to show the history
        behind a status answer. A story several outlets carried is one entry; its `also_in`
        lists the other outlets' copies. No entries: the articles do not answer it.
        """
        entries = service.timeline(question, filters=_filters(source, since, until, language))
        return TimelineResult(question=question, entries=[evidence_out(e) for e in entries])

    def search(
        query: QueryArg,
        k: Annotated[int, Field(ge=1, le=50, description="Passages to return.")] = 10,
        source: Source = None,
        since: Since = None,
        until: Until = None,
        language: Language = None,
        max_chars: PassageChars = 2000,
    ) -> SearchResult:
        """Find the passages most relevant to a topic, best first, at most two per article,
        each with its citation.

        Use this to gather material (several articles, an overview, everything an outlet
        wrote in a period), or to look wider when `ask` found no answer. The query may be
        keywords or a sentence, in Indonesian or English; articles in both languages are
        searched. `highlights` marks the sentence sharing most words with the query. Cite with
        title, source (the outlet), published and url. A story several outlets carried comes
        once; its `also_in` lists the other outlets' copies.
        """
        hits, spans = service.search(query, k=k, filters=_filters(source, since, until, language))
        return SearchResult(
            query=query,
            results=[_cut_passage(hit, spans.get(hit.passage.id), max_chars) for hit in hits],
        )

    def get_article(
        article_id: Annotated[
            str,
            Field(
                min_length=1,
                max_length=200,
                description="The article_id of a passage from ask or search.",
            ),
        ],
        max_chars: ArticleChars = 20000,
    ) -> ArticleText:
        """Read one whole article: its clean text (no ads, menus or related-article lists),
        title, source (the outlet), published date, url and language.

        Use this when a passage from `ask` or `search` is not enough context, or the user
        wants the full article. Articles are in the language they were published in (mostly
        Indonesian).
        """
        article = service.article(article_id)
        if article is None:
            raise UnknownArticle(f"No article with id {article_id!r}; take one from ask or search")
        text, _ = cut(article.text, max_chars)
        return ArticleText(
            **ArticleOut.of(article).model_dump(exclude={"text"}),
            text=text,
            truncated=len(text) < len(article.text),
            characters=len(article.text),
        )

    def list_sources() -> SourcesOut:
        """List what the corpus covers: the number of articles, the first and last publication
        dates, and each news outlet with its number of articles and the dates of its first and
        last one.

        Use this before answering questions about coverage (which outlets, which years), or
        to find an outlet's exact name for the `source` filter of `ask` and `search`.
        """
        outlets = service.outlets()
        firsts = [o.first for o in outlets if o.first]
        lasts = [o.last for o in outlets if o.last]
        return SourcesOut(
            articles=service.index.article_count,
            first=min(firsts, default=None),
            last=max(lasts, default=None),
            outlets=[OutletOut(**vars(outlet)) for outlet in outlets],
        )

    for tool in (ask, search, timeline, get_article, list_sources):
        server.add_tool(
            _tool_errors(tool),
            description=inspect.cleandoc(tool.__doc__ or ""),
            annotations=READ_ONLY,
        )
    return server


def _tool_errors(tool: Callable[..., Any]) -> Callable[..., Any]:
    """The package's named errors as tool errors, which the model reads and can act on.

    Anything else is a crash: the SDK logs it and the model sees only that the tool failed.
    """

    @functools.wraps(tool)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return tool(*args, **kwargs)
        except QAError as error:
            raise ToolError(str(error)) from error

    return wrapper


def _filters(
    source: str | None, since: date | None, until: date | None, language: str | None
) -> Filters:
    """The tools' filters; an empty outlet name is no filter."""
    return Filters((source or "").strip() or None, since, until, language)


def cut(text: str, limit: int, keep: tuple[int, int] | None = None) -> tuple[str, int]:
    """`text` cut to `limit` characters with the span `keep` in view; and where the cut
    text starts in the whole."""
    if len(text) <= limit:
        return text, 0
    start = 0
    if keep and keep[1] > limit:
        margin = max(0, (limit - (keep[1] - keep[0])) // 2)
        start = min(max(0, keep[0] - margin), len(text) - limit)
    return text[start : start + limit], start


def _cut_passage(hit: Hit, span: tuple[int, int] | None, limit: int) -> CutPassage:
    """A hit as the API shows it, its text cut to `limit` around the highlighted sentence."""
    whole = passage_out(hit, span)
    text, offset = cut(whole.text, limit, span)
    highlights = [
        Highlight(start=max(h.start - offset, 0), end=min(h.end - offset, len(text)))
        for h in whole.highlights
        if h.end - offset > 0 and h.start - offset < len(text)
    ]
    return CutPassage(
        **whole.model_dump(exclude={"text", "highlights"}),
        text=text,
        highlights=highlights,
        truncated=len(text) < len(whole.text),
        characters=len(whole.text),
    )


def transport_security(allowed_hosts: str) -> TransportSecuritySettings:
    """DNS-rebinding protection for /mcp: answer only requests addressed to, and sent from
    pages of, the host names that qa/serve/guard.py answers (loopback and those configured); "*"
    turns the check off, for a server behind a proxy that checks the Host header itself."""
    names = host_names(allowed_hosts)
    if names is None:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    hosts = [host for name in names for host in (name, f"{name}:*")]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=[f"{scheme}://{host}" for host in hosts for scheme in ("http", "https")],
    )


def http_routes(server: MCPServer, allowed_hosts: str) -> list[BaseRoute]:
    """The streamable-HTTP route `/mcp`, to add to the host app, whose lifespan must run
    `server.session_manager.run()` (a mounted app's own lifespan never runs)."""
    return server.streamable_http_app(transport_security=transport_security(allowed_hosts)).routes
