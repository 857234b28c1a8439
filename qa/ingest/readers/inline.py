"""Page furniture inside a line: found where it sits, and put on a line of its own.

Scrapers glue paragraphs together ("...hal ini. ADVERTISEMENT SCROLL TO CONTINUE WITH CONTENT
Menurutnya, ..."), so furniture cannot be recognised by whole lines alone. Each kind below says
how it starts and how far it runs; `split_furniture` cuts a line into the text around each item
and the item itself, and `furniture_family` recognises such an item, so the line rules in
`qa.ingest.readers.junk` can drop it while the text around it stays.

Most kinds only start where a sentence or paragraph does (a line start, after a sentence end, or
glued to the previous word without a space); the same words inside a sentence are prose.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from qa.ingest.readers.headlines import (
    BLOCK_HEADERS,
    BULLETS,
    HEADLINE_MAX_CHARS,
    glue_point,
    headline_end,
    is_headline,
    is_title_word,
    quoted_end,
    sentence_end,
)
from qa.ingest.readers.promotions import promotion_end, syndication_notice_end

Extent = Callable[[str, re.Match[str]], int | None]

# Where a sentence or a glued paragraph ends, just before a position.
_BOUNDARY_BEFORE = re.compile(r"(?:[.!?…:\"'”’)\]\-–—]\s*|[a-z0-9])$")
_SENTENCE_BEFORE = re.compile(r"[.!?…][\"'”’)]*\s*$")
_SCROLL = r"(?i:scroll to continue with content|scroll untuk melanjutkan(?: membaca)?)"
# A photo credit in brackets: "(dok. Kemnaker)", "(Foto: Humas)", "(Tribunnews.com/Reza)", and
# an agency or paper and the photographer's full name: "(AFP/Nhac Nguyen)", "(ANTARA FOTO/Sigid
# Kurniawan)", "(Reuters/Willy Kurniawan)". An editor's initials ("(Mvi/Ali)") name no one in full.
PHOTO_CREDIT = (
    r"\((?i:dok|dokumentasi|foto|photo|ist|istimewa|humas|net|ilustrasi)\b[^()]*\)"
    r"|\([\w.-]+\.(?i:com|id|co\.id)/[^()]*\)"
    r"|\((?:[A-Z]{2,}(?: FOTO)?|[A-Z][a-z]{2,}) ?/ ?[A-Z][\w'.-]+(?: [A-Z][\w'.-]*){1,3}\)"
)
_CAPTION_MAX = 250
_FOOTER_MAX = 400
_LIST_MIN_WORDS = 6  # a list of related headlines after a header with no colon


@dataclass(frozen=True)
class Furniture:
    """One kind of furniture: the pattern it starts with and a function giving where it ends
    (None: what matched is prose after all)."""

    lead: re.Pattern[str]
    extent: Extent
    anywhere: bool = False  # may start inside a sentence, not only where one starts
    family: str = "furniture"  # what `qa corpus check` calls it when it is removed


def _lead_only(text: str, match: re.Match[str]) -> int:
    """Furniture that is all in its pattern: "ADVERTISEMENT", "[Gambas:Video 20detik]"."""
    return match.end()


def _with_headline(text: str, match: re.Match[str]) -> int:
    """A label and the related headlines after it: the first, and any glued on after it
    ("Baca JugaOmbudsman ... Ikuti SPMBKuota Haji ... 50 PersenAdapun hingga ..."); none
    when the headline is on the next line."""
    end = max(match.end(), headline_end(text, match.end()))
    while end > match.end() and end < len(text) and not text[end].isspace():
        following = glue_point(text, end + 1, min(len(text), end + HEADLINE_MAX_CHARS))
        if following is None and len(text) - end <= HEADLINE_MAX_CHARS:
            following = len(text)  # the last headline of the list ends the line
        if following is None or not is_headline(text[end:following], min_words=3):
            break
        end = following
    return end


def _video_title(text: str, match: re.Match[str]) -> int | None:
    """A video teaser (Simak Video "..."): a quoted or title-case title after the label;
    "Simak video ini sampai habis" is a sentence. A bare "Video <title>" needs a title whose end
    is certain: "Video Presiden Jokowi berpidato beredar luas." is a sentence."""
    bare = match["label"] is None
    if bare and match.start() > 0 and not _SENTENCE_BEFORE.search(text, 0, match.start()):
        return None  # glued to a word: "... Kendrick LamarVideo Director of the Year - ..."
    end = quoted_end(text, match.end())
    if end == match.end() or not text[match.end() : end].strip():
        end = headline_end(text, match.end(), strict=bare)
    title = text[match.end() : end].strip()
    return (
        end if title and (title[0] in "\"“'‘" or title[0].isupper() or title[0].isdigit()) else None
    )


def _byline(text: str, match: re.Match[str]) -> int:
    """A byline or credit ("Penulis: Arby Salim", "sumber : Antara"): label and name."""
    return max(match.end(), headline_end(text, match.end()))


def _related_list(text: str, match: re.Match[str]) -> int | None:
    """A list header ("Berita Terkait", "FOTO TERKAIT:") and its list to the end of the line:
    only headlines, dates and bullets, announced by a colon or a bullet or long enough to be a
    list. "Update terbaru akan ...", "Terbaru, Timnas ..." are sentences, "Pilihan Ganda" and
    "1. Update Bursa Transfer" headings."""
    rest = text[match.end() :].split()
    if not rest:
        return (
            match.end()
        )  # the list is on the next lines: `qa.ingest.readers.junk` sees the header
    announced = match.group().rstrip().endswith(":") or rest[0] in BULLETS
    if not (announced or len(rest) >= _LIST_MIN_WORDS) or not all(map(is_title_word, rest)):
        return None
    return len(text)


def _signature(text: str, match: re.Match[str]) -> int | None:
    """A reporter's name in capitals after the last sentence on a line: "... dilakukan. DINI
    TEJA"; a whole line in capitals is a heading, and "... oleh PT" a sentence cut short."""
    after_sentence = _SENTENCE_BEFORE.search(text, 0, match.start()) is not None
    return match.end() if after_sentence else None


def _is_prose_after(text: str, position: int) -> bool:
    """Whether a sentence follows `position` on the line (tag words and headlines are not)."""
    rest = text[position:].strip()
    return sentence_end(rest, 0) < len(rest) or rest.endswith((".", "!", "?"))


def _initials(text: str, match: re.Match[str]) -> int | None:
    """The editor's initials ("(eva/fca)", "(*)") close the article: with the tag words that
    follow them on the line, when only such words follow."""
    if not _is_prose_after(text, match.end()):
        return len(text)
    return match.end() if re.search(r"[/,]", match.group()) else None


def _closing_mark(text: str, match: re.Match[str]) -> int | None:
    """A mark in capitalised words after the last sentence on the line: the editor's initials
    ("(Mvi/Ali)") or the reporter's name ("(Tira Santia)")."""
    return match.end() if _SENTENCE_BEFORE.search(text, 0, match.start()) else None


def _caption(text: str, match: re.Match[str]) -> int | None:
    """A photo caption glued to the paragraph after it: one sentence, then the credit."""
    described = text[: match.start("credit")].rstrip().rstrip(".")
    return None if sentence_end(described, 0) < len(described) else match.end()


def _footer_end(text: str, match: re.Match[str]) -> int:
    """A footer (copyright, the comment section's disclaimer) runs to "All rights reserved",
    else to the end of its line when that is near, else to the end of its sentence."""
    reserved = re.compile(r"reserved\.?", re.IGNORECASE).search(text, match.end())
    if reserved and reserved.end() - match.start() <= _FOOTER_MAX:
        return reserved.end()
    if len(text) - match.start() <= _FOOTER_MAX:
        return len(text)
    return sentence_end(text, match.end())


def _to_sentence_end(text: str, match: re.Match[str]) -> int:
    """Furniture that is a whole sentence: the comment box's "... lengkapi data dirimu."."""
    return sentence_end(text, match.end())


# The editor's initials closing the article: "(eva/fca)", "(nas, ant)", "(*)", "(ANT/JPNN)".
_INITIALS = Furniture(
    re.compile(r"\((?:\*|[a-z]{2,6}(?:\s*[/,]\s*[a-z]{2,6})*|[A-Z]{2,6}(?:\s*/\s*[A-Z]{2,6})+)\)"),
    _initials,
    family="initials",
)
FURNITURE = (
    # Ad markers and embeds, in capitals or in brackets: never prose, wherever they are.
    Furniture(
        re.compile(rf"(?:ADVERTISEMENT\s*)?{_SCROLL}|ADVERTISEMENT|\[Gambas:[^\]\n]*\]"),
        _lead_only,
        anywhere=True,
        family="ad or embed",
    ),
    # Ad markers and page links in sentence case, where a sentence starts and not followed by
    # one of its own words: "Advertisement", "Lihat Foto", "Halaman Selanjutnya".
    Furniture(
        re.compile(
            r"(?:Advertisement|Lanjutkan membaca|Baca di halaman berikutnya\s*>*|Lihat Foto|"
            r"Halaman [Ss]elanjutnya|Close Ads X|"
            r"(?:Simak|Baca|Cek) (?:berita |artikel |informasi )?selengkapnya di halaman "
            r"(?:selanjutnya|berikutnya)\.?)"
            r"(?=\s*$|\s*[A-Z\"“]|[A-Z\"“]|\s+[a-z]+[A-Z])"  # "Advertisement tDCS bekerja ..."
        ),
        _lead_only,
        family="ad or embed",
    ),
    # Related articles: "Baca juga: <headline>", "Baca JugaOmbudsman ...", "Read also:".
    Furniture(
        re.compile(
            r"(?:[Bb]aca|[Ll]ihat|[Ss]imak)\s+[Jj]uga(?:\s*:|(?=[A-Z]))|BACA JUGA\s*:?|"
            r"Baca Juga(?![a-z])|"
            r"(?:Read also|Also read|Read more)\s*:"
        ),
        _with_headline,
        anywhere=True,
        family="related",
    ),
    Furniture(
        re.compile(r"Baca\s*:"), _with_headline, family="related"
    ),  # Tribun's "Baca: <headline>"
    # Video teasers: 'Simak Video "..."', "Lihat juga Video '...':", "Video <title>?".
    Furniture(
        re.compile(
            r"(?:(?P<label>(?:Simak|Lihat|Tonton|Saksikan)(?:\s+[Jj]uga)?\s+)[Vv]ideo|Video)\s*:?\s"
        ),
        _video_title,
        family="video teaser",
    ),
    # Bylines and credits: "Penulis: Arby Salim", "Red: ...", "sumber : Antara".
    Furniture(
        re.compile(
            r"(?i:penulis|editor|reporter|pewarta|wartawan|kontributor|redaktur|redaksi|red|rep|"
            r"fotografer|foto|sumber)\s*:"
        ),
        _byline,
        family="byline",
    ),
    Furniture(
        re.compile(r"(?:[-–—_=*•·]\s*){3,}"), _lead_only, anywhere=True, family="rule"
    ),  # "---------"
    Furniture(
        re.compile(r"(?:[A-Z]{2,}\s+){1,3}[A-Z]{2,}\s*$"), _signature, family="signature"
    ),  # "DINI TEJA"
    # A list header and the list after it on the same line: "FOTO TERKAIT: - Selasa, ...".
    Furniture(
        re.compile(
            r"(?=[A-Z])(?i:"
            + "|".join(sorted(map(re.escape, BLOCK_HEADERS), key=len, reverse=True))
            + r")(?![\w-])\s*:?"
        ),
        _related_list,
        family="related",
    ),
    # Syndication: "Artikel ini telah tayang di Kompas.com dengan judul "...". Klik untuk baca:".
    Furniture(
        re.compile(
            r"Artikel ini (?:telah |sudah )?(?:lebih dulu |terlebih dahulu )?(?:tayang|naik|terbit|"
            r"dimuat|diterbitkan|ditayangkan) di\s*\S+(?P<titled>\s+dengan judul\s*:?)?"
        ),
        syndication_notice_end,
        family="syndication",
    ),
    # A photo caption at the start of a line, the paragraph glued after its credit.
    Furniture(
        re.compile(
            rf"^[^\n]{{0,{_CAPTION_MAX}}}?(?P<credit>{PHOTO_CREDIT})\.?(?=\s*[A-Z\"“]|\s*$)"
        ),
        _caption,
        family="caption",
    ),
    # A credit in brackets: "(Reporter: Shintia Rahma | Editor: Ignatia Maria)".
    Furniture(
        re.compile(r"\((?:Reporter|Penulis|Editor|Laporan|Pewarta|Wartawan|Sumber)\s*:[^()]*\)"),
        _lead_only,
        anywhere=True,
        family="byline",
    ),
    _INITIALS,
    Furniture(
        re.compile(
            r"\((?:[A-Z][a-z]{1,5}(?:\s*/\s*[A-Z][a-z]{1,5})+|[A-Z][a-z]+(?: [A-Z][a-z'’]+){1,3})\)"
            r"\s*$"
        ),
        _closing_mark,
        family="initials",
    ),
    # The outlet promoting its channels: "Ikuti WhatsApp Channel ...", "Akses ... Google News".
    Furniture(
        re.compile(
            r"(?:Simak|Ikuti|Follow|Gabung|Bergabung|Dapatkan|Pilih|Klik|Unduh|Download|Info|"
            r"Kunjungi|Jangan lupa|Yuk|Ayo|Mari|Akses|Baca berita|Update berita)\b"
        ),
        promotion_end,
        family="promotion",
    ),
    # Pointers to more news elsewhere: "Baca berita Wartakotalive.com lainnya di Google News.",
    # "Baca berita selengkapnya di sini."; "Simak informasi selengkapnya di bawah ini." leads on.
    Furniture(
        re.compile(
            r"(?:Baca|Simak|Dapatkan|Cek|Update|Akses)(?: juga)? "
            r"(?i:berita|artikel|informasi|update)\b(?: \S+){0,3}? "
            r"(?i:lainnya|terbaru|terkini|selengkapnya|menarik)\b[^.!?\n]{0,40}?"
            r"\bdi\b(?! bawah)[^.!?\n]{0,80}(?:[.!]|$)"
        ),
        _lead_only,
        family="promotion",
    ),
    # Footers: "© 2020 TRIBUNnews.com ...", "COPYRIGHT © ANTARA 2017", "Disclaimer : ...".
    Furniture(
        re.compile(
            r"(?:(?:COPYRIGHT|Copyright|Hak [Cc]ipta)\s*)?©|(?:COPYRIGHT|Copyright)\s+\d{4}"
        ),
        _footer_end,
        family="footer",
    ),
    Furniture(re.compile(r"Disclaimer\s*:"), _footer_end, anywhere=True, family="footer"),
    # The comment box speaking to the reader: "Periksa kembali dan lengkapi data dirimu."
    Furniture(
        re.compile(
            r"(?=[A-Z])[^.!?\n]{0,200}?(?:lengkapi data dirimu|[Dd]ata dirimu akan digunakan untuk"
            r"|#\w*[Bb]erkomentar\b)"
        ),
        _to_sentence_end,
        family="comment box",
    ),
)


def _at_boundary(text: str, position: int) -> bool:
    """Whether a sentence or a glued paragraph can start at `position`."""
    return position == 0 or _BOUNDARY_BEFORE.search(text, 0, position) is not None


def _spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, family) of every furniture item in `text`, in order, not overlapping.

    An item that must start where a sentence does may also start right where another item
    ends: "... dengan judul Klaim JKP Melonjak Simak breaking news ..." has no full stop.
    """
    found: list[tuple[int, int, bool, str]] = []
    for kind in FURNITURE:
        for match in kind.lead.finditer(text):
            end = kind.extent(text, match)
            if end is not None:
                free = kind.anywhere or _at_boundary(text, match.start())
                found.append((match.start(), end, free, kind.family))
    spans: list[tuple[int, int, str]] = []
    for start, end, free, family in sorted(found, key=lambda item: (item[0], -item[1])):
        if spans and start < spans[-1][1]:
            if free and end > spans[-1][1]:
                spans[-1] = (spans[-1][0], end, spans[-1][2])
        elif free or (spans and not text[spans[-1][1] : start].strip()):
            spans.append((start, end, family))
    return spans


def split_furniture(line: str) -> list[str]:
    """`line` cut into the text around each furniture item and the items themselves, in order.

    The text between two items is looked at again: an item may close a line only once what
    followed it is gone ("... dilakukan. DINI TEJA Disclaimer : ...").
    """
    spans = _spans(line)
    if not spans:
        return [line.strip()] if line.strip() else []
    pieces: list[str] = []
    position = 0
    for start, end, _ in spans:
        pieces += [*split_furniture(line[position:start]), line[start:end].strip()]
        position = end
    return pieces + split_furniture(line[position:])


def furniture_family(piece: str) -> str | None:
    """The family of the furniture item that `piece` is from end to end (as `split_furniture`
    leaves it), or None when it is not one."""
    spans = _spans(piece)
    return spans[0][2] if spans and spans[0][:2] == (0, len(piece)) else None


def is_end_mark(piece: str) -> bool:
    """The editor's initials, perhaps with tag words after them: the article ends here."""
    match = _INITIALS.lead.match(piece)
    return match is not None and _INITIALS.extent(piece, match) == len(piece)
