"""Which articles a query may return: one outlet, a date range, a language."""

from dataclasses import dataclass
from datetime import date

from qa.errors import InvalidFilters


@dataclass(frozen=True)
class Filters:
    """Restrict results to articles from one outlet, a date range, a language.

    An article without a publication date passes no date bound. A range that ends before it
    starts is refused here, the one check behind the API, the page, MCP, Dify and the CLI.
    """

    source: str | None = None
    since: date | None = None
    until: date | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise InvalidFilters(
                f"'since' ({self.since}) is after 'until' ({self.until}): no article can match"
            )

    def __bool__(self) -> bool:
        return any((self.source, self.since, self.until, self.language))


NO_FILTERS = Filters()
