"""News outlets: their datelines ("Liputan6.com, Jakarta -") and their names as we cite them."""

import re
from dataclasses import dataclass

# Names that the case rule below would get wrong.
_NAMES = {
    "cnnindonesia.com": "CNN Indonesia",
    "jpnn.com": "JPNN.com",
    "rm.id": "RM.id",
}
# Second-level labels under a country's domain: "viva.co.id", "antaranews.or.id".
_SECOND_LEVEL = frozenset("co or ac go net web my sch com org".split())
_HOST = re.compile(r"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
_TLD = r"(?i:com|id|net|org|co\.id|or\.id|news|tv|co)\b"
_DOMAIN = rf"[A-Za-z][A-Za-z0-9-]*\.{_TLD}"
_DASH = r"[-–—]{1,2}"  # "-", "--" (Republika), "–", "—"
# After the dash: a space, the end of the line, or the article glued on ("Bandung -Bupati").
_AFTER_DASH = r"(?:\s+|$|(?=[A-Z\"“]))"
# "TRIBUNNEWS.COM, INDORE - ", "Suara.com - ", "INDOPOSCO.ID – ", "Liputan6.com, Jakarta - ",
# "KOMPAS.com-WhatsApp ..."
_OUTLET_FIRST = re.compile(
    rf"^(?P<outlet>{_DOMAIN})\b(?:\s*,\s*(?P<place>[A-Z][^,\-–—\n]{{0,40}}?))?\s*{_DASH}{_AFTER_DASH}",
)
# "Liputan6.com, Jakarta Sekretaris ...": the dash lost in scraping, so the place is one word
# (or a run of capitals: "TRIBUNNEWS.COM, BANDAR LAMPUNG Pemerintah ..."), perhaps glued to the
# article ("Liputan6.com, JakartaKita semua ...").
_OUTLET_PLACE = re.compile(
    rf"^(?P<outlet>{_DOMAIN}),\s*(?P<place>[A-Z]{{2,}}(?:\s+[A-Z]{{2,}})*\s+|[A-Z][a-z]+"
    r"(?:\s+|(?=[A-Z][a-z])))(?=\S)",
)
# "JAKARTA, KOMPAS.com - ", "JAKARTA,KOMPAS.com -" and "Jakarta (ANTARA) - ", "(ANTARA News)"
_PLACE_FIRST = re.compile(
    rf"^(?P<place>[A-Z][A-Za-z. ]{{1,30}}?)"
    rf"(?:,\s*(?P<outlet>{_DOMAIN})|\s*\((?P<agency>[A-Z]{{3,}}(?:\s+[A-Z][a-z]+)?)\))"
    rf"\s*{_DASH}{_AFTER_DASH}",
)
# "Jakarta - ", "Cianjur -", "JAKARTA– ": a place alone (detik, okezone); the dash is spaced or
# long, so "Rusia-Ukraina" is no dateline.
_PLACE_ONLY = re.compile(
    r"^(?P<place>[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2}|[A-Z]{3,}(?:\s[A-Z]{3,}){0,2})"
    rf"(?:\s+{_DASH}|[–—]{{1,2}}){_AFTER_DASH}",
)
# The same datelines after a photo caption or a headline on the same line (strict form: a dash
# is required, and the outlet or the place in capitals): "... (4/6/2024). TRIBUNNEWS.COM - ".
_INLINE = re.compile(
    rf"(?<=[.)\s])(?:(?P<outlet>{_DOMAIN}),\s*(?P<place>[A-Z][A-Z ]{{1,30}}?)"
    rf"|(?P<capitals>[A-Z][A-Z0-9]+\.{_TLD}))\s*{_DASH}\s+"
)
_INLINE_WITHIN = 600  # characters: a dateline further into a line is the article's text
# Layouts without a dateline that give the outlet away.
_LAYOUTS = (
    (re.compile(r"\|\s*LAPORAN\s*:", re.IGNORECASE), "Rmol.id"),
    # detik's video embed, and its note on an article first run by a sister site ("detikJabar")
    (
        re.compile(
            r"\[Gambas:Video 20detik\]|Artikel ini (?:telah|sudah)(?: lebih dulu)? (?:naik|tayang) "
            r"di\s*detik[A-Za-z]"
        ),
        "Detik.com",
    ),
)
# An article's own address on the page, and the publisher its privacy notice names.
_ADDRESS = re.compile(r"https?://(?P<host>[\w-]+(?:\.[\w-]+)+)/\S*?(?:19|20)\d\d/")
_ADDRESS_WITHIN = 1500  # characters: further down, an address is a link to another page
_PRIVACY_NOTICE = re.compile(
    r"agree with\s*(?P<name>[A-Z][\w.]*(?: [A-Z][\w.]*){0,3})['’]s\s*(?:Privacy|Terms)"
)


@dataclass
class Dateline:
    """Where the article proper starts on a line, and who wrote it from where."""

    outlet: str
    place: str
    start: int  # where the dateline starts on the line (0 unless a caption comes first)
    end: int  # where the article text starts on the line


def registered_domain(host: str) -> str:
    """The outlet's own domain in a host name: "lifestyle.okezone.com" -> "okezone.com",
    "en.tempo.co" -> "tempo.co", "ekonomi.bisnis.com" -> "bisnis.com", "life.viva.co.id" ->
    "viva.co.id"; sections and regional editions are sub-brands of the outlet."""
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2].lower() in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def outlet_name(raw: str) -> str:
    """The outlet as cited: "TRIBUNNEWS.COM" -> "Tribunnews.com", "suara.com" -> "Suara.com",
    "lifestyle.okezone.com" -> "Okezone.com"."""
    name = raw.strip().removeprefix("www.").removeprefix("WWW.")
    if _HOST.match(name):
        name = registered_domain(name)
    if name.lower() in _NAMES:
        return _NAMES[name.lower()]
    label, dot, rest = name.partition(".")
    if label.isupper() or label.islower():  # one case throughout: capitalise ("KOMPAS.com")
        label = label.capitalize()
    return f"{label}{dot}{rest.lower()}"


def find_dateline(line: str) -> Dateline | None:
    """The dateline that opens `line` (or follows a caption on it), if there is one."""
    for pattern in (_OUTLET_FIRST, _OUTLET_PLACE, _PLACE_FIRST, _PLACE_ONLY):
        if match := pattern.match(line):
            outlet = match.groupdict().get("outlet") or match.groupdict().get("agency") or ""
            name = outlet_name(outlet) if outlet else ""
            return Dateline(name, (match["place"] or "").strip(), 0, match.end())
    if match := _INLINE.search(line, 0, _INLINE_WITHIN):
        outlet = outlet_name(match["outlet"] or match["capitals"])
        return Dateline(outlet, (match["place"] or "").strip(), match.start(), match.end())
    return None


def outlet_from_layout(page: str) -> str:
    """The outlet of a page whose layout (header, embeds) is known to be one outlet's, else ""."""
    for pattern, outlet in _LAYOUTS:
        if pattern.search(page):
            return outlet
    return ""


def outlet_named_in(page: str) -> str:
    """The outlet a page without a dateline names elsewhere: its own address near the top
    (a one-line page dump: "Published on ... http://www.thejakartapost.com/business/..."), or
    its privacy notice ("By registering, you agree with The Jakarta Post's Privacy Policy")."""
    if address := _ADDRESS.search(page, 0, _ADDRESS_WITHIN):
        return outlet_name(address["host"])
    if notice := _PRIVACY_NOTICE.search(page):
        return outlet_name(notice["name"])
    return ""
