"""Which articles a query may return: one outlet, a date range, a language."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Filters:
    """Restrict results to articles from one outlet, a date range, a language.

    An article without a publication date passes no date bound.
    """

    source: str | None = None
    since: date | None = None
    until: date | None = None
    language: str | None = None

    def __bool__(self) -> bool:
        return any((self.source, self.since, self.until, self.language))


NO_FILTERS = Filters()
