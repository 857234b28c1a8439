"""The answer: the sentence in the top passages that best answers the question, or none.

Candidate sentences come from the first few hits; each is scored by its own similarity to the
question (embedded at query time: a handful of short sentences), the share of the question's
terms it contains, and the rank of its passage. Confidence is a logistic model over the best
candidate's features, fitted on IDK-MRC's answerable and unanswerable questions
(`python benchmarks/retrieval.py --fit-confidence`); below the threshold there is no answer.
"""

import math
from dataclasses import dataclass

from qa import lexical
from qa.index import Index
from qa.retrieval import Hit

SHORT_SENTENCE = 60  # characters: a shorter best sentence is joined with its best neighbour


@dataclass(frozen=True)
class AnswerModel:
    """Sentence scoring weights and the confidence model (see module docstring)."""

    passages: int = 3
    lexical_weight: float = 0.3
    rank_penalty: float = 0.01
    intercept: float = -20.0
    sentence_coef: float = 20.0
    passage_coef: float = 6.0
    lexical_coef: float = 2.0
    threshold: float = 0.5


DEFAULT_MODEL = AnswerModel()


@dataclass(frozen=True)
class Answer:
    """The answer sentence(s) as a span of one hit's passage text."""

    hit: Hit
    start: int
    end: int
    similarity: float  # of the best sentence to the question
    overlap: float  # share of the question's terms in the best sentence
    confidence: float

    @property
    def text(self) -> str:
        return self.hit.chunk.text[self.start : self.end]


@dataclass(frozen=True)
class _Candidate:
    hit_rank: int
    sentence: int
    similarity: float
    overlap: float
    score: float


@dataclass
class Answering:
    """The best answer whatever its confidence, and each top passage's best sentence."""

    best: Answer | None
    highlights: dict[int, tuple[int, int]]  # chunk id -> span of its best sentence
    threshold: float

    @property
    def answer(self) -> Answer | None:
        """The best answer if it is confident enough, else None (no answer in the corpus)."""
        if self.best is None or self.best.confidence < self.threshold:
            return None
        return self.best


def answer_question(
    index: Index, question: str, hits: list[Hit], model: AnswerModel = DEFAULT_MODEL
) -> Answering:
    """Score the sentences of the top hits against the question and pick the answer."""
    top = hits[: model.passages]
    sentences = [
        (rank, number, hit.chunk.text[start:end])
        for rank, hit in enumerate(top)
        for number, (start, end) in enumerate(hit.chunk.sentences)
    ]
    if not sentences:
        return Answering(None, {}, model.threshold)
    query_vector = index.embedder.encode_queries([question])[0]
    similarities = index.embedder.encode_passages([text for _, _, text in sentences]) @ query_vector
    terms = set(lexical.tokenize(question))
    candidates = []
    for (rank, number, text), similarity in zip(sentences, similarities, strict=True):
        overlap = _overlap(terms, text)
        score = similarity + model.lexical_weight * overlap - model.rank_penalty * rank
        candidates.append(_Candidate(rank, number, float(similarity), overlap, float(score)))
    highlights = {}
    for rank, hit in enumerate(top):
        own = [c for c in candidates if c.hit_rank == rank]
        if own:
            highlights[hit.chunk.id] = _span(hit, max(own, key=_score), own)
    best = max(candidates, key=_score)
    hit = top[best.hit_rank]
    start, end = highlights[hit.chunk.id]
    features = confidence_features(best.similarity, hit.dense, best.overlap)
    answer = Answer(hit, start, end, best.similarity, best.overlap, confidence(features, model))
    return Answering(answer, highlights, model.threshold)


def lexical_highlight(query: str, hit: Hit) -> tuple[int, int] | None:
    """The sentence of a passage sharing most terms with the query (cheap: no embedding)."""
    terms = set(lexical.tokenize(query))
    spans = hit.chunk.sentences
    overlaps = [_overlap(terms, hit.chunk.text[start:end]) for start, end in spans]
    if not overlaps or max(overlaps) == 0:
        return None
    return spans[overlaps.index(max(overlaps))]


def _score(candidate: _Candidate) -> float:
    return candidate.score


def confidence_features(similarity: float, passage: float, overlap: float) -> list[float]:
    """The confidence model's inputs, in the order of its coefficients."""
    return [similarity, passage, overlap]


def confidence(features: list[float], model: AnswerModel) -> float:
    """Probability that the answer is right, from the logistic model."""
    coefficients = (model.sentence_coef, model.passage_coef, model.lexical_coef)
    logit = model.intercept + sum(c * f for c, f in zip(coefficients, features, strict=True))
    return 1.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0)))


def _overlap(terms: set[str], sentence: str) -> float:
    """Share of the question's terms that occur in the sentence."""
    if not terms:
        return 0.0
    return len(terms & set(lexical.tokenize(sentence))) / len(terms)


def _span(hit: Hit, best: _Candidate, own: list[_Candidate]) -> tuple[int, int]:
    """The best sentence, joined with its better neighbour when it is very short."""
    spans = hit.chunk.sentences
    start, end = spans[best.sentence]
    if end - start >= SHORT_SENTENCE:
        return start, end
    scores = {c.sentence: c.score for c in own}
    neighbours = [n for n in (best.sentence - 1, best.sentence + 1) if n in scores]
    if not neighbours:
        return start, end
    other = max(neighbours, key=lambda n: scores[n])
    return min(start, spans[other][0]), max(end, spans[other][1])
