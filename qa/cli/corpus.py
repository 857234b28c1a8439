"""`qa corpus ...`: look at the article files before they are indexed."""

from collections import Counter
from pathlib import Path

import click

from qa.articles import Article
from qa.cli.common import clean_errors, corpus_option, index_option, indexing_service
from qa.ingest.corpus import scan_corpus
from qa.ingest.readers.removed import Removal, recording
from qa.settings import SETTINGS

TITLE_WIDTH = 48


def _cut(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def _table(headers: list[str], rows: list[list[str]], right: tuple[int, ...] = ()) -> str:
    """Rows under headers in aligned columns; columns in `right` aligned right (numbers)."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        cells = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    return "\n".join(line(row) for row in [headers, *rows])


def _report_removed(
    articles: list[Article], removed: dict[str, list[Removal]], lines: bool
) -> None:
    """What the cleaner removed from each article: a count per junk family, and the lines."""
    cleaned = [
        (article, removed[article.path]) for article in articles if removed.get(article.path)
    ]
    if not cleaned:
        return
    rows = [
        [
            article.id,
            ", ".join(f"{family} {n}" for family, n in Counter(r.family for r in found).items()),
        ]
        for article, found in cleaned
    ]
    click.echo()
    click.echo(_table(["ID", "REMOVED"], rows))
    if lines:
        for article, found in cleaned:
            click.echo(f"\n{article.id}:")
            for removal in found:
                click.echo(f"  [{removal.family}] {removal.text}")


@click.group()
def corpus() -> None:
    """Look at the corpus: the folder of article files.

    \b
    Example:
        qa corpus check corpus/
    """


@corpus.command()
@click.argument(
    "folder",
    required=False,
    default=SETTINGS["corpus"].default,
    envvar=SETTINGS["corpus"].env,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
)
@click.option(
    "--removed",
    "--verbose",
    "-v",
    "show_removed",
    is_flag=True,
    help="Also list every line the cleaner removed from each article, with its junk family.",
)
@clean_errors
def check(folder: Path, show_removed: bool) -> None:
    """Read every article file in FOLDER (default: corpus, env QA_CORPUS) and list what was found.

    Prints a table of the articles (id, title, outlet, date, language, characters) and one of
    the problems (level, file:line, message). Exits with status 1 when a file or a line could
    not be read, 0 otherwise (warnings and notes do not fail).

    For scraped (.txt) and saved (.html) pages, a third table says what the cleaner removed
    from each article, as a count per junk family (related, caption, initials, promotion,
    newsletter, embedded post, ...); --removed (or --verbose) lists the removed lines too.

    Files read: .md (YAML front matter), .txt (pages scraped from news sites), .html (saved
    pages), .jsonl and .json (bulk: one article per line or object). Hidden files are skipped.

    \b
    Example:
        $ qa corpus check corpus/
        ID                                   TITLE                       OUTLET     DATE ...
        rmol-2021-09-10-asean-slom-17        Dorong Penguatan Kerjasa…   Rmol.id    2021-09-10 ...
        ...
        5 articles, 0 errors, 0 warnings
    """
    with recording() as removed:
        scan = scan_corpus(folder)
    articles = list(scan.articles.values())
    if articles:
        rows = [
            [
                article.id,
                _cut(article.title, TITLE_WIDTH),
                article.source or "-",
                article.published.isoformat() if article.published else "-",
                article.language,
                str(len(article.text)),
            ]
            for article in articles
        ]
        headers = ["ID", "TITLE", "OUTLET", "DATE", "LANG", "CHARS"]
        click.echo(_table(headers, rows, right=(5,)))
    _report_removed(articles, removed, show_removed)
    if scan.problems:
        click.echo()
        rows = [[p.level, p.where, p.message] for p in scan.problems]
        click.echo(_table(["LEVEL", "WHERE", "PROBLEM"], rows))
    counts = {level: sum(p.level == level for p in scan.problems) for level in ("error", "warning")}
    click.echo(
        f"\n{len(articles)} article{'s' * (len(articles) != 1)}, "
        f"{counts['error']} error{'s' * (counts['error'] != 1)}, "
        f"{counts['warning']} warning{'s' * (counts['warning'] != 1)}"
    )
    if scan.errors:
        raise click.exceptions.Exit(1)


@corpus.command()
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@corpus_option
@index_option
@clean_errors
def add(urls: tuple[str, ...], corpus_dir: Path, index_dir: Path) -> None:
    """Fetch the news article at each URL, save it to the corpus folder and index it.

    The article is taken out of the page as from a saved .html file (trafilatura, then the
    junk rules) and saved as <id>.md with its url; the id comes from the page's canonical
    address, so the same article added again is an update. A link that gives no article is
    reported and the others are still added; the exit status is then 1. Links are fetched
    safely: see QA_FETCH_TIMEOUT, QA_FETCH_MAX_BYTES, QA_FETCH_REDIRECTS, QA_FETCH_ALLOW.

    \b
    Example:
        $ qa corpus add https://www.antaranews.com/berita/3589377/kemnaker-...
        added antaranews.com-berita-3589377-kemnaker-...: Kemnaker ... (Antara News, 2023-06-20)
        indexed: generation 7, 1 added, 0 updated, 0 unchanged
    """
    with indexing_service(corpus_dir, index_dir) as service:
        _, found = service.add_links(list(urls))
        for article in found.articles:
            day = article.published.isoformat() if article.published else "no date"
            click.echo(f"added {article.id}: {article.title} ({article.source}, {day})")
        for url, message in found.failed:
            click.echo(f"error: {url}: {message}", err=True)
    if found.failed:
        raise click.exceptions.Exit(1)
