"""Dates as Indonesian (and English) news pages write them.

"JUMAT, 10 SEPTEMBER 2021 | 11:43 WIB", "Jumat (21/7/2023)", "date 2023-07", "2023-07-21".
Impossible dates (31 February) are never returned: they are an error in front matter and
ignored in running text.
"""

import re
from collections.abc import Iterator
from datetime import date, datetime

MONTHS = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = (
    "senin selasa rabu kamis jumat jum'at sabtu minggu ahad "
    "monday tuesday wednesday thursday friday saturday sunday"
).split()

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(re.escape(day) for day in WEEKDAYS)
# "10 September 2021", "Jumat, 10 SEPTEMBER 2021", "10 Sep. 2021"
_FULL = re.compile(
    rf"\b(?:(?:{_WEEKDAY}),?\s+)?(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})\.?\s+(?P<year>\d{{4}})\b",
    re.IGNORECASE,
)
# A date and time as a page header or a sidebar writes it: "JUMAT, 10 SEPTEMBER 2021 | 11:43 WIB",
# "Kamis, 12 Februari 2026 | 02:33", "- Kamis, 05/11/2015 09:25 WIB" (a list's bullet first).
_TIMESTAMP = (
    rf"(?:[-–•·]\s*)?(?:(?:{_WEEKDAY}),?\s+)?"
    rf"(?:\d{{1,2}}\s+(?:{_MONTH})\.?\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{4}})"
    r"(?P<time>\s*[|,\-–]?\s*(?:pukul\s+)?\d{1,2}[:.]\d{2}(?:\s*(?:WIB|WITA|WIT))*)?"
)
# A whole line that is a date and time, perhaps followed by "| LAPORAN: ...".
_DATE_LINE = re.compile(rf"^\s*{_TIMESTAMP}(?P<rest>\s*\|.*)?\s*$", re.IGNORECASE)
# A date in figures and a time that open a line, as sidebars list headlines with their times
# ("04Kamis, 05/11/2015 09:21 WIB Penerus iPhone ..."); a schedule writes out the month.
_TIMESTAMP_START = re.compile(
    rf"^\s*\d{{0,2}}(?:[-–•·]\s*)?(?:(?:{_WEEKDAY}),?\s+)?\d{{1,2}}/\d{{1,2}}/\d{{4}}"
    r"\s*[|,\-–]?\s*\d{1,2}[:.]\d{2}(?:\s*(?:WIB|WITA|WIT))*",
    re.IGNORECASE,
)
# "(21/7/2023)", "(21/07/23)": the event date Indonesian leads put after the weekday.
_SLASH = re.compile(r"\((?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4}|\d{2})\)")
_DMY = re.compile(r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})")
_ISO = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?:[T ].*)?$")
# "date 2023-07" (a scraper's note of the publication month)
_HINT = re.compile(r"\bdate\s+(?P<year>\d{4})-(?P<month>\d{2})(?:-(?P<day>\d{2}))?\b")

# A page's own stamp: "Published on 2026-02-15T13:54:12+07:00", "Diterbitkan: 2024-06-03".
_STAMP = re.compile(
    r"\b(?:Published|Posted|Diterbitkan|Dipublikasikan)(?: on| pada)?\s*:?\s*"
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)"
    r"(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
STAMP_WITHIN = 1500  # characters from the top: further down, a stamp is another article's


# Years a news article can be from; any other is a typo (also the API's rule for `published`).
YEARS = range(1900, 2101)


def make_date(year: int, month: int, day: int) -> date | None:
    """The date, or None when it does not exist (30 February) or is out of any news range."""
    if year < 100:
        year += 2000
    if year not in YEARS:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _from_match(match: re.Match[str]) -> date | None:
    month = match["month"]
    number = MONTHS[month.lower()] if not month.isdigit() else int(month)
    return make_date(int(match["year"]), number, int(match["day"]))


def full_dates(text: str) -> Iterator[date]:
    """Every real "10 September 2021"-style date in `text`, in order."""
    for match in _FULL.finditer(text):
        if found := _from_match(match):
            yield found


def slash_dates(text: str) -> Iterator[date]:
    """Every real "(21/7/2023)"-style date in `text`, in order."""
    for match in _SLASH.finditer(text):
        if found := _from_match(match):
            yield found


def stamped(text: str) -> date | None:
    """The date a "Published on 2026-02-15T..." stamp near the top of `text` gives, if any."""
    match = _STAMP.search(text, 0, STAMP_WITHIN)
    return _from_match(match) if match else None


def stamp_span(text: str) -> tuple[int, int] | None:
    """Where the page's own "Published on ..." stamp (with its time) sits near the top, if any."""
    match = _STAMP.search(text, 0, STAMP_WITHIN)
    return match.span() if match else None


def is_date_line(line: str) -> bool:
    """Whether the whole line is a date (and time), perhaps followed by "| byline"."""
    return _DATE_LINE.match(line) is not None


def after_timestamp(line: str) -> str | None:
    """What follows a date in figures with its time that opens `line` ("Kamis, 05/11/2015
    09:25 WIB Ini Dia Tempat Terbasah di Dunia" gives the headline), or None when no such
    timestamp opens it: "Senin, 3 Juni 2024 Menaker ..." and "Rabu, 21 Mei 2025 07.30 WIB :
    Timberwolves vs Thunder" are the article's."""
    match = _TIMESTAMP_START.match(line)
    return line[match.end() :].strip() if match else None


def month_hint(text: str) -> tuple[int, int] | None:
    """(year, month) from a scraper's "date 2023-07" note, if there is one."""
    match = _HINT.search(text)
    if match and 1 <= int(match["month"]) <= 12:
        return int(match["year"]), int(match["month"])
    return None


def strip_hint(text: str) -> str:
    """`text` without the scraper's "date 2023-07" note."""
    return _HINT.sub("", text).strip()


def parse_date(value: str) -> date:
    """A date written as "2023-07-21", "21/7/2023" or "21 Juli 2023"; ValueError says why not."""
    text = value.strip()
    match = _ISO.match(text) or _DMY.fullmatch(text) or _FULL.fullmatch(text)
    if not match:
        raise ValueError(f"{value!r} is not a date; write it as YYYY-MM-DD")
    found = _from_match(match)
    if found is None:
        raise ValueError(f"{value!r} is not a real date; check the day and month")
    return found


def published_from(value: object) -> date | None:
    """A `published` field as YAML or JSON gives it: a date, a datetime, a string, or nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date(value)
    raise ValueError(f"{value!r} is not a date; write it as YYYY-MM-DD")
