"""Build throughput against the raw embedder, and the time to add one article at scale.

    python benchmarks/build.py                    # 10k and 100k synthetic passages
    python benchmarks/build.py --sizes 10000      # just one size

Throughput: the shipped corpus plus 200 TyDi-QA-id passages are indexed from scratch with
the real default embedder (no cache), and the same passage texts are embedded by the raw
embedder alone; the ratio is what indexing costs on top of embedding.
Scale: indexes of N synthetic passages (benchmarks/synthetic.py) get one new real article
through `apply_changes`, the path the server's POST /api/articles takes.
"""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from evaldata import tydiqa
from synthetic import folder_size, synthetic_index

from qa.articles import Article
from qa.chunking import PassageSettings, cut_passages, embedding_text
from qa.corpus import scan_corpus
from qa.embedders import get_embedder
from qa.index import Index
from qa.indexer import apply_changes, sync_index

REPO = Path(__file__).resolve().parents[1]
NEW_ARTICLE = Article(
    id="benchmark-new-article",
    title="Kemnaker dan KOICA perkuat kerja sama pelatihan vokasi",
    source="Benchmark",
    text=(
        "Kementerian Ketenagakerjaan dan KOICA sepakat memperkuat kerja sama pelatihan vokasi. "
        "Program ini menyasar instruktur balai latihan kerja di lima provinsi. "
        '"Kami ingin kualitas pelatihan setara standar industri," kata Sekjen Kemnaker.'
    ),
)


def throughput(passages: int) -> None:
    articles = dict(scan_corpus(REPO / "corpus").articles)
    bench = tydiqa()
    for pid in list(bench.passages)[:passages]:
        articles[pid] = Article(id=pid, title="", text=bench.passages[pid], source="TyDi")
    embedder = get_embedder()
    settings = PassageSettings()
    texts = [
        embedding_text(a.title, c.text)
        for a in articles.values()
        for c in cut_passages(a, settings, embedder.count_tokens)
    ]
    tokens = sum(embedder.count_tokens(text) for text in texts)
    started = time.perf_counter()
    embedder.encode_passages(texts)
    raw = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        report = sync_index(articles, Path(folder), rebuild=True)
    print(f"passages: {len(texts)}, tokens: {tokens}")
    print(f"raw embedder:  {len(texts) / raw:7.1f} passages/s {tokens / raw:8.0f} tokens/s")
    print(
        f"qa index build: {len(texts) / report.seconds:6.1f} passages/s "
        f"{tokens / report.seconds:8.0f} tokens/s  ({raw / report.seconds:.0%} of raw)"
    )


def add_one(size: int) -> None:
    started = time.perf_counter()
    folder = synthetic_index(size)
    built = time.perf_counter() - started
    work = Path(tempfile.mkdtemp(prefix=f"qa-add-{size}-"))
    try:
        shutil.copytree(folder, work, dirs_exist_ok=True)
        times = []
        for attempt in range(3):
            article = Article(**{**vars(NEW_ARTICLE), "id": f"{NEW_ARTICLE.id}-{attempt}"})
            report = apply_changes(work, [article], embedder=get_embedder())
            times.append(report.seconds)
        loaded = Index.load(work)
        passages = loaded.store.count_chunks()
        loaded.close()
        size_mb = folder_size(work / "generations" / report.generation) / 1e6
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"{passages:>7} passages: add one article {min(times):.2f}s (best of 3, "
        f"{', '.join(f'{t:.2f}' for t in times)}); generation {size_mb:.0f} MB; "
        f"synthetic build {built:.0f}s (0 when cached)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--passages", type=int, default=200, help="TyDi passages for throughput")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    if not args.skip_throughput:
        throughput(args.passages)
    for size in args.sizes:
        add_one(size)


if __name__ == "__main__":
    main()
