"""The answer: the sentence of the top passages that best answers the question.

Retrieval (hybrid mode) has already compared every sentence of its best candidates with the
question, from the sentence vectors stored with the index. The answer is the best sentence of
the first few hits, scored by its similarity, the share of the question's terms it holds,
whether it offers the kind of answer asked for (a date for "kapan", a number for "berapa",
...) and its passage's rank. Confidence is a logistic model over the answer's features,
fitted on IDK-MRC's answerable and unanswerable questions (`python benchmarks/retrieval.py
--fit`); below the threshold the service says there is no answer and still lists the
passages. Where the bundled cross-encoder re-read the hits (`--reranker bundled`), its logit
is one more feature, of a model fitted with it (`--fit --reranker`): it tells a passage
written about the question from one that answers it far better than vectors do.
"""

import math
from dataclasses import dataclass, replace

import numpy as np

from qa.index.reader import Index
from qa.search.answer_types import offers
from qa.search.query import Query
from qa.search.retrieval import Hit, SearchOptions, search
from qa.text.terms import tokenize


@dataclass(frozen=True)
class Confidence:
    """How sure an answer is: a logistic model over `confidence_features`, fitted by
    `benchmarks/retrieval.py --fit`, and the threshold under which the service says there is
    no answer (the highest at which "no answer" was right 90% of the time when fitted)."""

    intercept: float
    weights: tuple[float, ...]  # one per feature, in `confidence_features`' order
    threshold: float


@dataclass(frozen=True)
class AnswerModel:
    """Answer weights and the confidence models (see the module docstring)."""

    answer_passages: int = 3
    lexical_weight: float = 0.1
    type_bonus: float = 0.1
    rank_penalty: float = 0.1
    pair_margin: float = 0.03  # a neighbour scoring this close to the best joins the answer
    retrieve: int = 10  # hits the confidence features look at, whatever k the caller shows
    # Over gap, coverage, cross-language, best sentence:
    confidence: Confidence = Confidence(-31.805, (17.296, 0.976, 3.144, 33.097), 0.100)
    # The same and the bundled cross-encoder's logit, for hits it re-read (`--reranker
    # bundled`; fitted by `--fit --reranker`):
    reread_confidence: Confidence = Confidence(
        -22.669, (5.111, -0.459, 2.819, 24.411, 0.454), 0.135
    )

    def confidence_for(self, hit: Hit) -> Confidence:
        """The confidence model that judges an answer from `hit`."""
        return self.confidence if hit.reread is None else self.reread_confidence

    def judge(self, hit: Hit, gap: float, cross: bool) -> tuple[tuple[float, ...], float]:
        """The confidence features of an answer from `hit` and the probability it is right."""
        features = confidence_features(hit, gap, cross)
        return features, confidence(features, self.confidence_for(hit))


DEFAULT_MODEL = AnswerModel()


@dataclass(frozen=True)
class Answer:
    """The answer sentence(s) as a span of one hit's passage text."""

    hit: Hit
    start: int
    end: int
    features: tuple[float, ...]  # the confidence model's inputs (see `confidence_features`)
    confidence: float

    @property
    def text(self) -> str:
        return self.hit.passage.text[self.start : self.end]


ASK_OPTIONS = SearchOptions(k=5)


@dataclass(frozen=True)
class Answering:
    """The reranked hits, the best answer whatever its confidence, and highlights."""

    hits: list[Hit]
    best: Answer | None
    highlights: dict[int, tuple[int, int]]  # passage id -> span of its best sentence
    threshold: float  # the best answer's confidence model's

    @property
    def answer(self) -> Answer | None:
        """The best answer if it is confident enough, else None (no answer in the corpus)."""
        if self.best is None or self.best.confidence < self.threshold:
            return None
        return self.best


def ask(
    index: Index,
    query: Query,
    options: SearchOptions = ASK_OPTIONS,
    model: AnswerModel | None = None,
) -> Answering:
    """Retrieve passages for `query` and answer it: what `qa ask` and /api/ask do. The query
    needs its vector (the answer compares sentences with it), whatever the mode."""
    model = model or DEFAULT_MODEL
    wanted = replace(options, k=max(options.k, model.retrieve), sentences=model.answer_passages)
    answering = decide(query, search(index, query, wanted), model)
    return replace(answering, hits=answering.hits[: options.k])


def decide(query: Query, hits: list[Hit], model: AnswerModel = DEFAULT_MODEL) -> Answering:
    """Pick the answer sentence among the first hits' sentences, and its confidence."""
    terms = set(query.terms)
    kind = query.kind
    language = query.language
    dense = [hit.dense for hit in hits[: model.retrieve]]
    gap = max(dense) - float(np.mean(dense)) if dense else 0.0
    highlights: dict[int, tuple[int, int]] = {}
    best: tuple[float, Answer] | None = None
    for rank, hit in enumerate(hits):
        sims = hit.sentences
        if sims is None or not len(sims):
            continue
        spans = hit.passage.sentences
        texts = [hit.passage.text[s:e] for s, e in spans]
        overlaps = [_overlap(terms, text) for text in texts]
        sentence_scores = [
            float(sim) + model.lexical_weight * overlap + model.type_bonus * offers(text, kind)
            for sim, overlap, text in zip(sims, overlaps, texts, strict=True)
        ]
        number = int(np.argmax(sentence_scores))
        start, end = _span(spans, number, sentence_scores, model.pair_margin)
        highlights[hit.passage.id] = (start, end)
        if rank >= model.answer_passages:
            continue
        score = sentence_scores[number] - model.rank_penalty * rank
        answer = Answer(hit, start, end, *model.judge(hit, gap, hit.passage.language != language))
        if best is None or score > best[0]:
            best = (score, answer)
    judge = model.confidence_for(best[1].hit) if best else model.confidence
    return Answering(hits, best[1] if best else None, highlights, judge.threshold)


def confidence_features(hit: Hit, gap: float, cross: bool) -> tuple[float, ...]:
    """What the confidence model weighs: how far the best passage's similarity stands out from
    the other hits' (an off-topic question finds nothing that stands out), the share of the
    question's term weight the passage holds, whether question and passage are in different
    languages (coverage then runs low even for a right answer), how close the passage's best
    sentence comes to the question (a question the passage only touches matches none of its
    sentences closely; measured on IDK-MRC it lifts no-answer recall by a third,
    docs/benchmarks.md), and, where the bundled cross-encoder re-read the passage, its logit
    (it was trained to score low a passage written for the question that does not answer it)."""
    best_sentence = float(np.max(hit.sentences)) if hit.sentences is not None else 0.0
    features = (gap, hit.coverage, float(cross), best_sentence)
    return features if hit.reread is None else (*features, hit.reread)


def confidence(features: tuple[float, ...], model: Confidence) -> float:
    """Probability that the answer is right, from the logistic model."""
    logit = model.intercept + sum(
        weight * feature for weight, feature in zip(model.weights, features, strict=True)
    )
    return 1.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0)))


def lexical_highlights(query: Query, hits: list[Hit]) -> dict[int, tuple[int, int]]:
    """Per hit (by passage id), the sentence sharing most terms with the query, where any does
    (cheap: no embedding, for /api/search)."""
    terms = set(query.terms)
    highlights = {}
    for hit in hits:
        spans = hit.passage.sentences
        overlaps = [_overlap(terms, hit.passage.text[start:end]) for start, end in spans]
        if overlaps and max(overlaps) > 0:
            highlights[hit.passage.id] = spans[overlaps.index(max(overlaps))]
    return highlights


def _overlap(terms: set[str], sentence: str) -> float:
    """Share of the question's terms that occur in the sentence."""
    if not terms:
        return 0.0
    return len(terms & set(tokenize(sentence))) / len(terms)


def _span(spans, number: int, scores: list[float], margin: float) -> tuple[int, int]:
    """The best sentence, with its neighbour when that scores nearly as well (an answer
    that runs over two sentences)."""
    start, end = spans[number]
    neighbours = [n for n in (number - 1, number + 1) if 0 <= n < len(spans)]
    if not neighbours:
        return start, end
    other = max(neighbours, key=lambda n: scores[n])
    if scores[number] - scores[other] >= margin:
        return start, end
    return min(start, spans[other][0]), max(end, spans[other][1])
