"""What kind of answer a question asks for, and whether a sentence offers one.

Classic factoid QA: "kapan"/"when" wants a date, "berapa"/"how many" a number,
"siapa"/"who" a name, "status"/"perkembangan" a statement of where things stand ("belum",
"masih", "hingga saat ini", "not yet"). A sentence that offers the asked-for kind of answer
is a better answer than one that only repeats the question's words.
"""

import re

_MONTHS = (
    "januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember|"
    "january|february|march|may|june|july|august|october|december"
)
_QUESTION_TYPES: list[tuple[str, re.Pattern]] = [
    ("date", re.compile(r"\b(kapan|tanggal berapa|tahun berapa|when|what year|what date)\b")),
    ("number", re.compile(r"\b(berapa|jumlah|how many|how much)\b")),
    ("person", re.compile(r"\b(siapa|who|whom)\b")),
    ("place", re.compile(r"\b(di ?mana|ke ?mana|where)\b")),
    ("status", re.compile(r"\b(status|perkembangan|progress|kelanjutan|nasib)\b")),
]
_OFFERS: dict[str, re.Pattern] = {
    "date": re.compile(
        rf"\b(1[5-9]\d\d|20\d\d)\b|\b\d{{1,2}}/\d{{1,2}}(/\d{{2,4}})?\b|\b({_MONTHS})\b", re.I
    ),
    "number": re.compile(
        r"\d|\b(satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|"
        r"sepuluh|seratus|seribu|puluh|ratus|ribu|juta|miliar|triliun)\b",
        re.I,
    ),
    "person": re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+"),
    "place": re.compile(r"\b(di|ke|dari|in|at)\s+[A-Z]"),
    "status": re.compile(
        r"\b(belum|masih|hingga saat ini|sampai saat ini|sampai sekarang|sedang|menunggu|"
        r"tertunda|not yet|still|pending|so far|has yet)\b",
        re.I,
    ),
}


def question_type(question: str) -> str | None:
    """The kind of answer `question` asks for, if it says."""
    lowered = question.lower()
    for name, pattern in _QUESTION_TYPES:
        if pattern.search(lowered):
            return name
    return None


def offers(sentence: str, kind: str | None) -> bool:
    """Whether `sentence` contains the kind of answer asked for."""
    return kind is not None and bool(_OFFERS[kind].search(sentence))
