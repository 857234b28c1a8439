"""The answer: rerank the top passages by their best sentence, then pick the answer sentence.

The sentences of the first few hits (their vectors stored with the index, or embedded now for
passages not yet through the sentence pass) are compared with the question. That does two jobs:
  * rerank: a passage whose best sentence matches the question closely moves up; this counts
    most when question and passage are in different languages, where BM25 adds little;
  * answer: the best sentence, scored by its similarity, the share of the question's terms it
    holds, whether it offers the kind of answer asked for (a date for "kapan", a number for
    "berapa", ...), and its passage's rank.
Confidence is a logistic model over the answer's features, fitted on IDK-MRC's answerable and
unanswerable questions (`python benchmarks/retrieval.py --fit`); below the threshold the
service says there is no answer and still lists the passages.
"""

import math
from dataclasses import dataclass, replace

import numpy as np

from qa import lexical
from qa.answer_types import offers, question_type
from qa.filters import NO_FILTERS, Filters
from qa.index import Index
from qa.language import detect_language
from qa.retrieval import Hit, Mode, search
from qa.sentence_vectors import sentence_matrix


@dataclass(frozen=True)
class AnswerModel:
    """Rerank and answer weights and the confidence model (see the module docstring)."""

    rerank_passages: int = 5
    answer_passages: int = 3
    rerank_same_language: float = 0.0
    rerank_cross_language: float = 0.5
    lexical_weight: float = 0.1
    type_bonus: float = 0.1
    rank_penalty: float = 0.1
    pair_margin: float = 0.03  # a neighbour scoring this close to the best joins the answer
    retrieve: int = 10  # hits the confidence features look at, whatever k the caller shows
    # Confidence: logistic in (gap, coverage), fitted by `benchmarks/retrieval.py --fit`; the
    # threshold is the highest at which "no answer" was right 90% of the time there.
    intercept: float = -4.076
    gap_coef: float = 42.767
    coverage_coef: float = 1.657
    cross_coef: float = 2.004
    threshold: float = 0.10


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


@dataclass
class Answering:
    """The reranked hits, the best answer whatever its confidence, and highlights."""

    hits: list[Hit]
    best: Answer | None
    highlights: dict[int, tuple[int, int]]  # passage id -> span of its best sentence
    threshold: float

    @property
    def answer(self) -> Answer | None:
        """The best answer if it is confident enough, else None (no answer in the corpus)."""
        if self.best is None or self.best.confidence < self.threshold:
            return None
        return self.best


@dataclass(frozen=True)
class SentenceScores:
    """Question-to-sentence similarities for the top hits: the expensive, embedding part."""

    question: str
    hits: list[Hit]
    similarities: list[np.ndarray]  # per hit, one value per sentence of its passage


def score_sentences(
    index: Index,
    question: str,
    hits: list[Hit],
    count: int,
    query_vector: np.ndarray | None = None,
) -> SentenceScores:
    """Compare the sentences of the first `count` hits with the question."""
    top = hits[:count]
    texts = [hit.passage.text[s:e] for hit in top for s, e in hit.passage.sentences]
    if not texts:
        return SentenceScores(question, hits, [])
    if query_vector is None:
        query_vector = index.embedder.encode_queries([question])[0]
    flat = sentence_matrix(index.store, index.embedder, texts) @ query_vector
    bounds = np.cumsum([0] + [len(hit.passage.sentences) for hit in top])
    return SentenceScores(
        question, hits, [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    )


def ask(
    index: Index,
    question: str,
    k: int = 5,
    mode: Mode = Mode.hybrid,
    filters: Filters = NO_FILTERS,
    model: AnswerModel | None = None,
) -> Answering:
    """Retrieve passages for `question` and answer it: what `qa ask` and /api/ask do.

    Only hybrid mode reranks by sentences; dense and BM25 stay as their retriever ranks.
    """
    model = model or DEFAULT_MODEL
    if mode != Mode.hybrid:
        model = replace(model, rerank_same_language=0.0, rerank_cross_language=0.0)
    wanted = max(k, model.rerank_passages, model.retrieve)
    query_vector = index.embedder.encode_queries([question])[0]
    hits = search(index, question, k=wanted, mode=mode, filters=filters, query_vector=query_vector)
    scores = score_sentences(index, question, hits, model.rerank_passages, query_vector)
    answering = decide(scores, model)
    answering.hits = answering.hits[:k]
    return answering


def decide(scores: SentenceScores, model: AnswerModel = DEFAULT_MODEL) -> Answering:
    """The cheap part of answering, separate so that benchmarks can tune it on cached scores."""
    hits, similarities = _rerank(scores, model)
    terms = set(lexical.tokenize(scores.question))
    kind = question_type(scores.question)
    language = detect_language(scores.question)
    dense = [hit.dense for hit in scores.hits[: model.retrieve]]
    gap = max(dense) - float(np.mean(dense)) if dense else 0.0
    highlights: dict[int, tuple[int, int]] = {}
    best: tuple[float, Answer] | None = None
    for rank, (hit, sims) in enumerate(zip(hits, similarities, strict=False)):
        if not len(sims):
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
        features = confidence_features(hit, gap, hit.passage.language != language)
        answer = Answer(hit, start, end, features, confidence(features, model))
        if best is None or score > best[0]:
            best = (score, answer)
    return Answering(hits, best[1] if best else None, highlights, model.threshold)


def confidence_features(hit: Hit, gap: float, cross: bool) -> tuple[float, float, float]:
    """What the confidence model weighs: how far the best passage's similarity stands out from
    the other hits' (an off-topic question finds nothing that stands out), the share of the
    question's term weight the passage holds, and whether question and passage are in
    different languages (coverage then runs low even for a right answer). All are relative,
    so they carry over from full questions to keyword queries, whose similarities run lower."""
    return (gap, hit.coverage, float(cross))


def confidence(features: tuple[float, ...], model: AnswerModel) -> float:
    """Probability that the answer is right, from the logistic model."""
    gap, coverage, cross = features
    logit = (
        model.intercept
        + model.gap_coef * gap
        + model.coverage_coef * coverage
        + model.cross_coef * cross
    )
    return 1.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0)))


def lexical_highlights(query: str, hits: list[Hit]) -> dict[int, tuple[int, int]]:
    """Per hit (by passage id), the sentence sharing most terms with the query, where any does
    (cheap: no embedding, for /api/search)."""
    terms = set(lexical.tokenize(query))
    highlights = {}
    for hit in hits:
        spans = hit.passage.sentences
        overlaps = [_overlap(terms, hit.passage.text[start:end]) for start, end in spans]
        if overlaps and max(overlaps) > 0:
            highlights[hit.passage.id] = spans[overlaps.index(max(overlaps))]
    return highlights


def _rerank(scores: SentenceScores, model: AnswerModel) -> tuple[list[Hit], list[np.ndarray]]:
    """Move the top hits by their best sentence's similarity; the rest keep their order.

    One weight per question, so no passage gains just for its language: the larger
    cross-language weight applies when the question's language is not that of most of the
    top passages (BM25 then says little, and sentence similarity is the better evidence).
    """
    scored = len(scores.similarities)
    if not scored:
        return scores.hits, []
    top = scores.hits[:scored]
    language = detect_language(scores.question)
    same = sum(hit.passage.language == language for hit in top) * 2 >= len(top)
    weight = model.rerank_same_language if same else model.rerank_cross_language
    boosted = [
        (replace(hit, score=hit.score + weight * float(sims.max() if len(sims) else 0.0)), sims)
        for hit, sims in zip(top, scores.similarities, strict=True)
    ]
    boosted.sort(key=lambda item: -item[0].score)
    return [hit for hit, _ in boosted] + scores.hits[scored:], [sims for _, sims in boosted]


def _overlap(terms: set[str], sentence: str) -> float:
    """Share of the question's terms that occur in the sentence."""
    if not terms:
        return 0.0
    return len(terms & set(lexical.tokenize(sentence))) / len(terms)


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
