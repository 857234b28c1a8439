"""Headlines and sentence ends in running text, for cutting furniture out of a line.

Related-article links ("Baca juga: <headline>"), video teasers and syndication notices carry a
headline that a scraper may glue to the next paragraph, on the same line and sometimes without
a space ("...Layak-Pelindungan PekerjaKehadiran saya..."). Indonesian headlines are in title
case, apart from short function words ("di", "dan", "saat"); the article's sentences are not.
"""

import re

from qa.text.sentences import CLOSERS, TERMINATORS

# Words an Indonesian (or English) headline leaves in lower case.
FUNCTION_WORDS = frozenset(
    """
    di ke dari pada kepada oleh dan atau serta yang untuk dengan bagi tentang terhadap dalam
    antara seperti yakni yaitu melalui lewat via sebagai hingga sampai karena bahwa akan para
    sang si saat soal usai jelang pasca tak tidak bukan jadi ini itu pun ala vs per demi agar
    jika bila kalau juga masih sudah telah belum bisa lagi hanya ada ya kok sih nih lho
    of the and to in on for with by at from a an as is
    """.split()
)
# Headers that open a list of headlines: related articles, sidebars, tags.
BLOCK_HEADERS = frozenset(
    {
        "berita terkait", "artikel terkait", "baca juga", "lihat juga",
        "simak juga", "terpopuler", "populer", "berita populer", "pilihan", "pilihan editor",
        "terkini", "berita terkini", "terbaru", "berita terbaru", "update", "selengkapnya",
        "berita lainnya", "rekomendasi", "video pilihan", "topik", "topik terkait", "tag",
        "tags", "trending", "most popular", "related", "related articles", "read more",
        "read also", "foto terkait", "video terkait", "berita rekomendasi", "artikel lainnya",
    }
)  # fmt: skip
# Brand names written with a capital inside the word, which is not where two paragraphs meet.
CAMEL_WORDS = frozenset(
    """
    WhatsApp YouTube TikTok LinkedIn PlayStation PowerPoint JavaScript FaceTime PayPal
    DeepSeek MacBook AirPods BlackBerry McDonald GoPay GoFood GoRide GoCar GoSend OpenSea
    SpaceX CoinMarketCap SmartTV HarmonyOS
    """.split()
)
# Words that open a sentence of the article after a headline glued before it.
SENTENCE_OPENERS = frozenset(
    """
    menurut saat sementara adapun namun tetapi selain sebelumnya kemudian lalu dalam pada dengan
    bagi untuk meski meskipun walaupun karena hal ia dia mereka kami kita saya ini itu setelah
    sejak hingga berdasarkan sedangkan bahkan selanjutnya sebelum ketika sebagai seperti terkait
    sebab jika apabila bila oleh kepada atas usai begitu tak tidak padahal sehingga maka pihaknya
    sebanyak akibatnya hasilnya simak ikuti baca lihat dapatkan klik pilih gabung
    """.split()
)
_PASSIVE_OPENER = re.compile(r"^Di[a-z]{2,}(?:kan|i)$|^Di(?:lansir|kutip)$")
HEADLINE_MAX_WORDS = 25
HEADLINE_MAX_CHARS = 200
_RUN_MAX_WORDS = 3 * HEADLINE_MAX_WORDS  # a label may head a few headlines in a row
OPEN_QUOTES = "\"“'‘"
BULLETS = ("-", "–", "—", "•", "·", "*")
_CLOSE_QUOTE = {'"': '"', "“": "”", "'": "'", "‘": "’"}
_TERMINATOR = rf"[{re.escape(TERMINATORS)}]+[{re.escape(CLOSERS)}]*"
# Where a sentence ends: terminators, then a space, the end, or a glued capital ("ini.Baca").
_SENTENCE_END = re.compile(rf"{_TERMINATOR}(?=\s|$|[A-Z\"“])")
# Two paragraphs glued without a space: a word or closer, then a capital or an opening quote.
_GLUE = re.compile(r"(?:(?<=[a-z0-9)\]?!.])|(?<=\S[\"”’]))(?=[A-Z][a-z]|[\"“][A-Z])")
_WORD = re.compile(r"\S+")
_NUMBERED = re.compile(r"\d{1,2}[.)]\s*[A-Z]")
_LETTER = re.compile(r"[^\W\d_]")


def sentence_end(text: str, start: int) -> int:
    """Where the sentence that starts at `start` ends (the end of `text` if it never does)."""
    match = _SENTENCE_END.search(text, start)
    return match.end() if match else len(text)


def is_title_word(word: str) -> bool:
    """A word a headline may hold: capitalised, a number, a symbol, or a small function word."""
    core = word.strip("\"'“”‘’()[],:;-–—.?!")
    if not core or not _LETTER.search(core[0]):
        return True
    return core[0].isupper() or core.lower() in FUNCTION_WORDS


def is_headline(line: str, min_words: int = 1) -> bool:
    """A headline: title case throughout, no closing period, at most HEADLINE_MAX_WORDS words."""
    words = line.split()
    return (
        min_words <= len(words) <= HEADLINE_MAX_WORDS
        and not line.endswith((".", ",", ";", ":"))
        and all(map(is_title_word, words))
        and any(word[0].isupper() for word in words)
    )


def is_stray_headline(line: str) -> bool:
    """A related article's headline without its label: in title case and long for a subheading
    ("Gelar Pelatihan Vokasi", "Head to Head Laholms FK vs Eskilsminne IF"), in two parts
    ("Banjir dan Longsor Terjang Cilacap, 1 Orang Tewas") or longer still; ending on a
    capitalised word or a number, not on "pun". Not a quotation, a list item ("1. ...",
    "• Hall 5: ..."), nor a heading with a colon ("Section 6 - Your Turn: Reading")."""
    words = line.split()
    last = words[-1] if words else ""
    return (
        is_headline(line, min_words=6)
        and (len(words) >= 8 or "," in line)
        and (last[:1].isupper() or last[:1].isdigit())
        and not line.startswith(tuple(OPEN_QUOTES) + BULLETS)
        and ":" not in line
        and not _NUMBERED.match(line)
    )


def glue_point(text: str, start: int, stop: int) -> int | None:
    """The first place in text[start:stop] where the next paragraph is glued on, if any."""
    for match in _GLUE.finditer(text, start, stop):
        word_start = text.rfind(" ", 0, match.start()) + 1
        word = _WORD.match(text, word_start)
        if word and (word.group().strip("\"“”'’,.") in CAMEL_WORDS or "/" in word.group()):
            continue  # "WhatsApp", and addresses: "https://.../0029VaFPbedB"
        return match.start()
    return None


def quoted_end(text: str, start: int) -> int:
    """The end of a quoted title opening at `start` (and of a colon after it), or `start`:
    "Simak Video "Penyakit Jantung Penyakit Orang Tua?"", "... dengan judul "...":"."""
    while start < len(text) and text[start].isspace():
        start += 1
    if start == len(text) or text[start] not in OPEN_QUOTES:
        return start
    close = text.find(_CLOSE_QUOTE[text[start]], start + 1)
    while close != -1 and text[close + 1 : close + 2].isalpha():  # an apostrophe: "Jum'at"
        close = text.find(_CLOSE_QUOTE[text[start]], close + 1)
    if close == -1:
        return start
    end = close + 1
    colon = re.match(r"\s*:", text[end:])
    return end + colon.end() if colon else end


def _opens_sentence(word: str) -> bool:
    """A capitalised word that opens a sentence rather than ends a headline: "Menurut", "Saat",
    "Menurutnya,", "Ditambahkan", or the start of a quotation. (A name does not tell: in "...
    Partai Nasdem ini pun ..." the sentence may start at any of the capitalised words.)"""
    if word[:1] in OPEN_QUOTES:
        return word[1:2].isupper()
    core = word.rstrip(",:;")
    return core[:1].isupper() and (
        core.lower() in SENTENCE_OPENERS
        or (word.endswith(",") and core.endswith("nya"))
        or _PASSIVE_OPENER.match(core) is not None
    )


def _title_run_end(text: str, start: int, stop: int, strict: bool) -> int:
    """The end of the title-case run from `start` (one or a few headlines). When lower-case prose
    follows on the same line, the run ends before the nearest word that opens a sentence; with
    none (or when `strict`) there is no telling where it ends, and none is found: better the
    headline left in than the article's first words cut out."""
    words = list(_WORD.finditer(text, start, stop))
    for number, word in enumerate(words[:_RUN_MAX_WORDS]):
        if is_title_word(word.group()):
            if re.search(_TERMINATOR + "$", word.group()):
                return word.end()  # "Sah!", "Kenapa?": a headline's own end
            continue
        for opener in range(number - 1, 0, -1):
            if not strict and _opens_sentence(words[opener].group()):
                return words[opener - 1].end()
        return start
    return stop if len(words) <= _RUN_MAX_WORDS else start  # a list of names, not headlines


def headline_end(text: str, start: int, strict: bool = False) -> int:
    """Where the headline that starts at `start` ends; `start` itself when there is none.

    It runs to the end of the line or to a paragraph glued on ("PekerjaKehadiran"), unless a
    sentence ends on the way: then the article goes on after it on the same line, and the
    headline is its title-case run. A quotation is the article's, not a headline.
    """
    while start < len(text) and text[start].isspace():
        start += 1
    if start == len(text) or text[start] in OPEN_QUOTES:
        return start
    glue = glue_point(text, start + 1, len(text))
    stop = glue if glue is not None else len(text)
    if stop - start <= HEADLINE_MAX_CHARS and not _SENTENCE_END.search(text, start, stop):
        return stop
    return _title_run_end(text, start, stop, strict)
