"""`qa index build|update|merge|status|check`: keep the index in step with the corpus folder."""

from pathlib import Path

import click
from tqdm import tqdm

from qa.cli.common import clean_errors, cluster_option, corpus_option, index_option
from qa.cluster import Cluster, connect
from qa.index.check import check_index
from qa.index.merging import MergeReport, merge_segments
from qa.index.reader import Index
from qa.index.sentence_vectors import embed_pending
from qa.index.writer import UpdateReport, sync_index
from qa.ingest.corpus import scan_corpus
from qa.settings import option
from qa.text.passages import PassageSettings


@click.group()
def index() -> None:
    """Build, update and inspect the search index."""


@index.command()
@corpus_option
@index_option
@option("embedder")
@option("max_tokens")
@option("overlap")
@option("faiss", "--faiss", "faiss_factory")
@cluster_option
@clean_errors
def build(
    corpus_dir: Path,
    index_dir: Path,
    embedder: str,
    max_tokens: int,
    overlap: int,
    faiss_factory: str,
    cluster: str | None,
) -> None:
    """Embed the whole corpus into a new build of the index.

    The build becomes current when it is complete; until then the previous one serves. A
    build that is killed resumes when run again with the same settings, without embedding
    again what it had embedded. The sentences of the passages are embedded last, for
    answering; the index serves before they are.

    \b
    Example:
        qa index build --corpus corpus/ --index index/
        qa index build --faiss HNSW32
        qa index build --cluster tcp://scheduler:8786
    """
    settings = PassageSettings(max_tokens=max_tokens, overlap_sentences=overlap)
    with connect(cluster) as workers:  # first: an unreachable cluster stops it before any work
        _run(
            corpus_dir,
            index_dir,
            workers,
            rebuild=True,
            embedder_name=embedder,
            passage_settings=settings,
            faiss=faiss_factory,
        )
        _merge(index_dir, everything=False)
        _sentences(index_dir, workers)


@index.command()
@corpus_option
@index_option
@click.option("--no-merge", is_flag=True, help="Leave merging segments for later.")
@cluster_option
@clean_errors
def update(corpus_dir: Path, index_dir: Path, no_merge: bool, cluster: str | None) -> None:
    """Embed only new and changed articles, drop removed ones, merge segments if due, then
    embed the new passages' sentences for answering.

    \b
    Example:
        qa index update --corpus corpus/ --index index/
        qa index update --cluster local:2
    """
    with connect(cluster) as workers:  # first: an unreachable cluster stops it before any work
        _run(corpus_dir, index_dir, workers, rebuild=False)
        if not no_merge:
            _merge(index_dir, everything=False)
        _sentences(index_dir, workers)


@index.command()
@index_option
@click.option("--all", "everything", is_flag=True, help="Merge every segment into one.")
@clean_errors
def merge(index_dir: Path, everything: bool) -> None:
    """Merge segments as the merge policy says (or all of them), dropping deleted passages.

    `qa serve` and `qa index update` merge by themselves; this is for doing it now.

    \b
    Example:
        qa index merge --index index/ --all
    """
    if not _merge(index_dir, everything):
        click.echo("nothing to merge")


@index.command()
@index_option
@clean_errors
def status(index_dir: Path) -> None:
    """Show the generation being served: size, segments, settings, last change and merge.

    \b
    Example:
        qa index status --index index/
    """
    loaded = Index.load(index_dir)
    info = loaded.describe()
    segments = info["segments"]
    lines = [
        ("index", str(index_dir)),
        ("generation", f"{info['generation']} ({info['build']}, published {info['published_at']})"),
        ("articles", info["articles"]),
        ("passages", info["passages"]),
        (
            "segments",
            f"{segments['count']}, {segments['passages']} passages written, "
            f"{segments['deleted']} deleted ({segments['deleted_share']:.1%})",
        ),
    ]
    lines += [
        (f"  {s['name']}", f"{s['passages']} passages, {s['deleted']} deleted, {s['vectors']}")
        for s in segments["list"]
    ]
    lines += [
        ("embedder", f"{info['embedder']} ({info['dimension']} dimensions)"),
        ("passages by", info["passage_settings"]),
        ("faiss", info["faiss"]),
        ("last change", info["last_change"] or "-"),
        ("last merge", info["last_merge"] or "-"),
    ]
    width = max(len(label) for label, _ in lines) + 1
    for label, value in lines:
        click.echo(f"{label + ':':<{width}} {value}")


@index.command()
@corpus_option
@index_option
@click.option("--no-corpus", is_flag=True, help="Check the index alone, not against the corpus.")
@clean_errors
def check(corpus_dir: Path, index_dir: Path, no_corpus: bool) -> None:
    """Verify that store, vectors, lexical index and manifest agree, and that every corpus
    article is indexed once; exit 1 listing what is wrong.

    \b
    Example:
        qa index check --corpus corpus/ --index index/
    """
    articles = None if no_corpus else scan_corpus(corpus_dir).articles
    problems = check_index(index_dir, articles)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.exceptions.Exit(1)
    click.echo("index is consistent" + ("" if no_corpus else " and holds the corpus"))


def _run(
    corpus_dir: Path, index_dir: Path, cluster: Cluster | None, rebuild: bool, **settings
) -> UpdateReport:
    scan = scan_corpus(corpus_dir)
    for problem in scan.problems:
        click.echo(str(problem), err=True)
    bar = tqdm(desc="embedding", unit="passage", disable=None)

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "embedding":
            bar.total = total
            bar.n = done
            bar.refresh()

    try:
        report = sync_index(
            scan.articles,
            index_dir,
            rebuild=rebuild,
            progress=progress,
            cluster=cluster,
            **settings,
        )
    finally:
        bar.close()
    click.echo(describe(report))
    return report


def _sentences(index_dir: Path, cluster: Cluster | None) -> None:
    """Embed the sentences of the passages just published (the index already serves them)."""
    bar = tqdm(desc="sentences", unit="passage", disable=None)

    def progress(stage: str, done: int, total: int) -> None:
        bar.total, bar.n = total, done
        bar.refresh()

    try:
        embedded = embed_pending(index_dir, progress=progress, cluster=cluster)
    finally:
        bar.close()
    if embedded:
        click.echo(f"{embedded} sentences embedded for answering")


def _merge(index_dir: Path, everything: bool) -> bool:
    """Merge until the policy is satisfied (or once, everything); False if nothing merged."""
    merged = False
    while (report := merge_segments(index_dir, everything)) is not None:
        click.echo(describe_merge(report))
        merged = True
        if everything:
            break
    return merged


def describe(report: UpdateReport) -> str:
    """One line saying what an update did."""
    return (
        f"generation {report.generation}: {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.removed)} removed, "
        f"{report.unchanged} unchanged; {report.embedded_passages} passages embedded, "
        f"{report.reused_passages} reused, in {report.seconds:.1f}s"
    )


def describe_merge(report: MergeReport) -> str:
    return (
        f"generation {report.generation}: merged {len(report.merged)} segments into "
        f"{report.into} ({report.passages} passages, {report.dropped} deleted dropped) "
        f"in {report.seconds:.1f}s"
    )
