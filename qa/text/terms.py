"""The lexical tokenizer: the terms BM25 indexes a passage under and looks a question up by.

Indonesian has little inflection a stemmer must undo for news search, but it has many
compound forms: "2021-2025", "SLOM+3", "ke-17", "Rp14". The tokenizer keeps each compound
whole and also emits its parts, so "SLOM+3" matches both "SLOM+3" and "SLOM". The lexical
engine (`qa.index.lexical`) gets these terms ready-made, so index and query agree exactly.
"""

import re

from qa.text.words import STOPWORDS

_COMPOUND = re.compile(r"\w+(?:[-+/.,]\w+)*\+?", re.UNICODE)
_PART = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


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
