"""A question's timeline: the stories that answer it, one entry each, in the order they ran.

Each entry is the story's best answering passage (`qa.search.status.evidence`) with its answer
sentence; retrieval already shows a story carried by several outlets once, from its best
ranked copy, with the others in `also_in`. Undated stories come last.
"""

from qa.filters import NO_FILTERS, Filters
from qa.index.reader import Index
from qa.search.retrieval import Mode
from qa.search.status import Evidence, answering_pool, by_date, evidence


def timeline(
    index: Index, question: str, mode: Mode = Mode.hybrid, filters: Filters = NO_FILTERS
) -> list[Evidence]:
    """The stories that answer `question`, the oldest first."""
    found = evidence(question, answering_pool(index, question, mode, filters))
    return by_date(found, newest_first=False)
