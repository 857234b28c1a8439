"""News outlets: their datelines ("Liputan6.com, Jakarta -") and their names as we cite them."""

import re
from dataclasses import dataclass

# Names that the case rule below would get wrong.
_NAMES = {
    "cnnindonesia.com": "CNN Indonesia",
    "jpnn.com": "JPNN.com",
    "rm.id": "RM.id",
}
_TLD = r"(?i:com|id|net|org|co\.id|or\.id|news|tv|co)\b"
_DOMAIN = rf"[A-Za-z][A-Za-z0-9-]*\.{_TLD}"
_DASH = r"[-–—]"
# "TRIBUNNEWS.COM, INDORE - ", "Suara.com - ", "INDOPOSCO.ID – ", "Liputan6.com, Jakarta - "
_OUTLET_FIRST = re.compile(
    rf"^(?P<outlet>{_DOMAIN})\b(?:\s*,\s*(?P<place>[A-Z][^,\-–—\n]{{0,40}}?))?\s*{_DASH}(?:\s+|$)",
)
# "Liputan6.com, Jakarta Sekretaris ...": the dash lost in scraping, so the place is one word
# (or a run of capitals: "TRIBUNNEWS.COM, BANDAR LAMPUNG Pemerintah ...").
_OUTLET_PLACE = re.compile(
    rf"^(?P<outlet>{_DOMAIN}),\s*(?P<place>[A-Z]{{2,}}(?:\s+[A-Z]{{2,}})*|[A-Z][a-z]+)\s+(?=\S)",
)
# "JAKARTA, KOMPAS.com - " and "Jakarta (ANTARA) - "
_PLACE_FIRST = re.compile(
    rf"^(?P<place>[A-Z][A-Za-z. ]{{1,30}}?)"
    rf"(?:,\s*(?P<outlet>{_DOMAIN})|\s*\((?P<agency>[A-Z]{{3,}})\))\s*{_DASH}\s+",
)
# The same datelines after a photo caption on the same line (strict form: a dash is required).
_INLINE = re.compile(
    rf"(?<=[.)\s])(?P<outlet>{_DOMAIN}),\s*(?P<place>[A-Z][A-Z ]{{1,30}}?)\s*{_DASH}\s+"
)
# Layouts without a dateline that give the outlet away.
_LAYOUTS = ((re.compile(r"\|\s*LAPORAN\s*:", re.IGNORECASE), "Rmol.id"),)


@dataclass
class Dateline:
    """Where the article proper starts on a line, and who wrote it from where."""

    outlet: str
    place: str
    start: int  # where the dateline starts on the line (0 unless a caption comes first)
    end: int  # where the article text starts on the line


def outlet_name(raw: str) -> str:
    """The outlet as cited: "TRIBUNNEWS.COM" -> "Tribunnews.com", "suara.com" -> "Suara.com"."""
    name = raw.strip().removeprefix("www.").removeprefix("WWW.")
    if name.lower() in _NAMES:
        return _NAMES[name.lower()]
    label, dot, rest = name.partition(".")
    if label.isupper() or label.islower():  # one case throughout: capitalise ("KOMPAS.com")
        label = label.capitalize()
    return f"{label}{dot}{rest.lower()}"


def find_dateline(line: str) -> Dateline | None:
    """The dateline that opens `line` (or follows a caption on it), if there is one."""
    for pattern in (_OUTLET_FIRST, _OUTLET_PLACE, _PLACE_FIRST):
        if match := pattern.match(line):
            outlet = match["outlet"] or match.groupdict().get("agency") or ""
            return Dateline(outlet_name(outlet), (match["place"] or "").strip(), 0, match.end())
    if match := _INLINE.search(line):
        return Dateline(
            outlet_name(match["outlet"]), match["place"].strip(), match.start(), match.end()
        )
    return None


def outlet_from_layout(header: str) -> str:
    """The outlet of a page whose header layout is known to be one outlet's, else ""."""
    for pattern, outlet in _LAYOUTS:
        if pattern.search(header):
            return outlet
    return ""
