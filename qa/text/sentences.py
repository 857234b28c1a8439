"""Rule-based sentence splitting for Indonesian and English news, as character spans.

A line break always ends a sentence. Inside a line, a candidate boundary is a run of
terminators (``.``, ``?``, ``!``, ``…``) with any closing quotes or brackets glued to it,
followed by whitespace. A candidate is vetoed when

- the next word starts in lower case or with ``, ; : ) -`` (``"...?" tanya dia``, ``dll. dan``);
- the word before a single period is an abbreviation that does not end a sentence
  (``Dr.``, ``Jl.``, ``dok.``, ``vs.``), a dotted abbreviation (``S.H.``, ``M.Si.``, ``e.g.``,
  ``a.n.``), an initial (``Anwar S. Sanusi``), or one that stands before a number and does
  (``No. 13``, ``Rp. 1,5 juta``, ``hal. 5``);
- the sentence so far is only a list marker (``1.``, ``a.``, ``IV.``) or has no letter or digit.

Periods with no whitespace after them never split, which keeps decimals (``3.5``), thousands
(``1.000``), dates (``15/7/2022``), URLs, e-mail addresses and ``Liputan6.com`` whole.
``etc.``, ``dll.``, ``dsb.``, ``dst.``, ``tsb.`` and ``dkk.`` are ordinary words here: they end a
sentence when the next word is capitalised and not when it is lower case.
"""

import re

TERMINATORS = ".!?…"
CLOSERS = "\"'”’»)]}"
OPENERS = "\"'“‘«([{"

_LINE = re.compile(r"[^\n\r\u2028\u2029]+")
_CANDIDATE = re.compile(rf"[{re.escape(TERMINATORS)}]+[{re.escape(CLOSERS)}]*(?=\s)")
_ALNUM = re.compile(r"[^\W_]")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")
_LIST_MARKER = re.compile(r"\d{1,3}|[^\W\d_]|[IVXivx]{1,5}")
_CONTINUATION = ",;:)]}-–—"
_DOMAINS = frozenset("com net org gov edu id co io uk sg my jp kr au".split())

# Never end a sentence: titles, ranks, addresses and words that always precede something.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr drg prof ir h hj kh drs dra bpk sdr sdri yth tn ny nn st sr mt muh moh
    mgr pdt ust tgk pj plt plh pt purn letjend skt
    gen lt col capt maj sgt adm gov sen rep rev hon comr insp supt kol jend kapt brig lett
    jl jln gg kav kec kab kel kp kep ds prov dok vs cf al sdn
    """.split()
)
# End no sentence when a number follows: "No. 13", "Rp. 1,5 juta", "hal. 5", "Sept. 5".
BEFORE_NUMBER = frozenset(
    """
    no nos nomor rp hal hlm vol pp p tgl thn jo art fig c ca
    jan feb mar apr jun jul aug agu agt sep sept oct okt nov dec des
    """.split()
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans (start, end) of the sentences in `text`, in order.

    `text[start:end]` is a sentence without surrounding whitespace; together the spans
    cover every non-whitespace character of `text`.
    """
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        start = line.start()
        for cut in _cuts(text, line.start(), line.end()):
            _append_stripped(spans, text, start, cut)
            start = cut
        _append_stripped(spans, text, start, line.end())
    return spans


def _cuts(text: str, begin: int, end: int) -> list[int]:
    """Positions inside text[begin:end] where one sentence ends and the next begins."""
    cuts: list[int] = []
    sentence_start = begin
    for match in _CANDIDATE.finditer(text, begin, end):
        nxt = _skip_space(text, match.end(), end)
        if nxt >= end:
            break  # only whitespace follows: the line ends the sentence anyway
        if _is_boundary(text, sentence_start, match.start(), match.end(), text[nxt]):
            cuts.append(match.end())
            sentence_start = match.end()
    return cuts


def _is_boundary(text: str, sentence_start: int, stop: int, after: int, following: str) -> bool:
    """Whether the terminator run text[stop:after] ends the sentence begun at sentence_start."""
    if following.islower() or following in _CONTINUATION:
        return False
    if not _ALNUM.search(text, sentence_start, stop):
        return False  # only punctuation so far: "... Lalu"
    word_start = stop
    while word_start > sentence_start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:stop].lstrip(OPENERS)
    if _skip_space(text, sentence_start, stop) == word_start and _LIST_MARKER.fullmatch(word):
        return False  # "1. Pendahuluan", "a. Pertama"
    if text[stop:after].rstrip(CLOSERS) != "." or not word:
        return True
    return not _is_abbreviation(word, following)


def _is_abbreviation(word: str, following: str) -> bool:
    """Whether `word` followed by a period and then `following` is an abbreviation."""
    lower = word.lower()
    if lower in ABBREVIATIONS:
        return True
    if _DOTTED.fullmatch(word) and lower.rsplit(".", 1)[-1] not in _DOMAINS:
        return True  # "S.H.", "M.Si.", "e.g.", "a.n.", but not "bbc.com"
    if len(word) == 1 and word.isupper():
        return True  # an initial: "J. Smith", "Anwar S. Sanusi"
    return lower in BEFORE_NUMBER and following.isdigit()


def _skip_space(text: str, position: int, end: int) -> int:
    while position < end and text[position].isspace():
        position += 1
    return position


def _append_stripped(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
