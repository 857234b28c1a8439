"""BM25 over chunk texts (bm25s), with a tokenizer that suits Indonesian news.

Indonesian has little inflection a stemmer must undo for news search, but it has many
compound forms: "2021-2025", "SLOM+3", "ke-17", "Rp14". The tokenizer keeps each compound
whole and also emits its parts, so "SLOM+3" matches both "SLOM+3" and "SLOM".
"""

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import bm25s
import numpy as np

_COMPOUND = re.compile(r"\w+(?:[-+/.,]\w+)*\+?", re.UNICODE)
_PART = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)

STOPWORDS = frozenset(
    # Indonesian function words (a short list: news questions often hinge on content words only).
    """yang dan di ke dari untuk dengan pada ini itu adalah dalam tidak akan oleh juga sebagai
    atau telah sudah bisa dapat karena tersebut para kami kita mereka saya ia dia apa siapa
    kapan dimana mana bagaimana berapa mengapa kenapa apakah bagi antara serta hingga sejak
    bahwa belum masih lebih secara ada seperti namun tentang terhadap yaitu yakni pun lah kah
    nya se
    """
    # English function words.
    """the and of to in is are was were for with on at by from this that these those be been
    has have had what who when where which why how did does do will would can could should
    it its as an a or not but about into than their there they we you he she his her our""".split()
)


def tokenize(text: str) -> list[str]:
    """Lower-cased terms of `text`: compounds whole plus their parts, stopwords dropped."""
    terms: list[str] = []
    for match in _COMPOUND.finditer(text.lower()):
        compound = match.group().rstrip(".,")
        parts = _PART.findall(compound)
        if len(parts) > 1 or compound != (parts[0] if parts else ""):
            terms.append(compound)
        terms.extend(part for part in parts if part not in STOPWORDS)
    return [term for term in terms if term and term not in STOPWORDS]


class LexicalIndex:
    """A bm25s index whose document i is the i-th entry of `chunk_ids`."""

    def __init__(self, retriever: bm25s.BM25, chunk_ids: np.ndarray):
        self.retriever = retriever
        self.chunk_ids = chunk_ids
        self.vocabulary = getattr(retriever, "vocab_dict", None) or {}  # none when empty

    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]], chunk_ids: np.ndarray) -> "LexicalIndex":
        retriever = bm25s.BM25()
        corpus = [list(tokens) or [""] for tokens in token_lists]
        if corpus:
            retriever.index(corpus, show_progress=False)
        return cls(retriever, np.asarray(chunk_ids, dtype=np.int64))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if len(self.chunk_ids):
            self.retriever.save(str(folder))
        np.save(folder / "chunk_ids.npy", self.chunk_ids)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        chunk_ids = np.load(folder / "chunk_ids.npy")
        retriever = bm25s.BM25.load(str(folder)) if len(chunk_ids) else bm25s.BM25()
        return cls(retriever, chunk_ids)

    def known_terms(self, terms: Sequence[str]) -> list[str]:
        """The terms that occur somewhere in the corpus (bm25s rejects unknown ones)."""
        return [term for term in terms if term in (self.vocabulary or {})]

    def coverage(self, terms: Sequence[str], positions: np.ndarray) -> np.ndarray:
        """Share of the query's IDF mass that each document at `positions` contains.

        Terms the corpus has never seen count with the highest IDF, so a question in another
        language than the corpus, which BM25 can only match on a few names, scores low.
        """
        unique = list(dict.fromkeys(terms))
        covered = np.zeros(len(positions), dtype=np.float32)
        if not unique or not len(positions):
            return covered
        total_docs = max(len(self.chunk_ids), 1)
        matrix = self.retriever.scores if self.vocabulary else None
        total = 0.0
        for term in unique:
            column = (self.vocabulary or {}).get(term)
            if column is None or matrix is None:
                total += _idf(0, total_docs)
                continue
            docs = matrix["indices"][matrix["indptr"][column] : matrix["indptr"][column + 1]]
            weight = _idf(len(docs), total_docs)
            total += weight
            covered += weight * np.isin(positions, docs)
        return covered / total

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query `terms` (zeros when none is known)."""
        known = self.known_terms(terms)
        if not known or not len(self.chunk_ids):
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)


def _idf(document_frequency: int, total_docs: int) -> float:
    return float(np.log(1 + (total_docs - document_frequency + 0.5) / (document_frequency + 0.5)))
