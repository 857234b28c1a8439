"""The outlet pointing the reader elsewhere, inside a line: a syndication notice ("Artikel ini
telah tayang di ...") and promotions of its channels ("Ikuti WhatsApp Channel ...", "Simak
berita ... di Google News", "... Klik di Sini"), with the install reminders that follow.

Each function is the extent of one kind of furniture in `qa.ingest.readers.inline`: given
where it starts, where it ends (None: it is prose after all).
"""

import re

from qa.ingest.readers.headlines import headline_end, quoted_end, sentence_end

# Where the syndicated article can be read: "Klik untuk baca: <url>", "Selengkapnya klik di sini."
_READ_THERE = re.compile(r"[.,]?\s*(?:Klik untuk baca\s*:?\s*\S+|Selengkapnya klik di ?sini\.?)")


def syndication_notice_end(text: str, match: re.Match[str]) -> int:
    """A syndication notice: Artikel ini telah tayang di X dengan judul "...". Klik untuk
    baca: <url>."""
    if match["titled"]:
        end = max(quoted_end(text, match.end()), headline_end(text, match.end()))
    else:
        end = sentence_end(text, match.end())
    link = _READ_THERE.match(text, end)
    return link.end() if link else end


# A promotion of the outlet's channels: an order to the reader that names a channel and the news.
_PROMO_CHANNEL = re.compile(
    r"WhatsApp|Google News|Telegram|\bsaluran\b|\b[Cc]hannel\b|\bponsel(?:mu)?\b|notifikasi|"
    r"\bklik di ?sini\b",
    re.IGNORECASE,
)
_PROMO_NEWS = re.compile(
    r"\bberita\b|\bnews\b|\bupdate\b|\bartikel\b|https?://|[Cc]hannel\s+[A-Z]|\bkami\b",
    re.IGNORECASE,
)
# The link a promotion ends with, as a sentence of its own: "Klik di Sini", "klik link ini."
_CLICK_HERE = re.compile(r"\s*[Kk]lik (?:di ?[Ss]ini|link ini)\b[.!]?")
# What the reader is told after the promotion: to install the app.
PROMO_FOLLOW_UP = re.compile(
    r"^(?:Pastikan|Anda|Kamu|Caranya|Lalu|Kemudian)\b.*\b(?:install|instal|aplikasi|join)\b",
    re.IGNORECASE,
)


def _is_promotion(sentence: str) -> bool:
    """Whether a sentence names a channel and the news: the outlet promoting itself."""
    return bool(_PROMO_CHANNEL.search(sentence) and _PROMO_NEWS.search(sentence))


def promotion_end(text: str, match: re.Match[str]) -> int | None:
    """Channel promotions ("Ikuti WhatsApp Channel ...", "Simak berita ... di Google News"),
    with the install reminders that follow; an order about WhatsApp in a how-to is prose."""
    end = sentence_end(text, match.start())
    title_end = headline_end(text, match.start())
    if match.start() < title_end < end and _is_promotion(text[match.start() : title_end]):
        end = title_end  # "Ikuti WhatsApp Channel Republika", and the next sentence after it
    if click := _CLICK_HERE.match(text, end):
        end = click.end()  # "... setiap hari dari Kompas.com. Klik di Sini"
    if not _is_promotion(text[match.start() : end]):
        return None
    while end < len(text):
        start = end + len(text[end:]) - len(text[end:].lstrip())
        following = sentence_end(text, start)
        sentence = text[start:following]
        if not (_is_promotion(sentence) or PROMO_FOLLOW_UP.match(sentence)):
            break
        end = following
    return end
