"""Page furniture around a news article, told apart from the article by general rules.

Lines that are junk wherever they are ("Advertisement", "Baca juga: ...", photo captions,
bylines, footers, contact lines, sidebar entries with their times, lone dashes, and the
furniture that `qa.ingest.readers.inline` cuts out of longer lines); block headers
("Berita Terkait", "Terpopuler", "UPDATE") that open a list of headlines, timestamps and
dashes, which ends at the first line of prose; a related headline standing alone between two
paragraphs; the editor's end mark ("(*)", "(nas)", "(eva/fca)"), after which only prose is
kept; and a reporter's signature or a list's rank after the last paragraph.
"""

import re

from qa.ingest.readers.dates import after_timestamp, is_date_line
from qa.ingest.readers.headlines import (
    BLOCK_HEADERS,
    BULLETS,
    FUNCTION_WORDS,
    OPEN_QUOTES,
    is_headline,
    is_stray_headline,
)
from qa.ingest.readers.inline import PHOTO_CREDIT, furniture_family, is_end_mark
from qa.ingest.readers.promotions import PROMO_FOLLOW_UP
from qa.ingest.readers.removed import note

# A syndication notice whose headline is on the next line: "... di Kontan.co.id dengan judul".
_TITLE_NEXT = re.compile(r"^Artikel ini .{0,80}\bdi\b.{0,60}\bdengan judul\s*:?$")
# Past this length a line is not one piece of furniture: junk at its start is cut out of it
# (`qa.ingest.readers.inline`), never the whole line dropped with the article glued to it.
_LINE_MAX = 300

_JUNK = [
    ("rule", re.compile(r"^[-–—•·*|_=]+$")),  # list bullets and rules on their own
    (
        "ad or widget",
        re.compile(
            r"^(?:advertisement|advertisment|iklan|ads|sponsored|scroll to continue with content|"
            r"scroll untuk melanjutkan|lanjutkan membaca|baca selengkapnya|bagikan|share|komentar|"
            r"lihat foto|halaman selanjutnya|show all|close ads x|load more\.*|muat lebih banyak|"
            r"rate artikel ini|tulis komentar|link successfully copied|zoom (?:in|out)|"
            r"sign in to post a comment)$",
            re.IGNORECASE,
        ),
    ),
    # "Baca juga: Kemnaker Prediksi ...", "Lihat Juga - ...", "Baca: ..."
    (
        "related",
        re.compile(
            r"^(?:baca|lihat|simak|tonton)(?:\s+(?:juga|pula|selengkapnya))?\s*[:\-–]",
            re.IGNORECASE,
        ),
    ),
    ("related", re.compile(r"^(?:read also|also read|read more)\s*[:\-–]", re.IGNORECASE)),
    # bylines and credits: "LAPORAN: SARAH ...", "Editor: ...", "Foto: ...", "Red: ...",
    # "Sumber : Antara"
    (
        "byline",
        re.compile(
            r"^(?:laporan|penulis|editor|reporter|pewarta|wartawan|kontributor|redaktur|foto|"
            r"photo|fotografer|sumber foto|ilustrasi|red|rep|sumber|redaksi)\s*:",
            re.IGNORECASE,
        ),
    ),
    ("ad or widget", re.compile(r"^dibaca\s+[\d.,]+\s+kali$", re.IGNORECASE)),  # a view counter
    # a rank in a list of popular articles: "01" (a table's "1" is data)
    ("ad or widget", re.compile(r"^0\d$")),
    # contact lines: "KONTAK: info@merhametveadalet.com", "... hubungi : sales[at]detik.com"
    ("contact", re.compile(r"^[^.!?]{0,80}(?:\w@\w|\[at\])\S*(?<![.!?])$")),
    # "Oleh Tira Santia" (but not "Oleh karena itu, ...")
    ("byline", re.compile(r"^(?:[Oo]leh|OLEH|[Bb]y|BY)\s*:?\s+[A-Z][\w.'’ ,-]{1,60}(?<![.!?])$")),
    ("initials", re.compile(r"^\([^()]{1,60}\)$")),  # "(*)", "(nas)", "(Tira Santia)" alone
    # A newsletter's sign-up form: "By registering, you agree with ...", "Please check your
    # email for your newsletter subscription.", "Get the latest news in your inbox".
    (
        "newsletter",
        re.compile(
            r"^(?:By (?:registering|signing up|subscribing)\b|Please check your email\b|"
            r"(?:Thank you|Thanks) for (?:signing up|subscribing)\b|Get the latest news\b.*"
            r"\binbox$|Sign up for (?:our|the)\b.*\bnewsletter|Jangan sampai ketinggalan\b.*"
            r"\blangganan\b)",
            re.IGNORECASE,
        ),
    ),
]
# A fact-check desk selling itself: it names the desk ("Cek Fakta", "fact-check", IFCN) and
# vouches for it or asks the reader to send claims ("Jika Anda memiliki informasi ...").
_FACT_CHECK = re.compile(r"(?i:cek fakta|periksa fakta|fact[- ]check\w*)|\bIFCN\b")
_FACT_PITCH = re.compile(
    r"(?i:\bjika anda\b|\bbila anda\b|\bsilah?kan\b|\bhubungi\b|\bkirimkan\b|\bif you\b|"
    r"\bcontact us\b|\bsend us\b|\bterverifikasi\b|\bverified\b|\bsignatory\b)|\bIFCN\b"
)
_FACT_MAX = 400
# A photo caption ends with its credit: "(dok. Kemnaker)", "/Ist", "(Tribunnews.com/Reza)",
# "Foto: Dok. Honda", "© instagram.com/irwandiferry".
_CAPTION = re.compile(
    rf"(?:{PHOTO_CREDIT}|\b(?:Foto|Photo)\s*:\s*[^!?\n]{{1,80}}|©\s*[\w./-]+"
    r"|/\s*(?:ist|istimewa|net|dok|dokumentasi|humas[\w ]*|antara(?:foto)?|rmol[\w.]*"
    r"|[\w-]+\.(?:com|id|co\.id)(?:/[\w .]+)?))\s*\.?$",
    re.IGNORECASE,
)
_CAPTION_MAX = 400
# An embedded post's attribution: "— The GRAMMYs (@TheGRAMMYs) February 16, 2016".
_POST_BY = re.compile(r"^[—–-]\s*[^()\n]{1,60}\(@\w{1,30}\)(?:\s+\w+ \d{1,2}, \d{4})?\s*$")
_POST_LINK = re.compile(r"\bpic\.twitter\.com/\w+$|^A post shared by\b", re.IGNORECASE)
_POST_MAX = 300
# What a newsletter's pitch says about itself.
_PITCH = re.compile(
    r"newsletter|inbox|subscri|sign(?:ing)? up|go-to source|langganan|exclusive interviews",
    re.IGNORECASE,
)
# A writer's bio: "The writer is ...", "The authors are ...", "Penulis adalah ...".
# A role, not a sentence about the writer ("The writer is known for ..." is the article's).
_BIO = re.compile(
    r"^(?:The (?:writer|author|columnist)s? (?:is|are|was|were) (?:an?|the)\b|"
    r"\*?(?:Penulis|Penulisnya) (?:adalah|merupakan)\b)[^.!?]*\.?$"
)
_BIO_MAX = 160
_CONTENT_WORD = re.compile(r"[^\W\d_]{4,}")
_PREFIXES = tuple("meng meny mem men peng peny pem pen ter ber per me pe di ke se".split())
_RELATED_LABEL = re.compile(
    r"^(?:(?:baca|lihat|simak)(?:\s+(?:juga|pula))?|read also|also read|read more)(?:\s*[:\-–]\s*"
    r"|\s+|(?=[A-Z]))",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"\d{1,2}[.)]\s")
_PROSE_END = re.compile(r"[.!?][\"'”’)\]]*$")


def is_caption(line: str) -> bool:
    """A photo caption: a short paragraph ending with a photo credit."""
    return len(line) <= _CAPTION_MAX and _CAPTION.search(line) is not None


def junk_family(line: str) -> str | None:
    """The junk family of `line` when it is furniture wherever it occurs, else None."""
    if family := furniture_family(line):
        return family
    if len(line) > _LINE_MAX:
        return None
    if family := next((name for name, pattern in _JUNK if pattern.search(line)), None):
        return family
    if is_caption(line):
        return "caption"
    if len(line) <= _FACT_MAX and _FACT_CHECK.search(line) and _FACT_PITCH.search(line):
        return "fact-check promo"
    return "sidebar" if _is_timed_headline(line) else None


def is_junk(line: str) -> bool:
    """Whether `line` is furniture wherever it occurs."""
    return junk_family(line) is not None


def _is_timed_headline(line: str) -> bool:
    """A sidebar entry: a time, then a headline ("Kamis, 05/11/2015 09:25 WIB Ini Dia ...")."""
    rest = after_timestamp(line)
    return rest is not None and not is_prose(rest)


def is_block_header(line: str) -> bool:
    """A header that opens a list of headlines ("Berita Terkait", "Baca juga:")."""
    return line.strip().rstrip(":").strip().lower() in BLOCK_HEADERS or bool(
        _TITLE_NEXT.match(line)
    )


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


def _is_signature(line: str) -> bool:
    """A reporter's name in capitals after the last paragraph: "DINI TEJA" (not "IV MMI")."""
    words = line.split()
    return (
        line.isupper() and 1 <= len(words) <= 4 and all(len(w) >= 3 and w.isalpha() for w in words)
    )


def _forms(word: str) -> set[str]:
    """A word and its bare forms without Indonesian affixes (-nya, then one of -kan, -an, -i;
    then up to two prefixes, the longest that fits: di-, ter-, ber-, per-, meN-, peN-, ke-,
    se-) that keep five letters: "diperbaiki" gives "perbaik", found in "perbaikan"."""
    forms = {word.lower()}
    forms |= {form[:-3] for form in forms if form.endswith("nya")}
    forms |= {
        form[: -len(end)] for form in forms for end in ("kan", "an", "i") if form.endswith(end)
    }
    for _ in range(2):
        forms |= {form[len(_prefix(form)) :] for form in forms}
    return {word.lower()} | {form for form in forms if len(form) >= 5}


def _prefix(word: str) -> str:
    """The longest Indonesian prefix that `word` starts with, or ""."""
    return next((prefix for prefix in _PREFIXES if word.startswith(prefix)), "")


def _is_foreign(headline: str, article: str) -> bool:
    """Whether a headline is about another story: few of its words occur in the article.

    A subheading ("Sudah Berkali-kali Ditabrak, Tapi Tetap Berdiri dan Diperbaiki") announces
    the paragraphs after it, so its words recur in them; a related article's headline does not.
    """
    words = [w for w in _CONTENT_WORD.findall(headline) if w.lower() not in FUNCTION_WORDS]
    text = article.lower()
    found = sum(any(form in text for form in _forms(word)) for word in words)
    return len(words) >= 3 and found * 4 <= len(words)


def _drop_strays(lines: list[str]) -> list[str]:
    """`lines` without related headlines that stand alone between two paragraphs of prose."""
    kept = []
    for number, line in enumerate(lines):
        stray = (
            0 < number < len(lines) - 1
            and is_stray_headline(line)
            and is_prose(lines[number - 1])
            and is_prose(lines[number + 1])
            and _is_foreign(line, "\n".join(lines[:number] + lines[number + 1 :]))
        )
        if stray:
            note("related", line)
        else:
            kept.append(line)
    return kept


def _is_listed_headline(line: str) -> bool:
    """A line that may be one of a list of related headlines: title case, four words or more,
    no closing punctuation, not a quotation or a numbered item."""
    return (
        is_headline(line, min_words=4)
        and not line.startswith(tuple(OPEN_QUOTES) + BULLETS)
        and not _NUMBERED.match(line)
    )


def _drop_headline_lists(lines: list[str]) -> list[str]:
    """`lines` without lists of related headlines that carry no label ("Baca juga"): two or more
    headlines in a row after a paragraph, each about another story (a subheading is one line,
    and its words recur in the paragraphs it announces)."""
    kept: list[str] = []
    number = 0
    while number < len(lines):
        run = number
        while run < len(lines) and _is_listed_headline(lines[run]):
            run += 1
        if run - number >= 2 and kept and is_prose(kept[-1]):
            rest = "\n".join(kept + lines[run:])
            if all(_is_foreign(line, rest) for line in lines[number:run]):
                for line in lines[number:run]:
                    note("related", line)
                number = run
                continue
        kept += lines[number : max(run, number + 1)]
        number = max(run, number + 1)
    return kept


def _drop_embedded_posts(lines: list[str]) -> list[str]:
    """`lines` without embedded social posts: the attribution line ("— The GRAMMYs
    (@TheGRAMMYs) February 16, 2016") and the post's text just before it."""
    kept: list[str] = []
    for line in lines:
        if _POST_BY.match(line):
            if kept and len(kept[-1]) <= _POST_MAX and not kept[-1].endswith(('."', ".”")):
                note("embedded post", kept.pop())
            note("embedded post", line)
        elif _POST_LINK.search(line) and len(line) <= _POST_MAX:
            note("embedded post", line)
        else:
            kept.append(line)
    return kept


def _is_bio(line: str) -> bool:
    """A writer's bio closing an opinion piece: "The writer is a senior economist at ..."."""
    return len(line) <= _BIO_MAX and _BIO.match(line) is not None


def _holds_sentence(line: str) -> bool:
    """Whether a related-headline line runs on into a sentence: past its label it is not one
    headline ("Harga Cabai Naik Kemnaker membuka pelatihan vokasi bagi pencari kerja ...")."""
    rest = _RELATED_LABEL.sub("", line, count=1)
    return len(rest.split()) > 8 and not is_headline(rest)


def clean_lines(lines: list[str], glued: bool = False) -> list[str]:
    """The article's paragraphs from its lines (already stripped), without the page furniture.

    `glued`: the article's sentences are glued to headlines (a first try left nothing); a
    related headline or a list item that runs on into a sentence stays, without its label.
    What is removed is noted by family (`qa.ingest.readers.removed`)."""
    kept: list[str] = []
    in_block = ended = False
    family: str | None = None
    for line in lines:
        if not line:
            continue
        if family == "promotion" and PROMO_FOLLOW_UP.match(line):
            note(family, line)  # "Pastikan kamu sudah install aplikasi WhatsApp ya." on its own
            continue
        family = None
        if is_block_header(line):
            in_block = True
            note("related", line)
            continue
        if glued and _holds_sentence(line) and junk_family(line) in (None, "related"):
            in_block = False
            kept.append(_RELATED_LABEL.sub("", line, count=1))
            continue
        if in_block and (is_list_item(line) or is_junk(line)):
            note(junk_family(line) or "related", line)
            continue
        in_block = False
        if is_end_mark(line):
            ended = True  # the editor's initials: tags and promotions may follow, not the article
            note("initials", line)
            continue
        if family := junk_family(line):
            note(family, line)
            if family == "newsletter" and kept and _PITCH.search(kept[-1]):
                note(family, kept.pop())  # the paragraph selling it: "... is the go-to source"
        elif is_date_line(line):
            note("date line", line)
        elif ended and not is_prose(line):
            note("after the initials", line)
        else:
            kept.append(line)
    kept = _drop_embedded_posts(_drop_headline_lists(_drop_strays(kept)))
    while kept and (_is_signature(kept[-1]) or kept[-1].isdigit() or _is_bio(kept[-1])):
        line = kept.pop()  # "DINI TEJA", a rank, "The writer is ..."
        note("writer's bio" if _is_bio(line) else "signature", line)
    return kept
