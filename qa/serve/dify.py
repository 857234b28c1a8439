"""Dify's External Knowledge API: `POST /retrieval`, so that a Dify app uses the corpus as a
knowledge base with nothing to write.

Request, response and error codes are those of Dify's "External Knowledge API" page. The key
is the server's API key (`Authorization: Bearer <QA_API_KEY>`), checked and throttled as for
writes (qa/serve/auth.py); the knowledge id is a setting. Errors are `{"error_code", "error_msg"}`
(rendered by qa/serve/app.py): 1001 a malformed Authorization header, 1002 a wrong or missing key
(both 403), 2001 an unknown knowledge id (404); other errors carry their HTTP status as the
code (422, 429, 500).
"""

import math
import operator
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Request, status
from pydantic import BaseModel, Field

from qa import settings
from qa.filters import Filters
from qa.search.answer import decide
from qa.search.query import Query
from qa.search.retrieval import Hit
from qa.search.status import is_status_question, standing
from qa.serve.api import ServiceDep
from qa.serve.auth import check_bearer
from qa.serve.schemas import MAX_SOURCE, Question

PATH = "/retrieval"
POOL = 50  # passages searched when metadata conditions may drop some after retrieval

Operator = Literal[
    "contains",
    "not contains",
    "start with",
    "end with",
    "is",
    "is not",
    "in",
    "not in",
    "empty",
    "not empty",
    "=",
    "≠",
    ">",
    "<",
    "≥",
    "≤",
    "before",
    "after",
]


class RetrievalSetting(BaseModel):
    top_k: Annotated[int, Field(ge=0, le=POOL, description="Most records to return.")]
    score_threshold: Annotated[
        float, Field(ge=0, le=1, description="Least score a record needs; 0.0 when disabled.")
    ]


Short = Annotated[str, Field(max_length=MAX_SOURCE)]


class Condition(BaseModel):
    name: Annotated[
        str,
        Field(max_length=MAX_SOURCE, description="A metadata key of the records, e.g. source."),
    ]
    comparison_operator: Operator
    value: Short | float | Annotated[list[Short], Field(max_length=100)] | None = None


class MetadataCondition(BaseModel):
    logical_operator: Literal["and", "or"] | None = "and"
    conditions: Annotated[list[Condition], Field(max_length=100)] | None = None


class RetrievalRequest(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "knowledge_id": settings.SETTINGS["knowledge_id"].default,
                    "query": "Apa status proposal OSH yang diajukan ke Korea?",
                    "retrieval_setting": {"top_k": 3, "score_threshold": 0.5},
                }
            ]
        }
    }

    knowledge_id: Short
    query: Question
    retrieval_setting: RetrievalSetting
    metadata_condition: MetadataCondition | None = None


class Record(BaseModel):
    content: str
    score: float
    title: str
    metadata: dict[str, str]


class RetrievalResponse(BaseModel):
    records: list[Record]


class DifyErrorOut(BaseModel):
    error_code: int
    error_msg: str


class DifyError(HTTPException):
    """An error with Dify's application-level `error_code`."""

    def __init__(self, status_code: int, code: int, message: str):
        super().__init__(status_code, message)
        self.code = code


def error_body(status_code: int, message: str, code: int | None = None) -> dict:
    """Dify's error shape; an error without a Dify code carries its HTTP status."""
    return {"error_code": code or status_code, "error_msg": message}


def require_dify_key(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> None:
    """The API key, as Dify sends it: `Authorization: Bearer <key>`; a client throttled for
    wrong keys gets 429 with Retry-After (error_code 429)."""
    match check_bearer(request, authorization):
        case "malformed":
            raise DifyError(
                status.HTTP_403_FORBIDDEN,
                1001,
                "Invalid Authorization header format. Expected 'Bearer <api-key>' format.",
            )
        case "disabled":
            raise DifyError(
                status.HTTP_403_FORBIDDEN,
                1002,
                "Authorization failed: the server has no API key; start it with QA_API_KEY "
                "set and enter that key in Dify.",
            )
        case "wrong":
            raise DifyError(
                status.HTTP_403_FORBIDDEN, 1002, "Authorization failed. Please check your API key."
            )


router = APIRouter(
    responses={
        403: {"model": DifyErrorOut},
        429: {"model": DifyErrorOut},
        404: {"model": DifyErrorOut},
        422: {"model": DifyErrorOut},
    }
)


@router.post(PATH, response_model=RetrievalResponse, dependencies=[Depends(require_dify_key)])
def retrieval(body: RetrievalRequest, request: Request, service: ServiceDep) -> RetrievalResponse:
    """Dify's external knowledge retrieval: the passages best matching `query`, as records."""
    knowledge_id = request.app.state.knowledge_id
    if body.knowledge_id != knowledge_id:
        raise DifyError(
            status.HTTP_404_NOT_FOUND,
            2001,
            f"The knowledge does not exist: this server's knowledge id is {knowledge_id!r}.",
        )
    setting = body.retrieval_setting
    if setting.top_k == 0:
        return RetrievalResponse(records=[])
    conditions = body.metadata_condition
    check = _matcher(conditions)
    asks_status = is_status_question(body.query)
    wanted = POOL if asks_status or (conditions and conditions.conditions) else setting.top_k
    hits, spans = service.search(body.query, k=wanted, filters=_pushed_down(conditions))
    as_of, roles = _standing(body.query, hits) if asks_status else ("", {})
    lead = {passage_id: n for n, passage_id in enumerate(roles)}  # the answers, latest first
    hits = sorted(hits, key=lambda hit: lead.get(hit.passage.id, len(lead)))
    records = []
    for hit in hits:
        passage = hit.passage
        sentence = spans.get(passage.id)
        metadata = {
            "article_id": passage.article_id,
            "passage_id": passage.passage_id,
            "source": passage.source,
            "published": passage.published or "",
            "url": passage.url or "",
            "language": passage.language,
            "sentence": passage.text[sentence[0] : sentence[1]] if sentence else "",
            "also_in": ", ".join(copy.source or copy.title for copy in hit.also_in),
            "as_of": as_of,
            "standing": roles.get(passage.id, ""),
        }
        score = round(relevance(hit.score), 6)
        if score >= setting.score_threshold and check(metadata):
            records.append(
                Record(content=passage.text, score=score, title=passage.title, metadata=metadata)
            )
    return RetrievalResponse(records=records[: setting.top_k])


def _standing(query: str, hits: list[Hit]) -> tuple[str, dict[int, str]]:
    """For a status query (qa/search/status.py): the date the latest answer holds as of, and
    which passages hold it ("latest") and the older answers ("earlier"), the latest first."""
    asked = Query.of(query)  # no vector: the hybrid hits carry their sentences' similarities
    now = standing(asked, decide(asked, hits))
    if now is None:
        return "", {}
    roles = {now.latest.hit.passage.id: "latest"}
    roles |= {e.hit.passage.id: "earlier" for e in now.earlier}
    return (now.as_of.isoformat() if now.as_of else ""), roles


def relevance(logit: float) -> float:
    """The hybrid ranking's score (qa/search/ranking.py: the logit of its model that a passage is
    relevant) as the 0-1 score Dify thresholds and ranks by."""
    return 1.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0)))


# -- metadata conditions ------------------------------------------------------------------------

_TEXT_TESTS: dict[str, Callable[[str, Any], bool]] = {
    "contains": lambda have, want: str(want).lower() in have.lower(),
    "not contains": lambda have, want: str(want).lower() not in have.lower(),
    "start with": lambda have, want: have.lower().startswith(str(want).lower()),
    "end with": lambda have, want: have.lower().endswith(str(want).lower()),
    "is": lambda have, want: have.lower() == str(want).lower(),
    "is not": lambda have, want: have.lower() != str(want).lower(),
    "in": lambda have, want: have.lower() in {str(w).lower() for w in _listed(want)},
    "not in": lambda have, want: have.lower() not in {str(w).lower() for w in _listed(want)},
    "empty": lambda have, want: not have,
    "not empty": lambda have, want: bool(have),
}
_ORDERED = {
    "=": operator.eq,
    "≠": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
    "≥": operator.ge,
    "≤": operator.le,
    "before": operator.lt,
    "after": operator.gt,
}


def _listed(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _holds(condition: Condition, metadata: dict[str, str]) -> bool:
    """One condition on a record's metadata; dates compare as dates, numbers as numbers."""
    have = metadata.get(condition.name, "")
    test = _TEXT_TESTS.get(condition.comparison_operator)
    if test is not None:
        return test(have, condition.value)
    left, right = _comparable(have), _comparable(condition.value)
    if left is None or right is None or type(left) is not type(right):
        return False
    return _ORDERED[condition.comparison_operator](left, right)


def _comparable(value: Any) -> date | float | None:
    """A date or a number from a metadata value, or None if it is neither."""
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return None


def _matcher(condition: MetadataCondition | None) -> Callable[[dict[str, str]], bool]:
    """Whether a record's metadata meets the request's conditions (all, or any with "or")."""
    if condition is None or not condition.conditions:
        return lambda metadata: True
    combine = any if condition.logical_operator == "or" else all
    conditions = condition.conditions
    return lambda metadata: combine(_holds(c, metadata) for c in conditions)


def _pushed_down(condition: MetadataCondition | None) -> Filters:
    """The conditions the search's own filters can apply (outlet, dates, language), so that
    a narrow condition still finds top_k records; all of them are checked again after."""
    if condition is None or not condition.conditions or condition.logical_operator == "or":
        return Filters()
    fields: dict[str, Any] = {}
    for c in condition.conditions:
        if c.name in ("source", "language") and c.comparison_operator == "is":
            fields[c.name] = str(c.value)
        day = _comparable(c.value) if c.name == "published" else None
        if isinstance(day, date):
            since, until = _DAY_BOUNDS.get(c.comparison_operator, (None, None))
            if since is not None:
                fields["since"] = day + timedelta(days=since)
            if until is not None:
                fields["until"] = day + timedelta(days=until)
    return Filters(**fields)


# Operator on a publication date -> (since, until) as days from that date; None: no bound.
_DAY_BOUNDS = {
    "is": (0, 0),
    "=": (0, 0),
    "≥": (0, None),
    "after": (1, None),
    ">": (1, None),
    "≤": (None, 0),
    "before": (None, -1),
    "<": (None, -1),
}
