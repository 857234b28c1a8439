"""Sentences that a scraper broke over several lines, joined back into one line.

Scrapers put each inline link on a line of its own: "...laporan pengaduan ke" / "Kejagung" /
"terkait potensi pelanggaran ...", "Pekerjaan (" / "JKP" / ") yang dikelola ...". Left apart, the
pieces look like headlines and captions to the junk rules, and body text is lost with them.
"""

import re

# Words (and a comma or an open bracket) after which no sentence ends: the line goes on below.
_OPEN_WORDS = (
    "di ke dari pada kepada oleh dan atau serta yang untuk dengan bagi tentang terhadap dalam "
    "antara seperti yakni yaitu melalui sebagai hingga karena bahwa para sang the of and to in "
    "on for with by at from"
).split()
_OPEN_END = re.compile(rf"(?:[(,]|\b(?:{'|'.join(_OPEN_WORDS)}))$")
# How a line starts when it cannot start a sentence: lower case, or punctuation that closes one.
_CONTINUATION = re.compile(r"[a-z]|[,;:)\]]|\.(?!\.)")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_TIGHT_BEFORE = tuple(",;:).]")  # no space before these when joining


def _continues(previous: str, line: str) -> bool:
    """Whether `line` is the rest of the sentence that `previous` breaks off."""
    if _OPEN_END.search(previous):
        return True
    return _CONTINUATION.match(line) is not None and not _SENTENCE_END.search(previous)


def _join(previous: str, line: str) -> str:
    """Two pieces of one sentence, with a space between them unless punctuation makes it tight."""
    if previous.endswith("(") or line.startswith(_TIGHT_BEFORE):
        return previous + line
    return f"{previous} {line}"


def join_fragments(lines: list[str]) -> list[str]:
    """`lines` (stripped, non-empty) with each sentence broken over several lines made whole."""
    joined: list[str] = []
    for line in lines:
        if joined and _continues(joined[-1], line):
            joined[-1] = _join(joined[-1], line)
        else:
            joined.append(line)
    return joined
