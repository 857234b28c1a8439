"""The JSON shapes of the API, shared by `qa ask --json` so both print exactly the same thing."""

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from qa.articles import MAX_TEXT_CHARACTERS, Article, not_web_address, stored_day, web_address
from qa.ingest.readers.dates import YEARS
from qa.search.answer import Answering
from qa.search.retrieval import Hit
from qa.search.status import Evidence, standing_of

MAX_QUESTION = 1000
MAX_SOURCE = 200  # an outlet's name, as a filter or an article field (MCP takes the same)


class Highlight(BaseModel):
    """A character span of the passage text (the answer sentence)."""

    start: int
    end: int


class CopyOut(BaseModel):
    """The same story in another article (most often another outlet's copy)."""

    article_id: str
    title: str
    source: str
    url: str | None
    published: date | None


class PassageOut(BaseModel):
    passage_id: str
    article_id: str
    title: str
    source: str
    url: str | None
    published: date | None
    text: str
    score: float
    highlights: list[Highlight]
    also_in: list[CopyOut] = []


class AnswerOut(BaseModel):
    text: str
    article_id: str
    passage_id: str
    confidence: float
    as_of: date | None = None  # a status question's answer: the date of its article


class EvidenceOut(BaseModel):
    """A story that answers the question: its best passage's answer sentence and citation."""

    article_id: str
    passage_id: str
    title: str
    source: str
    url: str | None
    published: date | None
    sentence: str
    confidence: float
    also_in: list[CopyOut] = []


def not_blank(value: str) -> str:
    """The text without surrounding spaces; only spaces is no question."""
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


# A question or query, as the API, the MCP tools and Dify's /retrieval take it.
Question = Annotated[str, Field(min_length=1, max_length=MAX_QUESTION), AfterValidator(not_blank)]


class AskRequest(BaseModel):
    question: Question
    k: Annotated[int, Field(ge=1, le=50)] = 5
    mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    source: Annotated[str, Field(max_length=MAX_SOURCE)] | None = None
    since: date | None = None
    until: date | None = None
    language: Literal["id", "en"] | None = None


class AskResponse(BaseModel):
    question: str
    answer: AnswerOut | None
    no_answer: bool
    passages: list[PassageOut]
    took_ms: float
    earlier: list[EvidenceOut] = []  # a status question's older answers, newest first


class TimelineResponse(BaseModel):
    query: str
    entries: list[EvidenceOut]  # one per story, the oldest first
    took_ms: float


class SearchResponse(BaseModel):
    query: str
    results: list[PassageOut]
    took_ms: float


class ArticleIn(BaseModel):
    """One article as the JSONL import format has it."""

    # what `slugify` keeps as it is: no '-' or '.' at either end, at most 120 characters
    id: Annotated[
        str,
        Field(
            min_length=1,
            max_length=120,
            pattern=r"^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$",
        ),
    ]
    title: Annotated[str, Field(max_length=1000)] = ""
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARACTERS)]
    source: Annotated[str, Field(max_length=MAX_SOURCE)] = ""
    url: Annotated[str, Field(max_length=2000)] | None = None
    published: (
        Annotated[date, Field(ge=date(YEARS[0], 1, 1), le=date(YEARS[-1], 12, 31))] | None
    ) = None

    @field_validator("text")
    @classmethod
    def has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value

    @field_validator("url")
    @classmethod
    def web_link(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if (address := web_address(value)) is None:
            raise ValueError(not_web_address(value))
        return address


class ArticleMeta(BaseModel):
    """The citation fields of an article."""

    id: str
    title: str
    source: str
    url: str | None
    published: date | None
    language: str


class ArticleOut(ArticleMeta):
    text: str

    @classmethod
    def of(cls, article: Article) -> "ArticleOut":
        return cls.model_validate(article, from_attributes=True)


class ArticleSummary(ArticleMeta):
    characters: int

    @classmethod
    def of(cls, article: Article) -> "ArticleSummary":
        meta = ArticleMeta.model_validate(article, from_attributes=True)
        return cls(**meta.model_dump(), characters=len(article.text))


class ArticleList(BaseModel):
    total: int
    offset: int
    limit: int
    articles: list[ArticleSummary]


class WriteAccepted(BaseModel):
    """Articles persisted to the corpus; the index catches up in the background."""

    accepted: list[str]
    job: int
    generation: int


MAX_LINKS = 20  # links fetched in one request: each may take QA_FETCH_TIMEOUT seconds


class LinksIn(BaseModel):
    """Links to news articles to fetch and add: `url`, `urls`, or both."""

    url: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    urls: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=2000)]], Field(max_length=MAX_LINKS)
    ] = []

    @model_validator(mode="after")
    def some_link(self) -> "LinksIn":
        if not self.links:
            raise ValueError('send a link: {"url": "https://..."} or {"urls": [...]}')
        if len(self.links) > MAX_LINKS:
            raise ValueError(f"at most {MAX_LINKS} links in one request")
        return self

    @property
    def links(self) -> list[str]:
        return ([self.url] if self.url else []) + self.urls


class LinkFailed(BaseModel):
    url: str
    error: str


class LinksAccepted(WriteAccepted):
    """Articles fetched and saved (indexed in the background); the links that gave none."""

    articles: list[ArticleMeta]
    failed: list[LinkFailed]


# -- what the MCP tools return (qa/serve/mcp_server.py): the same citations, long texts cut to size


class Cut(BaseModel):
    """Whether `text` was cut to the caller's `max_chars`, and how long it is whole."""

    truncated: bool
    characters: int


class CutPassage(PassageOut, Cut):
    """A passage with its citation; a long text is cut around its highlighted sentence."""


class CitedAnswer(AnswerOut):
    """The answer sentence with the citation of the article it is quoted from."""

    title: str
    source: str
    url: str | None
    published: date | None


class AskResult(BaseModel):
    question: str
    answer: CitedAnswer | None
    no_answer: bool
    passages: list[CutPassage]
    earlier: list[EvidenceOut] = []


class TimelineResult(BaseModel):
    question: str
    entries: list[EvidenceOut]


class SearchResult(BaseModel):
    query: str
    results: list[CutPassage]


class ArticleText(ArticleOut, Cut):
    """An article's clean text and citation fields."""


class OutletOut(BaseModel):
    name: str
    articles: int
    first: date | None
    last: date | None


class SourcesOut(BaseModel):
    """What the corpus covers: its articles, their dates, and each outlet's share."""

    articles: int
    first: date | None
    last: date | None
    outlets: list[OutletOut]


class ErrorOut(BaseModel):
    error: str
    detail: str | list | None = None


def passage_out(hit: Hit, highlight: tuple[int, int] | None) -> PassageOut:
    """A hit as the API shows it, with the span of its answer (or best) sentence."""
    passage = hit.passage
    highlights = [Highlight(start=highlight[0], end=highlight[1])] if highlight else []
    return PassageOut(
        passage_id=passage.passage_id,
        article_id=passage.article_id,
        title=passage.title,
        source=passage.source,
        url=passage.url,
        published=stored_day(passage.published),
        text=passage.text,
        score=round(hit.score, 6),
        highlights=highlights,
        also_in=[CopyOut.model_validate(copy, from_attributes=True) for copy in hit.also_in],
    )


def evidence_out(found: Evidence) -> EvidenceOut:
    """An answering story as the API shows it (earlier history, timeline entries)."""
    return EvidenceOut(
        **passage_out(found.hit, None).model_dump(include=EvidenceOut.model_fields.keys()),
        sentence=found.text,
        confidence=round(found.confidence, 4),
    )


def ask_response(question: str, answering: Answering, took_ms: float) -> AskResponse:
    """The /api/ask body (also what `qa ask --json` prints)."""
    answer = answering.answer
    now = standing_of(answering)
    answer_out = None
    if answer is not None:
        answer_out = AnswerOut(
            text=answer.text,
            article_id=answer.hit.passage.article_id,
            passage_id=answer.hit.passage.passage_id,
            confidence=round(answer.confidence, 4),
            as_of=now.as_of if now else None,
        )
    return AskResponse(
        question=question,
        answer=answer_out,
        no_answer=answer is None,
        passages=[passage_out(h, answering.highlights.get(h.passage.id)) for h in answering.hits],
        took_ms=round(took_ms, 2),
        earlier=[evidence_out(e) for e in now.earlier] if now else [],
    )
