"""Build throughput against the raw embedder, and the time to add one article at scale.

    python benchmarks/build.py                    # throughput, then 10k, 100k and 1M passages
    python benchmarks/build.py --skip-throughput --sizes 10000      # just one size

Throughput: the shipped corpus plus 200 TyDi-QA-id passages are indexed from scratch with
the real default embedder (no cache), and the same passage texts are embedded by the raw
embedder alone; the ratio is what indexing costs on top of embedding. The sentence pass that
follows is timed too: what embedding sentences in line would cost searchable passages.
Scale: in indexes of N synthetic passages (benchmarks/synthetic.py), one real article is
added, then changed (one sentence more), then deleted, through `apply_changes`, the path
the server's POST /api/articles takes, with the real embedder; all sizes in one run.
"""

import argparse
import dataclasses
import shutil
import statistics
import tempfile
import time
from contextlib import closing
from pathlib import Path

from common import throughput_articles
from synthetic import synthetic_index

from qa.articles import Article
from qa.embedders import get_embedder
from qa.index.reader import Index
from qa.index.sentence_vectors import embed_pending
from qa.index.writer import apply_changes, sync_index
from qa.text.passages import PassageSettings, cut_passages, embedding_text

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
EDIT = " Pendaftaran dibuka hingga akhir bulan depan."


def throughput(passages: int) -> None:
    articles = throughput_articles(passages)
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
        started = time.perf_counter()
        sentences = embed_pending(Path(folder), embedder)
        pass_seconds = time.perf_counter() - started
    print(f"passages: {len(texts)}, tokens: {tokens}")
    print(f"raw embedder:  {len(texts) / raw:7.1f} passages/s {tokens / raw:8.0f} tokens/s")
    print(
        f"qa index build: {len(texts) / report.seconds:6.1f} passages/s "
        f"{tokens / report.seconds:8.0f} tokens/s  ({raw / report.seconds:.0%} of raw)"
    )
    # Were sentences embedded in line, passages would be searchable only after both.
    both = report.seconds + pass_seconds
    print(
        f"sentence pass: {sentences} sentences in {pass_seconds:.1f}s; build and sentences "
        f"together {len(texts) / both:.1f} passages/s ({raw / both:.0%} of raw)"
    )


def changes(size: int, repeats: int) -> dict:
    """Seconds to add, change and delete one article in an index of `size` passages, as
    `POST /api/articles` does it (`apply_changes`), each `repeats` times on a copy."""
    folder = synthetic_index(size)
    work = Path(tempfile.mkdtemp(prefix=f"qa-change-{size}-"))
    embedder = get_embedder()
    times: dict[str, list[float]] = {"add": [], "change": [], "delete": []}
    try:
        shutil.copytree(folder, work, dirs_exist_ok=True)
        # The first change after the build's final merge also collects the segments merged
        # away (a one-time cost, reported apart) and reads cold pages.
        first = apply_changes(work, [dataclasses.replace(NEW_ARTICLE, id="first")], [], embedder)
        for attempt in range(repeats):
            # Texts never seen before, so that every add and change embeds for real.
            unique = f" Angkatan {size}-{attempt} dibuka."
            article = dataclasses.replace(
                NEW_ARTICLE, id=f"{NEW_ARTICLE.id}-{attempt}", text=NEW_ARTICLE.text + unique
            )
            edited = dataclasses.replace(article, text=article.text + EDIT)
            for operation, upserts, deletions in (
                ("add", [article], []),
                ("change", [edited], []),
                ("delete", [], [article.id]),
            ):
                report = apply_changes(work, upserts, deletions, embedder=embedder)
                assert report.changed, (operation, report)
                times[operation].append(report.seconds)
        with closing(Index.load(work)) as loaded:
            passages = loaded.manifest.passages
            segments = len(loaded.manifest.segments)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"passages": passages, "segments": segments, "first": first.seconds, **times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=10, help="changes of each kind")
    parser.add_argument("--passages", type=int, default=200, help="TyDi passages for throughput")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    if not args.skip_throughput:
        throughput(args.passages)
    rows = [changes(size, args.repeats) for size in args.sizes]
    if not rows:
        return
    print(f"\nchanges of one article, {args.repeats} of each kind, seconds (median / max)\n")
    print(
        "| passages | segments after | first change | add | change | delete | "
        "slowest median / at 10k |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    first = max(statistics.median(rows[0][op]) for op in ("add", "change", "delete"))
    for row in rows:
        cells = [
            f"{statistics.median(row[op]):.2f} / {max(row[op]):.2f}"
            for op in ("add", "change", "delete")
        ]
        slowest = max(statistics.median(row[op]) for op in ("add", "change", "delete"))
        print(
            f"| {row['passages']:,} | {row['segments']} | {row['first']:.2f} | "
            f"{' | '.join(cells)} | "
            f"{slowest / first:.2f} |"
        )


if __name__ == "__main__":
    main()
