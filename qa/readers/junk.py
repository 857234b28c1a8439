"""Page furniture around a news article, told apart from the article by general rules.

Three kinds: lines that are junk wherever they are ("Advertisement", "Baca juga: ...", photo
captions, bylines, lone dashes); block headers ("Berita Terkait", "Terpopuler", "UPDATE") that
open a list of headlines, timestamps and dashes, which ends at the first line of prose; and the
editor's end mark ("(*)", "(nas)") after the last sentence.
"""

import re

from qa.readers.dates import is_date_line

BLOCK_HEADERS = frozenset(
    {
        "berita terkait", "artikel terkait", "baca juga", "lihat juga",
        "simak juga", "terpopuler", "populer", "berita populer", "pilihan", "pilihan editor",
        "terkini", "berita terkini", "terbaru", "berita terbaru", "update", "selengkapnya",
        "berita lainnya", "rekomendasi", "video pilihan", "topik", "topik terkait", "tag",
        "tags", "trending", "most popular", "related", "related articles", "read more",
        "read also",
    }
)  # fmt: skip

_JUNK = [
    re.compile(r"^[-–—•·*|_=]+$"),  # list bullets and rules on their own
    re.compile(
        r"^(?:advertisement|advertisment|iklan|ads|sponsored|scroll to continue with content|"
        r"scroll untuk melanjutkan|lanjutkan membaca|baca selengkapnya|bagikan|share|komentar)$",
        re.IGNORECASE,
    ),
    # "Baca juga: Kemnaker Prediksi ...", "Lihat Juga - ..."
    re.compile(
        r"^(?:baca|lihat|simak|tonton)\s+(?:juga|pula|selengkapnya)\s*[:\-–]", re.IGNORECASE
    ),
    re.compile(r"^(?:read also|also read|read more)\s*[:\-–]", re.IGNORECASE),
    # bylines: "LAPORAN: SARAH ...", "Editor: ...", "Foto: ..."
    re.compile(
        r"^(?:laporan|penulis|editor|reporter|pewarta|wartawan|kontributor|redaktur|foto|"
        r"fotografer|sumber foto|ilustrasi)\s*:",
        re.IGNORECASE,
    ),
    # "Oleh Tira Santia" (but not "Oleh karena itu, ...")
    re.compile(r"^(?:[Oo]leh|OLEH|[Bb]y|BY)\s*:?\s+[A-Z][\w.'’ ,-]{1,60}(?<![.!?])$"),
    re.compile(r"^\([^()]{1,60}\)$"),  # "(*)", "(nas)", "(Tira Santia)" on their own
]
# A photo caption ends with its credit: "(dok. Kemnaker)", "/Ist", "(Tribunnews.com/Reza)".
_CAPTION = re.compile(
    r"(?:\((?:dok|dokumentasi|foto|photo|ist|istimewa|humas|net|ilustrasi)\b[^()]*\)"
    r"|\([\w.-]+\.(?:com|id|co\.id)/[^()]*\)"
    r"|/\s*(?:ist|istimewa|net|dok|dokumentasi|humas[\w ]*|antara(?:foto)?|rmol[\w.]*"
    r"|[\w-]+\.(?:com|id|co\.id)(?:/[\w .]+)?))\s*\.?$",
    re.IGNORECASE,
)
_CAPTION_MAX = 400
_END_MARK = re.compile(r"(?<=[.!?\"”’)])\s*\((?:\*|[a-z]{2,5}(?:\s*[/,]\s*[a-z]{2,5})*)\)$")
_PROSE_END = re.compile(r"[.!?][\"'”’)\]]*$")


def is_caption(line: str) -> bool:
    """A photo caption: a short paragraph ending with a photo credit."""
    return len(line) <= _CAPTION_MAX and _CAPTION.search(line) is not None


def is_junk(line: str) -> bool:
    """Whether `line` is furniture wherever it occurs."""
    return any(pattern.search(line) for pattern in _JUNK) or is_caption(line)


def is_block_header(line: str) -> bool:
    return line.strip().rstrip(":").strip().lower() in BLOCK_HEADERS


def is_prose(line: str) -> bool:
    """A line of article prose ends a sentence; headlines and truncated teasers ("...") do not."""
    if line.endswith(("...", "…")):
        return False
    return _PROSE_END.search(line) is not None and (line.endswith(".") or len(line) >= 80)


def is_list_item(line: str) -> bool:
    """A line of a headline list: a bullet, a "- headline", a headline, or a timestamp."""
    return (
        line.startswith(("- ", "– ", "• "))
        or is_date_line(line)
        or (not is_prose(line) and len(line) <= 200 and not line.startswith(('"', "“", "'", "‘")))
    )


def clean_lines(lines: list[str]) -> list[str]:
    """The article's paragraphs from its lines (already stripped), without the page furniture."""
    kept: list[str] = []
    in_block = False
    for line in lines:
        if not line:
            continue
        if is_block_header(line):
            in_block = True
            continue
        if in_block and (is_list_item(line) or is_junk(line)):
            continue
        in_block = False
        if is_junk(line) or is_date_line(line):
            continue
        kept.append(line)
    if kept:
        kept[-1] = _END_MARK.sub("", kept[-1]).rstrip()
        if not kept[-1]:
            kept.pop()
    return kept
