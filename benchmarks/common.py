"""What the benchmark scripts share: the embedding cache and benchmark indexes."""

import sys
from pathlib import Path

from qa.articles import Article
from qa.embedders import DEFAULT_EMBEDDER, get_embedder
from qa.embedders.cached import CachedEmbedder
from qa.errors import IndexMismatch
from qa.index.reader import Index
from qa.index.writer import sync_index
from qa.ingest.corpus import scan_corpus

HERE = Path(__file__).resolve().parent
CACHE = HERE / "cache"
sys.path.insert(0, str(HERE))

from evaldata import Benchmark, tydiqa  # noqa: E402


def throughput_articles(passages: int) -> dict[str, Article]:
    """The shipped corpus plus the first `passages` TyDi-QA-id passages, as articles: the
    input every build-throughput figure is measured on."""
    articles = dict(scan_corpus(HERE.parent / "corpus").articles)
    bench = tydiqa()
    for pid in list(bench.passages)[:passages]:
        articles[pid] = Article(id=pid, title="", text=bench.passages[pid], source="TyDi")
    return articles


def cached_embedder(name: str = DEFAULT_EMBEDDER) -> CachedEmbedder:
    """The embedder with a persistent cache: each text is embedded once across runs."""
    safe = name.replace("/", "_").replace(":", "_")
    return CachedEmbedder(get_embedder(name), CACHE / f"embeddings-{safe}.sqlite")


def benchmark_index(bench: Benchmark, embedder: CachedEmbedder) -> Index:
    """An index over the benchmark's passages as articles (built on first use, then reused)."""
    articles = {
        pid: Article(id=pid, title="", text=text, source=bench.name)
        for pid, text in bench.passages.items()
    }
    folder = CACHE / f"index-{bench.name}"
    try:
        report = sync_index(articles, folder, embedder=embedder, progress=_progress)
    except IndexMismatch:  # built by an older version: rebuild (the embeddings are cached)
        report = sync_index(articles, folder, embedder=embedder, progress=_progress, rebuild=True)
    if report.changed:
        print(f"  indexed {bench.name}: {report.embedded_passages} chunks in {report.seconds:.0f}s")
    return Index.load(folder, embedder=embedder)


def _progress(stage: str, done: int, total: int) -> None:
    if stage == "embedding" and total and (done == total or done % 512 == 0):
        print(f"  embedding {done}/{total}", file=sys.stderr, flush=True)
