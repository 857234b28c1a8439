"""Questions about how things stand now, answered from the latest evidence.

News answers "status proposal OSH Korea" in pieces over time: a proposal submitted, "no clarity
yet" half a year later, approval the year after. The best scoring passage may be any of them.
A status question (one that asks for a current state: "status", "sudah", "masih", "terbaru",
"latest", "still", "yet", "now" ...) is answered instead from the most recent of the passages
that answer it, dated `as_of` its article, and the older ones that answer are kept as its
earlier history rather than hidden.

A passage answers when the ranking model scores it close to the best hit (within
`QA_STATUS_MARGIN` of its log-odds) and the answer model would have answered from it (its own
confidence clears the threshold that decides whether the corpus answers at all). On the status
set (tests/data/status) answering passages score within 3.5 of the best, and passages on other
topics, newer ones among them, 4.7 or more below it (docs/benchmarks.md).
"""

import re
from dataclasses import dataclass, fields, replace
from datetime import date

from qa import settings
from qa.articles import stored_day
from qa.index.reader import Index
from qa.search.answer import (
    ASK_OPTIONS,
    DEFAULT_MODEL,
    Answer,
    Answering,
    ask,
)
from qa.search.query import Query
from qa.search.retrieval import Hit, Mode, SearchOptions

# Cues of a question about the current state. "sudah lama" (long-standing) asks for none.
_CUES = re.compile(
    r"\b(status|perkembangan|kelanjutan|nasib|terbaru|terkini|sekarang|saat ini|kini|masih|"
    r"sudah(?! lama)|belum|latest|still|yet|now|currently|current|update[sd]?|progress|so far)\b",
    re.IGNORECASE,
)
POOL = 20  # passages looked through for the answering ones, whatever k the caller shows


@dataclass(frozen=True)
class Evidence:
    """A passage that answers the question: its answer sentence and that answer's features
    and confidence (`qa.search.answer`)."""

    hit: Hit
    start: int
    end: int
    features: tuple[float, ...]
    confidence: float

    @property
    def text(self) -> str:
        return self.hit.passage.text[self.start : self.end]

    @property
    def published(self) -> date | None:
        return stored_day(self.hit.passage.published)

    def answer(self) -> Answer:
        return Answer(self.hit, self.start, self.end, self.features, self.confidence)


@dataclass(frozen=True)
class Standing:
    """Where things stand: the latest evidence, and the older evidence, newest first."""

    latest: Evidence
    earlier: list[Evidence]

    @property
    def as_of(self) -> date | None:
        return self.latest.published


@dataclass(frozen=True)
class StatusAnswering(Answering):
    """An `Answering` with where things stand: None for a question that asks no status, or
    that the corpus does not answer."""

    standing: Standing | None = None


def is_status_question(question: str) -> bool:
    """Whether `question` asks how something stands now."""
    return bool(_CUES.search(question))


def evidence(query: Query, answering: Answering) -> list[Evidence]:
    """The hits of `answering` that answer `query` (see the module docstring), in its
    order, one per article (its best passage); none when the corpus has no answer."""
    if answering.answer is None or not answering.hits:
        return []
    gap = answering.answer.features[0]  # how far the best stands out: the same for every hit
    floor = max(hit.score for hit in answering.hits) - float(settings.get("status_margin"))
    language = query.language
    found: dict[str, Evidence] = {}
    for hit in answering.hits:
        span = answering.highlights.get(hit.passage.id)
        if span is None or hit.score < floor or hit.passage.article_id in found:
            continue
        features, sure = DEFAULT_MODEL.judge(hit, gap, hit.passage.language != language)
        if sure >= answering.threshold:
            found[hit.passage.article_id] = Evidence(hit, span[0], span[1], features, sure)
    return list(found.values())


def by_date(found: list[Evidence], newest_first: bool = True) -> list[Evidence]:
    """`found` ordered by date (undated last either way); on one day, in the order given."""
    dated = sorted(
        (e for e in found if e.published), key=lambda e: e.published, reverse=newest_first
    )
    return dated + [e for e in found if not e.published]


def standing(query: Query, answering: Answering) -> Standing | None:
    """Where things stand, for a status question that the corpus answers; else None."""
    if not is_status_question(query.text):
        return None
    found = by_date(evidence(query, answering))
    return Standing(found[0], found[1:]) if found else None


def answering_pool(index: Index, query: Query, options: SearchOptions = ASK_OPTIONS) -> Answering:
    """`ask` over the first POOL passages: where the answering ones are looked for."""
    return ask(index, query, replace(options, k=POOL))


def ask_latest(index: Index, query: Query, options: SearchOptions = ASK_OPTIONS) -> StatusAnswering:
    """`qa.search.answer.ask`, except that a status question is answered from the latest
    passage that answers it, with its standing, and the passages that answer lead the `k`
    hits, newest first (the standing lists them all). Other questions, and other modes than
    hybrid (whose scores are not the ranking model's), are answered as `ask` answers them."""
    if options.mode != Mode.hybrid or not is_status_question(query.text):
        return _with(ask(index, query, options), None)
    answering = answering_pool(index, query, options)
    now = standing(query, answering)
    if now is None:
        return _with(replace(answering, hits=answering.hits[: options.k]), None)
    told = [e.hit for e in (now.latest, *now.earlier)]
    rest = [hit for hit in answering.hits if all(hit is not t for t in told)]
    latest = replace(answering, best=now.latest.answer(), hits=(told + rest)[: options.k])
    return _with(latest, now)


def standing_of(answering: Answering) -> Standing | None:
    """The standing `ask_latest` found, if `answering` came from it and has one."""
    return answering.standing if isinstance(answering, StatusAnswering) else None


def _with(answering: Answering, now: Standing | None) -> StatusAnswering:
    values = {field.name: getattr(answering, field.name) for field in fields(Answering)}
    return StatusAnswering(**values, standing=now)
