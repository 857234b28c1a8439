"""A question as the search stages see it: made once where it enters, then passed down.

Retrieval needs its terms (BM25) and vector (dense), fusion and the second stage its
language and the kind of answer it asks for, the answer all of these: working them out once
keeps every stage looking at the same question and spends the embedding once.
"""

from dataclasses import dataclass

import numpy as np

from qa.embedders import Embedder
from qa.search.answer_types import question_type
from qa.text.language import detect_language
from qa.text.terms import tokenize


@dataclass(frozen=True, eq=False)
class Query:
    """The question's text and what the stages read from it."""

    text: str
    terms: tuple[str, ...]  # the lexical tokenizer's (qa.text.terms)
    language: str  # "id" or "en"
    kind: str | None  # the kind of answer asked for (qa.search.answer_types)
    vector: np.ndarray | None  # the embedder's query vector; None where no stage compares one

    @classmethod
    def of(cls, text: str, embedder: Embedder | None = None) -> "Query":
        """`text` read once; embedded by `embedder` when one is given."""
        vector = embedder.encode_queries([text])[0] if embedder is not None else None
        return cls(text, tuple(tokenize(text)), detect_language(text), question_type(text), vector)
