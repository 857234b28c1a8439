"""A question's timeline: the stories that answer it, one entry each, in the order they ran.

Each entry is the story's best answering passage (`qa.search.status.evidence`) with its answer
sentence; retrieval already shows a story carried by several outlets once, from its best
ranked copy, with the others in `also_in`. Undated stories come last.
"""

from qa.index.reader import Index
from qa.search.answer import ASK_OPTIONS
from qa.search.query import Query
from qa.search.retrieval import SearchOptions
from qa.search.status import Evidence, answering_pool, by_date, evidence


def timeline(index: Index, query: Query, options: SearchOptions = ASK_OPTIONS) -> list[Evidence]:
    """The stories that answer `query`, the oldest first."""
    found = evidence(query, answering_pool(index, query, options))
    return by_date(found, newest_first=False)
