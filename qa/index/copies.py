"""Syndicated copies: one story carried by several outlets, found by the word runs they share.

Outlets that carry a press release or a wire story edit it (a new title and lead, a dateline,
sentences dropped or glued), but most of its five-word runs ("shingles") survive. Two articles
are copies when the shorter one has at least COPY_CONTAINMENT of its shingles in the other
and they were published within COPY_WINDOW_DAYS of each other. Containment, not Jaccard
similarity: an outlet that carries half of a release is still carrying it. Same-event
stories that outlets wrote themselves, and other stories on the same topic, share names and
quotes but few five-word runs (docs/benchmarks.md, "Syndicated copies", has the measurement
that chose the measure, the run length and the threshold).

Finding candidates must not cost more as the archive grows, so each article keeps a small
sketch: the SKETCH_SIZE smallest hashes of its shingles (a bottom-k sketch). A shingle two
articles share is among both sketches with a probability that grows with their overlap, so
copies share sketch keys and are looked up by key in the store; the candidates' texts then
decide. An article joins the story of its closest copy (a story is named by its first
article's key), so that a query reads one story label per candidate, however many outlets
carried the story. datasketch's MinHash LSH indexes live in memory or in Redis/Cassandra, and
its LSH Ensemble (built for containment) cannot be added to once built; this sketch lives in
the index's own SQLite store and changes with each article.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date

SHINGLE_WORDS = 5
SKETCH_SIZE = 16
COPY_CONTAINMENT = 0.3
COPY_WINDOW_DAYS = 30
MIN_SHINGLES = 20  # a text shorter than this (about 25 words) is nobody's copy
CANDIDATES_PER_KEY = 50  # newest articles read per sketch key: common runs stay cheap
MAX_CANDIDATES = 50  # texts compared per new article, those sharing the most keys first
COPIES_SHOWN = 20  # a story's other articles listed with a hit, the earliest first

_WORD = re.compile(r"\w+")


def shingles(text: str) -> frozenset[int]:
    """The hashes (63-bit, to fit SQLite's INTEGER) of the text's runs of SHINGLE_WORDS
    lower-case words."""
    words = _WORD.findall(text.lower())
    runs = (" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))
    return frozenset(_hash(run) for run in runs)


def sketch(text_shingles: frozenset[int]) -> list[int]:
    """The article's sketch keys: its SKETCH_SIZE smallest shingle hashes (none for a text
    too short to be compared)."""
    if len(text_shingles) < MIN_SHINGLES:
        return []
    return sorted(text_shingles)[:SKETCH_SIZE]


def containment(a: frozenset[int], b: frozenset[int]) -> float:
    """The share of the smaller shingle set that is in the other (0 for a too short text)."""
    if min(len(a), len(b)) < MIN_SHINGLES:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def close_in_time(a: date | None, b: date | None) -> bool:
    """Published within COPY_WINDOW_DAYS of each other (an unknown date does not rule out)."""
    return a is None or b is None or abs((a - b).days) <= COPY_WINDOW_DAYS


def is_copy(
    a: frozenset[int], a_published: date | None, b: frozenset[int], b_published: date | None
) -> float:
    """The containment of two articles when they are copies of one story, else 0."""
    if not close_in_time(a_published, b_published):
        return 0.0
    similarity = containment(a, b)
    return similarity if similarity >= COPY_CONTAINMENT else 0.0


@dataclass(frozen=True)
class Copy:
    """Another outlet's version of a hit's story, as a citation."""

    article_id: str
    title: str
    source: str
    url: str | None
    published: str | None


def _hash(value: str) -> int:
    digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1
